"""Creative arts therapy intake additions (clinical.md §3.4).

Sources: https://www.artsentertainment.cc/Art/Art-Supplies/641.html ·
https://brainscape.com/flashcards/art-therapy-environment-16689632/packs/22261480 (dust, glazes, sharps) ·
http://www.portal.ct.gov/DPH/Environmental-Health/Environmental-and-Occupational-Health-Assessment/Arts--Crafts-Supplies
"""

from polymodal.core.api import FieldType, FormField, FormSection, FormSpec, Option
from polymodal.plugins.arts.modalities import ALL, INTAKE

TEXT = FieldType.long_text


def _options(*pairs: tuple[str, str]) -> tuple[Option, ...]:
    return tuple(Option(value=v, label=t) for v, t in pairs)


INTAKE_FORM = FormSpec(
    key=INTAKE, title="Creative arts therapy intake", modalities=ALL, source="clinical.md §3.4",
    sections=(
        FormSection(key="materials", title="Materials and your body", fields=(
            FormField(key="material_allergies", label="Allergies or sensitivities to materials",
                      type=FieldType.multi_choice, options=_options(
                          ("latex", "Latex"), ("wheat-paste", "Wheat paste"), ("wool-fibres", "Wool or fibres"),
                          ("dyes", "Dyes"), ("adhesives", "Adhesives"), ("solvents", "Solvents"),
                          ("fragrance", "Fragrance"))),
            FormField(key="respiratory", label="Breathing sensitivities", type=FieldType.multi_choice,
                      options=_options(("dust", "Dust from clay, glazes or pastels"), ("fumes", "Solvent fumes"))),
            FormField(key="skin_conditions", label="Skin conditions"),
            FormField(key="materials_details", label="Anything else about materials", type=TEXT),
        )),
        FormSection(key="sensory", title="Sensory preferences", fields=(
            FormField(key="textures", label="Textures you like or avoid"),
            FormField(key="mess_tolerance", label="How do you feel about messy materials?",
                      type=FieldType.single_choice,
                      options=_options(("fine", "Fine with mess"), ("some", "Some mess is fine"),
                                       ("avoid", "I prefer to avoid mess"))),
            FormField(key="sound_limits", label="Noise and volume limits (music)"),
            FormField(key="touch_proximity", label="Touch and closeness to others (movement and drama)"),
        )),
        FormSection(key="movement", title="Movement and mobility", fields=(
            FormField(key="fine_motor", label="Fine motor limits (hands, grip)"),
            FormField(key="gross_motor", label="Gross motor limits"),
            FormField(key="adaptive_tools", label="Adaptive tools you use"),
            FormField(key="mobility_balance", label="Mobility or balance limits", type=FieldType.yes_no,
                      required=True),
        )),
        FormSection(key="experience", title="Experience and preferences", fields=(
            FormField(key="arts_experience", label="Previous arts experience", type=TEXT),
            FormField(key="performance_anxiety", label="Do you get anxious about performing or being watched?",
                      type=FieldType.yes_no),
            FormField(key="keeping_work", label="Your wishes about keeping or displaying your work and recordings",
                      type=TEXT),
        )),
        FormSection(key="practitioner", title="For the practitioner", fields=(
            FormField(key="sharps_risk", label="Sharps or self-harm risk: blades only under supervision",
                      type=FieldType.yes_no, required=True),
        )),
    ),
)

FORMS = [INTAKE_FORM]

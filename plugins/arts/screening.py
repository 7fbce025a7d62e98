"""Arts intake answers that change how a session runs (clinical.md §3.4).

All ``modify``: the session goes ahead with different materials, supervised
sharps or adapted movement. Sources as in forms.py.
"""

from polymodal.core.api import Outcome, ScreeningRule
from polymodal.plugins.arts.modalities import ALL, DANCE, INTAKE

SOURCE = "https://brainscape.com/flashcards/art-therapy-environment-16689632/packs/22261480"


def _rule(name: str, field: str, reason: str, modalities: tuple[str, ...] = ALL, **condition) -> ScreeningRule:
    return ScreeningRule(key=f"arts/{name}", form=INTAKE, field=field, outcome=Outcome.modify, modalities=modalities,
                         reason=reason, source=SOURCE, **(condition or {"equals": True}))


SCREENING_RULES = [
    _rule("sharps", "sharps_risk", "Modify: sharps or self-harm risk. Blades only under supervision."),
    _rule("material-allergy", "material_allergies",
          "Modify: material allergy or sensitivity. Offer alternatives (water-based, AP/ACMI-labelled materials).",
          any_of=("latex", "wheat-paste", "wool-fibres", "dyes", "adhesives", "solvents", "fragrance")),
    _rule("respiratory", "respiratory",
          "Modify: breathing sensitivity. Avoid clay, glaze or pastel dust and solvent fumes; ventilate.",
          any_of=("dust", "fumes")),
    _rule("mobility", "mobility_balance", "Modify: mobility or balance limits. Adapt movement work.",
          modalities=(DANCE,)),
]

"""Bodywork health history (clinical.md §3.2).

Each condition is one structured answer so that a screening rule can read it
(see screening.py); free text carries the details. Questions about a
physician's care and medications follow Walton
(http://www.massagetoday.com/mpacms/mt/article.php?id=13259).
"""

from polymodal.core.api import FieldType, FormField, FormSection, FormSpec, Option
from polymodal.plugins.bodywork.modalities import ALL, HEALTH_HISTORY

YES_NO = FieldType.yes_no


def _yes_no(key: str, label: str, help: str = "") -> FormField:
    return FormField(key=key, label=label, type=YES_NO, required=True, help=help)


def _health_history(version: int, added: tuple[FormField, ...] = ()) -> FormSpec:
    return FormSpec(
        key=HEALTH_HISTORY,
        version=version,
        title="Bodywork health history",
        modalities=ALL,
        source="clinical.md §3.2",
        sections=(
            FormSection(key="care", title="Your care and medications", fields=(
                _yes_no("physician_care", "Are you in a physician's care?"),
                FormField(key="physician", label="Physician's name and contact"),
                FormField(key="medications",
                          label="Medications: what each is for, how it affects you, and its spelling",
                          type=FieldType.long_text, required=True, help="Write 'none' if you take no medication."),
                FormField(key="medication_classes", label="Do any of your medications belong to these groups?",
                          type=FieldType.multi_choice, options=(
                              Option(value="anticoagulant", label="Blood thinners (anticoagulants)"),
                              Option(value="corticosteroid", label="Corticosteroids"),
                              Option(value="analgesic", label="Pain medication"),
                          )),
            )),
            FormSection(key="conditions", title="Health conditions", fields=(
                _yes_no("blood_clot", "Do you have, or does anyone suspect, a blood clot (DVT) or phlebitis?"),
                _yes_no("acute_illness", "Do you have a fever, an acute infection or a contagious illness today?"),
                _yes_no("cardiovascular_unstable",
                        "Do you have uncontrolled high blood pressure or unstable heart disease, or have you had a "
                        "stroke or TIA recently?"),
                _yes_no("bleeding_risk", "Do you have a bleeding disorder or low platelets?"),
                _yes_no("recent_surgery", "Have you had surgery recently?"),
                FormField(key="surgery_details", label="Surgery: what, where on the body, and when"),
                _yes_no("bone_fragility",
                        "Do you have a fracture, severe osteoporosis or cancer that has spread to bone?"),
                FormField(key="skin", label="Skin: open wounds, burns, rash, infection or undiagnosed lumps",
                          type=FieldType.single_choice, required=True, options=(
                              Option(value="none", label="None"),
                              Option(value="local", label="Yes, in one area"),
                              Option(value="widespread", label="Yes, widespread or contagious"),
                          )),
                _yes_no("varicose_veins", "Do you have varicose veins?"),
                _yes_no("cancer", "Do you have cancer or are you in cancer treatment?"),
                _yes_no("neuropathy", "Do you have diabetes with reduced feeling (neuropathy) or fragile skin?"),
                *added,
                FormField(key="product_allergies", label="Allergies to oils, lotions or gloves",
                          type=FieldType.multi_choice, options=(
                              Option(value="nut-oils", label="Nut oils"),
                              Option(value="fragrance", label="Fragrance"),
                              Option(value="latex", label="Latex gloves"),
                          )),
                FormField(key="conditions_details", label="Details of anything you answered yes to",
                          type=FieldType.long_text),
            )),
            FormSection(key="pregnancy", title="Pregnancy", fields=(
                _yes_no("pregnant", "Are you pregnant?"),
                FormField(key="trimester", label="Trimester", type=FieldType.single_choice, options=(
                    Option(value="1", label="First"), Option(value="2", label="Second"),
                    Option(value="3", label="Third"),
                )),
                FormField(key="pregnancy_high_risk", label="Has your pregnancy been called high-risk?", type=YES_NO),
            )),
            FormSection(
                key="experiences", title="Touch and past experiences", optional=True,
                help="Only if you want to. It helps us check in with you more often; you do not need to give details.",
                fields=(FormField(key="abuse_history", type=YES_NO,
                                  label="Is there a history of physical abuse you would like us to keep in mind?"),),
            ),
        ),
    )


ADDED_IN_V2 = (
    # Sources: lymph nodes removed or treated: http://www.oncolink.org/experts/article1.cfm?id=2805&c=125 ·
    # inflammation: http://majesticmassage.ro/contraindications-in-massage/ ·
    # aneurysm: https://www.spaverde.pl/en/contraindications-massage/ ·
    # intoxication: https://cynthialombardi.abmp.com/contraindications (see screening.py for the rules).
    _yes_no("lymphedema_risk", "Have you had lymph nodes removed or treated with radiation, or do you have "
                               "lymphedema (swelling from the lymph system)?"),
    _yes_no("local_inflammation", "Is any part of your body acutely inflamed or newly injured today (hot, red, "
                                  "swollen or very tender)?"),
    _yes_no("aneurysm", "Have you been told you have an aneurysm?"),
    _yes_no("intoxicated", "Have you had alcohol or drugs today that still affect you?",
            help="Massage is rescheduled on such a day: it dulls the feedback that keeps pressure safe."),
)

HEALTH_HISTORY_V1 = _health_history(1)
HEALTH_HISTORY_FORM = _health_history(2, ADDED_IN_V2)
"""Version 2 adds lymphedema risk, acute local inflammation, aneurysm and intoxication; version 1 stays for
the responses written under it."""

FORMS = [HEALTH_HISTORY_V1, HEALTH_HISTORY_FORM]

"""Breathwork risk consent (clinical.md §5.1, paraphrased).

Sources: https://holotropicalleida.org/contraindicaciones/ (not a substitute for therapy) ·
https://www.mojorituals.com/gnosis/2468660_breathwork-safety-preparation-and-integration-for-a-deep-inner-journey ·
https://icedragontraining.com/wim-hof-method-breathing-technique (never near water or while driving)
"""

from polymodal.core.api import ConsentDocument, ConsentKind, FieldType, FormField
from polymodal.plugins.breathwork.modalities import ALL, RISK_CONSENT

RISK = ConsentDocument(
    key=RISK_CONSENT, title="Breathwork: risks and consent", modalities=ALL, kind=ConsentKind.breathwork,
    scope="Taking part in breathwork sessions after screening.",
    source="https://holotropicalleida.org/contraindicaciones/",
    text=(
        "I completed the health screening and answered it truthfully, and I will say if anything changes. "
        "Breathwork can bring tingling, lightheadedness, cramping of the hands or mouth and strong emotions. "
        "I can slow down or stop at any time. Touch or pressure-point support is given only "
        "with my separate consent. Breathwork is not a substitute for psychotherapy or medical care. I will never "
        "practise it near water or while driving, and I will lie down or sit safely. If I am or become pregnant "
        "I will say so: the practice is then modified or not offered. I have been told about aftercare."
    ),
    fields=(FormField(key="touch_support", label="I consent to touch or pressure-point support",
                      type=FieldType.yes_no, required=True),),
)

CONSENTS = [RISK]

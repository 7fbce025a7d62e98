"""Consent to touch, per body region and confirmed at each session (clinical.md §5.1, paraphrased).

Sources: Texas massage rules (draping, breast work, signed initial consultation):
https://texreg.sos.state.tx.us/public/readtac$ext.TacPage?sl=T&app=9&p_dir=P&p_rloc=185752&p_tloc=&p_ploc=1&pg=2&p_tac=&ti=16&pt=4&ch=117&rl=92 ·
CMTO sensitive areas: http://webdev.cmto.com/about-the-profession/policies/position-statement/treatment-of-sensitive-areas/ ·
NZ HDC (silence is not consent): https://nzdoctor.co.nz/article/undoctored/consent-massage-sensitive-areas
"""

from polymodal.core.api import ConsentDocument, ConsentKind, FieldType, FormField
from polymodal.plugins.bodywork.modalities import ALL, TOUCH
from polymodal.plugins.bodywork.regions import CONSENT_STATES, REGIONS

TOUCH_CONSENT = ConsentDocument(
    key=TOUCH, title="Consent to touch", modalities=ALL, kind=ConsentKind.touch, per_body_region=True, confirm_each_session=True,
    scope="Hands-on work on the body regions marked as consented, with the techniques and draping described.",
    source="http://webdev.cmto.com/about-the-profession/policies/position-statement/treatment-of-sensitive-areas/",
    text=(
        "Before hands-on work we agree the techniques we plan to use and which body regions will and will not "
        "be treated, and how you will be draped. The breasts of female clients are always draped, and a female "
        "client's breasts are not massaged without her written consent. The genitals and the gluteal cleft are "
        "always draped. You can stop the session, or stop work on any region, at any time. Sensitive regions "
        "(chest wall, breast, inner thigh, gluteal) need this signed consent and your spoken consent at every "
        "treatment; a signature alone is not enough, and silence is never consent. Work on a sensitive region "
        "stops once its goals are met. We update this document whenever your goals or the regions change."
    ),
    fields=(
        FormField(key="techniques", label="Techniques planned", type=FieldType.long_text, required=True),
        FormField(key="draping", label="Draping method", required=True),
        FormField(key="regions", label="Consent per body region", type=FieldType.body_map, required=True,
                  regions=REGIONS,
                  item_fields=(FormField(key="consent", label="Consent", type=FieldType.single_choice,
                                         options=CONSENT_STATES, required=True),)),
    ),
)

CONSENTS = [TOUCH_CONSENT]

"""Arts therapies consents: informed consent to treatment, and what happens to the work made in sessions.

Written in our own words; jurisdiction-dependent wording (duty to warn, reporting
duties) is a default for a local expert to review before use.

Sources:
- what any informed consent to therapy covers (nature of the service, risks and benefits, alternatives,
  right to refuse or stop, records, limits of confidentiality): clinical.md §5.1,
  https://www.icanotes.com/2022/12/23/age-of-consent-mental-health-treatment
- limits of confidentiality (duty to warn/protect, mandated reporting, court orders, imminent self-harm):
  clinical.md §5.1, https://jaapl.org/content/42/4/469.long
- arts therapists obtain a signed informed consent at the first meeting, and keep the client's artistic
  expression as confidential as what they say: District of Columbia art therapy rules, 17 DCMR §11612
  (which adopt the ATCB Code of Ethics, Conduct, and Disciplinary Procedures and the AATA Ethical
  Principles for Art Therapists), https://www.atcb.org/ · https://arttherapy.org/
- the artwork is the client's; photographs, display and recordings only with consent:
  https://hayesarttherapy.blogspot.com/2010/10 (clinical.md §1.4),
  https://romanmusictherapy.com/what-happens-in-a-music-therapy-session/; group recordings need every
  member (clinical.md §5.1)
- no artistic skill or experience is needed (the process, not the product's quality, is the work): AATA,
  "About art therapy", https://arttherapy.org/about-art-therapy/
"""

from polymodal.core.api import ConsentDocument, ConsentKind, FieldType, FormField, Option
from polymodal.plugins.arts.modalities import ALL, INFORMED, WORK_CONSENT

LIMITS_OF_CONFIDENTIALITY = (
    "What you say, make and play in sessions is confidential, with these exceptions: if you seriously threaten "
    "to hurt someone who can be identified, we may have to warn or protect them, depending on the law where we "
    "work; we must report suspected abuse or neglect of a child, and of an older or dependent adult where the "
    "law requires it; a court order can require us to hand over records; and if you are in immediate danger of "
    "harming yourself, we will act to keep you safe."
)

INFORMED_CONSENT = ConsentDocument(
    key=INFORMED, title="Informed consent to arts therapy", modalities=ALL,
    # A guardian signs for a minor: the minor-consent laws that let a minor agree alone to counselling name
    # licensed professions (e.g. California Health & Safety Code §124260), which arts credentials are not
    # everywhere, so the core's rule for anything but a "psychotherapy" consent applies.
    kind=ConsentKind.general,
    scope="Consent to art, music, drama or dance/movement therapy at this center.",
    source="clinical.md §5.1; 17 DCMR §11612 (art therapy standards of conduct); https://arttherapy.org/",
    text=(
        "What arts therapy is. In art, music, drama and dance/movement therapy, making art, music, drama or "
        "movement is the main way of working, alongside talking about it. Your therapist is trained in their "
        "art form as a therapy and works with you on the concerns and goals you agree together.\n\n"
        "No skill is needed and nothing is judged. You do not need any talent or experience. What you make is "
        "not marked or judged for skill or beauty; it is a way of expressing and exploring, not a performance.\n\n"
        "What to expect. Creative work can bring up strong feelings or memories, and things can feel harder for "
        "a while before they get better. We go at your pace. Touch or close contact (for example in movement or "
        "drama) is never used without asking you first. Other kinds of help exist and we will talk them through "
        "with you. Fees and cancellations are given to you in writing.\n\n"
        "Your artwork and recordings. What you make is treated as confidentially as what you say. It is kept, "
        "photographed, recorded, displayed or shared only with your permission: you choose in the separate "
        "consent 'Your artwork and recordings' and can change your choices at any time. Nothing you make is "
        "used for teaching, exhibitions or publications without your separate written permission. We keep our "
        "records securely.\n\n"
        f"Limits of confidentiality. {LIMITS_OF_CONFIDENTIALITY}\n\n"
        "Your right to stop. You can skip any activity, pause or stop a session, or end therapy at any time, "
        "without giving a reason. You can ask questions about your therapy at any time."
    ),
)

YES_NO = FieldType.yes_no

ARTWORK_AND_RECORDINGS = ConsentDocument(
    key=WORK_CONSENT, title="Your artwork and recordings", modalities=ALL, kind=ConsentKind.recording,
    scope="What happens to the work you make in sessions and to recordings of sessions.",
    source="https://hayesarttherapy.blogspot.com/2010/10",
    text=(
        "The work you make belongs to you. Below you choose whether we keep it at the center during therapy, "
        "whether we may photograph it for your record, whether it may ever be displayed, and whether sessions "
        "may be recorded. Photographs and recordings are stored securely and kept confidential. You can change "
        "any choice at any time, and we agree with you what happens to work kept here when therapy ends. In a "
        "group, recording needs every member's consent."
    ),
    fields=(
        FormField(key="keep", label="Where your artwork is kept", type=FieldType.single_choice, required=True,
                  options=(Option(value="client", label="I take it home"),
                           Option(value="center", label="Kept at the center during therapy"),
                           Option(value="ask", label="Ask me each time"))),
        FormField(key="photograph", label="Artwork may be photographed for my record", type=YES_NO, required=True),
        FormField(key="display", label="Artwork may be displayed", type=YES_NO, required=True),
        FormField(key="record", label="Sessions may be audio or video recorded", type=YES_NO, required=True),
    ),
)

CONSENTS = [INFORMED_CONSENT, ARTWORK_AND_RECORDINGS]

"""Talk-therapy consent documents (clinical.md §5.1, paraphrased).

Sources:
- informed consent and limits of confidentiality: https://www.icanotes.com/2022/12/23/age-of-consent-mental-health-treatment ·
  https://jaapl.org/content/42/4/469.long · https://psychiatryonline.org/doi/full/10.1176/foc.1.4.376 ·
  https://docslib.org/doc/119094/ncea-napsa-mandated-reporting-of-abuse-of-older-adults-and-adults-with-disabilities
- telehealth: https://eclio.io/blog/informed-consent-telehealth-what-to-include
- recording: https://www.umass.edu/psc/what-happens-session-recordings-during-course-therapy-and-when-therapy-completed-0
- release of information (45 CFR 164.508):
  https://www.accountablehq.com/post/required-elements-of-a-hipaa-authorization-form-45-cfr-164-508-checklist
- couple "no secrets" policy: https://reynaaday.com/service/couplestherapy
- psychedelic integration: https://harmreductionjournal.biomedcentral.com/articles/10.1186/s12954-021-00489-1

Wording that depends on jurisdiction (duty to warn, reporting duties, ages)
is a default for a local expert to review before use.
"""

from polymodal.core.api import ConsentDocument, ConsentKind, FieldType, FormField, Option
from polymodal.plugins.talk.modalities import (
    ALL,
    COUPLE,
    INFORMED,
    INTEGRATION,
    INTEGRATION_CONSENT,
    NO_SECRETS,
)

LIMITS_OF_CONFIDENTIALITY = (
    "What you say stays confidential, with these exceptions: (a) if you make a serious threat of physical "
    "violence against someone who can be identified, we may have to warn or protect them, depending on the law "
    "where we practise; (b) we must report suspected abuse or neglect of a child, and of an older or dependent "
    "adult where the law requires it; (c) a court order or subpoena can require us to disclose records; "
    "(d) if you are at imminent risk of harming yourself, we will act to keep you safe."
)

INFORMED_CONSENT = ConsentDocument(
    key=INFORMED, title="Informed consent to services", modalities=ALL, kind=ConsentKind.psychotherapy,
    scope="Consent to receive talk therapy, counselling or coaching from this center.",
    source="https://www.icanotes.com/2022/12/23/age-of-consent-mental-health-treatment",
    text=(
        "About the service: what we offer, how sessions work, and what you can expect. Talking about difficult "
        "things can bring relief and change, and it can also feel worse for a while. Other options exist, and we "
        "will talk them through with you. Fees and the cancellation policy are given to you in writing. You can "
        "refuse or stop at any time. We keep records of our work securely; how and for how long is given to you in "
        "writing.\n\n"
        f"Limits of confidentiality. {LIMITS_OF_CONFIDENTIALITY}\n\n"
        "Contact and emergencies: how to reach us between sessions and what to do in an emergency are given to "
        "you in writing."
    ),
)

TELEHEALTH = ConsentDocument(
    key="talk/telehealth", title="Telehealth consent", modalities=ALL, confirm_each_session=True,
    kind=ConsentKind.telehealth,
    deliveries=("phone", "video"),
    scope="Consent to sessions by video or phone; your location is confirmed at every session.",
    source="https://eclio.io/blog/informed-consent-telehealth-what-to-include",
    text=(
        "Telehealth is voluntary and you can switch to in-person sessions. We tell you which platform we use and "
        "the limits of its security. If the connection fails, we call you or reschedule. Please join from a "
        "private space. At the start of every session we confirm where you are, because the law of that place "
        "applies and emergency help must reach you there; we agree a local emergency plan and contacts. We tell "
        "you where your practitioner is licensed. Nobody records a session without everyone's agreement, and we "
        "tell you if AI note-taking is used."
    ),
    fields=(
        FormField(key="location", label="Where are you right now (address, or city and state/country)?",
                  required=True),
        FormField(key="private_space", label="Are you in a private space?", type=FieldType.yes_no, required=True),
        FormField(key="emergency_contact", label="Local emergency contact for this session"),
    ),
)

RECORDING = ConsentDocument(
    key="talk/recording", title="Consent to recording for supervision", modalities=ALL, confirm_each_session=True,
    kind=ConsentKind.recording,
    scope="Audio or video recording of sessions for supervision or training only.",
    source="https://www.umass.edu/psc/what-happens-session-recordings-during-course-therapy-and-when-therapy-completed-0",
    text=(
        "Recordings are made only for supervision or training and are seen only by the practitioner and their "
        "supervisor or training group. They are stored securely, are not part of your clinical record and are "
        "destroyed when the supervision ends. You can stop a recording at any time or ask for parts to be "
        "deleted. Any other use needs your separate written permission. We ask again at each session. In a "
        "group, every member must agree before anything is recorded."
    ),
)

RELEASE_OF_INFORMATION = ConsentDocument(
    key="talk/release-of-information", title="Authorization to release information", modalities=ALL,
    kind=ConsentKind.release,
    scope="Disclosure of the information described below to the named recipient, until it expires.",
    guardian_signs_for_minor=True,
    source="https://www.accountablehq.com/post/required-elements-of-a-hipaa-authorization-form-45-cfr-164-508-checklist",
    text=(
        "You can revoke this authorization at any time by writing to us; revoking does not undo disclosures "
        "already made in reliance on it. Your treatment does not depend on whether you sign. Information "
        "disclosed under it may be re-disclosed by the recipient and may then no longer be protected by federal "
        "privacy rules. You will receive a copy. This authorization does not cover psychotherapy notes, which "
        "need their own authorization. Substance-use treatment records and HIV information may need additional "
        "consent."
    ),
    fields=(
        FormField(key="information", label="Information to be disclosed (be specific)",
                  type=FieldType.long_text, required=True),
        FormField(key="categories", label="Categories that need extra protection, if included",
                  type=FieldType.multi_choice,
                  options=(Option(value="substance-use", label="Substance-use treatment records (42 CFR Part 2)"),
                           Option(value="hiv", label="HIV-related information"))),
        FormField(key="discloser", label="Who may disclose it", required=True),
        FormField(key="recipient", label="Who may receive it", required=True),
        FormField(key="purpose", label="Purpose (or 'at the request of the individual')", required=True),
        FormField(key="expiry", label="Expiry date or event", required=True),
        FormField(key="representative_authority",
                  label="If signed by a personal representative: their authority to act"),
    ),
)

COUPLE_NO_SECRETS = ConsentDocument(
    key=NO_SECRETS, title="Couple therapy: 'no secrets' policy", modalities=(COUPLE,),
    kind=ConsentKind.psychotherapy,
    scope="How information from individual contact with one partner is handled.",
    source="https://reynaaday.com/service/couplestherapy",
    text=(
        "If one of you tells the therapist something in an "
        "individual session, message or call that bears on the couple's work, the therapist will not keep it "
        "secret from the other partner; the therapist may help you share it yourself in a joint session. The "
        "limits of confidentiality in the informed consent still apply."
    ),
)

# Version 1, kept for the signatures made under it. Version 2 replaces it: v1 called ketamine "the clinical
# exception" (it is a prescription medicine, and the center supplies that no more than any other substance),
# said nothing of federal and state law or of the regulated programs, and promised a screening that did not exist.
PSYCHEDELIC_INTEGRATION_V1 = ConsentDocument(
    key=INTEGRATION_CONSENT, version=1, title="Psychedelic integration and harm reduction", modalities=(INTEGRATION,),
    kind=ConsentKind.substance,
    scope="Preparation and integration support around the client's own experiences.",
    source="https://harmreductionjournal.biomedcentral.com/articles/10.1186/s12954-021-00489-1",
    text=(
        "The practitioner does not supply, sell, arrange or supervise the use of any illegal substance. We "
        "talk about legal status and risks openly and without judgement: the choice is yours, and we weigh risks "
        "and benefits with you. Our work is preparation before and integration after your own experience. "
        "Medical and psychiatric screening happens first, and interactions with your medications must be "
        "discussed with your prescriber. We agree an emergency plan. What you tell us about illegal activity is "
        "confidential within the limits in the informed consent. Ketamine is the clinical exception where its "
        "use is legal."
    ),
)

INTEGRATION_LEGAL_SOURCES = (
    "Harm reduction and integration, its ethics and legal limits: Pilecki, Luoma, Bathje, Rhea & Narloch 2021, "
    "Harm Reduction Journal 18:40, https://harmreductionjournal.biomedcentral.com/articles/10.1186/s12954-021-00489-1 · "
    "federal law: Controlled Substances Act, 21 U.S.C. §812 (psilocybin, LSD, MDMA, DMT, mescaline in Schedule I) · "
    "Oregon: Psilocybin Services Act (Ballot Measure 109, 2020), ORS chapter 475A, licensed by the Oregon Health "
    "Authority, https://www.oregon.gov/oha/ph/preventionwellness/pages/oregon-psilocybin-services.aspx · "
    "Colorado: Natural Medicine Health Act (Proposition 122, 2022; SB23-290), C.R.S. title 12 article 170 "
    "(facilitators licensed by the Department of Regulatory Agencies, healing centers by the Department of "
    "Revenue; adults' personal possession decriminalised under state law by the same Act), https://dpo.colorado.gov/NaturalMedicine. "
    "Jurisdiction data for a local expert to review, not legal advice"
)

PSYCHEDELIC_INTEGRATION = ConsentDocument(
    key=INTEGRATION_CONSENT, version=2, title="Psychedelic integration and harm reduction", modalities=(INTEGRATION,),
    kind=ConsentKind.substance,
    # What the client agrees to changed (the legal position, the screening): a v1 signature no longer counts.
    min_signed_version=2,
    scope="Preparation and integration support around the client's own experiences; no substances.",
    source=INTEGRATION_LEGAL_SOURCES,
    text=(
        "What we offer. Psychedelic integration is talking support: preparing before an experience you have "
        "decided on yourself, and making sense of it afterwards. It is not treatment with a psychedelic.\n\n"
        "What we do not do. We do not provide, sell or give you any psychedelic or other controlled substance, and "
        "we do not help you obtain one: we do not refer you to sources, sellers, ceremonies or retreats. We are "
        "not present while you take a substance and do not supervise or guide its use.\n\n"
        "The law. Psilocybin, LSD, MDMA, DMT and mescaline are Schedule I controlled substances under US federal "
        "law, and possessing them remains illegal under federal law and in most states. Oregon and Colorado run "
        "regulated programs in which state-licensed facilitators give psilocybin at licensed centers, under "
        "those states' own licences; Colorado also lets adults aged 21 and over possess certain natural "
        "medicines for personal use under state law. This center is not a licensed service of either program, "
        "and neither program changes federal law. A city's decision to give enforcement a low priority does not "
        "make possession legal. Ketamine is a prescription medicine, given only under a prescriber's care; we "
        "do not provide it either.\n\n"
        "Harm reduction. We talk openly and without judgement about what you plan or have done, including its "
        "risks, because that keeps people safer. Such a conversation is not advice to take a substance and not "
        "an endorsement of it: the decision and its legal consequences are yours.\n\n"
        "Screening. Before we begin you complete a health screening (mental-health history, including in your "
        "close family; medicines; heart conditions; pregnancy). Some answers make a psychedelic experience "
        "riskier; your therapist will talk them through with you. Questions about your medicines belong with "
        "your prescriber: never stop or change a medicine without them. We agree a plan for emergencies.\n\n"
        "Confidentiality. What you tell us, including about illegal drug use, is confidential like everything "
        "else in therapy, and we record only what your care needs. The limits are those in the informed consent: "
        "a serious threat to someone who can be identified, suspected abuse or neglect of a child or dependent "
        "adult, a court order, and imminent danger to yourself. Telling us about your own drug use is not in "
        "itself one of them.\n\n"
        "You can stop at any time."
    ),
)

CONSENTS = [INFORMED_CONSENT, TELEHEALTH, RECORDING, RELEASE_OF_INFORMATION, COUPLE_NO_SECRETS,
            PSYCHEDELIC_INTEGRATION_V1, PSYCHEDELIC_INTEGRATION]


"""Who may practise psychotherapy and counselling, per jurisdiction: one row per jurisdiction, with its source.

The licensed professions are each state's own (a licence counts in the state that issued it);
registered associates, interns and limited-permit holders count only while they have a
supervisor on record. Coaching has no licence anywhere in the US and so no row: a coach may not
diagnose or treat mental illness (clinical.md §6,
https://www.goodtherapy.org/blog/Psychotherapy-vs-Coaching-Legal-Distinction).

Credential types are the abbreviations staff record on a practitioner (admin, users). Jurisdiction
data for a local expert to review, not legal advice; rows name the statute or board that sets each.
"""

from polymodal.core.api import CredentialRequirement

PSYCHOTHERAPY = (
    CredentialRequirement(
        jurisdiction="US-CA", any_of=("PSY", "LMFT", "LCSW", "LPCC"), supervised=("AMFT", "ACSW", "APCC"),
        source=("Cal. Business and Professions Code §2900 ff. (psychologist), §4980 ff. (LMFT), §4996 ff. (LCSW), "
                "§4999.10 ff. (LPCC); associates registered with the Board of Behavioral Sciences practise under "
                "supervision (§4980.43, §4996.23, §4999.46): https://www.bbs.ca.gov/"),
        note="Associates (AMFT, ACSW, APCC) need a supervisor on record."),
    CredentialRequirement(
        jurisdiction="US-NY", any_of=("PSY", "LCSW", "LMHC", "LMFT", "LP"),
        supervised=("LMSW", "LMHC-LP", "LMFT-LP"),
        source=("N.Y. Education Law art. 153 (psychology), art. 154 (social work: an LMSW provides clinical "
                "services only under supervision), art. 163 (LMHC, LMFT, psychoanalyst; limited permits under "
                "supervision): https://www.op.nysed.gov/professions"),
        note="An LMSW, or a counsellor or MFT with a limited permit, practises under supervision."),
    CredentialRequirement(
        jurisdiction="US-TX", any_of=("PSY", "LMFT", "LPC", "LCSW"),
        supervised=("LPC-Associate", "LMFT-Associate", "LMSW"),
        source=("Tex. Occupations Code ch. 501 (psychologists), ch. 502 (LMFT), ch. 503 (LPC; LPC Associate under "
                "a board-approved supervisor), ch. 505 (social work); Behavioral Health Executive Council: "
                "https://bhec.texas.gov/"),
        note="An LPC Associate, LMFT Associate or LMSW works under supervision."),
    CredentialRequirement(
        jurisdiction="US-FL", any_of=("PSY", "LCSW", "LMFT", "LMHC"), supervised=("RCSWI", "RMFTI", "RMHCI"),
        source=("Fla. Stat. ch. 490 (psychology), ch. 491 (clinical social work, marriage and family therapy, "
                "mental health counseling; registered interns under supervision, §491.0045): "
                "https://floridasmentalhealthprofessions.gov/"),
        note="Registered interns (RCSWI, RMFTI, RMHCI) practise under supervision."),
    CredentialRequirement(
        jurisdiction="US", any_of=("PSY", "LCSW", "LMFT", "LPC", "LPCC", "LMHC"),
        supervised=("AMFT", "ACSW", "APCC", "LMSW", "LPC-Associate", "LMFT-Associate"),
        source=("Every US state licenses psychologists, clinical social workers, marriage and family therapists "
                "and professional counsellors under its own title; the state's board is the authority "
                "(clinical.md §6). Default for states without a row of their own: a licence issued by the state."),
        note="Titles vary by state (LPC, LPCC, LMHC, LCPC); check the state's board."),
    # Germany: practising psychotherapy needs either the protected licence (PsychThG) or the Heilpraktiker
    # für Psychotherapie permit (clinical.md §6).
    CredentialRequirement(
        jurisdiction="DE", any_of=("PsychThG_Approbation", "HP_Psychotherapie"),
        source="http://heilpraktiker-index.de/gesetzliche-grundlagen-fuer-heilpraktiker-psychotherapie",
        note="Only holders of the PsychThG licence may use the title 'Psychotherapeut'."),
)
"""Psychotherapy and counselling (individual, couple, family, group, psychedelic integration)."""

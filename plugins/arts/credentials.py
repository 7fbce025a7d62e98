"""Who may practise each creative arts therapy, per jurisdiction: one row per jurisdiction, with its source.

In the US the arts therapies are mostly credentialed nationally by their professional boards
(a national credential is recorded with jurisdiction "US" and counts in every state). New York
licenses creative arts therapy by scope of practice: using the arts to assess or treat mental
disorders there needs the LCAT, whatever the title used (N.Y. Education Law art. 163, §8404;
https://sites.google.com/naz.edu/nazareth-art-therapy/master-of-science-cat-program-handbook/program-faq/new-york-licensure-faq).
Jurisdiction data for a local expert to review, not legal advice (clinical.md §6 names several
states with art-therapy licences of their own: add their rows here when verified).
"""

from polymodal.core.api import CredentialRequirement

NEW_YORK = CredentialRequirement(
    jurisdiction="US-NY", any_of=("LCAT",),
    source=("N.Y. Education Law art. 163 §8404 (creative arts therapy): "
            "https://www.op.nysed.gov/professions/licensed-creative-arts-therapists"),
    note="Using the arts to assess or treat mental disorders is creative arts therapy whatever the title used.",
)

ART = (NEW_YORK, CredentialRequirement(
    jurisdiction="US", any_of=("ATR-BC", "ATR"),
    source="Art Therapy Credentials Board (ATR registration, ATR-BC board certification): https://www.atcb.org/"))
MUSIC = (NEW_YORK, CredentialRequirement(
    jurisdiction="US", any_of=("MT-BC",),
    source="Certification Board for Music Therapists (MT-BC): https://www.cbmt.org/"))
DRAMA = (NEW_YORK, CredentialRequirement(
    jurisdiction="US", any_of=("RDT", "RDT-BCT"),
    source="North American Drama Therapy Association (RDT, RDT-BCT): https://www.nadta.org/"))
DANCE = (NEW_YORK, CredentialRequirement(
    jurisdiction="US", any_of=("R-DMT", "BC-DMT"),
    source="Dance/Movement Therapy Certification Board of the ADTA (R-DMT, BC-DMT): https://adta.org/"))

"""Creative arts therapy modalities.

Sources: clinical.md §2 and §6. New York licenses creative arts therapy by
scope of practice (LCAT, covering art, music, dance and drama therapy):
https://sites.google.com/naz.edu/nazareth-art-therapy/master-of-science-cat-program-handbook/program-faq/new-york-licensure-faq
Jurisdiction data for a local expert to review, not legal advice.
"""

from polymodal.core.api import CredentialRequirement, Family, ModalitySpec, SessionFormat

ART = "arts/art-therapy"
MUSIC = "arts/music-therapy"
DRAMA = "arts/drama-therapy"
DANCE = "arts/dance-movement-therapy"
ALL = (ART, MUSIC, DRAMA, DANCE)

INTAKE = "arts/intake"
WORK_CONSENT = "arts/artwork-and-recordings"

_NY = CredentialRequirement(
    jurisdiction="US-NY", any_of=("LCAT",),
    source=("https://sites.google.com/naz.edu/nazareth-art-therapy/master-of-science-cat-program-handbook/"
            "program-faq/new-york-licensure-faq"),
    note="Using the arts to assess or treat mental disorders is creative arts therapy whatever the title used.",
)
FORMATS = (SessionFormat.individual, SessionFormat.group)


def _modality(key: str, name: str, family: Family, discipline: str, description: str) -> ModalitySpec:
    return ModalitySpec(key=key, name=name, family=family, discipline=discipline, formats=FORMATS,
                        description=description, credentials=(_NY,), consents_required=(WORK_CONSENT,),
                        intake_forms=(INTAKE,))


MODALITIES = [
    _modality(ART, "Art therapy", Family.creative, "art-therapy",
              "Directive or open-studio art-making with reflection on the process and the artwork."),
    _modality(MUSIC, "Music therapy", Family.creative, "music-therapy",
              "Goal-driven music experiences: improvisation, songwriting, instrument play, listening."),
    _modality(DRAMA, "Drama therapy", Family.creative, "drama-therapy",
              "Enactment, role play and story, with de-roling before the session ends."),
    _modality(DANCE, "Dance/movement therapy", Family.movement, "dance-movement-therapy",
              "Movement-based work, often in a Chace circle, with verbal processing afterwards."),
]

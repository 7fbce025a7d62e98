"""Creative arts therapy modalities.

Sources: clinical.md §2 and §6. Who may practise each, per jurisdiction (New York's LCAT,
the national ATR-BC, MT-BC, RDT and R-DMT / BC-DMT), with sources: credentials.py.
"""

from polymodal.core.api import CredentialRequirement, Family, ModalitySpec, SessionFormat
from polymodal.plugins.arts import credentials

ART = "arts/art-therapy"
MUSIC = "arts/music-therapy"
DRAMA = "arts/drama-therapy"
DANCE = "arts/dance-movement-therapy"
ALL = (ART, MUSIC, DRAMA, DANCE)

INTAKE = "arts/intake"
INFORMED = "arts/informed-consent"
WORK_CONSENT = "arts/artwork-and-recordings"

FORMATS = (SessionFormat.individual, SessionFormat.group)


def _modality(key: str, name: str, family: Family, discipline: str, description: str,
              rules: tuple[CredentialRequirement, ...]) -> ModalitySpec:
    return ModalitySpec(key=key, name=name, family=family, discipline=discipline, formats=FORMATS,
                        description=description, credentials=rules, consents_required=(INFORMED, WORK_CONSENT),
                        intake_forms=(INTAKE,))


MODALITIES = [
    _modality(ART, "Art therapy", Family.creative, "art-therapy",
              "Directive or open-studio art-making with reflection on the process and the artwork.", credentials.ART),
    _modality(MUSIC, "Music therapy", Family.creative, "music-therapy",
              "Goal-driven music experiences: improvisation, songwriting, instrument play, listening.", credentials.MUSIC),
    _modality(DRAMA, "Drama therapy", Family.creative, "drama-therapy",
              "Enactment, role play and story, with de-roling before the session ends.", credentials.DRAMA),
    _modality(DANCE, "Dance/movement therapy", Family.movement, "dance-movement-therapy",
              "Movement-based work, often in a Chace circle, with verbal processing afterwards.", credentials.DANCE),
]

"""Breathwork session structures (clinical.md §1.3, §2).

Sources: https://makesomebreathingspace.com/blog/art-of-breathwork-sequencing?format=amp ·
https://breathatelier.com/breathwork-what-to-expect · rounds pattern:
https://www.myzigzagtohealing.com/post/mind-over-matter

Defaults sit inside the sources' ranges. The sources give no minutes for the
closing grounding step, and only a pattern (not minutes) for the rounds, so
those two defaults are marked as not sourced.
"""

from polymodal.core.api import Phase, SessionFormat, SessionStructure
from polymodal.plugins.breathwork.modalities import BREATHWORK, GENTLE

NOT_SOURCED = "Minutes not given by the source; set your own."
FORMATS = (SessionFormat.individual, SessionFormat.group)
SOURCE = "https://makesomebreathingspace.com/blog/art-of-breathwork-sequencing?format=amp"


def _structure(key: str, name: str, breathing: Phase, modality: str = BREATHWORK) -> SessionStructure:
    return SessionStructure(
        key=key, name=name, modalities=(modality,), formats=FORMATS, source=SOURCE,
        phases=(
            Phase(key="check-in", name="Check-in, intention and screening re-check", minutes=15,
                  guidance="Typically 10-15 minutes; group openers can take far longer."),
            Phase(key="instruction", name="Technique instruction", minutes=10, guidance="Typically 5-10 minutes."),
            breathing,
            Phase(key="rest", name="Rest and integration", minutes=15, guidance="Typically 10-15 minutes."),
            Phase(key="sharing", name="Sharing, journaling or art", minutes=15, guidance="Typically 10-20 minutes."),
            Phase(key="grounding", name="Grounding and aftercare", minutes=5,
                  guidance=f"Check the client is oriented and steady on their feet. {NOT_SOURCED}"),
        ),
    )


STRUCTURES = [
    _structure("breathwork/connected", "Conscious connected breathwork",
               Phase(key="breathing", name="Connected breathing", minutes=45, guidance="Typically 30-60 minutes.")),
    _structure("breathwork/rounds", "Rounds-based breathwork",
               Phase(key="breathing", name="Breathing rounds", minutes=20,
                     guidance=("3-4 rounds of 30-40 breaths, retention about 1-3 minutes, recovery breath held "
                               f"about 15 seconds. {NOT_SOURCED}"))),
    _structure("breathwork/gentle", "Gentle breathwork",
               Phase(key="breathing", name="Slow nasal or paced breathing", minutes=20,
                     guidance=("Slow nasal breathing at a pace the client finds easy; no breath holds, no forced or "
                               "mouth breathing (https://forms.gle/dbVgubbUeaWyJ9FN8). " + NOT_SOURCED)),
               GENTLE),
]

"""One session structure per creative arts modality (clinical.md §2).

Sources: art https://hayesarttherapy.blogspot.com/2010/10 · https://constellationscounselling.ca/2018/07/ ·
music https://romanmusictherapy.com/what-happens-in-a-music-therapy-session/ ·
drama http://www.dramatherapycentral.com/tag/embodiment/ ·
dance/movement (Chace circle) https://adta.org/2015/03/15/dancemovementtherapy-session/

Art therapy's minutes sit inside the source's ranges. For music only the total
(30-60 minutes) is given; for drama and dance/movement no minutes at all, so
those defaults are marked as not sourced.
"""

from polymodal.core.api import Phase, SessionFormat, SessionStructure
from polymodal.plugins.arts.modalities import ART, DANCE, DRAMA, MUSIC

NOT_SOURCED = "Minutes not given by the source; set your own."
FORMATS = (SessionFormat.individual, SessionFormat.group)


def _structure(key: str, name: str, modality: str, source: str, *phases: Phase) -> SessionStructure:
    return SessionStructure(key=key, name=name, modalities=(modality,), formats=FORMATS, source=source,
                            phases=phases)


STRUCTURES = [
    _structure(
        "arts/art-session", "Art therapy session", ART, "https://hayesarttherapy.blogspot.com/2010/10",
        Phase(key="check-in", name="Check-in", minutes=5, guidance="Typically 5-10 minutes."),
        Phase(key="directive", name="Directive or open studio", minutes=5),
        Phase(key="art-making", name="Art-making", minutes=25, guidance="Typically 20-30 minutes."),
        Phase(key="reflection", name="Reflection on the artwork", minutes=10, guidance="Typically 10-15 minutes."),
        Phase(key="closure", name="Closure, clean-up and storing the artwork", minutes=5),
    ),
    _structure(
        "arts/music-session", "Music therapy session", MUSIC,
        "https://romanmusictherapy.com/what-happens-in-a-music-therapy-session/",
        Phase(key="hello", name="Hello or gathering song", minutes=5, guidance=NOT_SOURCED),
        Phase(key="experiences", name="Goal-driven music experiences", minutes=35,
              guidance="Improvisation, songwriting, instruments, movement, listening. Sessions run 30-60 minutes."),
        Phase(key="goodbye", name="Goodbye song", minutes=5),
    ),
    _structure(
        "arts/drama-session", "Drama therapy session", DRAMA, "http://www.dramatherapycentral.com/tag/embodiment/",
        Phase(key="check-in", name="Check-in", minutes=5, guidance=NOT_SOURCED),
        Phase(key="warm-up", name="Warm-up", minutes=10),
        Phase(key="enactment", name="Main dramatic activity or enactment", minutes=25),
        Phase(key="de-roling", name="De-roling", minutes=5, guidance="Every client steps out of role before leaving."),
        Phase(key="discussion", name="Discussion", minutes=10),
        Phase(key="closing", name="Closing ritual", minutes=5),
    ),
    _structure(
        "arts/chace-circle", "Dance/movement therapy session (Chace circle)", DANCE,
        "https://adta.org/2015/03/15/dancemovementtherapy-session/",
        Phase(key="warm-up", name="Warm-up in a circle", minutes=10, guidance=NOT_SOURCED),
        Phase(key="theme", name="Theme development", minutes=25,
              guidance="Pick up members' movements and build them into a group rhythm."),
        Phase(key="cool-down", name="Cool-down and closure", minutes=10),
        Phase(key="verbal", name="Verbal processing", minutes=10),
    ),
]

"""Bodywork session structures (clinical.md §2).

Sources: massage https://texreg.sos.state.tx.us/public/readtac$ext.TacPage?sl=T&app=9&p_dir=P&p_rloc=185752&p_tloc=&p_ploc=1&pg=2&p_tac=&ti=16&pt=4&ch=117&rl=92 ·
somatic https://olivecrocker.com/what-happens-in-an-se-session · https://www.emilywintersep.com/more-about-se

The somatic source gives only the total (50-60 minutes); the split across its
phases is an editable default. De-armoring shares the bodywork flow because it
has the same consent, draping and re-check steps.
"""

from polymodal.core.api import Phase, SessionStructure
from polymodal.plugins.bodywork.modalities import DEARMORING, MASSAGE, SOMATIC

TEXAS = ("https://texreg.sos.state.tx.us/public/readtac$ext.TacPage?sl=T&app=9&p_dir=P&p_rloc=185752"
         "&p_tloc=&p_ploc=1&pg=2&p_tac=&ti=16&pt=4&ch=117&rl=92")
_AFTER = "Write the SOAP note afterwards."


def _bodywork(key: str, name: str, intake_minutes: int, intake_guidance: str) -> SessionStructure:
    return SessionStructure(
        key=key, name=name, modalities=(MASSAGE, DEARMORING), source=TEXAS,
        phases=(
            Phase(key="intake", name="Health-history update", minutes=intake_minutes, guidance=intake_guidance),
            Phase(key="consent", name="Consent, draping and plan", minutes=5, guidance="Typically 2-5 minutes."),
            Phase(key="hands-on", name="Hands-on work", minutes=60, guidance="30, 60 or 90 minutes."),
            Phase(key="re-check", name="Re-check and home-care advice", minutes=5, guidance=_AFTER),
        ),
    )


STRUCTURES = [
    _bodywork("bodywork/first-visit", "Bodywork first visit", 15,
              "Typically 10-15 minutes. Texas requires a signed initial consultation before the first session."),
    _bodywork("bodywork/repeat-visit", "Bodywork repeat visit", 5, "Typically 3-5 minutes."),
    SessionStructure(
        key="bodywork/somatic-session", name="Somatic session", modalities=(SOMATIC,),
        source="https://olivecrocker.com/what-happens-in-an-se-session",
        phases=(
            Phase(key="arrival", name="Settling and arrival", minutes=5),
            Phase(key="resourcing", name="Resourcing", minutes=10, guidance="Establish a felt sense of safety."),
            Phase(key="tracking", name="Tracking sensation", minutes=10),
            Phase(key="titration", name="Titration", minutes=20,
                  guidance="Pendulate between activation and resource."),
            Phase(key="discharge", name="Discharge and completion", minutes=5),
            Phase(key="reorienting", name="Re-orienting to the room and integration", minutes=5,
                  guidance="The whole session is typically 50-60 minutes; the first is longer."),
        ),
    ),
]

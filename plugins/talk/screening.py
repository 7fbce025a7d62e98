"""Risk screening of the intake: any positive answer flags the practitioner.

Source: clinical.md §3.1 (risk screening routes a positive answer to a
structured assessment and safety plan) and §4.1 (PHQ-9 item 9 is scored by
the instrument's own flag, see assessments.py). The outcome is ``modify``,
not ``clearance`` or ``excluded``: a client at risk must still be seen, and
the session changes to start with the risk assessment. The C-SSRS is the
named follow-up but is not shipped (§4.6).
"""

from polymodal.core.api import Outcome, ScreeningRule
from polymodal.plugins.talk.modalities import ALL, INTAKE

_ACT = "Do a structured risk assessment and safety plan before other work (clinical.md §3.1)."


def _risk(name: str, field: str, what: str) -> ScreeningRule:
    return ScreeningRule(key=f"talk/{name}", form=INTAKE, field=field, equals=True, outcome=Outcome.modify,
                         modalities=ALL, reason=f"Risk: {what}. {_ACT}", source="clinical.md §3.1")


SCREENING_RULES = [
    _risk("risk-suicidal-now", "suicidal_thoughts_now", "client reports current thoughts of suicide"),
    _risk("risk-suicidal-past", "suicidal_thoughts_past", "client reports past thoughts of suicide"),
    _risk("risk-attempt", "suicide_attempt", "client reports a previous suicide attempt"),
    _risk("risk-self-harm", "self_harm", "client reports self-harm"),
    _risk("risk-violence", "violence_risk",
          "client reports thoughts of seriously harming someone else; check the local duty-to-warn/protect "
          "rule (clinical.md §5.1)"),
]

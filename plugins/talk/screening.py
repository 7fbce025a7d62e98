"""Risk screening of the intake: any positive answer flags the practitioner.

Source: clinical.md §3.1 (risk screening routes a positive answer to a
structured assessment and safety plan) and §4.1 (PHQ-9 item 9 is scored by
the instrument's own flag, see assessments.py).

A danger now (thoughts of suicide at present, hurting oneself now or recently,
thoughts of seriously harming someone) is ``risk``: a clinician must
acknowledge it and it is listed first wherever flags are shown (clinical.md
§3.1; imminent self-harm and threats to others are also the limits of
confidentiality in §5.1). History alone (past thoughts, a past attempt) is
``modify``: the client is still seen, and the session begins with a risk
assessment. The follow-up instrument is the NIMH ASQ (asq.py); the C-SSRS is
not shipped (§4.6).
"""

from polymodal.core.api import ClientFact, Outcome, ScreeningRule
from polymodal.plugins.talk.modalities import ALL, INTAKE

_ACT = "Do a structured risk assessment (ASQ) and safety plan before other work (clinical.md §3.1)."


def _rule(name: str, field: str, what: str, outcome: Outcome, fact: ClientFact) -> ScreeningRule:
    # The fact reaches every modality's rules (breathwork, bodywork), not only talk's.
    return ScreeningRule(key=f"talk/{name}", form=INTAKE, field=field, equals=True, outcome=outcome,
                         modalities=ALL, reason=f"Risk: {what}. {_ACT}", source="clinical.md §3.1, §5.1",
                         sets_fact=fact)


SCREENING_RULES = [
    _rule("risk-suicidal-now", "suicidal_thoughts_now", "client reports current thoughts of suicide", Outcome.risk,
          ClientFact.current_suicidal_ideation),
    _rule("risk-suicidal-past", "suicidal_thoughts_past", "client reports past thoughts of suicide",
          Outcome.modify, ClientFact.past_suicidal_ideation),
    _rule("risk-attempt", "suicide_attempt", "client reports a previous suicide attempt", Outcome.modify,
          ClientFact.prior_suicide_attempt),
    _rule("risk-self-harm", "self_harm", "client reports hurting themself on purpose now or recently",
          Outcome.risk, ClientFact.self_harm),
    _rule("risk-violence", "violence_risk",
          "client reports thoughts of seriously harming someone else; check the local duty-to-warn/protect "
          "rule (clinical.md §5.1)", Outcome.risk, ClientFact.harm_to_others),
]

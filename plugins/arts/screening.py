"""Arts intake answers that change whether or how a session runs.

Materials, sharps and mobility are ``modify`` (clinical.md §3.4): the session goes ahead with
different materials, supervised sharps or adapted movement.

The risk questions follow the talk intake's reading (clinical.md §3.1, §5.1): a danger now
(thoughts of suicide at present, hurting oneself now or recently, thoughts of seriously harming
someone) is ``risk``, which a clinician acknowledges with a plan before the session; history alone
(past thoughts, a past attempt) is ``modify``: the client is seen, and the first session starts
with a risk assessment. Each sets the core's client fact, so every modality's rules see it.

Psychosis history is ``modify`` for the arts: NICE recommends considering arts therapies for people
with psychosis or schizophrenia, delivered by an arts therapist experienced in working with them
(NICE CG178, 2014, recommendations 1.3.4.5-1.3.4.6, https://www.nice.org.uk/guidance/cg178). Bipolar
history and substance use set their facts for the modalities whose sources weigh them (breathwork,
psychedelic integration) and are shown here as information only (``eligible``): no arts source we
have makes them change the session.

Movement answers are ``modify`` for dance/movement therapy, where exertion is highest:
- heart or circulation condition: keep to light intensity unless the client's doctor has advised
  otherwise (ACSM pre-participation screening: Riebe et al., Med Sci Sports Exerc 2015;47(11):2473-9);
- pregnancy: no lying flat on the back for long, no jumps or movement with a risk of falling or
  collision (ACOG Committee Opinion 804, 2020, physical activity and exercise during pregnancy);
- recent surgery or injury: avoid loading the site until healed or cleared (clinical.md §3.2 and §3.3,
  recent surgery);
- epilepsy or seizures, every arts modality: agree a seizure plan with the client (what happens,
  whom to call), no flashing lights (Epilepsy Foundation, seizure action plans:
  https://www.epilepsy.com/recognition/seizure-action-plans).
"""

from polymodal.core.api import ClientFact, Outcome, ScreeningRule
from polymodal.plugins.arts.modalities import ALL, DANCE, INTAKE

SOURCE = "https://brainscape.com/flashcards/art-therapy-environment-16689632/packs/22261480"
RISK_SOURCE = "clinical.md §3.1, §5.1"
_ACT = "Do a structured risk assessment (ASQ) and safety plan before other work (clinical.md §3.1)."


def _rule(name: str, field: str, reason: str, modalities: tuple[str, ...] = ALL, *,
          outcome: Outcome = Outcome.modify, source: str = SOURCE, fact: ClientFact | None = None,
          **condition) -> ScreeningRule:
    return ScreeningRule(key=f"arts/{name}", form=INTAKE, field=field, outcome=outcome, modalities=modalities,
                         reason=reason, source=source, sets_fact=fact, **(condition or {"equals": True}))


SCREENING_RULES = [
    _rule("sharps", "sharps_risk", "Modify: sharps or self-harm risk. Blades only under supervision."),
    _rule("material-allergy", "material_allergies",
          "Modify: material allergy or sensitivity. Offer alternatives (water-based, AP/ACMI-labelled materials).",
          any_of=("latex", "wheat-paste", "wool-fibres", "dyes", "adhesives", "solvents", "fragrance")),
    _rule("respiratory", "respiratory",
          "Modify: breathing sensitivity. Avoid clay, glaze or pastel dust and solvent fumes; ventilate.",
          any_of=("dust", "fumes")),
    _rule("mobility", "mobility_balance", "Modify: mobility or balance limits. Adapt movement work.",
          modalities=(DANCE,)),
    # Risk questions (version 2): the same reading as the talk intake's, and the same facts.
    _rule("risk-suicidal-now", "suicidal_thoughts_now", f"Risk: client reports current thoughts of suicide. {_ACT}",
          outcome=Outcome.risk, source=RISK_SOURCE, fact=ClientFact.current_suicidal_ideation),
    _rule("risk-suicidal-past", "suicidal_thoughts_past", f"Risk history: past thoughts of suicide. {_ACT}",
          source=RISK_SOURCE, fact=ClientFact.past_suicidal_ideation),
    _rule("risk-attempt", "suicide_attempt", f"Risk history: a previous suicide attempt. {_ACT}",
          source=RISK_SOURCE, fact=ClientFact.prior_suicide_attempt),
    _rule("risk-self-harm", "self_harm",
          f"Risk: client reports hurting themself on purpose now or recently; blades only under supervision. {_ACT}",
          outcome=Outcome.risk, source=RISK_SOURCE, fact=ClientFact.self_harm),
    _rule("risk-violence", "violence_risk",
          "Risk: client reports thoughts of seriously harming someone else; check the local duty-to-warn/protect "
          f"rule (clinical.md §5.1). {_ACT}", outcome=Outcome.risk, source=RISK_SOURCE,
          fact=ClientFact.harm_to_others),
    _rule("psychosis-history", "psychosis_history",
          "Modify: history of psychosis. Arts therapy is recommended for psychosis; it is given by an arts therapist "
          "experienced with psychosis, with the client's psychiatric care informed.",
          source="NICE CG178 (2014) 1.3.4.5-1.3.4.6: https://www.nice.org.uk/guidance/cg178",
          fact=ClientFact.psychosis_history),
    _rule("bipolar-history", "bipolar_history", "Information: history of bipolar disorder (shared with every "
          "modality's rules).", outcome=Outcome.eligible, source=RISK_SOURCE, fact=ClientFact.bipolar_history),
    _rule("substance-use", "substance_concern", "Information: alcohol or drug use is a current worry (shared with "
          "every modality's rules).", outcome=Outcome.eligible, source=RISK_SOURCE, fact=ClientFact.substance_use),
    # Movement (version 2).
    _rule("heart", "heart_condition",
          "Modify: heart or circulation condition. Keep movement to light intensity unless the client's doctor has "
          "advised otherwise; stop at chest pain, faintness or breathlessness.", modalities=(DANCE,),
          source="ACSM pre-participation screening: Riebe et al., Med Sci Sports Exerc 2015;47(11):2473-9",
          fact=ClientFact.cardiovascular_disease),
    _rule("pregnancy", "pregnant",
          "Modify: pregnancy. No lying flat on the back for long; no jumps, falls or contact; the client sets "
          "the pace.", modalities=(DANCE,),
          source="ACOG Committee Opinion 804 (2020), physical activity and exercise during pregnancy",
          fact=ClientFact.pregnancy),
    _rule("recent-injury", "recent_injury",
          "Modify: recent surgery or injury. Do not load the site until healed or cleared by the treating "
          "clinician.", modalities=(DANCE,), source="clinical.md §3.2, §3.3 (recent surgery)",
          fact=ClientFact.recent_surgery),
    _rule("seizures", "seizures",
          "Modify: epilepsy or seizures. Agree a seizure plan with the client (what happens, whom to call); no "
          "flashing lights.", source="Epilepsy Foundation, seizure action plans: "
          "https://www.epilepsy.com/recognition/seizure-action-plans", fact=ClientFact.seizures),
]

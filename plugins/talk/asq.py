"""The NIMH Ask Suicide-Screening Questions (ASQ): the follow-up when a risk screen is positive.

Source and terms: the ASQ toolkit of the US National Institute of Mental
Health, free to use (https://www.nimh.nih.gov/research/research-conducted-at-nimh/asq-toolkit-materials).
Validated by Horowitz LM et al., Ask Suicide-Screening Questions (ASQ): a
brief instrument for the pediatric emergency department, Arch Pediatr Adolesc
Med 2012;166:1170-1176, and since for adults in medical settings.

Scoring, as the toolkit gives it: a "yes" to any of items 1-4 (or declining
to answer one) is a positive screen, a potential risk that needs a brief
suicide safety assessment by a clinician before the person leaves; only
then is item 5 asked. A "yes" to item 5 is an acute positive screen, an
imminent risk: the person needs an emergency (STAT) mental-health evaluation,
is kept safe and in sight, and cannot leave until evaluated. All "no" on
items 1-4 ends the screen. The ASQ has no total; the score below counts
positive answers only to place the result in one of two bands.
"""

from polymodal.core.api import Assessment, Band, ClientFact, FlagRule, Item, Option, Severity, Subscale
from polymodal.plugins.talk.modalities import ALL

SOURCE = "https://www.nimh.nih.gov/research/research-conducted-at-nimh/asq-toolkit-materials"

YES_NO_DECLINED = (
    Option(value="yes", label="Yes", score=1),
    Option(value="no", label="No", score=0),
    # The toolkit counts a refusal to answer items 1-4 as a positive screen.
    Option(value="declined", label="Declined to answer", score=1),
)
YES_NO = (Option(value="yes", label="Yes", score=1), Option(value="no", label="No", score=0))

ASQ = Assessment(
    key="talk/asq", name="Ask Suicide-Screening Questions", abbreviation="ASQ", modalities=ALL,
    instructions=("Ask the questions directly, in private. Item 5 is asked only after a yes (or no answer) to "
                  "any of items 1-4."),
    options=YES_NO_DECLINED,
    items=(
        Item(key="q1", text="In the past few weeks, have you wished you were dead?"),
        Item(key="q2", text="In the past few weeks, have you felt that you or your family would be better off if "
                            "you were dead?"),
        Item(key="q3", text="In the past week, have you been having thoughts about killing yourself?"),
        Item(key="q4", text="Have you ever tried to kill yourself?"),
        Item(key="q4_detail", text="If yes to item 4: how, and when?", scored=False, free_text=True),
        Item(key="q5", text="Are you having thoughts of killing yourself right now?", options=YES_NO,
             asked_if=("q1", "q2", "q3", "q4")),
    ),
    subscales=(Subscale(key="screen", name="Items 1-4 answered yes or declined", items=("q1", "q2", "q3", "q4")),),
    bands=(
        Band(low=0, high=0, label="Negative screen: no further assessment needed unless the clinician judges "
                                  "otherwise"),
        Band(low=1, high=5, label="Positive screen: a clinician does a brief suicide safety assessment",
             severity=Severity.warning),
    ),
    bands_source=f"NIMH ASQ toolkit, scoring and pathway: {SOURCE}",
    flags=(
        FlagRule(code="asq-positive", subscale_counts={"screen": 1}, at_least=1, severity=Severity.risk,
                 message=("ASQ positive screen (potential risk): a clinician does a brief suicide safety assessment "
                          "before the client leaves, and writes a safety plan with them.")),
        FlagRule(code="asq-acute", item="q5", at_least=1, severity=Severity.risk,
                 sets_fact=ClientFact.current_suicidal_ideation,
                 message=("ASQ acute positive screen (imminent risk): thoughts of suicide right now. Keep the client "
                          "safe and in sight; an emergency (STAT) mental-health evaluation is needed before they "
                          "leave.")),
    ),
    licence=f"Free to use: NIMH ASQ toolkit (US National Institute of Mental Health). {SOURCE}",
    attribution=("Ask Suicide-Screening Questions (ASQ), National Institute of Mental Health. Horowitz LM et al. "
                 "Arch Pediatr Adolesc Med 2012;166:1170-1176."),
)

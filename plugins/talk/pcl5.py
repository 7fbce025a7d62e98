"""PCL-5 (PTSD Checklist for DSM-5), public domain; item text exactly as in clinical.md §4.3.

Scoring sources: https://datadriventherapy.net/pcl5 · https://pmc.ncbi.nlm.nih.gov/articles/PMC10292741
(Forkus et al. 2023, provisional cut-off 31-33). Cut-offs vary by population
(45 in a psychiatric outpatient sample, 34-38 in a German clinical sample), so
the bands describe the score against the 31-33 range rather than diagnose.
"""

from polymodal.core.api import Assessment, Band, FlagRule, Item, Option, Severity, Subscale
from polymodal.plugins.talk.modalities import ALL

PCL5_ITEMS = (
    "Repeated, disturbing, and unwanted memories of the stressful experience?",
    "Repeated, disturbing dreams of the stressful experience?",
    ("Suddenly feeling or acting as if the stressful experience were actually happening again (as if you were "
     "actually back there reliving it)?"),
    "Feeling very upset when something reminded you of the stressful experience?",
    ("Having strong physical reactions when something reminded you of the stressful experience (for example, "
     "heart pounding, trouble breathing, sweating)?"),
    "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    ("Avoiding external reminders of the stressful experience (for example, people, places, conversations, "
     "activities, objects, or situations)?"),
    "Trouble remembering important parts of the stressful experience?",
    ("Having strong negative beliefs about yourself, other people, or the world (for example, having thoughts "
     "such as: I am bad, there is something seriously wrong with me, no one can be trusted, the world is "
     "completely dangerous)?"),
    "Blaming yourself or someone else for the stressful experience or what happened after it?",
    "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    "Loss of interest in activities that you used to enjoy?",
    "Feeling distant or cut off from other people?",
    ("Trouble experiencing positive feelings (for example, being unable to feel happiness or have loving "
     "feelings for people close to you)?"),
    "Irritable behavior, angry outbursts, or acting aggressively?",
    "Taking too many risks or doing things that could cause you harm?",
    "Being \"superalert\" or watchful or on guard?",
    "Feeling jumpy or easily startled?",
    "Having difficulty concentrating?",
    "Trouble falling or staying asleep?",
)


def _items(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"q{n}" for n in range(first, last + 1))


PCL5 = Assessment(
    key="talk/pcl-5", name="PTSD Checklist for DSM-5", abbreviation="PCL-5", modalities=ALL,
    instructions="In the past month, how much were you bothered by:",
    options=(
        Option(value="0", label="Not at all", score=0),
        Option(value="1", label="A little bit", score=1),
        Option(value="2", label="Moderately", score=2),
        Option(value="3", label="Quite a bit", score=3),
        Option(value="4", label="Extremely", score=4),
    ),
    # The answers only mean something against the one event they are about, so the PCL-5 asks
    # for it first (the version with Criterion A names the worst event: https://mhscales.com/pcl5).
    # A few words are enough; nobody is asked for details.
    items=(Item(key="index_event", free_text=True, required=True, scored=False,
                text="Which stressful experience are these answers about? (your worst one, in a few words)",
                help="A few words are enough; you do not need to describe what happened."),
           *(Item(key=f"q{n}", text=t) for n, t in enumerate(PCL5_ITEMS, start=1))),
    subscales=(
        Subscale(key="b", name="Cluster B (intrusion), items 1-5", items=_items(1, 5)),
        Subscale(key="c", name="Cluster C (avoidance), items 6-7", items=_items(6, 7)),
        Subscale(key="d", name="Cluster D (negative cognitions and mood), items 8-14", items=_items(8, 14)),
        Subscale(key="e", name="Cluster E (arousal and reactivity), items 15-20", items=_items(15, 20)),
    ),
    bands=(
        Band(low=0, high=30, label="Below the provisional cut-off range (31-33)"),
        Band(low=31, high=33, label="Within the provisional cut-off range (31-33): assess further",
             severity=Severity.warning),
        Band(low=34, high=80, label="Above the provisional cut-off range (31-33): assess further",
             severity=Severity.warning),
    ),
    flags=(
        # clinical.md §4.3 suggests a risk prompt on item 16; 2 ("Moderately") is the score
        # at which the PCL-5's own scoring counts a symptom as present.
        FlagRule(code="pcl5-item16", item="q16", at_least=2, severity=Severity.warning,
                 message="PCL-5 item 16 (risk-taking or self-harmful behaviour) endorsed: ask about risk."),
        # Provisional DSM-5 pattern: items at 2 or more count as present; at least 1 B, 1 C,
        # 2 D and 2 E. A screening result to confirm by interview, never a diagnosis.
        FlagRule(code="pcl5-provisional-dsm5", at_least=2, subscale_counts={"b": 1, "c": 1, "d": 2, "e": 2},
                 severity=Severity.warning,
                 message="PCL-5 symptom pattern meets provisional DSM-5 PTSD criteria: confirm with a clinical "
                         "interview."),
    ),
    licence="Public domain and not copyrighted (US VA National Center for PTSD). https://mhscales.com/pcl5",
    attribution=("Weathers FW, Litz BT, Keane TM, Palmieri PA, Marx BP, Schnurr PP. The PTSD Checklist for "
                 "DSM-5 (PCL-5). National Center for PTSD, 2013."),
)


"""PHQ-9, GAD-7, WHO-5 and K10: items, scoring, bands, licence and attribution.

Item text is exactly as given in clinical.md §4.1, §4.2, §4.4 and §4.5; all
four are free to reproduce (licence table, clinical.md §4). PCL-5 is in
``pcl5.py``; licensed instruments are metadata only, in ``restricted.py``.

Band severity is display emphasis: ``warning`` marks bands at or above a
published cut-off (PHQ-9 and GAD-7 at 10, clinical.md §4.1-4.2). ``risk`` is
kept for flags that need same-day action (PHQ-9 item 9), so a severe band is
never mistaken for a suicide-risk alert.
"""

from polymodal.core.api import Assessment, Band, FlagRule, Item, Option, Severity
from polymodal.plugins.talk.modalities import ALL

FREQUENCY_2W = (
    Option(value="0", label="Not at all", score=0),
    Option(value="1", label="Several days", score=1),
    Option(value="2", label="More than half the days", score=2),
    Option(value="3", label="Nearly every day", score=3),
)

# The functional item is asked but not scored (Kroenke 2001; clinical.md §4.1).
DIFFICULTY = Item(
    key="difficulty", scored=False,
    text=("If you checked off any problems, how difficult have these problems made it for you to do your work, "
          "take care of things at home, or get along with other people?"),
    options=(Option(value="not", label="Not difficult at all"), Option(value="somewhat", label="Somewhat difficult"),
             Option(value="very", label="Very difficult"), Option(value="extremely", label="Extremely difficult")),
)

PHQ_GAD_STEM = "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
PFIZER_LICENCE = ("Released by Pfizer without copyright restriction and at no charge (2010); no permission "
                  "needed to reproduce. PRIME-MD is a Pfizer trademark. Source: "
                  "http://www.worldpharmanews.com/pfizer/1311-pfizer-to-offer-free-public-access-to-mental-health-assessment-tools")

PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    ("Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or "
     "restless that you have been moving around a lot more than usual"),
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)

PHQ9 = Assessment(
    key="talk/phq-9", name="Patient Health Questionnaire-9", abbreviation="PHQ-9", modalities=ALL,
    instructions=PHQ_GAD_STEM, options=FREQUENCY_2W,
    # Item 9 may never be left out: the risk flag reads it (clinical.md §4.1).
    items=(*(Item(key=f"q{n}", text=t, required=n == 9) for n, t in enumerate(PHQ9_ITEMS, start=1)), DIFFICULTY),
    # Up to two unanswered items are replaced by the mean of the answered ones; with more the
    # questionnaire is not scored (NHS Data Dictionary, PHQ-9:
    # http://www.datadictionary.nhs.uk/data_dictionary/nhs_business_definitions/p/patient_health_questionnaire-9_de.asp ;
    # Kroenke, Spitzer, Williams, Löwe 2010, Gen Hosp Psychiatry 32:345-359).
    max_missing=2,
    bands=(
        Band(low=0, high=4, label="Minimal"),
        Band(low=5, high=9, label="Mild"),
        Band(low=10, high=14, label="Moderate", severity=Severity.warning),
        Band(low=15, high=19, label="Moderately severe", severity=Severity.warning),
        Band(low=20, high=27, label="Severe", severity=Severity.warning),
    ),
    # Any answer above "Not at all" on item 9 opens a same-day risk assessment, whatever the
    # total (clinical.md §4.1). A "Not at all" must not clear risk when other factors exist
    # (Louzon 2016), which is why this is a flag and not a band.
    flags=(FlagRule(code="phq9-item9", item="q9", at_least=1, severity=Severity.risk,
                    message=("PHQ-9 item 9 answered above 'Not at all': do a same-day risk assessment, "
                             "whatever the total.")),),
    licence=PFIZER_LICENCE,
    attribution=("Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity "
                 "measure. J Gen Intern Med 2001;16:606-613. Developed by Drs Spitzer, Williams and Kroenke."),
)

GAD7_ITEMS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)

GAD7 = Assessment(
    key="talk/gad-7", name="Generalized Anxiety Disorder-7", abbreviation="GAD-7", modalities=ALL,
    instructions=PHQ_GAD_STEM, options=FREQUENCY_2W,
    items=(*(Item(key=f"q{n}", text=t) for n, t in enumerate(GAD7_ITEMS, start=1)), DIFFICULTY),
    bands=(
        Band(low=0, high=4, label="Minimal"),
        Band(low=5, high=9, label="Mild"),
        Band(low=10, high=14, label="Moderate", severity=Severity.warning),
        Band(low=15, high=21, label="Severe", severity=Severity.warning),
    ),
    licence=PFIZER_LICENCE,
    attribution=("Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized "
                 "anxiety disorder: the GAD-7. Arch Intern Med 2006;166:1092-1097."),
)

WHO5_ITEMS = (
    "I have felt cheerful and in good spirits.",
    "I have felt calm and relaxed.",
    "I have felt active and vigorous.",
    "I woke up feeling fresh and rested.",
    "My daily life has been filled with things that interest me.",
)

# Reported as a percentage: raw 0-25 times 4. Raw below 13 (48% or less) is poor
# wellbeing and 28% or less suggests depression (Topp et al. 2015; clinical.md §4.4).
# The WHO-5's scoring guidance also asks for a depression screen when any single item is
# answered 0 or 1, whatever the total (Topp et al. 2015, p. 168; https://smaat.eu/library/scales/who-5).
WHO5 = Assessment(
    key="talk/who-5", name="WHO-5 Well-Being Index", abbreviation="WHO-5", modalities=ALL,
    instructions="Rate how you have been feeling over the last two weeks.", multiplier=4,
    options=(
        Option(value="5", label="All of the time", score=5),
        Option(value="4", label="Most of the time", score=4),
        Option(value="3", label="More than half of the time", score=3),
        Option(value="2", label="Less than half of the time", score=2),
        Option(value="1", label="Some of the time", score=1),
        Option(value="0", label="At no time", score=0),
    ),
    items=tuple(Item(key=f"q{n}", text=t) for n, t in enumerate(WHO5_ITEMS, start=1)),
    bands=(
        Band(low=0, high=28, label="Poor wellbeing; suggests depression: screen (e.g. PHQ-9)",
             severity=Severity.warning),
        Band(low=32, high=48, label="Poor wellbeing: screen for depression (e.g. PHQ-9)",
             severity=Severity.warning),
        Band(low=52, high=100, label="Above the poor-wellbeing cut-off"),
    ),
    bands_source="Topp CW et al. 2015, Psychother Psychosom 84:167-176 (raw below 13, or 28% or less).",
    flags=(FlagRule(code="who5-low-item", any_item=True, at_most=1, severity=Severity.warning,
                    message=("WHO-5: an item was answered 'Some of the time' or 'At no time' (0 or 1): screen for "
                             "depression (e.g. PHQ-9), whatever the total.")),),
    licence=("Free of charge and does not require permission (CORC; What Works Wellbeing); cite the source. "
             "Editions now published by WHO may carry a different, possibly non-commercial, licence: verify "
             "before commercial distribution. "
             "https://www.corc.uk.net/outcome-experience-measures/the-world-health-organisation-five-well-being-index-who-5/"),
    attribution=("WHO-5 Well-Being Index, Psychiatric Centre North Zealand; WHO 1998. Topp CW et al. The WHO-5 "
                 "Well-Being Index: a systematic review of the literature. Psychother Psychosom 2015;84:167-176."),
)

K10_ITEMS = (
    "… tired out for no good reason?",
    "… nervous?",
    "… so nervous that nothing could calm you down?",
    "… hopeless?",
    "… restless or fidgety?",
    "… so restless you could not sit still?",
    "… depressed?",
    "… that everything was an effort?",
    "… so sad that nothing could cheer you up?",
    "… worthless?",
)

# Australian bands: Andrews G, Slade T. Interpreting scores on the Kessler Psychological
# Distress Scale (K10). Aust N Z J Public Health 2001;25:494-497. Only 30-50 is confirmed
# by the sources in clinical.md §4.5 (https://www.thenurtureproject.com/k10-kessler-score/ ,
# https://www.behindthebarriers.org.au/k10-test/); the developers advise reading scores against
# the population tested, so a center should review these labels.
K10 = Assessment(
    key="talk/k10", name="Kessler Psychological Distress Scale", abbreviation="K10", modalities=ALL,
    instructions="During the last 30 days, about how often did you feel …",
    options=(
        Option(value="5", label="All of the time", score=5),
        Option(value="4", label="Most of the time", score=4),
        Option(value="3", label="Some of the time", score=3),
        Option(value="2", label="A little of the time", score=2),
        Option(value="1", label="None of the time", score=1),
    ),
    items=tuple(Item(key=f"q{n}", text=t) for n, t in enumerate(K10_ITEMS, start=1)),
    bands=(
        Band(low=10, high=15, label="Low"),
        Band(low=16, high=21, label="Moderate"),
        Band(low=22, high=29, label="High", severity=Severity.warning),
        Band(low=30, high=50, label="Very high", severity=Severity.warning),
    ),
    bands_source=("Bands of Andrews G, Slade T. Interpreting scores on the Kessler Psychological Distress Scale "
                  "(K10). Aust N Z J Public Health 2001;25:494-497 (Australian population; read scores against "
                  "the population tested)."),
    licence=("Available for unrestricted use; include the notice © World Health Organization 2003. "
             "https://www.dhi.health.nsw.gov.au/transcultural-mental-health-centre-tmhc/resources/multilingual-resources-by-title/kessler-10"),
    attribution=("© World Health Organization 2003. Kessler RC et al. Screening for serious mental illness in "
                 "the general population. Arch Gen Psychiatry 2003;60:184-189."),
)

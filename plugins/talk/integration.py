"""Psychedelic integration: the medical and psychiatric screening its consent promises.

The center does not give, supply or supervise any substance (consents.py). The screening exists so
that the clinician knows, before the first session, what makes the client's own use riskier, and can
talk it through with them and, with their agreement, their prescriber (harm reduction: Pilecki,
Luoma, Bathje, Rhea & Narloch 2021, Harm Reduction Journal 18:40,
https://harmreductionjournal.biomedcentral.com/articles/10.1186/s12954-021-00489-1). It does not
refuse integration to anyone: a person at higher risk may need the conversation most. So nothing here
is "excluded"; what the sources treat as a reason to exclude people from taking a psychedelic is
"review" (needs review: a clinician reads the answers and records their decision as an override with
the reason before check-in), and what they treat as a changed or uncertain effect is "modify" (shown
at booking, in pre-flight and in the note). Nothing is silently eligible.

Rules and their sources:
- personal history of psychosis or bipolar disorder, or either in a first-degree relative (parent,
  sibling, child): review. Psychedelic research excludes people with a personal or family history of
  psychotic disorders or other severe psychiatric disorders, because of the risk of prolonged psychosis
  (Johnson, Richards & Griffiths 2008, "Human hallucinogen research: guidelines for safety",
  J Psychopharmacol 22(6):603-620, https://pmc.ncbi.nlm.nih.gov/articles/PMC3056407); trials also
  exclude bipolar disorder for the risk of precipitating mania (Nayak et al. 2021, below).
- lithium: review. In 62 reports of a classic psychedelic taken with lithium, 47% involved seizures
  and 39% medical attention (Nayak, Gukasyan, Barrett, Erowid, Erowid & Griffiths 2021,
  Pharmacopsychiatry 54(5):240-245, doi:10.1055/a-1524-2794).
- MAOIs: review. Combined with serotonergic substances (MDMA, ayahuasca's own MAOI with other
  serotonergic drugs) they carry the risk of serotonin toxicity, including fatal cases with MDMA
  (Sarparast, Thomas, Malcolm & Stauffer 2022, "Drug-drug interactions between psychiatric medications
  and MDMA or psilocybin: a systematic review", Psychopharmacology 239:1945-1976).
- tramadol: review. It lowers the seizure threshold and is serotonergic; its US label warns of
  seizures and serotonin syndrome with other serotonergic drugs (FDA label, tramadol hydrochloride).
- SSRIs/SNRIs, other antidepressants, St John's wort, antipsychotics, stimulants: modify. Their
  effects with classic psychedelics range from blunted to potentiated, serious events being rare
  outside case reports (Halman, Kong, Sarris & Perkins 2024, "Drug-drug interactions involving classic
  psychedelics: a systematic review", J Psychopharmacol 38(1):3-18, doi:10.1177/02698811231211219);
  with MDMA, serotonergic antidepressants raise the risk of serotonin toxicity and stimulants add to its
  cardiovascular load (Sarparast et al. 2022). Stopping a medication to take a psychedelic has risks of
  its own, so the clinician never advises it: the client talks to their prescriber.
- cardiovascular conditions (heart disease, rhythm problems, previous heart attack or stroke, high
  blood pressure): review. Psychedelics raise heart rate and blood pressure; research screens these
  conditions out (Johnson et al. 2008).
- pregnancy or breastfeeding: review. There are no safety data, and trials exclude pregnant and
  breastfeeding participants (e.g. Goodwin et al. 2022, "Single-dose psilocybin for a treatment-resistant
  episode of major depression", N Engl J Med 387:1637-1648); medical questions go to the client's own
  clinicians (Pilecki et al. 2021).

The form is a "screening" (valid ``screening_valid_days``, 365 by default; no source gives a period),
so the modality is "screening needed" until it is on file, and the portal asks for it.
"""

from polymodal.core.api import (
    ClientFact,
    FieldType,
    FormField,
    FormPurpose,
    FormSection,
    FormSpec,
    Option,
    Outcome,
    ScreeningRule,
)
from polymodal.plugins.talk.modalities import INTEGRATION, INTEGRATION_SCREENING

YES_NO = FieldType.yes_no

PREGNANCY = "Goodwin et al. 2022, N Engl J Med 387:1637-1648 (trial exclusions); Pilecki et al. 2021"
JOHNSON_2008 = ("Johnson, Richards & Griffiths 2008, J Psychopharmacol 22(6):603-620: "
                "https://pmc.ncbi.nlm.nih.gov/articles/PMC3056407")
NAYAK_2021 = "Nayak et al. 2021, Pharmacopsychiatry 54(5):240-245, doi:10.1055/a-1524-2794"
SARPARAST_2022 = "Sarparast et al. 2022, Psychopharmacology 239:1945-1976"
HALMAN_2024 = "Halman et al. 2024, J Psychopharmacol 38(1):3-18, doi:10.1177/02698811231211219"
TRAMADOL_LABEL = "FDA prescribing information, tramadol hydrochloride (seizure risk; serotonin syndrome)"

MEDICATIONS = (
    Option(value="lithium", label="Lithium"),
    Option(value="maoi", label="An MAOI (for example phenelzine, tranylcypromine, isocarboxazid, selegiline, "
                               "moclobemide)"),
    Option(value="ssri-snri", label="An SSRI or SNRI antidepressant (for example sertraline, fluoxetine, "
                                    "escitalopram, paroxetine, venlafaxine, duloxetine)"),
    Option(value="other-antidepressant", label="Another antidepressant (for example a tricyclic, bupropion, "
                                               "mirtazapine, trazodone)"),
    Option(value="tramadol", label="Tramadol"),
    Option(value="antipsychotic", label="An antipsychotic (for example quetiapine, olanzapine, risperidone, "
                                        "aripiprazole)"),
    Option(value="stimulant", label="A stimulant (for example for ADHD)"),
    Option(value="st-johns-wort", label="St John's wort"),
    Option(value="none", label="None of these"),
)

SCREENING_FORM = FormSpec(
    key=INTEGRATION_SCREENING, title="Psychedelic integration health screening", purpose=FormPurpose.screening,
    modalities=(INTEGRATION,), source=f"{JOHNSON_2008}; {NAYAK_2021}; {SARPARAST_2022}; {HALMAN_2024}",
    description=("These questions help your therapist understand what could make a psychedelic experience "
                 "riskier for you, so that you can talk about it openly. We do not ask where or how you obtain "
                 "any substance, and you do not need to tell us."),
    sections=(
        FormSection(key="mental_health", title="Mental-health history", fields=(
            FormField(key="psychosis_personal", type=YES_NO, required=True,
                      label="Have you ever had a psychotic episode, or been diagnosed with schizophrenia or another "
                            "psychotic disorder?"),
            FormField(key="bipolar_personal", type=YES_NO, required=True,
                      label="Have you ever been diagnosed with bipolar disorder, or had an episode of mania or "
                            "hypomania?"),
            FormField(key="family_psychosis_bipolar", type=YES_NO, required=True,
                      label="Has a parent, brother or sister, or child of yours been diagnosed with schizophrenia, "
                            "another psychotic disorder or bipolar disorder?"),
            FormField(key="mental_health_details", type=FieldType.long_text,
                      label="Anything you want to add (diagnoses, hospital stays, who treats you)"),
        )),
        FormSection(key="medications", title="Medicines", fields=(
            FormField(key="interacting_medications", type=FieldType.multi_choice, required=True,
                      label="Do you take any of these?", options=MEDICATIONS,
                      help="Some medicines interact with psychedelics. Do not stop or change a medicine without "
                           "your prescriber."),
            FormField(key="other_medications", type=FieldType.long_text,
                      label="All other medicines and supplements you take (name and dose)"),
            FormField(key="prescriber", label="Who prescribes your medicines"),
        )),
        FormSection(key="physical", title="Physical health", fields=(
            FormField(key="heart_condition", type=YES_NO, required=True,
                      label="Do you have heart disease, a heart rhythm problem or high blood pressure, or have you "
                            "had a heart attack or stroke?"),
            FormField(key="pregnant", type=YES_NO, required=True, label="Are you pregnant, or could you be?"),
            FormField(key="breastfeeding", type=YES_NO, label="Are you breastfeeding?"),
            FormField(key="physical_details", type=FieldType.long_text, label="Other health conditions"),
        )),
    ),
)

_NEXT = "The clinician talks it through with the client (and, with their agreement, their prescriber)"


def _rule(name: str, field: str, outcome: Outcome, reason: str, source: str, *, fact: ClientFact | None = None,
          **condition) -> ScreeningRule:
    return ScreeningRule(key=f"talk/integration-{name}", form=INTEGRATION_SCREENING, field=field, outcome=outcome,
                         modalities=(INTEGRATION,), reason=reason, source=source, sets_fact=fact,
                         **(condition or {"equals": True}))


SCREENING_RULES = [
    _rule("psychosis", "psychosis_personal", Outcome.review,
          f"Needs review: personal history of psychosis; psychedelics can trigger prolonged psychosis. {_NEXT}, "
          "and records the decision before the first session.", JOHNSON_2008, fact=ClientFact.psychosis_history),
    _rule("bipolar", "bipolar_personal", Outcome.review,
          f"Needs review: personal history of bipolar disorder or mania; psychedelics can precipitate mania. "
          f"{_NEXT}, and records the decision before the first session.", f"{JOHNSON_2008}; {NAYAK_2021}",
          fact=ClientFact.bipolar_history),
    _rule("family-history", "family_psychosis_bipolar", Outcome.review,
          "Needs review: psychosis or bipolar disorder in a first-degree relative, which research treats like a "
          f"personal history. {_NEXT}, and records the decision before the first session.", JOHNSON_2008),
    _rule("lithium", "interacting_medications", Outcome.review,
          "Needs review: takes lithium; with classic psychedelics, seizures were reported in about half of the "
          f"cases. {_NEXT}; never advise stopping it.", NAYAK_2021, any_of=("lithium",)),
    _rule("maoi", "interacting_medications", Outcome.review,
          f"Needs review: takes an MAOI; risk of serotonin toxicity with MDMA and other serotonergic substances. "
          f"{_NEXT}; never advise stopping it.", SARPARAST_2022, any_of=("maoi",)),
    _rule("tramadol", "interacting_medications", Outcome.review,
          f"Needs review: takes tramadol; it lowers the seizure threshold and is serotonergic. {_NEXT}.",
          TRAMADOL_LABEL, any_of=("tramadol",)),
    _rule("serotonergic", "interacting_medications", Outcome.modify,
          "Modify: takes a serotonergic medicine (antidepressant or St John's wort); effects of a psychedelic may "
          f"be blunted or altered, and MDMA adds a risk of serotonin toxicity. {_NEXT}; never advise stopping it.",
          f"{HALMAN_2024}; {SARPARAST_2022}", any_of=("ssri-snri", "other-antidepressant", "st-johns-wort")),
    _rule("antipsychotic", "interacting_medications", Outcome.modify,
          f"Modify: takes an antipsychotic, which blunts psychedelic effects; ask what it treats. {_NEXT}.",
          HALMAN_2024, any_of=("antipsychotic",)),
    _rule("stimulant", "interacting_medications", Outcome.modify,
          f"Modify: takes a stimulant, which adds to the heart and blood-pressure load of MDMA. {_NEXT}.",
          SARPARAST_2022, any_of=("stimulant",)),
    _rule("cardiovascular", "heart_condition", Outcome.review,
          "Needs review: heart disease, rhythm problem, high blood pressure or past heart attack or stroke; "
          f"psychedelics raise heart rate and blood pressure. {_NEXT} and their doctor.", JOHNSON_2008,
          fact=ClientFact.cardiovascular_disease),
    _rule("pregnancy", "pregnant", Outcome.review,
          f"Needs review: pregnant or may be; there are no safety data for psychedelics in pregnancy. {_NEXT} and "
          "their obstetric care.", PREGNANCY, fact=ClientFact.pregnancy),
    _rule("breastfeeding", "breastfeeding", Outcome.review,
          f"Needs review: breastfeeding; there are no safety data for psychedelics while breastfeeding. {_NEXT}.",
          PREGNANCY),
]

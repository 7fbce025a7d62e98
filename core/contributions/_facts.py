"""Client facts: findings any intake or instrument can establish and every modality's rules can read.

The vocabulary is the core's, so a fact found by the talk intake (current
suicidal ideation) is the same fact breathwork's rules test. The list follows
the contraindications and risk items that recur across the modalities'
screening sources in clinical.md §3.1-§3.3 (talk risk screening, bodywork
health history, breathwork exclusions) and the NIMH ASQ's items
(https://www.nimh.nih.gov/research/research-conducted-at-nimh/asq-toolkit-materials).
"""

from __future__ import annotations

from enum import StrEnum


class ClientFact(StrEnum):
    current_suicidal_ideation = "current_suicidal_ideation"
    past_suicidal_ideation = "past_suicidal_ideation"
    prior_suicide_attempt = "prior_suicide_attempt"
    self_harm = "self_harm"
    harm_to_others = "harm_to_others"
    psychosis_history = "psychosis_history"
    bipolar_history = "bipolar_history"
    pregnancy = "pregnancy"
    cardiovascular_disease = "cardiovascular_disease"
    uncontrolled_hypertension = "uncontrolled_hypertension"
    seizures = "seizures"
    anticoagulants = "anticoagulants"
    recent_surgery = "recent_surgery"
    glaucoma = "glaucoma"
    osteoporosis = "osteoporosis"
    substance_use = "substance_use"


FACT_LABELS: dict[ClientFact, str] = {
    ClientFact.current_suicidal_ideation: "current suicidal ideation",
    ClientFact.past_suicidal_ideation: "past suicidal ideation",
    ClientFact.prior_suicide_attempt: "a prior suicide attempt",
    ClientFact.self_harm: "self-harm",
    ClientFact.harm_to_others: "thoughts of harming others",
    ClientFact.psychosis_history: "a history of psychosis",
    ClientFact.bipolar_history: "a history of bipolar disorder",
    ClientFact.pregnancy: "pregnancy",
    ClientFact.cardiovascular_disease: "cardiovascular disease",
    ClientFact.uncontrolled_hypertension: "uncontrolled high blood pressure",
    ClientFact.seizures: "epilepsy or seizures",
    ClientFact.anticoagulants: "anticoagulant medication",
    ClientFact.recent_surgery: "recent surgery or injury",
    ClientFact.glaucoma: "glaucoma",
    ClientFact.osteoporosis: "osteoporosis",
    ClientFact.substance_use: "active substance use",
}

"""Talk-therapy intake form.

Source: clinical.md §3.1 (talk-therapy intake; SimplePractice's default
questionnaire covers the same list: https://www.comparably.com/companies/simplepractice/faqs).
Demographics, contacts and guardians are kept by the core client record, so the
form does not ask for them again. When a parent or guardian answers for a minor, the
questions that say "you" are put to them about the child by name (``guardian_label``).
"""

from polymodal.core.api import FieldType, FormField, FormSection, FormSpec, Option
from polymodal.plugins.talk.modalities import ALL, INTAKE

YES_NO = FieldType.yes_no

RISK_FIELDS = (
    FormField(key="suicidal_thoughts_now", type=YES_NO, required=True,
              label="Are you having thoughts of ending your life at present?",
              guardian_label="Is {name} having thoughts of ending their life at present, as far as you know?"),
    FormField(key="suicidal_thoughts_past", type=YES_NO, required=True,
              label="Have you had thoughts of ending your life in the past?",
              guardian_label="Has {name} had thoughts of ending their life in the past?"),
    FormField(key="suicide_attempt", type=YES_NO, required=True,
              label="Have you ever tried to end your life?",
              guardian_label="Has {name} ever tried to end their life?"),
    FormField(key="self_harm", type=YES_NO, required=True,
              label="Do you hurt yourself on purpose, or have you done so recently?",
              guardian_label="Does {name} hurt themselves on purpose, or have they done so recently?"),
    FormField(key="violence_risk", type=YES_NO, required=True,
              label="Are you having thoughts of seriously harming someone else?",
              guardian_label="Is {name} having thoughts of seriously harming someone else?"),
    FormField(key="risk_details", type=FieldType.long_text,
              label="If you answered yes to any of these, anything you want us to know first"),
)

INTAKE_FORM = FormSpec(
    key=INTAKE,
    title="Talk therapy intake",
    modalities=ALL,
    source="clinical.md §3.1",
    description="Baseline measures (PHQ-9, GAD-7, WHO-5) are given alongside as separate assessments.",
    sections=(
        FormSection(key="presenting", title="What brings you here", fields=(
            FormField(key="presenting_concerns", label="What brings you to us now?",
                      guardian_label="What brings {name} to us now?", type=FieldType.long_text, required=True),
            FormField(key="onset", label="When did this start?"),
            FormField(key="goals", label="What would you like to be different?", type=FieldType.long_text,
                      guardian_label="What would you and {name} like to be different?"),
        )),
        FormSection(key="history", title="Your history", fields=(
            FormField(key="previous_counselling", label="Have you had counselling or therapy before?", type=YES_NO,
                      guardian_label="Has {name} had counselling or therapy before?"),
            FormField(key="psychiatric_history", type=FieldType.long_text,
                      label="Psychiatric history, including any hospital stays"),
            FormField(key="medical_conditions", label="Medical conditions", type=FieldType.long_text),
            FormField(key="medications", label="Current medications (name, dose, what for)",
                      type=FieldType.long_text, required=True,
                      help="Write 'none' if you take no medication."),
            FormField(key="physician", label="Your physician or GP"),
            FormField(key="family_history", label="Family history", type=FieldType.long_text),
            FormField(key="relationships", label="Relationships", type=FieldType.long_text),
            FormField(key="living_situation", label="Living situation"),
            FormField(key="education_employment", label="Education and employment"),
            FormField(key="substance_use", label="Alcohol, drugs or other substances you use",
                      type=FieldType.long_text),
        )),
        FormSection(
            key="trauma", title="Difficult experiences", optional=True,
            help=("Only if you want to. You can leave this empty and talk about it later, or never; "
                  "skipping it will not change your care."),
            fields=(FormField(key="trauma", type=FieldType.long_text,
                              label="Is there anything that happened to you that still affects you?"),),
        ),
        FormSection(
            key="risk", title="Your safety",
            help="A yes goes to your practitioner straight away so that they can talk with you about it.",
            fields=RISK_FIELDS,
        ),
        FormSection(
            key="spirituality", title="Spiritual or religious preferences", optional=True,
            help="Centers may switch this section off.",
            fields=(
                FormField(key="spirituality_role", type=FieldType.single_choice,
                          label="Would you like your spiritual or religious life to be part of your care?",
                          options=(Option(value="yes", label="Yes"), Option(value="no", label="No"),
                                   Option(value="unsure", label="Not sure"))),
                FormField(key="spirituality_notes", type=FieldType.long_text,
                          label="Anything about your beliefs or practices we should know or respect"),
            ),
        ),
    ),
)

FORMS = [INTAKE_FORM]

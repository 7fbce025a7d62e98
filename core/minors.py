"""Who may sign a consent for a minor: the law's age, per consent kind and jurisdiction.

A minor-consent law lets a minor consent alone to outpatient psychotherapy or
counselling only; it says nothing about touch, breathwork or substance-related
work, so for those (and every other kind) a guardian signs below the age of
majority. The age itself is the center's setting (``Center.minor_consent_age``,
reviewed by its counsel: clinical.md §5.1 "Minors" warns that secondary sources
conflict); ``AGES`` is the reference a new center starts from. Not legal advice.
"""

from __future__ import annotations

from dataclasses import dataclass

from polymodal.core.contributions import ConsentDocument, ConsentKind

ALONE_KINDS = frozenset({ConsentKind.psychotherapy})
"""The only consent kind a minor-consent law reaches."""


@dataclass(frozen=True)
class MinorConsentAge:
    jurisdiction: str
    age: int | None
    """From this age a minor may consent alone to outpatient psychotherapy; None: no general age."""
    source: str
    note: str = ""


AGES = (
    MinorConsentAge(
        "US-CA", 12,
        "Cal. Health & Safety Code §124260 "
        "(https://leginfo.legislature.ca.gov/faces/codes_displaySection.xhtml?lawCode=HSC&sectionNum=124260); "
        "Cal. Family Code §6924 "
        "(https://leginfo.legislature.ca.gov/faces/codes_displaySection.xhtml?lawCode=FAM&sectionNum=6924)",
        "Outpatient treatment or counselling only, for a minor mature enough to take part intelligently; "
        "not inpatient care or psychotropic medication; the guardian is involved unless the professional "
        "finds that inappropriate."),
    MinorConsentAge(
        "US-NY", None, "N.Y. Mental Hygiene Law §33.21 (https://www.nysenate.gov/legislation/laws/MHY/33.21)",
        "No fixed age: a clinician may treat a minor without a parent only in the circumstances it lists."),
    MinorConsentAge(
        "US-TX", None, "Tex. Family Code §32.004 (https://statutes.capitol.texas.gov/Docs/FA/htm/FA.32.htm)",
        "Counselling without a parent only about suicide prevention, chemical dependency or abuse."),
    MinorConsentAge(
        "US-FL", None, "Fla. Stat. §394.4784 (http://www.leg.state.fl.us/statutes/index.cfm?App_mode="
        "Display_Statute&URL=0300-0399/0394/Sections/0394.4784.html)",
        "From 13, limited outpatient crisis and diagnostic services only; not ongoing therapy."),
)
BY_JURISDICTION = {a.jurisdiction: a for a in AGES}


def reference_age(jurisdiction: str) -> MinorConsentAge | None:
    """The reference row for ``jurisdiction`` (``US-CA``), if any."""
    return BY_JURISDICTION.get(jurisdiction)


def signs_alone_from(minor_consent_age: int | None, document: ConsentDocument | None) -> int | None:
    """The age from which a minor signs ``document`` alone (None: a guardian signs until the age of majority).

    A document that needs no guardian (``guardian_signs_for_minor=False``) is signed by the client at any age.
    """
    if document is not None and not document.guardian_signs_for_minor:
        return 0
    if document is None or document.kind not in ALONE_KINDS:
        return None
    return minor_consent_age

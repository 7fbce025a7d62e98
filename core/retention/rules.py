"""Retention periods per jurisdiction, with the statute or guideline each relies on.

A record is due for destruction on the latest of:

- ``adult_years`` after the last contact (the last session, note, answer, assessment or consent);
- for a client who was a minor when the record began, ``minor_years`` after the day they reached
  ``minor_basis_age`` (the center's age of majority when the rule names none);
- ``consent_years`` after the last day a signed authorization was in effect (HIPAA §164.508(b)(6)
  keeps signed authorizations six years; it sets no period for the clinical record itself, and its
  other six-year rule, §164.530(j), is for policies and required documentation, not records).

These are minimums a center must keep records for, not deadlines to destroy them; where several rules
apply (a psychologist and a counsellor in one record), the table takes the longest we found. Sources are
the statutes and board rules named below; wording was checked against secondary summaries
(/work/shared/domain/clinical.md §7 and the APA's state summary), not against each current official text.
Each rule says where we are unsure. This is not legal advice: a center confirms its rule with counsel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RetentionRule:
    key: str
    name: str
    adult_years: int
    minor_years: int
    minor_basis_age: int | None
    """The age the minor term counts from; None: the center's age of majority."""
    consent_years: int | None
    sources: tuple[str, ...]
    caution: str = ""
    """Where we are unsure of the rule: shown with it."""

    def summary(self, majority: int) -> str:
        basis = self.minor_basis_age or majority
        text = f"{_years(self.adult_years)} after last contact; minors {_years(self.minor_years)} after age {basis}"
        if self.consent_years:
            text += f"; authorizations {_years(self.consent_years)} after they end"
        return text


def _years(n: int) -> str:
    return f"{n} year{'' if n == 1 else 's'}"


HIPAA_AUTHORIZATIONS = 6
"""45 CFR §164.508(b)(6) with §164.530(j)(2): a signed authorization is kept six years from the date it was
last in effect."""

DEFAULT = RetentionRule(
    key="default", name="APA Record Keeping Guidelines (no state rule on file)",
    adult_years=7, minor_years=3, minor_basis_age=None, consent_years=HIPAA_AUTHORIZATIONS,
    sources=("American Psychological Association, Record Keeping Guidelines (2007), guideline 7: the full "
             "record 7 years after the last service; for a minor, 3 years after the age of majority if later",),
    caution="A professional guideline, used where no state rule is on file; a state's law may require longer.")

RULES: dict[str, RetentionRule] = {rule.key: rule for rule in (
    RetentionRule(
        key="US-CA", name="California",
        adult_years=7, minor_years=7, minor_basis_age=18, consent_years=HIPAA_AUTHORIZATIONS,
        sources=("Cal. Bus. & Prof. Code section 2919 (psychologists): 7 years from discharge; a minor's record "
                 "7 years from the day the patient turns 18",
                 "Cal. Bus. & Prof. Code section 4980.49 (LMFT), section 4999.75 (LPCC), section 4993 (LCSW): "
                 "7 years from the end of therapy; a minor's 7 years from 18"),
        caution="The LCSW section number was not checked against the current code; verify it."),
    RetentionRule(
        key="US-NY", name="New York",
        adult_years=6, minor_years=1, minor_basis_age=21, consent_years=HIPAA_AUTHORIZATIONS,
        sources=("8 NYCRR section 29.2(a)(3) (unprofessional conduct, all licensed professions): records kept at "
                 "least 6 years; a minor's at least 6 years and until one year after the patient turns 21",),
        caution="Psychologists often keep 7 years by the APA guideline; 6 is the legal minimum."),
    RetentionRule(
        key="US-TX", name="Texas",
        adult_years=7, minor_years=5, minor_basis_age=18, consent_years=HIPAA_AUTHORIZATIONS,
        sources=("22 TAC section 465.22 (psychologists, Behavioral Health Executive Council): 7 years after "
                 "services end, or 5 years after the client reaches the age of majority, whichever is later",
                 "22 TAC section 681.41 (licensed professional counsellors): 5 years after services end or "
                 "after the client turns 18, whichever is later (shorter; the psychologists' rule governs the table)"),
        caution="The council renumbered its rules after 2020; the section numbers may have moved. Verify."),
    RetentionRule(
        key="US-FL", name="Florida",
        adult_years=7, minor_years=3, minor_basis_age=18, consent_years=HIPAA_AUTHORIZATIONS,
        sources=("Fla. Admin. Code r. 64B19-19.005 (psychologists): 7 years after the last contact",
                 "Fla. Admin. Code r. 64B4-9.001 (clinical social workers, marriage and family therapists, "
                 "mental health counsellors): 7 years after the last contact",
                 "For minors Florida's rules set no separate term that we found; the APA guideline's 3 years "
                 "after majority is used"),
        caution="The minor term is the APA guideline, not Florida law."),
)}


def rule_for(jurisdiction: str) -> RetentionRule:
    """The center's rule: its jurisdiction's (ISO 3166-2, e.g. US-CA), else the default."""
    return RULES.get(jurisdiction.strip().upper(), DEFAULT)


def add_years(day: dt.date, years: int) -> dt.date:
    """``years`` after ``day``; 29 February moves to 1 March, never earlier (a record is kept, not cut short)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


@dataclass(frozen=True)
class DueDate:
    on: dt.date
    because: str
    """Which term decided the date, in words."""


def due_date(rule: RetentionRule, *, majority: int, born: dt.date, first_contact: dt.date,
             last_contact: dt.date, consent_ended: dt.date | None) -> DueDate:
    """The day the record may first be destroyed: the latest of the terms that apply (module docstring)."""
    terms = [DueDate(add_years(last_contact, rule.adult_years),
                     f"{rule.adult_years} years after last contact ({last_contact.isoformat()})")]
    basis = rule.minor_basis_age or majority
    if first_contact < add_years(born, majority):
        terms.append(DueDate(add_years(born, basis + rule.minor_years),
                             f"a minor's record: {_years(rule.minor_years)} after age {basis}"))
    if rule.consent_years and consent_ended is not None:
        terms.append(DueDate(add_years(consent_ended, rule.consent_years),
                             f"a signed authorization: {rule.consent_years} years after it ended "
                             f"({consent_ended.isoformat()})"))
    return max(terms, key=lambda term: term.on)

"""Who may give hands-on soft-tissue work, per jurisdiction: one row per jurisdiction, with its source.

Most US states license massage therapy (45 states, DC and Puerto Rico:
https://abmp.com/updates/legislative-updates/ranking-regulation-licensure-takes-lead-spot).
California has no state licence: certification by the California Massage Therapy Council is
voluntary statewide but required by many cities, and only holders may use the title "Certified
Massage Therapist" (https://www.camtc.org/FAQ.aspx); this plugin requires it there. Somatic therapy
in the Somatic Experiencing style works mostly with sensation rather than manipulating tissue and
has no licence of its own, so it has no row. Jurisdiction data for a local expert to review, not
legal advice (clinical.md §6 notes a few states leave massage unregulated and Vermont only
registers it: verify the current list).
"""

from polymodal.core.api import CredentialRequirement

MASSAGE = (
    CredentialRequirement(
        jurisdiction="US-CA", any_of=("CAMTC-CMT",),
        source="Cal. Business and Professions Code §4600 ff. (CAMTC certification): https://www.camtc.org/FAQ.aspx",
        note="Voluntary statewide; many cities require it, and this center's plugin does."),
    CredentialRequirement(
        jurisdiction="US-NY", any_of=("LMT",),
        source="N.Y. Education Law art. 155 (massage therapy): https://www.op.nysed.gov/professions/massage-therapists"),
    CredentialRequirement(
        jurisdiction="US-TX", any_of=("LMT",),
        source="Tex. Occupations Code ch. 455 (massage therapy): https://www.tdlr.texas.gov/mas/mas.htm"),
    CredentialRequirement(
        jurisdiction="US-FL", any_of=("LMT",),
        source="Fla. Stat. ch. 480 (massage practice): https://floridasmassagetherapy.gov/"),
    CredentialRequirement(
        jurisdiction="US", any_of=("LMT",),
        source="https://abmp.com/updates/legislative-updates/ranking-regulation-licensure-takes-lead-spot",
        note="Default for other states: the state's massage licence (titles vary: LMT, LMP, RMT)."),
)
"""Massage and de-armoring (both manipulate soft tissue)."""

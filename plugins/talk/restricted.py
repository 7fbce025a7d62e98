"""Licensed or restricted instruments: metadata only, no item text (clinical.md §4, §4.6).

They are listed so practitioners see why the instrument is not offered here
and where to license it; with no items they cannot be administered or scored.
"""

from polymodal.core.api import Assessment
from polymodal.plugins.talk.modalities import ALL

_PCOMS = ("Licensed (PCOMS). Individual clinicians may download after registering; agencies and group practices "
          "need a paid group licence; no modifications, translations or electronic versions without a licence. "
          "Integrate through a licensed vendor. "
          "https://paperzz.com/doc/7179229/scripting-for-oral-version-of-the-outcome-rating-scale")

RESTRICTED = [
    Assessment(
        key="talk/ors", name="Outcome Rating Scale", abbreviation="ORS", modalities=ALL,
        instructions="Four visual-analogue lines (individual, interpersonal, social, overall), every session.",
        licence=_PCOMS, attribution="Miller SD, Duncan BL. Outcome Rating Scale.",
    ),
    Assessment(
        key="talk/srs", name="Session Rating Scale", abbreviation="SRS", modalities=ALL,
        instructions="Four lines (relationship, goals and topics, approach or method, overall), every session.",
        licence=_PCOMS, attribution="Miller SD, Duncan BL. Session Rating Scale.",
    ),
    Assessment(
        key="talk/c-ssrs-screener", name="Columbia Suicide Severity Rating Scale, screener",
        abbreviation="C-SSRS", modalities=ALL,
        instructions=("The follow-up when the PHQ-9 item 9 flag fires: ideation severity and suicidal "
                      "behaviour. Not bundled until the terms for embedding it in software are confirmed."),
        licence=("Distributed free by the Columbia Lighthouse Project; terms for software embedding not "
                 "confirmed, so the wording is not bundled. https://columbiapsychiatry.org/news/simple-set-6-questions-screen-suicide"),
        attribution="Posner K et al., The Columbia Lighthouse Project, Columbia University.",
    ),
]

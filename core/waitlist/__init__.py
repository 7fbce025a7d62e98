"""The waitlist (issue 13 item 6): clients waiting for a modality, perhaps a practitioner, some days and hours.

When a slot frees (a cancellation, or any free slot on the calendar) the front desk asks ``candidates`` who
fits it, longest waiting first, and ``book_entry`` books one through the scheduling service itself, so the
eligibility, hours and clash checks are the ones every booking passes. Entries are closed, never deleted:
booked or removed, they leave the list and stay in the client's history.
"""

from polymodal.core.waitlist._entries import (
    WEEKDAYS,
    Candidate,
    Listed,
    add_entry,
    book_entry,
    candidates,
    entries_of_client,
    get_entry,
    history,
    remove_entry,
    waiting,
)

__all__ = ["WEEKDAYS", "Candidate", "Listed", "add_entry", "book_entry", "candidates", "entries_of_client",
           "get_entry", "history", "remove_entry", "waiting"]

"""The words a client is found by, and the words of what someone typed, folded the same way.

Both databases index these words (SQLite FTS5, PostgreSQL's 'simple' text search), so folding happens
here once: accents and case are removed in Python, never by a database extension that may be missing.
"""

from __future__ import annotations

import re
import unicodedata
import uuid

MAX_WORDS = 8
MIN_PHONE_SUFFIX = 4
_WORD = re.compile(r"[0-9a-z]+")
_PHONE_ONLY = re.compile(r"^[0-9 +().\-/]+$")


def fold(text: str) -> str:
    """Lower case without accents: 'Sofía Ålvarez' -> 'sofia alvarez'; 'ß' -> 'ss'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def name_terms(first: str, last: str, preferred: str = "") -> str:
    return " ".join(dict.fromkeys(words(f"{first} {last} {preferred}")))


def contact_terms(email: str, phone: str) -> str:
    """E-mail words and every tail of the phone's digits: '555 0100' finds '+1 (555) 010-0100'."""
    number = digits(phone)
    tails = [number[i:] for i in range(len(number) - MIN_PHONE_SUFFIX + 1)] if number else []
    return " ".join(dict.fromkeys([*words(email), *tails]))


def query_words(query: str) -> list[str]:
    """What was typed, as words each matched as a prefix; a phone number typed with spaces is one word."""
    if _PHONE_ONLY.match(query) and len(digits(query)) >= 3:
        return [digits(query)]
    return list(dict.fromkeys(words(query)))[:MAX_WORDS]


def fts_rowid(client_id: uuid.UUID) -> int:
    """A stable 63-bit number from the random id, the client's row in SQLite's FTS5 table (a clash among a
    million clients is about 1 in 10^7 and would only make one of the two unfindable until re-indexed)."""
    return client_id.int >> 65

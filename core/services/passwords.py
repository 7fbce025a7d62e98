"""What a password must be: long enough, not common, not made of who the user is or where they work.

No composition rules (ASVS 5.0 6.2.5): a long phrase of ordinary words is a
good password, ``P@ssw0rd!`` is not. Common passwords and guessable variants
are judged by zxcvbn (Dropbox's estimator, a maintained PyPI package with its
own frequency lists of common passwords, names and words); the user's
username, display name, e-mail and the center's name are given to it as
context, so ``maya12345678`` or ``Riverside Wellness 2026`` are refused.
"""

from __future__ import annotations

import re

MIN_LENGTH, MAX_LENGTH = 12, 256
STRONG_ENOUGH = 3
"""zxcvbn's score 0 to 4; 3 is "safely unguessable: moderate protection from offline slow-hash scenario"."""


def problem(password: str, context: list[str]) -> str | None:
    """Why ``password`` is refused, in words for the person choosing it, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters; a few ordinary words make a good password."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    words = _context_words(context)
    folded = re.sub(r"[^a-z0-9]", "", password.lower())
    rest = folded
    for word in sorted(words, key=len, reverse=True):
        rest = rest.replace(word, "")
    if len(rest) < 8:  # what is left once the names are taken out is all an attacker must guess
        return "Do not build the password on your name, username or the center's name."
    from zxcvbn import zxcvbn  # its dictionaries take a moment to load: not at start-up

    verdict = zxcvbn(password[:100], user_inputs=sorted(words))  # its cost grows with length; 100 judge enough
    if verdict["score"] < STRONG_ENOUGH:
        warning = verdict["feedback"].get("warning") or "This password would be easy to guess."
        return f"{warning.rstrip('.')}. Choose a longer, less common password, for example a few unrelated words."
    return None


def _context_words(context: list[str]) -> set[str]:
    words = set()
    for value in context:
        value = (value or "").lower()
        words.add(re.sub(r"[^a-z0-9]", "", value))
        words.update(part for part in re.split(r"[^a-z0-9]+", value) if len(part) >= 3)
    words.discard("")
    return words

"""Failed sign-ins slow the next attempt down; nothing ever locks an account.

A hard lockout (five failures, fifteen minutes) let anyone lock any user out
by typing wrong passwords at their username, and a per-address lockout
locked out a whole practice behind one proxy (issue 12). Instead, each
failure makes the next attempt wait, doubling from one second, and the wait
is per key:

* a username from one address (``pair``): guessing one account from one place
  slows fastest, up to 15 minutes between attempts;
* a username from anywhere: a guess spread over many addresses is slowed too,
  but never beyond a minute, so the account's owner is never kept out long;
* an address, across usernames: spraying one password over many accounts.

An attempt made during its wait is refused without checking the password and
is not counted, so hammering does not lengthen the wait. The break-the-glass
password check counts here too (core/services/privacy.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session as DbSession

from polymodal.core.models import LoginFailure

WINDOW = dt.timedelta(hours=1)
"""Failures older than this no longer count."""


@dataclass(frozen=True)
class Rule:
    kind: str
    free: int
    """Failures allowed before any wait."""
    longest: dt.timedelta


RULES = (
    Rule("pair", free=5, longest=dt.timedelta(minutes=15)),
    Rule("username", free=20, longest=dt.timedelta(minutes=1)),
    Rule("address", free=50, longest=dt.timedelta(minutes=1)),
)


def _keys(username: str, address: str) -> dict[str, str]:
    name, address = username.strip().lower()[:120], address[:70]
    return {"pair": f"{name}|{address}", "username": name, "address": address}


def delay_after(failures: int, rule: Rule) -> dt.timedelta:
    if failures < rule.free:
        return dt.timedelta(0)
    return min(rule.longest, dt.timedelta(seconds=2 ** min(failures - rule.free, 20)))


def wait(db: DbSession, now: dt.datetime, username: str, address: str) -> int:
    """Seconds until this username may try again from this address (0: now)."""
    longest = dt.timedelta(0)
    for rule in RULES:
        key = _keys(username, address)[rule.kind]
        count, last = db.execute(select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.kind == rule.kind, LoginFailure.key == key, LoginFailure.at > now - WINDOW)).one()
        if count and last is not None:
            last = last if last.tzinfo else last.replace(tzinfo=dt.UTC)
            longest = max(longest, last + delay_after(count, rule) - now)
    return max(0, int(longest.total_seconds() + 0.999))


def record_failure(db: DbSession, now: dt.datetime, username: str, address: str) -> None:
    db.add_all([LoginFailure(kind=kind, key=key, at=now) for kind, key in _keys(username, address).items()])


def clear(db: DbSession, username: str, address: str) -> None:
    """After a success: this username's failures (from anywhere) no longer slow its owner down."""
    keys = _keys(username, address)
    db.execute(delete(LoginFailure).where(
        ((LoginFailure.kind == "pair") & (LoginFailure.key == keys["pair"]))
        | ((LoginFailure.kind == "username") & (LoginFailure.key == keys["username"]))))

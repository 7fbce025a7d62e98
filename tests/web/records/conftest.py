"""Helpers for the records areas: a valid post for any plugin form, built from its definition."""

from __future__ import annotations

from typing import Any

import pytest

from polymodal.core.contributions import FieldType, FormField

HTMX = {"HX-Request": "true"}


def sample_post(fields: tuple[FormField, ...], prefix: str = "a", **overrides: Any) -> dict[str, Any]:
    """Form data answering every required field the plainest way (``no``, the first option, ...)."""
    data: dict[str, Any] = {}
    for f in fields:
        name = f"{prefix}.{f.key}"
        if f.key in overrides:
            value = overrides[f.key]
            if isinstance(value, dict):  # body map: {region: {item: value}}
                for region, entry in value.items():
                    for item, v in entry.items():
                        data[f"{name}.{region}.{item}"] = v
            else:
                data[name] = value
            continue
        if not f.required:
            continue
        if f.type is FieldType.yes_no:
            data[name] = "no"
        elif f.type in (FieldType.single_choice, FieldType.multi_choice):
            data[name] = f.options[0].value
        elif f.type in (FieldType.scale, FieldType.number):
            data[name] = str(int(f.min or 0))
        elif f.type is FieldType.date:
            data[name] = "2026-01-01"
        elif f.type is FieldType.body_map:
            inner = f.item_fields[0]
            data[f"{name}.{f.regions[0].code}.{inner.key}"] = inner.options[0].value if inner.options else "x"
        elif f.type is FieldType.repeating:
            data.update(sample_post(f.item_fields, f"{name}.0"))
        else:
            data[name] = "Answer"
    return data


@pytest.fixture(name="sample_post")
def sample_post_fixture():
    return sample_post


@pytest.fixture
def htmx() -> dict[str, str]:
    return dict(HTMX)


@pytest.fixture
def seed_results(web_practice, web_clock):
    """Record PHQ-9 results in the past through the service, as rivera: ``seed(cid, [(days_ago, item9, base)])``."""
    import datetime as dt
    import uuid

    from sqlalchemy import select

    from polymodal.core.access import Actor
    from polymodal.core.models import User
    from polymodal.core.services import assessments

    def seed(cid: str, plan: list[tuple[int, str, str]]) -> None:
        now = web_clock.now
        with web_practice.engine.connect() as conn:
            user = conn.execute(select(User).where(User.username == "rivera")).one()
        actor = Actor(user_id=user.id, username="rivera", roles=frozenset(user.roles))
        try:
            for days_ago, item9, base in plan:
                web_clock.now = now - dt.timedelta(days=days_ago)
                answers = {f"q{n}": base for n in range(1, 9)} | {"q9": item9}
                with web_practice.work(actor) as work:
                    assessments.record_assessment(work, uuid.UUID(cid), "talk/phq-9", answers)
        finally:
            web_clock.now = now

    return seed

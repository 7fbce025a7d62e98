"""An assessment is tied to one of the client's recent sessions and dated within the last week (issue 13 item 8)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from sqlalchemy import select

from polymodal.core.models import AssessmentResult
from tests.clocks import FIXED_NOW
from tests.web.conftest import HTMX
from tests.web.records.test_assessments import PHQ9, _answers


def post(client, token, cid, **given):
    return client.post(f"/clients/{cid}/assessments/new", headers={**HTMX, "X-CSRF-Token": token},
                       data={**_answers(), "instrument_key": PHQ9, **given})


def stored(web_practice, cid):
    with web_practice.engine.connect() as conn:
        return conn.execute(select(AssessmentResult.session_id, AssessmentResult.administered_at)
                            .where(AssessmentResult.client_id == uuid.UUID(cid))
                            .order_by(AssessmentResult.administered_at.desc())).first()


def test_the_form_offers_the_clients_recent_sessions_and_ties_the_result_to_one(
        client, signed_in, client_id, book, web_clock, web_practice):
    (session,) = book("Jordan: anxiety", FIXED_NOW + dt.timedelta(days=1, hours=6), minutes=50)
    (toms,) = book("Tom: low back", FIXED_NOW + dt.timedelta(days=1, hours=7), minutes=50)
    web_clock.advance(days=3)  # the session was two days ago
    token = signed_in("rivera")
    jordan = client_id("Ellis", "Jordan")
    form = client.get(f"/clients/{jordan}/assessments/new", params={"instrument": PHQ9}).text
    assert f'<option value="{session}">Thu 22 Oct 14:00, Individual psychotherapy and counselling</option>' in form
    assert str(toms) not in form
    today = (FIXED_NOW + dt.timedelta(days=3)).date()
    assert f'max="{today.isoformat()}"' in form and f'min="{(today - dt.timedelta(days=6)).isoformat()}"' in form
    other = post(client, token, jordan, session_id=str(toms))
    assert other.status_code == 422 and 'id="f-session_id-error"' in other.text
    assert re.search(r'value="2" checked|value="1" checked', other.text)  # the answers stay
    wrong_day = post(client, token, jordan, session_id=str(session), administered_on=today.isoformat())
    assert wrong_day.status_code == 422 and "The session was on 22 Oct 2026" in wrong_day.text
    ok = post(client, token, jordan, session_id=str(session))
    assert ok.status_code == 200 and ok.headers["hx-redirect"].startswith(f"/clients/{jordan}/assessments/")
    row = stored(web_practice, jordan)
    assert row.session_id == session
    assert row.administered_at.replace(tzinfo=dt.UTC) == FIXED_NOW + dt.timedelta(days=1, hours=6)


def test_the_date_is_not_in_the_future_nor_older_than_a_week_and_is_named_when_wrong(
        client, signed_in, client_id, web_practice):
    token = signed_in("rivera")
    jordan = client_id("Ellis", "Jordan")
    today = FIXED_NOW.date()  # 08:00 in Los Angeles: the same day there
    for day, message in ((today + dt.timedelta(days=1), "The date cannot be in the future."),
                         (today - dt.timedelta(days=7), "Choose a date within the last 7 days")):
        refused = post(client, token, jordan, administered_on=day.isoformat())
        assert refused.status_code == 422 and 'id="f-administered_on-error"' in refused.text
        assert message in refused.text and f'value="{day.isoformat()}"' in refused.text
    garbled = post(client, token, jordan, administered_on="<b>last tuesday</b>", session_id="x")
    assert garbled.status_code == 422 and "&lt;b&gt;last tuesday&lt;/b&gt;" in garbled.text
    assert 'id="f-administered_on-error"' in garbled.text and 'id="f-session_id-error"' in garbled.text
    three_days_ago = today - dt.timedelta(days=3)
    ok = post(client, token, jordan, administered_on=three_days_ago.isoformat())
    assert ok.status_code == 200
    row = stored(web_practice, jordan)
    # Midday in Los Angeles (PDT, UTC-7) that day, no session.
    assert row.session_id is None
    assert row.administered_at.replace(tzinfo=dt.UTC) == dt.datetime.combine(three_days_ago, dt.time(19), dt.UTC)

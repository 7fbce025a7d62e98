"""The admin edits a practitioner's disciplines, modalities and credentials, and renames, moves or retires rooms."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.eligibility import qualified
from polymodal.core.models import AuditEvent, Credential, Room, User
from tests.clocks import FIXED_NOW


def actions(web_practice, prefix: str) -> list[tuple[str, str, str]]:
    with web_practice.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.reason)
                                               .where(AuditEvent.action.like(f"{prefix}%"))
                                               .order_by(AuditEvent.seq))]


def credential_of(web_practice, username: str) -> Credential:
    with web_practice.work(Actor.system("test"), write=False) as work:
        user = work.db.scalars(select(User).where(User.username == username)).one()
        return work.db.scalars(select(Credential).where(Credential.user_id == user.id)).first()


def test_disciplines_and_modalities_are_chosen_from_the_lists_each_modality_with_its_discipline(
        client, signed_in, ids, htmx, web_practice):
    token = signed_in("admin")
    maya = ids.user("maya")
    url = f"/admin/users/{maya}"
    page = client.get(url)
    assert "Disciplines and modalities" in page.text and 'name="modalities" value="bodywork/massage" checked' in page.text
    headers = {**htmx, "X-CSRF-Token": token}
    mismatch = client.post(f"{url}/practice", headers=headers,
                           data={"disciplines": ["massage"], "modalities": ["bodywork/massage", "talk/psychotherapy"]})
    assert mismatch.status_code == 422 and 'id="f-modalities-error"' in mismatch.text
    assert "Individual psychotherapy and counselling needs psychotherapy" in mismatch.text
    # What was ticked stays ticked.
    assert 'name="modalities" value="talk/psychotherapy" checked' in mismatch.text
    unknown = client.post(f"{url}/practice", headers=headers, data={"disciplines": ["<b>astrology</b>"]})
    assert unknown.status_code == 422 and 'id="f-disciplines-error"' in unknown.text and "<b>astrology" not in unknown.text
    ok = client.post(f"{url}/practice", headers=headers,
                     data={"disciplines": ["massage", "psychotherapy"],
                           "modalities": ["bodywork/massage", "talk/psychotherapy"]})
    assert ok.status_code == 200 and ok.headers["hx-redirect"] == url
    with web_practice.engine.connect() as conn:
        user = conn.execute(select(User.disciplines, User.modalities).where(User.id == maya)).one()
    assert sorted(user.modalities) == ["bodywork/massage", "talk/psychotherapy"]
    assert [(a, who) for a, who, _ in actions(web_practice, "user.practice")] == [("user.practice", "admin")]


def test_an_admin_does_not_change_their_own_practice_or_credentials(client, signed_in, ids, htmx):
    token = signed_in("admin")
    me = ids.user("admin")
    own = client.post(f"/admin/users/{me}/practice", headers={**htmx, "X-CSRF-Token": token},
                      data={"disciplines": ["psychotherapy"]})
    assert own.status_code == 422 and "ask another admin" in own.text
    cred = client.post(f"/admin/users/{me}/credentials", headers={**htmx, "X-CSRF-Token": token},
                       data={"type": "LMFT", "number": "1", "jurisdiction": "US-CA"})
    assert cred.status_code == 422 and 'id="f-type-error"' in cred.text


def test_a_renewed_licence_is_edited_in_place_and_eligibility_reads_the_new_expiry(
        client, signed_in, ids, htmx, web_practice):
    token = signed_in("admin")
    rivera = ids.user("rivera")
    credential = credential_of(web_practice, "rivera")
    url = f"/admin/users/{rivera}"
    headers = {**htmx, "X-CSRF-Token": token}
    bad = client.post(f"{url}/credentials/edit", headers=headers, data={
        "credential": str(credential.id), "type": credential.type, "number": "", "jurisdiction": "California",
        "expires_on": "2027-02-30"})
    assert bad.status_code == 422 and f'id="c-{credential.id}-expires_on-error"' in bad.text
    assert 'value="California"' in bad.text
    named = client.post(f"{url}/credentials/edit", headers=headers, data={
        "credential": str(credential.id), "type": credential.type, "number": "", "jurisdiction": "California",
        "expires_on": ""})
    assert named.status_code == 422
    assert f'id="c-{credential.id}-number-error"' in named.text and f'id="c-{credential.id}-jurisdiction-error"' in named.text
    assert "e.g. US or US-CA" in named.text
    # Expired yesterday: psychotherapy with Dr. Rivera is no longer bookable.
    yesterday = (FIXED_NOW - dt.timedelta(days=1)).date().isoformat()
    expired = client.post(f"{url}/credentials/edit", headers=headers, data={
        "credential": str(credential.id), "type": credential.type, "number": "NEW-77", "jurisdiction": "us-ca",
        "expires_on": yesterday})
    assert expired.status_code == 200
    with web_practice.work(Actor.system("test"), write=False) as work:
        assert qualified(work, "talk/psychotherapy", [rivera], FIXED_NOW.date()) == set()
    renewed = client.post(f"{url}/credentials/edit", headers=headers, data={
        "credential": str(credential.id), "type": credential.type, "number": "NEW-77", "jurisdiction": "US-CA",
        "expires_on": "2028-06-30"})
    assert renewed.status_code == 200
    with web_practice.work(Actor.system("test"), write=False) as work:
        assert qualified(work, "talk/psychotherapy", [rivera], FIXED_NOW.date()) == {rivera}
    assert "NEW-77" in client.get(url).text
    reasons = [r for _, _, r in actions(web_practice, "credential.update")]
    assert reasons == ["changed: number, expiry", "changed: expiry"]
    removed = client.post(f"{url}/credentials/remove", data={"_csrf": token, "credential": str(credential.id)},
                          follow_redirects=False)
    assert removed.status_code == 303 and "NEW-77" not in client.get(url).text
    assert [a for a, _, _ in actions(web_practice, "credential.remove")] == ["credential.remove"]
    other = client.post(f"/admin/users/{ids.user('maya')}/credentials/remove",
                        data={"_csrf": token, "credential": str(credential.id)})
    assert other.status_code == 404


def test_rooms_are_renamed_moved_and_retired_only_once_no_session_is_booked_ahead(
        client, signed_in, ids, htmx, web_practice, book):
    token = signed_in("admin")
    headers = {**htmx, "X-CSRF-Token": token}
    willow, cedar = ids.room("Willow"), ids.room("Cedar")
    clash = client.post("/admin/rooms/edit", headers=headers, data={"room": str(willow), "name": "Cedar",
                                                                    "location": "Main house", "address": ""})
    assert clash.status_code == 422 and f'id="r-{willow}-name-error"' in clash.text and "already has a room" in clash.text
    empty = client.post("/admin/rooms/edit", headers=headers, data={"room": str(willow), "name": "<i>W</i>",
                                                                    "location": " ", "address": ""})
    assert empty.status_code == 422 and f'id="r-{willow}-location-error"' in empty.text
    assert "&lt;i&gt;W&lt;/i&gt;" in empty.text and "<i>W</i>" not in empty.text
    moved = client.post("/admin/rooms/edit", headers=headers, data={"room": str(willow), "name": "Willow room",
                                                                    "location": "Garden annex", "address": "2 Elm St"})
    assert moved.status_code == 200
    page = client.get("/admin/rooms").text
    assert "Willow room" in page and "Garden annex" in page and "2 Elm St" in page
    # The demo books sessions in every room for the weeks ahead: retiring one is refused with their number.
    with web_practice.work(Actor.system("test"), write=False) as work:
        from polymodal.core.services import center
        ahead = center.sessions_ahead(work, cedar)
    assert ahead > 0
    refused = client.post("/admin/rooms/retire", headers=headers, data={"room": str(cedar)})
    assert refused.status_code == 422
    assert f"{ahead} session{'s are' if ahead != 1 else ' is'} still booked in Cedar" in refused.text
    studio = ids.room("Studio")
    with web_practice.engine.begin() as conn:  # one session happened in the Studio yesterday; the rest move out
        from polymodal.core.models import Session, SessionPractitioner
        held = conn.execute(select(Session.id).where(Session.room_id == studio)).scalars().first()
        yesterday = FIXED_NOW - dt.timedelta(days=1) + dt.timedelta(hours=3)  # 11:00 in Los Angeles
        conn.execute(Session.__table__.update().where(Session.id == held).values(
            starts_at=yesterday, ends_at=yesterday + dt.timedelta(minutes=50), status="completed"))
        conn.execute(SessionPractitioner.__table__.update().where(SessionPractitioner.session_id == held)
                     .values(starts_at=yesterday))
        conn.execute(Session.__table__.update().where(Session.room_id == studio, Session.ends_at > FIXED_NOW)
                     .values(room_id=cedar))
    retired = client.post("/admin/rooms/retire", headers=headers, data={"room": str(studio)})
    assert retired.status_code == 200
    with web_practice.engine.connect() as conn:
        assert conn.execute(select(Room.active).where(Room.id == studio)).scalar_one() is False
    assert [(a, who) for a, who, _ in actions(web_practice, "room.") if who == "admin"] == [
        ("room.update", "admin"), ("room.retire", "admin")]
    # Not offered for booking any more; past sessions still say where they were.
    client.cookies.clear()
    signed_in("frontdesk")
    form = client.get("/schedule/new").text
    assert f'value="{studio}"' not in form and f'value="{cedar}"' in form
    with web_practice.engine.connect() as conn:
        past = conn.execute(select(Session.starts_at).where(Session.room_id == studio)
                            .order_by(Session.starts_at.desc())).scalars().first()
    assert past is not None  # the demo's first weeks are behind FIXED_NOW
    day = past.astimezone(dt.timezone(dt.timedelta(hours=-7))).date().isoformat()
    grid = client.get(f"/schedule?view=day&date={day}&by=room").text
    assert "Studio (retired)" in grid
    client.cookies.clear()
    token = signed_in("admin")
    again = client.post("/admin/rooms/retire", data={"_csrf": token, "room": str(studio), "restore": "yes"},
                        follow_redirects=False)
    assert again.status_code == 303
    client.cookies.clear()
    signed_in("frontdesk")
    assert f'value="{studio}"' in client.get("/schedule/new").text


def test_a_retired_room_cannot_be_booked_through_the_service(web_practice, ids, book):
    import pytest

    from polymodal.core.errors import ValidationFailed
    from polymodal.core.services import center

    studio = ids.room("Studio")
    with web_practice.engine.begin() as conn:
        conn.execute(Room.__table__.update().where(Room.id == studio).values(active=False))
    with pytest.raises(ValidationFailed) as refused:
        book("Jordan: anxiety", FIXED_NOW + dt.timedelta(days=30), room="Studio")
    assert "Studio is retired" in refused.value.errors["room_id"]
    assert re.search("retired", refused.value.errors["room_id"]) and center

"""The whole-center export: a background job with progress, admin-only and audited, and a lossless round trip."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile

from sqlalchemy import select
from sqlalchemy.orm import Session

from polymodal.core import audit, eligibility, migrations, seals
from polymodal.core.access import Actor
from polymodal.core.db import make_engine
from polymodal.core.interop import center_export, jobs
from polymodal.core.models import AuditEvent, Base
from polymodal.core.safety import plans
from polymodal.core.services import assessments
from tests.web.api.helpers import signed_note, user_actor


def _table_rows(engine, table, audit_events: int) -> list[tuple]:
    stmt = select(table)
    if table.name == "audit_events":  # exporting is itself audited, after the archive was written
        stmt = stmt.where(table.c.seq <= audit_events)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    blank = center_export.BLANKED.get(table.name, {})
    return sorted(repr(sorted({**dict(r), **blank}.items())) for r in rows)


def test_an_export_restores_into_an_empty_database_unchanged(web_practice, client_id, tmp_path):
    signed_note(web_practice, client_id("Ellis", "Jordan"), "rivera")
    archive = tmp_path / "center.zip"
    with web_practice.work(Actor.system("test"), write=False) as work:
        manifest = center_export.write_archive(work, archive)
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        definitions = json.loads(z.read("plugins.json"))
    assert {"manifest.json", "plugins.json", "records/audit_events.ndjson", "fhir/Patient.ndjson"} <= names
    assert not any(n.startswith(("records/web_sessions", "records/api_tokens", "records/portal_links"))
                   for n in names)
    assert {"talk", "bodywork"} <= {p["name"] for p in definitions["plugins"]}
    assert any(c["key"] == "talk/phq-9" for c in definitions["contributions"]["assessments"])

    target = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    migrations.upgrade(target)
    counts = center_export.restore(target, archive)
    assert counts == manifest["tables"]
    for table in center_export.exported_tables():
        assert (_table_rows(target, table, counts["audit_events"])
                == _table_rows(web_practice.engine, table, counts["audit_events"])), table.name
    with Session(bind=target) as db:
        # The trail's chain and the notes' seals survive the trip, under the same key.
        assert not audit.verify(db, web_practice.keys).problems
        assert not list(seals.scan(db, web_practice.keys))
    target.dispose()


def test_the_admin_exports_in_the_background_and_downloads_it(client, signed_in, web_practice):
    csrf = signed_in("admin")
    started = client.post("/admin/export", data={"_csrf": csrf}, follow_redirects=False)
    assert started.status_code == 303
    jobs.wait_all()
    page = client.get("/admin/export").text
    assert "done" in page and 'hx-trigger="every 1s"' not in page
    job = re.search(r'name="job" value="([0-9a-f-]+)"', page).group(1)
    response = client.post("/admin/export/download", data={"job": job, "_csrf": csrf})
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    with web_practice.engine.connect() as conn:
        actions = set(conn.execute(select(AuditEvent.action).where(AuditEvent.actor_name == "admin")).scalars())
    assert {"center.export.start", "center.export.done", "center.export.download"} <= actions


def test_progress_is_shown_while_an_export_runs(client, signed_in, web_practice):
    admin = signed_in("admin")
    assert admin
    with web_practice.work(Actor.system("test")) as work:
        job = center_export.start(work)
        job.status, job.done, job.total = "running", 1200, 4800
    fragment = client.get("/admin/export/progress", headers={"HX-Request": "true"}).text
    assert '<progress max="4800" value="1200">' in fragment and 'hx-trigger="every 1s"' in fragment


def test_only_the_admin_may_export_or_download(client, signed_in, web_practice):
    with web_practice.work(Actor.system("test")) as work:
        job_id = center_export.start(work).id
    for user in ("frontdesk", "rivera"):
        client.cookies.clear()
        token = signed_in(user)
        assert client.get("/admin/export").status_code == 403
        refused = client.post("/admin/export/download", data={"job": str(job_id), "_csrf": token})
        assert refused.status_code == 403


def test_the_export_carries_no_password_hash_second_factor_secret_or_recovery_code(web_practice, tmp_path):
    from polymodal.core.models import SignInFactors, User

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with web_practice.work(Actor.system("test")) as work:
        rivera = work.db.scalars(select(User).where(User.username == "rivera")).one()
        password_hash = rivera.password_hash
        work.db.add(SignInFactors(user_id=rivera.id, totp_secret=secret, totp_confirmed_at=work.now,
                                  recovery_codes=["a" * 64]))
    archive = tmp_path / "center.zip"
    with web_practice.work(Actor.system("test"), write=False) as work:
        center_export.write_archive(work, archive)
    with zipfile.ZipFile(archive) as z:
        everything = b"".join(z.read(name) for name in z.namelist())
    assert secret.encode() not in everything and b"a" * 64 not in everything
    assert password_hash.encode() not in everything


def test_safety_plans_and_the_acknowledgements_that_rely_on_them_restore(web_practice, client_id, tmp_path):
    jordan = uuid.UUID(client_id("Ellis", "Jordan"))
    steps = {key: f"Step {key}" for key in plans.STEP_KEYS} | {"reviewed_on": "2026-10-21"}
    with web_practice.work(user_actor(web_practice, "rivera")) as work:
        instrument = work.registry.assessments.get("talk/phq-9")
        answers = {i.key: instrument.options_for(i)[0].value for i in instrument.items}
        assessments.record_assessment(work, jordan, "talk/phq-9", {**answers, "q9": "1"})
        plans.write(work, jordan, steps)
        plan = plans.write(work, jordan, {**steps, "change_note": "Reviewed"}, based_on=1)
        eligibility.acknowledge_risk(work, jordan, "talk/phq-9:phq9-item9", "Assessed; plan made with the client.",
                                     safety_plan_id=plan.id)
    archive = tmp_path / "center.zip"
    with web_practice.work(Actor.system("test"), write=False) as work:
        center_export.write_archive(work, archive)
    target = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    migrations.upgrade(target)
    counts = center_export.restore(target, archive)
    assert counts["safety_plans"] == 2 and counts["risk_acknowledgements"] == 1
    for name in ("safety_plans", "risk_acknowledgements"):
        table = Base.metadata.tables[name]
        assert _table_rows(target, table, 0) == _table_rows(web_practice.engine, table, 0), name
    target.dispose()

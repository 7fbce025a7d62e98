"""The whole-center export: one zip with every record, the plugin definitions they were written with,
the audit trail, and the same records as FHIR R5 bulk NDJSON. And its restore, into an empty database.

The native part (``records/<table>.ndjson``) is a row-for-row copy, because
only that survives a round trip without loss; the FHIR part is the read model
of ``fhir_export``. Secrets never leave: sign-in sessions, portal links and
sessions, API tokens and the login throttle are not exported, and password
hashes are blanked (after a restore everyone sets a new password).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import logging
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select
from sqlalchemy.sql import sqltypes

from polymodal.core.access import Actor
from polymodal.core.errors import NotFound, ValidationFailed
from polymodal.core.interop import fhir_export, jobs
from polymodal.core.interop.models import InteropJob
from polymodal.core.models import Base
from polymodal.core.models._base import UTCDateTime
from polymodal.core.practice import Practice, Work

log = logging.getLogger("polymodal.interop")
FORMAT = "polymodal-center-export/1"
NOT_EXPORTED = frozenset({"web_sessions", "login_failures", "portal_sessions", "portal_links", "api_tokens",
                          "interop_jobs", "pending_sign_ins"})
"""Credentials and throttles (secrets, or of no use to another system), and the export's own bookkeeping."""
BLANKED = {"users": {"password_hash": ""},
           "sign_in_factors": {"totp_secret": "", "totp_confirmed_at": None, "totp_last_step": 0,
                               "recovery_codes": []}}
"""Secrets never leave: a restored center's staff set a password and enrol their second factor again."""
BATCH = 1000


def exported_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_EXPORTED]


def start(work: Work) -> InteropJob:
    """Record a new export job; ``run`` does the work (in a worker thread, see ``start_in_background``)."""
    work.require("center.export")
    job = InteropJob(kind="center_export", status="queued", created_by=work.actor.user_id, created_at=work.now)
    work.db.add(job)
    work.db.flush()
    work.audit("center.export.start", record_type="interop_job", record_id=job.id)
    return job


def start_in_background(practice: Practice, actor: Actor) -> uuid.UUID:
    with practice.work(actor) as work:
        job_id = start(work).id
    jobs.in_background(job_id, run, practice, job_id, actor)
    return job_id


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def _rows(work: Work, table: Table) -> Iterator[list[dict[str, Any]]]:
    """Every row of ``table``, a batch at a time, in primary-key order."""
    key = list(table.primary_key.columns)
    offset = 0
    while True:
        rows = work.db.execute(select(table).order_by(*key).limit(BATCH).offset(offset)).mappings().all()
        if not rows:
            return
        blank = BLANKED.get(table.name, {})
        yield [{k: _jsonable(blank.get(k, v)) for k, v in row.items()} for row in rows]
        offset += len(rows)


def definitions(work: Work) -> dict[str, Any]:
    """Every plugin and every version of every contribution, so a record stays readable without them."""
    registry = work.registry
    kinds = {"modalities": registry.modalities, "forms": registry.forms,
             "session_structures": registry.session_structures, "note_templates": registry.note_templates,
             "consent_documents": registry.consent_documents, "assessments": registry.assessments,
             "screening_rules": registry.screening_rules}
    contributions: dict[str, list[Any]] = {}
    for name, catalog in kinds.items():
        contributions[name] = [
            {"key": item.key, "version": version, "plugin": catalog.owner(item.key),
             "definition": catalog.get(item.key, version).model_dump(mode="json")}
            for item in catalog for version in catalog.versions(item.key)]
    plugins = [{"name": p.name, "version": p.version} for p in work.practice.plugin_info()]
    return {"plugins": plugins, "contributions": contributions}


def _version() -> str:
    try:
        return importlib.metadata.version("polymodal")
    except importlib.metadata.PackageNotFoundError:
        return "0"


def write_archive(work: Work, path: Path, on_progress: Callable[[int, int], None] = lambda done, total: None
                  ) -> dict[str, Any]:
    """Write the archive; returns the manifest. ``on_progress(done, total)`` is called between batches."""
    work.require("center.export")
    tables = exported_tables()
    counts = {t.name: work.db.scalar(select(func.count()).select_from(t)) or 0 for t in tables}
    clients = counts.get("clients", 0)
    total = sum(counts.values()) + clients  # the FHIR pass is about one step per client's records
    done = 0
    fhir_counts: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            with archive.open(f"records/{table.name}.ndjson", "w") as out:
                for batch in _rows(work, table):
                    out.write("".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n"
                                      for r in batch).encode())
                    done += len(batch)
                    on_progress(done, total)
        # Resources of several types come interleaved and a zip takes one file at a time: spool each type.
        with tempfile.TemporaryDirectory(dir=path.parent) as spool:
            files = {kind: open(Path(spool) / kind, "wb") for kind in fhir_export.RESOURCE_TYPES}  # noqa: SIM115
            try:
                for i, resource in enumerate(fhir_export.center_resources(work)):
                    kind = resource["resourceType"]
                    files[kind].write((json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n")
                                      .encode())
                    fhir_counts[kind] = fhir_counts.get(kind, 0) + 1
                    if i % BATCH == 0:
                        on_progress(min(done + i // 10, total), total)
            finally:
                for handle in files.values():
                    handle.close()
            for kind in fhir_export.RESOURCE_TYPES:
                archive.write(Path(spool) / kind, f"fhir/{kind}.ndjson")
        archive.writestr("plugins.json", json.dumps(definitions(work), indent=1, ensure_ascii=False))
        manifest = {"format": FORMAT, "exported_at": work.now.isoformat(), "polymodal": _version(),
                    "center": work.center.name, "tables": counts, "fhir": fhir_counts,
                    "fhir_version": "5.0.0", "not_exported": sorted(NOT_EXPORTED),
                    "blanked": {t: sorted(c) for t, c in BLANKED.items()}}
        archive.writestr("manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False))
    on_progress(total, total)
    return manifest


def exports_dir(practice: Practice) -> Path:
    folder = practice.settings.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run(practice: Practice, job_id: uuid.UUID, actor: Actor) -> None:
    """Do one export job, recording progress on its row; any failure is recorded, never raised."""
    path = exports_dir(practice) / f"center-{job_id}.zip"
    try:
        jobs.set_progress(practice, job_id, status="running")
        last = [0]

        def on_progress(done: int, total: int) -> None:
            if done - last[0] >= BATCH or done == total:
                last[0] = done
                jobs.set_progress(practice, job_id, done=done, total=total)

        with practice.work(actor, write=False) as work:
            manifest = write_archive(work, path, on_progress)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with practice.work(actor) as work:
            job = work.db.get(InteropJob, job_id)
            job.status, job.finished_at, job.file_name = "done", work.now, path.name
            job.size, job.summary = path.stat().st_size, {"sha256": digest, "tables": manifest["tables"],
                                                          "fhir": manifest["fhir"]}
            work.audit("center.export.done", record_type="interop_job", record_id=job_id,
                       reason=f"{job.size} bytes, sha256 {digest[:16]}")
    except Exception as exc:  # a failed export is shown on the page; the half-written file is removed
        log.exception("center export %s failed", job_id)
        path.unlink(missing_ok=True)
        jobs.set_progress(practice, job_id, status="failed", error=f"{type(exc).__name__}: {exc}"[:2000])


def export_jobs(work: Work, limit: int = 20) -> list[Any]:
    work.require("center.export")
    return list(work.db.execute(
        select(InteropJob.id, InteropJob.status, InteropJob.done, InteropJob.total, InteropJob.created_at,
               InteropJob.finished_at, InteropJob.size, InteropJob.error, InteropJob.summary)
        .where(InteropJob.kind == "center_export").order_by(InteropJob.created_at.desc()).limit(limit)).all())


def download(work: Work, job_id: uuid.UUID) -> Path:
    """The finished archive's path; fetching it is audited (it holds every client's record)."""
    work.require("center.export", record_type="interop_job", record_id=job_id)
    job = work.db.get(InteropJob, job_id)
    if job is None or job.kind != "center_export" or job.status != "done":
        raise NotFound("no such export")
    path = exports_dir(work.practice) / job.file_name
    if not path.is_file():
        raise NotFound("the export's file is gone")
    work.audit("center.export.download", record_type="interop_job", record_id=job_id)
    return path


# --- restore ------------------------------------------------------------------------------------------


def _value(column: Any, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, sqltypes.Uuid):
        return uuid.UUID(value)
    if isinstance(kind, sqltypes.DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, sqltypes.Date):
        return dt.date.fromisoformat(value)
    if isinstance(kind, sqltypes.Time):
        return dt.time.fromisoformat(value)
    return value


def _ordered(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a table that refers to itself (a supervisor is a user), referred-to rows first."""
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    if not own:
        return rows
    placed: set[Any] = set()
    ordered: list[dict[str, Any]] = []
    waiting = rows
    while waiting:
        ready = [r for r in waiting if all(r[c] is None or r[c] in placed for c in own)]
        if not ready:
            raise ValidationFailed({"archive": f"{table.name} refers to rows it does not hold"})
        ordered += ready
        placed |= {r["id"] for r in ready}
        waiting = [r for r in waiting if r["id"] not in placed]
    return ordered


def restore(engine: Engine, path: Path) -> dict[str, int]:
    """Load an archive's records into an empty, migrated database (one transaction: all or nothing)."""
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise ValidationFailed({"archive": "This is not a polymodal center export."})
        counts = {}
        with engine.begin() as conn:
            if conn.execute(select(func.count()).select_from(Base.metadata.tables["centers"])).scalar():
                raise ValidationFailed({"archive": "Restore into an empty database: this one has a center."})
            for table in exported_tables():
                name = f"records/{table.name}.ndjson"
                if name not in archive.namelist():
                    continue
                columns = {c.name: c for c in table.columns}
                rows = [{k: _value(columns[k], v) for k, v in json.loads(line).items() if k in columns}
                        for line in archive.read(name).decode().splitlines() if line]
                ordered = _ordered(table, rows)
                for at in range(0, len(ordered), BATCH):
                    conn.execute(insert(table), ordered[at:at + BATCH])
                counts[table.name] = len(rows)
    return counts

"""Clients from another system's CSV export: map columns, preview every row's problems, then import all or none.

Nothing is written until the preview is accepted: the upload is kept in the
data folder, the preview only reads, and the commit registers every client
through ``clients.register_client`` (the registration page's validation and
audit) in one transaction, so a failure leaves no client behind.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from polymodal.core.access import Actor
from polymodal.core.errors import Conflict, NotFound, ValidationFailed
from polymodal.core.interop import appointment_import, jobs
from polymodal.core.interop.models import InteropJob
from polymodal.core.models import Client
from polymodal.core.practice import Practice, Work
from polymodal.core.services import clients, scheduling
from polymodal.core.wording import field_errors

MAX_BYTES = 20_000_000
MAX_ROWS = 50_000
FIELDS: dict[str, str] = {
    "legal_first_name": "Legal first name", "legal_last_name": "Legal last name",
    "preferred_name": "Preferred name", "pronouns": "Pronouns", "date_of_birth": "Date of birth",
    "email": "Email", "phone": "Phone", "address": "Address (street)", "address_line_2": "Address line 2",
    "city": "City", "region": "State / province", "postal_code": "ZIP / postal code",
    "emergency_contact_name": "Emergency contact name", "emergency_contact_phone": "Emergency contact phone",
    "emergency_contact_relationship": "Emergency contact relationship",
}
REQUIRED = ("legal_first_name", "legal_last_name", "date_of_birth")
ADDRESS_PARTS = ("address", "address_line_2", "city", "region", "postal_code")
# Header spellings seen in common exports (docs/import.md), compared lower-cased without punctuation.
ALIASES: dict[str, tuple[str, ...]] = {
    "legal_first_name": ("first name", "legal first name", "firstname", "given name", "client first name"),
    "legal_last_name": ("last name", "legal last name", "lastname", "surname", "family name", "client last name"),
    "preferred_name": ("preferred name", "nickname", "goes by", "preferred first name"),
    "pronouns": ("pronouns", "preferred pronouns"),
    "date_of_birth": ("date of birth", "dob", "birth date", "birthdate", "birthday"),
    "email": ("email", "email address", "e mail", "primary email"),
    "phone": ("phone", "mobile phone", "cell phone", "phone number", "primary phone", "mobile", "home phone"),
    "address": ("address", "street", "street address", "address 1", "address line 1", "address1"),
    "address_line_2": ("address 2", "address line 2", "address2", "apt suite"),
    "city": ("city", "town"),
    "region": ("state", "province", "province state", "state province", "region"),
    "postal_code": ("zip", "zip code", "postal code", "postal zip code", "postcode", "zipcode"),
    "emergency_contact_name": ("emergency contact", "emergency contact name"),
    "emergency_contact_phone": ("emergency contact phone", "emergency phone", "emergency contact phone number"),
    "emergency_contact_relationship": ("emergency contact relationship", "emergency relationship",
                                       "relationship to client"),
}
DATE_FORMATS = {"%Y-%m-%d": "YYYY-MM-DD", "%m/%d/%Y": "MM/DD/YYYY", "%d/%m/%Y": "DD/MM/YYYY",
                "%d.%m.%Y": "DD.MM.YYYY"}
PRESETS = {"simplepractice": ("SimplePractice client export", "%m/%d/%Y"),
           "jane": ("Jane client export", "%Y-%m-%d"),
           "other": ("Another system (columns matched by name)", "%Y-%m-%d")}


def _norm(header: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", header.casefold()).split())


WHAT = {"clients": "Clients", "appointments": "Upcoming appointments (import the clients first)"}


def fields_of(what: str) -> dict[str, str]:
    return appointment_import.FIELDS if what == "appointments" else FIELDS


def auto_mapping(headers: list[str], what: str = "clients") -> dict[str, str]:
    """Our field → the file's column, guessed from the header's wording; unguessed fields map to ''."""
    aliases = appointment_import.ALIASES if what == "appointments" else ALIASES
    by_norm = {_norm(h): h for h in headers}
    mapping = {}
    for field in fields_of(what):
        mapping[field] = next((by_norm[a] for a in aliases[field] if a in by_norm), "")
    return mapping


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str


@dataclass
class Preview:
    total: int
    ready: int
    problems: list[Problem]
    duplicates: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "ready": self.ready, "duplicates": self.duplicates,
                "problems": [{"line": p.line, "field": p.field, "message": p.message} for p in self.problems]}


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed({"file": "Save the file as CSV in UTF-8 (most exports are; Excel: 'CSV UTF-8')."}
                               ) from None


def read_headers(text: str) -> list[str]:
    reader = csv.reader(io.StringIO(text))
    headers = next(reader, [])
    if not [h for h in headers if h.strip()]:
        raise ValidationFailed({"file": "The file has no header row: the first line must name the columns."})
    return [h.strip() for h in headers]


def _rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [h.strip() for h in reader.fieldnames or []]
    start = 2
    for row in reader:
        yield start, {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        start = reader.line_num + 1


def _date(value: str, date_format: str) -> dt.date | str:
    try:
        return dt.datetime.strptime(value, date_format).date()
    except ValueError:
        return value  # left for the model to refuse with the field's own message


def _candidate(row: dict[str, str], mapping: dict[str, str], date_format: str) -> dict[str, Any]:
    values = {field: row.get(column, "") for field, column in mapping.items() if column}
    address = ", ".join(values.pop(part, "") for part in ADDRESS_PARTS if values.get(part))
    for part in ADDRESS_PARTS:
        values.pop(part, None)
    if address:
        values["address"] = address
    if values.get("date_of_birth"):
        values["date_of_birth"] = _date(values["date_of_birth"], date_format)
    return values


def _key(first: str, last: str, born: Any) -> tuple[str, str, str]:
    return (" ".join(first.casefold().split()), " ".join(last.casefold().split()), str(born))


def check_mapping(mapping: dict[str, str], headers: list[str], date_format: str, what: str = "clients") -> None:
    fields = fields_of(what)
    required = appointment_import.REQUIRED if what == "appointments" else REQUIRED
    errors = {f"map_{f}": f"Choose the column that holds the {fields[f].lower()}." for f in required
              if not mapping.get(f)}
    if what == "appointments" and not mapping.get("client_name") and not (
            mapping.get("client_first_name") and mapping.get("client_last_name")):
        errors["map_client_name"] = "Choose the column with the client's full name, or their first and last name."
    errors |= {f"map_{f}": f"The file has no column '{c}'." for f, c in mapping.items() if c and c not in headers}
    if date_format not in DATE_FORMATS:
        errors["date_format"] = "Choose how dates are written in the file."
    if errors:
        raise ValidationFailed(errors)


def preview(work: Work, text: str, mapping: dict[str, str], date_format: str,
            on_progress: Callable[[int, int], None] = lambda done, total: None, what: str = "clients"
            ) -> tuple[Preview, list[Any]]:
    """Every row's problems (line, our field, message) and its duplicates; reads, never writes.

    Returns the preview and the rows ready to register (validated input, with line numbers).
    """
    work.require("client.import")
    check_mapping(mapping, read_headers(text), date_format, what)
    if what == "appointments":
        return _preview_appointments(work, text, mapping, date_format, on_progress)
    existing: dict[tuple[str, str, str], uuid.UUID] = {}
    emails: dict[str, uuid.UUID] = {}
    for row in work.db.execute(select(Client.id, Client.legal_first_name, Client.legal_last_name,
                                      Client.date_of_birth, Client.email).where(work.client_filter("client.read"))):
        existing[_key(row.legal_first_name, row.legal_last_name, row.date_of_birth)] = row.id
        if row.email:
            emails[row.email.casefold()] = row.id
    total = max(text.count("\n"), 1)
    seen: dict[tuple[str, str, str], int] = {}
    problems: list[Problem] = []
    duplicates: list[dict[str, Any]] = []
    ready: list[tuple[int, dict[str, Any]]] = []
    today = work.now.date()
    count = 0
    for count, (line, row) in enumerate(_rows(text), start=1):
        if count > MAX_ROWS:
            raise ValidationFailed({"file": f"Import at most {MAX_ROWS:,} rows at a time; split the file."})
        data = _candidate(row, mapping, date_format)
        try:
            values = clients.ClientInput.model_validate(data, context={"today": today})
        except ValidationError as exc:
            for field, message in field_errors(exc, clients.ClientInput).items():
                if field == "date_of_birth" and "date" in message.casefold() and isinstance(data.get(field), str):
                    message = f"Write the date as {DATE_FORMATS[date_format]} ('{data[field][:40]}' is not)."
                problems.append(Problem(line, field, message))
            continue
        key = _key(values.legal_first_name, values.legal_last_name, values.date_of_birth)
        same = existing.get(key) or (emails.get(values.email.casefold()) if values.email else None)
        if same is not None:
            duplicates.append({"line": line, "client_id": str(same),
                               "reason": "same name and date of birth" if key in existing else "same email"})
        elif key in seen:
            duplicates.append({"line": line, "client_id": "", "reason": f"repeats line {seen[key]} of this file"})
        else:
            seen[key] = line
            ready.append((line, values.model_dump(mode="json")))
        if count % 500 == 0:
            on_progress(count, total)
    on_progress(count, count)
    work.audit("client.import.preview", record_type="interop_job", reason=f"{count} rows, {len(problems)} problems")
    return Preview(count, len(ready), problems, duplicates), ready


def _preview_appointments(work: Work, text: str, mapping: dict[str, str], date_format: str,
                          on_progress: Callable[[int, int], None]) -> tuple[Preview, list[Any]]:
    directory = appointment_import.Directory(work)
    problems: list[Problem] = []
    duplicates: list[dict[str, Any]] = []
    ready: list[tuple[int, dict[str, Any]]] = []
    count = 0
    for count, (line, row) in enumerate(_rows(text), start=1):
        if count > MAX_ROWS:
            raise ValidationFailed({"file": f"Import at most {MAX_ROWS:,} rows at a time; split the file."})
        data = {field: row.get(column, "") for field, column in mapping.items() if column}
        booking, found, duplicate = appointment_import.check_row(directory, data, date_format, DATE_FORMATS)
        problems += [Problem(line, field, message) for field, message in found.items()]
        if duplicate:
            duplicates.append({"line": line, "client_id": "", "reason": "already booked at that time"})
        elif booking is not None:
            ready.append((line, booking))
        if count % 500 == 0:
            on_progress(count, count)
    on_progress(count, count)
    work.audit("client.import.preview", record_type="interop_job", reason=f"appointments: {count} rows")
    return Preview(count, len(ready), problems, duplicates), ready


# --- jobs: upload, preview in the background, commit in the background ------------------------------


def _folder(practice: Practice) -> Path:
    folder = practice.settings.data_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload(work: Work, content: bytes, preset: str, what: str = "clients") -> InteropJob:
    """Keep the uploaded file (nothing is imported yet) and guess the column mapping."""
    work.require("client.import")
    if preset not in PRESETS:
        raise ValidationFailed({"preset": "Choose the system the file comes from."})
    if what not in WHAT:
        raise ValidationFailed({"what": "Say whether the file lists clients or appointments."})
    if not content.strip():
        raise ValidationFailed({"file": "Choose a CSV file to upload."})
    if len(content) > MAX_BYTES:
        raise ValidationFailed({"file": f"The file is larger than {MAX_BYTES // 1_000_000} MB; split it."})
    headers = read_headers(_decode(content))
    job = InteropJob(kind="client_import", status="uploaded", created_by=work.actor.user_id, created_at=work.now)
    work.db.add(job)
    work.db.flush()
    job.file_name = f"clients-{job.id}.csv"
    (_folder(work.practice) / job.file_name).write_bytes(content)
    job.summary = {"preset": preset, "what": what, "headers": headers, "mapping": auto_mapping(headers, what),
                   "date_format": PRESETS[preset][1]}
    work.audit("client.import.upload", record_type="interop_job", record_id=job.id,
               reason=f"{len(content)} bytes, preset {preset}")
    return job


def get_job(work: Work, job_id: uuid.UUID) -> InteropJob:
    """One import job of this user's (another user's is 'not found')."""
    work.require("client.import")
    job = work.db.get(InteropJob, job_id)
    if job is None or job.kind != "client_import" or job.created_by != work.actor.user_id:
        raise NotFound("no such import")
    return job


def set_mapping(work: Work, job_id: uuid.UUID, mapping: dict[str, str], date_format: str) -> InteropJob:
    job = get_job(work, job_id)
    if job.status not in ("uploaded", "previewed", "failed"):
        raise ValidationFailed({"form": "This import is running or finished; upload the file again to change it."})
    what = job.summary.get("what", "clients")
    mapping = {f: mapping.get(f, "") for f in fields_of(what)}
    check_mapping(mapping, job.summary["headers"], date_format, what)
    job.summary = {**job.summary, "mapping": mapping, "date_format": date_format, "preview": None}
    job.status, job.done, job.total, job.error = "previewing", 0, 0, ""
    return job


def _text(practice: Practice, job: InteropJob) -> str:
    return _decode((_folder(practice) / job.file_name).read_bytes())


def run_preview(practice: Practice, job_id: uuid.UUID, actor: Actor) -> None:
    try:
        with practice.work(actor, write=False) as work:
            job = get_job(work, job_id)
            summary, text = dict(job.summary), _text(practice, job)
            found, _ready = preview(work, text, summary["mapping"], summary["date_format"],
                                    lambda done, total: jobs.set_progress(practice, job_id, done=done, total=total),
                                    what=summary.get("what", "clients"))
        jobs.set_progress(practice, job_id, status="previewed", done=found.total, total=found.total,
                          summary={**summary, "preview": found.as_dict()})
    except Exception as exc:
        jobs.set_progress(practice, job_id, status="failed", error=_reason(exc))


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationFailed):
        return " ".join(exc.errors.values())[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


def start_preview(practice: Practice, actor: Actor, job_id: uuid.UUID, mapping: dict[str, str],
                  date_format: str) -> None:
    with practice.work(actor) as work:
        set_mapping(work, job_id, mapping, date_format)
    jobs.in_background(job_id, run_preview, practice, job_id, actor)


def start_commit(practice: Practice, actor: Actor, job_id: uuid.UUID, skip_duplicates: bool) -> None:
    """Import the previewed file, all or nothing; refused while the preview shows a problem."""
    with practice.work(actor) as work:
        job = get_job(work, job_id)
        found = job.summary.get("preview") or {}
        if job.status != "previewed":
            raise ValidationFailed({"form": "Preview the file first; nothing has been imported."})
        if found.get("problems"):
            raise ValidationFailed({"form": "Fix the rows listed below and upload the file again; "
                                            "nothing has been imported."})
        if found.get("duplicates") and not skip_duplicates:
            raise ValidationFailed({"skip_duplicates": "Some rows are clients you already have: tick 'skip "
                                                       "them' to import the others."})
        job.status, job.done, job.total = "committing", 0, found.get("ready", 0)
    jobs.in_background(job_id, run_commit, practice, job_id, actor)


def run_commit(practice: Practice, job_id: uuid.UUID, actor: Actor) -> None:
    try:
        # One transaction for every row: if any row fails now (a client registered meanwhile, the database
        # gone), none is kept. Its progress is kept in memory: on SQLite this transaction holds the only
        # write lock, so it cannot also write the job row.
        with practice.work(actor) as work:
            job = get_job(work, job_id)
            summary = dict(job.summary)
            what = summary.get("what", "clients")
            found, ready = preview(work, _text(practice, job), summary["mapping"], summary["date_format"], what=what)
            if found.problems or len(ready) != (summary.get("preview") or {}).get("ready"):
                raise ValidationFailed({"form": "The file or the clients here changed since the preview; "
                                                "preview it again."})
            for done, (line, values) in enumerate(ready, start=1):
                try:
                    if what == "appointments":
                        scheduling.schedule_session(work, values)
                    else:
                        clients.register_client(work, values)
                except ValidationFailed as exc:
                    raise ValidationFailed({"form": f"line {line}: {' '.join(exc.errors.values())}"}) from None
                except Conflict as exc:  # a clash with a booking made meanwhile: nothing of the file is kept
                    raise ValidationFailed({"form": f"line {line}: {exc}"}) from None
                if done % 100 == 0:
                    jobs.LIVE[job_id] = (done, len(ready))
            work.audit("client.import.commit", record_type="interop_job", record_id=job_id,
                       reason=f"{len(ready)} {what} imported, {len(found.duplicates)} duplicates skipped")
        jobs.set_progress(practice, job_id, status="done", done=len(ready), total=len(ready),
                          summary={**summary, "imported": len(ready)}, finished_at=practice.now())
    except Exception as exc:
        jobs.set_progress(practice, job_id, status="failed", error=_reason(exc))


def import_jobs(work: Work, limit: int = 10) -> list[Any]:
    work.require("client.import")
    return list(work.db.scalars(select(InteropJob).where(InteropJob.kind == "client_import",
                                                         InteropJob.created_by == work.actor.user_id)
                                .order_by(InteropJob.created_at.desc()).limit(limit)))

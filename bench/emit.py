"""Turns the plan of ``synth`` into rows, table by table, through a ``Writer`` (see ``generate.py``)."""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from collections import Counter
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import synth

from polymodal.core import seals
from polymodal.core.keys import Keyring
from polymodal.core.models import make_search_key
from polymodal.core.registry import Registry
from polymodal.core.search.terms import contact_terms, fts_rowid, name_terms
from polymodal.core.services.consent import cover_end

TIMEZONE, JURISDICTION = "America/Los_Angeles", "US-CA"
SPAN_DAYS, FUTURE_DAYS = 3652, 91  # ten years of calendar, the last three months still to come
HOURS = range(8, 19)  # session starts, local wall-clock time
LOCATIONS = (("Main house", ("Willow", "Cedar", "Oak", "Birch", "Studio")),
             ("Garden studio", ("Fern", "Moss", "Group room")), ("Downtown office", ("Suite 1", "Suite 2", "Suite 3")))
UTC = dt.UTC


class Progress:
    """One line on stderr, redrawn at most five times a second."""

    def __init__(self, label: str, total: int, quiet: bool = False) -> None:
        self.label, self.total, self.quiet = label, max(total, 1), quiet
        self.done, self.start, self.drawn = 0, time.perf_counter(), 0.0

    def step(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        if not self.quiet and now - self.drawn > 0.2:
            self.drawn = now
            filled = int(30 * min(self.done, self.total) / self.total)
            sys.stderr.write(f"\r{self.label:<9} [{'#' * filled}{'.' * (30 - filled)}] {self.done:>10,}/"
                             f"{self.total:,} {now - self.start:6.1f}s")
            sys.stderr.flush()

    def close(self) -> None:
        self.drawn = 0.0
        self.step(0)
        if not self.quiet:
            sys.stderr.write("\n")


def field_value(rng: random.Random, field) -> object:
    """A plausible answer for a registry form or note field, by type."""
    kind = str(field.type)
    if kind in ("single_choice", "multi_choice"):
        value = rng.choice(field.options).value
        return [value] if kind == "multi_choice" else value
    if kind in ("scale", "number"):
        return int(field.min if field.min is not None else 0) + rng.randrange(3)
    return {"yes_no": rng.random() < 0.5, "date": "2020-01-01", "body_map": {}, "repeating": []}.get(
        kind, rng.choice(synth.PHRASES))


class CenterRows:
    """The generation of one center; each ``emit_*`` step writes one part of it."""

    def __init__(self, writer, registry: Registry, seed: int, today: dt.date, n: dict, quiet: bool,
                 keys: Keyring) -> None:
        self.w, self.registry, self.n, self.today, self.quiet = writer, registry, n, today, quiet
        self.keys = keys  # notes are sealed with the key the app will check them with
        self.rng = random.Random(seed)
        self.tz = ZoneInfo(TIMEZONE)
        self.now = dt.datetime.combine(today, dt.time(12), self.tz).astimezone(UTC)
        self.first_day = today + dt.timedelta(days=FUTURE_DAYS - SPAN_DAYS)
        self.modalities = list(registry.modalities)
        if not self.modalities:
            raise SystemExit("no modality plugins are installed")

    def at(self, day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz).astimezone(UTC)

    def emit_center(self) -> None:
        rng, w = self.rng, self.w
        center = synth.make_uuid(rng)
        w.add("centers", {"id": center, "name": "Riverside Integrative Health", "timezone": TIMEZONE,
                          "jurisdiction": JURISDICTION, "age_of_majority": 18, "minor_consent_age": 12,
                          "settings": {}, "created_at": self.at(self.first_day)})
        self.rooms: list[list] = []
        for name, rooms in LOCATIONS:
            loc = synth.make_uuid(rng)
            w.add("locations", {"id": loc, "center_id": center, "name": name, "address": synth.address(rng)})
            self.rooms.append([synth.make_uuid(rng) for _ in rooms])
            for room, room_name in zip(self.rooms[-1], rooms, strict=True):
                w.add("rooms", {"id": room, "location_id": loc, "name": room_name})

    def emit_staff(self, practitioners: int, password_hash: str) -> None:
        rng = self.rng
        self.people = synth.plan_practitioners(rng, self.modalities, practitioners, len(LOCATIONS))
        self.desk = [synth.make_uuid(rng) for _ in range(4)]
        joined = self.at(self.first_day)
        base = {"email": "", "password_hash": password_hash, "active": True, "disciplines": [], "modalities": [],
                "supervisor_id": None, "created_at": joined}
        for i, uid in enumerate(self.desk):  # front desk and admins: staff who sign in but see no notes
            role, name = ("admin", f"admin{i or ''}") if i < 1 else ("front_desk", f"desk{i}")
            self.w.add("users", {**base, "id": uid, "username": name, "display_name": name.title(), "roles": [role]})
        for i, p in enumerate(self.people):
            m = p.modality
            rule = m.credential_rule_for(JURISDICTION)
            kinds = rule.any_of if rule else synth.LICENCES.get(m.discipline, ("CERT",))
            p.licences = [synth.ASSOCIATE.get(k, k) if p.supervisor is not None else k
                          for k in dict.fromkeys(rng.sample(kinds, min(len(kinds), rng.choice((1, 1, 2)))))]
            self.w.add("users", {**base, "id": p.id, "username": f"{p.first}.{p.last}{i}".lower(),
                                 "display_name": f"{p.first} {p.last}, {p.licences[0]}",
                                 "roles": ["practitioner", "supervisor"] if p.is_supervisor else ["practitioner"],
                                 "disciplines": [m.discipline], "modalities": [m.key],
                                 "supervisor_id": None if p.supervisor is None else self.people[p.supervisor].id})
            # Licences are per jurisdiction; some also hold an Oregon one for telehealth clients there.
            for kind in p.licences:
                for place in [JURISDICTION] + (["US-OR"] if rng.random() < 0.15 else []):
                    expires = self.today + dt.timedelta(days=rng.randrange(-60, 730))
                    self.w.add("credentials", {"id": synth.make_uuid(rng), "user_id": p.id, "type": kind,
                                               "number": f"{kind}{rng.randrange(10**4, 10**6)}",
                                               "jurisdiction": place, "expires_on": expires})

    def plan(self) -> None:
        rng = self.rng
        self.cases = synth.plan_cases(rng, self.people, self.n["clients"])
        synth.split_lengths(rng, self.cases, self.n["sessions"], (SPAN_DAYS - 7) // 7)
        synth.place_cases(rng, self.cases, self.first_day, SPAN_DAYS)
        self.client_ids = [synth.make_uuid(rng) for _ in range(self.n["clients"])]
        self.first_seen: list[dt.date] = [self.today] * self.n["clients"]
        self.teams: list[dict[int, str]] = [{} for _ in self.client_ids]
        self.offered: list[set[str]] = [set() for _ in self.client_ids]  # modality keys of the client's cases
        for case in self.cases:
            for c in case.members:
                self.first_seen[c] = min(self.first_seen[c], case.opened_on)
                self.teams[c].setdefault(case.practitioner, "primary" if not self.teams[c] else "member")
                self.offered[c].add(self.people[case.practitioner].modality.key)

    def emit_clients(self) -> None:
        rng, w = self.rng, self.w
        consents = [synth.Doc(d.key, d.version, modalities=d.modalities, renewal_days=d.renewal_days,
                              per_body_region=d.per_body_region, text_hash=d.text_hash)
                    for d in self.registry.consent_documents] or list(synth.FALLBACK_CONSENTS)
        touch = {m.key for m in self.modalities if m.family.value == "somatic"}
        intake = next((f for f in self.registry.forms if str(f.purpose) == "intake"), None)
        bar = Progress("clients", len(self.client_ids), self.quiet)
        for c, cid in enumerate(self.client_ids):
            first, last, preferred = synth.person_name(rng)
            since = self.at(self.first_seen[c], 8) - dt.timedelta(days=rng.randrange(1, 14))
            minor = rng.random() < 0.08
            age = rng.randrange(4, 18) if minor else int(18 + rng.betavariate(2, 3) * 65)
            dob = self.first_seen[c] - dt.timedelta(days=age * 365 + rng.randrange(365))
            email, phone = f"{first}.{last}{c}@example.org".lower(), synth.phone(rng)
            w.add("clients", {
                "id": cid, "legal_first_name": first, "legal_last_name": last, "preferred_name": preferred,
                "pronouns": rng.choices(("she/her", "he/him", "they/them", ""), (50, 40, 6, 4))[0],
                "date_of_birth": dob, "email": email, "phone": phone,
                "address": synth.address(rng), "emergency_contact_name": " ".join(synth.person_name(rng)[:2]),
                "emergency_contact_phone": synth.phone(rng), "emergency_contact_relationship": "partner",
                "search_key": make_search_key(last, first, preferred), "active": rng.random() < 0.9,
                "search_names": name_terms(first, last, preferred), "search_contact": contact_terms(email, phone),
                "search_rowid": fts_rowid(cid),
                "created_at": since})
            guardian = None  # (id, name) of the first guardian: the one who signs consents
            for g in range(1 + (rng.random() < 0.4) if minor else 0):
                gid, name = synth.make_uuid(rng), f"{rng.choice(synth.FIRST)} {last}"
                guardian = guardian or (gid, name)
                w.add("guardians", {"id": gid, "client_id": cid, "name": name, "relationship": synth.RELATIONS[g],
                                    "email": "", "phone": synth.phone(rng), "can_consent": True})
            team = self.teams[c]  # the practitioners of the client's cases, then others up to three in all
            for _ in range(rng.choice((0, 0, 1, 2))):
                if len(team) < 3:
                    team.setdefault(rng.randrange(len(self.people)), "member")
            for p, role in team.items():
                w.add("care_team_members", {"client_id": cid, "user_id": self.people[p].id, "role": role,
                                            "added_at": since})
            for doc in consents:
                if doc.modalities or doc.per_body_region:  # consents for what the client is offered
                    wanted = bool(self.offered[c] & (set(doc.modalities) or touch))
                else:
                    wanted = rng.random() < doc.share
                if not wanted:
                    continue
                signed = since + dt.timedelta(minutes=rng.randrange(10, 120))
                revoked = signed + dt.timedelta(days=rng.randrange(30, 400)) if rng.random() < 0.02 else None
                expires = signed + dt.timedelta(days=doc.renewal_days) if doc.renewal_days else None
                scope = {r: rng.choice(("consented", "consented", "declined", "ask_each_time"))
                         for r in synth.BODY_REGIONS} if doc.per_body_region else {}
                w.add("consent_records", {
                    "id": synth.make_uuid(rng), "client_id": cid, "document_key": doc.key,
                    "document_version": doc.version, "text_hash": doc.text_hash, "scope": scope,
                    "signer_name": guardian[1] if guardian else f"{first} {last}",
                    "signer_capacity": "guardian" if guardian else "self", "guardian_id": guardian and guardian[0],
                    "method": rng.choice(("in_person", "portal")), "recorded_by": rng.choice(self.desk),
                    "signed_at": signed, "revoked_by": None,
                    "expires_at": expires,
                    "revoked_at": revoked, "revoked_reason": "client request" if revoked else ""})
                # One signature per client and document here: the state the app keeps from it (keep_state).
                w.add("client_consent_states", {
                    "client_id": cid, "document_key": doc.key, "document_version": doc.version, "signed_at": signed,
                    "valid_until": cover_end(expires, revoked), "state": "revoked" if revoked else "signed",
                    "updated_at": revoked or signed})
            answers = ({f.key: field_value(rng, f) for f in intake.fields} if intake else
                       {"reason": rng.choice(synth.PHRASES), "referral": rng.choice(("self", "physician", "friend")),
                        "prior_therapy": rng.random() < 0.5})
            portal = rng.random() < 0.6
            w.add("form_responses", {
                "id": synth.make_uuid(rng), "client_id": cid, "form_key": intake.key if intake else "bench/intake",
                "form_version": intake.version if intake else 1, "answers": answers, "findings": [],
                "outcome": "eligible" if rng.random() < 0.95 else "modify", "session_id": None,
                "submitted_by": None if portal else rng.choice(self.desk), "submitted_via": "portal" if portal else "staff",
                "submitted_at": since})
            bar.step()
        bar.close()

    def emit_cases(self) -> None:
        rng, w = self.rng, self.w
        for case in self.cases:
            p = self.people[case.practitioner]
            last = case.opened_on + dt.timedelta(weeks=max(0, case.length - 1) * case.interval_weeks)
            closed = last if last < self.today - dt.timedelta(days=30) else None
            names = ", ".join(synth.FIRST[i % len(synth.FIRST)] for i in case.members[:3])
            w.add("cases", {"id": case.id, "title": f"{case.kind.title()}: {names}"[:200], "kind": case.kind,
                            "opened_on": case.opened_on, "closed_on": closed, "created_at": self.at(case.opened_on, 8)})
            for c in case.members:
                w.add("case_clients", {"case_id": case.id, "client_id": self.client_ids[c]})
            w.add("case_practitioners", {"case_id": case.id, "user_id": p.id})
            for _ in range(rng.choice((1, 1, 2))):
                case.goals.append(synth.make_uuid(rng))
                w.add("goals", {"id": case.goals[-1], "case_id": case.id, "text": rng.choice(synth.GOALS),
                                "status": "met" if closed and rng.random() < 0.6 else "active", "reviewed_at": None,
                                "target_on": case.opened_on + dt.timedelta(days=90), "created_at": self.at(case.opened_on, 8)})

    def templates(self, modality) -> tuple[list, list]:
        """(regular, process-note) templates of a modality: the registry's, else generic ones."""
        found = list(self.registry.note_templates.for_modality(modality.key))
        if not found:
            talk = modality.family.value == "talk"
            return list(synth.FALLBACK_TEMPLATES), [synth.PROCESS_NOTE] if talk else []
        return [t for t in found if not t.psychotherapy_note], [t for t in found if t.psychotherapy_note]

    def instruments(self) -> list[synth.Doc]:
        found = []
        for a in self.registry.assessments:
            items = [i for i in a.items if i.scored]
            if items and a.bands:
                top = max(o.score or 0 for o in (items[0].options or a.options))
                found.append(synth.Doc(a.key, a.version, sections=tuple(i.key for i in items), top=top,
                                       bands=tuple((b.low, b.high, b.label) for b in a.bands), multiplier=a.multiplier))
        return found or list(synth.FALLBACK_INSTRUMENTS)

    def book(self, busy: set[int], who: int, day: dt.date, hour: int, slots: int) -> tuple[dt.date, int]:
        """The first free hour for ``who``, nearest the case's usual hour, on ``day`` or a later weekday.

        Gives up after eight weeks and double-books at the usual time, as a real calendar now and then does.
        """
        for offset in range(56):
            when = day + dt.timedelta(days=offset)
            if when.weekday() < 5:
                base = (who << 32) | (when.toordinal() << 5)
                for h in sorted(HOURS[:len(HOURS) - slots + 1], key=lambda x: (abs(x - hour), x)):
                    keys = [base | (h + s) for s in range(slots)]
                    if not any(k in busy for k in keys):
                        busy.update(keys)
                        return when, h
        return day, hour

    def emit_sessions(self) -> None:
        rng, w = self.rng, self.w
        busy: set[int] = set()
        instruments = self.instruments()
        structures = {(m.key, str(f)): s for m in self.modalities
                      for s in reversed(self.registry.session_structures.for_modality(m.key)) for f in s.formats}
        self.completed: list[tuple] = []  # (session id, case index, ends_at): what notes are written about
        self.load: Counter[int] = Counter()
        bar = Progress("sessions", self.n["sessions"], self.quiet)
        for ci, case in enumerate(self.cases):
            p = self.people[case.practitioner]
            family = p.modality.family.value
            minutes = synth.minutes(p, case.kind)
            room_only = family in ("somatic", "movement")
            structure = structures.get((p.modality.key, case.kind))
            start = case.opened_on + dt.timedelta(days=max(0, 7 - case.opened_on.weekday()) % 7)
            severity = [rng.random() * 2.5 for _ in case.members]  # item-score level, eases over the case
            for k in range(case.length):
                day = start + dt.timedelta(weeks=k * case.interval_weeks)
                if rng.random() < 0.1:  # moved to another weekday that week
                    day += dt.timedelta(days=rng.randrange(5) - day.weekday())
                day, hour = self.book(busy, case.practitioner, day, case.hour, (minutes + 59) // 60)
                starts = self.at(day, hour)
                r = rng.random()
                if starts < self.now:
                    status = "completed" if r < 0.87 else "cancelled" if r < 0.95 else "no_show"
                else:
                    status = "scheduled" if r < 0.96 else "cancelled"
                delivery = "in_person" if room_only or r < 0.72 else "video" if r < 0.94 else "phone"
                sid = synth.make_uuid(rng)
                w.add("sessions", {
                    "id": sid, "case_id": case.id, "modality_key": p.modality.key,
                    "structure_key": structure and structure.key, "structure_version": structure and structure.version,
                    "format": case.kind, "starts_at": starts, "ends_at": starts + dt.timedelta(minutes=minutes),
                    "delivery": delivery, "room_id": rng.choice(self.rooms[p.location]) if delivery == "in_person" else None,
                    "status": status, "series_id": None, "created_at": starts - dt.timedelta(days=rng.randrange(1, 22)),
                    "status_reason": rng.choice(synth.CANCEL_REASONS) if status == "cancelled" else ""})
                w.add("session_practitioners", {"session_id": sid, "user_id": p.id, "starts_at": starts})
                attending = [j for j in range(len(case.members)) if j == 0 or rng.random() < 0.85]
                for j in attending:
                    w.add("session_clients", {"session_id": sid, "client_id": self.client_ids[case.members[j]]})
                self.load[case.practitioner] += 1
                if status != "completed":
                    bar.step()
                    continue
                self.completed.append((sid, ci, starts + dt.timedelta(minutes=minutes)))
                if family == "talk" and rng.random() < 0.12:  # outcome measures every few sessions
                    for j in attending:
                        level = severity[j] * (1 - 0.5 * k / max(1, case.length - 1))
                        for inst in instruments:
                            self.emit_result(inst, level, case.members[j], p.id, sid, starts)
                bar.step()
        bar.close()

    def emit_result(self, inst: synth.Doc, level: float, client: int, author, sid, starts: dt.datetime) -> None:
        rng = self.rng
        answers = {item: min(inst.top, max(0, round(rng.gauss(level, 0.8)))) for item in inst.sections}
        total = sum(answers.values()) * inst.multiplier
        band = next((label for low, high, label in inst.bands if low <= total <= high), None)
        self.w.add("assessment_results", {
            "id": synth.make_uuid(rng), "client_id": self.client_ids[client], "instrument_key": inst.key,
            "instrument_version": inst.version, "answers": answers, "total": float(total), "band": band,
            "subscales": {}, "flags": [], "recorded_by": author, "session_id": sid,
            "administered_at": starts + dt.timedelta(minutes=5)})

    def emit_notes(self) -> None:
        """Signed notes about a random sample of completed sessions, inserted already signed (a trigger
        refuses to update a signed note); supervisees' notes are mostly co-signed."""
        rng, pool, n = self.rng, self.completed, self.n["notes"]
        picks = sorted(rng.sample(range(len(pool)), min(n, len(pool))))
        picks += sorted(rng.choices(range(len(pool)), k=n - len(picks))) if pool else []
        templates = {m.key: self.templates(m) for m in self.modalities}
        self.notes_of: Counter = Counter()
        bar = Progress("notes", len(picks), self.quiet)
        for i in picks:
            sid, ci, ends = pool[i]
            case = self.cases[ci]
            p = self.people[case.practitioner]
            regular, process = templates[p.modality.key]
            template = rng.choice(process) if process and rng.random() < 0.05 else rng.choice(regular or process)
            content = {}
            for s in template.sections:
                fields = getattr(s, "fields", ())
                content[getattr(s, "key", s)] = ({f.key: field_value(rng, f) for f in fields} if fields
                                                 else rng.choice(synth.PHRASES))
            created = ends + dt.timedelta(minutes=rng.randrange(30))
            signed = created + dt.timedelta(minutes=rng.randrange(5, 2 * 24 * 60))
            digest = seals.note_seal(self.keys, SimpleNamespace(
                template_key=template.key, template_version=template.version, content=content, author_id=p.id,
                signed_at=signed))
            note_id = synth.make_uuid(rng)
            client = self.client_ids[case.members[0]] if len(case.members) == 1 else None
            self.notes_of[client] += 1
            self.w.add("notes", {
                "id": note_id, "case_id": case.id, "client_id": client, "session_id": sid, "author_id": p.id,
                "template_key": template.key, "template_version": template.version, "content": content,
                "visibility": str(template.visibility), "psychotherapy_note": template.psychotherapy_note,
                "goal_ids": [str(case.goals[0])] if case.goals and rng.random() < 0.3 else [],
                "status": "signed", "revision": rng.randrange(1, 4), "updated_at": signed,
                "needs_cosign": p.supervisor is not None, "signed_at": signed, "content_hash": digest,
                "content_key": self.keys.current, "created_at": created})
            cosigned = signed + dt.timedelta(hours=rng.randrange(4, 150))
            if p.supervisor is not None and cosigned < self.now and rng.random() < 0.95:
                self.w.add("note_cosignatures", {"note_id": note_id, "cosigner_id": self.people[p.supervisor].id,
                                                 "cosigned_at": cosigned, "note_hash": digest})
            bar.step()
        bar.close()

    def sample(self) -> dict:
        """Ids for the query plans: the busiest practitioner, last week, the client with most notes."""
        monday = self.today - dt.timedelta(days=self.today.weekday() + 7)
        busiest = max(self.load, key=self.load.get) if self.load else 0
        top = [c for c, _ in self.notes_of.most_common(2) if c is not None]
        start = self.at(monday, 0)
        return {"user": self.people[busiest].id, "since": start - dt.timedelta(days=1), "start": start,
                "end": start + dt.timedelta(days=7), "client": top[0] if top else self.client_ids[0]}

"""The facade the web app and the CLI use: registry, access, transactions, plugin calls."""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import pluggy
from sqlalchemy import Engine, select, true
from sqlalchemy.orm import Session as DbSession

from polymodal.core import audit
from polymodal.core.access import POLICY, AccessRequest, Actor, client_filter, decide, reachable_client_ids
from polymodal.core.contributions import MenuItem, PermissionRule
from polymodal.core.db import make_engine, make_sessionmakers, writer_of
from polymodal.core.errors import AccessDenied, NotFound, StartupError
from polymodal.core.keys import SESSION_INFO, Keyring
from polymodal.core.keys import load as load_keys
from polymodal.core.models import Center, PluginErrorRecord, utcnow
from polymodal.core.models._base import work_now
from polymodal.core.plugins import get_plugin_manager
from polymodal.core.registry import PluginInfo, Registry, collect_or_disable, describe_plugins, overlaps
from polymodal.core.services import consent_gaps, throttle
from polymodal.core.settings import Settings

log = logging.getLogger("polymodal")
SLOW_PLUGIN_SECONDS = 0.25
"""A hook call slower than this is recorded for the admin: it delays a page for everyone."""
# The transaction in progress on this thread: side records (denials, plugin
# errors) wait for it to end, since on SQLite it holds the only write lock.
_current: ContextVar[Work | None] = ContextVar("polymodal_current_work", default=None)


@dataclass
class Later:
    """What read-only work in ``Practice.finishing_later`` left to its caller to write."""

    events: list[audit.Pending] = field(default_factory=list)
    steps: list[Callable[[], None]] = field(default_factory=list)


_finish_later: ContextVar[Later | None] = ContextVar("polymodal_finish_later", default=None)


@dataclass(frozen=True, slots=True)
class CenterFacts:
    """The center's row as read-only work sees it: its columns, without the ORM's load."""

    id: uuid.UUID
    name: str
    timezone: str
    jurisdiction: str
    age_of_majority: int
    minor_consent_age: int | None
    settings: dict[str, Any]
    created_at: dt.datetime


_CENTER_FACTS = select(*(getattr(Center, name) for name in CenterFacts.__slots__)).limit(1)


@dataclass
class Work:
    """One transaction by one actor; services receive it and nothing else."""

    practice: Practice
    db: DbSession
    actor: Actor
    now: dt.datetime
    writes: bool = True
    _after_commit: list[Callable[[], None]] = field(default_factory=list)
    _denials: list[tuple[AccessRequest, str]] = field(default_factory=list)
    _failed_passwords: list[str] = field(default_factory=list)
    _plugin_errors: list[PluginErrorRecord] = field(default_factory=list)
    _center: Center | CenterFacts | None = field(default=None, repr=False)
    _read_audits: list[audit.Pending] = field(default_factory=list)
    _visible: dict[Any, bool] = field(default_factory=dict)

    @property
    def registry(self) -> Registry:
        return self.practice.registry

    @property
    def center(self) -> Center:
        """The center: its ORM object in work that writes, its columns (``CenterFacts``) in read-only work.

        Every page reads it, and the columns cost half the ORM's load (issue 18); read-only work cannot change
        it anyway."""
        # Cached per Work by hand, not with functools.cached_property: on Python 3.11 that holds one lock for
        # all instances while it computes, so a thread whose query waits for SQLite's write lock blocked every
        # other request's first `work.center`, including the one holding the write lock (a deadlock until
        # busy_timeout, found by bench/run.py on the schedule page under 32 connections).
        if self._center is None:
            if self.writes:
                center: Any = self.db.scalars(select(Center).limit(1)).first()
            else:
                row = self.db.connection().execute(_CENTER_FACTS).first()
                center = row and CenterFacts(*row)
            if center is None:
                raise NotFound("no center is set up yet: run 'polymodal demo' or create one")
            self._center = center
        return self._center

    def require(self, action: str, client_id: uuid.UUID | None = None, *, record_type: str = "",
                record_id: str | uuid.UUID = "") -> None:
        """Raise ``AccessDenied`` unless the actor may do ``action``; a denial is audited.

        The denial is written after this transaction ends (committed or rolled
        back), so the record of the attempt survives the rollback it causes.
        """
        request = AccessRequest(action, client_id, record_type, str(record_id))
        reason = self._refusal(request)
        if reason is not None:
            self.deny(request, reason)

    def may(self, action: str, client_id: uuid.UUID | None = None) -> bool:
        """Ask without auditing: for showing or hiding a link, never for guarding data."""
        return self._refusal(AccessRequest(action, client_id)) is None

    def _refusal(self, request: AccessRequest) -> str | None:
        decision = decide(self.db, self.actor, request, self.now, None if self.writes else self._visible)
        if not decision.allowed:
            return decision.reason
        if not self.practice.plugins_allow(self.actor, request):
            return "denied by a plugin rule"
        return None

    def deny(self, request: AccessRequest, reason: str, error: Exception | None = None) -> None:
        self._denials.append((request, reason))
        raise error or AccessDenied(request.action, reason)

    def password_failed(self, username: str) -> None:
        """Count a wrong password of a signed-in user (break the glass) with sign-in failures; kept on rollback."""
        self._failed_passwords.append(username)

    def client_filter(self, action: str) -> Any:
        return client_filter(self.actor, action, self.now)

    def client_ids_within(self, column: Any, action: str) -> Any:
        """A condition on ``column`` (a client id) that narrows a statement over every client's records to the
        clients the actor can reach (``access.reachable_client_ids``); true when they reach every client. Only
        beside ``client_filter``, which still decides."""
        reachable = reachable_client_ids(self.actor, action, self.now)
        return true() if reachable is None else column.in_(reachable)

    def audit(self, action: str, **kwargs: Any) -> None:
        """Record an event: in this transaction when it writes, else just after it, before the page is sent."""
        self._record([audit.Pending(self.actor, action, self.now, **kwargs)])

    def audit_each(self, action: str, client_ids: list[uuid.UUID], *, record_type: str = "",
                   reason: str = "") -> None:
        """One event per client shown: each client's access history lists the page."""
        self._record([audit.Pending(self.actor, action, self.now, record_type, "", client_id, reason=reason)
                      for client_id in client_ids])

    def _record(self, events: list[audit.Pending]) -> None:
        if self.writes:
            audit.chain(self.db, events)
        else:
            self._read_audits.extend(events)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)


def route_label(plugin: str, handler: Any) -> str:
    """'GET /m/<plugin>/<path>' for a plugin's route handler (read duck-typed: core knows no web framework)."""
    methods = ",".join(sorted(getattr(handler, "http_methods", ()) or ())) or "?"
    paths = ", ".join(sorted(f"/m/{plugin}{p if p != '/' else ''}" for p in getattr(handler, "paths", ()) or ()))
    return f"{methods} {paths}"


def route_problem(plugin: str, handler: Any) -> str | None:
    """Why a plugin's route must not be mounted: it names an action the access policy does not know.
    Mounted, it would answer 403 to everyone and nobody would know why."""
    action = (getattr(handler, "opt", None) or {}).get("action")
    if action is not None and action not in POLICY:
        return f"route {route_label(plugin, handler)} names the unknown action {action!r}; it is not mounted"
    return None


def menu_problem(item: Any, paths: set[str]) -> str | None:
    """Why a plugin's menu entry must be left out (``paths``: what the plugin's GET routes answer)."""
    if not isinstance(item, MenuItem):
        return f"polymodal_register_menu_items returned {type(item).__name__}, not MenuItem"
    if item.action not in POLICY:
        return f"menu entry {item.label!r} names the unknown action {item.action!r}; it is left out"
    if item.path not in paths:
        return (f"menu entry {item.label!r} leads to {item.path!r}, which no GET route of the plugin answers "
                f"({', '.join(sorted(paths)) or 'it has none'}); it is left out")
    return None


class Practice:
    """A running polymodal: settings, database, plugins and their frozen contributions."""

    def __init__(self, pm: pluggy.PluginManager, settings: Settings | None = None, *,
                 engine: Engine | None = None, clock: Callable[[], dt.datetime] = utcnow,
                 keys: Keyring | None = None) -> None:
        self.pm = pm
        self.settings = settings or Settings()
        self.registry = collect_or_disable(pm).hiding_modalities(frozenset(self.settings.hidden_modalities))
        self.engine = engine or make_engine(self.settings.url)
        self.keys = keys or load_keys(self.settings.data_dir, self.settings.audit_key, self.settings.audit_key_file)
        """The integrity key ring: the audit chain, its checkpoints and note seals are keyed with it."""
        self._read, self._write = make_sessionmakers(self.engine, {SESSION_INFO: self.keys})
        self._read_audit_log = audit.GroupCommit(writer_of(self.engine).begin, self.keys)
        self.clock = clock
        # May a caller on an event loop run a short indexed read without a worker thread? On SQLite in WAL
        # mode a reader never waits for a writer, and such a read costs less than the thread hop (client
        # search 188 -> 300 req/s when the sign-in check stopped hopping). Not while plugins vote on access,
        # whose code the loop must not wait for, nor on PostgreSQL, where each read is a network round trip.
        self._plugin_routes: dict[str, list[Any]] | None = None
        self._plugin_menu: list[tuple[str, MenuItem]] | None = None
        self.plugins_vote_on_access = bool(pm.hook.polymodal_permission_rules.get_hookimpls())
        self.quick_reads_inline = self.engine.dialect.name == "sqlite" and not self.plugins_vote_on_access
        self._consent_gaps_synced = False

    @classmethod
    def from_environment(cls, settings: Settings | None = None) -> Practice:
        return cls(get_plugin_manager(), settings)

    def now(self) -> dt.datetime:
        return self.clock()

    @contextmanager
    def work(self, actor: Actor, *, write: bool = True) -> Iterator[Work]:
        """A transaction: committed if the block succeeds, rolled back if it raises.

        Read-only work (``write=False``) takes no write lock; its audit events
        are written when it ends, together with other threads' (see
        ``audit.GroupCommit``), and ``work`` raises if they could not be.
        Inside ``finishing_later`` they are left to its caller instead.
        """
        maker = self._write if write else self._read
        outer = _current.get()
        later = _finish_later.get()
        if later is not None and write:
            raise RuntimeError("work that writes cannot be finished later: it would hold the write lock")
        if not self._consent_gaps_synced:  # in a transaction of its own, before this one reads anything
            self._consent_gaps_synced = consent_gaps.sync(self.engine, consent_gaps.needs_of(self.registry))
        with maker() as db:
            if write and self.engine.dialect.name == "postgresql":
                # First, before any row lock: a writer that locked a row and then waited for the chain's lock
                # deadlocked with one that audited and then waited for that row. On SQLite, BEGIN IMMEDIATE
                # at the first statement is this lock already. tests/core/test_write_lock_order.py
                audit.hold_chain(db.connection())
            work = Work(self, db, actor, self.now(), writes=write)
            token, now_token = _current.set(work), work_now.set(work.now)
            try:
                yield work
                db.commit()
            except BaseException:
                db.rollback()
                if later is None:
                    self._write_read_audits(work, outer, failing=True)
                else:
                    later.steps.append(lambda: self._write_read_audits(work, outer, failing=True))
                raise
            finally:
                _current.reset(token)
                work_now.reset(now_token)
                if later is None:
                    self._write_side_records(work)
                elif work._denials or work._failed_passwords or work._plugin_errors:
                    later.steps.append(lambda: self._write_side_records(work))
        if later is None:
            self._write_read_audits(work, outer)
            for callback in work._after_commit:
                callback()
        else:
            later.events.extend(work._read_audits)
            work._read_audits = []
            later.steps.extend(work._after_commit)

    @contextmanager
    def finishing_later(self) -> Iterator[Later]:
        """Read-only work opened in this block leaves what it writes when it ends to the caller.

        For pages read on the server's event loop (SQLite, ``quick_reads_inline``), which must not wait there
        for the write lock or the disk. The caller writes ``Later.events`` with ``submit_read_audits`` and
        runs ``Later.steps`` (a denial or plugin error to record; rare) on a thread, all before anything the
        work read leaves the process, and fails the request if one fails. Work that writes cannot be opened
        in the block.
        """
        later = Later()
        token = _finish_later.set(later)
        try:
            yield later
        finally:
            _finish_later.reset(token)

    def submit_read_audits(self, events: list[audit.Pending]) -> Future[None]:
        """Write the audit events of read-only work on the audit log's own thread, with other pages' events in
        the same transaction (``audit.GroupCommit.submit``); the future settles once they are committed."""
        return self._read_audit_log.submit(events)

    def _write_read_audits(self, work: Work, outer: Work | None, *, failing: bool = False) -> None:
        events, work._read_audits = work._read_audits, []
        if not events:
            return
        if outer is not None and outer.practice is self:
            # Nested in other work on this thread: waiting for the write lock that work may hold would
            # deadlock, so the events join it.
            if outer.writes:
                audit.chain(outer.db, events)
            else:
                outer._read_audits.extend(events)
            return
        try:
            self._read_audit_log.write(events)
        except Exception:
            if not failing:
                raise
            # The work failed already and its error is the one to report; nothing was shown.
            log.exception("could not write the audit events of failed read-only work")

    def _write_side_records(self, work: Work) -> None:
        for request, reason in work._denials:
            self.audit_denial(work.actor, request, reason)
        work._denials.clear()
        if work._failed_passwords:
            with self._write() as db:  # its own transaction, like a denial: the failed work rolls back
                for username in work._failed_passwords:
                    throttle.record_failure(db, work.now, username, work.actor.origin)
                db.commit()
            work._failed_passwords.clear()
        if work._plugin_errors:
            self._store_plugin_errors(work._plugin_errors)
            work._plugin_errors.clear()

    def audit_denial(self, actor: Actor, request: AccessRequest, reason: str) -> None:
        # Its own transaction: the denied work rolls back, the record of the attempt must not.
        with self._write() as db:
            audit.append(db, actor, request.action, at=self.now(), record_type=request.record_type,
                         record_id=request.record_id, client_id=request.client_id, outcome="denied",
                         reason=reason)
            db.commit()

    # --- calling plugins at run time ------------------------------------------------

    def call_each(self, hook: str, *, failed: list[str] | None = None, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call every implementation of ``hook`` on its own; a failing one is recorded and skipped.

        pluggy stops a whole hook call at the first exception, which would let
        one plugin silence the others, so implementations are called one by one.
        The names of plugins that raised are appended to ``failed`` when given.
        """
        results = []
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            started = time.perf_counter()
            try:
                value = impl.function(**{k: kwargs[k] for k in impl.argnames})
            except Exception as exc:
                self.record_plugin_error(impl.plugin_name, hook, exc)
                if self.settings.strict_plugins:
                    raise
                if failed is not None:
                    failed.append(impl.plugin_name)
                continue
            finally:
                elapsed = time.perf_counter() - started
                if elapsed > SLOW_PLUGIN_SECONDS:
                    self.record_plugin_error(impl.plugin_name, hook, TimeoutError(
                        f"took {elapsed:.2f} s (limit {SLOW_PLUGIN_SECONDS} s); the page waited for it"))
            if value is not None:
                results.append((impl.plugin_name, value))
        return results

    def plugins_allow(self, actor: Actor, request: AccessRequest) -> bool:
        """Plugin votes: any deny wins, and an error or a wrong type counts as deny (fail closed)."""
        failed: list[str] = []
        votes = self.call_each("polymodal_permission_rules", failed=failed, actor=actor, request=request)
        if failed:
            return False
        for plugin, vote in votes:
            if not isinstance(vote, PermissionRule):
                self.record_plugin_error(plugin, "polymodal_permission_rules",
                                         TypeError(f"returned {type(vote).__name__}, not PermissionRule"))
                return False
            if not vote.allow:
                return False
        return True

    def record_plugin_error(self, plugin: str, hook: str, exc: BaseException) -> None:
        detail = "".join(traceback.format_exception_only(exc)).strip()
        log.error("plugin '%s' failed in %s: %s", plugin, hook, detail)
        record = PluginErrorRecord(at=self.now(), plugin=plugin, hook=hook, error=detail[:2000])
        work = _current.get()
        if work is not None and work.practice is self:
            work._plugin_errors.append(record)
        else:
            self._store_plugin_errors([record])

    def _store_plugin_errors(self, records: list[PluginErrorRecord]) -> None:
        try:
            with self._write() as db:
                db.add_all(records)
                db.commit()
        except Exception:  # the page must never fail because the error log did
            log.exception("could not record the plugin error")

    def recent_plugin_errors(self, limit: int = 50) -> list[PluginErrorRecord]:
        with self._read() as db:
            return list(db.scalars(select(PluginErrorRecord).order_by(PluginErrorRecord.id.desc()).limit(limit)))

    # --- introspection ---------------------------------------------------------------

    def plugin_routes(self) -> dict[str, list[Any]]:
        """Route handlers each plugin adds to the web app, collected on first use and kept: the app mounts
        them, and the admin's plugin page and the menu describe the same handlers."""
        if self._plugin_routes is None:
            self._plugin_routes = self._collect_plugin_routes()
        return self._plugin_routes

    def plugin_pages(self) -> dict[str, list[tuple[str, str]]]:
        """Plugin -> (``GET /m/<plugin>/path``, action) of each mounted route, for people to read."""
        return {plugin: [(route_label(plugin, h), (getattr(h, "opt", None) or {}).get("action")
                          or ("signed in" if (getattr(h, "opt", None) or {}).get("authenticated") else
                              "none: refused"))
                         for h in handlers] for plugin, handlers in self.plugin_routes().items()}

    def plugin_menu_items(self) -> list[tuple[str, MenuItem]]:
        """(plugin, entry) of each menu entry plugins add, checked once: an undeclared action or a path no
        mounted GET route of the plugin answers is left out and recorded (a StartupError when strict)."""
        if self._plugin_menu is None:
            pages = {plugin: {p for h in handlers if "GET" in (getattr(h, "http_methods", ()) or ())
                              for p in getattr(h, "paths", ()) or ()}
                     for plugin, handlers in self.plugin_routes().items()}
            items: list[tuple[str, MenuItem]] = []
            for plugin, returned in self.call_each("polymodal_register_menu_items"):
                for item in returned if isinstance(returned, list | tuple) else [returned]:
                    why = menu_problem(item, pages.get(plugin, set()))
                    if why is None:
                        items.append((plugin, item))
                    elif self.settings.strict_plugins:
                        raise StartupError(f"plugin '{plugin}': {why}")
                    else:
                        self.record_plugin_error(plugin, "polymodal_register_menu_items", ValueError(why))
            self._plugin_menu = items
        return self._plugin_menu

    def _collect_plugin_routes(self) -> dict[str, list[Any]]:
        routes: dict[str, list[Any]] = {}
        for plugin, handlers in self.call_each("polymodal_register_routes"):
            if not isinstance(handlers, list | tuple):
                self.record_plugin_error(plugin, "polymodal_register_routes",
                                         TypeError(f"returned {type(handlers).__name__}, not a list"))
                continue
            for handler in handlers:
                why = route_problem(plugin, handler)
                if why is not None:  # left out, and said
                    problem = ValueError(why)
                    if self.settings.strict_plugins:
                        raise StartupError(f"plugin '{plugin}': {problem}")
                    self.record_plugin_error(plugin, "polymodal_register_routes", problem)
                    continue
                routes.setdefault(plugin, []).append(handler)
        return routes

    def plugin_overlaps(self) -> list[str]:
        """Where installed plugins' modalities meet (a discipline named by two, one name offered twice), left
        aside what the center has settled by hiding a modality."""
        return [line for _, line in overlaps(self.registry.modalities)]

    def hidden_modalities(self) -> list[str]:
        """Each modality the center hides (``POLYMODAL_HIDE_MODALITIES``), for the admin's plugin page."""
        catalog = self.registry.modalities
        lines = [f"{catalog.get(k).name} ({k}, from plugin {catalog.owner(k)}): hidden, not offered"
                 for k in sorted(catalog.hidden)]
        return lines + [f"{k}: to be hidden, but no installed plugin provides it"
                        for k in sorted(set(self.settings.hidden_modalities) - catalog.hidden)]

    def plugin_info(self) -> list[PluginInfo]:
        return describe_plugins(self.pm, self.registry)

    @property
    def disabled_plugins(self) -> dict[str, str]:
        """Plugins left out at start-up, and why (empty for a manager not made by ``get_plugin_manager``)."""
        return dict(getattr(self.pm, "disabled", {}))

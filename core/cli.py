"""The ``polymodal`` command: serve, worker, db upgrade/backup/restore, demo, user create, plugins list/check,
audit verify/checkpoint, retention due, export."""

from __future__ import annotations

import argparse
import getpass
import importlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from polymodal.core.errors import PolymodalError, StartupError


def _practice():
    from polymodal.core.practice import Practice

    return Practice.from_environment()


def cmd_serve(args: argparse.Namespace) -> int:
    # Job workers run inside the server unless the operator runs `polymodal worker` instead (PostgreSQL).
    os.environ.setdefault("POLYMODAL_JOBS_IN_PROCESS", "1")
    if args.page_threads:
        os.environ["POLYMODAL_PAGE_THREADS"] = str(args.page_threads)
    # By name: core never imports the web layer; this command is the one place that starts it.
    server = importlib.import_module("polymodal.web.server")
    limits = server.ServeLimits(request_timeout=args.request_timeout, per_address=args.per_address,
                                connections=args.connections, trusted_proxies=args.trusted_proxies)
    server.serve(args.host, args.port, args.workers, limits)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    import signal
    import threading

    from polymodal.core.messaging.queue import jobs_of

    practice = _practice()
    queue = jobs_of(practice)
    queue.start(args.workers)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(f"polymodal worker: {args.workers or practice.settings.jobs.workers} threads; Ctrl-C stops", flush=True)
    stop.wait()
    queue.stop()
    return 0


def cmd_mailsink(args: argparse.Namespace) -> int:
    from polymodal.core.messaging.mailsink import serve

    serve(args.smtp_port, args.http_port)
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from polymodal.core import migrations

    practice = _practice()
    migrations.upgrade(practice.engine, args.revision, practice.keys)
    print(f"database at {practice.engine.url.render_as_string(hide_password=True)} is at {args.revision}")
    return 0


def cmd_db_downgrade(args: argparse.Namespace) -> int:
    from polymodal.core import migrations

    practice = _practice()
    migrations.downgrade(practice.engine, args.revision, practice.keys)
    return 0


PG_GUIDANCE = """PostgreSQL is backed up with its own tools (docs/operations.md), for example:
  pg_dump --format=custom --file={path} "$POLYMODAL_DATABASE_URL"
and restored into an empty database with:
  pg_restore --no-owner --dbname="$POLYMODAL_DATABASE_URL" {path}
then check the restored copy with 'polymodal audit verify' (its head should be the one above)."""


def cmd_db_backup(args: argparse.Namespace) -> int:
    from polymodal.core import backup

    practice = _practice()
    source = backup.sqlite_path(practice.engine)
    if source is None:
        result, problems = _verify(practice, None)
        print(f"audit head now: event {result.head_seq} {result.head_hash}"
              f"{'' if not problems else f' (BROKEN: {len(problems)} problems)'}")
        print(PG_GUIDANCE.format(path=args.path))
        return 0 if not problems else 1
    backup.backup(source, Path(args.path))
    return _report_copy(f"backup {args.path}", backup.check(Path(args.path), practice.keys))


def cmd_db_restore(args: argparse.Namespace) -> int:
    from polymodal.core import backup

    practice = _practice()
    target = backup.sqlite_path(practice.engine)
    if target is None:
        print(PG_GUIDANCE.format(path=args.path))
        return 2
    practice.engine.dispose()  # nothing of ours holds the file while it is replaced
    return _report_copy(f"restored {args.path} into {target}",
                        backup.restore(Path(args.path), target, practice.keys, force=args.force))


def _report_copy(what: str, checked) -> int:
    for line in checked.lines()[:SHOWN_PROBLEMS]:
        print(line)
    result = checked.verification
    status = "verifies" if checked.ok else f"DOES NOT VERIFY ({len(checked.lines())} problems)"
    print(f"{what}: {result.events} audit events, head {result.head_seq} {result.head_hash}; {status}")
    return 0 if checked.ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from polymodal.core.demo import demo_logins, load_demo

    created = load_demo(_practice())
    print("Demo center created." if created else "A center exists already; demo data left as it is.")
    print("Demo logins (username / password):")
    for username, roles, password in demo_logins():
        print(f"  {username:<10} {password}   ({roles})")
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    from polymodal.core.access import Actor
    from polymodal.core.services import users

    password = os.environ.get("POLYMODAL_PASSWORD") or getpass.getpass("Password (12+ characters): ")
    practice = _practice()
    with practice.work(Actor.system("cli")) as work:
        user = users.create_user(work, {"username": args.username, "display_name": args.name or args.username,
                                        "email": args.email, "password": password, "roles": args.role,
                                        "disciplines": args.discipline, "supervisor": args.supervisor})
        print(f"created {user.username} ({', '.join(user.roles)})")
    return 0


def cmd_plugins_list(args: argparse.Namespace) -> int:
    from polymodal.core.plugins import get_plugin_manager
    from polymodal.core.practice import route_label
    from polymodal.core.registry import collect_or_disable, describe_plugins, overlaps

    pm = get_plugin_manager()
    registry = collect_or_disable(pm)
    infos = describe_plugins(pm, registry)
    if args.json:
        print(json.dumps([{"name": i.name, "version": i.version, "hooks": list(i.hooks),
                           "modalities": list(i.modalities), "contributions": i.contributions} for i in infos]
                         + [{"name": name, "disabled": reason} for name, reason in sorted(pm.disabled.items())],
                         indent=2))
        return 0
    for info in infos:
        counts = ", ".join(f"{len(v)} {k.replace('_', ' ')}" for k, v in info.contributions.items() if v)
        print(f"{info.name} {info.version}: {counts or 'no contributions'}")
        for modality in info.modalities:
            print(f"    {modality['key']:<32} {modality['family']:<9} {modality['name']}")
        for handlers in pm.hook.polymodal_register_routes.get_hookimpls():
            if handlers.plugin_name == info.name:
                for handler in handlers.function() or ():
                    action = getattr(handler, "opt", {}).get("action", "no action: refused")
                    print(f"    route {route_label(info.name, handler):<40} {action}")
        for entries in pm.hook.polymodal_register_menu_items.get_hookimpls():
            if entries.plugin_name == info.name:
                for item in entries.function() or ():
                    print(f"    menu  {item.label!r} -> /m/{info.name}{item.path}  ({item.action})")
    for name, reason in sorted(pm.disabled.items()):
        print(f"{name}: DISABLED, {reason}")
    for _, line in overlaps(registry.modalities):
        print(f"OVERLAP: {line}")
    return 0


def cmd_plugins_new(args: argparse.Namespace) -> int:
    from polymodal.core.scaffold import new_plugin

    folder = new_plugin(args.name, Path(args.dir), args.title)
    print(f"made {folder}: pip install -e '{folder}[test]', then polymodal plugins check {args.name} and pytest")
    return 0


def cmd_plugins_sweep(args: argparse.Namespace) -> int:
    import tempfile

    # The sweeps start the web app on a throw-away demo center; the CLI reaches web by name, as serve does.
    testing = importlib.import_module("polymodal.web.testing")
    # The demo center lives and dies with this command: a key of its own, rather than a development key file
    # announced with the warning meant for a real center; patch.dict puts the caller's environment back.
    from unittest import mock

    from polymodal.core.keys import new_entry

    with mock.patch.dict(os.environ, {"POLYMODAL_AUDIT_KEY": new_entry("sweep-1")}), \
            tempfile.TemporaryDirectory(prefix="polymodal-sweep-") as folder:
        os.environ.pop("POLYMODAL_AUDIT_KEY_FILE", None)
        problems = testing.sweep_installed(args.name, Path(folder))
    for line in problems:
        print(line if line.startswith("plugin '") else f"plugin '{args.name}': {line}")
    if not problems:
        print(f"plugin '{args.name}': no problems found by the authorization and injection sweeps")
    return 1 if problems else 0


def cmd_plugins_reference(args: argparse.Namespace) -> int:
    from polymodal.core import reference

    folder = Path(args.out)
    if args.check:
        stale = reference.stale(folder)
        for name in stale:
            print(f"{folder / name} is stale: run polymodal plugins reference --out {folder}")
        return 1 if stale else 0
    changed = reference.write(folder)
    print(f"wrote {', '.join(changed)} in {folder}" if changed else f"{folder} is up to date")
    return 0


def cmd_plugins_check(args: argparse.Namespace) -> int:
    try:
        from polymodal.core.plugin_check import check_plugin
    except ImportError:
        print("plugins check is not available in this version", file=sys.stderr)
        return 2
    errors = check_plugin(args.name)
    for line in errors:
        print(line)
    if not errors:
        print(f"plugin '{args.name}': all contributions valid")
    return 1 if errors else 0


SHOWN_PROBLEMS = 100
"""A re-hashed tail can break every row after it: the first ones say where; the count says how many."""


def _verify(practice, checkpoint: str | None):
    from polymodal.core.access import Actor
    from polymodal.core.audit_trail import check

    found = check.checkpoint_at(checkpoint)
    with practice.work(Actor.system("cli"), write=False) as work:
        outcome = check.check(work, found)
    return outcome.result, list(outcome.problems)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    result, problems = _verify(_practice(), args.checkpoint)
    for line in problems[:SHOWN_PROBLEMS]:
        print(line)
    if len(problems) > SHOWN_PROBLEMS:
        print(f"... and {len(problems) - SHOWN_PROBLEMS} more")
    status = "intact" if not problems else f"BROKEN ({len(problems)} problems)"
    print(f"audit trail {status}: {result.events} events; head {result.head_seq} {result.head_hash}")
    if result.checkpoint is not None:
        print(f"checked against the checkpoint of {result.checkpoint.at} (event {result.checkpoint.seq})")
    else:
        print("no checkpoint given: cut-off newest events would not show (see --checkpoint)")
    return 0 if not problems else 1


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    from polymodal.core import audit

    practice = _practice()
    result, problems = _verify(practice, None)
    if problems:
        for line in problems[:SHOWN_PROBLEMS]:
            print(line)
        print(f"polymodal: the audit trail does not verify ({len(problems)} problems): no checkpoint written",
              file=sys.stderr)
        return 1
    checkpoint = audit.sign_checkpoint(practice.keys, result, practice.now())
    written = audit.write_checkpoint(Path(args.path), checkpoint)
    print(f"checkpoint {written}: event {checkpoint.seq} {checkpoint.hash} at {checkpoint.at}, "
          f"key {checkpoint.key_id}")
    return 0


def cmd_retention_due(args: argparse.Namespace) -> int:
    from polymodal.core.access import Actor
    from polymodal.core.retention import due

    practice = _practice()
    with practice.work(Actor.system("cli"), write=False) as work:
        review = due.review(work)
    rows = [{"client_id": str(r.client_id), "name": r.name, "born": r.born.isoformat(),
             "last_contact": r.last_contact.isoformat(), "due_on": r.due.on.isoformat(), "why": r.due.because,
             "held": r.held} for r in review.due + (review.held if args.held else [])]
    if args.json:
        print(json.dumps({"rule": review.rule.key, "today": review.today.isoformat(), "records": rows}, indent=2))
        return 0
    print(f"rule {review.rule.key} ({review.rule.summary(review.majority)}); today {review.today.isoformat()}")
    for row in rows:
        held = "  HELD" if row["held"] else ""
        print(f"{row['client_id']}  {row['name']}  last contact {row['last_contact']}  due {row['due_on']}  "
              f"({row['why']}){held}")
    print(f"{len(review.due)} record(s) due for destruction; review and destroy them at /admin/retention")
    return 0


def cmd_export_center(args: argparse.Namespace) -> int:
    from pathlib import Path

    from polymodal.core.access import Actor
    from polymodal.core.interop import center_export

    practice = _practice()
    with practice.work(Actor.system("cli"), write=False) as work:
        manifest = center_export.write_archive(work, Path(args.out))
    print(f"{args.out}: {sum(manifest['tables'].values())} rows, {sum(manifest['fhir'].values())} FHIR resources")
    return 0


def cmd_export_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from polymodal.core.interop import center_export

    counts = center_export.restore(_practice().engine, Path(args.archive))
    print(f"restored {sum(counts.values())} rows into {len(counts)} tables; every user must set a new password")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="polymodal", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web app")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--request-timeout", type=float, default=20.0,
                       help="seconds to receive a request's headers and body (default 20)")
    serve.add_argument("--per-address", type=int, default=64,
                       help="open connections one address may hold; 0 behind a reverse proxy (default 64)")
    serve.add_argument("--connections", type=int, default=0,
                       help="concurrent connections per worker before new requests get 503 "
                            "(default: the open-file limit less 100, at most 10,000)")
    serve.add_argument("--page-threads", type=int, default=0,
                       help="threads per worker that run pages (default POLYMODAL_PAGE_THREADS, else 2 on SQLite "
                            "and cores + 4 on PostgreSQL; long work such as exports has two threads of its own)")
    serve.add_argument("--trusted-proxies", default=os.environ.get("POLYMODAL_TRUSTED_PROXIES", "127.0.0.1"),
                       help="comma-separated proxy addresses whose X-Forwarded-For is believed")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run job workers (sending, reminders) without the web app")
    worker.add_argument("--workers", type=int, default=0, help="threads (default POLYMODAL_JOB_WORKERS, 2)")
    worker.set_defaults(func=cmd_worker)

    sink = sub.add_parser("mailsink", help="development: keep sent e-mail and show it in the browser")
    sink.add_argument("--smtp-port", type=int, default=1025)
    sink.add_argument("--http-port", type=int, default=8025)
    sink.set_defaults(func=cmd_mailsink)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    up = db.add_parser("upgrade", help="migrate to the newest schema")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=cmd_db_upgrade)
    down = db.add_parser("downgrade", help="migrate back to REVISION")
    down.add_argument("revision")
    down.set_defaults(func=cmd_db_downgrade)
    copy = db.add_parser("backup", help="copy the SQLite database while in use to PATH and verify the copy "
                                        "(PostgreSQL: pg_dump guidance)")
    copy.add_argument("path")
    copy.set_defaults(func=cmd_db_backup)
    back = db.add_parser("restore", help="replace the SQLite database with the backup PATH, if it verifies")
    back.add_argument("path")
    back.add_argument("--force", action="store_true", help="replace a database that holds data (stop the server first)")
    back.set_defaults(func=cmd_db_restore)

    sub.add_parser("demo", help="create the demo center (once) and print its logins").set_defaults(func=cmd_demo)

    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="user_command", required=True)
    create = user.add_parser("create", help="create a user (password from POLYMODAL_PASSWORD or a prompt)")
    create.add_argument("username")
    create.add_argument("--name", default="")
    create.add_argument("--email", default="")
    create.add_argument("--role", action="append", required=True,
                        choices=["admin", "front_desk", "practitioner", "supervisor"])
    create.add_argument("--discipline", action="append", default=[])
    create.add_argument("--supervisor", default=None)
    create.set_defaults(func=cmd_user_create)

    plugins = sub.add_parser("plugins", help="installed plugins").add_subparsers(dest="plugins_command",
                                                                                 required=True)
    listing = plugins.add_parser("list", help="each plugin, its version and contributions")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_plugins_list)
    check = plugins.add_parser("check", help="validate an installed plugin's contributions")
    check.add_argument("name")
    check.set_defaults(func=cmd_plugins_check)
    new = plugins.add_parser("new", help="make a modality plugin package to start from")
    new.add_argument("name", help="the plugin's name: its entry point and the prefix of its keys")
    new.add_argument("--title", default="", help="the modality's name as people read it")
    new.add_argument("--dir", default=".", help="where to make the package's folder")
    new.set_defaults(func=cmd_plugins_new)
    sweep = plugins.add_parser("sweep", help="run the authorization and injection sweeps on an installed plugin")
    sweep.add_argument("name")
    sweep.set_defaults(func=cmd_plugins_sweep)
    reference = plugins.add_parser("reference", help="write the plugin reference (models, hooks) into a folder")
    reference.add_argument("--out", default="docs/reference", help="the folder to write (default docs/reference)")
    reference.add_argument("--check", action="store_true", help="write nothing; exit 1 if the folder is stale")
    reference.set_defaults(func=cmd_plugins_reference)

    audit_cmd = sub.add_parser("audit", help="audit trail").add_subparsers(dest="audit_command", required=True)
    verify = audit_cmd.add_parser("verify", help="check the keyed hash chain and the seals of signed notes")
    verify.add_argument("--checkpoint", metavar="PATH",
                        help="a checkpoint file, or a folder of them (the newest is used): detects a cut-off tail")
    verify.set_defaults(func=cmd_audit_verify)
    checkpoint = audit_cmd.add_parser("checkpoint", help="write the signed head of a verified trail to PATH")
    checkpoint.add_argument("path", help="a file, or a folder to write audit-checkpoint-<seq>-<time>.json into")
    checkpoint.set_defaults(func=cmd_audit_checkpoint)

    retention = sub.add_parser("retention", help="record retention").add_subparsers(dest="retention_command",
                                                                                  required=True)
    due_cmd = retention.add_parser("due", help="list the records due for destruction today (the same as "
                                              "/admin/retention)")
    due_cmd.add_argument("--json", action="store_true")
    due_cmd.add_argument("--held", action="store_true", help="also list held records that would be due")
    due_cmd.set_defaults(func=cmd_retention_due)

    export = sub.add_parser("export", help="the whole center as one archive").add_subparsers(
        dest="export_command", required=True)
    center = export.add_parser("center", help="write every record, plugin definitions, audit trail and FHIR")
    center.add_argument("--out", required=True)
    center.set_defaults(func=cmd_export_center)
    restore = export.add_parser("restore", help="load an archive into an empty, migrated database")
    restore.add_argument("archive")
    restore.set_defaults(func=cmd_export_restore)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except StartupError as exc:
        print(f"polymodal: cannot start: {exc}", file=sys.stderr)
        return 3
    except PolymodalError as exc:
        detail = getattr(exc, "errors", None)
        print(f"polymodal: {json.dumps(detail) if detail else exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

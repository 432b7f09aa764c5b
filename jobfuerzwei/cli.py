"""Command line: ``jobfuerzwei <command>``; ``jobfuerzwei --help`` lists the commands.

Each subcommand's help says what it does; ``main`` only dispatches.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import pyotp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from jobfuerzwei.config import ConfigError, Settings, load_settings
from jobfuerzwei.db.engine import create_engine, migrate
from jobfuerzwei.heap import tune_gc
from jobfuerzwei.staff.models import StaffRole, StaffUser
from jobfuerzwei.staff.services import create_staff
from jobfuerzwei.web.twofactor import new_secret

DEV_COORDINATOR = "koordination@jobfuerzwei.example"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobfuerzwei", description="Job für Zwei: network software")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web app (embedded default: SQLite, demo data, mail sink)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="web worker processes (production)")
    sub.add_parser("migrate", help="upgrade the database to the newest schema")
    backup = sub.add_parser(
        "backup", help="SQLite only: write a consistent copy of the database to a new file, while the app runs"
    )
    backup.add_argument("path", type=Path, help="the new file (PostgreSQL: use pg_dump, see README)")
    sub.add_parser("worker", help="run the outbox mail worker (production; several may run on PostgreSQL)")
    staff = sub.add_parser("create-staff", help="create a staff account (password read from stdin)")
    staff.add_argument("email")
    staff.add_argument("--name", default="")
    staff.add_argument(
        "--role", choices=[r.value for r in StaffRole], default=StaffRole.COORDINATOR.value, help="default: coordinator"
    )
    code = sub.add_parser("totp-code", help="dev mode only: print the current two-factor code of a staff account")
    code.add_argument("email")
    sub.add_parser("load-demo", help="load the demo network from fixtures/ into an empty database")
    sub.add_parser(
        "purge",
        help="apply the retention rules: unconfirmed and inactive profiles, closed referrals, declined applications "
        "(the worker runs them too)",
    )
    occupations = sub.add_parser("occupations", help="the ESCO occupation catalogue")
    occ_sub = occupations.add_subparsers(dest="occupations_command", required=True)
    occ_sub.add_parser("classify", help="classify job titles: one per line on stdin, one JSON object per line out")
    occ_sub.add_parser(
        "reclassify", help="classify every stored title again (after upgrading, or when the synonym list changed)"
    )
    cov = sub.add_parser("coverage", help="coverage model (Modellrechnung) on CSV files: needs against a pool")
    cov.add_argument("--needs", type=Path, required=True, help="CSV of open positions (see README)")
    cov.add_argument("--pool", type=Path, required=True, help="CSV of people (see README)")
    cov.add_argument("--threshold", type=float, default=None, help="minimum score of a pair (default: settings)")
    cov.add_argument("--csv", action="store_true", help="print the assignment as CSV instead of a summary")
    return parser


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911  # one branch per subcommand
    """Entry point of the ``jobfuerzwei`` command."""
    args = _parser().parse_args(argv)
    if args.command == "occupations" and args.occupations_command == "classify":
        # pure: needs neither settings nor a database
        from jobfuerzwei.matching.occupations import classify_lines

        classify_lines(sys.stdin, sys.stdout)
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"jobfuerzwei: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    if args.command == "migrate":
        migrate(settings.db.url)
        return 0
    if args.command == "backup":
        return _backup(settings, args.path)
    if args.command == "worker":
        tune_gc()
        return asyncio.run(_worker(settings))
    if args.command == "create-staff":
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 12:
            print("jobfuerzwei: password must have at least 12 characters", file=sys.stderr)  # noqa: T201
            return 2
        asyncio.run(_create_staff(settings, args.email, password, args.name, StaffRole(args.role)))
        return 0
    if args.command == "totp-code":
        return asyncio.run(_totp_code(settings, args.email))
    if args.command == "purge":
        return asyncio.run(_purge(settings))
    if args.command == "occupations":
        count = asyncio.run(_reclassify(settings))
        print(f"classified {count} stored title(s)")  # noqa: T201
        return 0
    if args.command == "coverage":
        from jobfuerzwei.matching.coverage_cli import run_coverage

        threshold = args.threshold if args.threshold is not None else settings.matching.coverage_threshold
        return run_coverage(
            args.needs,
            args.pool,
            threshold=threshold,
            weights=settings.matching.weights,
            out=sys.stdout,
            fmt="csv" if args.csv else "text",
        )
    if args.command == "load-demo":
        migrate(settings.db.url)
        asyncio.run(_load_demo(settings))
        return 0
    return _serve(settings, args.host, args.port, args.workers)


def _serve(settings: Settings, host: str, port: int, workers: int) -> int:
    import os

    import uvicorn

    if settings.dev_mode and "JFZ_BASE_URL" not in os.environ:
        os.environ["JFZ_BASE_URL"] = f"http://{host}:{port}"
        settings = load_settings()
    if workers > 1 and (settings.mail.dev_sink or settings.db.url.startswith("sqlite")):
        # each process would start its own mail sink on the same port; SQLite wants one writing process
        print("jobfuerzwei: --workers > 1 needs PostgreSQL and a real SMTP server; starting one process")  # noqa: T201
        workers = 1
    migrate(settings.db.url)
    if settings.dev_mode:
        asyncio.run(_dev_setup(settings))
        print(f"jobfuerzwei läuft auf {settings.base_url}  (Mails: {settings.base_url}/coordinator/mails)")  # noqa: T201
    import jobfuerzwei.app  # noqa: F401  # imported before tune_gc, so the frameworks' objects are frozen too

    tune_gc()
    uvicorn.run(
        "jobfuerzwei.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers if workers > 1 else None,
        proxy_headers=False,
        access_log=False,  # access logs carry tokens in paths: personal data
    )
    return 0


async def _dev_setup(settings: Settings) -> None:
    engine = create_engine(settings.db.url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    cred_file = settings.data_dir / "coordinator-login.txt"
    async with maker() as session, session.begin():
        count = await session.scalar(select(func.count()).select_from(StaffUser))
        if not count:
            password = secrets.token_urlsafe(12)
            secret = new_secret()
            await create_staff(session, DEV_COORDINATOR, password, "Koordination (Demo)", totp_secret=secret)
            cred_file.write_text(f"{DEV_COORDINATOR}\n{password}\n{secret}\n")
            cred_file.chmod(0o600)
    if settings.load_demo_data:
        from jobfuerzwei.demo import load_demo

        await load_demo(maker, settings)
    await engine.dispose()
    if cred_file.exists():
        email, password, secret = [*cred_file.read_text().split("\n"), "", ""][:3]
        print(f"Koordinations-Login (nur Demo): {email} / {password}")  # noqa: T201
        if secret:
            print(  # noqa: T201
                f"Zwei-Faktor-Code: Schlüssel {secret} in eine Authenticator-App eingeben, "
                f"oder den aktuellen Code mit: ./jfz totp-code {email}"
            )


def _backup(settings: Settings, path: Path) -> int:
    from jobfuerzwei.db.backup import BackupError, backup_sqlite

    try:
        result = backup_sqlite(settings.db.url, path)
    except BackupError as exc:
        print(f"jobfuerzwei: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    print(f"backup written: {result.path} ({result.size} bytes, integrity ok)")  # noqa: T201
    return 0


async def _create_staff(settings: Settings, email: str, password: str, name: str, role: StaffRole) -> None:
    engine = create_engine(settings.db.url)
    async with async_sessionmaker(engine)() as session, session.begin():
        await create_staff(session, email, password, name, role=role)
    await engine.dispose()


async def _totp_code(settings: Settings, email: str) -> int:
    """The demo's convenience: the code an authenticator app would show (never outside dev mode)."""
    if not settings.dev_mode:
        print("jobfuerzwei: totp-code works in dev mode only; use an authenticator app", file=sys.stderr)  # noqa: T201
        return 2
    engine = create_engine(settings.db.url)
    async with async_sessionmaker(engine)() as session:
        secret = await session.scalar(select(StaffUser.totp_secret).where(StaffUser.email == email.strip().lower()))
    await engine.dispose()
    if not secret:
        print("jobfuerzwei: no such account, or its two-factor login is not set up yet", file=sys.stderr)  # noqa: T201
        return 1
    print(pyotp.TOTP(secret).now())  # noqa: T201
    return 0


async def _reclassify(settings: Settings) -> int:
    from jobfuerzwei.matches.reclassify import reclassify_all

    engine = create_engine(settings.db.url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
            return await reclassify_all(session)
    finally:
        await engine.dispose()


async def _load_demo(settings: Settings) -> None:
    from jobfuerzwei.demo import load_demo

    engine = create_engine(settings.db.url)
    await load_demo(async_sessionmaker(engine, expire_on_commit=False), settings)
    await engine.dispose()


async def _purge(settings: Settings) -> int:
    """Run the retention rules once and print their counts; exit code 1 when a rule failed."""
    from jobfuerzwei.dataprotection.models import PurgeTrigger
    from jobfuerzwei.dataprotection.retention import run_purge

    engine = create_engine(settings.db.url)
    try:
        run = await run_purge(async_sessionmaker(engine, expire_on_commit=False), settings, trigger=PurgeTrigger.CLI)
    finally:
        await engine.dispose()
    lines = (
        f"purged {run.unconfirmed_deleted} unconfirmed profile(s)",
        f"asked {run.inactive_asked} partner(s) whether to keep their inactive profile",
        f"deleted {run.inactive_deleted} inactive profile(s)",
        f"anonymised {run.referrals_anonymised} closed referral(s)",
        f"purged {run.applications_deleted} declined membership application(s)",
        f"purged {run.audit_deleted} audit log entr(y/ies) past their retention",
        f"purged {run.invitations_deleted} invitation(s) of past meetings",
    )
    print("\n".join(lines))  # noqa: T201
    if run.failed_rules:
        print(f"jobfuerzwei: failed rules (retried next run): {run.failed_rules}", file=sys.stderr)  # noqa: T201
        return 1
    return 0


async def _worker(settings: Settings) -> int:
    from jobfuerzwei.mail.worker import OutboxWorker

    engine = create_engine(settings.db.url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    worker = OutboxWorker(settings.mail, maker)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    from jobfuerzwei.maintenance import run_periodically

    await asyncio.gather(worker.run(stop), run_periodically(maker, settings, stop))
    await engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

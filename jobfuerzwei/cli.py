"""Command line: ``jobfuerzwei serve | migrate | worker | create-staff | load-demo | purge | occupations | coverage``.

Each subcommand's help says what it does; ``main`` only dispatches.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import secrets
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from jobfuerzwei.config import ConfigError, Settings, load_settings
from jobfuerzwei.db.engine import create_engine, migrate
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.staff.services import create_staff

DEV_COORDINATOR = "koordination@jobfuerzwei.example"


def tune_gc() -> None:
    """Settle the heap of a long-running process before it serves.

    Everything imported so far (Litestar, SQLAlchemy, Jinja2: a few hundred thousand objects) moves out of the
    collector's reach, and young collections run less often. Without this, a request that creates many objects
    (a circulation to 1,000 members) triggers full collections that walk the whole heap and add 50-150 ms.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jobfuerzwei", description="Job für Zwei: network software")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web app (embedded default: SQLite, demo data, mail sink)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="web worker processes (production)")
    sub.add_parser("migrate", help="upgrade the database to the newest schema")
    sub.add_parser("worker", help="run the outbox mail worker (production; several may run on PostgreSQL)")
    staff = sub.add_parser("create-staff", help="create a coordinator account (password read from stdin)")
    staff.add_argument("email")
    staff.add_argument("--name", default="")
    sub.add_parser("load-demo", help="load the demo network from fixtures/ into an empty database")
    sub.add_parser(
        "purge", help="delete profiles left unconfirmed and declined applications past their retention (run daily)"
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
    if args.command == "worker":
        tune_gc()
        return asyncio.run(_worker(settings))
    if args.command == "create-staff":
        password = sys.stdin.readline().rstrip("\n")
        if len(password) < 12:
            print("jobfuerzwei: password must have at least 12 characters", file=sys.stderr)  # noqa: T201
            return 2
        asyncio.run(_create_staff(settings, args.email, password, args.name))
        return 0
    if args.command == "purge":
        count = asyncio.run(_purge(settings))
        print(f"purged {count} unconfirmed profile(s)")  # noqa: T201
        return 0
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
            await create_staff(session, DEV_COORDINATOR, password, "Koordination (Demo)")
            cred_file.write_text(f"{DEV_COORDINATOR}\n{password}\n")
            cred_file.chmod(0o600)
    if settings.load_demo_data:
        from jobfuerzwei.demo import load_demo

        await load_demo(maker, settings)
    await engine.dispose()
    if cred_file.exists():
        email, password = cred_file.read_text().split("\n")[:2]
        print(f"Koordinations-Login (nur Demo): {email} / {password}")  # noqa: T201


async def _create_staff(settings: Settings, email: str, password: str, name: str) -> None:
    engine = create_engine(settings.db.url)
    async with async_sessionmaker(engine)() as session, session.begin():
        await create_staff(session, email, password, name)
    await engine.dispose()


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
    from jobfuerzwei.membership.services import purge_declined
    from jobfuerzwei.profiles.privacy import purge_unconfirmed

    engine = create_engine(settings.db.url)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
        count = await purge_unconfirmed(session, settings)
        declined = await purge_declined(session, settings)
    await engine.dispose()
    if declined:
        print(f"purged {declined} declined membership application(s)")  # noqa: T201
    return count


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

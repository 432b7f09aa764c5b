"""Engine creation and migrations; shared by the web app, the worker and the CLI."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from advanced_alchemy.types import GUID
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError, InterfaceError, InvalidatePoolError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


POOL_OVERFLOW = 10
"""Connections opened beyond the pool when it is exhausted, closed again when given back to a full pool."""


def create_engine(
    url: str,
    *,
    echo: bool = False,
    null_pool: bool = False,
    idle_ping_seconds: float | None = None,
    pool_size: int = 10,
) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, a busy timeout and enforced foreign keys.

    ``null_pool`` opens a connection per session: for engines used from more than one event loop (tests).
    Statement parameters are hidden from error messages and logs: they carry personal data. PostgreSQL connections
    idle for longer than ``idle_ping_seconds`` (default ``IDLE_PING_SECONDS``) are pinged before use. The app
    keeps ``pool_size`` of them (``JFZ_DATABASE_POOL_SIZE``); commands and the mail worker need few.
    """
    pool: dict[str, Any] = {"poolclass": NullPool} if null_pool else {}
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo, hide_parameters=True, connect_args={"timeout": 30}, **pool)
        event.listen(engine.sync_engine, "connect", sqlite_pragmas(busy_timeout_ms=30_000))
        return engine
    if not null_pool:
        pool = {"pool_size": pool_size, "max_overflow": POOL_OVERFLOW}
    # the connect timeout keeps a request from hanging for asyncpg's default minute when the server does not answer
    # at all (it gets a 503 instead, see web/errors.py)
    engine = create_async_engine(url, echo=echo, hide_parameters=True, connect_args={"timeout": 10}, **pool)
    ping_idle_connections(engine, IDLE_PING_SECONDS if idle_ping_seconds is None else idle_ping_seconds)
    return engine


IDLE_PING_SECONDS = 1.0
"""A pooled connection unused for longer is pinged before it is handed out (``ping_idle_connections``)."""


def ping_idle_connections(engine: AsyncEngine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Replace connections a database restart closed: SQLAlchemy's pre-ping, for idle connections only.

    ``pool_pre_ping`` pings on every checkout: one more round trip for every request, about a tenth of a cached
    page's time. Here a connection is pinged only when it sat in the pool for more than ``idle_seconds``, which is
    when a restart may have closed it unnoticed. One that was in use a moment ago either works or fails its
    statement; that request gets the 503 page, and SQLAlchemy's disconnect handling drops every older pooled
    connection, as a failed ping does here (``InvalidatePoolError``).
    """
    dialect = engine.dialect

    def checked_in(dbapi_connection: DBAPIConnection | None, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    def checked_out(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, proxy: object) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since <= idle_seconds:
            return  # new, or in use a moment ago
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if not dialect.is_disconnect(exc, dbapi_connection, None):
                raise
            alive = False
        if not alive:
            raise InvalidatePoolError  # this connection is replaced, and every older pooled one on its checkout

    event.listen(engine.sync_engine.pool, "checkin", checked_in)
    event.listen(engine.sync_engine.pool, "checkout", checked_out)


def is_database_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached right now (restart, failover, network), as opposed to a bug in a query.

    Refused connections surface as plain ``ConnectionError`` (asyncpg raises them unwrapped at connect), dropped
    ones as SQLAlchemy ``OperationalError``/``InterfaceError`` or a ``DBAPIError`` that invalidated its connection;
    a server starting up or shutting down answers with asyncpg's own errors; on SQLite only "database is locked"
    counts. Causes are followed.
    """
    import asyncpg.exceptions as pg_errors

    unavailable = (
        ConnectionError,
        pg_errors.PostgresConnectionError,
        pg_errors.CannotConnectNowError,
        pg_errors.AdminShutdownError,
        pg_errors.CrashShutdownError,
        pg_errors.InterfaceError,
    )
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, unavailable):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        # SQLite has no connections to lose: there only a busy database counts ("no such table" is a bug)
        if isinstance(current, OperationalError | InterfaceError) and (
            "sqlite" not in type(current.orig).__module__ or "locked" in str(current.orig)
        ):
            return True
        current = current.__cause__
    return False


def sqlite_pragmas(*, busy_timeout_ms: int) -> Callable[[DBAPIConnection, ConnectionPoolEntry], None]:
    """A ``connect`` hook for SQLite: WAL, foreign keys, and the wait for the write lock.

    WAL lets the worker write while pages are served; foreign keys are off by default in SQLite; a busy timeout
    of 0 fails at once (for callers that yield and retry instead of blocking their event loop).
    """

    def on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return on_connect


def alembic_config(url: str) -> Config:
    """Alembic configuration without an ini file: the URL comes from settings."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s_%%(rev)s")
    cfg.attributes["configure_logger"] = False
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (blocking; call from a thread inside an event loop)."""
    if url.startswith("sqlite"):
        db_path = url.split("///", 1)[-1]
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def compare_type(
    context: MigrationContext, inspected: Any, column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """Alembic's type comparison, minus one false alarm.

    SQLite has no BINARY type: advanced-alchemy's GUID is created as BINARY(16) and reflected as NUMERIC(16), which
    plain ``compare_type`` reports as a change on every id column. Everything else: Alembic's default (None).
    """
    if context.dialect.name == "sqlite" and isinstance(metadata_type, GUID):
        return False
    return None


def migration_kwargs() -> dict[str, Any]:
    """Options shared by online migrations and autogenerate comparisons."""
    return {"compare_type": compare_type, "render_as_batch": True}

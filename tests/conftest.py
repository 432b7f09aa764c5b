"""Shared fixtures: a real database (SQLite file, or PostgreSQL with JFZ_TEST_DB=postgres), a real SMTP sink
(aiosmtpd on 127.0.0.1), the app and an HTTP client.

Each test runs against committed data and the database is emptied after it. (STYLE.md prefers rolling back an
outer transaction; here the outbox worker, the served app for the browser tests and the worker subprocess in the
fault tests use connections of their own, which cannot see an uncommitted outer transaction.)
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from jobfuerzwei.app import create_app
from jobfuerzwei.config import DatabaseSettings, MailSettings, SecuritySettings, Settings
from jobfuerzwei.db.engine import create_engine, migrate
from jobfuerzwei.db.models import metadata
from jobfuerzwei.mail.worker import OutboxWorker

PG_ADMIN_URL = os.environ.get("JFZ_TEST_PG_URL", "postgresql+asyncpg://jfz:jfz@127.0.0.1:5432/postgres")
BASE_URL = "http://testserver.local"


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (aiosmtpd cannot bind port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """A migrated, empty database for this xdist worker."""
    if os.environ.get("JFZ_TEST_DB", "sqlite") == "postgres":
        name = f"jfz_test_{worker_id}_{secrets.token_hex(4)}"
        admin = PG_ADMIN_URL
        asyncio.run(_pg_admin(admin, f'CREATE DATABASE "{name}"'))
        url = admin.rsplit("/", 1)[0] + f"/{name}"
        migrate(url)
        yield url
        asyncio.run(_pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        url = f"sqlite+aiosqlite:///{path}"
        migrate(url)
        yield url


async def _pg_admin(url: str, statement: str) -> None:
    """Run one statement as the admin role.

    ``DROP DATABASE … WITH (FORCE)`` is retried for a few seconds: an autovacuum worker that just started on the
    database runs as the superuser, and the test role may not terminate it (it ends on its own).
    """
    import asyncpg

    dsn = url.replace("postgresql+asyncpg", "postgresql")
    for attempt in range(20):
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(statement)
            return
        except (asyncpg.InsufficientPrivilegeError, asyncpg.ObjectInUseError):
            if not statement.startswith("DROP DATABASE") or attempt == 19:
                raise
        finally:
            await conn.close()
        await asyncio.sleep(0.5)


@dataclass
class Sink:
    """aiosmtpd handler that keeps every envelope; ``messages`` parses them."""

    envelopes: list[Any] = field(default_factory=list)
    refuse: int = 0
    """Answer this many DATA commands with a 451 (transient) before accepting again."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse > 0:
            self.refuse -= 1
            return "451 Try again later"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.content, policy=email.policy.default)  # type: ignore[misc]
            for e in list(self.envelopes)
        ]

    def clear(self) -> None:
        self.envelopes.clear()
        self.refuse = 0

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if str(m["To"]) == address]


@dataclass
class SinkHandler:
    """What aiosmtpd gets instead of the ``Sink`` itself.

    aiosmtpd looks up the ``handle_*`` hooks with ``inspect.getmembers`` on every new connection, which reads every
    attribute, so handing it the ``Sink`` would parse every mail received so far (``Sink.messages``) per connection
    and stall the server once hundreds have arrived (tests/faults opens hundreds of connections).
    """

    sink: Sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return await self.sink.handle_DATA(server, session, envelope)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = free_port()
    controller = Controller(SinkHandler(sink), hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture
def sink(smtp_server: tuple[Sink, int]) -> Iterator[Sink]:
    smtp_server[0].clear()
    yield smtp_server[0]
    smtp_server[0].clear()


@pytest.fixture
def settings(database_url: str, smtp_server: tuple[Sink, int], tmp_path: Path) -> Settings:
    return Settings(
        db=DatabaseSettings(url=database_url),
        mail=MailSettings(
            host="127.0.0.1",
            port=smtp_server[1],
            starttls=False,
            run_worker_in_app=False,
            dev_sink=False,
            backoff_base_seconds=0.01,
            poll_seconds=0.05,
            connections=2,
        ),
        security=SecuritySettings(secret_key="t" * 48, cookie_secure=False, rate_limit_per_minute=10_000),
        dev_mode=False,
        data_dir=tmp_path / "data",
        base_url=BASE_URL,
    )


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(database_url, null_pool=True)
    yield eng
    await eng.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "database_url" not in request.fixturenames:
        return
    url = request.getfixturevalue("database_url")
    _truncate(url)


def _truncate(url: str) -> None:
    if url.startswith("sqlite"):
        import sqlite3

        con = sqlite3.connect(url.split("///", 1)[1], timeout=30)
        try:
            for table in reversed(metadata.sorted_tables):
                con.execute(f'DELETE FROM "{table.name}"')  # noqa: S608  # table names from our metadata
            con.commit()
        finally:
            con.close()
    else:
        names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        asyncio.run(_pg_url_exec(url, f"TRUNCATE {names} CASCADE"))


async def _pg_url_exec(url: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture
async def db_session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session on the test database (commit what the app should see)."""
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield session


@pytest.fixture
def session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url=BASE_URL) as c:
        yield c


@pytest.fixture
def deliver(settings: Settings, session_maker: async_sessionmaker[AsyncSession], sink: Sink) -> Callable[..., Any]:
    """Run the outbox worker until nothing is due; returns the sink."""

    async def _deliver(max_rounds: int = 100) -> Sink:
        worker = OutboxWorker(settings.mail, session_maker)
        try:
            for _ in range(max_rounds):
                if not await worker.run_once():
                    break
        finally:
            await worker.close()
        return sink

    return _deliver


async def csrf_token(client: AsyncTestClient[Litestar], path: str = "/") -> str:
    """GET a page so the CSRF cookie is set, return the token to post back."""
    response = await client.get(path)
    token = client.cookies.get("csrftoken")
    if not token:
        match = re.search(r'name="_csrf_token" value="([^"]+)"', response.text)
        assert match, f"no CSRF token on {path}"
        token = match.group(1)
    return token


def links_in(message: EmailMessage, pattern: str = r"https?://[^\s\"<>]+") -> list[str]:
    """All links in the text part of a mail."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return re.findall(pattern, str(body.get_content()))  # type: ignore[attr-defined]


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.05) -> None:
    """Poll an observable result with a deadline (for work done by another loop or process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError("condition not met in time")


__all__ = ["BASE_URL", "Sink", "csrf_token", "free_port", "links_in", "replace", "shutil", "wait_until"]

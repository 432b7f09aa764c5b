"""The app and a real worker process survive a PostgreSQL restart (a throw-away instance, see ``tests/faults/pg.py``).

While the database is down, pages answer at once with a German 503 page and ``Retry-After`` (``/healthz`` with a
JSON 503), not a hang and not a 500; the worker process keeps running and logs one line per round without personal
data. After the restart the same app (its pool replaces the dead connections) and the same worker work again:
mail queued then is delivered, each once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.app import create_app
from jobfuerzwei.config import DatabaseSettings, Settings
from jobfuerzwei.db.engine import create_engine, migrate
from jobfuerzwei.mail.models import OutboxStatus
from tests.conftest import BASE_URL, Sink, _pg_admin
from tests.faults.pg import ThrowawayPostgres, pg_available
from tests.mail.helpers import enqueue_many, status_counts

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not pg_available(), reason="PostgreSQL server binaries (initdb, pg_ctl) are not installed"),
    # it brings its own server: once per CI pass is enough, and the PostgreSQL pass is the one that needs the binaries
    pytest.mark.skipif(os.environ.get("JFZ_TEST_DB", "sqlite") != "postgres", reason="runs with JFZ_TEST_DB=postgres"),
]


@pytest.fixture
def throwaway_pg() -> Iterator[ThrowawayPostgres]:
    pg = ThrowawayPostgres()
    try:
        pg.start()
        asyncio.run(_pg_admin(pg.admin_url, "CREATE DATABASE jfz"))
        migrate(pg.url("jfz"))
        yield pg
    finally:
        pg.remove()


def _start_worker(url: str, smtp_port: int, log_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "JFZ_DATABASE_URL": url,
        "JFZ_SECRET_KEY": "k" * 40,
        "JFZ_BASE_URL": BASE_URL,
        "JFZ_SMTP_HOST": "127.0.0.1",
        "JFZ_SMTP_PORT": str(smtp_port),
        "JFZ_SMTP_STARTTLS": "false",
        "JFZ_MAIL_POLL_SECONDS": "0.1",
        "JFZ_MAIL_BACKOFF_SECONDS": "0.05",
    }
    with log_path.open("wb") as log:
        return subprocess.Popen([sys.executable, "-m", "jobfuerzwei", "worker"], env=env, stdout=log, stderr=log)


async def _wait_for(predicate: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


async def test_app_and_worker_survive_a_postgres_restart(
    throwaway_pg: ThrowawayPostgres,
    settings: Settings,
    smtp_server: tuple[Sink, int],
    sink: Sink,
    tmp_path: Path,
) -> None:
    url = throwaway_pg.url("jfz")
    app_settings = dataclasses.replace(settings, db=DatabaseSettings(url=url))
    engine = create_engine(url, null_pool=True)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    log_path = tmp_path / "worker.log"
    worker = _start_worker(url, smtp_server[1], log_path)
    try:
        async with AsyncTestClient(app=create_app(app_settings), base_url=BASE_URL) as client:
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/angebote")).status_code == 200
            await enqueue_many(maker, app_settings, 10, prefix="before")

            async def delivered(n: int) -> bool:
                return (await _sent(maker)) == n

            await _wait_for(lambda: delivered(10), 30)

            throwaway_pg.stop()
            started = time.monotonic()
            health = await client.get("/healthz")
            page = await client.get("/angebote")
            assert time.monotonic() - started < 5  # answered at once, no hang
            assert health.status_code == 503
            assert health.json()["status_code"] == 503
            assert page.status_code == 503
            assert page.headers["retry-after"] == "30"
            assert "Die Datenbank ist gerade nicht erreichbar" in page.text
            assert "Traceback" not in page.text
            await asyncio.sleep(1.0)  # several worker rounds against the stopped server
            assert worker.poll() is None, log_path.read_text()

            throwaway_pg.start()
            assert (await client.get("/healthz")).status_code == 200  # the pool replaced its dead connections
            assert (await client.get("/angebote")).status_code == 200
            await enqueue_many(maker, app_settings, 10, prefix="after")
            await _wait_for(lambda: delivered(20), 30)  # the same worker process delivers again
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        await engine.dispose()
    assert worker.returncode == 0, log_path.read_text()[-3000:]
    ids = Counter(str(m["Message-ID"]) for m in sink.messages)
    assert len(ids) == 20
    assert set(ids.values()) == {1}
    log = log_path.read_text()
    assert "database unavailable" in log  # the outage was noticed and logged ...
    assert "@example.org" not in log  # ... without recipients
    assert "before0" not in log
    assert "Traceback" not in log


async def _sent(maker: async_sessionmaker[AsyncSession]) -> int:
    try:
        return (await status_counts(maker))[OutboxStatus.SENT]
    except OSError:
        return -1

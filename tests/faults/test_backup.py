"""``jobfuerzwei backup PATH`` copies a SQLite database that the app is writing to; the restored copy is whole.

Whole means: ``integrity_check`` is ok, no foreign key is broken, and the copy is one point in time. Each writer
transaction stores one shared mail body and exactly 20 outbox rows pointing at it (``enqueue_many``), while the
app's own mail worker marks rows sent; a torn copy would hold a body with fewer than 20 rows, or a row without
its body. The restored copy then migrates (already at head) and serves the app.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import async_sessionmaker

from jobfuerzwei.app import create_app
from jobfuerzwei.cli import main
from jobfuerzwei.config import DatabaseSettings, Settings
from jobfuerzwei.db.engine import create_engine, migrate
from jobfuerzwei.mail.outbox import enqueue_many
from tests.conftest import BASE_URL, Sink

ROWS_PER_TRANSACTION = 20


def _cli_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "JFZ_DATABASE_URL": url,
        "JFZ_SECRET_KEY": "k" * 40,
        "JFZ_BASE_URL": BASE_URL,
        "JFZ_SMTP_HOST": "127.0.0.1",
    }


@pytest.mark.skipif(os.environ.get("JFZ_TEST_DB", "sqlite") == "postgres", reason="runs in the SQLite pass")
async def test_backups_taken_while_the_app_writes_restore_whole(
    settings: Settings,
    sink: Sink,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.sqlite3'}"
    await asyncio.to_thread(migrate, url)
    app_settings = dataclasses.replace(
        settings,
        db=DatabaseSettings(url=url),
        mail=dataclasses.replace(settings.mail, run_worker_in_app=True, poll_seconds=0.01),
    )
    engine = create_engine(url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    committed = 0
    stop = asyncio.Event()

    async def write() -> None:
        nonlocal committed
        while not stop.is_set():
            async with maker() as session, session.begin():
                await enqueue_many(
                    session,
                    app_settings,
                    template="smtp_check",
                    subject="Sicherungstest",
                    text="Hallo %N%",
                    html="<p>Hallo %N%</p>",
                    recipients=[(f"r{committed}-{i}@example.org", {"%N%": str(i)}) for i in range(20)],
                )
            committed += 1
            await asyncio.sleep(0.02)

    backups = [tmp_path / "backup" / f"jobfuerzwei-{n}.sqlite3" for n in range(3)]
    backups[0].parent.mkdir()
    for key, value in _cli_env(url).items():
        if key.startswith("JFZ_"):
            monkeypatch.setenv(key, value)
    async with AsyncTestClient(app=create_app(app_settings), base_url=BASE_URL) as client:
        writer = asyncio.create_task(write())
        try:
            windows: list[tuple[int, int]] = []
            for path in backups:
                await _delivered(sink, 20 * (len(windows) + 1))  # the app's worker sends, the writer writes
                before = committed
                assert await asyncio.to_thread(main, ["backup", str(path)]) == 0
                windows.append((before, committed))
            assert (await client.get("/healthz")).status_code == 200
        finally:
            stop.set()
            await writer
    await engine.dispose()
    assert capsys.readouterr().out.count("integrity ok") == 3
    pairs = enumerate(zip(backups, windows, strict=True))
    counts = [_check_restored(path, tmp_path / f"restored-{n}", window) for n, (path, window) in pairs]
    assert counts[0] < counts[2] <= committed  # copies of different moments

    restored_url = f"sqlite+aiosqlite:///{tmp_path / 'restored-2' / 'jobfuerzwei.sqlite3'}"
    await asyncio.to_thread(migrate, restored_url)  # already at head: a no-op
    restored_settings = dataclasses.replace(app_settings, db=DatabaseSettings(url=restored_url))
    async with AsyncTestClient(app=create_app(restored_settings), base_url=BASE_URL) as client:
        assert (await client.get("/healthz")).status_code == 200


async def _delivered(sink: Sink, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(sink.envelopes) >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"fewer than {n} mails delivered")


def _check_restored(backup: Path, folder: Path, window: tuple[int, int]) -> int:
    """Restore ``backup`` (copy the file into place) and check it is whole; returns its number of bodies."""
    assert backup.stat().st_mode & 0o077 == 0  # personal data: owner only
    folder.mkdir()
    restored = folder / "jobfuerzwei.sqlite3"
    shutil.copyfile(backup, restored)
    con = sqlite3.connect(restored)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        bodies = con.execute("SELECT count(*) FROM outbox_bodies").fetchone()[0]
        per_body = con.execute(
            "SELECT b.id, count(o.id) FROM outbox_bodies b LEFT JOIN outbox o ON o.body_id = b.id GROUP BY b.id"
        ).fetchall()
        orphans = con.execute("SELECT count(*) FROM outbox WHERE body_id IS NULL").fetchone()[0]
        sent_without_time = con.execute(
            "SELECT count(*) FROM outbox WHERE status = 'sent' AND sent_at IS NULL"
        ).fetchone()[0]
        sent = con.execute("SELECT count(*) FROM outbox WHERE status = 'sent'").fetchone()[0]
    finally:
        con.close()
    before, after = window
    assert before <= bodies <= after + 1  # a point in time during the backup
    assert {n for _, n in per_body} == {ROWS_PER_TRANSACTION}  # whole transactions only
    assert orphans == 0
    assert sent_without_time == 0
    assert sent > 0
    return int(bodies)


def test_backup_refuses_postgres_and_an_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in _cli_env("postgresql+asyncpg://jfz:jfz@127.0.0.1:5432/jfz").items():
        if key.startswith("JFZ_"):
            monkeypatch.setenv(key, value)
    assert main(["backup", str(tmp_path / "x.sqlite3")]) == 2
    assert "pg_dump" in capsys.readouterr().err

    existing = tmp_path / "exists.sqlite3"
    existing.write_bytes(b"keep me")
    monkeypatch.setenv("JFZ_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    migrate(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    assert main(["backup", str(existing)]) == 2
    assert "exists" in capsys.readouterr().err
    assert existing.read_bytes() == b"keep me"

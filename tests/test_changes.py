"""The database's own change counter (``db.changes``) and the cache built on it: exact, shared, bounded."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

import pytest
from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from jobfuerzwei.audit.models import AuditEntry
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.changes import TRACKED, VersionedCache, compact, data_version
from jobfuerzwei.employers.models import Member
from jobfuerzwei.staff.services import create_staff, read_user, start_session, user_for_session
from tests.test_migrations import _inspect


def _triggered_tables(connection: Connection) -> set[str]:
    if connection.dialect.name == "postgresql":
        query = "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'jfz_count_changes'"
        rows = connection.execute(text(query))
        return {name for (name,) in rows}
    rows = connection.execute(text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"))
    found: dict[str, set[str]] = {}
    for table, name in rows:
        found.setdefault(table, set()).add(name)
    return {t for t, names in found.items() if names >= {f"jfz_count_{t}_{e}" for e in ("insert", "update", "delete")}}


def test_every_tracked_table_counts_its_writes_after_migrate(database_url: str) -> None:
    assert _inspect(database_url, _triggered_tables) == set(TRACKED)


def _member(name: str = "Zählwerk GmbH") -> Member:
    place = {"municipality": "Aalen", "postcode": "73430"}
    return Member(name=name, sector="Handel", interests="", is_active=True, joined_at=utcnow(), **place)


async def test_writes_move_the_version_once_committed_whoever_writes(engine: AsyncEngine) -> None:
    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with maker() as reader, maker() as writer:
        start = await data_version(reader)
        await reader.rollback()

        member = _member()
        writer.add(member)
        await writer.flush()  # written, not committed: another session does not see it yet
        assert await data_version(reader) == start
        await reader.rollback()
        await writer.commit()
        after_insert = await data_version(reader)
        assert after_insert > start
        await reader.rollback()

        # Core statements (bulk updates, deletes) count as well as ORM flushes
        await writer.execute(update(Member).where(Member.id == member.id).values(sector="Bau"))
        await writer.commit()
        after_update = await data_version(reader)
        assert after_update > after_insert
        await reader.rollback()

        # a write elsewhere (audit log) leaves the figures' version alone
        writer.add(AuditEntry(actor_kind="system", action="viewed", detail="x"))
        await writer.commit()
        assert await data_version(reader) == after_update
        await reader.rollback()

        await writer.execute(delete(Member).where(Member.id == member.id))
        await writer.commit()
        assert await data_version(reader) > after_update


@pytest.mark.skipif(os.environ.get("JFZ_TEST_DB", "sqlite") == "postgres", reason="a plain sqlite3 connection")
async def test_a_write_outside_the_app_counts_too(engine: AsyncEngine, database_url: str) -> None:
    import sqlite3

    async with AsyncSession(engine) as session:
        start = await data_version(session)
    con = sqlite3.connect(database_url.split("///", 1)[1])
    try:
        con.execute("UPDATE members SET sector = 'Bau'")  # zero rows: a row trigger does not fire
        con.execute(
            "INSERT INTO members (id, name, sector, municipality, postcode, interests, open_positions, is_active,"
            " joined_at, created_at, updated_at) VALUES (randomblob(16), 'Von Hand', '', '', '', '', '', 1,"
            " '2026-01-01', '2026-01-01', '2026-01-01')"
        )
        con.commit()
    finally:
        con.close()
    async with AsyncSession(engine) as session:
        assert await data_version(session) == start + 1


async def test_compact_keeps_the_version(engine: AsyncEngine) -> None:
    maker = async_sessionmaker(engine, expire_on_commit=False)
    for i in range(3):  # on PostgreSQL each null-pool session is a new connection: three slots
        async with maker() as session, session.begin():
            session.add(_member(f"Mitglied {i}"))
    async with maker() as session:
        before = await data_version(session)
        await session.rollback()
        async with session.begin():
            await compact(session)
        assert await data_version(session) == before
        slots = (await session.execute(text("SELECT count(*) FROM change_counters"))).scalar_one()
        assert slots == 1  # the three writers' connections are closed: folded into slot 0


# --- VersionedCache -----------------------------------------------------------------------------------------------


async def test_the_cache_recomputes_only_after_a_change(engine: AsyncEngine) -> None:
    cache: VersionedCache[int] = VersionedCache()
    maker = async_sessionmaker(engine, expire_on_commit=False)

    async def count(session: AsyncSession) -> int:
        return len((await session.scalars(select(Member.id))).all())

    async with maker() as session:
        assert await cache.get(session, "members", count) == 0
        assert await cache.get(session, "members", count) == 0
        assert cache.computed == 1
        await session.rollback()
        async with maker() as writer, writer.begin():
            writer.add(_member())
        assert await cache.get(session, "members", count) == 1  # exact: the change is seen at once
        assert cache.computed == 2


@dataclass
class Race:
    """Requests for one key of a cache whose first computation waits until ``release`` is set."""

    engine: AsyncEngine
    fail_first: bool = False
    cache: VersionedCache[str] = field(default_factory=VersionedCache)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    calls: int = 0

    async def compute(self, session: AsyncSession) -> str:
        self.calls += 1
        if self.calls == 1:
            self.started.set()
            await self.release.wait()
            if self.fail_first:
                raise RuntimeError("database went away")
        return "figures"

    async def request(self) -> str:
        async with AsyncSession(self.engine) as session:
            return await self.cache.get(session, "dashboard", self.compute)

    async def run(self, waiters: int) -> tuple[asyncio.Task[str], list[asyncio.Task[str]]]:
        """Start the first request, then ``waiters`` more while it computes, then let it finish."""
        first = asyncio.create_task(self.request())
        await self.started.wait()
        others = [asyncio.create_task(self.request()) for _ in range(waiters)]
        await asyncio.sleep(0.05)
        self.release.set()
        return first, others


async def test_concurrent_requests_share_one_computation(engine: AsyncEngine) -> None:
    race = Race(engine)
    first, others = await race.run(5)
    assert await asyncio.gather(first, *others) == ["figures"] * 6
    assert race.cache.computed == race.calls == 1


async def test_a_failed_computation_is_not_kept_and_waiters_try_again(engine: AsyncEngine) -> None:
    race = Race(engine, fail_first=True)
    first, (waiter,) = await race.run(1)
    with pytest.raises(RuntimeError):
        await first
    assert await waiter == "figures"  # the waiter computed on its own
    assert (race.cache.computed, race.calls) == (1, 2)


async def test_the_cache_keeps_the_most_recently_used_keys(engine: AsyncEngine) -> None:
    cache: VersionedCache[str] = VersionedCache(size=2)

    async def value(session: AsyncSession) -> str:
        return "v"

    async with AsyncSession(engine) as session:
        for key in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" comes
            await cache.get(session, key, value)
        computed = cache.computed
        await cache.get(session, "a", value)
        assert cache.computed == computed
        await cache.get(session, "b", value)
        assert cache.computed == computed + 1


async def test_the_reading_login_brings_the_version_and_the_account_as_loaded(engine: AsyncEngine) -> None:
    """``read_user`` (kept pages, on the driver for PostgreSQL) gives what the ORM login gives, and the version."""
    maker = async_sessionmaker(engine, expire_on_commit=False)
    async with maker() as session:
        user = await create_staff(session, "zaehler@ihk.example", "ein langes Passwort 123", name="Zähler")
        token = await start_session(session, user, 1, verified=True)
        half_open = await start_session(session, user, 1)
        session.add(_member())  # a tracked write
        await session.commit()
    read, version = await read_user(engine, token)
    async with maker() as session:
        assert version == await data_version(session)
        loaded = await user_for_session(session, token)
    assert loaded is not None
    assert read is not None
    for attribute in ("id", "email", "name", "role", "is_active", "language", "created_at", "last_login_at"):
        assert getattr(read, attribute) == getattr(loaded, attribute), attribute
    assert read.created_at.tzinfo is not None  # SQLAlchemy's conversions applied on the driver path too
    assert inspect(read).detached
    assert read.is_coordinator

    assert await read_user(engine, half_open) == (None, version)  # second factor not done: no user
    assert await read_user(engine, "unknown-token") == (None, None)
    assert await read_user(engine, None) == (None, None)

"""Migrations on an empty database of the configured test engine (SQLite file, or a fresh PostgreSQL database
with JFZ_TEST_DB=postgres): upgrade to head, no drift against the models, and a clean way back down."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Boolean, String, column, inspect, select, table
from sqlalchemy.engine import Connection

from jobfuerzwei.db.engine import alembic_config, create_engine, migrate, migration_kwargs
from jobfuerzwei.db.models import metadata
from tests.conftest import PG_ADMIN_URL, _pg_admin


@pytest.fixture
def empty_database(tmp_path: Path, worker_id: str) -> Iterator[str]:
    """A database with no tables at all, dropped afterwards."""
    if os.environ.get("JFZ_TEST_DB", "sqlite") == "postgres":
        name = f"jfz_migrations_{worker_id}_{secrets.token_hex(4)}"
        asyncio.run(_pg_admin(PG_ADMIN_URL, f'CREATE DATABASE "{name}"'))
        try:
            yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        finally:
            asyncio.run(_pg_admin(PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.sqlite3'}"


def _inspect(url: str, fn: Any) -> Any:
    async def run() -> Any:
        engine = create_engine(url, null_pool=True)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(fn)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _drift(connection: Connection) -> list[Any]:
    opts = migration_kwargs()
    context = MigrationContext.configure(connection, opts=opts)
    return list(compare_metadata(context, metadata))


def test_upgrade_head_on_an_empty_database_creates_every_table(empty_database: str) -> None:
    assert _inspect(empty_database, _tables) == set()

    migrate(empty_database)

    assert _inspect(empty_database, _tables) == {*metadata.tables, "alembic_version"}
    head = ScriptDirectory.from_config(alembic_config(empty_database)).get_current_head()
    assert _inspect(empty_database, _revision) == head


def test_autogenerate_finds_no_drift_after_upgrade(empty_database: str) -> None:
    migrate(empty_database)

    assert _inspect(empty_database, _drift) == []


def test_there_is_one_head(empty_database: str) -> None:
    heads = ScriptDirectory.from_config(alembic_config(empty_database)).get_heads()
    assert len(heads) == 1


def test_downgrade_to_base_removes_every_table_and_upgrade_works_again(empty_database: str) -> None:
    migrate(empty_database)

    command.downgrade(alembic_config(empty_database), "base")
    assert _inspect(empty_database, _tables) <= {"alembic_version"}

    migrate(empty_database)
    assert _inspect(empty_database, _drift) == []


def test_0002_copies_each_line_of_the_old_open_positions_into_a_position_row(empty_database: str) -> None:
    migrate(empty_database, "0001")
    member_id = uuid.uuid4()

    def insert_member(connection: Connection) -> None:
        stamp = DateTimeUTC(timezone=True)
        members = table(
            "members",
            column("id", GUID(length=16)),
            *(column(n, String()) for n in ("name", "sector", "municipality", "postcode", "interests")),
            column("open_positions", String()),
            column("is_active", Boolean()),
            *(column(n, stamp) for n in ("joined_at", "created_at", "updated_at")),
        )
        now = dt.datetime.now(dt.UTC)
        connection.execute(
            members.insert().values(
                id=member_id,
                name="Optikwerk",
                sector="",
                municipality="Oberkochen",
                postcode="73447",
                interests="Optik",
                open_positions="Feinoptiker/in\n\n  CNC-Fräser (m/w/d)  \ncnc-fräser (m/w/d)\n",
                is_active=True,
                joined_at=now,
                created_at=now,
                updated_at=now,
            )
        )

    _write(empty_database, insert_member)
    migrate(empty_database)

    def positions(connection: Connection) -> list[Any]:
        rows = connection.execute(select(column("title"), column("is_open")).select_from(table("positions")))
        return [(title, bool(is_open)) for title, is_open in rows]

    rows = _inspect(empty_database, positions)
    assert sorted(rows) == [("CNC-Fräser (m/w/d)", True), ("Feinoptiker/in", True)]


def _write(url: str, fn: Any) -> None:
    async def run() -> None:
        engine = create_engine(url, null_pool=True)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(fn)
        finally:
            await engine.dispose()

    asyncio.run(run())


# --- migration 0012: the reached stage of existing referrals ---------------------------------------------------------


def test_0012_fills_each_referrals_reached_stage_from_its_events(empty_database: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import AsyncSession

    from jobfuerzwei.db.changes import TRACKED
    from jobfuerzwei.referrals.models import Actor, Referral, ReferralEvent, ReferralState
    from tests.coordinator.conftest import make_member, make_profile
    from tests.test_changes import _triggered_tables

    migrate(empty_database)
    steps = {  # the events of each referral → the stage it reached
        "jumped": ([ReferralState.INTERESTED, ReferralState.HIRED], 5),
        "closed after interview": (
            [ReferralState.INTERESTED, ReferralState.IN_CONTACT, ReferralState.INTERVIEW, ReferralState.CLOSED],
            3,
        ),
        "just interested": ([ReferralState.INTERESTED], 1),
    }

    async def build() -> dict[str, Any]:
        engine = create_engine(empty_database, null_pool=True)
        ids: dict[str, Any] = {}
        try:
            async with AsyncSession(engine, expire_on_commit=False) as session:
                profile = await make_profile(session)
                for name, (states, _) in steps.items():
                    member = await make_member(session, name, email=f"{len(ids)}@example.org")
                    referral = Referral(profile_id=profile.id, member_id=member.id, state=states[-1], reached_stage=1)
                    referral.events = [
                        ReferralEvent(from_state=None, to_state=state, actor=Actor.COORDINATOR, note="")
                        for state in states
                    ]
                    session.add(referral)
                    await session.commit()
                    ids[name] = referral.id
        finally:
            await engine.dispose()
        return ids

    ids = asyncio.run(build())
    command.downgrade(alembic_config(empty_database), "0011")
    migrate(empty_database)

    def reached(connection: Connection) -> dict[Any, int]:
        return dict(connection.execute(text("SELECT id, reached_stage FROM referrals")).tuples().all())

    found = _inspect(empty_database, reached)
    by_id = {(k.hex() if isinstance(k, bytes) else uuid.UUID(str(k)).hex): v for k, v in found.items()}
    assert {name: by_id[ids[name].hex] for name in steps} == {name: stage for name, (_, stage) in steps.items()}
    assert _inspect(empty_database, _triggered_tables) == set(TRACKED)  # the downgrade's rebuilds lost nothing


def test_0013_fills_the_match_keys_and_a_downgrade_keeps_the_change_triggers(empty_database: str) -> None:
    from sqlalchemy import text

    from jobfuerzwei.db.changes import TRACKED
    from tests.test_changes import _triggered_tables

    migrate(empty_database, "0012")

    def insert_profile(connection: Connection) -> None:
        connection.execute(
            text(
                "INSERT INTO profiles (id, number, kind, status, applicant_name, applicant_email, partner_name,"
                " partner_email, partner_phone, residence, occupations, occupation_uris, qualification,"
                " experience_years, summary, skills, languages, working_time, work_municipalities, work_postcode,"
                " notes, rejected_reason, applicant_consented_at, last_activity_at, language, created_at, updated_at)"
                " VALUES (:id, 1, 'partner', 'confirmed', 'A', 'a@example.org', 'B', ' Bernd@Example.ORG ',"
                " '+49 (7361) 12345', '  Bad   Urach ', '[]', '[]', 'apprenticeship', 1, '', '[]', '[]', 'full_time',"
                " '[]', '', '', '', :now, :now, 'de', :now, :now)"
            ),
            {
                "id": uuid.uuid4() if connection.dialect.name == "postgresql" else uuid.uuid4().bytes,
                "now": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
                if connection.dialect.name == "postgresql"
                else "2026-01-01",
            },
        )

    _write(empty_database, insert_profile)
    migrate(empty_database)

    def keys(connection: Connection) -> list[Any]:
        return list(connection.execute(text("SELECT email_key, phone_key, place_key FROM profiles")).tuples())

    assert _inspect(empty_database, keys) == [("bernd@example.org", "0736112345", "bad urach")]
    command.downgrade(alembic_config(empty_database), "0012")
    assert _inspect(empty_database, _triggered_tables) == set(TRACKED)

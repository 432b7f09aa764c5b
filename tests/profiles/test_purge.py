"""Unconfirmed profiles are deleted after the retention period, with their CV files and mails."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei import cli
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.profiles import privacy, services
from jobfuerzwei.profiles.models import Profile, ProfileStatus
from tests.profiles.factories import PDF, confirmed_profile, make_member, make_profile, outbox_rows, rows


async def _age(db_session: AsyncSession, profile: Profile, days: float) -> None:
    await db_session.execute(
        update(Profile).where(Profile.id == profile.id).values(created_at=utcnow() - dt.timedelta(days=days))
    )
    await db_session.commit()


async def test_purge_deletes_exactly_the_old_unconfirmed_profiles(
    db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    members = [await make_member(db_session)]
    old = await make_profile(db_session, settings, cv=PDF)
    old_cv = services.cv_path(settings, old)
    fresh_one = await make_profile(db_session, settings, partner_email="frisch@example.org", cv=PDF)
    old_confirmed, _ = await confirmed_profile(db_session, settings, members, partner_email="bestaetigt@example.org")
    await _age(db_session, old, 8)
    await _age(db_session, fresh_one, 6)
    await _age(db_session, old_confirmed, 30)

    count = await privacy.purge_unconfirmed(db_session, settings)
    await db_session.commit()

    assert count == 1
    remaining = {p.id: p.status for p in await rows(session_maker, select(Profile))}
    assert remaining == {fresh_one.id: ProfileStatus.UNCONFIRMED, old_confirmed.id: ProfileStatus.CONFIRMED}
    assert old_cv is not None
    assert not old_cv.exists()
    fresh_cv = services.cv_path(settings, fresh_one)
    assert fresh_cv is not None
    assert fresh_cv.exists()
    assert await outbox_rows(session_maker, old.id) == []
    assert len(await outbox_rows(session_maker, fresh_one.id)) == 1


async def test_purge_uses_the_services_clock(
    db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings, monkeypatch: Any
) -> None:
    profile = await make_profile(db_session, settings)
    assert await privacy.purge_unconfirmed(db_session, settings) == 0
    later = utcnow() + dt.timedelta(days=settings.unconfirmed_retention_days, minutes=1)
    monkeypatch.setattr(privacy, "utcnow", lambda: later)
    assert await privacy.purge_unconfirmed(db_session, settings) == 1
    await db_session.commit()
    assert await rows(session_maker, select(Profile).where(Profile.id == profile.id)) == []


async def test_purge_removes_old_cv_files_no_profile_refers_to(db_session: AsyncSession, settings: Settings) -> None:
    profile = await make_profile(db_session, settings, cv=PDF)
    kept = services.cv_path(settings, profile)
    assert kept is not None
    orphan = settings.upload_dir / ("ab" * 16 + ".pdf")
    recent_orphan = settings.upload_dir / ("cd" * 16 + ".pdf")
    unrelated = settings.upload_dir / "README"
    for path in (orphan, recent_orphan, unrelated):
        path.write_bytes(PDF)
    two_days_ago = (utcnow() - dt.timedelta(days=2)).timestamp()
    for path in (orphan, kept, unrelated):
        os.utime(path, (two_days_ago, two_days_ago))

    await privacy.purge_unconfirmed(db_session, settings)

    assert not orphan.exists()
    assert kept.exists()
    assert recent_orphan.exists()
    assert unrelated.exists()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, settings: Settings) -> None:
    monkeypatch.setenv("JFZ_DATABASE_URL", database_url)
    monkeypatch.setenv("JFZ_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("JFZ_BASE_URL", "https://jobfuerzwei.example.org")
    monkeypatch.setenv("JFZ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JFZ_DATA_DIR", str(settings.data_dir))


async def _old_unconfirmed(db_session: AsyncSession, settings: Settings) -> Profile:
    profile = await make_profile(db_session, settings)
    await _age(db_session, profile, 10)
    return profile


def test_purge_command_prints_the_count_only(
    cli_env: None,
    settings: Settings,
    session_maker: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    import asyncio

    async def setup() -> None:
        async with session_maker() as session:
            await _old_unconfirmed(session, settings)

    asyncio.run(setup())
    assert cli.main(["purge"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "purged 1 unconfirmed profile(s)"  # then one line per rule (tests/retention)
    assert "Maria" not in out

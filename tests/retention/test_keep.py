"""The partner's question "Möchten Sie Ihr Profil behalten?": one mail per cycle, a POST keeps, a GET never acts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.dataprotection.models import PurgeTrigger
from jobfuerzwei.dataprotection.retention import BERLIN, run_purge
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.profiles.models import Profile, ProfileStatus
from tests.conftest import BASE_URL, csrf_token, links_in
from tests.retention.helpers import DAY, profile_with_files, status_path


async def _profile(session_maker: async_sessionmaker[AsyncSession], profile: Profile) -> Profile:
    async with session_maker() as session:
        row = await session.get(Profile, profile.id)
        assert row is not None
        return row


async def _purge(session_maker: async_sessionmaker[AsyncSession], settings: Settings, now: dt.datetime) -> Any:
    return await run_purge(session_maker, settings, trigger=PurgeTrigger.SCHEDULED, now=now)


async def test_partner_is_asked_once_and_keeping_by_post_resets_the_clock(
    client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    deliver: Callable[..., Any],
) -> None:
    now = utcnow()
    profile = await profile_with_files(
        db_session,
        settings,
        status=ProfileStatus.PAUSED,
        partner_name="Maria Beispiel",
        last_activity_at=now - 175 * DAY,
    )
    assert (await _purge(session_maker, settings, now)).inactive_asked == 1
    assert (await _purge(session_maker, settings, now + DAY)).inactive_asked == 0  # once per cycle
    sink = await deliver()
    [mail] = [m for m in sink.to(profile.partner_email) if "behalten" in str(m["Subject"])]  # not the smtp_check
    assert mail["Subject"] == f"Möchten Sie Ihr Profil {profile.reference} bei Job für Zwei behalten?"
    text = str(mail.get_body(preferencelist=("plain",)).get_content())
    # 8 days before the deadline when asked: the partner still gets the full 14 days
    deadline = (now + 14 * DAY).astimezone(BERLIN).strftime("%d.%m.%Y")
    assert deadline in text
    [link] = [u for u in links_in(mail) if "/status/" in u]
    path = link.removeprefix(BASE_URL)

    # opening the link (a mail scanner, or the partner) only shows the question
    page = await client.get(path)
    assert page.status_code == 200
    assert "Möchten Sie Ihr Profil behalten?" in page.text
    assert f'action="{path}/keep"' in page.text
    asked = await _profile(session_maker, profile)
    assert asked.retention_asked_at is not None
    assert asked.last_activity_at == profile.last_activity_at

    response = await client.post(
        f"{path}/keep", data={"_csrf_token": await csrf_token(client, path)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == path
    kept = await _profile(session_maker, profile)
    assert kept.retention_asked_at is None
    assert kept.last_activity_at >= now
    page = await client.get(path)
    assert "Ihr Profil bleibt erhalten" in page.text
    assert "Möchten Sie Ihr Profil behalten?" not in page.text

    # past the old deadline nothing happens; the next question comes a full cycle after the keep
    run = await _purge(session_maker, settings, now + 20 * DAY)
    assert (run.inactive_asked, run.inactive_deleted) == (0, 0)
    assert (await _purge(session_maker, settings, kept.last_activity_at + 169 * DAY)).inactive_asked == 1


async def test_unanswered_question_ends_in_deletion(
    db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    now = utcnow()
    profile = await profile_with_files(
        db_session, settings, status=ProfileStatus.APPROVED, last_activity_at=now - 170 * DAY
    )
    await _purge(session_maker, settings, now)
    assert (await _purge(session_maker, settings, now + 13 * DAY)).inactive_deleted == 0
    assert (await _purge(session_maker, settings, now + 14 * DAY)).inactive_deleted == 1
    async with session_maker() as session:
        assert await session.get(Profile, profile.id) is None


async def test_keep_is_refused_for_a_withdrawn_profile(
    client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    now = utcnow()
    profile = await profile_with_files(
        db_session, settings, cv=False, status=ProfileStatus.WITHDRAWN, last_activity_at=now - 100 * DAY
    )
    path = await status_path(db_session, settings, profile)
    page = await client.get(path)
    assert "Profil behalten" not in page.text
    response = await client.post(
        f"{path}/keep", data={"_csrf_token": await csrf_token(client, path)}, follow_redirects=False
    )
    assert response.status_code == 409
    assert (await _profile(session_maker, profile)).last_activity_at == profile.last_activity_at


async def test_activity_of_coordinator_and_employer_restarts_the_clock(
    db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    from jobfuerzwei.circulation.services import circulate
    from jobfuerzwei.referrals.models import Actor, ReferralState
    from jobfuerzwei.referrals.services import move
    from tests.retention.conftest import make_member
    from tests.retention.helpers import referral

    now = utcnow()
    member = await make_member(db_session, "Klinik am See", email="personal@klinik.example")
    circulated = await profile_with_files(
        db_session, settings, cv=False, status=ProfileStatus.APPROVED, last_activity_at=now - 170 * DAY
    )
    moved = await profile_with_files(
        db_session, settings, cv=False, status=ProfileStatus.APPROVED, last_activity_at=now - 170 * DAY
    )
    row = await referral(db_session, moved, member, state=ReferralState.INTERESTED, moved_at=now - 170 * DAY)
    async with session_maker() as session, session.begin():
        from jobfuerzwei.profiles.models import ProfilePermission

        session.add(ProfilePermission(profile_id=circulated.id, member_id=member.id, is_allowed=True, decided_at=now))
    async with session_maker() as session, session.begin():
        await circulate(session, settings, circulated.id, [member.id], staff_id=None)
    async with session_maker() as session, session.begin():
        await move(session, settings, row.id, ReferralState.IN_CONTACT, actor=Actor.EMPLOYER, member_id=member.id)

    for profile in (circulated, moved):
        assert (await _profile(session_maker, profile)).last_activity_at >= now
    assert (await _purge(session_maker, settings, now)).inactive_asked == 0


async def test_coordinator_sees_when_an_asked_profile_will_be_deleted(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    now = utcnow()
    asked = await profile_with_files(
        db_session,
        settings,
        cv=False,
        status=ProfileStatus.APPROVED,
        last_activity_at=now - 175 * DAY,
        retention_asked_at=now - DAY,
    )
    quiet = await profile_with_files(db_session, settings, cv=False, status=ProfileStatus.APPROVED)

    page = await logged_in_client.get(f"/coordinator/profiles/{asked.id}")
    assert page.status_code == 200
    deadline = (now + 13 * DAY).astimezone(BERLIN).strftime("%d.%m.%Y")
    assert f"Löschung am\n    {deadline}" in page.text
    page = await logged_in_client.get(f"/coordinator/profiles/{quiet.id}")
    assert "Rückfrage zur" not in page.text

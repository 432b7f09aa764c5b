"""Referrals without movement: the member is reminded once per stall, then the coordinators are told."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.profiles.models import ProfileStatus
from jobfuerzwei.referrals.models import Actor, ReferralState
from jobfuerzwei.referrals.reminders import ReminderCounts, remind_stale_referrals
from jobfuerzwei.referrals.services import move
from jobfuerzwei.staff.models import StaffRole
from tests.conftest import BASE_URL, links_in
from tests.retention.helpers import DAY, profile_with_files, referral, staff


async def _member(session: AsyncSession, name: str, contacts: list[MemberContact]) -> Member:
    member = Member(name=name, municipality="Aalen", joined_at=utcnow() - 90 * DAY, contacts=contacts)
    session.add(member)
    await session.commit()
    return member


async def _remind(session_maker: async_sessionmaker[AsyncSession], settings: Settings, now: Any) -> ReminderCounts:
    async with session_maker() as session, session.begin():
        return await remind_stale_referrals(session, settings, now)


def _text(message: Any) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


async def test_stalled_referral_reminds_the_member_once_then_the_coordinator(
    client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    deliver: Callable[..., Any],
) -> None:
    now = utcnow()
    member = await _member(
        db_session,
        "Klinik am See",
        [
            MemberContact(email="portal@klinik.example", name="Frau Portal", password_hash="not-a-hash"),
            MemberContact(email="mail@klinik.example", name="Herr Mail"),
            MemberContact(email="weg@klinik.example", unsubscribed_at=now - 30 * DAY),
        ],
    )
    profile = await profile_with_files(
        db_session, settings, cv=False, status=ProfileStatus.APPROVED, partner_name="Maria Musterfrau"
    )
    stalled = await referral(db_session, profile, member, state=ReferralState.INTERESTED, moved_at=now - 15 * DAY)
    withdrawn = await profile_with_files(db_session, settings, cv=False, status=ProfileStatus.WITHDRAWN)
    await referral(db_session, withdrawn, member, state=ReferralState.INTERVIEW, moved_at=now - 40 * DAY)
    await staff(db_session, "koordination@ihk.example")
    await staff(db_session, "ehemalig@ihk.example", active=False)
    await staff(db_session, "beobachtung@agentur.example", role=StaffRole.OBSERVER)

    assert await _remind(session_maker, settings, now - 2 * DAY) == ReminderCounts()  # 13 days: not yet
    assert await _remind(session_maker, settings, now) == ReminderCounts(members_reminded=1, escalated=0)
    sink = await deliver()
    reminders = [m for m in sink.messages if "Wie geht es weiter" in str(m["Subject"])]
    assert sorted(str(m["To"]) for m in reminders) == ["mail@klinik.example", "portal@klinik.example"]
    by_address = {str(m["To"]): m for m in reminders}
    portal_mail = _text(by_address["portal@klinik.example"])
    assert f"{BASE_URL}/portal/referrals" in portal_mail
    assert profile.reference in portal_mail
    assert "Maria" not in portal_mail
    assert "List-Unsubscribe" in by_address["mail@klinik.example"]
    [signed] = [u for u in links_in(by_address["mail@klinik.example"]) if "/e/" in u]
    assert signed.endswith("/referral")
    page = await client.get(signed.removeprefix(BASE_URL))
    assert page.status_code == 200
    sink.clear()

    assert await _remind(session_maker, settings, now + 13 * DAY) == ReminderCounts()
    assert await _remind(session_maker, settings, now + 14 * DAY) == ReminderCounts(members_reminded=0, escalated=1)
    assert await _remind(session_maker, settings, now + 20 * DAY) == ReminderCounts()
    sink = await deliver()
    [told] = [m for m in sink.messages if "ohne Bewegung" in str(m["Subject"])]
    assert str(told["To"]) == "koordination@ihk.example"
    text = _text(told)
    assert profile.reference in text
    assert f"{BASE_URL}/coordinator/referrals/{stalled.id}" in text
    assert "Maria" not in text
    assert "Klinik" not in text
    assert not [m for m in sink.messages if "Wie geht es weiter" in str(m["Subject"])]

    # a step starts a new stall: the member is reminded again once it lasts
    async with session_maker() as session, session.begin():
        await move(session, settings, stalled.id, ReferralState.IN_CONTACT, actor=Actor.EMPLOYER, member_id=member.id)
    assert await _remind(session_maker, settings, utcnow() + 13 * DAY) == ReminderCounts()
    assert await _remind(session_maker, settings, utcnow() + 14 * DAY) == ReminderCounts(members_reminded=1)


async def test_member_without_a_reachable_contact_goes_straight_to_the_coordinator(
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    deliver: Callable[..., Any],
) -> None:
    now = utcnow()
    member = await _member(
        db_session, "Stadtwerke Aalen", [MemberContact(email="weg@stadtwerke.example", unsubscribed_at=now)]
    )
    profile = await profile_with_files(db_session, settings, cv=False, status=ProfileStatus.PAUSED)
    await referral(db_session, profile, member, state=ReferralState.INTERVIEW, moved_at=now - 14 * DAY)
    await staff(db_session, "koordination@ihk.example")

    assert await _remind(session_maker, settings, now) == ReminderCounts(members_reminded=1, escalated=1)
    assert await _remind(session_maker, settings, now + 30 * DAY) == ReminderCounts()
    sink = await deliver()
    assert [str(m["To"]) for m in sink.messages if "ohne Bewegung" in str(m["Subject"])] == ["koordination@ihk.example"]
    assert not sink.to("weg@stadtwerke.example")

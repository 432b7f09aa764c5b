"""Test data for the portal inbox and referral board: members with a portal login, profiles circulated to them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from uuid import UUID

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.circulation import answers as circulation_answers
from jobfuerzwei.circulation import services as circulation_services
from jobfuerzwei.circulation.models import Answer, CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.accounts import start_session
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.profiles.models import Profile
from jobfuerzwei.referrals.models import Referral
from jobfuerzwei.tokens.models import LinkToken
from jobfuerzwei.web.auth import PORTAL_COOKIE
from tests.conftest import csrf_token

Client = AsyncTestClient[Litestar]


async def send(session: AsyncSession, settings: Settings, profile: Profile, members: Sequence[Member]) -> None:
    """Circulate through the service (the coordinator's form has its own tests) and commit."""
    await circulation_services.circulate(session, settings, profile.id, [m.id for m in members], staff_id=None)
    await session.commit()


async def recipient_of(session_maker: async_sessionmaker[AsyncSession], profile: Profile, member: Member) -> UUID:
    """The recipient id of ``member`` for ``profile``."""
    async with session_maker() as session:
        recipient_id = await session.scalar(
            select(CirculationRecipient.id).where(
                CirculationRecipient.profile_id == profile.id, CirculationRecipient.member_id == member.id
            )
        )
    assert recipient_id is not None
    return recipient_id


async def load_recipient(session_maker: async_sessionmaker[AsyncSession], recipient_id: UUID) -> CirculationRecipient:
    """A committed recipient row."""
    async with session_maker() as session:
        row = await session.get(CirculationRecipient, recipient_id)
    assert row is not None
    return row


async def answer(
    session: AsyncSession, settings: Settings, recipient_id: UUID, member: Member, chosen: Answer
) -> Referral | None:
    """Answer through the service and commit; returns the member's referral if one exists afterwards."""
    assert await circulation_answers.record_answer_for_member(session, settings, recipient_id, member.id, chosen)
    await session.commit()
    referral: Referral | None = await session.scalar(select(Referral).where(Referral.member_id == member.id))
    return referral


async def load_referral(session_maker: async_sessionmaker[AsyncSession], referral_id: UUID) -> Referral:
    """A committed referral with its history."""
    async with session_maker() as session:
        referral = await session.get(Referral, referral_id)
    assert referral is not None
    return referral


async def expire_links(session: AsyncSession, recipient_id: UUID, *, revoke: bool = False) -> None:
    """End the recipient's answer window: its employer links expire (or the coordinator revoked them)."""
    values = {"revoked_at": utcnow()} if revoke else {"expires_at": utcnow() - dt.timedelta(minutes=1)}
    await session.execute(update(LinkToken).where(LinkToken.recipient_id == recipient_id).values(**values))
    await session.commit()


async def received_at(session: AsyncSession, recipient_id: UUID, days_ago: int) -> None:
    """Back-date when the member received the profile (the inbox sorts by it)."""
    when = utcnow() - dt.timedelta(days=days_ago)
    await session.execute(
        update(CirculationRecipient).where(CirculationRecipient.id == recipient_id).values(created_at=when)
    )
    await session.commit()


async def portal_login(
    client: Client, session: AsyncSession, contact: MemberContact, *, is_verified: bool = True
) -> None:
    """A portal session cookie for ``contact`` without the login form (that form has its own tests)."""
    contact.password_hash = "not-a-hash"  # only ``has_account`` is checked; no password is tried
    token = await start_session(session, contact, is_verified=is_verified)
    await session.commit()
    client.cookies.set(PORTAL_COOKIE, token)
    await csrf_token(client, "/coordinator/login")


_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.DOTALL)


def table_rows(html: str) -> list[str]:
    """The body rows of the page's tables as text with tags stripped and whitespace collapsed."""
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in _ROW.findall(html)]
    return [row for row in rows if row and not row.startswith("Profil ")]  # drop header rows


def section(html: str, state: str) -> str:
    """The referral board's column of one state."""
    match = re.search(rf'<section id="state-{state}".*?</section>', html, re.DOTALL)
    assert match, f"no column {state}"
    return match.group(0)

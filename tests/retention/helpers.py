"""Data builders for the retention tests: profiles with CVs and mails, circulated referrals with dated events."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.circulation.models import Answer, Circulation, CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.employers.models import Member
from jobfuerzwei.mail.models import OutboxMessage
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.profiles import services as profile_services
from jobfuerzwei.profiles.models import Profile
from jobfuerzwei.referrals.models import (
    Actor,
    CloseReason,
    ContactRelease,
    Referral,
    ReferralEvent,
    ReferralState,
)
from jobfuerzwei.staff.models import StaffRole, StaffUser
from tests.coordinator.conftest import make_profile

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
DAY = dt.timedelta(days=1)


async def profile_with_files(session: AsyncSession, settings: Settings, *, cv: bool = True, **values: Any) -> Profile:
    """A committed profile (``make_profile`` values), optionally with a CV file, and one outbox mail about it."""
    profile = await make_profile(session, **values)
    if cv:
        name = f"{secrets.token_hex(16)}.pdf"
        settings.upload_dir.mkdir(parents=True, exist_ok=True)
        (settings.upload_dir / name).write_bytes(PDF)
        profile.cv_file = name
        profile.cv_size = len(PDF)
    enqueue(
        session,
        settings,
        template="smtp_check",
        to=profile.partner_email,
        context={"name": profile.reference},
        profile_id=profile.id,
    )
    await session.commit()
    return profile


async def referral(
    session: AsyncSession,
    profile: Profile,
    member: Member,
    *,
    state: ReferralState,
    moved_at: dt.datetime,
    note: str = "",
    contact_release: ContactRelease = ContactRelease.PENDING,
) -> Referral:
    """A committed referral reached by a circulation, with its interest event and (if further) one step at ``moved_at``.

    Closed referrals get the reason "employer declined"; the step carries ``note``.
    """
    circulation = Circulation(profile_id=profile.id, recipient_count=1, created_at=moved_at - 5 * DAY)
    session.add(circulation)
    await session.flush()
    recipient = CirculationRecipient(
        circulation_id=circulation.id,
        profile_id=profile.id,
        member_id=member.id,
        answer=Answer.INTERESTED,
        answered_at=moved_at - 2 * DAY,
        created_at=moved_at - 5 * DAY,
    )
    session.add(recipient)
    await session.flush()
    close_reason = CloseReason.EMPLOYER_DECLINED if state == ReferralState.CLOSED else None
    events = [
        ReferralEvent(
            from_state=None,
            to_state=ReferralState.INTERESTED,
            actor=Actor.EMPLOYER,
            note="Interesse über den Link" if state != ReferralState.INTERESTED else note,
            created_at=moved_at - 2 * DAY if state != ReferralState.INTERESTED else moved_at,
        )
    ]
    if state != ReferralState.INTERESTED:
        events.append(
            ReferralEvent(
                from_state=ReferralState.INTERESTED,
                to_state=state,
                actor=Actor.COORDINATOR,
                note=note,
                close_reason=close_reason,
                created_at=moved_at,
            )
        )
    row = Referral(
        profile_id=profile.id,
        member_id=member.id,
        recipient_id=recipient.id,
        state=state,
        close_reason=close_reason,
        contact_release=contact_release,
        contact_released_at=moved_at - DAY if contact_release == ContactRelease.GRANTED else None,
        events=events,
        created_at=moved_at - 2 * DAY,
        updated_at=moved_at,
    )
    session.add(row)
    await session.commit()
    return row


async def staff(
    session: AsyncSession, email: str, *, role: StaffRole = StaffRole.COORDINATOR, active: bool = True
) -> None:
    """A committed staff account that only receives mails (no usable password)."""
    session.add(StaffUser(email=email, name="", password_hash="not-a-hash", role=role, is_active=active))
    await session.commit()


async def outbox_for(session_maker: async_sessionmaker[AsyncSession], profile_id: UUID) -> list[OutboxMessage]:
    """Committed outbox rows about a profile."""
    async with session_maker() as session:
        return list(await session.scalars(select(OutboxMessage).where(OutboxMessage.profile_id == profile_id)))


async def status_path(session: AsyncSession, settings: Settings, profile: Profile) -> str:
    """A fresh, committed status page path for ``profile``."""
    url = await profile_services.issue_status_url(session, settings, profile)
    await session.commit()
    return url.removeprefix(settings.base_url)

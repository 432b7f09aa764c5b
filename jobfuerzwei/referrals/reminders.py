"""Reminders for referrals without movement: first the member, then the coordinators.

A stall starts with a referral's last event (a step, or the partner's contact decision). After
``settings.retention.stale_referral_days`` the member's contacts are reminded once (``reminded_at``); if the
referral still has not moved as long again, every active coordinator is told (``escalated_at``), and the weekly
digest lists it. Any new event starts a new stall, with a new reminder. Only referrals of profiles that still look
for work (approved or paused) are chased. The mails carry reference numbers and states, never a person's name.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers import mail_prefs
from jobfuerzwei.employers.models import Member
from jobfuerzwei.i18n import use_language
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.profiles.models import Profile, ProfileStatus
from jobfuerzwei.referrals.models import Referral, ReferralEvent
from jobfuerzwei.referrals.services import OPEN_STATES
from jobfuerzwei.staff.models import StaffRole, StaffUser
from jobfuerzwei.tokens import services as tokens
from jobfuerzwei.tokens.models import TokenPurpose
from jobfuerzwei.web.labels import label

log = logging.getLogger("jobfuerzwei.referrals")

CHASED = (ProfileStatus.APPROVED, ProfileStatus.PAUSED)
"""Profile statuses whose open referrals are chased (a withdrawn or placed person is not waiting for an answer)."""


@dataclass(frozen=True)
class StaleReferral:
    """An open referral without movement, as mails and the digest show it (no names)."""

    referral_id: UUID
    reference: str
    state_label: str
    """The state's label in the language current when it was made (``in_language`` for another one)."""
    last_moved_at: dt.datetime
    days: int
    url: str
    escalated: bool
    state: str = ""
    """The ``ReferralState`` value."""

    def in_language(self, language: str | None) -> StaleReferral:
        """The same entry with the state's label in ``language`` (a mail's recipient's)."""
        return replace(self, state_label=_state_label(self.state, language)) if self.state else self


def _state_label(state: object, language: str | None) -> str:
    """A referral state's label in ``language``."""
    with use_language(language):
        return label("referral_state", state)


@dataclass(frozen=True)
class ReminderCounts:
    """What one reminder run did."""

    members_reminded: int = 0
    """Stalled referrals whose member was reminded (one mail per reachable contact)."""
    escalated: int = 0
    """Stalled referrals the coordinators were told about."""


def _stalled(at: dt.datetime | None, last_moved_at: dt.datetime) -> bool:
    """``at`` (a reminder or escalation time) belongs to the current stall."""
    return at is not None and at >= last_moved_at


async def _stale(session: AsyncSession, settings: Settings, now: dt.datetime) -> list[tuple[Referral, dt.datetime]]:
    """Open referrals of chased profiles whose last event is ``stale_referral_days`` old, oldest stall first."""
    before = now - dt.timedelta(days=settings.retention.stale_referral_days)
    last = (
        select(ReferralEvent.referral_id, func.max(ReferralEvent.created_at).label("at"))
        .group_by(ReferralEvent.referral_id)
        .subquery()
    )
    rows = await session.execute(
        select(Referral, last.c.at)
        .join(last, last.c.referral_id == Referral.id)
        .join(Profile, Profile.id == Referral.profile_id)
        .where(Referral.state.in_(OPEN_STATES), Profile.status.in_(CHASED), last.c.at <= before)
        .options(selectinload(Referral.profile), selectinload(Referral.member).selectinload(Member.contacts))
        .order_by(last.c.at, Referral.id)
    )
    return [(referral, at) for referral, at in rows.tuples()]


def _view(settings: Settings, referral: Referral, last_moved_at: dt.datetime, now: dt.datetime) -> StaleReferral:
    return StaleReferral(
        referral_id=referral.id,
        reference=referral.profile.reference,
        state_label=label("referral_state", referral.state),
        state=str(referral.state),
        last_moved_at=last_moved_at,
        days=(now - last_moved_at).days,
        url=f"{settings.base_url}/coordinator/referrals/{referral.id}",
        escalated=_stalled(referral.escalated_at, last_moved_at),
    )


async def stale_referrals(
    session: AsyncSession, settings: Settings, now: dt.datetime | None = None
) -> list[StaleReferral]:
    """Every open referral stalled for ``stale_referral_days`` or more (the coordinators' digest)."""
    now = now or utcnow()
    return [_view(settings, r, at, now) for r, at in await _stale(session, settings, now)]


async def _remind_member(session: AsyncSession, settings: Settings, referral: Referral, days: int) -> int:
    """Mail the member's subscribed contacts: account holders get the portal, others a fresh signed link."""
    contacts = [c for c in referral.member.contacts if c.unsubscribed_at is None]
    signed_url = None
    if referral.recipient_id is not None and any(not c.has_account for c in contacts):
        token = tokens.issue(
            session,
            purpose=TokenPurpose.EMPLOYER,
            profile_id=referral.profile_id,
            days=settings.security.employer_token_days,
            recipient_id=referral.recipient_id,
        )
        signed_url = f"{settings.base_url}/e/{token}/referral"
    sent = 0
    for contact in contacts:
        url = f"{settings.base_url}/portal/referrals" if contact.has_account else signed_url
        if url is None:
            continue
        enqueue(
            session,
            settings,
            template="referral_reminder",
            to=contact.email,
            language=contact.language,
            context={
                "contact_name": contact.name,
                "reference": referral.profile.reference,
                "state_label": _state_label(referral.state, contact.language),
                "days": days,
                "url": url,
                "unsubscribe_url": mail_prefs.unsubscribe_url(settings, contact.id),
            },
            profile_id=referral.profile_id,
            headers=mail_prefs.list_headers(settings, contact.id),
        )
        sent += 1
    return sent


async def active_coordinators(session: AsyncSession) -> list[StaffUser]:
    """Active staff accounts with the coordinator role (observers get no mails about single referrals)."""
    return list(
        await session.scalars(
            select(StaffUser)
            .where(StaffUser.is_active.is_(True), StaffUser.role == StaffRole.COORDINATOR)
            .order_by(StaffUser.email)
        )
    )


async def _mark(session: AsyncSession, ids: list[UUID], **values: dt.datetime) -> None:
    """Set reminder times without touching ``updated_at`` (a reminder is not a change of the referral)."""
    if ids:
        await session.execute(
            update(Referral)
            .where(Referral.id.in_(ids))
            .values(**values, updated_at=Referral.updated_at)
            .execution_options(synchronize_session=False)
        )


async def remind_stale_referrals(
    session: AsyncSession, settings: Settings, now: dt.datetime | None = None
) -> ReminderCounts:
    """Remind members of stalled referrals once per stall, then tell the coordinators (one mail per run).

    A member without a reachable contact (all unsubscribed, or none left) cannot be reminded: the coordinators are
    told at once.
    """
    now = now or utcnow()
    wait = dt.timedelta(days=settings.retention.stale_referral_days)
    reminded: list[UUID] = []
    escalate: list[StaleReferral] = []
    for referral, last_moved_at in await _stale(session, settings, now):
        view = _view(settings, referral, last_moved_at, now)
        if not _stalled(referral.reminded_at, last_moved_at):
            reminded.append(referral.id)
            if not await _remind_member(session, settings, referral, view.days):
                escalate.append(view)
        elif (
            not _stalled(referral.escalated_at, last_moved_at)
            and referral.reminded_at is not None
            and referral.reminded_at <= now - wait
        ):
            escalate.append(view)
    await _mark(session, reminded, reminded_at=now)
    await _mark(session, [v.referral_id for v in escalate], escalated_at=now)
    if escalate:
        for staff in await active_coordinators(session):
            enqueue(
                session,
                settings,
                template="referral_stale",
                to=staff.email,
                language=staff.language,
                context={
                    "entries": [e.in_language(staff.language) for e in escalate],
                    "days": settings.retention.stale_referral_days,
                },
            )
    await session.flush()
    counts = ReminderCounts(members_reminded=len(reminded), escalated=len(escalate))
    if reminded or escalate:
        log.info("referral reminders: %d member reminder(s), %d escalated", counts.members_reminded, counts.escalated)
    return counts

"""The coordinators' weekly digest: the week's figures and reference numbers by mail, never a name.

Sent on ``settings.retention.digest_weekday`` from ``digest_hour`` (German time) by the maintenance loop, to every
active coordinator. Each week's digest is a ``CoordinatorDigest`` row, unique per digest day and written in the
transaction that queues the mails: a restart, a second worker or a missed day never sends a week twice, and a
digest missed on its day (worker down) goes out at the next run. The figures cover the time since the previous
digest (the last 7 days for the first).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.circulation.models import Answer, Circulation, CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.coordinator.models import CoordinatorDigest
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.i18n import gettext, use_language
from jobfuerzwei.mail.models import OutboxMessage, OutboxStatus
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.profiles.models import Profile, ProfileStatus
from jobfuerzwei.referrals.reminders import active_coordinators, stale_referrals

log = logging.getLogger("jobfuerzwei.coordinator")

try:
    from zoneinfo import ZoneInfo

    BERLIN: dt.tzinfo = ZoneInfo("Europe/Berlin")
except Exception:  # pragma: no cover - tzdata missing
    BERLIN = dt.UTC


@dataclass(frozen=True)
class StaleEntry:
    """A stalled referral in the digest."""

    reference: str
    state_label: str
    days: int
    escalated: bool


@dataclass(frozen=True)
class WeeklyFigures:
    """What the digest reports for its period."""

    waiting_review: list[str] = field(default_factory=list)
    """Reference numbers of confirmed profiles waiting for review (oldest first), at the time of the digest."""
    confirmed: int = 0
    """Profiles the partner confirmed in the period."""
    circulations: int = 0
    recipients: int = 0
    """Members reached by the period's circulations."""
    interested: int = 0
    no_fit: int = 0
    stale: list[StaleEntry] = field(default_factory=list)
    placements: list[str] = field(default_factory=list)
    """Reference numbers of profiles placed in the period."""
    failed_mails: int = 0
    """Mails that gave up in the period."""


def digest_day(settings: Settings, now: dt.datetime) -> dt.date:
    """The latest digest day whose sending hour has come (German calendar)."""
    local = now.astimezone(BERLIN)
    day = local.date() - dt.timedelta(days=(local.weekday() - settings.retention.digest_weekday) % 7)
    if local < dt.datetime.combine(day, dt.time(settings.retention.digest_hour), BERLIN):
        day -= dt.timedelta(days=7)
    return day


async def _count(session: AsyncSession, stmt: Any) -> int:
    return int(await session.scalar(stmt) or 0)


async def weekly_figures(
    session: AsyncSession, settings: Settings, since: dt.datetime, until: dt.datetime
) -> WeeklyFigures:
    """The figures of ``[since, until)``; the review queue and stalled referrals as they stand at ``until``."""
    waiting = await session.scalars(
        select(Profile.number)
        .where(Profile.status == ProfileStatus.CONFIRMED)
        .order_by(Profile.confirmed_at, Profile.number)
    )
    circulations = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Circulation.recipient_count), 0)).where(
                Circulation.created_at >= since, Circulation.created_at < until
            )
        )
    ).one()
    answers = dict(
        (
            await session.execute(
                select(CirculationRecipient.answer, func.count())
                .where(CirculationRecipient.answered_at >= since, CirculationRecipient.answered_at < until)
                .group_by(CirculationRecipient.answer)
            )
        )
        .tuples()
        .all()
    )
    placed = await session.scalars(
        select(Profile.number)
        .where(Profile.placed_at >= since, Profile.placed_at < until)
        .order_by(Profile.placed_at, Profile.number)
    )
    return WeeklyFigures(
        waiting_review=[f"JFZ-{n:04d}" for n in waiting],
        confirmed=await _count(
            session,
            select(func.count())
            .select_from(Profile)
            .where(Profile.confirmed_at >= since, Profile.confirmed_at < until),
        ),
        circulations=int(circulations[0]),
        recipients=int(circulations[1]),
        interested=answers.get(Answer.INTERESTED, 0),
        no_fit=answers.get(Answer.NO_FIT, 0),
        stale=[
            StaleEntry(reference=s.reference, state_label=s.state_label, days=s.days, escalated=s.escalated)
            for s in await stale_referrals(session, settings, until)
        ],
        placements=[f"JFZ-{n:04d}" for n in placed],
        failed_mails=await _count(
            session,
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.FAILED,
                OutboxMessage.updated_at >= since,
                OutboxMessage.updated_at < until,
            ),
        ),
    )


def _in_language(figures: WeeklyFigures, language: str) -> WeeklyFigures:
    """The figures with their labels (the stalled referrals' states) in a recipient's language."""
    with use_language(language):
        return replace(figures, stale=[replace(s, state_label=gettext(s.state_label)) for s in figures.stale])


async def send_coordinator_digest(session: AsyncSession, settings: Settings, now: dt.datetime | None = None) -> int:
    """Queue this week's digest for every active coordinator unless it went out already; returns the mails queued.

    Two workers racing for the same week both insert the week's row; the unique ``week_of`` lets only one commit.
    """
    now = now or utcnow()
    day = digest_day(settings, now)
    if await session.scalar(select(CoordinatorDigest.id).where(CoordinatorDigest.week_of == day)) is not None:
        return 0
    previous = await session.scalar(select(func.max(CoordinatorDigest.sent_at)))
    since = previous if previous is not None and previous < now else now - dt.timedelta(days=7)
    figures = await weekly_figures(session, settings, since, now)
    coordinators = await active_coordinators(session)
    session.add(CoordinatorDigest(week_of=day, sent_at=now, recipients=len(coordinators), figures=asdict(figures)))
    await session.flush()
    for staff in coordinators:
        enqueue(
            session,
            settings,
            template="coordinator_digest",
            to=staff.email,
            language=staff.language,
            context={
                "f": _in_language(figures, staff.language),
                "since": since.astimezone(BERLIN).date(),
                "until": now.astimezone(BERLIN).date(),
                "stale_days": settings.retention.stale_referral_days,
                "overview_url": f"{settings.base_url}/coordinator",
            },
        )
    await session.flush()
    log.info("coordinator digest: %d mail(s) queued", len(coordinators))
    return len(coordinators)

"""The coordinator's figures: the overview (start page) and the mail page.

The mail page shows the outbox state, lets failed mails be retried and, in dev mode, lists the local sink's mails.
The review queue with duplicate hints, approve / reject and merging live in ``coordinator.review``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.circulation.models import Circulation
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.errors import InvalidTransition, NotFound
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.models import OutboxMessage, OutboxStatus
from jobfuerzwei.mail.sink import SinkMail, read_sink
from jobfuerzwei.profiles.models import Profile, ProfileKind, ProfileStatus
from jobfuerzwei.referrals.models import ReferralState
from jobfuerzwei.referrals.services import counts_by_state

# --- overview ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecentCirculation:
    """One sending round for the overview, with its delivery state."""

    id: UUID
    profile_id: UUID
    reference: str
    created_at: dt.datetime
    recipient_count: int
    sent: int
    waiting: int
    failed: int


@dataclass(frozen=True)
class Overview:
    """Figures of the coordinator's start page."""

    profiles: dict[ProfileStatus, int]
    referrals: dict[ReferralState, int]
    placements: int
    failed_mails: int
    circulations: list[RecentCirculation]


async def profile_counts(session: AsyncSession, kind: ProfileKind | None = None) -> dict[ProfileStatus, int]:
    """Profiles per status (every status present, zero when none), optionally of one type."""
    stmt = select(Profile.status, func.count()).group_by(Profile.status)
    if kind is not None:
        stmt = stmt.where(Profile.kind == kind)
    rows = await session.execute(stmt)
    found = {ProfileStatus(status): n for status, n in rows.tuples()}
    return {status: found.get(status, 0) for status in ProfileStatus}


async def recent_circulations(session: AsyncSession, limit: int = 10) -> list[RecentCirculation]:
    """The newest sending rounds with their mails' delivery state (two queries)."""
    rows = (
        await session.execute(
            select(Circulation, Profile.number)
            .join(Profile, Profile.id == Circulation.profile_id)
            .order_by(Circulation.created_at.desc())
            .limit(limit)
        )
    ).all()
    ids = [c.id for c, _number in rows]
    progress: dict[UUID, dict[str, int]] = {i: {"sent": 0, "waiting": 0, "failed": 0} for i in ids}
    if ids:
        counts = await session.execute(
            select(OutboxMessage.batch_id, OutboxMessage.status, func.count())
            .where(OutboxMessage.batch_id.in_(ids))
            .group_by(OutboxMessage.batch_id, OutboxMessage.status)
        )
        for batch_id, status, n in counts.tuples():
            if batch_id is None:
                continue
            key = {OutboxStatus.SENT: "sent", OutboxStatus.FAILED: "failed"}.get(OutboxStatus(status), "waiting")
            progress[batch_id][key] += n
    return [
        RecentCirculation(
            id=c.id,
            profile_id=c.profile_id,
            reference=f"JFZ-{number:04d}",
            created_at=c.created_at,
            recipient_count=c.recipient_count,
            **progress[c.id],
        )
        for c, number in rows
    ]


async def overview(session: AsyncSession, kind: ProfileKind | None = None) -> Overview:
    """Everything the start page shows; profile figures optionally of one type (partner or job-to-job)."""
    outbox = await outbox_counts(session)
    placed = select(func.count()).select_from(Profile).where(Profile.placed_at.is_not(None))
    if kind is not None:
        placed = placed.where(Profile.kind == kind)
    placements = await session.scalar(placed)
    return Overview(
        profiles=await profile_counts(session, kind),
        referrals=await counts_by_state(session, kind),
        placements=int(placements or 0),
        failed_mails=outbox[OutboxStatus.FAILED],
        circulations=await recent_circulations(session),
    )


# --- mails ----------------------------------------------------------------------------------------------------


async def outbox_counts(session: AsyncSession) -> dict[OutboxStatus, int]:
    """Outbox rows per status (every status present)."""
    rows = await session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    found = {OutboxStatus(status): n for status, n in rows.tuples()}
    return {status: found.get(status, 0) for status in OutboxStatus}


async def retry_mail(session: AsyncSession, message_id: UUID) -> OutboxMessage:
    """Put a failed mail back in the queue: pending, no attempts, due now. Its Message-ID stays."""
    row = await session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound(_("Diese E-Mail gibt es nicht."))
    if row.status != OutboxStatus.FAILED:
        raise InvalidTransition(_("Nur fehlgeschlagene E-Mails können erneut versendet werden."))
    row.status = OutboxStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.claimed_by = None
    row.claimed_until = None
    await session.flush()
    return row


def shows_sink(settings: Settings) -> bool:
    """The captured mails are shown in dev mode (the local sink) only."""
    return settings.dev_mode or settings.mail.dev_sink


def sink_mails(settings: Settings) -> list[SinkMail]:
    """Captured mails of the dev sink, newest first."""
    return read_sink(settings.sink_dir) if shows_sink(settings) else []


def sink_mail(settings: Settings, key: str) -> SinkMail:
    """One captured mail by its Maildir key (looked up among the listed ones, never opened by a path)."""
    for mail in sink_mails(settings):
        if mail.key == key:
            return mail
    raise NotFound(_("Diese E-Mail gibt es nicht (mehr)."))


LINK_RE = re.compile(r"https?://[^\s\"<>]+")


def links_in_text(text: str) -> list[str]:
    """Links in a plain-text mail body, in order, without repeats."""
    return list(dict.fromkeys(LINK_RE.findall(text)))

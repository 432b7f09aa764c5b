"""The audit log and past meetings' invitations have retention rules of their own, run by the purge."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.audit.models import AuditAction, AuditEntry
from jobfuerzwei.audit.services import Actor, record
from jobfuerzwei.config import Settings
from jobfuerzwei.dataprotection.models import PurgeTrigger
from jobfuerzwei.dataprotection.retention import run_purge
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.events.models import Event, Invitation
from tests.events.conftest import invite_contacts, make_event


async def test_audit_entries_older_than_the_period_go_and_newer_ones_stay(
    db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    now = utcnow()
    for age_days, number in ((731, 1), (729, 2), (1, 3)):
        entry = record(db_session, Actor.system(), AuditAction.VIEWED, profile_id=uuid.uuid4(), profile_number=number)
        entry.created_at = now - dt.timedelta(days=age_days)
    await db_session.commit()
    run = await run_purge(session_maker, settings, trigger=PurgeTrigger.CLI, now=now)
    assert run.audit_deleted == 1
    left = sorted((await db_session.scalars(select(AuditEntry.profile_number))).all())
    assert left == [2, 3]


async def test_invitations_of_meetings_past_the_period_are_deleted_and_the_meeting_stays(
    db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    old = await make_event(db_session, settings, title="Alt", days=3)
    recent = await make_event(db_session, settings, title="Neu", days=4)
    await invite_contacts(db_session, settings, old, "a@old.example", "b@old.example")
    await invite_contacts(db_session, settings, recent, "c@new.example")
    # Seen from 370 days later: the first meeting ended more than 365 days ago, the second 364 days ago.
    later = old.ends_at + dt.timedelta(days=365, hours=1)
    recent.ends_at = later - dt.timedelta(days=364)
    db_session.add(recent)
    await db_session.commit()
    run = await run_purge(session_maker, settings, trigger=PurgeTrigger.CLI, now=later)
    remaining = dict(
        (
            await db_session.execute(
                select(Event.title, func.count(Invitation.id))
                .outerjoin(Invitation, Invitation.event_id == Event.id)
                .group_by(Event.title)
            )
        )
        .tuples()
        .all()
    )
    assert remaining["Alt"] == 0
    assert remaining["Neu"] > 0
    assert run.invitations_deleted == 2

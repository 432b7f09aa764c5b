"""Periodic data-protection jobs, run next to the outbox worker.

They run inside the app in the embedded default and in ``jobfuerzwei worker`` in production: the retention rules
(``dataprotection.retention``: unconfirmed and inactive profiles, closed referrals, declined applications), the
weekly digest mails of member contacts who chose one, the reminders for referrals without movement, the
coordinators' weekly digest, the event reminders the day before (with moving up from waiting lists), and folding the
change counters of ended database connections (``db.changes.compact``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.coordinator.digest import send_coordinator_digest
from jobfuerzwei.dataprotection.models import PurgeTrigger
from jobfuerzwei.dataprotection.retention import run_purge
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.changes import compact as compact_changes
from jobfuerzwei.db.engine import is_database_unavailable
from jobfuerzwei.employers.mail_prefs import send_digests
from jobfuerzwei.events.services import fill_free_places, send_event_reminders
from jobfuerzwei.referrals.reminders import remind_stale_referrals

log = logging.getLogger("jobfuerzwei.maintenance")


async def run_once(
    session_maker: async_sessionmaker[AsyncSession], settings: Settings, now: dt.datetime | None = None
) -> int:
    """One purge run (logged as a ``PurgeRun``), the referral reminders and the weekly digests.

    Each step runs in its own transaction and logs only counts. Returns the number of profiles the purge deleted.
    """
    now = now or utcnow()
    run = await run_purge(session_maker, settings, trigger=PurgeTrigger.SCHEDULED, now=now)
    async with session_maker() as session, session.begin():
        digests = await send_digests(session, settings, now)
    if digests:
        log.info("digest: %d weekly mail(s) queued", digests)
    async with session_maker() as session, session.begin():
        await remind_stale_referrals(session, settings, now)
    async with session_maker() as session, session.begin():
        await send_coordinator_digest(session, settings, now)
    async with session_maker() as session, session.begin():
        await compact_changes(session)
    async with session_maker() as session, session.begin():
        moved_up = await fill_free_places(session, settings, now)
        reminders = await send_event_reminders(session, settings, now)
    if moved_up or reminders:
        log.info("events: %d reminder(s) queued, %d moved up from a waiting list", reminders, moved_up)
    return run.unconfirmed_deleted + run.inactive_deleted


async def run_periodically(
    session_maker: async_sessionmaker[AsyncSession], settings: Settings, stop: asyncio.Event, interval: float = 3600.0
) -> None:
    """Purge at start and then every ``interval`` seconds until ``stop`` is set; a failed run is retried next time."""
    while not stop.is_set():
        try:
            await run_once(session_maker, settings)
        except Exception as exc:  # a database outage must not end the loop
            if is_database_unavailable(exc):
                log.warning("purge run failed: database unavailable (%s); retried next time", type(exc).__name__)
            else:
                log.exception("purge run failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)

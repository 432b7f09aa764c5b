"""Periodic data-protection jobs, run next to the outbox worker.

They run inside the app in the embedded default and in ``jobfuerzwei worker`` in production: the deletion of
profiles left unconfirmed past their retention and of declined membership applications, and the weekly digest
mails of member contacts who chose one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.employers.mail_prefs import send_digests
from jobfuerzwei.membership.services import purge_declined
from jobfuerzwei.profiles.privacy import purge_unconfirmed

log = logging.getLogger("jobfuerzwei.maintenance")


async def run_once(session_maker: async_sessionmaker[AsyncSession], settings: Settings) -> int:
    """One purge run and one digest run, each in its own transaction; logs only counts. Returns the purge count."""
    async with session_maker() as session, session.begin():
        count = await purge_unconfirmed(session, settings)
        declined = await purge_declined(session, settings)
    log.info("purge: %d unconfirmed profile(s) deleted", count)
    if declined:
        log.info("purge: %d declined membership application(s) deleted", declined)
    async with session_maker() as session, session.begin():
        digests = await send_digests(session, settings)
    if digests:
        log.info("digest: %d weekly mail(s) queued", digests)
    return count


async def run_periodically(
    session_maker: async_sessionmaker[AsyncSession], settings: Settings, stop: asyncio.Event, interval: float = 3600.0
) -> None:
    """Purge at start and then every ``interval`` seconds until ``stop`` is set; a failed run is retried next time."""
    while not stop.is_set():
        try:
            await run_once(session_maker, settings)
        except Exception:  # a database outage must not end the loop
            log.exception("purge run failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)

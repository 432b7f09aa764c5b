"""A row whose lease runs out while it waits in the worker's own feed is not sent twice by that worker.

With a slow server the rows claimed last wait longer than the lease; the next claim then takes them again under
the same worker name (it only renews their lease). Before ``Feed.seen`` they were queued a second time and
sent twice; ``tests/mail/test_worker_crash.py`` (lease 2 s) showed it on a busy machine.
"""

from __future__ import annotations

import dataclasses

from aiosmtpd.controller import Controller
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.mail.models import OutboxStatus
from tests.conftest import free_port
from tests.mail.helpers import MessageIdSink, drain, enqueue_many, status_counts


async def test_rows_whose_lease_ran_out_in_the_feed_are_sent_once(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    sink = MessageIdSink(rcpt_pause=0.02)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        # one connection, 20 ms a mail, 10 rows a claim: the last rows of a batch wait 200 ms, the lease is 50 ms
        mail = dataclasses.replace(settings.mail, port=port, connections=1, batch_size=10, lease_seconds=0.05)
        await enqueue_many(session_maker, settings, 40)
        await drain(session_maker, mail)
    finally:
        controller.stop()
    assert (await status_counts(session_maker))[OutboxStatus.SENT] == 40
    assert len(sink.ids) == 40
    assert [i for i, n in sink.ids.items() if n > 1] == []

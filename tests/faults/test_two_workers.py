"""Two workers with engines of their own (two database sessions, as two processes would have) on one outbox.

On PostgreSQL the claim is ``FOR UPDATE SKIP LOCKED`` plus a lease: a row is held by one worker at a time, so no
Message-ID reaches the server twice, and both workers do part of the work. (On SQLite the claims simply take
turns on the write lock; the test runs there too.)
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import Counter

from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.db.engine import create_engine
from jobfuerzwei.mail.models import OutboxMessage, OutboxStatus
from jobfuerzwei.mail.worker import OutboxWorker
from tests.conftest import free_port
from tests.mail.helpers import MessageIdSink, enqueue_many, status_counts


async def test_two_workers_with_their_own_engines_never_send_the_same_row(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    total = 600
    sink = MessageIdSink(rcpt_pause=0.001)  # a short pause keeps both workers busy at the same time
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    engines = [create_engine(settings.db.url), create_engine(settings.db.url)]
    try:
        mail = dataclasses.replace(settings.mail, port=port, batch_size=10, connections=3, poll_seconds=0.02)
        await enqueue_many(session_maker, settings, total)
        workers = [OutboxWorker(mail, async_sessionmaker(e, expire_on_commit=False)) for e in engines]
        stop = asyncio.Event()
        tasks = [asyncio.create_task(w.run(stop)) for w in workers]
        deadline = time.monotonic() + 60
        try:
            while (await status_counts(session_maker))[OutboxStatus.SENT] < total:
                assert time.monotonic() < deadline, await status_counts(session_maker)
                assert not any(t.done() for t in tasks)
                await asyncio.sleep(0.05)
        finally:
            stop.set()
            await asyncio.gather(*tasks)
    finally:
        for engine in engines:
            await engine.dispose()
        controller.stop()

    async with session_maker() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    assert sink.ids == Counter({r.message_id: 1 for r in rows})  # every row once, nothing twice, nothing else
    by_worker = Counter(r.claimed_by for r in rows)
    assert set(by_worker) == {w.name for w in workers}, by_worker  # both took part

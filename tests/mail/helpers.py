"""Outbox helpers for the mail tests."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import MailSettings, Settings
from jobfuerzwei.mail.models import OutboxMessage, OutboxStatus
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.mail.worker import OutboxWorker


async def enqueue_many(maker: async_sessionmaker[AsyncSession], settings: Settings, n: int, prefix: str = "m") -> None:
    async with maker() as session, session.begin():
        for i in range(n):
            enqueue(session, settings, template="smtp_check", to=f"{prefix}{i}@example.org", context={"name": f"#{i}"})


async def status_counts(maker: async_sessionmaker[AsyncSession]) -> Counter[str]:
    async with maker() as session:
        rows = await session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
        return Counter({str(s): int(n) for s, n in rows.tuples()})


async def drain(maker: async_sessionmaker[AsyncSession], mail: MailSettings, timeout: float = 30.0) -> None:
    """Run a worker until no row is pending or sending (retries with backoff included)."""
    worker = OutboxWorker(mail, maker)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            await worker.run_once()
            counts = await status_counts(maker)
            if counts[OutboxStatus.PENDING] == 0 and counts[OutboxStatus.SENDING] == 0:
                return
            await asyncio.sleep(0.02)
    finally:
        await worker.close()
    raise AssertionError("outbox not drained in time")

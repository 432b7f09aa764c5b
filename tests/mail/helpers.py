"""Outbox helpers for the mail tests."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

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


class MessageIdSink:
    """An aiosmtpd handler that counts each Message-ID it accepts; ``rcpt_pause`` slows every RCPT down."""

    def __init__(self, rcpt_pause: float) -> None:
        self.ids: Counter[str] = Counter()
        self.rcpt_pause = rcpt_pause

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        await asyncio.sleep(self.rcpt_pause)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        for line in envelope.content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                self.ids[line.split(b":", 1)[1].strip().decode()] += 1
                break
        return "250 OK"

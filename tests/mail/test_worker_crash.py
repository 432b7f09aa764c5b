"""A real worker process killed with SIGKILL in the middle of a batch: the restarted worker delivers the rest,
nothing is sent twice, and nothing is lost silently (a mail caught between "releasing" and the server's answer is
flagged "delivery uncertain" for the coordinator instead of being sent again)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.mail.models import OutboxMessage, OutboxStatus
from tests.conftest import free_port
from tests.mail.helpers import enqueue_many, status_counts

pytestmark = pytest.mark.slow


class _SlowSink:
    """Takes 15 ms per message, so a batch is still running when the worker is killed.

    Like a real MTA it queues a message as soon as the terminating dot arrives (a client that vanishes afterwards
    does not undo delivery); the delay sits in RCPT, where a vanished client means no transaction.
    """

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        await asyncio.sleep(0.015)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"

    def message_ids(self) -> Counter[str]:
        ids: Counter[str] = Counter()
        for e in list(self.envelopes):
            for line in e.content.split(b"\r\n"):
                if line.lower().startswith(b"message-id:"):
                    ids[line.split(b":", 1)[1].strip().decode()] += 1
                    break
        return ids


def _start_worker(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "JFZ_DATABASE_URL": settings.db.url,
        "JFZ_SECRET_KEY": "k" * 40,
        "JFZ_BASE_URL": "http://testserver.local",
        "JFZ_SMTP_HOST": "127.0.0.1",
        "JFZ_SMTP_PORT": str(port),
        "JFZ_SMTP_STARTTLS": "false",
        "JFZ_SMTP_CONNECTIONS": "4",
        "JFZ_MAIL_BATCH_SIZE": "40",
        "JFZ_MAIL_LEASE_SECONDS": "2",
        "JFZ_MAIL_POLL_SECONDS": "0.1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "jobfuerzwei", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


async def _wait(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_worker_killed_mid_batch_restarts_without_loss_or_duplicates(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    total = 240
    sink = _SlowSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await enqueue_many(session_maker, settings, total)
        first = _start_worker(settings, port)

        async def some_delivered() -> bool:
            return len(sink.envelopes) >= 60

        try:
            await _wait(some_delivered, 60)
        finally:
            first.send_signal(signal.SIGKILL)
        first.communicate(timeout=10)
        delivered_before_restart = len(sink.envelopes)
        assert delivered_before_restart < total, "the kill came too late to test anything"

        second = _start_worker(settings, port)
        try:

            async def settled() -> bool:
                counts = await status_counts(session_maker)
                return counts[OutboxStatus.SENT] + counts[OutboxStatus.FAILED] == total

            await _wait(settled, 90)
        finally:
            second.terminate()
            _, err = second.communicate(timeout=20)
        assert second.returncode == 0, err.decode()[-2000:]
        ids = sink.message_ids()
        assert max(ids.values()) == 1, [i for i, n in ids.items() if n > 1]  # nothing twice
        async with session_maker() as session:
            rows = list(await session.scalars(select(OutboxMessage)))
        sent = {r.message_id for r in rows if r.status == OutboxStatus.SENT}
        uncertain = [r for r in rows if r.status == OutboxStatus.FAILED]
        assert sent <= set(ids)  # every row marked sent was delivered
        assert all(r.last_error.startswith("delivery uncertain") for r in uncertain)
        assert len(uncertain) <= 8  # per SMTP connection at most the mail in flight and the one before it
        assert set(ids) <= sent | {r.message_id for r in uncertain}  # nothing delivered that the outbox does not know
        assert len(sent) + len(uncertain) == total
    finally:
        controller.stop()

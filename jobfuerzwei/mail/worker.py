"""The outbox worker: claims rows, sends them over reused SMTP connections, retries with backoff.

Several workers may run at once on PostgreSQL: claiming uses ``FOR UPDATE SKIP LOCKED`` and a lease, so a row is
held by one worker at a time, and a row whose worker died is taken over when its lease runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import random
import secrets
import socket
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import MailSettings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.mail.messages import build_mime
from jobfuerzwei.mail.models import OutboxMessage, OutboxStatus
from jobfuerzwei.mail.senders import PermanentMailError, SmtpConnection, SupersededError, TransientMailError

log = logging.getLogger("jobfuerzwei.mail")


class OutboxWorker:
    """Delivers outbox rows. ``run_once`` handles one claimed batch; ``run`` loops until stopped."""

    def __init__(self, settings: MailSettings, session_maker: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.session_maker = session_maker
        self.name = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.wakeup = asyncio.Event()
        self._connections = [SmtpConnection(settings) for _ in range(max(1, settings.connections))]

    async def run(self, stop: asyncio.Event) -> None:
        """Loop: deliver what is due, then sleep until woken, polled or stopped."""
        try:
            while not stop.is_set():
                try:
                    handled = await self.run_once()
                except Exception:  # the loop must survive a database outage; the next round retries
                    log.exception("outbox round failed")
                    handled = 0
                if handled:
                    continue
                self.wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(_first(stop, self.wakeup), timeout=self.settings.poll_seconds)
        finally:
            await self.close()

    async def close(self) -> None:
        """Close the SMTP connections."""
        for conn in self._connections:
            await conn.quit()

    async def run_once(self) -> int:
        """Claim up to ``batch_size`` due rows and deliver them; returns how many were handled."""
        rows = await self.claim()
        if not rows:
            return 0
        lanes: list[list[OutboxMessage]] = [[] for _ in self._connections]
        for i, row in enumerate(rows):
            lanes[i % len(lanes)].append(row)
        await asyncio.gather(
            *(self._deliver(conn, lane) for conn, lane in zip(self._connections, lanes, strict=True) if lane)
        )
        return len(rows)

    async def claim(self) -> Sequence[OutboxMessage]:
        """Atomically take due rows (pending and due, or held by a worker whose lease ran out)."""
        now = utcnow()
        due = (
            select(OutboxMessage.id)
            .where(
                or_(
                    (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
                    (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_until < now),
                )
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.created_at)
            .limit(self.settings.batch_size)
            .with_for_update(skip_locked=True)
        )
        async with self.session_maker() as session, session.begin():
            result = await session.scalars(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(due.scalar_subquery()))
                .values(
                    status=OutboxStatus.SENDING,
                    claimed_by=self.name,
                    claimed_until=now + dt.timedelta(seconds=self.settings.lease_seconds),
                    attempts=OutboxMessage.attempts + 1,
                )
                .returning(OutboxMessage)
                .execution_options(synchronize_session=False)
            )
            return list(result)

    async def _deliver(self, conn: SmtpConnection, rows: list[OutboxMessage]) -> None:
        async with self.session_maker() as session:
            for index, row in enumerate(rows):
                raw = build_mime(
                    sender=self.settings.sender,
                    to=row.to_addr,
                    subject=row.subject,
                    text=row.body_text,
                    html=row.body_html,
                    message_id=row.message_id,
                    date=row.created_at,
                    extra_headers=row.headers,
                    reply_to=self.settings.reply_to,
                )

                async def mark_sent(row_id: UUID = row.id) -> bool:
                    return await self._mark(session, row_id, status=OutboxStatus.SENT, sent_at=utcnow())

                try:
                    await conn.send(_address(self.settings.sender), row.to_addr, raw, mark_sent)
                except SupersededError:
                    continue
                except PermanentMailError as exc:
                    await self._mark(session, row.id, status=OutboxStatus.FAILED, last_error=str(exc), sent_at=None)
                except TransientMailError as exc:
                    await self._retry(session, row, str(exc))
                    if conn.client is None:
                        # the connection is gone: the rest of this lane waits for the next round instead of
                        # hammering a server that is down
                        for rest in rows[index + 1 :]:
                            await self._retry(session, rest, "not attempted: connection lost", count=False)
                        return

    async def _mark(self, session: AsyncSession, row_id: UUID, **values: object) -> bool:
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.claimed_by == self.name)
            .values(claimed_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _retry(self, session: AsyncSession, row: OutboxMessage, error: str, *, count: bool = True) -> None:
        attempts = row.attempts if count else max(0, row.attempts - 1)
        if attempts >= self.settings.max_attempts:
            await self._mark(session, row.id, status=OutboxStatus.FAILED, last_error=error, sent_at=None)
            return
        delay = min(3600.0, self.settings.backoff_base_seconds * 2 ** max(0, attempts - 1))
        delay *= random.uniform(0.5, 1.5)  # noqa: S311  # jitter, not security
        await self._mark(
            session,
            row.id,
            status=OutboxStatus.PENDING,
            attempts=attempts,
            last_error=error,
            sent_at=None,
            next_attempt_at=utcnow() + dt.timedelta(seconds=delay),
        )


async def _first(*events: asyncio.Event) -> None:
    tasks = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()


def _address(sender: str) -> str:
    if "<" in sender and sender.endswith(">"):
        return sender[sender.rindex("<") + 1 : -1]
    return sender

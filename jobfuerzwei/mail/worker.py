"""The outbox worker: claims rows, sends them over reused SMTP connections, retries with backoff.

Several workers may run at once on PostgreSQL: claiming uses ``FOR UPDATE SKIP LOCKED`` and a lease, so a row is
held by one worker at a time, and a row whose worker died is taken over when its lease runs out. The feed of claimed
rows and the markers that record each row's outcome live in ``mail.lanes``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import logging
import os
import random
import secrets
import socket
from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import Update, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from jobfuerzwei.config import MailSettings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.engine import is_database_unavailable
from jobfuerzwei.mail.lanes import CLAIMED_COLUMNS, AsyncMarker, Claimed, Feed, Marker, SyncMarker
from jobfuerzwei.mail.messages import Attachment, build_mime
from jobfuerzwei.mail.models import OutboxBody, OutboxMessage, OutboxStatus
from jobfuerzwei.mail.senders import (
    PermanentMailError,
    SmtpConnection,
    SupersededError,
    TransientMailError,
    UncertainDeliveryError,
)

log = logging.getLogger("jobfuerzwei.mail")

_BODY_CACHE = 64
"""Shared bodies kept in memory (one per circulation in flight)."""

UNCERTAIN = "delivery uncertain (the server may have accepted it; check before sending again)"


class OutboxWorker:
    """Delivers outbox rows. ``run_once`` handles one claimed batch; ``run`` loops until stopped."""

    def __init__(self, settings: MailSettings, session_maker: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.session_maker = session_maker
        self.name = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.wakeup = asyncio.Event()
        self._connections = [SmtpConnection(settings) for _ in range(max(1, settings.connections))]
        self._sync_marker: SyncMarker | None = None
        self._bodies: collections.OrderedDict[UUID, tuple[str, str]] = collections.OrderedDict()

    async def run(self, stop: asyncio.Event) -> None:
        """Loop: deliver what is due, then sleep until woken, polled or stopped."""
        try:
            while not stop.is_set():
                try:
                    handled = await self.run_once()
                except Exception as exc:  # the loop must survive a database outage; the next round retries
                    if is_database_unavailable(exc):  # one line per round, no traceback, no personal data
                        log.warning("outbox round failed: database unavailable (%s)", type(exc).__name__)
                    else:
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
        if self._sync_marker is not None:
            self._sync_marker.close()
            self._sync_marker = None

    async def run_once(self) -> int:
        """Deliver due rows until none is left (or no connection works); returns how many were handled.

        Rows are claimed ``batch_size`` at a time; the next batch is claimed while the current one is being sent.
        """
        rows = await self.claim()
        if not rows:
            return 0
        # The lanes (one per SMTP connection) take rows from one feed, so they finish together.
        feed = Feed(rows, self.claim, low_water=max(1, self.settings.batch_size // 2))
        lanes = self._connections[: len(rows)]
        engine: AsyncEngine = self.session_maker.kw["bind"]
        async with contextlib.AsyncExitStack() as stack:
            markers: list[Marker] = []
            if engine.dialect.name == "sqlite":
                # One writer at a time anyway: the lanes share one blocking connection (see lanes.SyncMarker).
                markers = [self._sqlite_marker(engine) for _ in lanes]
            else:  # PostgreSQL: a connection per lane, so the per-row commits run in parallel
                markers = [AsyncMarker(await stack.enter_async_context(engine.connect()), self.name) for _ in lanes]
            # A lane that fails unexpectedly (the database went away, say) must not leave the others running on
            # connections the exit stack is about to close: wait for all of them, then raise the first error.
            results = await asyncio.gather(
                *(self._deliver(conn, feed, marker) for conn, marker in zip(lanes, markers, strict=True)),
                return_exceptions=True,
            )
            errors = [r for r in results if isinstance(r, BaseException)]
            if errors:
                with contextlib.suppress(Exception):  # best effort; otherwise the lease hands them on later
                    for row in await feed.drain():
                        await self._retry(markers[0], row, "not attempted: round failed", count=False)
                raise errors[0]
            # every connection failed: what is left waits for the next round, without counting as an attempt
            for row in await feed.drain():
                await self._retry(markers[0], row, "not attempted: connection lost", count=False)
        return feed.total

    async def claim(self) -> Sequence[Claimed]:
        """Atomically take due rows (pending and due, or held by a worker whose lease ran out)."""
        engine: AsyncEngine = self.session_maker.kw["bind"]
        if engine.dialect.name == "sqlite":
            # On the worker's blocking connection (see lanes.SyncMarker): a claim through aiosqlite holds the write lock
            # across thread hand-offs, and the per-mail commits of the other lanes would queue behind it.
            marker = self._sqlite_marker(engine)
            rows = await marker.run(lambda: self._claim_sync(marker.session))
        else:
            async with self.session_maker() as session, session.begin():
                rows = await self._claim_async(session)
        missing = {r.body_id for r in rows if r.body_id is not None and r.body_id not in self._bodies}
        if missing:
            async with self.session_maker() as session:
                for body in await session.scalars(select(OutboxBody).where(OutboxBody.id.in_(missing))):
                    self._bodies[body.id] = (body.body_text, body.body_html)
            while len(self._bodies) > _BODY_CACHE:
                self._bodies.popitem(last=False)
        return rows

    def _claim_statements(self) -> tuple[Update, Update]:
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
        # A row left "releasing" by a worker that vanished: the server may have the mail. Never send it again on
        # our own; show it to the coordinator instead (see senders.py).
        sweep = (
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.RELEASING, OutboxMessage.claimed_until < now)
            .values(status=OutboxStatus.FAILED, claimed_until=None, last_error=f"{UNCERTAIN}: worker stopped")
            .execution_options(synchronize_session=False)
        )
        take = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due.scalar_subquery()))
            .values(
                status=OutboxStatus.SENDING,
                claimed_by=self.name,
                claimed_until=now + dt.timedelta(seconds=self.settings.lease_seconds),
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(*CLAIMED_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        return sweep, take

    async def _claim_async(self, session: AsyncSession) -> list[Claimed]:
        sweep, take = self._claim_statements()
        await session.execute(sweep)
        return [Claimed(*row) for row in await session.execute(take)]

    def _claim_sync(self, session: Session) -> list[Claimed]:
        # Plain rows, not ORM objects: a claim on SQLite blocks the event loop (see lanes.SyncMarker), and loading
        # 100 outbox objects took several times longer than sending one mail.
        sweep, take = self._claim_statements()
        with session.begin():
            session.execute(sweep)
            return [Claimed(*row) for row in session.execute(take)]

    def _sqlite_marker(self, engine: AsyncEngine) -> SyncMarker:
        if self._sync_marker is None:
            self._sync_marker = SyncMarker(engine.url.database or "", self.name, engine.dialect)
        return self._sync_marker

    async def _deliver(self, conn: SmtpConnection, feed: Feed, marker: Marker) -> None:
        # "sent" of a delivered row is written in the same transaction as the lane's next state change (usually
        # the next row's "releasing"): one commit per mail instead of two. A crash in between leaves that row
        # "releasing", i.e. flagged uncertain, never sent twice.
        delivered: list[tuple[UUID, dt.datetime]] = []
        try:
            while (row := await feed.next()) is not None:
                await self._deliver_one(conn, feed, marker, row, delivered)
                if conn.client is None and feed.stopped:
                    return
        finally:
            if delivered:
                await marker.mark(None, also_sent=delivered)

    async def _deliver_one(
        self,
        conn: SmtpConnection,
        feed: Feed,
        marker: Marker,
        row: Claimed,
        delivered: list[tuple[UUID, dt.datetime]],
    ) -> None:
        text, html = row.body_text, row.body_html
        if row.body_id is not None:
            text, html = self._bodies[row.body_id]
            for placeholder, value in row.fill.items():
                text = text.replace(placeholder, value)
                html = html.replace(placeholder, value)
        raw = build_mime(
            sender=self.settings.sender,
            to=row.to_addr,
            subject=row.subject,
            text=text,
            html=html,
            message_id=row.message_id,
            date=row.created_at,
            extra_headers=row.headers,
            reply_to=self.settings.reply_to,
            attachment=Attachment.from_json(row.attachment) if row.attachment else None,
        )

        async def mark_releasing() -> bool:
            return await marker.mark(row.id, also_sent=delivered, keep_lease=True, status=OutboxStatus.RELEASING)

        try:
            await conn.send(_address(self.settings.sender), row.to_addr, raw, mark_releasing)
        except SupersededError:
            return
        except UncertainDeliveryError as exc:
            error = f"{UNCERTAIN}: {exc}"
            await marker.mark(row.id, also_sent=delivered, status=OutboxStatus.FAILED, last_error=error)
        except PermanentMailError as exc:
            await marker.mark(
                row.id, also_sent=delivered, status=OutboxStatus.FAILED, last_error=str(exc), sent_at=None
            )
        except TransientMailError as exc:
            await self._retry(marker, row, str(exc), also_sent=delivered)
            if conn.client is None:
                # the connection is gone: this lane stops for this round instead of hammering a server that
                # is down; the other lanes go on, but no more rows are claimed in this round
                feed.stop()
        else:
            delivered.append((row.id, utcnow()))

    async def _retry(
        self,
        marker: Marker,
        row: Claimed,
        error: str,
        *,
        count: bool = True,
        also_sent: list[tuple[UUID, dt.datetime]] | None = None,
    ) -> None:
        attempts = row.attempts if count else max(0, row.attempts - 1)
        if attempts >= self.settings.max_attempts:
            await marker.mark(row.id, also_sent=also_sent, status=OutboxStatus.FAILED, last_error=error, sent_at=None)
            return
        delay = min(3600.0, self.settings.backoff_base_seconds * 2 ** max(0, attempts - 1))
        delay *= random.uniform(0.5, 1.5)  # noqa: S311  # jitter, not security
        await marker.mark(
            row.id,
            also_sent=also_sent,
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

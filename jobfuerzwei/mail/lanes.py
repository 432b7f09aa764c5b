"""The outbox worker's lanes (one per SMTP connection): the feed of claimed rows and the markers.

A marker records the outcome of a row in a committed transaction, but only while the row is still held by this
worker. SQLite gets ``SyncMarker`` (blocking writes on the worker's own connection, for the reasons in its
docstring), PostgreSQL ``AsyncMarker`` (one async connection per lane). ``Feed`` hands the claimed rows to the
lanes and claims the next batch in the background. The loop that drives them is ``mail.worker.OutboxWorker``.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from functools import lru_cache
from typing import Protocol, TypeVar
from uuid import UUID

from sqlalchemy import Dialect, Update, bindparam, event, update
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.engine import sqlite_pragmas
from jobfuerzwei.mail.models import OutboxMessage, OutboxStatus

log = logging.getLogger("jobfuerzwei.mail")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Claimed:
    """What the worker needs of a claimed outbox row (the columns of ``CLAIMED_COLUMNS``, in their order)."""

    id: UUID
    message_id: str
    to_addr: str
    subject: str
    body_text: str
    body_html: str
    body_id: UUID | None
    fill: dict[str, str]
    headers: str
    attachment: dict[str, str] | None
    attempts: int
    created_at: dt.datetime


CLAIMED_COLUMNS = tuple(OutboxMessage.__table__.c[f.name] for f in fields(Claimed))


class Feed:
    """Claimed rows for the lanes; claims the next batch in the background when it runs low.

    A row whose lease ran out while it waited here (a slow server, a busy machine) is due again, and the next claim
    takes it again, under this worker's own name: the claim then only renews its lease. ``seen`` keeps it from
    being queued twice, which would send it twice (the markers cannot tell two holders of one name apart). A row
    stays in ``seen`` after a lane finished it: a claim already in flight may still return it (it took the row
    while it was being sent), and queueing it then would send it again.
    """

    def __init__(
        self, rows: Sequence[Claimed], claim: Callable[[], Awaitable[Sequence[Claimed]]], low_water: int
    ) -> None:
        self.queue = collections.deque(rows)
        self.total = len(rows)
        self.seen: set[UUID] = {r.id for r in rows}
        """Every row of this round: queued, being sent, or finished."""
        self._claim = claim
        self._low_water = low_water
        self._refill_task: asyncio.Task[None] | None = None
        self._exhausted = False

    def stop(self) -> None:
        """Claim nothing more in this round."""
        self._exhausted = True

    @property
    def stopped(self) -> bool:
        """No more rows will be claimed in this round."""
        return self._exhausted

    async def next(self) -> Claimed | None:
        """The next row, or None when the round is over."""
        while True:
            if len(self.queue) <= self._low_water and not self._exhausted and self._refill_task is None:
                self._refill_task = asyncio.create_task(self._refill())
            if self.queue:
                return self.queue.popleft()
            if self._refill_task is None:
                return None
            await asyncio.shield(self._refill_task)

    async def drain(self) -> list[Claimed]:
        """After the lanes stopped: wait for a claim in flight and hand back what nobody sent."""
        self._exhausted = True
        if self._refill_task is not None:
            await asyncio.shield(self._refill_task)
        rows = list(self.queue)
        self.queue.clear()
        return rows

    async def _refill(self) -> None:
        try:
            more = await self._claim()
        except Exception:
            log.exception("claiming the next batch failed")
            more = []
        more = [r for r in more if r.id not in self.seen]
        self.seen.update(r.id for r in more)
        if more:
            self.queue.extend(more)
            self.total += len(more)
        else:  # nothing due, or only rows already here: claiming again at once would only spin
            self._exhausted = True
        self._refill_task = None


@lru_cache(maxsize=16)
def _mark_statement(keys: tuple[str, ...]) -> Update:
    # Only rows still held by this worker change: if the lease ran out and another worker took the row over, the
    # update matches nothing and the caller must not release the message. Built once per set of columns.
    table = OutboxMessage.__table__
    return (
        update(table)  # type: ignore[arg-type]
        .where(table.c.id == bindparam("b_id"), table.c.claimed_by == bindparam("b_worker"))
        .values({key: bindparam(f"b_{key}") for key in keys})
    )


def _mark_params(
    row_id: UUID, worker_name: str, values: dict[str, object], keep_lease: bool = False
) -> tuple[Update, dict[str, object]]:
    values = {**values, "updated_at": utcnow()}
    if not keep_lease:
        values["claimed_until"] = None
    params = {f"b_{key}": value for key, value in values.items()}
    return _mark_statement(tuple(sorted(values))), {"b_id": row_id, "b_worker": worker_name, **params}


Delivered = list[tuple[UUID, dt.datetime]]


def _statements(
    row_id: UUID | None,
    worker_name: str,
    values: dict[str, object],
    keep_lease: bool,
    also_sent: Delivered | None,
) -> list[tuple[Update, dict[str, object]]]:
    """The updates of one transaction: rows delivered since the last commit become sent, then ``row_id`` changes."""
    statements = [
        _mark_params(sent_id, worker_name, {"status": OutboxStatus.SENT, "sent_at": at})
        for sent_id, at in also_sent or ()
    ]
    if row_id is not None:
        statements.append(_mark_params(row_id, worker_name, values, keep_lease))
    return statements


class Marker(Protocol):
    """Records a row's outcome in a committed transaction (with the lane's delivered rows, see worker._deliver)."""

    async def mark(
        self, row_id: UUID | None, *, also_sent: Delivered | None = None, keep_lease: bool = False, **values: object
    ) -> bool: ...


class SyncMarker:
    """SQLite: blocking writes on the worker's own connection, in the event loop thread.

    A commit in WAL mode with ``synchronous=NORMAL`` takes tens of microseconds. Through aiosqlite it costs two
    thread hand-offs, which under load grow to milliseconds per mail, and a transaction held open across them
    (a claim, say) makes every other writer wait; through SQLAlchemy's Core the per-mail update costs more Python
    than the commit itself. So the claims run here through a blocking SQLAlchemy session, and the per-mail updates
    are written out once as plain SQL with the column types' own bind processors (``_SqliteUpdates``). As every
    write finishes before control returns to the loop, the worker's writes never wait for each other. Blocking
    also keeps the gap between "releasing" and the final dot (see senders.py) as short as it can be.
    """

    def __init__(self, database: str, worker_name: str, dialect: Dialect) -> None:
        self.engine = sa_create_engine(f"sqlite:///{database}", poolclass=StaticPool, hide_parameters=True)
        event.listen(self.engine, "connect", sqlite_pragmas(busy_timeout_ms=0))
        self.session = Session(self.engine, expire_on_commit=False)
        self.raw: sqlite3.Connection = self.engine.raw_connection().driver_connection  # type: ignore[assignment]
        self.worker_name = worker_name
        self.updates = _SqliteUpdates(dialect)

    def close(self) -> None:
        self.session.close()
        self.engine.dispose()

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` (one transaction); a busy database means "yield to the loop, then try again".

        The write lock may be held by this loop's own web app (embedded default): waiting for it inside a
        blocking call would deadlock.
        """
        delay = 0.0005
        deadline = time.monotonic() + 60
        while True:
            try:
                return work()
            except (OperationalError, sqlite3.OperationalError) as exc:
                self.session.rollback()
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)

    async def mark(
        self, row_id: UUID | None, *, also_sent: Delivered | None = None, keep_lease: bool = False, **values: object
    ) -> bool:
        batch = [
            self.updates.build(sent_id, self.worker_name, {"status": OutboxStatus.SENT, "sent_at": at})
            for sent_id, at in also_sent or ()
        ]
        if row_id is not None:
            if not keep_lease:
                values["claimed_until"] = None
            batch.append(self.updates.build(row_id, self.worker_name, values))

        def write() -> int:
            raw = self.raw  # the session's own connection (StaticPool), used directly: a third of the cost
            rowcount = 0
            raw.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in batch:
                    rowcount = raw.execute(sql, params).rowcount
                raw.execute("COMMIT")
            except BaseException:
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                raise
            return rowcount

        rowcount = await self.run(write)
        if also_sent:
            also_sent.clear()
        return bool(rowcount)


class _SqliteUpdates:
    """``UPDATE outbox SET … WHERE id = ? AND claimed_by = ?`` with values converted as SQLAlchemy would."""

    def __init__(self, dialect: Dialect) -> None:
        table = OutboxMessage.__table__
        self.processors = {c.name: c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.c}

    def build(self, row_id: UUID, worker_name: str, values: dict[str, object]) -> tuple[str, list[object]]:
        values = {**values, "updated_at": utcnow()}
        keys = tuple(sorted(values))
        params = [self._convert(key, values[key]) for key in keys]
        return _sqlite_update_sql(keys), [*params, self._convert("id", row_id), worker_name]

    def _convert(self, column: str, value: object) -> object:
        processor = self.processors[column]
        if isinstance(value, StrEnum):
            value = value.value
        return processor(value) if processor is not None and value is not None else value


@lru_cache(maxsize=16)
def _sqlite_update_sql(keys: tuple[str, ...]) -> str:
    assignments = ", ".join(f'"{key}" = ?' for key in keys)  # keys are column names from this module, not input
    return f"UPDATE outbox SET {assignments} WHERE id = ? AND claimed_by = ?"  # noqa: S608


class AsyncMarker:
    """PostgreSQL: one async connection per lane."""

    def __init__(self, connection: AsyncConnection, worker_name: str) -> None:
        self.connection = connection
        self.worker_name = worker_name
        self.lock = asyncio.Lock()

    async def mark(
        self, row_id: UUID | None, *, also_sent: Delivered | None = None, keep_lease: bool = False, **values: object
    ) -> bool:
        async with self.lock:
            try:
                rowcount = 0
                for stmt, params in _statements(row_id, self.worker_name, values, keep_lease, also_sent):
                    rowcount = (await self.connection.execute(stmt, params)).rowcount
                await self.connection.commit()
            except BaseException:
                await self.connection.rollback()
                raise
        if also_sent:
            also_sent.clear()
        return bool(rowcount)

"""A change counter the database keeps itself: cached figures know when they are out of date.

Triggers (migration 0012) count every statement that writes one of ``TRACKED`` tables, whoever runs it: this
process, another app server, the worker, a retention run, a restore, a hand-written ``psql`` session. The counter
moves in the writing transaction, so it becomes visible with the data it counts.

- **PostgreSQL**: one row per database connection (``slot`` = ``pg_backend_pid()``), upserted by a statement-level
  trigger. A connection runs one transaction at a time, so no two transactions ever wait on the same counter row
  and writers never queue or deadlock on it. The version is the sum of all rows.
- **SQLite**: one row (slot 0), upserted by row-level triggers (SQLite has no statement triggers); SQLite has one
  writer at a time anyway.

The version only grows while rows are only added to or summed into. ``compact`` folds the rows of connections that
have ended into slot 0 (PostgreSQL), so the table stays as small as the number of live connections.

Reading the version *before* the data it guards is what makes a cache exact: every change counted in the version
read was committed before the data is read, so a cache entry is never older than its version. A change committed
in between makes the data newer than its version, which only costs one extra recomputation.

SQLite's ``batch_alter_table`` rebuilds a table and drops its triggers: a migration that alters a tracked table
must create them again (``tests/test_changes.py`` checks that every tracked table has them after ``migrate``).
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import BigInteger, Column, Engine, Integer, ScalarSelect, Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from jobfuerzwei.db.base import metadata

T = TypeVar("T")
C = TypeVar("C")

TRACKED = (
    "members",
    "profiles",
    "circulations",
    "circulation_recipients",
    "link_tokens",
    "referrals",
    "referral_events",
)
"""The tables the cached figures are computed from: the results, and the counts of the portal inbox."""

change_counters = Table(
    "change_counters",
    metadata,
    Column("slot", Integer, primary_key=True, autoincrement=False),
    Column("n", BigInteger, nullable=False),
)


def version_column() -> ScalarSelect[int]:
    """The data version as a column: a query the request makes anyway (the login) reads it in the same round trip."""
    return select(func.coalesce(func.sum(change_counters.c.n), 0)).scalar_subquery()


async def data_version(session: AsyncSession) -> int:
    """The number of write statements on the tracked tables so far (committed ones, as this session sees them)."""
    return int(await session.scalar(select(version_column())) or 0)


async def compact(session: AsyncSession) -> None:
    """Fold the counters of ended connections into slot 0 (PostgreSQL; on SQLite there is only slot 0)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    await session.execute(
        text(
            "WITH gone AS (DELETE FROM change_counters WHERE slot <> 0"
            " AND slot NOT IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL) RETURNING n)"
            " INSERT INTO change_counters (slot, n) SELECT 0, sum(n) FROM gone HAVING count(*) > 0"
            " ON CONFLICT (slot) DO UPDATE SET n = change_counters.n + excluded.n"
        )
    )


class VersionedCache(Generic[T]):
    """Values computed from the tracked tables, kept per key until the data version moves on.

    The least recently used entries beyond ``size`` are dropped.

    Concurrent requests for the same key and version share one computation: after a change, 32 waiting dashboard
    requests run the expensive queries once, not 32 times.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[int, T]] = OrderedDict()
        self._pending: dict[tuple[Hashable, int], asyncio.Future[T]] = {}
        self.computed = 0
        """How many times a value was computed (tests and benchmarks read it)."""

    async def get(
        self,
        session: AsyncSession,
        key: Hashable,
        compute: Callable[[AsyncSession], Awaitable[T]],
        fresh: Callable[[T], bool] | None = None,
        version: int | None = None,
    ) -> T:
        """The value for ``key`` at the current data version, computed with ``session`` when there is none.

        ``fresh`` says whether a kept value still holds apart from the data (e.g. until a deadline passes).
        ``version``: read already for this request, before anything it guards (``web.pagecache``).
        """
        if version is None:
            version = await data_version(session)
        kept = self.peek(key, version, fresh)
        if kept is not None:
            return kept
        pending = self._pending.get((key, version))
        if pending is not None:
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise  # this request was cancelled, not the one computing
            except Exception:  # noqa: S110  # the computing request failed: this one tries on its own
                pass
        return await self._compute(session, key, version, compute)

    def peek(self, key: Hashable, version: int | None, fresh: Callable[[T], bool] | None = None) -> T | None:
        """The value kept for ``key`` at ``version`` (and still ``fresh``), or ``None``; no database needed."""
        hit = self._entries.get(key)
        if version is None or hit is None or hit[0] != version or (fresh is not None and not fresh(hit[1])):
            return None
        self._entries.move_to_end(key)
        return hit[1]

    async def _compute(
        self, session: AsyncSession, key: Hashable, version: int, compute: Callable[[AsyncSession], Awaitable[T]]
    ) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._pending[(key, version)] = future
        try:
            value = await compute(session)
        except BaseException as exc:
            if isinstance(exc, Exception):
                future.set_exception(exc)
                future.exception()  # retrieved: no "never retrieved" warning when nobody waited
            else:
                future.cancel()
            raise
        finally:
            if self._pending.get((key, version)) is future:
                del self._pending[(key, version)]
        future.set_result(value)
        self.computed += 1
        current = self._entries.get(key)
        if current is None or current[0] <= version:  # a slower, older computation never replaces a newer one
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value


def per_engine(
    registry: weakref.WeakKeyDictionary[Engine, C], bound: AsyncSession | AsyncEngine, factory: Callable[[], C]
) -> C:
    """The object in ``registry`` for the database of a session or an engine (one per engine, gone with it)."""
    engine = bound.sync_engine if isinstance(bound, AsyncEngine) else bound.get_bind()
    assert isinstance(engine, Engine)  # noqa: S101  # sessions here are bound to one engine
    found = registry.get(engine)
    if found is None:
        found = registry[engine] = factory()
    return found

"""Pooled PostgreSQL connections that the server closed (a restart, an administrator) are replaced.

``db.engine.ping_idle_connections`` pings a connection only when it sat in the pool for a while; one used a moment
ago is not pinged (a round trip less per request), so a statement on it may fail once: then the request gets the
503 page and the pool replaces every older connection. Both paths here, against the real server.
"""

from __future__ import annotations

import asyncio
import os

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from jobfuerzwei.db.engine import create_engine, is_database_unavailable
from jobfuerzwei.staff.services import read_user

pytestmark = pytest.mark.skipif(
    os.environ.get("JFZ_TEST_DB", "sqlite") != "postgres", reason="pooled server connections: JFZ_TEST_DB=postgres"
)


async def _pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(text("SELECT pg_backend_pid()")))


async def _terminate(url: str, pid: int) -> None:
    """Close one server connection from the server side, and wait until it is gone."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
        for _ in range(200):
            if not await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the backend did not end")
    finally:
        await conn.close()


async def test_an_idle_connection_the_server_closed_is_pinged_and_replaced(database_url: str) -> None:
    engine = create_engine(database_url, idle_ping_seconds=0.2)
    try:
        first = await _pid(engine)
        await _terminate(database_url, first)
        await asyncio.sleep(0.3)
        second = await _pid(engine)  # no error: the ping found it closed and the pool connected anew
        assert second != first
        assert await _pid(engine) == second  # in use a moment ago: kept without a ping
    finally:
        await engine.dispose()


async def test_a_connection_closed_while_in_use_fails_once_and_the_pool_recovers(database_url: str) -> None:
    engine = create_engine(database_url, idle_ping_seconds=60)
    try:
        # two pooled connections, both closed by the server
        async with engine.connect() as a, engine.connect() as b:
            pids = [int(await c.scalar(text("SELECT pg_backend_pid()"))) for c in (a, b)]
        for pid in pids:
            await _terminate(database_url, pid)
        with pytest.raises(DBAPIError) as failed:
            await _pid(engine)  # not pinged (used a moment ago): the statement fails ...
        assert failed.value.connection_invalidated
        assert is_database_unavailable(failed.value)  # ... as "database unavailable": the 503 page
        fresh = {await _pid(engine), await _pid(engine)}  # ... and every older pooled connection is replaced
        assert not fresh & set(pids)
    finally:
        await engine.dispose()


async def test_the_pool_keeps_as_many_connections_as_requests_wait_at_once(database_url: str) -> None:
    """``pool_size`` connections stay open between bursts (no reconnect); the overflow beyond it is closed."""
    engine = create_engine(database_url, pool_size=4)

    async def burst(n: int) -> set[int]:
        conns = [await engine.connect() for _ in range(n)]
        try:
            return {int(await c.scalar(text("SELECT pg_backend_pid()"))) for c in conns}
        finally:
            for c in conns:
                await c.close()

    try:
        first = await burst(4)
        assert await burst(4) == first  # the same four server processes: nothing reopened
        assert len(await burst(6)) == 6  # two beyond the pool, from the overflow ...
        assert engine.sync_engine.pool.checkedin() == 4  # ... closed again when given back
    finally:
        await engine.dispose()


async def test_the_reading_login_on_a_closed_connection_fails_like_any_statement(database_url: str) -> None:
    """``db.quickread`` runs past SQLAlchemy on asyncpg; a lost connection still ends as SQLAlchemy's error."""
    engine = create_engine(database_url, idle_ping_seconds=60)
    try:
        await _terminate(database_url, await _pid(engine))
        with pytest.raises(DBAPIError) as failed:
            await read_user(engine, "ein-unbekanntes-token")  # the driver fails, SQLAlchemy judges it ...
        assert failed.value.connection_invalidated
        assert is_database_unavailable(failed.value)  # ... as "database unavailable": the 503 page
        assert await read_user(engine, "ein-unbekanntes-token") == (None, None)  # and the pool recovers
    finally:
        await engine.dispose()

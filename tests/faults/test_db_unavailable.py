"""An unreachable database answers 503 with a German page and ``Retry-After``; a bug stays a 500."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.exc import OperationalError, ProgrammingError

from jobfuerzwei.app import create_app
from jobfuerzwei.config import DatabaseSettings, Settings
from jobfuerzwei.db.engine import is_database_unavailable
from tests.conftest import BASE_URL, free_port


async def test_requests_fail_fast_with_503_while_the_database_refuses_connections(settings: Settings) -> None:
    nobody_listens = f"postgresql+asyncpg://jfz:jfz@127.0.0.1:{free_port()}/jfz"
    app = create_app(dataclasses.replace(settings, db=DatabaseSettings(url=nobody_listens)))
    async with AsyncTestClient(app=app, base_url=BASE_URL) as client:
        health = await client.get("/healthz")
        page = await client.get("/angebote")
        client.cookies.update({"jfz_session": "a-login", "jfz_portal": "a-login"})
        kept = [await client.get(path) for path in ("/coordinator/results", "/portal")]  # login on the driver
    assert [k.status_code for k in kept] == [503, 503]
    assert all("Die Datenbank ist gerade nicht erreichbar" in k.text for k in kept)
    assert health.status_code == 503
    assert health.json() == {"status_code": 503, "detail": health.json()["detail"]}
    assert health.headers["retry-after"] == "30"
    assert page.status_code == 503
    assert page.headers["retry-after"] == "30"
    assert "Vorübergehend nicht erreichbar" in page.text
    assert "Die Datenbank ist gerade nicht erreichbar" in page.text
    assert "ConnectionRefusedError" not in page.text


def _sqlite_error(message: str) -> OperationalError:
    return OperationalError("SELECT 1", None, sqlite3.OperationalError(message))


@pytest.mark.parametrize(
    ("exc", "unavailable"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (_sqlite_error("database is locked"), True),
        (_sqlite_error("no such table: outbox"), False),  # a bug or a missing migration, not an outage
        (ProgrammingError("SELECT 1", None, Exception("syntax error")), False),
        (ValueError("bad input"), False),
    ],
)
def test_what_counts_as_database_unavailable(exc: BaseException, unavailable: bool) -> None:
    assert is_database_unavailable(exc) is unavailable


def test_a_cause_counts_too() -> None:
    outer = RuntimeError("wrapped")
    outer.__cause__ = ConnectionResetError()
    assert is_database_unavailable(outer)

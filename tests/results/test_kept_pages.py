"""The dashboard is kept whole until the data changes (``web.pagecache``), and stays right for every viewer.

The app here shares the tests' engine, so ``kept_pages`` shows the app's cache: how often the page was rendered.
"""

from __future__ import annotations

import gzip
import re
import zlib
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request
from litestar.testing import AsyncTestClient
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from jobfuerzwei.app import create_app
from jobfuerzwei.config import Settings
from jobfuerzwei.web.flash import COOKIE as FLASH_COOKIE
from jobfuerzwei.web.pagecache import _MARK, _Kept, accepts_gzip, kept_pages
from tests.coordinator.conftest import login
from tests.results.conftest import OBSERVER_EMAIL, OBSERVER_PASSWORD

DASHBOARD = "/coordinator/results"


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine) -> Litestar:
    return create_app(settings, engine=engine)


async def log_in_other_browser(client: AsyncTestClient[Litestar], email: str, password: str) -> httpx.Cookies:
    """Log in with a cookie jar of its own; returns that jar, and the client keeps its own."""
    saved = client.cookies
    client.cookies = httpx.Cookies()
    try:
        assert (await login(client, email, password)).status_code == 303
        await client.get(DASHBOARD)  # the login's message
        return client.cookies
    finally:
        client.cookies = saved


async def get_as(client: AsyncTestClient[Litestar], jar: httpx.Cookies, path: str) -> httpx.Response:
    """GET ``path`` with another browser's cookies."""
    saved = client.cookies
    client.cookies = jar
    try:
        return await client.get(path)
    finally:
        client.cookies = saved


def _form_token(html: str) -> str:
    found = re.findall(r'name="_csrf_token" value="([^"]*)"', html)
    assert found, "no CSRF field"
    assert len(set(found)) == 1
    return found[0]


@pytest.mark.usefixtures("network")
async def test_the_dashboard_is_rendered_once_and_each_response_has_its_own_csrf_token(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    pages = kept_pages(db_session)
    assert "Sie sind angemeldet." in (await logged_in_client.get(DASHBOARD)).text  # the login's message: afresh
    first = await logged_in_client.get(DASHBOARD)
    assert first.status_code == 200
    rendered = pages.computed
    second = await logged_in_client.get(DASHBOARD)
    assert pages.computed == rendered  # served from the kept copy
    assert second.text.replace(_form_token(second.text), "") == first.text.replace(_form_token(first.text), "")
    assert _form_token(second.text) == logged_in_client.cookies.get("csrftoken")

    # another browser (no token yet) gets the same page with a token of its own, and it works
    logged_in_client.cookies.delete("csrftoken")
    third = await logged_in_client.get(DASHBOARD)
    assert pages.computed == rendered
    token = _form_token(third.text)
    assert token == logged_in_client.cookies.get("csrftoken")
    assert token != _form_token(second.text)
    assert "text/html" in third.headers["content-type"]
    assert third.headers["x-content-type-options"] == "nosniff"  # the security headers as on every page
    logout = await logged_in_client.post("/coordinator/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert logout.status_code == 303


@pytest.mark.usefixtures("network")
async def test_kept_pages_follow_language_and_role(
    logged_in_client: AsyncTestClient[Litestar], observer_user: object
) -> None:
    await logged_in_client.get(DASHBOARD)  # the login's message
    german = (await logged_in_client.get(DASHBOARD)).text
    assert "<h1>Auswertung</h1>" in german
    assert 'href="/coordinator/members"' in german  # the coordinator's navigation and contact export
    assert "mit Kontaktdaten" in german

    observer = await log_in_other_browser(logged_in_client, OBSERVER_EMAIL, OBSERVER_PASSWORD)
    seen = (await get_as(logged_in_client, observer, DASHBOARD)).text
    assert "<h1>Auswertung</h1>" in seen
    assert 'href="/coordinator/members"' not in seen
    assert "mit Kontaktdaten" not in seen

    await logged_in_client.get(f"/sprache/en?next={DASHBOARD}")
    english = (await logged_in_client.get(DASHBOARD)).text
    assert "<h1>Results</h1>" in english
    assert '<html lang="en">' in english
    assert 'href="/coordinator/members"' in english
    assert "<h1>Auswertung</h1>" in (await get_as(logged_in_client, observer, DASHBOARD)).text  # still German


@pytest.mark.usefixtures("network")
async def test_a_flash_message_shows_once_on_a_kept_page(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    pages = kept_pages(db_session)
    assert "Sie sind angemeldet." in (await logged_in_client.get(DASHBOARD)).text  # the login's message
    await logged_in_client.get(DASHBOARD)  # now kept
    rendered = pages.computed
    # the next message arrives, as after a redirect that set it
    logged_in_client.cookies.set(FLASH_COOKIE, "logged_out", domain="testserver.local", path="/")
    assert "Sie sind abgemeldet." in (await logged_in_client.get(DASHBOARD)).text
    assert "Sie sind abgemeldet." not in (await logged_in_client.get(DASHBOARD)).text  # once
    assert pages.computed == rendered


@pytest.mark.usefixtures("network")
async def test_a_bad_filter_keeps_its_400_and_the_typed_value(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    await logged_in_client.get(DASHBOARD)  # the login's message
    for _ in range(2):  # rendered, then kept
        response = await logged_in_client.get(f"{DASHBOARD}?from=31.02.2025")
        assert response.status_code == 400
        assert 'value="31.02.2025"' in response.text


@pytest.mark.usefixtures("network")
async def test_a_kept_dashboard_costs_one_statement_outside_a_transaction(
    logged_in_client: AsyncTestClient[Litestar], engine: AsyncEngine
) -> None:
    await logged_in_client.get(DASHBOARD)  # the login's message
    await logged_in_client.get(DASHBOARD)  # kept
    statements: list[tuple[str, object]] = []

    def seen(conn: Connection, cursor: object, statement: str, *args: object) -> None:
        statements.append((statement, conn.get_execution_options().get("isolation_level")))

    def on_driver(query: Any) -> None:  # asyncpg's LoggedQuery: what ran past SQLAlchemy (db.quickread)
        statements.append((query.query, "driver"))

    def checked_out(dbapi_connection: Any, *args: object) -> None:
        if hasattr(dbapi_connection.driver_connection, "add_query_logger"):
            dbapi_connection.driver_connection.add_query_logger(on_driver)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    event.listen(engine.sync_engine.pool, "checkout", checked_out)
    try:
        page = await logged_in_client.get(DASHBOARD)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
        event.remove(engine.sync_engine.pool, "checkout", checked_out)
    assert page.status_code == 200
    assert len(statements) == 1, statements  # the login, with the data version in the same statement
    statement, isolation = statements[0]
    assert "staff_sessions" in statement
    assert "change_counters" in statement
    if engine.dialect.name == "postgresql":
        assert isolation == "driver"  # asyncpg, no SQLAlchemy statement; a BEGIN would show here as well
    else:
        assert isolation == "AUTOCOMMIT"  # no BEGIN and COMMIT around it


@pytest.mark.parametrize(
    ("header", "gzip_ok"),
    [
        ("gzip, deflate, br, zstd", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("", False),
        ("identity", False),
        ("gzip;q=0", False),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("deflate, x-gzip", True),
        ("gzip;q=nonsense", False),
    ],
)
def test_accepts_gzip_reads_the_weights(header: str, gzip_ok: bool) -> None:
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"accept-encoding", header.encode())]}
    assert accepts_gzip(Request(scope)) is gzip_ok


@pytest.mark.parametrize(
    "page_html",
    [
        f"<p>{_MARK}</p>",
        f"{_MARK}<form>{_MARK}</form>{_MARK}",  # markers at both ends: empty parts
        "<p>no form at all</p>",
        "ä€ " * 20_000 + _MARK + "x" * 70_000,  # UTF-8, and more than one stored block's worth
    ],
    ids=["one marker", "markers at both ends", "no marker", "long UTF-8"],  # the marker is random per process
)
@pytest.mark.parametrize("token", [b"", b"t" * 128, b"0123abcd" * 16])
def test_the_kept_gzip_is_the_page_with_the_token(page_html: str, token: bytes) -> None:
    kept = _Kept.of(page_html, None, 200)
    expected = page_html.replace(_MARK, token.decode()).encode()
    assert kept.body(token) == expected
    assert gzip.decompress(kept.gzip(token)) == expected  # gzip checks the CRC and the length
    assert zlib.decompress(kept.gzip(token), 16 + zlib.MAX_WBITS) == expected


@pytest.mark.usefixtures("network")
async def test_the_kept_dashboard_goes_out_compressed_only_where_accepted(
    logged_in_client: AsyncTestClient[Litestar],
) -> None:
    await logged_in_client.get(DASHBOARD)  # the login's message
    plain = await logged_in_client.get(DASHBOARD, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"
    packed = await logged_in_client.get(DASHBOARD, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert int(packed.headers["content-length"]) < len(plain.content) / 3
    assert packed.text == plain.text  # httpx unpacked it: the same page, the same browser's token
    assert _form_token(packed.text) == logged_in_client.cookies.get("csrftoken")

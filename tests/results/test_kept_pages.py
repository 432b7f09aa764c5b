"""The dashboard is kept whole until the data changes (``web.pagecache``), and stays right for every viewer.

The app here shares the tests' engine, so ``kept_pages`` shows the app's cache: how often the page was rendered.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from jobfuerzwei.app import create_app
from jobfuerzwei.config import Settings
from jobfuerzwei.web.flash import COOKIE as FLASH_COOKIE
from jobfuerzwei.web.pagecache import kept_pages
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

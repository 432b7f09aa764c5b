from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from jobfuerzwei.app import create_app
from jobfuerzwei.config import Settings
from jobfuerzwei.web.auth import SESSION_COOKIE
from tests.coordinator.conftest import STAFF_EMAIL, STAFF_PASSWORD, login, post_form


def _session_cookie_header(response: httpx.Response) -> str:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}=")]
    assert len(headers) == 1, headers
    return headers[0]


async def test_login_sets_httponly_samesite_session_cookie_and_redirects(
    client: AsyncTestClient[Litestar], staff_user: UUID
) -> None:
    response = await login(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/coordinator"
    header = _session_cookie_header(response).lower()
    assert "httponly" in header
    assert "samesite=lax" in header
    assert "path=/" in header
    overview = await client.get("/coordinator")
    assert overview.status_code == 200
    assert "Übersicht" in overview.text


async def test_every_login_issues_a_fresh_session_token(client: AsyncTestClient[Litestar], staff_user: UUID) -> None:
    first = client.cookies.get(SESSION_COOKIE)
    assert first is None
    await login(client)
    first = client.cookies.get(SESSION_COOKIE)
    await login(client)
    second = client.cookies.get(SESSION_COOKIE)
    assert first
    assert second
    assert first != second
    # The session of the first login was ended at the second (rotation, no fixation).
    client.cookies.set(SESSION_COOKIE, first)
    response = await client.get("/coordinator", follow_redirects=False)
    assert response.status_code == 303


async def test_login_with_secure_cookies_marks_the_cookie_secure(settings: Settings, staff_user: UUID) -> None:
    secure = replace(settings, security=replace(settings.security, cookie_secure=True))
    # Secure cookies (the CSRF cookie too) only travel over https.
    async with AsyncTestClient(app=create_app(secure), base_url="https://testserver.local") as c:
        response = await login(c)
    assert response.status_code == 303
    assert "secure" in _session_cookie_header(response).lower()


async def test_wrong_password_answers_400_keeps_email_and_sets_no_cookie(
    client: AsyncTestClient[Litestar], staff_user: UUID
) -> None:
    response = await login(client, password="falsch-falsch-falsch")
    assert response.status_code == 400
    assert "E-Mail-Adresse oder Passwort ist falsch" in response.text
    assert f'value="{STAFF_EMAIL}"' in response.text
    assert not [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}=")]
    assert client.cookies.get(SESSION_COOKIE) is None


async def test_unknown_account_answers_like_a_wrong_password(
    client: AsyncTestClient[Litestar], staff_user: UUID
) -> None:
    response = await login(client, email="niemand@example.org")
    assert response.status_code == 400
    assert "E-Mail-Adresse oder Passwort ist falsch" in response.text


async def test_account_is_locked_after_too_many_failures_even_with_the_right_password(
    client: AsyncTestClient[Litestar], staff_user: UUID, settings: Settings
) -> None:
    limit = settings.security.login_failures_per_account
    for _ in range(limit):
        assert (await login(client, password="falsch-falsch-falsch")).status_code == 400
    response = await login(client, email=STAFF_EMAIL.upper())
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen" in response.text
    assert client.cookies.get(SESSION_COOKIE) is None


async def test_logout_invalidates_the_old_cookie(logged_in_client: AsyncTestClient[Litestar]) -> None:
    old = logged_in_client.cookies.get(SESSION_COOKIE)
    assert old
    response = await post_form(logged_in_client, "/coordinator/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/coordinator/login"
    logged_in_client.cookies.set(SESSION_COOKIE, old)
    again = await logged_in_client.get("/coordinator/profiles", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == "/coordinator/login?next=/coordinator/profiles"


@pytest.mark.parametrize(
    "path",
    ["/coordinator", "/coordinator/profiles", "/coordinator/members", "/coordinator/members/new", "/coordinator/mails"],
)
async def test_coordinator_pages_redirect_anonymous_users_to_the_login(
    client: AsyncTestClient[Litestar], path: str
) -> None:
    response = await client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/coordinator/login?next=")


@pytest.mark.parametrize(
    ("next_path", "expected"),
    [
        ("/coordinator/members", "/coordinator/members"),
        ("//evil.example/steal", "/coordinator"),
        ("https://evil.example/", "/coordinator"),
    ],
)
async def test_login_returns_to_a_local_next_path_only(
    client: AsyncTestClient[Litestar], staff_user: UUID, next_path: str, expected: str
) -> None:
    # One login per case: a code is accepted once, so three logins in one app would need three time steps.
    response = await login(client, next_path=next_path)
    assert response.headers["location"] == expected


async def test_login_form_carries_the_next_path(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/coordinator/login?next=/coordinator/mails")
    assert response.status_code == 200
    assert 'name="next" value="/coordinator/mails"' in response.text


async def test_login_without_csrf_token_is_refused(client: AsyncTestClient[Litestar], staff_user: UUID) -> None:
    await client.get("/coordinator/login")
    response = await client.post(
        "/coordinator/login", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert client.cookies.get(SESSION_COOKIE) is None

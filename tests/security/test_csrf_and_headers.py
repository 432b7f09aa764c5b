"""CSRF on every unsafe route, GET/HEAD leave the token alone, security headers on error pages too, Host allow-list.

Routes come from the app's route table, so a new POST route is swept without anybody adding it here.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import httpx
from litestar import Litestar, get
from litestar.middleware import DefineMiddleware
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from jobfuerzwei.app import MAX_BODY_BYTES, create_app
from jobfuerzwei.config import Settings, load_settings
from jobfuerzwei.db.models import metadata
from jobfuerzwei.web.csrf import ExpiringCSRFMiddleware, issue_token
from tests.conftest import BASE_URL, csrf_token
from tests.security.test_access_matrix import app_routes, fill, missing_security_headers
from tests.security.world import World, build_world

CSRF_EXEMPT = ("/mail/unsubscribe/",)
"""RFC 8058 one-click unsubscribe: mail providers POST without cookies; the link's HMAC is the check (app.py)."""


def owner(pattern: str) -> str:
    """The role whose ids make ``pattern`` a request that would succeed with a valid token."""
    prefixes = {
        "/coordinator/password/": "observer",
        "/coordinator": "coordinator",
        "/portal/password/": "employer_a",
        "/portal": "employer_a",
        "/e/": "employer_a",
        "/rsvp/": "employer_a",
        "/mail/": "employer_a",
        "/status/": "partner",
        "/confirm/": "applicant",
    }
    return next((role for prefix, role in prefixes.items() if pattern.startswith(prefix)), "anonymous")


async def _everybody(client: AsyncTestClient[Litestar], world: World) -> str:
    """Give ``client`` the coordinator's and member A's sessions; returns the CSRF token of its cookie."""
    for role in ("coordinator", "employer_a"):
        for name, value in world.cookies[role].items():
            client.cookies.set(name, value)
    await client.get("/privacy")
    token = client.cookies.get("csrftoken")
    assert token
    return token


async def snapshot(engine: AsyncEngine) -> dict[str, list[str]]:
    """Every row of every table, as sorted text (to prove that nothing changed)."""
    tables = {}
    async with AsyncSession(engine) as session:
        for table in metadata.sorted_tables:
            rows = (await session.execute(select(table))).all()
            tables[table.name] = sorted(repr(tuple(row)) for row in rows)
    return tables


async def test_every_unsafe_route_refuses_a_missing_or_wrong_csrf_token_and_changes_nothing(
    app: Litestar, client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings, engine: AsyncEngine
) -> None:
    world = await build_world(db_session, settings)
    token = await _everybody(client, world)
    # a fresh token with a valid signature, but another browser's; and one signed with another secret
    foreign = issue_token(settings.security.secret_key, time.time())
    forged = issue_token("another-secret-" + "x" * 40, time.time())
    unsafe = sorted((m, p) for m, p in app_routes(app) if m not in ("GET", "HEAD"))
    assert {m for m, _ in unsafe} == {"POST"}
    assert len(unsafe) > 70
    before = await snapshot(engine)
    wrong = []
    for method, pattern in unsafe:
        if pattern.startswith(CSRF_EXEMPT):
            continue
        path = fill(pattern, world, owner(pattern), foreign=False)
        attempts: list[tuple[str, dict[str, Any]]] = [
            ("no token", {"data": {"name": "x"}}),
            ("empty token", {"data": {"_csrf_token": ""}}),
            ("forged token", {"data": {"_csrf_token": forged}}),
            ("another browser's token", {"data": {"_csrf_token": foreign}}),
            ("wrong header", {"headers": {"x-csrftoken": foreign}}),
            ("token in the query", {"params": {"_csrf_token": token}}),
        ]
        for what, kwargs in attempts:
            response = await client.request(method, path, follow_redirects=False, **kwargs)
            if response.status_code != 403 or "Formular ist abgelaufen" not in response.text:
                wrong.append(f"{method} {pattern} with {what}: {response.status_code}")
    after = await snapshot(engine)
    assert not wrong, "\n".join(wrong)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"refused requests changed tables {changed}"
    # the right token still works (the cookie was not rotated by the refusals)
    assert (await client.post("/portal/password/forgot", data={"_csrf_token": token})).status_code == 400


def csrf_middleware(app: Litestar) -> DefineMiddleware:
    """The app's CSRF middleware (``web.csrf``; Litestar's own ``csrf_config`` stays unset)."""
    assert app.csrf_config is None
    [found] = [m for m in app.middleware if isinstance(m, DefineMiddleware) and m.middleware is ExpiringCSRFMiddleware]
    return found


async def test_csrf_exemptions_are_exactly_the_one_click_unsubscribe(app: Litestar) -> None:
    config = csrf_middleware(app).kwargs["config"]
    assert sorted(config.exclude or []) == ["^/healthz$", "^/mail/unsubscribe/"]
    assert config.safe_methods == {"GET", "HEAD", "OPTIONS"}
    assert config.cookie_httponly
    assert config.cookie_samesite == "lax"


async def test_an_exempt_word_inside_another_path_does_not_skip_the_check(client: AsyncTestClient[Litestar]) -> None:
    # Litestar searches exclusion patterns anywhere in the path; anchoring keeps these under the CSRF check
    for path in ("/e/healthz/referral", "/e/x/answer/healthz", "/status/healthz/pause"):
        response = await client.post(path, data={"decision": "grant"}, follow_redirects=False)
        assert response.status_code == 403, (path, response.status_code)


async def test_get_and_head_never_set_rotate_or_consume_the_token(
    app: Litestar, client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    world = await build_world(db_session, settings)
    first = await client.get("/")
    cookie = first.headers.get("set-cookie", "")
    assert cookie.startswith("csrftoken=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    token = await _everybody(client, world)
    safe = sorted((m, p) for m, p in app_routes(app) if m in ("GET", "HEAD"))
    rotated = []
    for method, pattern in safe:
        path = fill(pattern, world, owner(pattern), foreign=False)
        response = await client.request(method, path, follow_redirects=False)
        if any(c.startswith("csrftoken=") for c in response.headers.get_list("set-cookie")):
            rotated.append(f"{method} {pattern}")
        if client.cookies.get("csrftoken") != token:
            rotated.append(f"{method} {pattern} changed the cookie")
    assert not rotated, rotated
    # the token read before all those GETs is still good, twice (a POST does not consume it either)
    for _ in range(2):
        response = await client.post("/portal/password/forgot", data={"_csrf_token": token, "email": "x"})
        assert response.status_code == 400


async def test_error_responses_carry_the_security_headers_and_a_german_page(settings: Settings) -> None:
    app = create_app(settings)

    @get("/__boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("secret detail")

    app.register(boom)
    async with AsyncTestClient(app=app, base_url=BASE_URL) as client:
        token = await csrf_token(client, "/portal/login")
        responses: dict[str, httpx.Response] = {
            "404": await client.get("/nothing-here"),
            "405": await client.put("/register"),
            "403 csrf": await client.post("/register"),
            "413": await client.post(
                "/register",
                content=b"a=" + b"x" * (MAX_BODY_BYTES + 1),
                headers={"content-type": "application/x-www-form-urlencoded", "x-csrftoken": token},
            ),
            "500": await client.get("/__boom"),
        }
    tight = dataclasses.replace(settings, security=dataclasses.replace(settings.security, rate_limit_per_minute=1))
    async with AsyncTestClient(app=create_app(tight), base_url=BASE_URL) as client:
        token = await csrf_token(client, "/portal/login")
        for _ in range(2):
            responses["429"] = await client.post("/portal/login", data={"_csrf_token": token})
    strict = dataclasses.replace(
        settings, security=dataclasses.replace(settings.security, allowed_hosts=("a.example",))
    )
    async with AsyncTestClient(app=create_app(strict), base_url=BASE_URL) as client:
        responses["400 host"] = await client.get("/", headers={"host": "evil.example"})
    expected = {"404": 404, "405": 405, "403 csrf": 403, "413": 413, "500": 500, "429": 429, "400 host": 400}
    for what, response in responses.items():
        assert response.status_code == expected[what], (what, response.status_code)
        assert not missing_security_headers(response), (what, missing_security_headers(response))
    assert "Interner Fehler" in responses["500"].text
    assert "secret detail" not in responses["500"].text
    assert "Traceback" not in responses["500"].text
    assert "Zu viele Anfragen" in responses["429"].text
    assert "Datei zu groß" in responses["413"].text


async def test_production_answers_only_its_own_host(settings: Settings) -> None:
    production = load_settings(
        {
            "JFZ_ENV": "production",
            "JFZ_SECRET_KEY": "p" * 48,
            "JFZ_BASE_URL": "https://jobs.ihk-ostwuerttemberg.example",
            "JFZ_DATABASE_URL": settings.db.url,
            "JFZ_SMTP_HOST": "127.0.0.1",
        }
    )
    assert production.security.allowed_hosts == ("jobs.ihk-ostwuerttemberg.example", "127.0.0.1", "localhost")
    strict = dataclasses.replace(settings, security=production.security)
    async with AsyncTestClient(app=create_app(strict), base_url="https://jobs.ihk-ostwuerttemberg.example") as client:
        for host, status in [
            ("jobs.ihk-ostwuerttemberg.example", 200),
            ("JOBS.IHK-Ostwuerttemberg.example:443", 200),
            ("127.0.0.1:8000", 200),
            ("evil.example", 400),
            ("jobs.ihk-ostwuerttemberg.example.evil.example", 400),
            ("evil.jobs.ihk-ostwuerttemberg.example", 400),
            ("jobs.ihk-ostwuerttemberg.example@evil.example", 400),
            ("[::1]", 400),
            ("", 400),
        ]:
            response = await client.get("/privacy", headers={"host": host})
            assert response.status_code == status, (host, response.status_code)
            assert not missing_security_headers(response), host

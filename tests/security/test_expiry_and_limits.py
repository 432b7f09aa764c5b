"""Links and sessions expire; the per-address login limit trusts X-Forwarded-For only from a configured proxy."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.app import create_app
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import AccountToken, EmployerSession
from jobfuerzwei.staff.models import StaffSession, StaffUser
from jobfuerzwei.staff.services import password_link_token
from jobfuerzwei.tokens.models import LinkToken
from tests.conftest import BASE_URL, csrf_token
from tests.security.test_access_matrix import fill
from tests.security.world import build_world

PAST = dt.timedelta(minutes=1)


async def test_expired_links_and_sessions_are_refused(
    client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    world = await build_world(db_session, settings)
    past = utcnow() - PAST
    for model in (LinkToken, AccountToken, StaffSession, EmployerSession):
        await db_session.execute(update(model).values(expires_at=past))
    await db_session.commit()
    observer = await db_session.get(StaffUser, world.observer_id)
    assert observer is not None
    stale_password_link = password_link_token(settings.security.secret_key, observer, now=time.time() - 8 * 86400)
    links = {
        "applicant": "/confirm/{token:str}",
        "partner": "/status/{token:str}",
        "employer_a": "/e/{token:str}",
    }
    for role, pattern in links.items():
        response = await client.get(fill(pattern, world, role, foreign=False))
        assert response.status_code == 410, (pattern, response.status_code)
    assert (await client.get(f"/portal/password/{world.portal_password_token}")).status_code == 410
    assert (await client.get(f"/coordinator/password/{stale_password_link}")).status_code == 410
    for role, page, login in [
        ("coordinator", "/coordinator", "/coordinator/login"),
        ("employer_a", "/portal", "/portal/login"),
    ]:
        client.cookies.clear()
        for name, value in world.cookies[role].items():
            client.cookies.set(name, value)
        response = await client.get(page, follow_redirects=False)
        assert response.status_code == 303, role
        assert response.headers["location"].startswith(login)


async def _login_statuses(client: AsyncTestClient[Litestar], forwarded: list[str]) -> list[int]:
    token = await csrf_token(client, "/coordinator/login")
    statuses = []
    for address in forwarded:
        response = await client.post(
            "/coordinator/login",
            data={"_csrf_token": token, "email": "x@example.org", "password": "falsch"},
            headers={"X-Forwarded-For": address},
        )
        statuses.append(response.status_code)
    return statuses


async def test_forwarded_for_counts_per_client_only_behind_a_configured_proxy(settings: Settings) -> None:
    # The test client's peer address is "testclient": configured as the proxy, the last X-Forwarded-For hop counts.
    behind = dataclasses.replace(
        settings,
        security=dataclasses.replace(settings.security, rate_limit_per_minute=2, trusted_proxies=("testclient",)),
    )
    async with AsyncTestClient(app=create_app(behind), base_url=BASE_URL) as client:
        assert await _login_statuses(client, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [400, 400, 400]
        assert await _login_statuses(client, ["198.51.100.7"] * 3) == [400, 400, 429]
        # a client cannot pick its address: only the last hop (added by the proxy) counts
        assert await _login_statuses(client, ["203.0.113.9, 198.51.100.7"]) == [429]
    direct = dataclasses.replace(settings, security=dataclasses.replace(settings.security, rate_limit_per_minute=2))
    async with AsyncTestClient(app=create_app(direct), base_url=BASE_URL) as client:
        assert await _login_statuses(client, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [400, 400, 429]

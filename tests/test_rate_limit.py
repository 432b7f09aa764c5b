"""The public form and the login are rate-limited per client address; X-Forwarded-For is not trusted by default."""

from __future__ import annotations

import dataclasses

from litestar.testing import AsyncTestClient

from jobfuerzwei.app import create_app
from jobfuerzwei.config import Settings
from tests.conftest import BASE_URL, csrf_token


async def test_login_posts_beyond_the_limit_get_429_even_with_changing_forwarded_for(settings: Settings) -> None:
    limited = dataclasses.replace(settings, security=dataclasses.replace(settings.security, rate_limit_per_minute=3))
    async with AsyncTestClient(app=create_app(limited), base_url=BASE_URL) as client:
        token = await csrf_token(client, "/coordinator/login")
        statuses = []
        for i in range(5):
            response = await client.post(
                "/coordinator/login",
                data={"_csrf_token": token, "email": "x@example.org", "password": "falsch"},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            )
            statuses.append(response.status_code)
        assert statuses[:3] == [400, 400, 400]
        assert statuses[3:] == [429, 429]
        assert "Zu viele Anfragen" in response.text
        # pages (GET) are not limited
        assert (await client.get("/coordinator/login")).status_code == 200

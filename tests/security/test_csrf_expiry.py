"""CSRF tokens expire (``web.csrf``): refused after ``csrf_hours``, renewed on a page fetched in their second half."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.membership.models import MembershipApplication
from jobfuerzwei.web import csrf
from tests.conftest import csrf_token
from tests.membership.test_applications import APPLICATION

HOUR = 3600.0


class Clock:
    """The tokens' clock, moved by the test."""

    def __init__(self, start: float) -> None:
        self.value = start

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock(csrf.now())
    monkeypatch.setattr(csrf, "now", moved)
    return moved


def _join_form(token: str) -> dict[str, str]:
    return {"_csrf_token": token, **APPLICATION}


async def _applications(session_maker: async_sessionmaker[AsyncSession]) -> int:
    async with session_maker() as session:
        return int(await session.scalar(select(func.count()).select_from(MembershipApplication)) or 0)


def test_a_token_carries_its_time_and_its_signature_covers_it() -> None:
    token = csrf.issue_token("s" * 48, 1_800_000_000)
    secret = token[: csrf.CSRF_SECRET_BYTES * 2]
    assert csrf.issued_at(secret) == 1_800_000_000
    assert len(token) == len(csrf.issue_token("s" * 48, 1))  # the same shape as Litestar's
    # changing the time breaks the HMAC: an old token cannot be made young again
    forged = f"{1_900_000_000:08x}" + token[8:]
    middleware = csrf.ExpiringCSRFMiddleware(app=None, config=_config(), max_age=24 * HOUR)  # type: ignore[arg-type]
    assert middleware._decode_csrf_token(forged) is None


def _config() -> csrf.CSRFConfig:
    return csrf.CSRFConfig(secret="s" * 48)


def test_a_token_is_good_for_its_lifetime_only(clock: Clock) -> None:
    middleware = csrf.ExpiringCSRFMiddleware(app=None, config=_config(), max_age=24 * HOUR)  # type: ignore[arg-type]
    token = csrf.issue_token("s" * 48, clock.value)
    assert middleware._decode_csrf_token(token) is not None
    clock.value += 23.9 * HOUR
    assert middleware._decode_csrf_token(token) is not None
    clock.value += 0.2 * HOUR
    assert middleware._decode_csrf_token(token) is None
    future = csrf.issue_token("s" * 48, clock.value + HOUR)
    assert middleware._decode_csrf_token(future) is None


async def test_an_expired_form_is_refused_and_nothing_is_stored(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    session_maker: async_sessionmaker[AsyncSession],
    clock: Clock,
) -> None:
    token = await csrf_token(client, "/join")
    clock.value += settings.security.csrf_hours * HOUR + 60
    response = await client.post("/join", data=_join_form(token), follow_redirects=False)
    assert response.status_code == 403
    assert await _applications(session_maker) == 0
    # the next page load hands out a new token, and the form goes through with it
    fresh = await csrf_token(client, "/join")
    assert fresh != token
    response = await client.post("/join", data=_join_form(fresh), follow_redirects=False)
    assert response.status_code == 303, response.text
    assert await _applications(session_maker) == 1


async def test_pages_renew_the_token_only_in_its_second_half(
    client: AsyncTestClient[Litestar], settings: Settings, clock: Clock
) -> None:
    first = await csrf_token(client, "/join")
    half = settings.security.csrf_hours * HOUR / 2
    clock.value += half - 60
    page = await client.get("/privacy")
    assert not any(c.startswith("csrftoken=") for c in page.headers.get_list("set-cookie"))
    assert client.cookies.get("csrftoken") == first
    clock.value += 120
    page = await client.get("/join")
    assert any(c.startswith("csrftoken=") for c in page.headers.get_list("set-cookie"))
    renewed = client.cookies.get("csrftoken")
    assert renewed
    assert renewed != first
    # the page that renewed it already carries the new token in its form
    assert f'name="_csrf_token" value="{renewed}"' in page.text

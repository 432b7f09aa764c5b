"""Staff login needs a second factor: the password alone opens nothing; the first login sets up the app."""

from __future__ import annotations

import re
from uuid import UUID

import pyotp
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.staff.models import StaffSession, StaffUser
from jobfuerzwei.staff.services import create_staff
from jobfuerzwei.web.auth import SESSION_COOKIE
from tests.conftest import csrf_token
from tests.coordinator.conftest import STAFF_EMAIL, STAFF_PASSWORD, TOTP_SECRET, login, totp_code


async def _password_only(client: AsyncTestClient[Litestar], email: str = STAFF_EMAIL) -> str:
    token = await csrf_token(client, "/coordinator/login")
    response = await client.post(
        "/coordinator/login",
        data={"_csrf_token": token, "email": email, "password": STAFF_PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return str(response.headers["location"])


async def _code(client: AsyncTestClient[Litestar], code: str, path: str = "/coordinator/login/code") -> int:
    token = client.cookies.get("csrftoken") or ""
    response = await client.post(path, data={"_csrf_token": token, "code": code}, follow_redirects=False)
    return response.status_code


async def test_the_password_alone_opens_no_page(client: AsyncTestClient[Litestar], staff_user: UUID) -> None:
    assert (await _password_only(client)).startswith("/coordinator/login/code")
    for path in ("/coordinator", "/coordinator/profiles", "/coordinator/staff"):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/coordinator/login?next=")


async def test_a_wrong_code_is_refused_and_the_right_one_logs_in_with_a_new_session_token(
    client: AsyncTestClient[Litestar], staff_user: UUID
) -> None:
    await _password_only(client)
    half_open = client.cookies.get(SESSION_COOKIE)
    wrong = "000000" if totp_code(TOTP_SECRET) != "000000" else "111111"
    assert await _code(client, wrong) == 400
    assert await _code(client, "12ab") == 400
    assert await _code(client, totp_code(TOTP_SECRET)) == 303
    assert client.cookies.get(SESSION_COOKIE) != half_open
    assert (await client.get("/coordinator", follow_redirects=False)).status_code == 200


async def test_a_code_works_only_once(client: AsyncTestClient[Litestar], staff_user: UUID) -> None:
    code = totp_code(TOTP_SECRET)
    await _password_only(client)
    assert await _code(client, code) == 303
    await _password_only(client)
    assert await _code(client, code) == 400


async def test_wrong_codes_count_towards_the_account_lock(
    client: AsyncTestClient[Litestar], staff_user: UUID, app: Litestar
) -> None:
    await _password_only(client)
    wrong = "000000" if totp_code(TOTP_SECRET) != "000000" else "111111"
    limit = 10
    for _ in range(limit):
        assert await _code(client, wrong) == 400
    # Locked: even the right code ends the half-open session and goes back to the login, which stays locked.
    assert await _code(client, totp_code(TOTP_SECRET)) == 303
    assert (await client.get("/coordinator", follow_redirects=False)).status_code == 303
    token = await csrf_token(client, "/coordinator/login")
    again = await client.post(
        "/coordinator/login",
        data={"_csrf_token": token, "email": STAFF_EMAIL, "password": STAFF_PASSWORD},
        follow_redirects=False,
    )
    assert again.status_code == 429


async def test_the_first_login_sets_up_the_authenticator_app(
    client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    await create_staff(db_session, "neu@ihk.example", STAFF_PASSWORD, "Neu")
    await db_session.commit()
    assert (await _password_only(client, "neu@ihk.example")).startswith("/coordinator/login/setup")
    page = await client.get("/coordinator/login/setup")
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text)
    assert secret
    plain = secret.group(1).replace(" ", "")
    assert pyotp.TOTP(plain).provisioning_uri(name="neu@ihk.example", issuer_name="Job für Zwei") in page.text.replace(
        "&amp;", "&"
    )
    # Showing the page twice keeps the secret (the app may already hold it); a wrong code changes nothing.
    assert plain in (await client.get("/coordinator/login/setup")).text.replace(" ", "")
    assert (
        await _code(client, "000000" if totp_code(plain) != "000000" else "111111", "/coordinator/login/setup") == 400
    )
    user = await db_session.scalar(select(StaffUser).where(StaffUser.email == "neu@ihk.example"))
    assert user is not None
    await db_session.refresh(user)
    assert user.totp_secret is None
    assert await _code(client, totp_code(plain), "/coordinator/login/setup") == 303
    await db_session.refresh(user)
    assert user.totp_secret == plain
    assert (await client.get("/coordinator", follow_redirects=False)).status_code == 200


async def test_a_set_up_account_cannot_be_set_up_again_by_the_password_alone(
    client: AsyncTestClient[Litestar], staff_user: UUID
) -> None:
    await _password_only(client)
    response = await client.get("/coordinator/login/setup", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/coordinator/login?")
    assert await _code(client, "123456", "/coordinator/login/setup") == 303  # refused: back to the login


async def test_logout_deletes_the_session_row(
    client: AsyncTestClient[Litestar], staff_user: UUID, db_session: AsyncSession
) -> None:
    assert (await login(client)).status_code == 303
    token = client.cookies.get("csrftoken") or ""
    await client.post("/coordinator/logout", data={"_csrf_token": token}, follow_redirects=False)
    rows = (await db_session.scalars(select(StaffSession).where(StaffSession.staff_id == staff_user))).all()
    assert rows == []

"""Coordinator fixtures: a staff account, a client logged in through the real login form, and data helpers.

Other domains may copy the pattern (or import ``login`` and ``post_form`` from here).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from typing import Any
from uuid import UUID

import httpx
import pyotp
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.profiles.models import Profile, ProfileStatus, Qualification, WorkingTime
from jobfuerzwei.staff.services import create_staff
from tests.conftest import csrf_token

STAFF_EMAIL = "koordination@ihk.example"
STAFF_PASSWORD = "richtig-langes-passwort"


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
"""The second-factor secret of the test coordinator (``staff_user``); test data only."""
_SETUP_SECRET = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')


def totp_code(secret: str, ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``ahead`` steps later, within the allowed drift)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * ahead)


async def login(
    client: AsyncTestClient[Litestar],
    email: str = STAFF_EMAIL,
    password: str = STAFF_PASSWORD,
    next_path: str = "",
    *,
    totp_secret: str = TOTP_SECRET,
) -> httpx.Response:
    """Log in through the real forms: password, then the code (or, at a first login, the set-up of the app).

    Returns the last response (redirects are not followed): 303 to the target when the login succeeded, else the
    page that refused it. An account without a second factor is set up with the secret its set-up page shows.
    """
    token = await csrf_token(client, "/coordinator/login")
    data = {"_csrf_token": token, "email": email, "password": password}
    if next_path:
        data["next"] = next_path
    response = await client.post("/coordinator/login", data=data, follow_redirects=False)
    location = response.headers.get("location", "")
    if response.status_code != 303 or not location.startswith("/coordinator/login/"):
        return response
    step_page = await client.get(location)
    target = re.search(r'name="next" value="([^"]*)"', step_page.text)
    form = {"_csrf_token": client.cookies.get("csrftoken") or token, "next": target.group(1) if target else ""}
    if location.startswith("/coordinator/login/setup"):
        found = _SETUP_SECRET.search(step_page.text)
        assert found, "no secret on the set-up page"
        secret = found.group(1).replace(" ", "")
        return await client.post(
            "/coordinator/login/setup", data={**form, "code": totp_code(secret)}, follow_redirects=False
        )
    response = await client.post(
        "/coordinator/login/code", data={**form, "code": totp_code(totp_secret)}, follow_redirects=False
    )
    if response.status_code == 400:  # this step's code was used already in this app: the next one is accepted
        response = await client.post(
            "/coordinator/login/code", data={**form, "code": totp_code(totp_secret, 1)}, follow_redirects=False
        )
    return response


async def post_form(client: AsyncTestClient[Litestar], path: str, data: dict[str, Any] | None = None) -> httpx.Response:
    """POST a form with the CSRF token from the client's cookie (redirects are not followed)."""
    token = client.cookies.get("csrftoken") or await csrf_token(client, "/coordinator/login")
    return await client.post(path, data={"_csrf_token": token, **(data or {})}, follow_redirects=False)


@pytest.fixture
async def staff_user(db_session: AsyncSession) -> UUID:
    """A committed coordinator account (``STAFF_EMAIL`` / ``STAFF_PASSWORD``)."""
    user = await create_staff(db_session, STAFF_EMAIL, STAFF_PASSWORD, name="Koordination", totp_secret=TOTP_SECRET)
    await db_session.commit()
    return user.id


@pytest.fixture
async def logged_in_client(client: AsyncTestClient[Litestar], staff_user: UUID) -> AsyncTestClient[Litestar]:
    """The ``client`` with a live coordinator session cookie."""
    response = await login(client)
    assert response.status_code == 303, response.text
    return client


_numbers = itertools.count(1)


async def make_profile(session: AsyncSession, **values: Any) -> Profile:
    """A committed partner profile (confirmed unless ``status`` is given); pass column values to override."""
    now = utcnow()
    fields: dict[str, Any] = {
        "number": next(_numbers),
        "status": ProfileStatus.CONFIRMED,
        "applicant_name": "Anna Anwerbung",
        "applicant_email": "anna@example.org",
        "partner_name": "Bernd Beispiel",
        "partner_email": f"partner{next(_numbers)}@example.org",
        "partner_phone": "",
        "residence": "Stuttgart",
        "occupations": ["Industriemechaniker"],
        "qualification": Qualification.APPRENTICESHIP,
        "experience_years": 5,
        "skills": ["CNC"],
        "languages": [{"language": "Deutsch", "level": "native"}],
        "working_time": WorkingTime.FULL_TIME,
        "applicant_consented_at": now,
        "confirmed_at": now,
        "last_activity_at": now,
    }
    fields.update(values)
    profile = Profile(**fields)
    session.add(profile)
    await session.commit()
    return profile


async def make_member(session: AsyncSession, name: str = "Beispiel GmbH", **values: Any) -> Member:
    """A committed, active member with one contact."""
    member = Member(
        name=name,
        sector=values.pop("sector", "Maschinenbau"),
        municipality=values.pop("municipality", "Aalen"),
        joined_at=utcnow() - dt.timedelta(days=30),
        contacts=[MemberContact(email=values.pop("email", "personal@beispiel.example"))],
        **values,
    )
    session.add(member)
    await session.commit()
    return member

"""Test data for circulation and referral tests: members with terms, approved profiles with the partner's
permissions, a logged-in coordinator, and a circulation sent through the real form."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import secrets
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.circulation.models import CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import Member, MemberContact, Position
from jobfuerzwei.profiles.models import Profile, ProfilePermission, ProfileStatus, Qualification, WorkingTime
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.staff.services import create_staff, start_session
from jobfuerzwei.tokens import services as tokens
from jobfuerzwei.tokens.models import TokenPurpose
from jobfuerzwei.web.auth import SESSION_COOKIE
from tests.conftest import BASE_URL, csrf_token
from tests.coordinator.conftest import TOTP_SECRET, login

STAFF_EMAIL = "zirkulation@ihk.example"
STAFF_PASSWORD = "ein-ausreichend-langes-passwort"
PARTNER_NAME = "Maria Musterfrau"
PARTNER_EMAIL = "maria.musterfrau@example.org"
PARTNER_PHONE = "+49 7361 987654"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

_numbers = itertools.count(1)


async def make_member(
    session: AsyncSession,
    name: str,
    interests: str = "",
    open_positions: str = "",
    *,
    emails: Sequence[str] | None = None,
    is_active: bool = True,
) -> Member:
    """A committed member with contacts (default: one address derived from the name)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    addresses = list(emails) if emails is not None else [f"personal@{slug}.example"]
    member = Member(
        name=name,
        sector="Gesundheit" if "Klinik" in name else "Industrie",
        municipality="Aalen",
        postcode="73430",
        interests=interests,
        positions=[Position(title=t.strip()) for t in open_positions.splitlines() if t.strip()],
        is_active=is_active,
        joined_at=utcnow() - dt.timedelta(days=90),
        contacts=[MemberContact(email=a, name="Personal") for a in addresses],
    )
    session.add(member)
    await session.commit()
    return member


async def make_profile(
    session: AsyncSession,
    *,
    allowed: Sequence[Member] = (),
    excluded: Sequence[Member] = (),
    status: ProfileStatus = ProfileStatus.APPROVED,
    **values: Any,
) -> Profile:
    """A committed profile (approved by default) with the partner's decisions on members."""
    now = utcnow()
    fields: dict[str, Any] = {
        "number": next(_numbers),
        "status": status,
        "applicant_name": "Jonas Musterfrau",
        "applicant_email": "jonas.musterfrau@example.org",
        "partner_name": PARTNER_NAME,
        "partner_email": PARTNER_EMAIL,
        "partner_phone": PARTNER_PHONE,
        "residence": "Leipzig",
        "occupations": ["Pflegefachkraft"],
        "qualification": Qualification.APPRENTICESHIP,
        "experience_years": 6,
        "summary": "Sechs Jahre Stationsdienst in der Inneren Medizin.",
        "skills": ["Wundversorgung", "Dokumentation"],
        "languages": [{"language": "Deutsch", "level": "native"}, {"language": "Englisch", "level": "B2"}],
        "working_time": WorkingTime.EITHER,
        "earliest_start": dt.date(2027, 4, 1),
        "work_municipalities": ["Aalen", "Ellwangen"],
        "work_postcode": "73430",
        "work_radius_km": 25,
        "applicant_consented_at": now,
        "confirmed_at": now,
        "approved_at": now if status == ProfileStatus.APPROVED else None,
        "last_activity_at": now,
        "permissions": [ProfilePermission(member_id=m.id, is_allowed=True, decided_at=now) for m in allowed]
        + [ProfilePermission(member_id=m.id, is_allowed=False, decided_at=now) for m in excluded],
    }
    fields.update(values)
    profile = Profile(**fields)
    session.add(profile)
    await session.commit()
    return profile


async def add_cv(session: AsyncSession, settings: Settings, profile: Profile) -> None:
    """Store a PDF as the profile's CV (as the registration would)."""
    name = f"{secrets.token_hex(16)}.pdf"
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    (settings.upload_dir / name).write_bytes(PDF)
    profile.cv_file = name
    profile.cv_size = len(PDF)
    session.add(profile)
    await session.commit()


async def login_coordinator(client: AsyncTestClient[Litestar], session: AsyncSession) -> None:
    """Create a coordinator and log in through the real login forms (password and code)."""
    await create_staff(session, STAFF_EMAIL, STAFF_PASSWORD, name="Koordination", totp_secret=TOTP_SECRET)
    await session.commit()
    response = await login(client, STAFF_EMAIL, STAFF_PASSWORD)
    assert response.status_code == 303, response.text


async def session_cookie(client: AsyncTestClient[Litestar], session: AsyncSession, settings: Settings) -> None:
    """A coordinator session without the login form (argon2 twice per test is slow; the form has its own tests)."""
    user = StaffUser(email=STAFF_EMAIL, name="Koordination", password_hash="not-a-hash")
    session.add(user)
    await session.flush()
    token = await start_session(session, user, settings.security.session_hours, verified=True)
    await session.commit()
    client.cookies.set(SESSION_COOKIE, token)
    await csrf_token(client, "/coordinator/login")


async def post(client: AsyncTestClient[Litestar], path: str, data: dict[str, Any] | None = None) -> httpx.Response:
    """POST a form with the CSRF token (redirects not followed)."""
    token = client.cookies.get("csrftoken") or await csrf_token(client, "/coordinator/login")
    return await client.post(path, data={"_csrf_token": token, **(data or {})}, follow_redirects=False)


async def circulate(
    client: AsyncTestClient[Litestar], profile: Profile, members: Sequence[Member | UUID | str]
) -> httpx.Response:
    """Tick ``members`` on the circulation page and press "Senden"."""
    ids = [str(m.id) if isinstance(m, Member) else str(m) for m in members]
    return await post(client, f"/coordinator/profiles/{profile.id}/circulate", {"member_id": ids})


async def recipients(session_maker: async_sessionmaker[AsyncSession], profile_id: UUID) -> list[CirculationRecipient]:
    """Committed recipient rows of a profile."""
    async with session_maker() as session:
        return list(
            await session.scalars(select(CirculationRecipient).where(CirculationRecipient.profile_id == profile_id))
        )


async def employer_token(session: AsyncSession, settings: Settings, recipient: CirculationRecipient) -> str:
    """A fresh, committed employer link token for a recipient (the mailed one is only in the mail)."""
    token = tokens.issue(
        session,
        purpose=TokenPurpose.EMPLOYER,
        profile_id=recipient.profile_id,
        days=settings.security.employer_token_days,
        recipient_id=recipient.id,
    )
    await session.commit()
    return token


def path_of(link: str) -> str:
    """A mailed link as a path for the test client."""
    assert link.startswith(BASE_URL), link
    return link.removeprefix(BASE_URL)

"""Test data for the profile tests: members, valid forms, registered profiles and their links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import Member, MemberContact, Position
from jobfuerzwei.mail.models import OutboxMessage
from jobfuerzwei.profiles import services
from jobfuerzwei.profiles.models import Profile
from jobfuerzwei.profiles.schemas import validate_profile_form
from jobfuerzwei.tokens import services as tokens
from jobfuerzwei.tokens.models import TokenPurpose

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PARTNER_EMAIL = "maria.beispiel@example.org"
APPLICANT_EMAIL = "jonas.beispiel@example.org"


async def make_member(
    db_session: AsyncSession,
    name: str = "Maschinenbau Kocher GmbH",
    *,
    municipality: str = "Aalen",
    emails: tuple[str, ...] = ("personal@kocher.example",),
    is_active: bool = True,
) -> Member:
    """A committed member with contacts."""
    member = Member(
        name=name,
        sector="Maschinenbau",
        municipality=municipality,
        postcode="73430",
        interests="Konstruktion\nBuchhaltung",
        positions=[Position(title="Industriekaufmann/-frau")],
        is_active=is_active,
        joined_at=utcnow(),
        contacts=[MemberContact(email=e, name="Personalabteilung") for e in emails],
    )
    db_session.add(member)
    await db_session.commit()
    return member


def profile_form(**overrides: str) -> dict[str, str]:
    """A valid set of profile fields as the browser posts them."""
    form = {
        "recruiting_member_id": "",
        "partner_name": "Maria Beispiel",
        "partner_email": PARTNER_EMAIL,
        "partner_phone": "+49 7361 555123",
        "residence": "Leipzig",
        "move_date": "2027-03-01",
        "occupations": "Industriekauffrau\nBuchhaltung",
        "qualification": "apprenticeship",
        "experience_years": "8",
        "summary": "Acht Jahre Finanzbuchhaltung im Mittelstand.",
        "skills": "SAP FI, DATEV, Excel",
        "language_0": "Deutsch",
        "level_0": "native",
        "language_1": "Englisch",
        "level_1": "B2",
        "working_time": "either",
        "earliest_start": "2027-04-01",
        "work_municipalities": "Aalen, Heidenheim",
        "work_postcode": "73430",
        "work_radius_km": "30",
        "notes": "",
    }
    form.update(overrides)
    return form


def registration_form(**overrides: str) -> dict[str, str]:
    """A valid registration form (without CSRF token and file)."""
    form = {
        "applicant_name": "Jonas Beispiel",
        "applicant_email": APPLICANT_EMAIL,
        "applicant_consent": "on",
        **profile_form(),
    }
    form.update(overrides)
    return form


async def make_profile(
    db_session: AsyncSession,
    settings: Settings,
    *,
    members: list[Member] | None = None,
    cv: bytes | None = None,
    **overrides: str,
) -> Profile:
    """A committed, unconfirmed profile registered through the service (its mail is in the outbox)."""
    data, errors = validate_profile_form(profile_form(**overrides), members=members or [])
    assert not errors, errors
    profile = await services.register_profile(
        db_session, settings, data, applicant_name="Jonas Beispiel", applicant_email=APPLICANT_EMAIL, cv=cv
    )
    await db_session.commit()
    return profile


async def confirm_link_token(db_session: AsyncSession, settings: Settings, profile: Profile) -> str:
    """A fresh confirmation token for ``profile`` (committed)."""
    token = tokens.issue(
        db_session, purpose=TokenPurpose.CONFIRM, profile_id=profile.id, days=settings.security.confirm_token_days
    )
    await db_session.commit()
    return token


async def status_link_token(db_session: AsyncSession, settings: Settings, profile: Profile) -> str:
    """A fresh status token for ``profile`` (committed)."""
    url = await services.issue_status_url(db_session, settings, profile)
    await db_session.commit()
    return url.rsplit("/", 1)[1]


async def confirmed_profile(
    db_session: AsyncSession, settings: Settings, members: list[Member], **overrides: Any
) -> tuple[Profile, str]:
    """A profile the partner confirmed (every member allowed); returns it with a status token."""
    profile = await make_profile(db_session, settings, **overrides)
    token = await confirm_link_token(db_session, settings, profile)
    ids = [str(m.id) for m in members]
    profile, status_token = await services.confirm_profile(
        db_session, settings, token, shown_member_ids=ids, allowed_member_ids=ids
    )
    await db_session.commit()
    return profile, status_token


async def fresh(session_maker: async_sessionmaker[AsyncSession], model: type[Any], ident: Any) -> Any:
    """A row as the database has it now, read in a session of its own."""
    async with session_maker() as session:
        return await session.get(model, ident)


async def rows(session_maker: async_sessionmaker[AsyncSession], stmt: Any) -> list[Any]:
    """The results of ``stmt`` as committed, read in a session of its own."""
    async with session_maker() as session:
        return list(await session.scalars(stmt))


async def outbox_rows(session_maker: async_sessionmaker[AsyncSession], profile_id: Any) -> list[OutboxMessage]:
    """Outbox rows of a profile, as committed."""
    return await rows(session_maker, select(OutboxMessage).where(OutboxMessage.profile_id == profile_id))

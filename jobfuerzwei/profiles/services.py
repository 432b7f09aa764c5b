"""Partner profiles: registration, double opt-in and the partner's own actions.

Services never commit: the request (or the CLI) owns the transaction. Files (CVs) are written last, after the rows
are flushed, and deleted after the rows are gone. History, export, deletion and purging live in ``profiles.privacy``;
``purge_unconfirmed`` there also removes CV files that no row refers to (left behind when a transaction failed after
its file was written).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import Member
from jobfuerzwei.employers.services import list_members
from jobfuerzwei.errors import InvalidTransition, LinkInvalid, NotFound
from jobfuerzwei.i18n import DEFAULT, normalise
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.profiles.models import Consent, ConsentKind, Profile, ProfilePermission, ProfileStatus
from jobfuerzwei.tokens import services as tokens
from jobfuerzwei.tokens.models import LinkToken, TokenPurpose

log = logging.getLogger("jobfuerzwei.profiles")

NUMBER_ATTEMPTS = 5
NUMBER_LOCK = 0x4A465A4E
"""PostgreSQL advisory lock key that serialises the numbering of new profiles ("JFZN")."""
"""Tries to give a new profile the next free number when concurrent registrations clash."""
CV_NAME = re.compile(r"^[0-9a-f]{32}\.pdf$")
"""The names ``_store_cv`` gives CV files; nothing else in the upload folder is served or purged."""

PAUSABLE = {ProfileStatus.CONFIRMED, ProfileStatus.APPROVED}
WITHDRAWABLE = {
    ProfileStatus.CONFIRMED,
    ProfileStatus.APPROVED,
    ProfileStatus.PAUSED,
    ProfileStatus.REJECTED,
    ProfileStatus.PLACED,
}
EDITABLE = set(ProfileStatus) - {ProfileStatus.WITHDRAWN, ProfileStatus.MERGED}
KEEPABLE = frozenset({ProfileStatus.CONFIRMED, ProfileStatus.APPROVED, ProfileStatus.PAUSED, ProfileStatus.PLACED})
"""Profiles whose partner is asked before the inactivity deletion and may keep them ("Profil behalten")."""


# --- reading -------------------------------------------------------------------------------------------------------


async def get_profile(session: AsyncSession, profile_id: UUID) -> Profile:
    """One profile, or ``NotFound``."""
    profile = await session.get(Profile, profile_id)
    if profile is None:
        raise NotFound(_("Dieses Profil gibt es nicht."))
    return profile


async def active_members(session: AsyncSession) -> list[Member]:
    """Active members by name (the recruiting-member select)."""
    return await list_members(session, active_only=True)


async def possible_recipients(session: AsyncSession, profile: Profile) -> list[Member]:
    """Active members that may ever receive this profile: all but the member that releases the person."""
    return [m for m in await active_members(session) if m.id != profile.releasing_member_id]


async def member_names(session: AsyncSession, member_ids: Iterable[UUID | None]) -> dict[UUID, str]:
    """Names of the given members (active or not; ``None`` entries are skipped), in one query."""
    ids = {i for i in member_ids if i is not None}
    if not ids:
        return {}
    rows = await session.execute(select(Member.id, Member.name).where(Member.id.in_(ids)))
    return dict(rows.tuples().all())


async def profile_for_token(
    session: AsyncSession, token: str, purpose: TokenPurpose, *, allow_used: bool = False
) -> tuple[LinkToken, Profile]:
    """The token row and its profile, or ``LinkInvalid``."""
    row = await tokens.resolve(session, token, purpose, allow_used=allow_used)
    profile = await session.get(Profile, row.profile_id)
    if profile is None:  # pragma: no cover - tokens cascade with their profile
        raise LinkInvalid(_("Dieser Link ist ungültig."))
    return row, profile


def cv_path(settings: Settings, profile: Profile) -> Path | None:
    """Where the profile's CV is stored, or ``None`` without a CV."""
    if not profile.cv_file or not CV_NAME.match(profile.cv_file):
        return None
    return settings.upload_dir / profile.cv_file


# --- registration and double opt-in --------------------------------------------------------------------------------


def _write_private_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)


async def _store_cv(settings: Settings, content: bytes) -> str:
    """Store a checked PDF under a random name; returns the name."""
    name = f"{secrets.token_hex(16)}.pdf"
    await asyncio.to_thread(_write_private_file, settings.upload_dir / name, content)
    return name


async def _next_number(session: AsyncSession) -> int:
    current = await session.scalar(select(func.max(Profile.number)).where(Profile.number > 0))
    return int(current or 0) + 1


async def _assign_number(session: AsyncSession, profile: Profile) -> None:
    """Give a flushed profile the next public number (gap-free); retry when a concurrent registration took it.

    The profile was inserted with a provisional negative number first: that write opens the transaction on SQLite
    (pysqlite begins one only at the first write, so a savepoint before it would be the outermost transaction and
    releasing it would commit) and holds SQLite's write lock while ``max + 1`` is read. On PostgreSQL a transaction
    advisory lock does the same: registrations take their numbers one after the other, each after the previous one
    committed (without it, the 50-user load benchmark saw 4 % of registrations fail: five registrations still
    open all read the same ``max + 1``). The lock is held to the end of the registering transaction, a few
    milliseconds. The retry stays for numbers written another way (a merge, an import); the savepoint keeps the
    rest of the transaction intact.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NUMBER_LOCK})
    for attempt in range(NUMBER_ATTEMPTS):
        number = await _next_number(session)
        try:
            async with session.begin_nested():
                await session.execute(
                    update(Profile)
                    .where(Profile.id == profile.id)
                    .values(number=number)
                    .execution_options(synchronize_session=False)
                )
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
            continue
        set_committed_value(profile, "number", number)
        return


async def register_profile(
    session: AsyncSession,
    settings: Settings,
    data: dict[str, Any],
    *,
    applicant_name: str,
    applicant_email: str,
    cv: bytes | None = None,
    mail_template: str = "partner_confirm",
    mail_context: dict[str, Any] | None = None,
    language: str = DEFAULT,
) -> Profile:
    """Store a new, unconfirmed profile and send the partner the double opt-in mail.

    Args:
        session: the request's session (not committed here).
        settings: instance settings (token lifetimes, upload folder, base URL).
        data: the clean profile fields of ``validate_profile_form`` (plus ``kind``/``releasing_member_id`` for a
            job-to-job profile).
        applicant_name: the registering person's name.
        applicant_email: the registering person's address.
        cv: the checked PDF bytes, if a CV was uploaded.
        mail_template: the opt-in mail (job-to-job profiles get their own wording).
        mail_context: extra values for that mail's template.
        language: the partner's language for mails (the registration form's language).
    """
    now = utcnow()
    profile = Profile(
        **data,
        number=-1 - secrets.randbelow(2**30),
        status=ProfileStatus.UNCONFIRMED,
        applicant_name=applicant_name,
        applicant_email=applicant_email,
        applicant_consented_at=now,
        last_activity_at=now,
        language=normalise(language),
        permissions=[],
        consents=[
            Consent(kind=ConsentKind.APPLICANT, text_version=settings.privacy_version, recipients=[], given_at=now)
        ],
    )
    session.add(profile)
    await session.flush()
    await _assign_number(session, profile)
    confirm_token = tokens.issue(
        session, purpose=TokenPurpose.CONFIRM, profile_id=profile.id, days=settings.security.confirm_token_days
    )
    status_token = _issue_status_token(session, settings, profile)
    enqueue(
        session,
        settings,
        template=mail_template,
        to=profile.partner_email,
        language=profile.language,
        context={
            **(mail_context or {}),
            "partner_name": profile.partner_name,
            "applicant_name": applicant_name,
            "confirm_url": f"{settings.base_url}/confirm/{confirm_token}",
            "status_url": f"{settings.base_url}/status/{status_token}",
            "retention_days": settings.unconfirmed_retention_days,
            "confirm_days": settings.security.confirm_token_days,
        },
        profile_id=profile.id,
    )
    await session.flush()
    if cv is not None:
        profile.cv_file = await _store_cv(settings, cv)
        profile.cv_size = len(cv)
        await session.flush()
    log.info("profile registered (number %s)", profile.number)
    return profile


async def confirmation(session: AsyncSession, token: str) -> tuple[Profile, list[Member]]:
    """The profile behind a live confirmation link and the members it may go to; ``LinkInvalid`` otherwise."""
    _row, profile = await profile_for_token(session, token, TokenPurpose.CONFIRM)
    if profile.status != ProfileStatus.UNCONFIRMED:
        raise LinkInvalid(_("Dieser Link wurde bereits verwendet."))
    return profile, await possible_recipients(session, profile)


async def confirm_profile(
    session: AsyncSession,
    settings: Settings,
    token: str,
    *,
    shown_member_ids: Iterable[str],
    allowed_member_ids: Iterable[str],
) -> tuple[Profile, str]:
    """The partner's consent: uses up the link, stores one permission per member shown and the consent record.

    Only members that were listed on the page (``shown_member_ids``) and are still active are decided; a member
    that joined meanwhile gets no row and shows up as "new" on the status page.

    Returns:
        The profile and a fresh status token (the mailed one is known only in the mail).
    """
    row, profile = await profile_for_token(session, token, TokenPurpose.CONFIRM)
    if profile.status != ProfileStatus.UNCONFIRMED:
        raise LinkInvalid(_("Dieser Link wurde bereits verwendet."))
    await tokens.consume(session, row)
    shown = set(shown_member_ids)
    allowed = set(allowed_member_ids)
    now = utcnow()
    recipients: list[dict[str, Any]] = []
    decided = {p.member_id for p in profile.permissions}
    for member in await possible_recipients(session, profile):
        key = str(member.id)
        if key not in shown or member.id in decided:
            continue
        is_allowed = key in allowed
        profile.permissions.append(ProfilePermission(member_id=member.id, is_allowed=is_allowed, decided_at=now))
        if is_allowed:
            recipients.append({"id": key, "name": member.name})
    profile.consents.append(
        Consent(kind=ConsentKind.PARTNER, text_version=settings.privacy_version, recipients=recipients, given_at=now)
    )
    profile.status = ProfileStatus.CONFIRMED
    profile.confirmed_at = now
    profile.last_activity_at = now
    await session.flush()
    log.info("profile confirmed (number %s)", profile.number)
    return profile, _issue_status_token(session, settings, profile)


def _issue_status_token(session: AsyncSession, settings: Settings, profile: Profile) -> str:
    return tokens.issue(
        session, purpose=TokenPurpose.STATUS, profile_id=profile.id, days=settings.security.status_token_days
    )


async def issue_status_url(session: AsyncSession, settings: Settings, profile: Profile) -> str:
    """A new link to the partner's status page (for mails)."""
    return f"{settings.base_url}/status/{_issue_status_token(session, settings, profile)}"


# --- the partner's actions -----------------------------------------------------------------------------------------


def _touch(profile: Profile) -> None:
    profile.last_activity_at = utcnow()


async def update_profile(session: AsyncSession, profile: Profile, data: dict[str, Any]) -> Profile:
    """Apply corrected profile fields (clean values of ``validate_profile_form``)."""
    if profile.status not in EDITABLE:
        raise InvalidTransition(_("Dieses Profil kann nicht mehr geändert werden."))
    for key, value in data.items():
        setattr(profile, key, value)
    _touch(profile)
    await session.flush()
    return profile


async def pause_profile(session: AsyncSession, profile: Profile) -> None:
    """Stop circulation for now."""
    if profile.status not in PAUSABLE:
        raise InvalidTransition(_("Das Profil kann in seinem jetzigen Stand nicht pausiert werden."))
    profile.status = ProfileStatus.PAUSED
    _touch(profile)
    await session.flush()


async def resume_profile(session: AsyncSession, profile: Profile) -> None:
    """Back to where it stood before the pause: approved if the coordinator had approved it, else under review."""
    if profile.status != ProfileStatus.PAUSED:
        raise InvalidTransition(_("Das Profil ist nicht pausiert."))
    profile.status = ProfileStatus.APPROVED if profile.approved_at else ProfileStatus.CONFIRMED
    _touch(profile)
    await session.flush()


async def withdraw_profile(session: AsyncSession, profile: Profile) -> None:
    """Withdraw for good: no more circulation, and the members' profile links stop working."""
    if profile.status not in WITHDRAWABLE:
        raise InvalidTransition(_("Das Profil kann in seinem jetzigen Stand nicht zurückgezogen werden."))
    profile.status = ProfileStatus.WITHDRAWN
    _touch(profile)
    await tokens.revoke(session, profile_id=profile.id, purpose=TokenPurpose.EMPLOYER)
    await session.flush()


async def keep_profile(session: AsyncSession, profile: Profile, now: dt.datetime | None = None) -> None:
    """The partner keeps the profile: the inactivity clock starts again and a new question is due only next cycle."""
    if profile.status not in KEEPABLE:
        raise InvalidTransition(_("Dieses Profil kann in seinem jetzigen Stand nicht verlängert werden."))
    profile.last_activity_at = now or utcnow()
    profile.retention_asked_at = None
    await session.flush()
    log.info("profile kept by the partner (number %s)", profile.number)


async def permission_overview(session: AsyncSession, profile: Profile) -> list[tuple[str, bool]]:
    """``(member name, is_allowed)`` of the partner's decisions, by name."""
    names = await member_names(session, [p.member_id for p in profile.permissions])
    return sorted(((names.get(p.member_id, ""), p.is_allowed) for p in profile.permissions), key=lambda r: r[0])


async def new_members(session: AsyncSession, profile: Profile) -> list[Member]:
    """Active members the partner has not decided on yet (joined after the consent)."""
    if profile.status in {ProfileStatus.UNCONFIRMED, ProfileStatus.WITHDRAWN, ProfileStatus.MERGED}:
        return []
    decided = select(ProfilePermission.member_id).where(ProfilePermission.profile_id == profile.id)
    stmt = select(Member).where(Member.is_active.is_(True), Member.id.not_in(decided)).order_by(Member.name)
    if profile.releasing_member_id is not None:
        stmt = stmt.where(Member.id != profile.releasing_member_id)
    return list(await session.scalars(stmt))


async def decide_new_member(
    session: AsyncSession, settings: Settings, profile: Profile, member_id: UUID, *, allowed: bool
) -> ProfilePermission:
    """The partner's decision on a member that joined later; an agreement is recorded as a consent."""
    member = next((m for m in await new_members(session, profile) if m.id == member_id), None)
    if member is None:
        raise NotFound(_("Zu diesem Mitglied gibt es keine offene Entscheidung."))
    now = utcnow()
    permission = ProfilePermission(member_id=member.id, is_allowed=allowed, decided_at=now)
    profile.permissions.append(permission)
    if allowed:
        profile.consents.append(
            Consent(
                kind=ConsentKind.MEMBER_ADDED,
                text_version=settings.privacy_version,
                recipients=[{"id": str(member.id), "name": member.name}],
                given_at=now,
            )
        )
    _touch(profile)
    await session.flush()
    return permission


async def mark_placed(session: AsyncSession, profile_id: UUID) -> None:
    """A referral ended in a hire: the profile is placed and no longer circulated."""
    profile = await get_profile(session, profile_id)
    now = utcnow()
    profile.status = ProfileStatus.PLACED
    profile.placed_at = now
    profile.last_activity_at = now
    await session.flush()

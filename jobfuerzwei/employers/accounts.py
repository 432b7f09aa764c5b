"""Portal accounts of member contacts: password login, optional second factor, sessions, password links.

The links that set a password are single use: the coordinator's invitation and the contact's reset request.
Mirrors the coordinator accounts (``staff.services``): argon2 hashes, a fresh session token at every login, only
hashes of tokens in the database. Links in circulation mails stay capabilities for one profile; they never log
anyone in.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.quickread import LoginRead
from jobfuerzwei.employers.models import AccountToken, AccountTokenPurpose, EmployerSession, MemberContact
from jobfuerzwei.errors import InvalidTransition, LinkInvalid
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.staff.services import check_password, hash_password, needs_rehash
from jobfuerzwei.tokens.services import MAX_TOKEN, hash_token

SESSION_HOURS = 8
INVITE_DAYS = 7
RESET_MINUTES = 30
MIN_PASSWORD = 12


@dataclass(frozen=True)
class PortalLogin:
    """The contact behind a portal session, and whether its second factor is done."""

    contact: MemberContact
    is_verified: bool


async def contact_by_email(session: AsyncSession, email: str) -> MemberContact | None:
    """The contact with a login for this address (an address with a login belongs to one member)."""
    rows = list(
        await session.scalars(
            select(MemberContact).where(
                func.lower(MemberContact.email) == email.strip().lower(), MemberContact.password_hash.is_not(None)
            )
        )
    )
    return rows[0] if len(rows) == 1 else None


async def authenticate(session: AsyncSession, email: str, password: str) -> MemberContact | None:
    """Check address and password (same timing for unknown addresses); rehash when argon2 parameters changed."""
    contact = await contact_by_email(session, email)
    if not check_password(contact.password_hash if contact else None, password) or contact is None:
        return None
    assert contact.password_hash is not None  # noqa: S101  # check_password returned True
    if needs_rehash(contact.password_hash):
        contact.password_hash = hash_password(password)
    return contact


async def start_session(session: AsyncSession, contact: MemberContact, *, is_verified: bool) -> str:
    """A fresh session token (no fixation); unverified while the second factor is outstanding."""
    token = secrets.token_urlsafe(32)
    session.add(
        EmployerSession(
            token_hash=hash_token(token),
            contact_id=contact.id,
            expires_at=utcnow() + dt.timedelta(hours=SESSION_HOURS),
            is_verified=is_verified,
        )
    )
    if is_verified:
        contact.last_login_at = utcnow()
    await session.execute(delete(EmployerSession).where(EmployerSession.expires_at < utcnow()))
    return token


_LOGIN = (
    select(EmployerSession, MemberContact)
    .join(MemberContact, MemberContact.id == EmployerSession.contact_id)
    .where(EmployerSession.token_hash == bindparam("token_hash"))
)
"""Every portal page asks this first; built once (see the staff login)."""


def _login(row: EmployerSession, contact: MemberContact) -> PortalLogin | None:
    if row.expires_at < utcnow() or not contact.has_account:
        return None
    return PortalLogin(contact=contact, is_verified=row.is_verified)


async def login_for_session(session: AsyncSession, token: str | None) -> PortalLogin | None:
    """The portal login behind a cookie value, if the session is live and the contact still has an account."""
    if not token or len(token) > MAX_TOKEN:
        return None
    found = (await session.execute(_LOGIN, {"token_hash": hash_token(token)})).first()
    if found is None:
        return None
    row, contact = found._tuple()
    return _login(row, contact)


_READ = LoginRead(
    EmployerSession,
    MemberContact,
    MemberContact.id == EmployerSession.contact_id,
    EmployerSession.token_hash,
)


async def read_login(engine: AsyncEngine, token: str | None) -> tuple[PortalLogin | None, int | None]:
    """``login_for_session`` for a page that only reads, and the data version, in one statement (``db.quickread``).

    The contact comes detached: such a page must not change it. ``None`` as the version: the token is unknown.
    """
    found = await _READ(engine, token)
    if found is None:
        return None, None
    row, contact, version = found
    return _login(row, contact), version


async def end_session(session: AsyncSession, token: str | None) -> None:
    """Logout: delete the session row."""
    if token:
        await session.execute(delete(EmployerSession).where(EmployerSession.token_hash == hash_token(token)))


async def end_all_sessions(session: AsyncSession, contact: MemberContact) -> None:
    """After a password change or reset: every other device is logged out."""
    await session.execute(delete(EmployerSession).where(EmployerSession.contact_id == contact.id))


async def _revoke_account_tokens(session: AsyncSession, contact: MemberContact) -> None:
    await session.execute(
        update(AccountToken)
        .where(AccountToken.contact_id == contact.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


async def change_password(session: AsyncSession, contact: MemberContact, password: str) -> None:
    """A new password; links mailed before (reset, invitation) stop working (sessions: the caller decides)."""
    contact.password_hash = hash_password(password)
    await _revoke_account_tokens(session, contact)


async def issue_account_token(session: AsyncSession, contact: MemberContact, purpose: AccountTokenPurpose) -> str:
    """A single-use link token (invitation: 7 days, reset: 30 minutes); earlier unused ones stop working."""
    now = utcnow()
    await _revoke_account_tokens(session, contact)
    token = secrets.token_urlsafe(32)
    lifetime = (
        dt.timedelta(days=INVITE_DAYS) if purpose == AccountTokenPurpose.INVITE else dt.timedelta(minutes=RESET_MINUTES)
    )
    session.add(
        AccountToken(token_hash=hash_token(token), purpose=purpose, contact_id=contact.id, expires_at=now + lifetime)
    )
    await session.flush()
    return token


async def resolve_account_token(session: AsyncSession, token: str) -> tuple[AccountToken, MemberContact]:
    """The live token and its contact, or ``LinkInvalid`` (unknown, used, expired)."""
    if not token or len(token) > MAX_TOKEN:
        raise LinkInvalid(_("Dieser Link ist ungültig."))
    row = await session.scalar(select(AccountToken).where(AccountToken.token_hash == hash_token(token)))
    if row is None:
        raise LinkInvalid(_("Dieser Link ist ungültig."))
    if row.used_at is not None:
        raise LinkInvalid(_("Dieser Link wurde bereits verwendet. Bitte fordern Sie einen neuen an."))
    if row.expires_at < utcnow():
        raise LinkInvalid(_("Dieser Link ist abgelaufen. Bitte fordern Sie einen neuen an."))
    contact = await session.get(MemberContact, row.contact_id)
    if contact is None:
        raise LinkInvalid(_("Dieser Link ist ungültig."))
    return row, contact


async def set_password(session: AsyncSession, token: str, password: str) -> MemberContact:
    """Consume the link and set the password; every session of the contact ends (no commit)."""
    _row, contact = await resolve_account_token(session, token)
    await change_password(session, contact, password)  # uses up this link and any other
    await end_all_sessions(session, contact)
    await session.flush()
    return contact


async def invite_refusal(session: AsyncSession, contact: MemberContact) -> str | None:
    """Why this contact cannot be invited to the portal, or ``None``."""
    if contact.has_account:
        return _(
            "Dieser Kontakt hat bereits einen Zugang. Ein neues Passwort kann die Person selbst "
            "über „Passwort vergessen“ anfordern."
        )
    # A login is one member: the portal finds the account by address, so one address may hold only one login.
    holder = await contact_by_email(session, contact.email)
    if holder is not None and holder.id != contact.id:
        return _(
            "Diese Adresse hat bereits einen Portalzugang bei einem anderen Mitglied. "
            "Ein Zugang gehört zu genau einem Mitglied; bitte verwenden Sie eine andere Adresse."
        )
    return None


async def invite(
    session: AsyncSession, settings: Settings, contact: MemberContact, *, member_name: str, inviter: str
) -> None:
    """Mail a 7-day link to set the first password (a new invitation replaces an unused one).

    Raises ``InvalidTransition`` with the reason when the contact cannot be invited.
    """
    refusal = await invite_refusal(session, contact)
    if refusal:
        raise InvalidTransition(refusal)
    token = await issue_account_token(session, contact, AccountTokenPurpose.INVITE)
    enqueue(
        session,
        settings,
        template="employer_invite",
        to=contact.email,
        language=contact.language,
        context={
            "contact_name": contact.name,
            "member_name": member_name,
            "inviter": inviter,
            "invite_url": f"{settings.base_url}/portal/password/{token}",
            "login_url": f"{settings.base_url}/portal/login",
            "security_url": f"{settings.base_url}/portal/security",
            "valid_days": INVITE_DAYS,
            "min_length": MIN_PASSWORD,
        },
    )

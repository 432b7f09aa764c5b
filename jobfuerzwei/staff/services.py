"""Staff accounts: passwords, sessions with a required second factor, password links, the staff list.

Argon2 password hashes, DB-backed sessions, a per-account lock after failed logins, signed single-use links that
let invited staff set their password, and the coordinator's management of the staff list.

A session starts unverified after the password; only the TOTP code (or, at the first login, setting up the
authenticator app) turns it into a verified one with a new token. Every page needs a verified session.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Sequence
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.quickread import LoginRead
from jobfuerzwei.errors import InvalidTransition, NotFound
from jobfuerzwei.i18n import N_, gettext
from jobfuerzwei.staff.models import StaffRole, StaffSession, StaffUser
from jobfuerzwei.tokens.services import MAX_TOKEN, hash_token

_hasher = PasswordHasher()
UNUSABLE_PASSWORD = "!"  # noqa: S105  # not a password: a marker no hash check accepts
"""Stored for invited accounts until their owner sets a password; no password ever matches it."""
UNVERIFIED_MINUTES = 10
"""How long the step between password and code may take."""
# A valid hash to verify against when the account does not exist, so timing does not reveal which emails exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    """Argon2id hash."""
    return _hasher.hash(password)


def check_password(stored: str | None, password: str) -> bool:
    """Does ``password`` match the stored hash? Without a hash, a dummy check keeps the timing the same."""
    if stored is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """The hash was made with older argon2 parameters."""
    return _hasher.check_needs_rehash(stored)


class LoginThrottle:
    """Failed logins per account within a window (per-address limits are the app's rate limiter)."""

    def __init__(self, limit: int, window_seconds: float = 900.0) -> None:
        self.limit = limit
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def is_locked(self, email: str) -> bool:
        """Too many recent failures for this account."""
        q = self._failures[email.lower()]
        cutoff = time.monotonic() - self.window
        while q and q[0] < cutoff:
            q.popleft()
        return len(q) >= self.limit

    def failed(self, email: str) -> None:
        """Record a failure."""
        self._failures[email.lower()].append(time.monotonic())

    def succeeded(self, email: str) -> None:
        """Forget failures after a successful login."""
        self._failures.pop(email.lower(), None)


async def create_staff(
    session: AsyncSession,
    email: str,
    password: str | None,
    name: str = "",
    *,
    role: StaffRole = StaffRole.COORDINATOR,
    totp_secret: str | None = None,
) -> StaffUser:
    """Create a staff account (no commit). Without a password the account waits for its invitation link."""
    user = StaffUser(
        email=email.strip().lower(),
        name=name,
        password_hash=hash_password(password) if password else UNUSABLE_PASSWORD,
        role=role,
        totp_secret=totp_secret,
    )
    session.add(user)
    await session.flush()
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> StaffUser | None:
    """Check email and password; rehash when argon2 parameters changed."""
    user = await session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None or not user.is_active:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


async def start_session(session: AsyncSession, user: StaffUser, hours: int, *, verified: bool = False) -> str:
    """A fresh session token (no fixation); returns the cookie value.

    After the password the session is unverified and lives ``UNVERIFIED_MINUTES``; after the code a new, verified
    one lives ``hours``.
    """
    token = secrets.token_urlsafe(32)
    lifetime = dt.timedelta(hours=hours) if verified else dt.timedelta(minutes=UNVERIFIED_MINUTES)
    session.add(
        StaffSession(token_hash=hash_token(token), staff_id=user.id, expires_at=utcnow() + lifetime, verified=verified)
    )
    await session.execute(delete(StaffSession).where(StaffSession.expires_at < utcnow()))
    return token


_LOGIN = (
    select(StaffSession, StaffUser)
    .join(StaffUser, StaffUser.id == StaffSession.staff_id)
    .where(StaffSession.token_hash == bindparam("token_hash"))
)
"""Every staff page asks this first. Built once, so SQLAlchemy finds its compiled form without building the
statement and its cache key again."""


def _live(row: StaffSession, user: StaffUser) -> bool:
    return row.expires_at >= utcnow() and user.is_active


async def login_for_session(session: AsyncSession, token: str | None) -> tuple[StaffSession, StaffUser] | None:
    """The live session row and its active account for a cookie value, verified or not."""
    if not token or len(token) > MAX_TOKEN:
        return None
    found = (await session.execute(_LOGIN, {"token_hash": hash_token(token)})).first()
    if found is None:
        return None
    row, user = found._tuple()
    return (row, user) if _live(row, user) else None


_READ = LoginRead(StaffSession, StaffUser, StaffUser.id == StaffSession.staff_id, StaffSession.token_hash)


async def read_user(engine: AsyncEngine, token: str | None) -> tuple[StaffUser | None, int | None]:
    """``user_for_session`` for a page that only reads, and the data version, in one statement (``db.quickread``).

    The account comes detached: such a page must not change it. ``None`` as the version: the token is unknown.
    """
    found = await _READ(engine, token)
    if found is None:
        return None, None
    row, user, version = found
    return (user if _live(row, user) and row.verified else None), version


async def user_for_session(session: AsyncSession, token: str | None) -> StaffUser | None:
    """The logged-in staff member for a cookie value, if the session is live and its second factor done."""
    login = await login_for_session(session, token)
    if login is None or not login[0].verified:
        return None
    return login[1]


async def verify_session(session: AsyncSession, row: StaffSession, user: StaffUser, hours: int) -> str:
    """The second factor is done: replace the half-open session with a new, verified one; returns its token."""
    await session.delete(row)
    user.last_login_at = utcnow()
    return await start_session(session, user, hours, verified=True)


async def end_session(session: AsyncSession, token: str | None) -> None:
    """Logout: delete the session row."""
    if token:
        await session.execute(delete(StaffSession).where(StaffSession.token_hash == hash_token(token)))


async def end_all_sessions(session: AsyncSession, user: StaffUser) -> None:
    """Log the account out everywhere (role change, deactivation, new password, second factor reset)."""
    await session.execute(delete(StaffSession).where(StaffSession.staff_id == user.id))


# --- password links -----------------------------------------------------------------------------------------------

PASSWORD_LINK_HOURS = 72
"""An invitation or password link is valid this long."""


def _link_signature(secret_key: str, user: StaffUser, expires: int) -> str:
    # Bound to the current password hash: setting a password makes every earlier link worthless (single use).
    key = hmac.new(secret_key.encode(), b"staff-password-link", hashlib.sha256).digest()
    payload = f"{user.id}.{expires}.{user.password_hash}".encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def password_link_token(secret_key: str, user: StaffUser, *, now: float | None = None) -> str:
    """A signed token for the link that sets the account's password (invitation or reset)."""
    expires = int(now if now is not None else time.time()) + PASSWORD_LINK_HOURS * 3600
    return f"{user.id.hex}.{expires}.{_link_signature(secret_key, user, expires)}"


async def user_for_password_token(session: AsyncSession, secret_key: str, token: str) -> StaffUser | None:
    """The active account a password link belongs to, if its signature holds and it is unused and unexpired."""
    parts = token.split(".")
    if len(parts) != 3 or len(token) > 200 or not (parts[1].isascii() and parts[1].isdigit()):
        return None
    try:
        user_id = UUID(hex=parts[0])
    except ValueError:
        return None
    user = await session.get(StaffUser, user_id)
    if user is None or not user.is_active or int(parts[1]) < time.time():
        return None
    if not hmac.compare_digest(parts[2].encode(), _link_signature(secret_key, user, int(parts[1])).encode()):
        return None
    return user


async def set_password(session: AsyncSession, user: StaffUser, password: str) -> None:
    """A new password; other sessions end and earlier links stop working."""
    user.password_hash = hash_password(password)
    await end_all_sessions(session, user)


# --- the staff list ----------------------------------------------------------------------------------------------

LAST_COORDINATOR = N_("Es muss mindestens eine aktive Koordinatorin oder ein aktiver Koordinator bleiben.")


async def list_staff(session: AsyncSession) -> Sequence[StaffUser]:
    """Every staff account: active first, then by name and email."""
    rows = await session.scalars(
        select(StaffUser).order_by(StaffUser.is_active.desc(), StaffUser.name, StaffUser.email)
    )
    return rows.all()


async def get_staff(session: AsyncSession, staff_id: UUID) -> StaffUser:
    """One account, or ``NotFound``."""
    user = await session.get(StaffUser, staff_id)
    if user is None:
        raise NotFound(gettext("Dieses Konto gibt es nicht."))
    return user


async def email_taken(session: AsyncSession, email: str) -> bool:
    """Is there an account with this address already (case-insensitive)?"""
    found = await session.scalar(select(StaffUser.id).where(StaffUser.email == email.strip().lower()))
    return found is not None


async def _active_coordinators(session: AsyncSession) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(StaffUser)
        .where(StaffUser.is_active.is_(True), StaffUser.role == StaffRole.COORDINATOR)
    )
    return int(count or 0)


async def change_role(session: AsyncSession, user: StaffUser, role: StaffRole) -> None:
    """Coordinator ↔ observer; the last active coordinator stays one. The account logs in anew."""
    if user.role == role:
        return
    if user.is_coordinator and user.is_active and await _active_coordinators(session) <= 1:
        raise InvalidTransition(gettext(LAST_COORDINATOR))
    user.role = role
    await end_all_sessions(session, user)


async def set_active(session: AsyncSession, user: StaffUser, active: bool) -> None:
    """Deactivate (logged out at once, cannot log in) or reactivate; never the last active coordinator."""
    if user.is_active == active:
        return
    if not active and user.is_coordinator and await _active_coordinators(session) <= 1:
        raise InvalidTransition(gettext(LAST_COORDINATOR))
    user.is_active = active
    if not active:
        await end_all_sessions(session, user)


async def reset_second_factor(session: AsyncSession, user: StaffUser) -> None:
    """A lost phone: the account sets up a new authenticator app at its next login."""
    user.totp_secret = None
    await end_all_sessions(session, user)

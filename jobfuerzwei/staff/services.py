"""Coordinator accounts: argon2 password hashes, DB-backed sessions, a per-account lock after failed logins."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.staff.models import StaffSession, StaffUser
from jobfuerzwei.tokens.services import hash_token

_hasher = PasswordHasher()
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


async def create_staff(session: AsyncSession, email: str, password: str, name: str = "") -> StaffUser:
    """Create a coordinator account (no commit)."""
    user = StaffUser(email=email.strip().lower(), name=name, password_hash=hash_password(password))
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


async def start_session(session: AsyncSession, user: StaffUser, hours: int) -> str:
    """A fresh session token at every login (no fixation); returns the cookie value."""
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(token_hash=hash_token(token), staff_id=user.id, expires_at=utcnow() + dt.timedelta(hours=hours))
    )
    await session.execute(delete(StaffSession).where(StaffSession.expires_at < utcnow()))
    return token


async def user_for_session(session: AsyncSession, token: str | None) -> StaffUser | None:
    """The logged-in coordinator for a cookie value, if the session is live."""
    if not token or len(token) > 100:
        return None
    row = await session.scalar(select(StaffSession).where(StaffSession.token_hash == hash_token(token)))
    if row is None or row.expires_at < utcnow():
        return None
    user = await session.get(StaffUser, row.staff_id)
    return user if user is not None and user.is_active else None


async def end_session(session: AsyncSession, token: str | None) -> None:
    """Logout: delete the session row."""
    if token:
        await session.execute(delete(StaffSession).where(StaffSession.token_hash == hash_token(token)))

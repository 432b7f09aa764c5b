"""Employer portal accounts, the HTTP side's helpers: throttles, two-factor codes, pending secret, password rules.

The per-account lock and the replay guard are kept on the app state, so each app (and each test) has its own; the
pending two-factor secret waits in a signed, short-lived cookie until a code proves the app has it. Account logic
lives in ``employers.accounts``; the forms and pages that use these helpers are in ``portal.auth_controllers``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast
from uuid import UUID

from litestar import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.employers import accounts
from jobfuerzwei.employers.models import MemberContact
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.staff.services import LoginThrottle, check_password
from jobfuerzwei.web.auth import PORTAL_COOKIE, safe_next
from jobfuerzwei.web.login import LOCKED
from jobfuerzwei.web.twofactor import UsedCodes

HOME = "/portal"

RESET_MAILS_PER_WINDOW = 3
"""Reset mails per account and 15 minutes: the per-address rate limit alone would let one client fill an inbox."""


def portal_next(value: str | None) -> str:
    """A portal path to return to after login; anything else (other hosts, other areas) goes to the portal."""
    target = safe_next(value)
    return target if target == HOME or target.startswith(f"{HOME}/") else HOME


_T = TypeVar("_T")


def _app_state(request: Request[Any, Any, Any], name: str, factory: Callable[[], _T]) -> _T:
    # Kept on the app state (not module globals) so each app, and so each test, has its own counters.
    value = request.app.state.get(name)
    if value is None:
        value = factory()
        request.app.state[name] = value
    return cast("_T", value)


def login_throttle(request: Request[Any, Any, Any], settings: Settings) -> LoginThrottle:
    """Failed passwords and codes per portal account (separate from the coordinator's counter)."""
    return _app_state(
        request, "portal_login_throttle", lambda: LoginThrottle(settings.security.login_failures_per_account)
    )


def reset_mail_throttle(request: Request[Any, Any, Any]) -> LoginThrottle:
    """Reset mails per account; a ``LoginThrottle`` whose "failures" are mails sent."""
    return _app_state(request, "portal_reset_throttle", lambda: LoginThrottle(RESET_MAILS_PER_WINDOW))


def used_codes(request: Request[Any, Any, Any]) -> UsedCodes:
    """This app's replay guard."""
    return _app_state(request, "portal_used_codes", UsedCodes)


def _pending_signature(settings: Settings, payload: str) -> str:
    # A key derived for this one purpose, so the signature can never be mistaken for another use of the secret.
    key = hmac.new(settings.security.secret_key.encode(), b"portal-totp-pending", hashlib.sha256).digest()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def sign_pending(settings: Settings, contact_id: UUID, secret: str, expires: int) -> str:
    """Cookie value for a two-factor secret that waits for its first code (bound to the contact and a deadline)."""
    payload = f"{contact_id}.{secret}.{expires}"
    return f"{payload}.{_pending_signature(settings, payload)}"


def read_pending(settings: Settings, contact_id: UUID, value: str | None) -> str | None:
    """The pending secret from the cookie, if the signature holds, it is this contact's and still fresh."""
    parts = (value or "").split(".")
    if len(parts) != 4 or len(value or "") > 300:
        return None
    owner, secret, expires, signature = parts
    if not hmac.compare_digest(
        signature.encode(), _pending_signature(settings, f"{owner}.{secret}.{expires}").encode()
    ):
        return None
    if owner != str(contact_id) or not (expires.isascii() and expires.isdigit()) or int(expires) < time.time():
        return None
    return secret


def password_errors(password: str, repeat: str, name: str = "password") -> dict[str, str]:
    """Messages for a new password and its repetition (field names ``name`` and ``name_repeat``)."""
    if len(password) < accounts.MIN_PASSWORD:
        return {name: _("Das Passwort muss mindestens %(min)d Zeichen lang sein.") % {"min": accounts.MIN_PASSWORD}}
    if len(password) > 1024:
        return {name: _("Das Passwort darf höchstens 1024 Zeichen lang sein.")}
    if password != repeat:
        return {f"{name}_repeat": _("Die beiden Eingaben stimmen nicht überein.")}
    return {}


def set_session_cookie(response: Response[Any], settings: Settings, token: str, max_age: int) -> None:
    """The portal session cookie, with the same flags as the coordinator's."""
    response.set_cookie(
        key=PORTAL_COOKIE,
        value=token,
        max_age=max_age,
        path="/",
        secure=settings.security.cookie_secure,
        httponly=True,
        samesite="lax",
    )


async def fresh_verified_session(
    session: AsyncSession, settings: Settings, contact: MemberContact, response: Response[Any]
) -> None:
    """End every session of the contact and log this browser in again with a new token.

    Used after a password change or enabling two-factor: other devices must log in anew, this one keeps working.
    """
    await accounts.end_all_sessions(session, contact)
    token = await accounts.start_session(session, contact, is_verified=True)
    set_session_cookie(response, settings, token, accounts.SESSION_HOURS * 3600)


def wrong_password(
    request: Request[Any, Any, Any], settings: Settings, contact: MemberContact, password: str
) -> str | None:
    """The message when ``password`` is not the contact's current one (or the account is locked)."""
    # Counted like failed logins: a stolen session cookie must not become a way to guess the password.
    throttle = login_throttle(request, settings)
    if throttle.is_locked(contact.email):
        return _(LOCKED)
    if not check_password(contact.password_hash, password[:1024]):
        throttle.failed(contact.email)
        return _("Das Passwort ist falsch.")
    return None

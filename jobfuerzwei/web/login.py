"""The password and code steps that the staff login and the employer portal login share.

Both count failures per account (unknown addresses too, so no message reveals an account) and keep the count until
the code is right: knowing the password must not buy fresh code guesses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

from litestar import Request
from litestar.response import Template

from jobfuerzwei.i18n import N_, gettext
from jobfuerzwei.staff.services import LoginThrottle
from jobfuerzwei.web.pages import page
from jobfuerzwei.web.twofactor import CODE_FORMAT, CODE_WRONG, UsedCodes, matching_step, normalise_code

LOCKED = N_("Zu viele fehlgeschlagene Anmeldungen für dieses Konto. Bitte versuchen Sie es in 15 Minuten noch einmal.")
LOGIN_FAILED = N_("E-Mail-Adresse oder Passwort ist falsch.")
"""German message ids: translate with ``gettext`` where they are shown."""

A = TypeVar("A")


async def password_step(
    request: Request[Any, Any, Any],
    throttle: LoginThrottle,
    authenticate: Callable[[str, str], Awaitable[A | None]],
    *,
    template: str,
    next_of: Callable[[str], str],
) -> tuple[A, str] | Template:
    """Read the login form and check the password: the account and the safe ``next`` path, or the form again.

    Locked accounts get 429, a wrong address or password 400, each with the typed address kept.
    """
    form = await request.form()
    email = str(form.get("email") or "").strip()[:254]
    password = str(form.get("password") or "")[:1024]
    target = next_of(str(form.get("next") or ""))
    values = {"email": email, "next": target}
    if email and throttle.is_locked(email):
        return page(request, template, status_code=429, form=values, error=gettext(LOCKED))
    account = await authenticate(email, password) if email and password else None
    if account is None:
        if email:
            throttle.failed(email)
        return page(request, template, status_code=400, form=values, error=gettext(LOGIN_FAILED))
    return account, target


def code_error(
    raw: str, secret: str, *, account_id: UUID, email: str, used: UsedCodes, throttle: LoginThrottle
) -> str | None:
    """Check a typed code against ``secret``: the error (translated), or ``None`` when it is right (and now used).

    A wrong or replayed code counts as a failed login; a malformed one does not (nothing was guessed).
    """
    code = normalise_code(raw)
    if code is None:
        return gettext(CODE_FORMAT)
    step = matching_step(secret, code)
    if step is None or not used.accept(account_id, step):
        throttle.failed(email)
        return gettext(CODE_WRONG)
    return None

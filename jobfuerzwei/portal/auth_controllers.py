"""Employer portal accounts: login, two-factor code, logout, password links and the security page.

Links in circulation mails (``/e/<token>``) stay capabilities for one profile and one answer; nothing here accepts
them, so only the password (and the code) opens a portal session. Account logic lives in ``employers.accounts``;
this module adds the HTTP side: forms, cookies and pages. The per-account lock, the code checks, the pending
two-factor secret and the password rules are in ``portal.auth_helpers``.
"""

from __future__ import annotations

import time
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.employers import accounts
from jobfuerzwei.employers.models import AccountTokenPurpose, MemberContact
from jobfuerzwei.employers.schemas import is_valid_email
from jobfuerzwei.errors import LinkInvalid
from jobfuerzwei.i18n import N_
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.portal.auth_helpers import (
    HOME,
    fresh_verified_session,
    login_throttle,
    password_errors,
    portal_next,
    read_pending,
    reset_mail_throttle,
    set_session_cookie,
    sign_pending,
    used_codes,
    wrong_password,
)
from jobfuerzwei.web.auth import PORTAL_COOKIE, provide_contact
from jobfuerzwei.web.login import code_error, password_step
from jobfuerzwei.web.pages import page, redirect
from jobfuerzwei.web.twofactor import (
    CODE_FORMAT,
    CODE_WRONG,
    grouped,
    matching_step,
    new_secret,
    normalise_code,
    provisioning_uri,
)

LOGIN = "/portal/login"
SECURITY = "/portal/security"
FORGOT = "/portal/password/forgot"
NO_STORE = CacheControlHeader(no_store=True)

CODE_STEP_SECONDS = 10 * 60
"""Lifetime of the browser cookie between password and code (the server keeps the row until it expires)."""
PENDING_COOKIE = "jfz_totp_pending"
PENDING_SECONDS = 10 * 60
"""How long a new two-factor secret waits for its first code before setup starts over."""

LOGIN_ELSEWHERE = N_(
    "Für diese E-Mail-Adresse gibt es bereits einen Zugang bei einem anderen Mitglied. "
    "Bitte wenden Sie sich an die Koordination."
)


class PortalAuthController(Controller):
    """Login, two-factor code, logout and the password links (no login needed to reach them)."""

    path = HOME
    cache_control = NO_STORE

    @get("/login")
    async def show_login(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        next_path: Annotated[str, QueryParameter(name="next")] = HOME,
    ) -> Response[Any]:
        """The login form (a logged-in contact goes straight on)."""
        login = await accounts.login_for_session(db_session, request.cookies.get(PORTAL_COOKIE))
        if login is not None and login.is_verified:
            return Redirect(path=portal_next(next_path), status_code=303)
        return page(request, "portal/login.html", form={"email": "", "next": portal_next(next_path)}, error=None)

    @post("/login")
    async def submit_login(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Check the credentials; a fresh session, verified unless a two-factor code is due."""
        throttle = login_throttle(request, settings)
        checked = await password_step(
            request,
            throttle,
            lambda email, password: accounts.authenticate(db_session, email, password),
            template="portal/login.html",
            next_of=portal_next,
        )
        if isinstance(checked, Template):
            return checked
        contact, target = checked
        await accounts.end_session(db_session, request.cookies.get(PORTAL_COOKIE))
        if contact.totp_secret is not None:
            # The failure count is kept until the code is right: knowing the password must not buy fresh code guesses.
            token = await accounts.start_session(db_session, contact, is_verified=False)
            response: Response[Any] = Redirect(path=f"{LOGIN}/code?next={quote(target)}", status_code=303)
            set_session_cookie(response, settings, token, CODE_STEP_SECONDS)
            return response
        throttle.succeeded(contact.email)
        token = await accounts.start_session(db_session, contact, is_verified=True)
        response = redirect(target, "logged_in")
        set_session_cookie(response, settings, token, accounts.SESSION_HOURS * 3600)
        return response

    @get("/login/code")
    async def show_code(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        next_path: Annotated[str, QueryParameter(name="next")] = HOME,
    ) -> Response[Any]:
        """The code form; only after the password (an unverified session)."""
        target = portal_next(next_path)
        login = await accounts.login_for_session(db_session, request.cookies.get(PORTAL_COOKIE))
        if login is None:
            return Redirect(path=f"{LOGIN}?next={quote(target)}", status_code=303)
        if login.is_verified:
            return Redirect(path=target, status_code=303)
        return code_page(request, target, {})

    @post("/login/code")
    async def submit_code(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Check the code; on success the half-open session is replaced by a new, verified one."""
        form = await request.form()
        target = portal_next(str(form.get("next") or ""))
        old_token = request.cookies.get(PORTAL_COOKIE)
        login = await accounts.login_for_session(db_session, old_token)
        if login is None or login.is_verified or login.contact.totp_secret is None:
            return Redirect(path=f"{LOGIN}?next={quote(target)}", status_code=303)
        contact, secret = login.contact, login.contact.totp_secret
        throttle = login_throttle(request, settings)
        if throttle.is_locked(contact.email):
            # End the half-open session (a redirect, so the deletion is committed); the login page stays locked.
            await accounts.end_session(db_session, old_token)
            response: Response[Any] = redirect(LOGIN, "login_locked")
            response.delete_cookie(PORTAL_COOKIE, path="/")
            return response
        error = code_error(
            str(form.get("code") or ""),
            secret,
            account_id=contact.id,
            email=contact.email,
            used=used_codes(request),
            throttle=throttle,
        )
        if error:
            return code_page(request, target, {"code": error})
        throttle.succeeded(contact.email)
        await accounts.end_session(db_session, old_token)
        token = await accounts.start_session(db_session, contact, is_verified=True)
        response = redirect(target, "logged_in")
        set_session_cookie(response, settings, token, accounts.SESSION_HOURS * 3600)
        return response

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> Redirect:
        """End the session (the row is deleted, so the old cookie is worthless) and drop the cookies."""
        await accounts.end_session(db_session, request.cookies.get(PORTAL_COOKIE))
        response = redirect(LOGIN, "logged_out")
        response.delete_cookie(PORTAL_COOKIE, path="/")
        response.delete_cookie(PENDING_COOKIE, path=SECURITY)
        return response

    @get("/password/forgot")
    async def show_forgot(self, request: Request[Any, Any, Any]) -> Template:
        """Ask for the address to send a reset link to."""
        return page(request, "portal/password_forgot.html", form={"email": ""}, errors={})

    @post("/password/forgot")
    async def submit_forgot(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Mail a reset link to a contact with an account; the answer is the same for every valid address."""
        form = await request.form()
        email = str(form.get("email") or "").strip()[:254]
        if not is_valid_email(email):
            errors = {"email": _("Bitte geben Sie Ihre E-Mail-Adresse an, z. B. name@firma.de.")}
            return page(request, "portal/password_forgot.html", status_code=400, form={"email": email}, errors=errors)
        contact = await accounts.contact_by_email(db_session, email)
        mails = reset_mail_throttle(request)
        if contact is not None and not mails.is_locked(contact.email):
            mails.failed(contact.email)
            token = await accounts.issue_account_token(db_session, contact, AccountTokenPurpose.RESET)
            enqueue(
                db_session,
                settings,
                template="password_reset",
                to=contact.email,
                language=contact.language,
                context={
                    "contact_name": contact.name,
                    "reset_url": f"{settings.base_url}/portal/password/{token}",
                    "forgot_url": f"{settings.base_url}{FORGOT}",
                    "valid_minutes": accounts.RESET_MINUTES,
                },
            )
        return redirect(FORGOT, "reset_requested")

    @get("/password/{token:str}")
    async def show_password_form(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession], token: FromPath[str]
    ) -> Template:
        """The form to set a password; the GET changes nothing (mail scanners follow links)."""
        try:
            row, contact = await accounts.resolve_account_token(db_session, token)
        except LinkInvalid as exc:
            return link_invalid_page(request, exc.message)
        return _password_page(request, token, contact, row.purpose, {})

    @post("/password/{token:str}")
    async def submit_password(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        token: FromPath[str],
    ) -> Response[Any]:
        """Set the password: the link is used up and every session of the contact ends."""
        try:
            row, contact = await accounts.resolve_account_token(db_session, token)
        except LinkInvalid as exc:
            return link_invalid_page(request, exc.message)
        form = await request.form()
        password = str(form.get("password") or "")
        errors = password_errors(password, str(form.get("password_repeat") or ""))
        if errors:
            return _password_page(request, token, contact, row.purpose, errors, status_code=400)
        # A login is one member: if another member's contact with this address got a login meanwhile, stop here.
        holder = await accounts.contact_by_email(db_session, contact.email)
        if holder is not None and holder.id != contact.id:
            return link_invalid_page(request, _(LOGIN_ELSEWHERE), status_code=409)
        await accounts.set_password(db_session, token, password)
        login_throttle(request, settings).succeeded(contact.email)
        response = redirect(LOGIN, "password_set")
        response.delete_cookie(PORTAL_COOKIE, path="/")
        return response


def code_page(request: Request[Any, Any, Any], target: str, errors: dict[str, str]) -> Template:
    """The portal's code form (shared with the staff login)."""
    return page(
        request,
        "_login_code.html",
        status_code=400 if errors else 200,
        form={"next": target},
        errors=errors,
        action=f"{LOGIN}/code",
        logout_action=f"{HOME}/logout",
        intro=_(
            "Für Ihren Zugang ist die Zwei-Faktor-Anmeldung eingeschaltet. Bitte geben Sie den sechsstelligen Code "
            "ein, den Ihre Authenticator-App gerade anzeigt."
        ),
        hint="",
    )


def link_invalid_page(request: Request[Any, Any, Any], message: str, *, status_code: int = 410) -> Template:
    """An unknown, used or expired password link, with the way to a new one."""
    return page(request, "portal/link_invalid.html", status_code=status_code, message=message)


def _password_page(
    request: Request[Any, Any, Any],
    token: str,
    contact: MemberContact,
    purpose: AccountTokenPurpose,
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "portal/password_set.html",
        status_code=status_code,
        token=token,
        email=contact.email,
        is_invite=purpose == AccountTokenPurpose.INVITE,
        min_length=accounts.MIN_PASSWORD,
        errors=errors,
    )


def security_page(
    request: Request[Any, Any, Any],
    settings: Settings,
    contact: MemberContact,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The security page: two-factor state (with a pending secret to type into an app) and the password form."""
    pending = None
    if contact.totp_secret is None:
        pending = read_pending(settings, contact.id, request.cookies.get(PENDING_COOKIE))
    return page(
        request,
        "portal/security.html",
        status_code=status_code,
        contact=contact,
        pending_secret=grouped(pending) if pending else None,
        pending_uri=provisioning_uri(pending, contact.email) if pending else None,
        min_length=accounts.MIN_PASSWORD,
        errors=errors or {},
    )


class PortalSecurityController(Controller):
    """Two-factor on and off, password change (logged-in contacts only)."""

    path = SECURITY
    cache_control = NO_STORE
    dependencies = {"contact": Provide(provide_contact)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def show_security(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """Two-factor state and the password form."""
        return security_page(request, settings, contact)

    @post("/totp/start")
    async def start_totp(
        self,
        settings: NamedDependency[Settings],
        contact: NamedDependency[MemberContact],
    ) -> Redirect:
        """A new secret, held in a signed short-lived cookie until a code proves the app has it."""
        response = redirect(SECURITY)
        if contact.totp_secret is None:
            expires = int(time.time()) + PENDING_SECONDS
            response.set_cookie(
                key=PENDING_COOKIE,
                value=sign_pending(settings, contact.id, new_secret(), expires),
                max_age=PENDING_SECONDS,
                path=SECURITY,
                secure=settings.security.cookie_secure,
                httponly=True,
                samesite="strict",
            )
        return response

    @post("/totp/confirm")
    async def confirm_totp(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        contact: NamedDependency[MemberContact],
    ) -> Response[Any]:
        """Switch two-factor on once a code from the new secret is right; other devices are logged out."""
        if contact.totp_secret is not None:
            return redirect(SECURITY)
        secret = read_pending(settings, contact.id, request.cookies.get(PENDING_COOKIE))
        if secret is None:
            errors = {"code": _("Die Einrichtung ist abgelaufen. Bitte beginnen Sie noch einmal.")}
            return security_page(request, settings, contact, errors=errors, status_code=400)
        form = await request.form()
        code = normalise_code(str(form.get("code") or ""))
        if code is None:
            return security_page(request, settings, contact, errors={"code": _(CODE_FORMAT)}, status_code=400)
        step = matching_step(secret, code)
        if step is None:
            return security_page(request, settings, contact, errors={"code": _(CODE_WRONG)}, status_code=400)
        contact.totp_secret = secret
        # The code just typed must not log anyone in a second time.
        used_codes(request).accept(contact.id, step)
        response = redirect(SECURITY, "totp_enabled")
        response.delete_cookie(PENDING_COOKIE, path=SECURITY)
        await fresh_verified_session(db_session, settings, contact, response)
        return response

    @post("/totp/disable")
    async def disable_totp(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        contact: NamedDependency[MemberContact],
    ) -> Response[Any]:
        """Switch two-factor off; needs the current password (a left-open browser alone is not enough)."""
        form = await request.form()
        error = wrong_password(request, settings, contact, str(form.get("disable_password") or ""))
        if error:
            return security_page(request, settings, contact, errors={"disable_password": error}, status_code=400)
        contact.totp_secret = None
        return redirect(SECURITY, "totp_disabled")

    @post("/password")
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        contact: NamedDependency[MemberContact],
    ) -> Response[Any]:
        """New password after the current one; every other session ends."""
        form = await request.form()
        new = str(form.get("new_password") or "")
        errors = password_errors(new, str(form.get("new_password_repeat") or ""), "new_password")
        error = wrong_password(request, settings, contact, str(form.get("current_password") or ""))
        if error:
            errors = {"current_password": error, **errors}
        if errors:
            return security_page(request, settings, contact, errors=errors, status_code=400)
        await accounts.change_password(db_session, contact, new)
        response = redirect(SECURITY, "password_changed")
        await fresh_verified_session(db_session, settings, contact, response)
        return response


controllers: list[type[Controller]] = [PortalAuthController, PortalSecurityController]

"""Staff login with the required second factor, the password links of invited staff, and the staff list.

Login: email and password open a half-open session; the TOTP code (or, at the first login, setting up an
authenticator app) replaces it with a verified one. The staff list (coordinators only) invites coordinators and
observers, changes roles, deactivates accounts and resets a lost second factor.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.employers.accounts import MIN_PASSWORD
from jobfuerzwei.employers.schemas import is_valid_email
from jobfuerzwei.errors import InvalidTransition, LinkInvalid
from jobfuerzwei.i18n import N_, use_language
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.portal.auth_helpers import password_errors
from jobfuerzwei.staff import services
from jobfuerzwei.staff.models import StaffRole, StaffSession, StaffUser
from jobfuerzwei.web.auth import SESSION_COOKIE, provide_staff, safe_next
from jobfuerzwei.web.login import code_error, password_step
from jobfuerzwei.web.pages import page, redirect
from jobfuerzwei.web.twofactor import (
    CODE_WRONG,
    UsedCodes,
    grouped,
    new_secret,
    provisioning_uri,
)

HOME = "/coordinator"
LOGIN = f"{HOME}/login"
NO_STORE = CacheControlHeader(no_store=True)
LINK_INVALID = N_(
    "Dieser Link ist abgelaufen oder wurde schon verwendet. Bitte bitten Sie die Koordination um einen neuen Link."
)
ROLE_LABELS = {StaffRole.COORDINATOR: N_("Koordination"), StaffRole.OBSERVER: N_("Beobachtung (nur lesen)")}
"""German, marked for translation: shown through ``role_labels()``."""


def role_labels() -> dict[StaffRole, str]:
    """The role names in the current language."""
    return {role: _(text) for role, text in ROLE_LABELS.items()}


def login_throttle(request: Request[Any, Any, Any], settings: Settings) -> services.LoginThrottle:
    """Failed passwords and codes per staff account (kept on the app state, so each app has its own)."""
    throttle = request.app.state.get("login_throttle")
    if throttle is None:
        throttle = services.LoginThrottle(settings.security.login_failures_per_account)
        request.app.state.login_throttle = throttle
    return throttle


def used_codes(request: Request[Any, Any, Any]) -> UsedCodes:
    """The replay guard of staff codes: a code works once."""
    guard = request.app.state.get("staff_used_codes")
    if guard is None:
        guard = UsedCodes()
        request.app.state.staff_used_codes = guard
    return guard


def _code_page(request: Request[Any, Any, Any], target: str, errors: dict[str, str]) -> Template:
    return page(
        request,
        "_login_code.html",
        status_code=400 if errors else 200,
        form={"next": target},
        errors=errors,
        action=f"{LOGIN}/code",
        logout_action=f"{HOME}/logout",
        intro=_(
            "Bitte geben Sie den sechsstelligen Code ein, den Ihre Authenticator-App für „Job für Zwei“ gerade anzeigt."
        ),
        hint=_(
            "Telefon verloren? Eine andere Person der Koordination kann Ihre Zwei-Faktor-Anmeldung unter „Team“ "
            "zurücksetzen."
        ),
    )


def _set_cookie(response: Response[Any], settings: Settings, token: str, max_age: int) -> None:
    response.set_cookie(
        key=SESSION_COOKIE,
        value=token,
        max_age=max_age,
        path="/",
        secure=settings.security.cookie_secure,
        httponly=True,
        samesite="lax",
    )


class AuthController(Controller):
    """Login, second factor, logout and password links (no login needed to reach them)."""

    path = HOME
    cache_control = NO_STORE

    @get("/login")
    async def show_login(
        self, request: Request[Any, Any, Any], next_path: Annotated[str, QueryParameter(name="next")] = HOME
    ) -> Template:
        """The login form."""
        return page(request, "coordinator/login.html", form={"email": "", "next": safe_next(next_path)}, error=None)

    @post("/login")
    async def submit_login(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Check the password; a half-open session, then the code (or the set-up at the first login)."""
        checked = await password_step(
            request,
            login_throttle(request, settings),
            lambda email, password: services.authenticate(db_session, email, password),
            template="coordinator/login.html",
            next_of=safe_next,
        )
        if isinstance(checked, Template):
            return checked
        user, target = checked
        # The failure count stays until the code is right: knowing the password must not buy fresh code guesses.
        await services.end_session(db_session, request.cookies.get(SESSION_COOKIE))
        token = await services.start_session(db_session, user, settings.security.session_hours)
        step = "code" if user.totp_secret else "setup"
        response: Response[Any] = Redirect(path=f"{LOGIN}/{step}?next={quote(target)}", status_code=303)
        _set_cookie(response, settings, token, services.UNVERIFIED_MINUTES * 60)
        return response

    async def _half_open(
        self, request: Request[Any, Any, Any], db_session: AsyncSession
    ) -> tuple[StaffSession, StaffUser] | None:
        login = await services.login_for_session(db_session, request.cookies.get(SESSION_COOKIE))
        return None if login is None or login[0].verified else login

    @get("/login/code")
    async def show_code(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        next_path: Annotated[str, QueryParameter(name="next")] = HOME,
    ) -> Response[Any]:
        """The code form; only after the password."""
        target = safe_next(next_path)
        login = await self._half_open(request, db_session)
        if login is None or login[1].totp_secret is None:
            return Redirect(path=f"{LOGIN}?next={quote(target)}", status_code=303)
        return _code_page(request, target, {})

    @post("/login/code")
    async def submit_code(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Check the code; on success the half-open session is replaced by a new, verified one."""
        form = await request.form()
        target = safe_next(str(form.get("next") or ""))
        login = await self._half_open(request, db_session)
        secret = login[1].totp_secret if login is not None else None
        if login is None or secret is None:
            return Redirect(path=f"{LOGIN}?next={quote(target)}", status_code=303)
        row, user = login
        throttle = login_throttle(request, settings)
        if throttle.is_locked(user.email):
            # End the half-open session (a redirect, so the deletion is committed); the login page stays locked.
            await db_session.delete(row)
            response: Response[Any] = redirect(LOGIN, "login_locked")
            response.delete_cookie(SESSION_COOKIE, path="/")
            return response
        error = code_error(
            str(form.get("code") or ""),
            secret,
            account_id=user.id,
            email=user.email,
            used=used_codes(request),
            throttle=throttle,
        )
        if error:
            return _code_page(request, target, {"code": error})
        return await self._verified(request, db_session, settings, login, target)

    async def _verified(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        settings: Settings,
        login: tuple[StaffSession, StaffUser],
        target: str,
    ) -> Response[Any]:
        row, user = login
        login_throttle(request, settings).succeeded(user.email)
        token = await services.verify_session(db_session, row, user, settings.security.session_hours)
        if not user.is_coordinator and not target.startswith(f"{HOME}/results"):
            target = f"{HOME}/results"
        response = redirect(target, "logged_in")
        _set_cookie(response, settings, token, settings.security.session_hours * 3600)
        return response

    @get("/login/setup")
    async def show_setup(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        next_path: Annotated[str, QueryParameter(name="next")] = HOME,
    ) -> Response[Any]:
        """First login: a new secret to type into an authenticator app, and the code form that proves it."""
        target = safe_next(next_path)
        login = await self._half_open(request, db_session)
        if login is None or login[1].totp_secret is not None:
            return Redirect(path=f"{LOGIN}?next={quote(target)}", status_code=303)
        return self._setup_page(request, login, target, {})

    def _setup_page(
        self,
        request: Request[Any, Any, Any],
        login: tuple[StaffSession, StaffUser],
        target: str,
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        row, user = login
        if row.pending_totp is None:
            row.pending_totp = new_secret()
        return page(
            request,
            "coordinator/login_setup.html",
            status_code=status_code,
            form={"next": target},
            errors=errors,
            secret=grouped(row.pending_totp),
            uri=provisioning_uri(row.pending_totp, user.email),
        )

    @post("/login/setup")
    async def submit_setup(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """The first code from the new secret switches the second factor on and completes the login."""
        form = await request.form()
        target = safe_next(str(form.get("next") or ""))
        login = await self._half_open(request, db_session)
        if login is None or login[1].totp_secret is not None:
            return Redirect(path=f"{LOGIN}?next={quote(target)}", status_code=303)
        row, user = login
        pending = row.pending_totp or ""
        throttle = login_throttle(request, settings)
        error = code_error(
            str(form.get("code") or ""),
            pending,
            account_id=user.id,
            email=user.email,
            used=UsedCodes(),  # a new secret: an earlier step of the old one is no replay
            throttle=throttle,
        )
        if error or not pending:
            return self._setup_page(request, login, target, {"code": error or _(CODE_WRONG)}, status_code=400)
        user.totp_secret = pending
        return await self._verified(request, db_session, settings, login, target)

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> Redirect:
        """End the session (the row is deleted, so the old cookie is worthless) and drop the cookie."""
        await services.end_session(db_session, request.cookies.get(SESSION_COOKIE))
        response = redirect(LOGIN, "logged_out")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get("/password/{token:str}")
    async def show_password(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        token: FromPath[str],
    ) -> Template:
        """The form that sets the password of an invited account (or after a reset)."""
        user = await services.user_for_password_token(db_session, settings.security.secret_key, token)
        if user is None:
            raise LinkInvalid(_(LINK_INVALID))
        return _password_page(request, token, user, {})

    @post("/password/{token:str}")
    async def submit_password(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        token: FromPath[str],
    ) -> Response[Any]:
        """Store the new password; the link is used up and the account logs in (with its second factor)."""
        user = await services.user_for_password_token(db_session, settings.security.secret_key, token)
        if user is None:
            raise LinkInvalid(_(LINK_INVALID))
        form = await request.form()
        password = str(form.get("password") or "")
        errors = password_errors(password, str(form.get("password_repeat") or ""))
        if errors:
            return _password_page(request, token, user, errors, status_code=400)
        await services.set_password(db_session, user, password)
        return redirect(LOGIN, "password_set")


def _password_page(
    request: Request[Any, Any, Any], token: str, user: StaffUser, errors: dict[str, str], status_code: int = 200
) -> Template:
    # The portal's form, with the staff wording and address.
    return page(
        request,
        "portal/password_set.html",
        status_code=status_code,
        token=token,
        action=f"{HOME}/password/{token}",
        intro=_(
            "Legen Sie ein Passwort für Ihren Zugang zur Koordination fest. Danach melden Sie sich an und richten "
            "die Zwei-Faktor-Anmeldung ein; andere Geräte werden abgemeldet."
        ),
        email=user.email,
        is_invite=user.last_login_at is None,
        min_length=MIN_PASSWORD,
        errors=errors,
    )


def _not_yourself(staff: StaffUser, staff_id: UUID) -> None:
    if staff.id == staff_id:
        raise InvalidTransition(_("Ihre eigene Rolle und Ihr eigenes Konto kann nur eine andere Person ändern."))


def _role(value: str) -> StaffRole | None:
    try:
        return StaffRole(value)
    except ValueError:
        return None


def queue_password_link(session: AsyncSession, settings: Settings, user: StaffUser, *, invite: bool) -> None:
    """Mail the account a link that sets its password (in the caller's transaction)."""
    token = services.password_link_token(settings.security.secret_key, user)
    with use_language(user.language):  # the mail is in the recipient's language, not the sender's
        role_label = _(ROLE_LABELS[StaffRole(user.role)])
    enqueue(
        session,
        settings,
        template="staff_invite",
        to=user.email,
        language=user.language,
        context={
            "name": user.name,
            "invite": invite,
            "role_label": role_label,
            "password_url": f"{settings.base_url}{HOME}/password/{token}",
            "valid_hours": services.PASSWORD_LINK_HOURS,
        },
    )


class StaffController(Controller):
    """The staff list: invite, change the role, deactivate, reset the second factor (coordinators only)."""

    path = f"{HOME}/staff"
    cache_control = NO_STORE
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012  # Litestar's class attribute

    async def _list_page(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        *,
        form: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "coordinator/staff.html",
            status_code=status_code,
            accounts=await services.list_staff(db_session),
            roles=role_labels(),
            form=form or {"name": "", "email": "", "role": StaffRole.COORDINATOR.value},
            errors=errors or {},
        )

    @get("/")
    async def list_staff(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
    ) -> Template:
        """Every account with role, state, second factor and last login; the invitation form."""
        return await self._list_page(request, db_session)

    @post("/")
    async def invite_staff(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
    ) -> Response[Any]:
        """Create an account without password and mail it the link that sets one."""
        form = await request.form()
        values = {
            "name": str(form.get("name") or "").strip()[:200],
            "email": str(form.get("email") or "").strip()[:254],
            "role": str(form.get("role") or ""),
        }
        errors: dict[str, str] = {}
        if not values["name"]:
            errors["name"] = _("Bitte geben Sie den Namen an.")
        if not is_valid_email(values["email"]):
            errors["email"] = _("Bitte geben Sie eine gültige E-Mail-Adresse an.")
        elif await services.email_taken(db_session, values["email"]):
            errors["email"] = _("Für diese E-Mail-Adresse gibt es schon ein Konto.")
        role = _role(values["role"])
        if role is None:
            errors["role"] = _("Bitte wählen Sie eine Rolle.")
        if errors or role is None:
            return await self._list_page(request, db_session, form=values, errors=errors, status_code=400)
        user = await services.create_staff(db_session, values["email"], None, values["name"], role=role)
        queue_password_link(db_session, settings, user, invite=True)
        return redirect(self.path, "staff_invited")

    @post("/{staff_id:uuid}/role")
    async def change_role(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        staff_id: FromPath[UUID],
    ) -> Response[Any]:
        """Coordinator ↔ observer; the account logs in anew."""
        form = await request.form()
        role = _role(str(form.get("role") or ""))
        if role is None:
            return await self._list_page(
                request, db_session, errors={"list": _("Bitte wählen Sie eine Rolle.")}, status_code=400
            )
        _not_yourself(staff, staff_id)
        await services.change_role(db_session, await services.get_staff(db_session, staff_id), role)
        return redirect(self.path, "staff_saved")

    @post("/{staff_id:uuid}/active")
    async def set_active(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        staff_id: FromPath[UUID],
    ) -> Redirect:
        """Deactivate (logged out at once) or reactivate an account."""
        _not_yourself(staff, staff_id)
        form = await request.form()
        user = await services.get_staff(db_session, staff_id)
        await services.set_active(db_session, user, str(form.get("active") or "") == "1")
        return redirect(self.path, "staff_saved")

    @post("/{staff_id:uuid}/reset-totp")
    async def reset_totp(
        self,
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        staff_id: FromPath[UUID],
    ) -> Redirect:
        """A lost phone: the account sets up a new authenticator app at its next login."""
        await services.reset_second_factor(db_session, await services.get_staff(db_session, staff_id))
        return redirect(self.path, "staff_totp_reset")

    @post("/{staff_id:uuid}/password-link")
    async def send_password_link(
        self,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        staff_id: FromPath[UUID],
    ) -> Redirect:
        """Mail a new link that sets the password (a forgotten password, an invitation that expired)."""
        user = await services.get_staff(db_session, staff_id)
        if not user.is_active:
            return redirect(self.path, "staff_inactive")
        queue_password_link(db_session, settings, user, invite=False)
        return redirect(self.path, "staff_link_sent")


controllers: list[type[Controller]] = [AuthController, StaffController]

"""Coordinator pages: login / logout, overview, review queue and profile pages, mail page."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import urlsplit
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import File, Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.coordinator import review, services
from jobfuerzwei.employers.services import list_members
from jobfuerzwei.errors import DomainError, NotFound
from jobfuerzwei.mail.outbox import failed_messages
from jobfuerzwei.profiles import services as profile_services
from jobfuerzwei.profiles.models import Profile, ProfileKind, ProfileStatus
from jobfuerzwei.profiles.schemas import form_values, profile_form_values, validate_profile_form
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.staff.services import LoginThrottle, authenticate, end_session, start_session
from jobfuerzwei.web.auth import SESSION_COOKIE, provide_staff
from jobfuerzwei.web.pages import cv_download, page, redirect

HOME = "/coordinator"
PER_PAGE = 25


def safe_next(value: str | None) -> str:
    """A local path to return to after login; anything else (other hosts, schemes, ``//``) goes to the overview."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in value):
        return HOME
    return value


def login_throttle(request: Request[Any, Any, Any], settings: Settings) -> LoginThrottle:
    """The per-account failure counter of this app (kept on the app state, so each app has its own)."""
    throttle = request.app.state.get("login_throttle")
    if throttle is None:
        throttle = LoginThrottle(settings.security.login_failures_per_account)
        request.app.state.login_throttle = throttle
    return throttle


class AuthController(Controller):
    """Login and logout (no login needed to reach them)."""

    path = HOME

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
        """Check the credentials; on success a fresh session token (rotation) and back to ``next``."""
        form = await request.form()
        email = str(form.get("email") or "").strip()[:254]
        password = str(form.get("password") or "")[:1024]
        target = safe_next(str(form.get("next") or ""))
        values = {"email": email, "next": target}
        throttle = login_throttle(request, settings)
        if email and throttle.is_locked(email):
            return page(
                request,
                "coordinator/login.html",
                status_code=429,
                form=values,
                error="Zu viele fehlgeschlagene Anmeldungen für dieses Konto. "
                "Bitte versuchen Sie es in 15 Minuten noch einmal.",
            )
        user = await authenticate(db_session, email, password) if email and password else None
        if user is None:
            if email:
                throttle.failed(email)
            return page(
                request,
                "coordinator/login.html",
                status_code=400,
                form=values,
                error="E-Mail-Adresse oder Passwort ist falsch.",
            )
        throttle.succeeded(email)
        await end_session(db_session, request.cookies.get(SESSION_COOKIE))
        token = await start_session(db_session, user, settings.security.session_hours)
        response = redirect(target, "logged_in")
        response.set_cookie(
            key=SESSION_COOKIE,
            value=token,
            max_age=settings.security.session_hours * 3600,
            path="/",
            secure=settings.security.cookie_secure,
            httponly=True,
            samesite="lax",
        )
        return response

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> Redirect:
        """End the session (the row is deleted, so the old cookie is worthless) and drop the cookie."""
        await end_session(db_session, request.cookies.get(SESSION_COOKIE))
        response = redirect(f"{HOME}/login", "logged_out")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


class OverviewController(Controller):
    """The coordinator's start page."""

    path = HOME
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def show_overview(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        kind: Annotated[str, QueryParameter(name="kind")] = "",
    ) -> Template:
        """Counts per status and state, placements, failed mails, recent circulations; optionally of one type."""
        profile_kind = _kind(kind)
        return page(
            request,
            "coordinator/overview.html",
            overview=await services.overview(db_session, profile_kind),
            kind=profile_kind,
        )


def _kind(value: str) -> ProfileKind | None:
    """The profile-type filter of a list ("" = all types); an unknown type is a clear 400."""
    if not value:
        return None
    try:
        return ProfileKind(value)
    except ValueError:
        raise DomainError("Unbekannte Profilart.") from None


async def _profile_context(session: AsyncSession, settings: Settings, profile: Profile, **extra: Any) -> dict[str, Any]:
    duplicates = await review.duplicates_for(session, [profile])
    names = await profile_services.member_names(
        session, [profile.recruiting_member_id, *(p.member_id for p in profile.permissions)]
    )
    context: dict[str, Any] = {
        "profile": profile,
        "duplicates": duplicates.get(profile.id, []),
        "member_names": names,
        "has_cv": profile_services.cv_path(settings, profile) is not None,
        "reject_form": {"reason": ""},
        "reject_errors": {},
    }
    context.update(extra)
    return context


class ProfilesController(Controller):
    """Review queue, profile view, approve / reject, merge, correct."""

    path = f"{HOME}/profiles"
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012

    @get("/")
    async def list_profiles(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        *,
        status: Annotated[str, QueryParameter(name="status")] = ProfileStatus.CONFIRMED.value,
        kind: Annotated[str, QueryParameter(name="kind")] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
    ) -> Template:
        """Profiles of one status (default: the review queue) and type, possible duplicates flagged."""
        if status not in {s.value for s in review.REVIEW_STATUSES}:
            raise DomainError("Unbekannter Status.")
        queue = await review.profile_queue(
            db_session, status=ProfileStatus(status), kind=_kind(kind), page=page_number, per_page=PER_PAGE
        )
        return page(request, "coordinator/profiles.html", queue=queue, statuses=review.REVIEW_STATUSES)

    @get("/{profile_id:uuid}")
    async def show_profile(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        profile_id: FromPath[UUID],
    ) -> Template:
        """Everything about one profile, with contact, consents and duplicate candidates."""
        profile = await review.reviewable_profile(db_session, profile_id)
        return page(request, "coordinator/profile.html", **await _profile_context(db_session, settings, profile))

    @get("/{profile_id:uuid}/cv")
    async def download_cv(
        self,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        profile_id: FromPath[UUID],
    ) -> File:
        """The CV as a download (never rendered inline)."""
        profile = await review.reviewable_profile(db_session, profile_id)
        return cv_download(
            profile_services.cv_path(settings, profile),
            profile.reference,
            "Zu diesem Profil gibt es keinen Lebenslauf.",
        )

    @post("/{profile_id:uuid}/approve")
    async def approve_profile(
        self, db_session: NamedDependency[AsyncSession], staff: NamedDependency[StaffUser], profile_id: FromPath[UUID]
    ) -> Redirect:
        """Freigeben: confirmed → approved."""
        await review.approve_profile(db_session, profile_id)
        return redirect(f"{HOME}/profiles/{profile_id}", "approved")

    @post("/{profile_id:uuid}/reject")
    async def reject_profile(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        profile_id: FromPath[UUID],
    ) -> Response[Any]:
        """Ablehnen with a required reason, which is mailed to the partner."""
        form = await request.form()
        reason = str(form.get("reason") or "").strip()
        profile = await review.reviewable_profile(db_session, profile_id)
        error = ""
        if not reason:
            error = "Bitte geben Sie eine Begründung an; sie wird der Partnerin bzw. dem Partner geschickt."
        elif len(reason) > 2000:
            error = "Die Begründung darf höchstens 2000 Zeichen lang sein."
        if error:
            context = await _profile_context(
                db_session, settings, profile, reject_form={"reason": reason}, reject_errors={"reason": error}
            )
            return page(request, "coordinator/profile.html", status_code=400, **context)
        await review.reject_profile(db_session, settings, profile_id, reason)
        return redirect(f"{HOME}/profiles/{profile_id}", "rejected")

    @post("/{profile_id:uuid}/merge")
    async def merge_profile(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        profile_id: FromPath[UUID],
    ) -> Redirect:
        """Fold the posted duplicate (``other_id``) into this profile."""
        form = await request.form()
        try:
            other_id = UUID(str(form.get("other_id") or ""))
        except ValueError:
            raise NotFound("Dieses Profil gibt es nicht.") from None
        await review.merge_profiles(db_session, keep_id=profile_id, drop_id=other_id)
        return redirect(f"{HOME}/profiles/{profile_id}", "merged")

    @get("/{profile_id:uuid}/edit")
    async def edit_profile(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        profile_id: FromPath[UUID],
    ) -> Template:
        """The correction form, filled with the stored values."""
        profile = await review.reviewable_profile(db_session, profile_id)
        return page(
            request,
            "coordinator/profile_edit.html",
            profile=profile,
            form=profile_form_values(profile),
            errors={},
            members=await list_members(db_session, active_only=False),
        )

    @post("/{profile_id:uuid}/edit")
    async def update_profile(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        profile_id: FromPath[UUID],
    ) -> Response[Any]:
        """Save a correction; wrong input comes back with the typed values and nothing is stored."""
        profile = await review.reviewable_profile(db_session, profile_id)
        members = await list_members(db_session, active_only=False)
        form = await request.form()
        clean, errors = validate_profile_form(form, members=members)
        if errors:
            return page(
                request,
                "coordinator/profile_edit.html",
                status_code=400,
                profile=profile,
                form=form_values(form),
                errors=errors,
                members=members,
            )
        await profile_services.update_profile(db_session, profile, clean)
        return redirect(f"{HOME}/profiles/{profile_id}", "profile_saved")


class MailsController(Controller):
    """Outbox state, failed mails with retry, and (dev mode) the captured mails of the local sink."""

    path = f"{HOME}/mails"
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012

    @get("/")
    async def list_mails(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
    ) -> Template:
        """Outbox figures, failed mails, captured mails."""
        return page(
            request,
            "coordinator/mails.html",
            counts=await services.outbox_counts(db_session),
            failed=await failed_messages(db_session),
            shows_sink=services.shows_sink(settings),
            sink=await asyncio.to_thread(services.sink_mails, settings),
        )

    @get("/sink/{key:str}")
    async def show_sink_mail(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        key: FromPath[str],
    ) -> Template:
        """One captured mail: its text part with the links in it, the HTML part as escaped source."""
        mail = await asyncio.to_thread(services.sink_mail, settings, key)
        text = mail.part("plain")
        return page(
            request,
            "coordinator/mail.html",
            mail=mail,
            text=text,
            html=mail.part("html"),
            links=services.links_in_text(text),
        )

    @post("/{message_id:uuid}/retry")
    async def retry_mail(
        self, db_session: NamedDependency[AsyncSession], staff: NamedDependency[StaffUser], message_id: FromPath[UUID]
    ) -> Redirect:
        """Send a failed mail again."""
        await services.retry_mail(db_session, message_id)
        return redirect(f"{HOME}/mails", "mail_retried")


controllers: list[type[Controller]] = [AuthController, OverviewController, ProfilesController, MailsController]

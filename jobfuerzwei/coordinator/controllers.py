"""Coordinator pages: login / logout, overview, review queue and profile pages, mail page."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import File, Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.audit.models import AuditAction
from jobfuerzwei.audit.services import Actor, entries_for_profile, record
from jobfuerzwei.config import Settings
from jobfuerzwei.coordinator import review, services
from jobfuerzwei.employers.services import list_members
from jobfuerzwei.errors import DomainError, NotFound
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.outbox import failed_messages
from jobfuerzwei.profiles import privacy as profile_privacy
from jobfuerzwei.profiles import services as profile_services
from jobfuerzwei.profiles.models import Profile, ProfileKind, ProfileStatus
from jobfuerzwei.profiles.schemas import form_values, profile_form_values, validate_profile_form
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.web.auth import provide_staff
from jobfuerzwei.web.pages import cv_download, page, redirect

HOME = "/coordinator"
PER_PAGE = 25


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
        raise DomainError(_("Unbekannte Profilart.")) from None


AUDIT_ON_PAGE = 20
"""The newest audit entries shown on a profile page (the audit page has them all)."""


def _audit(session: AsyncSession, staff: StaffUser, action: AuditAction, profile: Profile, detail: str) -> None:
    record(session, Actor.staff(staff), action, profile_id=profile.id, profile_number=profile.number, detail=detail)


async def _profile_context(session: AsyncSession, settings: Settings, profile: Profile, **extra: Any) -> dict[str, Any]:
    duplicates = await review.duplicates_for(session, [profile])
    names = await profile_services.member_names(
        session, [profile.recruiting_member_id, *(p.member_id for p in profile.permissions)]
    )
    context: dict[str, Any] = {
        "profile": profile,
        "audit_entries": await entries_for_profile(session, profile.id, AUDIT_ON_PAGE),
        "duplicates": duplicates.get(profile.id, []),
        "member_names": names,
        "has_cv": profile_services.cv_path(settings, profile) is not None,
        "retention_deadline": profile_privacy.retention_deadline(settings, profile),
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
            raise DomainError(_("Unbekannter Status."))
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
        context = await _profile_context(db_session, settings, profile)
        _audit(db_session, staff, AuditAction.VIEWED, profile, "Profilseite")
        return page(request, "coordinator/profile.html", **context)

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
        response = cv_download(
            profile_services.cv_path(settings, profile),
            profile.reference,
            _("Zu diesem Profil gibt es keinen Lebenslauf."),
        )
        _audit(db_session, staff, AuditAction.VIEWED, profile, "Lebenslauf heruntergeladen")
        return response

    @post("/{profile_id:uuid}/approve")
    async def approve_profile(
        self, db_session: NamedDependency[AsyncSession], staff: NamedDependency[StaffUser], profile_id: FromPath[UUID]
    ) -> Redirect:
        """Freigeben: confirmed → approved."""
        profile = await review.approve_profile(db_session, profile_id)
        _audit(db_session, staff, AuditAction.CHANGED, profile, "Freigegeben")
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
            error = _("Bitte geben Sie eine Begründung an; sie wird der Partnerin bzw. dem Partner geschickt.")
        elif len(reason) > 2000:
            error = _("Die Begründung darf höchstens 2000 Zeichen lang sein.")
        if error:
            context = await _profile_context(
                db_session, settings, profile, reject_form={"reason": reason}, reject_errors={"reason": error}
            )
            return page(request, "coordinator/profile.html", status_code=400, **context)
        await review.reject_profile(db_session, settings, profile_id, reason)
        _audit(db_session, staff, AuditAction.CHANGED, profile, "Abgelehnt")
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
            raise NotFound(_("Dieses Profil gibt es nicht.")) from None
        kept = await review.merge_profiles(db_session, keep_id=profile_id, drop_id=other_id)
        dropped = await review.reviewable_profile(db_session, other_id)
        _audit(db_session, staff, AuditAction.CHANGED, kept, f"Duplikat {dropped.reference} übernommen")
        _audit(db_session, staff, AuditAction.CHANGED, dropped, f"In {kept.reference} zusammengeführt")
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
        _audit(db_session, staff, AuditAction.CHANGED, profile, "Von der Koordination korrigiert")
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


controllers: list[type[Controller]] = [OverviewController, ProfilesController, MailsController]

"""Circulation pages: the coordinator's ranking and send form, the progress page, and the employers' link pages."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import File, Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.audit.models import AuditAction
from jobfuerzwei.audit.services import Actor, record
from jobfuerzwei.circulation import answers, schemas, services
from jobfuerzwei.config import Settings
from jobfuerzwei.errors import NotFound
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.outbox import batch_progress
from jobfuerzwei.profiles import services as profile_services
from jobfuerzwei.profiles.models import Profile
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.web.auth import provide_staff
from jobfuerzwei.web.labels import choices
from jobfuerzwei.web.pages import cv_download, page, redirect

NO_STORE = CacheControlHeader(no_store=True)


async def _circulate_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    settings: Settings,
    profile: Profile,
    *,
    selected: set[UUID] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    candidates = await services.candidates(session, settings, profile)
    if selected is None:
        selected = {c.member.id for c in candidates if c.is_preselected}
    return page(
        request,
        "coordinator/circulate.html",
        status_code=status_code,
        profile=profile,
        candidates=candidates,
        selected=selected,
        errors=errors or {},
        preselect_score=settings.matching.preselect_score,
        eligibility_labels=dict(choices("eligibility")),
        circulations=await services.list_circulations(session, profile.id),
    )


class CirculationController(Controller):
    """Coordinator: choose recipients, send, watch the progress, revoke a recipient's link."""

    path = "/coordinator"
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012  # Litestar's class attribute

    @get("/profiles/{profile_id:uuid}/circulate")
    async def show_circulate(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        profile_id: FromPath[UUID],
    ) -> Template:
        """Active members ranked by fit, good fits ticked in advance."""
        profile = await profile_services.get_profile(db_session, profile_id)
        services.check_circulable(profile)
        return await _circulate_page(request, db_session, settings, profile)

    @post("/profiles/{profile_id:uuid}/circulate")
    async def submit_circulation(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        profile_id: FromPath[UUID],
    ) -> Response[Any]:
        """Send to the ticked members (eligibility is checked again by the service)."""
        profile = await profile_services.get_profile(db_session, profile_id)
        services.check_circulable(profile)
        member_ids, errors = schemas.parse_member_ids(await request.form())
        if not errors:
            try:
                circulation = await services.circulate(db_session, settings, profile.id, member_ids, staff_id=staff.id)
            except services.NoRecipients as exc:
                errors = {"member_id": exc.message}
            else:
                record(
                    db_session,
                    Actor.staff(staff),
                    AuditAction.CIRCULATED,
                    profile_id=profile.id,
                    profile_number=profile.number,
                    detail=f"An {circulation.recipient_count} Mitglieder versendet",
                )
                return redirect(f"/coordinator/circulations/{circulation.id}", "circulated")
        return await _circulate_page(
            request, db_session, settings, profile, selected=set(member_ids), errors=errors, status_code=400
        )

    @get("/circulations/{circulation_id:uuid}")
    async def show_circulation(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        circulation_id: FromPath[UUID],
    ) -> Template:
        """Progress of the sending (updated by static/progress.js) and the recipients with their answers."""
        circulation = await services.get_circulation(db_session, circulation_id)
        return page(
            request,
            "coordinator/circulate_progress.html",
            circulation=circulation,
            profile=await profile_services.get_profile(db_session, circulation.profile_id),
            progress=await batch_progress(db_session, circulation.id),
            recipients=await services.circulation_recipients(db_session, circulation.id),
        )

    @get("/circulations/{circulation_id:uuid}/progress", cache_control=NO_STORE)
    async def circulation_progress(
        self,
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        circulation_id: FromPath[UUID],
    ) -> dict[str, Any]:
        """Mails of the circulation by state, for the progress display."""
        circulation = await services.get_circulation(db_session, circulation_id)
        progress = await batch_progress(db_session, circulation.id)
        return {
            "sent": progress.sent,
            "waiting": progress.waiting,
            "failed": progress.failed,
            "total": progress.total,
            "done": progress.is_done,
        }

    @post("/circulations/{circulation_id:uuid}/recipients/{recipient_id:uuid}/revoke")
    async def revoke_link(
        self,
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        circulation_id: FromPath[UUID],
        recipient_id: FromPath[UUID],
    ) -> Redirect:
        """The recipient's profile link stops working."""
        await services.revoke_recipient_link(db_session, circulation_id, recipient_id)
        return redirect(f"/coordinator/circulations/{circulation_id}", "link_revoked")


class EmployerLinkController(Controller):
    """Employer link pages: no login, the token in the URL is the capability."""

    path = "/e/{token:str}"
    cache_control = NO_STORE

    @get("/")
    async def show_profile(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession], token: FromPath[str]
    ) -> Template:
        """The full profile; name, contact and CV only after the partner released them to this member."""
        access = await answers.employer_access(db_session, token)
        answers.audit_view(
            db_session,
            access,
            "Profil über den Link in der E-Mail" + (" mit Kontaktdaten" if access.show_contact else ""),
        )
        return page(request, "employer/profile.html", access=access, profile=access.profile, token=token)

    @get("/cv")
    async def download_cv(
        self, db_session: NamedDependency[AsyncSession], settings: NamedDependency[Settings], token: FromPath[str]
    ) -> File:
        """The CV as a download, only with contact release."""
        access = await answers.employer_access(db_session, token)
        path = profile_services.cv_path(settings, access.profile) if access.show_contact else None
        response = cv_download(
            path, access.profile.reference, _("Für dieses Profil gibt es keinen freigegebenen Lebenslauf.")
        )
        answers.audit_view(db_session, access, "Lebenslauf über den Link in der E-Mail")
        return response

    @get("/answer/{answer:str}")
    async def show_answer(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        token: FromPath[str],
        answer: FromPath[str],
    ) -> Template:
        """Confirmation page for a mail button (a GET never records anything: mail scanners follow links)."""
        access = await answers.employer_access(db_session, token)
        chosen = schemas.parse_answer(answer)
        if chosen is None:
            raise NotFound
        return page(request, "employer/answer.html", access=access, profile=access.profile, token=token, answer=chosen)

    @post("/answer/{answer:str}")
    async def submit_answer(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        token: FromPath[str],
        answer: FromPath[str],
    ) -> Response[Any]:
        """Record the answer once; a second POST shows the recorded answer and changes nothing."""
        access = await answers.employer_access(db_session, token)
        chosen = schemas.parse_answer(answer)
        if chosen is None:
            raise NotFound
        if await answers.record_answer(db_session, settings, access, chosen):
            return redirect(f"/e/{token}", "answer_recorded")
        return page(request, "employer/answer.html", access=access, profile=access.profile, token=token, answer=chosen)


controllers: list[type[Controller]] = [CirculationController, EmployerLinkController]

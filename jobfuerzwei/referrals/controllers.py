"""Referral pages: the coordinator's board and detail page, and the employer's page behind its link."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.circulation import answers as circulation_answers
from jobfuerzwei.config import Settings
from jobfuerzwei.errors import NotFound
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.referrals import schemas, services
from jobfuerzwei.referrals.models import Actor, Referral, ReferralState
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.web.auth import provide_staff
from jobfuerzwei.web.labels import choices, label
from jobfuerzwei.web.pages import page, redirect

PER_PAGE = 50
"""Referrals per page of the coordinators' list."""


def _move_context(
    referral: Referral, actor: Actor, form: dict[str, str] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    moves = services.allowed_moves(referral.state, actor)
    return {
        "referral": referral,
        "moves": moves,
        "move_options": [(s.value, label("referral_state", s)) for s in moves],
        "reason_options": choices("close_reason"),
        "form": form or {"to_state": "", "close_reason": "", "note": ""},
        "errors": errors or {},
    }


class ReferralController(Controller):
    """Coordinator: all referrals by state; move any referral."""

    path = "/coordinator/referrals"
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def list_referrals(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        state_filter: Annotated[str | None, QueryParameter(name="state")] = None,
        kind_filter: Annotated[str | None, QueryParameter(name="kind")] = None,
        *,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
    ) -> Template:
        """Referrals, filtered by state and profile type, with the counts per state, 50 per page."""
        chosen = schemas.parse_state(state_filter)
        kind = schemas.parse_kind(kind_filter)
        listing = await services.referral_page(db_session, state=chosen, kind=kind, page=page_number, per_page=PER_PAGE)
        return page(
            request,
            "coordinator/referrals.html",
            referrals=listing,
            counts=listing.counts,
            state=chosen,
            kind=kind,
            states=list(ReferralState),
        )

    @get("/{referral_id:uuid}")
    async def show_referral(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        referral_id: FromPath[UUID],
    ) -> Template:
        """History and the move form."""
        referral = await services.get_referral(db_session, referral_id)
        return page(request, "coordinator/referral.html", **_move_context(referral, Actor.COORDINATOR))

    @post("/{referral_id:uuid}/move")
    async def move_referral(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        referral_id: FromPath[UUID],
    ) -> Response[Any]:
        """Move one step (invalid steps: form errors; a step no longer possible: 409)."""
        referral = await services.get_referral(db_session, referral_id)
        form = await request.form()
        clean, errors = schemas.validate_move_form(form)
        if errors:
            context = _move_context(referral, Actor.COORDINATOR, schemas.form_values(form), errors)
            return page(request, "coordinator/referral.html", status_code=400, **context)
        await services.move(
            db_session,
            settings,
            referral.id,
            clean["to_state"],
            actor=Actor.COORDINATOR,
            note=clean["note"],
            close_reason=clean["close_reason"],
        )
        return redirect(f"/coordinator/referrals/{referral.id}", "referral_moved")


class EmployerReferralController(Controller):
    """Employer: its own referral for the profile behind its link."""

    path = "/e/{token:str}/referral"
    cache_control = CacheControlHeader(no_store=True)

    @get("/")
    async def show_own_referral(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession], token: FromPath[str]
    ) -> Template:
        """State, history and the next steps."""
        access = await circulation_answers.employer_access(db_session, token)
        if access.referral is None:
            raise NotFound(_("Zu diesem Profil gibt es noch keine Vermittlung. Bitte melden Sie zuerst Interesse."))
        referral = await services.get_referral(db_session, access.referral.id, member_id=access.recipient.member_id)
        return page(
            request, "employer/referral.html", token=token, access=access, **_move_context(referral, Actor.EMPLOYER)
        )

    @post("/")
    async def move_own_referral(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        token: FromPath[str],
    ) -> Response[Any]:
        """Move the member's own referral; another member's referral is ``NotFound``."""
        access = await circulation_answers.employer_access(db_session, token)
        form = await request.form()
        referral_id = _posted_referral(form) or (access.referral.id if access.referral else None)
        if referral_id is None:
            raise NotFound(_("Zu diesem Profil gibt es noch keine Vermittlung."))
        member_id = access.recipient.member_id
        referral = await services.get_referral(db_session, referral_id, member_id=member_id)
        clean, errors = schemas.validate_move_form(form)
        if errors:
            context = _move_context(referral, Actor.EMPLOYER, schemas.form_values(form), errors)
            return page(request, "employer/referral.html", status_code=400, token=token, access=access, **context)
        await services.move(
            db_session,
            settings,
            referral.id,
            clean["to_state"],
            actor=Actor.EMPLOYER,
            note=clean["note"],
            close_reason=clean["close_reason"],
            member_id=member_id,
        )
        return redirect(f"/e/{token}/referral", "referral_moved")


def _posted_referral(form: Any) -> UUID | None:
    raw = form.get("referral_id")
    if not raw:
        return None
    try:
        return UUID(str(raw))
    except ValueError as exc:
        raise NotFound(_("Diese Vermittlung gibt es nicht.")) from exc


controllers: list[type[Controller]] = [ReferralController, EmployerReferralController]

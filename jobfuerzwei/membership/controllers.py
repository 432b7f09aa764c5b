"""The public page "Mitglied werden" and the coordinator's decisions on applications."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.errors import InvalidTransition
from jobfuerzwei.membership import services
from jobfuerzwei.membership.schemas import form_values, size_labels, validate_application, validate_reason
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.web.auth import provide_staff
from jobfuerzwei.web.pages import page, redirect

NO_STORE = CacheControlHeader(no_store=True)


class JoinController(Controller):
    """Organisations apply to join the network (public, rate-limited POST)."""

    path = "/join"

    @get("/", cache_control=NO_STORE)
    async def show_join(self, request: Request[Any, Any, Any]) -> Template:
        """The empty form "Mitglied werden"."""
        return page(request, "public/join.html", form={}, errors={}, sizes=list(size_labels().items()))

    @post("/", cache_control=NO_STORE)
    async def submit_join(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Store the application and confirm it by mail, or show the form again with the messages."""
        form = await request.form()
        data, errors = validate_application(form)
        if data is None:
            return page(
                request,
                "public/join.html",
                status_code=400,
                form=form_values(form),
                errors=errors,
                sizes=list(size_labels().items()),
            )
        await services.submit_application(db_session, settings, data)
        return redirect("/join/thanks", "application_received")

    @get("/thanks")
    async def show_joined(self, request: Request[Any, Any, Any]) -> Template:
        """Thank-you page: what happens next."""
        return page(request, "public/joined.html")


class ApplicationsController(Controller):
    """The coordinator approves or declines applications."""

    path = "/coordinator/applications"
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def list_applications(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
    ) -> Template:
        """Pending applications first, then the decided ones."""
        applications = await services.list_applications(db_session)
        return page(request, "coordinator/applications.html", applications=applications, sizes=size_labels())

    @get("/{application_id:uuid}")
    async def show_application(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        application_id: FromPath[UUID],
    ) -> Template:
        """One application with the decision forms."""
        application = await services.get_application(db_session, application_id)
        return page(
            request, "coordinator/application.html", application=application, sizes=size_labels(), form={}, errors={}
        )

    @post("/{application_id:uuid}/approve")
    async def approve_application(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        application_id: FromPath[UUID],
    ) -> Response[Any]:
        """Create the member and invite its first contact (mail); a taken name is explained on the page."""
        application = await services.get_application(db_session, application_id)
        try:
            member = await services.approve(db_session, settings, application)
        except InvalidTransition as exc:
            return page(
                request,
                "coordinator/application.html",
                status_code=409,
                application=application,
                sizes=size_labels(),
                form={},
                errors={"approve": exc.message},
            )
        return redirect(f"/coordinator/members/{member.id}/edit", "application_approved")

    @post("/{application_id:uuid}/decline")
    async def decline_application(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        application_id: FromPath[UUID],
    ) -> Response[Any]:
        """Decline with a reason that is mailed to the applicant."""
        application = await services.get_application(db_session, application_id)
        form = await request.form()
        reason, errors = validate_reason(form)
        if errors:
            return page(
                request,
                "coordinator/application.html",
                status_code=400,
                application=application,
                sizes=size_labels(),
                form={"reason": reason},
                errors=errors,
            )
        await services.decline(db_session, settings, application, reason)
        return redirect("/coordinator/applications", "application_declined")


controllers: list[type[Controller]] = [JoinController, ApplicationsController]

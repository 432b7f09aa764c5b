"""Coordinator pages for the member employers: list, create, edit."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.employers import services
from jobfuerzwei.employers.schemas import member_form_from, member_form_values, validate_member_form
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.web.auth import provide_staff
from jobfuerzwei.web.pages import page, redirect

NAME_TAKEN = "Es gibt bereits ein Mitglied mit diesem Namen."


class MembersController(Controller):
    """Members are created and edited by the coordinator."""

    path = "/coordinator/members"
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def list_members(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
    ) -> Template:
        """All members, active or not, by name."""
        members = await services.list_members(db_session, active_only=False)
        return page(request, "coordinator/members.html", members=members)

    @get("/new")
    async def new_member(self, request: Request[Any, Any, Any], staff: NamedDependency[StaffUser]) -> Template:
        """Empty member form (active by default)."""
        return page(request, "coordinator/member_form.html", member=None, form={"is_active": True}, errors={})

    @post("/new")
    async def create_member(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
    ) -> Response[Any]:
        """Add a member; wrong input comes back with the typed values."""
        form = await request.form()
        data, errors = validate_member_form(form)
        if data is not None and await services.is_name_taken(db_session, data.name):
            errors["name"] = NAME_TAKEN
        if data is None or errors:
            return page(
                request,
                "coordinator/member_form.html",
                status_code=400,
                member=None,
                form=member_form_values(form),
                errors=errors,
            )
        await services.create_member(db_session, data)
        return redirect("/coordinator/members", "member_saved")

    @get("/{member_id:uuid}/edit")
    async def edit_member(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        member_id: FromPath[UUID],
    ) -> Template:
        """The member form filled with the stored values."""
        member = await services.get_member(db_session, member_id)
        return page(request, "coordinator/member_form.html", member=member, form=member_form_from(member), errors={})

    @post("/{member_id:uuid}/edit")
    async def update_member(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        member_id: FromPath[UUID],
    ) -> Response[Any]:
        """Save changes; wrong input comes back with the typed values and nothing is changed."""
        member = await services.get_member(db_session, member_id)
        form = await request.form()
        data, errors = validate_member_form(form)
        if data is not None and await services.is_name_taken(db_session, data.name, exclude_id=member.id):
            errors["name"] = NAME_TAKEN
        if data is None or errors:
            return page(
                request,
                "coordinator/member_form.html",
                status_code=400,
                member=member,
                form=member_form_values(form),
                errors=errors,
            )
        await services.update_member(db_session, member, data)
        return redirect("/coordinator/members", "member_saved")


controllers: list[type[Controller]] = [MembersController]

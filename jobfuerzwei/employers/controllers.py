"""Coordinator pages for the member employers: list, create, edit; their open positions; portal invitations."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers import accounts, mail_prefs, services
from jobfuerzwei.employers.models import AccountToken, AccountTokenPurpose, Member, MemberContact
from jobfuerzwei.employers.schemas import (
    NAME_TAKEN,
    member_form_from,
    member_form_values,
    new_position_form,
    position_form_from,
    position_form_values,
    validate_member_form,
    validate_position_form,
)
from jobfuerzwei.errors import InvalidTransition, NotFound
from jobfuerzwei.i18n import LANGUAGES
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.web.auth import provide_staff
from jobfuerzwei.web.labels import choices
from jobfuerzwei.web.pages import page, redirect


async def _invited_contacts(session: AsyncSession, member: Member) -> set[UUID]:
    """Contacts of the member with an invitation that can still be used."""
    ids = [c.id for c in member.contacts]
    if not ids:
        return set()
    rows = await session.scalars(
        select(AccountToken.contact_id).where(
            AccountToken.contact_id.in_(ids),
            AccountToken.purpose == AccountTokenPurpose.INVITE,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > utcnow(),
        )
    )
    return set(rows)


async def _member_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    member: Member,
    form: dict[str, Any],
    errors: dict[str, str],
    *,
    contact_errors: dict[UUID, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The edit form of a member with its positions and its contacts' portal state."""
    return page(
        request,
        "coordinator/member_form.html",
        status_code=status_code,
        member=member,
        positions=await services.list_positions(session, member.id),
        invited=await _invited_contacts(session, member),
        contact_errors=contact_errors or {},
        form=form,
        errors=errors,
    )


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
        return page(
            request, "coordinator/member_form.html", member=None, positions=[], form={"is_active": True}, errors={}
        )

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
            errors["name"] = _(NAME_TAKEN)
        if data is None or errors:
            return page(
                request,
                "coordinator/member_form.html",
                status_code=400,
                member=None,
                positions=[],
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
        return await _member_page(request, db_session, member, member_form_from(member), {})

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
            errors["name"] = _(NAME_TAKEN)
        if data is None or errors:
            return await _member_page(request, db_session, member, member_form_values(form), errors, status_code=400)
        await services.update_member(db_session, member, data)
        return redirect("/coordinator/members", "member_saved")


def _position_page(
    request: Request[Any, Any, Any],
    member: Any,
    position: Any,
    form: dict[str, str],
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "coordinator/position_form.html",
        status_code=status_code,
        member=member,
        position=position,
        form=form,
        errors=errors,
        working_times=choices("working_time"),
    )


class PositionsController(Controller):
    """A member's open positions: they feed the matching both ways and the coverage model."""

    path = "/coordinator"
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012  # Litestar's class attribute

    @get("/members/{member_id:uuid}/positions/new")
    async def new_position(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        member_id: FromPath[UUID],
    ) -> Template:
        """Empty position form, the workplace defaulting to the member's."""
        member = await services.get_member(db_session, member_id)
        return _position_page(request, member, None, new_position_form(member), {})

    @post("/members/{member_id:uuid}/positions/new")
    async def create_position(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        member_id: FromPath[UUID],
    ) -> Response[Any]:
        """Add a position; wrong input comes back with the typed values."""
        member = await services.get_member(db_session, member_id)
        form = await request.form()
        data, errors = validate_position_form(form)
        if data is None:
            return _position_page(request, member, None, position_form_values(form), errors, status_code=400)
        await services.create_position(db_session, member, data)
        return redirect(f"/coordinator/members/{member.id}/edit", "position_saved")

    @get("/positions/{position_id:uuid}/edit")
    async def edit_position(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        position_id: FromPath[UUID],
    ) -> Template:
        """The position form filled with the stored values."""
        position = await services.get_position(db_session, position_id)
        member = await services.get_member(db_session, position.member_id)
        return _position_page(request, member, position, position_form_from(position), {})

    @post("/positions/{position_id:uuid}/edit")
    async def update_position(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        position_id: FromPath[UUID],
    ) -> Response[Any]:
        """Save changes; wrong input comes back with the typed values and nothing is changed."""
        position = await services.get_position(db_session, position_id)
        member = await services.get_member(db_session, position.member_id)
        form = await request.form()
        data, errors = validate_position_form(form)
        if data is None:
            return _position_page(request, member, position, position_form_values(form), errors, status_code=400)
        await services.update_position(db_session, position, data)
        return redirect(f"/coordinator/members/{member.id}/edit", "position_saved")

    @post("/positions/{position_id:uuid}/close")
    async def close_position(
        self,
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        position_id: FromPath[UUID],
    ) -> Response[Any]:
        """The position is filled or withdrawn: it leaves the matching."""
        position = await services.get_position(db_session, position_id)
        await services.set_position_open(db_session, position, is_open=False)
        return redirect(f"/coordinator/members/{position.member_id}/edit", "position_closed")

    @post("/positions/{position_id:uuid}/reopen")
    async def reopen_position(
        self,
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        position_id: FromPath[UUID],
    ) -> Response[Any]:
        """Open a closed position again."""
        position = await services.get_position(db_session, position_id)
        await services.set_position_open(db_session, position, is_open=True)
        return redirect(f"/coordinator/members/{position.member_id}/edit", "position_reopened")


class ContactsController(Controller):
    """Member contacts: invitations to the employer portal, the language of their mails."""

    path = "/coordinator/contacts"
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012  # Litestar's class attribute

    @post("/{contact_id:uuid}/invite")
    async def invite_contact(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        contact_id: FromPath[UUID],
    ) -> Response[Any]:
        """Mail a 7-day link to set the first password; a new invitation replaces an unused one."""
        contact = await db_session.get(MemberContact, contact_id)
        if contact is None:
            raise NotFound(_("Diesen Kontakt gibt es nicht."))
        member = await services.get_member(db_session, contact.member_id)
        try:
            await accounts.invite(db_session, settings, contact, member_name=member.name, inviter=staff.name)
        except InvalidTransition as exc:
            return await _member_page(
                request,
                db_session,
                member,
                member_form_from(member),
                {},
                contact_errors={contact.id: exc.message},
                status_code=409,
            )
        return redirect(f"/coordinator/members/{member.id}/edit", "invite_sent")

    @post("/{contact_id:uuid}/language")
    async def set_contact_language(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        contact_id: FromPath[UUID],
    ) -> Response[Any]:
        """The language of the contact's mails (profiles, invitation, reminders).

        For contacts without a portal login too; contacts can change it themselves in the portal or through the
        link in their mails.
        """
        contact = await db_session.get(MemberContact, contact_id)
        if contact is None:
            raise NotFound(_("Diesen Kontakt gibt es nicht."))
        member = await services.get_member(db_session, contact.member_id)
        language = str((await request.form()).get("language") or "")
        if language not in LANGUAGES:
            return await _member_page(
                request,
                db_session,
                member,
                member_form_from(member),
                {},
                contact_errors={contact.id: _("Bitte wählen Sie eine der angebotenen Sprachen.")},
                status_code=400,
            )
        await mail_prefs.set_language(db_session, contact, language)
        return redirect(f"/coordinator/members/{member.id}/edit", "contact_language_saved")


controllers: list[type[Controller]] = [MembersController, PositionsController, ContactsController]

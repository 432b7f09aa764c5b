"""The member's own data in the portal: organisation details, open positions, pause and leave.

Every route acts on the logged-in contact's member only; a position of another member answers 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.employers import accounts, services
from jobfuerzwei.employers.models import Member, MemberContact, Position
from jobfuerzwei.employers.schemas import (
    NAME_TAKEN,
    is_valid_email,
    member_form_from,
    new_position_form,
    position_form_from,
    position_form_values,
    validate_member_form,
    validate_position_form,
)
from jobfuerzwei.errors import InvalidTransition, NotFound
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.web.auth import PORTAL_COOKIE, provide_contact
from jobfuerzwei.web.labels import choices
from jobfuerzwei.web.pages import page, redirect

MEMBER_FIELDS = ("name", "sector", "postcode", "municipality", "interests")
"""What a member edits itself; contacts have their own page, the state has the pause and leave buttons."""


async def _member(session: AsyncSession, contact: MemberContact) -> Member:
    return await services.get_member(session, contact.member_id)


async def _own_position(session: AsyncSession, contact: MemberContact, position_id: UUID) -> Position:
    position = await services.get_position(session, position_id)
    if position.member_id != contact.member_id:
        raise NotFound(_("Diese Stelle gibt es nicht."))  # not 403: do not confirm that it exists
    return position


def _position_page(
    request: Request[Any, Any, Any],
    member: Member,
    position: Position | None,
    form: dict[str, str],
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "portal/position_form.html",
        status_code=status_code,
        member=member,
        nav="positions",
        position=position,
        form=form,
        errors=errors,
        working_times=choices("working_time"),
    )


class MemberSelfServiceController(Controller):
    """Organisation details, pause, resume and leave."""

    path = "/portal/member"
    dependencies = {"contact": Provide(provide_contact)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def show_member(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """The member's details as a form, its state and the pause/leave actions."""
        member = await _member(db_session, contact)
        form = {k: v for k, v in member_form_from(member).items() if k in MEMBER_FIELDS}
        return page(request, "portal/member.html", member=member, nav="member", form=form, errors={})

    @post("/")
    async def update_member(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Response[Any]:
        """Save the details (the name must stay unique); wrong input comes back as typed."""
        member = await _member(db_session, contact)
        submitted = await request.form()
        # The shared validation also checks contacts and state, which this form leaves as they are.
        merged = {name: submitted.get(name, "") for name in MEMBER_FIELDS}
        merged["contact_emails"] = "\n".join(member.contact_emails)
        merged["is_active"] = "on" if member.is_active else ""
        data, errors = validate_member_form(merged)
        if data is not None and await services.is_name_taken(db_session, data.name, exclude_id=member.id):
            errors["name"] = _(NAME_TAKEN)
        if data is None or errors:
            form = {name: str(submitted.get(name) or "") for name in MEMBER_FIELDS}
            return page(
                request, "portal/member.html", status_code=400, member=member, nav="member", form=form, errors=errors
            )
        await services.update_member(db_session, member, data)
        return redirect("/portal/member", "member_saved")

    @post("/pause")
    async def pause_member(
        self, db_session: NamedDependency[AsyncSession], contact: NamedDependency[MemberContact]
    ) -> Response[Any]:
        """No profiles until resumed."""
        await services.set_paused(db_session, await _member(db_session, contact), paused=True)
        return redirect("/portal/member", "membership_paused")

    @post("/resume")
    async def resume_member(
        self, db_session: NamedDependency[AsyncSession], contact: NamedDependency[MemberContact]
    ) -> Response[Any]:
        """Receive profiles again."""
        await services.set_paused(db_session, await _member(db_session, contact), paused=False)
        return redirect("/portal/member", "membership_resumed")

    @get("/leave")
    async def show_leave(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """What leaving removes and what stays, and the confirmation."""
        member = await _member(db_session, contact)
        return page(request, "portal/leave.html", member=member, nav="member", errors={})

    @post("/leave")
    async def leave(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        contact: NamedDependency[MemberContact],
    ) -> Response[Any]:
        """Leave the network after an explicit confirmation; every login of the member ends with it."""
        member = await _member(db_session, contact)
        form = await request.form()
        if form.get("confirm") != "on":
            errors = {"confirm": _("Bitte bestätigen Sie, dass Ihre Organisation das Netzwerk verlassen möchte.")}
            return page(request, "portal/leave.html", status_code=400, member=member, nav="member", errors=errors)
        await services.leave_network(db_session, member)
        response = redirect("/", "member_left")
        response.delete_cookie(PORTAL_COOKIE)
        return response


class MemberPositionsController(Controller):
    """The member's open positions: they feed the matching both ways and the coverage model."""

    path = "/portal/positions"
    dependencies = {"contact": Provide(provide_contact)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def list_positions(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """Open positions first, then the closed ones."""
        member = await _member(db_session, contact)
        positions = await services.list_positions(db_session, member.id)
        return page(request, "portal/positions.html", member=member, nav="positions", positions=positions)

    @get("/new")
    async def new_position(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """Empty form, the workplace defaulting to the member's."""
        member = await _member(db_session, contact)
        return _position_page(request, member, None, new_position_form(member), {})

    @post("/new")
    async def create_position(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Response[Any]:
        """Add a position; wrong input comes back as typed."""
        member = await _member(db_session, contact)
        form = await request.form()
        data, errors = validate_position_form(form)
        if data is None:
            return _position_page(request, member, None, position_form_values(form), errors, status_code=400)
        await services.create_position(db_session, member, data)
        return redirect("/portal/positions", "position_saved")

    @get("/{position_id:uuid}/edit")
    async def edit_position(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
        position_id: FromPath[UUID],
    ) -> Template:
        """The form with the stored values."""
        position = await _own_position(db_session, contact, position_id)
        member = await _member(db_session, contact)
        return _position_page(request, member, position, position_form_from(position), {})

    @post("/{position_id:uuid}/edit")
    async def update_position(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
        position_id: FromPath[UUID],
    ) -> Response[Any]:
        """Save changes; wrong input comes back as typed and nothing changes."""
        position = await _own_position(db_session, contact, position_id)
        member = await _member(db_session, contact)
        form = await request.form()
        data, errors = validate_position_form(form)
        if data is None:
            return _position_page(request, member, position, position_form_values(form), errors, status_code=400)
        await services.update_position(db_session, position, data)
        return redirect("/portal/positions", "position_saved")

    @post("/{position_id:uuid}/close")
    async def close_position(
        self,
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
        position_id: FromPath[UUID],
    ) -> Response[Any]:
        """Filled or withdrawn: it leaves the matching."""
        position = await _own_position(db_session, contact, position_id)
        await services.set_position_open(db_session, position, is_open=False)
        return redirect("/portal/positions", "position_closed")

    @post("/{position_id:uuid}/reopen")
    async def reopen_position(
        self,
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
        position_id: FromPath[UUID],
    ) -> Response[Any]:
        """Open it again."""
        position = await _own_position(db_session, contact, position_id)
        await services.set_position_open(db_session, position, is_open=True)
        return redirect("/portal/positions", "position_reopened")


class ColleaguesController(Controller):
    """A member's contacts: colleagues are added (and invited to the portal) or removed by the member itself."""

    path = "/portal/contacts"
    dependencies = {"contact": Provide(provide_contact)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def list_colleagues(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """The member's contacts with their portal state, and the form to add one."""
        return await _colleagues_page(request, db_session, contact, form={}, errors={})

    @post("/")
    async def add_colleague(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        contact: NamedDependency[MemberContact],
    ) -> Response[Any]:
        """Add a colleague, who receives profiles and an invitation to the portal."""
        member = await _member(db_session, contact)
        submitted = await request.form()
        form = {"name": " ".join(str(submitted.get("name") or "").split()), "email": str(submitted.get("email") or "")}
        email = form["email"].strip().lower()
        errors: dict[str, str] = {}
        if not is_valid_email(email):
            errors["email"] = _("Bitte geben Sie eine gültige E-Mail-Adresse an.")
        elif email in member.contact_emails:
            errors["email"] = _("Diese Adresse ist bereits eine Ansprechperson Ihrer Organisation.")
        if len(form["name"]) > 200:
            errors["name"] = _("Bitte höchstens %(limit)d Zeichen eingeben.") % {"limit": 200}
        if errors:
            return await _colleagues_page(request, db_session, contact, form=form, errors=errors, status_code=400)
        colleague = MemberContact(member_id=member.id, email=email, name=form["name"])
        refusal = await accounts.invite_refusal(db_session, colleague)  # before anything is written
        if refusal:
            return await _colleagues_page(
                request, db_session, contact, form=form, errors={"email": refusal}, status_code=409
            )
        db_session.add(colleague)
        await db_session.flush()
        await accounts.invite(
            db_session, settings, colleague, member_name=member.name, inviter=contact.name or contact.email
        )
        return redirect("/portal/contacts", "colleague_invited")

    @post("/{contact_id:uuid}/remove")
    async def remove_colleague(
        self,
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
        contact_id: FromPath[UUID],
    ) -> Response[Any]:
        """Remove a colleague (with its login); one cannot remove oneself here."""
        colleague = await db_session.get(MemberContact, contact_id)
        if colleague is None or colleague.member_id != contact.member_id:
            raise NotFound(_("Diese Ansprechperson gibt es nicht."))
        if colleague.id == contact.id:
            raise InvalidTransition(
                _("Sie können sich nicht selbst entfernen; bitten Sie eine Kollegin oder einen Kollegen.")
            )
        await db_session.delete(colleague)
        await db_session.flush()
        return redirect("/portal/contacts", "colleague_removed")


async def _colleagues_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    contact: MemberContact,
    *,
    form: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    member = await _member(session, contact)
    return page(
        request,
        "portal/contacts.html",
        status_code=status_code,
        member=member,
        nav="contacts",
        colleagues=list(member.contacts),
        form=form,
        errors=errors,
    )


controllers: list[type[Controller]] = [MemberSelfServiceController, MemberPositionsController, ColleaguesController]

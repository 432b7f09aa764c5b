"""Event pages: the coordinator's list, form, invitations, cancellation and attendee list; the contacts' RSVP page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.audit.models import AuditAction
from jobfuerzwei.audit.services import Actor, record
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.errors import DomainError
from jobfuerzwei.events import exports, schemas, services
from jobfuerzwei.events.calendar import event_calendar
from jobfuerzwei.events.models import Event, RsvpStatus
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.web.auth import provide_staff
from jobfuerzwei.web.pages import page, redirect

NO_STORE = CacheControlHeader(no_store=True)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_REASON = 1000


def _view(**context: Any) -> dict[str, Any]:
    """Context every event page shares: labels and the time formatting, in the request's language."""
    return {
        "kind_labels": schemas.kind_labels(),
        "rsvp_labels": schemas.rsvp_labels(),
        "when": schemas.format_when,
        **context,
    }


def _form_page(
    request: Request[Any, Any, Any],
    event: Event | None,
    form: dict[str, str],
    errors: dict[str, str],
    *,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "events/form.html",
        status_code=status_code,
        **_view(event=event, form=form, errors=errors, kinds=list(schemas.kind_labels().items())),
    )


async def _invite_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    event: Event,
    *,
    scope: str = "chosen",
    selected: set[str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "events/invite.html",
        status_code=status_code,
        **_view(
            event=event,
            members=await services.invitable_members(session, event.id),
            scope=scope,
            selected=selected or set(),
            errors=errors or {},
        ),
    )


class EventsController(Controller):
    """The coordinator plans events, invites member contacts and follows the answers."""

    path = "/coordinator/events"
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def list_events(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
    ) -> Template:
        """Upcoming events first, then past ones, with the answers counted."""
        upcoming, past = await services.list_events(db_session)
        return page(request, "events/list.html", **_view(upcoming=upcoming, past=past))

    @get("/new")
    async def new_event(self, request: Request[Any, Any, Any], staff: NamedDependency[StaffUser]) -> Template:
        """Empty event form."""
        return _form_page(request, None, schemas.new_event_form(), {})

    @post("/new")
    async def create_event(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
    ) -> Response[Any]:
        """Add an event (nobody is invited yet); wrong input comes back with the typed values."""
        form = await request.form()
        data, errors = schemas.validate_event_form(form, now=utcnow())
        if data is None:
            return _form_page(request, None, schemas.event_form_values(form), errors, status_code=400)
        event = await services.create_event(db_session, settings, data)
        return redirect(f"/coordinator/events/{event.id}", "event_saved")

    @get("/{event_id:uuid}")
    async def show_event(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        event_id: FromPath[UUID],
    ) -> Template:
        """The event, its places, and who attends, waits, has not answered or declined."""
        event = await services.get_event(db_session, event_id)
        return page(
            request,
            "events/detail.html",
            **_view(
                event=event,
                attendees=await services.attendee_list(db_session, event.id),
                is_over=event.is_over(utcnow()),
            ),
        )

    @get("/{event_id:uuid}/edit")
    async def edit_event(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        event_id: FromPath[UUID],
    ) -> Template:
        """The event form with the stored values."""
        event = await services.get_event(db_session, event_id)
        return _form_page(request, event, schemas.event_form_from(event), {})

    @post("/{event_id:uuid}/edit")
    async def update_event(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        event_id: FromPath[UUID],
    ) -> Response[Any]:
        """Save; a new time or place mails everyone invited who did not decline (calendar update)."""
        event = await services.get_event(db_session, event_id)
        form = await request.form()
        data, errors = schemas.validate_event_form(form, now=utcnow(), current=event)
        if data is not None:
            try:
                result = await services.update_event(db_session, settings, event.id, data)
            except services.EventFormError as exc:
                errors = {exc.field: exc.message}
            else:
                return redirect(
                    f"/coordinator/events/{event.id}", "event_updated_mailed" if result.updates_sent else "event_saved"
                )
        return _form_page(request, event, schemas.event_form_values(form), errors, status_code=400)

    @get("/{event_id:uuid}/invite")
    async def show_invite(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        event_id: FromPath[UUID],
    ) -> Template:
        """Choose all active members or some; members whose contacts are all invited are marked."""
        event = await services.get_event(db_session, event_id)
        return await _invite_page(request, db_session, event)

    @post("/{event_id:uuid}/invite")
    async def invite_members(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        event_id: FromPath[UUID],
    ) -> Response[Any]:
        """Invite the contacts not invited yet; each gets a mail with the ``.ics`` and a personal RSVP link."""
        event = await services.get_event(db_session, event_id)
        form = await request.form()
        choice, errors, raw = schemas.parse_invite_form(form)
        if choice is not None:
            try:
                await services.invite(db_session, settings, event.id, choice.member_ids)
            except services.EventFormError as exc:
                errors = {exc.field: exc.message}
            else:
                return redirect(f"/coordinator/events/{event.id}", "event_invited")
        scope = str(form.get("scope") or "chosen")
        return await _invite_page(
            request, db_session, event, scope=scope, selected=set(raw), errors=errors, status_code=400
        )

    @get("/{event_id:uuid}/cancel")
    async def show_cancel(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        event_id: FromPath[UUID],
    ) -> Template:
        """Confirm the cancellation, with an optional note for the invitees."""
        event = await services.get_event(db_session, event_id)
        counts = await services.count_answers(db_session, event.id)
        return page(request, "events/cancel.html", **_view(event=event, counts=counts, form={}, errors={}))

    @post("/{event_id:uuid}/cancel")
    async def cancel_event(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        event_id: FromPath[UUID],
    ) -> Response[Any]:
        """Call the event off and mail a cancellation (``METHOD:CANCEL``) to everyone who did not decline."""
        event = await services.get_event(db_session, event_id)
        form = await request.form()
        reason = str(form.get("reason") or "").replace("\r\n", "\n").strip()
        if len(reason) > MAX_REASON:
            errors = {"reason": _("Die Nachricht darf höchstens %(max)s Zeichen lang sein.") % {"max": MAX_REASON}}
            counts = await services.count_answers(db_session, event.id)
            return page(
                request,
                "events/cancel.html",
                status_code=400,
                **_view(event=event, counts=counts, form={"reason": reason}, errors=errors),
            )
        await services.cancel_event(db_session, settings, event.id, reason)
        return redirect(f"/coordinator/events/{event.id}", "event_cancelled")

    @get("/{event_id:uuid}/attendees.csv")
    async def export_attendees_csv(
        self,
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        event_id: FromPath[UUID],
    ) -> Response[Any]:
        """Every invitation with its answer as CSV, attending first (audit-logged: it holds contact data)."""
        return await _export(db_session, staff, event_id, "csv")

    @get("/{event_id:uuid}/attendees.xlsx")
    async def export_attendees_xlsx(
        self,
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        event_id: FromPath[UUID],
    ) -> Response[Any]:
        """The same list as an Excel workbook."""
        return await _export(db_session, staff, event_id, "xlsx")


async def _export(session: AsyncSession, staff: StaffUser, event_id: UUID, fmt: str) -> Response[Any]:
    event = await services.get_event(session, event_id)
    attendees = await services.attendee_list(session, event.id)
    detail = f"Export Teilnehmende {fmt.upper()}: {event.title}"[:200]
    record(session, Actor.staff(staff), AuditAction.EXPORTED, detail=detail)
    stamp = schemas.to_local(event.starts_at).date().isoformat()
    headers = {"Content-Disposition": f'attachment; filename="teilnehmende-{stamp}.{fmt}"', "Cache-Control": "no-store"}
    if fmt == "csv":
        # BOM: Excel opens UTF-8 CSV files with umlauts correctly only with it
        text = "\ufeff" + exports.attendees_csv(attendees)
        return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
    return Response(exports.attendees_xlsx(attendees, event.title), media_type=XLSX, headers=headers)


class RsvpController(Controller):
    """The contact's answer page behind the mailed link: no login, the signed link is the capability.

    GET only shows (mail scanners fetch every link); the buttons POST. The page shows the event and the contact's
    own answer, never who else comes or how many.
    """

    path = "/rsvp/{invitation_id:uuid}/{sig:str}"
    cache_control = NO_STORE

    @get("/")
    async def show_rsvp(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        invitation_id: FromPath[UUID],
        sig: FromPath[str],
    ) -> Template:
        """The event, the contact's current answer and the two buttons."""
        invitation = await services.invitation_for_link(db_session, settings, invitation_id, sig)
        return page(
            request,
            "events/rsvp.html",
            staff=None,
            **_view(
                event=invitation.event,
                invitation=invitation,
                is_full=await services.is_full(db_session, invitation.event),
                is_open=not invitation.event.is_cancelled and invitation.event.starts_at > utcnow(),
                action=request.url.path,
            ),
        )

    @post("/")
    async def submit_rsvp(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        invitation_id: FromPath[UUID],
        sig: FromPath[str],
    ) -> Response[Any]:
        """Store "Ich nehme teil" (or the waiting list when full) or "Ich sage ab"."""
        invitation = await services.invitation_for_link(db_session, settings, invitation_id, sig)
        form = await request.form()
        wanted = schemas.RSVP_ANSWERS.get(str(form.get("answer") or ""))
        if wanted is None:
            raise DomainError(_("Bitte wählen Sie „Ich nehme teil“ oder „Ich sage ab“."))
        result = await services.answer(db_session, settings, invitation.id, wanted)
        message = {
            RsvpStatus.ATTENDING: "rsvp_attending",
            RsvpStatus.WAITING: "rsvp_waiting",
            RsvpStatus.DECLINED: "rsvp_declined",
        }[result.status]
        return redirect(request.url.path, message)

    @get("/termin.ics")
    async def download_calendar(
        self,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        invitation_id: FromPath[UUID],
        sig: FromPath[str],
    ) -> Response[str]:
        """The calendar entry again (``METHOD:PUBLISH``, same UID), e.g. after the mail was deleted."""
        invitation = await services.invitation_for_link(db_session, settings, invitation_id, sig)
        ics = event_calendar(invitation.event, sender=settings.mail.sender, method="PUBLISH", now=utcnow())
        filename = _("termin.ics")
        return Response(
            ics,
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


controllers: list[type[Controller]] = [EventsController, RsvpController]

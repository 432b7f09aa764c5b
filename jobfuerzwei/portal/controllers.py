"""Employer portal pages of a logged-in member contact: the inbox of circulated profiles and the referral board.

Every query is scoped to the contact's member in the service call itself (``member_id=``), so another member's
recipient or referral id answers 404: the portal never reveals that a foreign id exists.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import File, Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.circulation import answers as circulation_answers
from jobfuerzwei.circulation import schemas as circulation_schemas
from jobfuerzwei.circulation.answers import InboxState
from jobfuerzwei.config import Settings
from jobfuerzwei.employers import services as employer_services
from jobfuerzwei.employers.models import MemberContact
from jobfuerzwei.errors import InvalidTransition, NotFound
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.profiles import services as profile_services
from jobfuerzwei.referrals import schemas as referral_schemas
from jobfuerzwei.referrals import services as referral_services
from jobfuerzwei.referrals.models import Actor, Referral, ReferralState
from jobfuerzwei.web.auth import provide_contact, provide_contact_reading
from jobfuerzwei.web.labels import choices, label
from jobfuerzwei.web.pagecache import Content, kept_page
from jobfuerzwei.web.pages import cv_download, page, redirect

INBOX_PER_PAGE = 50
"""Profiles per page of the inbox."""


async def _portal_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    contact: MemberContact,
    template: str,
    *,
    nav: str,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """``page`` plus what ``portal/_nav.html`` shows: the member, the contact, the current section."""
    member = await employer_services.get_member(session, contact.member_id)
    return page(request, template, status_code=status_code, contact=contact, member=member, nav=nav, **context)


def _parse_inbox_state(value: str | None) -> InboxState | None:
    try:
        return InboxState(value) if value else None
    except ValueError:
        return None


def _step_refused(referral: Referral, to_state: ReferralState, exc: InvalidTransition) -> str:
    """The message for a refused move; a jump names the steps that are possible instead."""
    moves = referral_services.allowed_moves(referral.state, Actor.EMPLOYER)
    if to_state in moves:  # allowed from the state we read: someone else moved it meanwhile
        return exc.message
    if not moves:
        return _("Diese Vermittlung ist beendet; es gibt keinen weiteren Schritt.")
    current = label("referral_state", referral.state)
    options = _(" oder ").join(_("„%(state)s“") % {"state": label("referral_state", s)} for s in moves)
    return _(
        "Dieser Schritt ist nicht möglich: Eine Vermittlung geht nur Schritt für Schritt weiter. "
        "Vom Stand „%(current)s“ aus können Sie sie auf %(options)s setzen."
    ) % {"current": current, "options": options}


async def _board(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    contact: MemberContact,
    *,
    failed: UUID | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The member's referrals in one column per state, each with its next steps."""
    referrals = await referral_services.list_referrals(session, member_id=contact.member_id)
    return await _portal_page(
        request,
        session,
        contact,
        "portal/referrals.html",
        nav="referrals",
        status_code=status_code,
        columns=[(state, [r for r in referrals if r.state == state]) for state in ReferralState],
        moves={
            r.id: [
                (s.value, label("referral_state", s)) for s in referral_services.allowed_moves(r.state, Actor.EMPLOYER)
            ]
            for r in referrals
        },
        reason_options=choices("close_reason"),
        failed=failed,
        form=form or {},
        errors=errors or {},
    )


class PortalController(Controller):
    """The logged-in member contact's inbox and referral board."""

    path = "/portal"
    dependencies = {"contact": Provide(provide_contact)}  # noqa: RUF012  # Litestar's class attribute
    cache_control = CacheControlHeader(no_store=True)  # pages with personal data stay out of shared caches

    @get("/", dependencies={"contact": Provide(provide_contact_reading)})
    async def show_inbox(
        self,
        request: Request[Any, Any, Any],
        session_maker: NamedDependency[async_sessionmaker[AsyncSession]],
        contact: NamedDependency[MemberContact],
        state_filter: Annotated[str | None, QueryParameter(name="state")] = None,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
    ) -> Response[bytes] | Template:
        """Profiles circulated to the member, newest first, with counts and a filter per state, 50 per page.

        The page is kept until the data changes or the first answer window closes (``web.pagecache``).
        """

        async def build(session: AsyncSession) -> Content:
            inbox = await circulation_answers.member_inbox(
                session, contact.member_id, _parse_inbox_state(state_filter), page_number, INBOX_PER_PAGE
            )
            member = await employer_services.get_member(session, contact.member_id)
            context = {"contact": contact, "member": member, "nav": "inbox", "inbox": inbox, "states": list(InboxState)}
            return Content(context, until=inbox.until)

        # the header names the member (a tracked table) and the contact (not tracked: part of the key)
        key = (contact.member_id, contact.id, contact.name, contact.email)
        return await kept_page(request, session_maker, "portal/inbox.html", key=key, build=build)

    @get("/profiles/{recipient_id:uuid}")
    async def show_profile(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
        recipient_id: FromPath[UUID],
    ) -> Template:
        """The profile as the mail link shows it, with the answer buttons while the answer window is open."""
        access = await circulation_answers.member_access(db_session, recipient_id, contact.member_id)
        answer_until = await circulation_answers.answer_deadline(db_session, recipient_id)
        detail = "Profil im Portal" + (" mit Kontaktdaten" if access.show_contact else "")
        circulation_answers.audit_view(db_session, access, detail, contact.email)
        return await _portal_page(
            request,
            db_session,
            contact,
            "portal/profile.html",
            nav="inbox",
            access=access,
            profile=access.profile,
            answer_until=answer_until,
            cv_url=f"/portal/profiles/{recipient_id}/cv",
        )

    @get("/profiles/{recipient_id:uuid}/cv")
    async def download_cv(
        self,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        contact: NamedDependency[MemberContact],
        recipient_id: FromPath[UUID],
    ) -> File:
        """The CV as a download, only with the partner's contact release to this member (as the mail link)."""
        access = await circulation_answers.member_access(db_session, recipient_id, contact.member_id)
        path = profile_services.cv_path(settings, access.profile) if access.show_contact else None
        response = cv_download(
            path, access.profile.reference, _("Für dieses Profil gibt es keinen freigegebenen Lebenslauf.")
        )
        circulation_answers.audit_view(db_session, access, "Lebenslauf im Portal", contact.email)
        return response

    @post("/profiles/{recipient_id:uuid}/answer/{answer:str}")
    async def submit_answer(
        self,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        contact: NamedDependency[MemberContact],
        recipient_id: FromPath[UUID],
        answer: FromPath[str],
    ) -> Redirect:
        """Record the answer once (same service as the mail link); a second answer changes nothing."""
        chosen = circulation_schemas.parse_answer(answer)
        if chosen is None:
            raise NotFound
        recorded = await circulation_answers.record_answer_for_member(
            db_session, settings, recipient_id, contact.member_id, chosen
        )
        return redirect(f"/portal/profiles/{recipient_id}", "answer_recorded" if recorded else "answer_unchanged")

    @get("/referrals")
    async def show_referrals(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """The member's referrals as a board by state."""
        return await _board(request, db_session, contact)

    @post("/referrals/{referral_id:uuid}/move")
    async def move_referral(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        contact: NamedDependency[MemberContact],
        referral_id: FromPath[UUID],
    ) -> Response[Any]:
        """Move the member's own referral one step with a note (form errors: 400; a refused step: 409)."""
        referral = await referral_services.get_referral(db_session, referral_id, member_id=contact.member_id)
        form = await request.form()
        clean, errors = referral_schemas.validate_move_form(form)
        status_code = 400
        if not errors:
            try:
                await referral_services.move(
                    db_session,
                    settings,
                    referral.id,
                    clean["to_state"],
                    actor=Actor.EMPLOYER,
                    note=clean["note"],
                    close_reason=clean["close_reason"],
                    member_id=contact.member_id,
                )
            except InvalidTransition as exc:
                errors, status_code = {"to_state": _step_refused(referral, clean["to_state"], exc)}, 409
            else:
                return redirect("/portal/referrals", "referral_moved")
        return await _board(
            request,
            db_session,
            contact,
            failed=referral.id,
            form=referral_schemas.form_values(form),
            errors=errors,
            status_code=status_code,
        )


controllers: list[type[Controller]] = [PortalController]

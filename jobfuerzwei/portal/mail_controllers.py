"""Mail preferences of member contacts: the one-click unsubscribe (no login, no cookie) and the portal setting."""

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
from jobfuerzwei.employers import mail_prefs
from jobfuerzwei.employers import services as employer_services
from jobfuerzwei.employers.models import MemberContact
from jobfuerzwei.web.auth import provide_contact
from jobfuerzwei.web.pages import page, redirect

NO_STORE = CacheControlHeader(no_store=True)


class UnsubscribeController(Controller):
    """``List-Unsubscribe`` target: GET asks (mail scanners fetch links), POST unsubscribes (RFC 8058 one-click)."""

    path = "/mail/unsubscribe"

    @get("/{contact_id:uuid}/{sig:str}", cache_control=NO_STORE)
    async def show_unsubscribe(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        contact_id: FromPath[UUID],
        sig: FromPath[str],
    ) -> Template:
        """What unsubscribing means, and the button; changes nothing."""
        contact = await mail_prefs.contact_for_unsubscribe(db_session, settings, contact_id, sig)
        return page(
            request, "public/unsubscribe.html", contact=None, email=contact.email, done=False, path=request.url.path
        )

    @post("/{contact_id:uuid}/{sig:str}", cache_control=NO_STORE, status_code=200)
    async def submit_unsubscribe(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        contact_id: FromPath[UUID],
        sig: FromPath[str],
    ) -> Template:
        """No more profile mails for this address; works without login or cookie, and twice."""
        contact = await mail_prefs.contact_for_unsubscribe(db_session, settings, contact_id, sig)
        await mail_prefs.unsubscribe(db_session, contact)
        return page(
            request, "public/unsubscribe.html", contact=None, email=contact.email, done=True, path=request.url.path
        )


class MailPreferencesController(Controller):
    """The contact chooses each profile at once or a weekly digest (and subscribes again after an unsubscribe)."""

    path = "/portal/mail"
    dependencies = {"contact": Provide(provide_contact)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def show_mail_preferences(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """The current choice."""
        member = await employer_services.get_member(db_session, contact.member_id)
        return page(
            request, "portal/mail.html", member=member, nav="mail", modes=list(mail_prefs.MAIL_MODES.items()), errors={}
        )

    @post("/")
    async def update_mail_preferences(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Response[Any]:
        """Save the choice; an unknown value comes back with a German message."""
        form = await request.form()
        mode = str(form.get("mail_mode") or "")
        if mode not in mail_prefs.MAIL_MODES:
            member = await employer_services.get_member(db_session, contact.member_id)
            errors = {"mail_mode": "Bitte wählen Sie eine der beiden Möglichkeiten."}
            return page(
                request,
                "portal/mail.html",
                status_code=400,
                member=member,
                nav="mail",
                modes=list(mail_prefs.MAIL_MODES.items()),
                errors=errors,
            )
        await mail_prefs.set_mail_mode(db_session, contact, mode)
        return redirect("/portal/mail", "mail_preferences_saved")


controllers: list[type[Controller]] = [UnsubscribeController, MailPreferencesController]

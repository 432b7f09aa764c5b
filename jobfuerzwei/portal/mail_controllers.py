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
from jobfuerzwei.i18n import LANGUAGES
from jobfuerzwei.i18n import gettext as _
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
    """Each profile at once or a weekly digest (subscribing again after an unsubscribe), and the mails' language."""

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
        return page(request, "portal/mail.html", member=member, nav="mail", modes=mail_prefs.mail_modes(), errors={})

    @post("/")
    async def update_mail_preferences(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Response[Any]:
        """Save the choices (no language in the form: it stays); an unknown value comes back with a message."""
        form = await request.form()
        mode = str(form.get("mail_mode") or "")
        language = str(form.get("language") or contact.language)
        errors: dict[str, str] = {}
        if mode not in mail_prefs.MAIL_MODES:
            errors["mail_mode"] = _("Bitte wählen Sie eine der beiden Möglichkeiten.")
        if language not in LANGUAGES:
            errors["language"] = _("Bitte wählen Sie eine der angebotenen Sprachen.")
        if errors:
            member = await employer_services.get_member(db_session, contact.member_id)
            return page(
                request,
                "portal/mail.html",
                status_code=400,
                member=member,
                nav="mail",
                modes=mail_prefs.mail_modes(),
                errors=errors,
            )
        await mail_prefs.set_mail_mode(db_session, contact, mode)
        await mail_prefs.set_language(db_session, contact, language)
        return redirect("/portal/mail", "mail_preferences_saved")


controllers: list[type[Controller]] = [UnsubscribeController, MailPreferencesController]

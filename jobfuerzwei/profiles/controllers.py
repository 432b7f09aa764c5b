"""Public pages (start, privacy, imprint, registration) and the partner's pages (confirmation, status)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import File, Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.audit.models import AuditAction
from jobfuerzwei.audit.services import Actor, record
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.errors import DomainError
from jobfuerzwei.i18n import LANGUAGES, current_language
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.offers import services as offer_services
from jobfuerzwei.profiles import privacy, services
from jobfuerzwei.profiles.models import Profile, ProfileStatus
from jobfuerzwei.profiles.schemas import (
    LANGUAGE_ROWS,
    form_values,
    profile_form_values,
    read_cv,
    validate_profile_form,
    validate_registration_form,
)
from jobfuerzwei.referrals.services import decide_contact_release
from jobfuerzwei.tokens.models import TokenPurpose
from jobfuerzwei.web.pages import cv_download, page, redirect

AnyRequest = Request[Any, Any, Any]
NO_STORE = CacheControlHeader(no_store=True)
REGISTERED_COOKIE = "jfz_registered"
"""Names the profile just registered in this browser (signed, one hour), for the offers on the thank-you page."""
FITTING_LIMIT = 6
"""Fitting offers listed on the thank-you and status pages (the catalogue has them all)."""


def _audit(session: AsyncSession, action: AuditAction, profile: Profile, detail: str) -> None:
    record(session, Actor.partner(), action, profile_id=profile.id, profile_number=profile.number, detail=detail)


class PublicController(Controller):
    """Start page, privacy notice, imprint and the applicant's registration form."""

    path = "/"

    @get("/")
    async def show_start(self, request: AnyRequest, settings: NamedDependency[Settings]) -> Template:
        """What the service is and how it works."""
        return page(request, "public/index.html", retention_days=settings.unconfirmed_retention_days)

    @get("/privacy")
    async def show_privacy(self, request: AnyRequest, settings: NamedDependency[Settings]) -> Template:
        """Datenschutzhinweise."""
        return page(
            request,
            "public/privacy.html",
            privacy_version=settings.privacy_version,
            retention_days=settings.unconfirmed_retention_days,
            declined_days=settings.declined_application_retention_days,
            retention=settings.retention,
        )

    @get("/imprint")
    async def show_imprint(self, request: AnyRequest) -> Template:
        """Impressum."""
        return page(request, "public/imprint.html")

    @get("/register", cache_control=NO_STORE)
    async def show_registration(
        self, request: AnyRequest, db_session: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
    ) -> Template:
        """The empty form "Partnerprofil anmelden"."""
        members = await services.active_members(db_session)
        return _registration_page(request, settings, members, form={}, errors={})

    @post("/register", cache_control=NO_STORE)
    async def submit_registration(
        self, request: AnyRequest, db_session: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
    ) -> Response[Any]:
        """Store the profile and mail the partner, or show the form again with German messages (nothing stored)."""
        form = await request.form()
        members = await services.active_members(db_session)
        data, applicant, errors = validate_registration_form(form, members=members)
        cv, cv_error = await read_cv(form.get("cv"), max_bytes=settings.max_cv_bytes)
        if cv_error:
            errors["cv"] = cv_error
        if errors:
            return _registration_page(
                request, settings, members, form=form_values(form), errors=errors, cv_again=cv is not None
            )
        profile = await services.register_profile(
            db_session,
            settings,
            data,
            applicant_name=applicant["name"],
            applicant_email=applicant["email"],
            cv=cv,
            language=current_language(),
        )
        response = redirect("/register/thanks", "registered")
        # The thank-you page shows the offers fitting this profile: a signed, short-lived mark says which one.
        response.set_cookie(
            REGISTERED_COOKIE,
            offer_services.registration_mark(settings.security.secret_key, profile.id),
            max_age=offer_services.MARK_SECONDS,
            path="/register/thanks",
            httponly=True,
            secure=settings.security.cookie_secure,
            samesite="lax",
        )
        return response

    @get("/register/thanks", cache_control=NO_STORE)
    async def show_registered(
        self, request: AnyRequest, db_session: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
    ) -> Template:
        """Thank-you page after a registration, with the offers that fit the registered profile."""
        mark = request.cookies.get(REGISTERED_COOKIE)
        fitting = await offer_services.offers_after_registration(db_session, settings.security.secret_key, mark)
        return page(
            request,
            "public/registered.html",
            retention_days=settings.unconfirmed_retention_days,
            fitting_offers=fitting,
            fitting_limit=FITTING_LIMIT,
        )


def _registration_page(
    request: AnyRequest,
    settings: Settings,
    members: list[Any],
    *,
    form: dict[str, str],
    errors: dict[str, str],
    cv_again: bool = False,
) -> Template:
    return page(
        request,
        "public/register.html",
        status_code=400 if errors else 200,
        form=form,
        errors=errors,
        members=members,
        language_rows=LANGUAGE_ROWS,
        cv_again=cv_again,
        max_cv_mb=settings.max_cv_bytes // (1024 * 1024),
        privacy_version=settings.privacy_version,
    )


class ConfirmController(Controller):
    """The partner's double opt-in. GET only shows; the POST consents (mail scanners fetch every GET link)."""

    path = "/confirm"
    cache_control = NO_STORE

    @get("/{token:str}")
    async def show_confirmation(
        self,
        request: AnyRequest,
        token: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template:
        """What was registered, the members that may receive it, the consent text and the button."""
        profile, members = await services.confirmation(db_session, token)
        names = await services.member_names(db_session, _recruiter_ids(profile))
        return page(
            request,
            "partner/confirm.html",
            profile=profile,
            members=members,
            token=token,
            privacy_version=settings.privacy_version,
            recruiting_member_name=names.get(profile.recruiting_member_id, "") if profile.recruiting_member_id else "",
            releasing_member_name=names.get(profile.releasing_member_id, "") if profile.releasing_member_id else "",
        )

    @post("/{token:str}")
    async def submit_confirmation(
        self,
        request: AnyRequest,
        token: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Record the consent and open the status page under a fresh link."""
        form = await request.form()
        _profile, status_token = await services.confirm_profile(
            db_session,
            settings,
            token,
            shown_member_ids=form.getall("shown", []),
            allowed_member_ids=form.getall("allow", []),
        )
        return redirect(f"/status/{status_token}", "confirmed")


def _recruiter_ids(profile: Profile) -> list[UUID | None]:
    """The recruiting member (partner profiles) and the releasing member (job-to-job profiles)."""
    return [profile.recruiting_member_id, profile.releasing_member_id]


class StatusController(Controller):
    """The partner's status page and its actions, reached through the personal status link."""

    path = "/status/{token:str}"
    cache_control = NO_STORE

    @get("/")
    async def show_status(
        self,
        request: AnyRequest,
        token: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template:
        """Profile, where it stands, circulations, interested members and the actions."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        names = await services.member_names(db_session, _recruiter_ids(profile))
        return page(
            request,
            "partner/status.html",
            profile=profile,
            token=token,
            recruiting_member_name=names.get(profile.recruiting_member_id, "") if profile.recruiting_member_id else "",
            circulations=await privacy.circulation_history(db_session, profile.id),
            referrals=await privacy.referral_history(db_session, profile.id),
            new_members=await services.new_members(db_session, profile),
            permissions=await services.permission_overview(db_session, profile),
            has_cv=services.cv_path(settings, profile) is not None,
            is_pending=profile.status == ProfileStatus.UNCONFIRMED,
            can_edit=profile.status in services.EDITABLE,
            can_pause=profile.status in services.PAUSABLE,
            can_resume=profile.status == ProfileStatus.PAUSED,
            can_withdraw=profile.status in services.WITHDRAWABLE,
            retention_deadline=privacy.retention_deadline(settings, profile),
            fitting_offers=await offer_services.offers_for_profile(db_session, profile),
            fitting_limit=FITTING_LIMIT,
        )

    @get("/edit")
    async def show_profile_form(
        self, request: AnyRequest, token: FromPath[str], db_session: NamedDependency[AsyncSession]
    ) -> Template:
        """The correction form, filled with the stored profile."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        members = await services.active_members(db_session)
        return _edit_page(request, token, profile, members, form=profile_form_values(profile), errors={})

    @post("/edit")
    async def submit_profile_form(
        self, request: AnyRequest, token: FromPath[str], db_session: NamedDependency[AsyncSession]
    ) -> Response[Any]:
        """Save the corrections, or show the form again with German messages."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        form = await request.form()
        members = await services.active_members(db_session)
        data, errors = validate_profile_form(form, members=members)
        if errors:
            return _edit_page(request, token, profile, members, form=form_values(form), errors=errors)
        await services.update_profile(db_session, profile, data)
        _audit(db_session, AuditAction.CHANGED, profile, "Von der Partnerin bzw. dem Partner korrigiert")
        return redirect(f"/status/{token}", "profile_saved")

    @post("/pause")
    async def pause_profile(self, token: FromPath[str], db_session: NamedDependency[AsyncSession]) -> Response[Any]:
        """Pause circulation."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        await services.pause_profile(db_session, profile)
        return redirect(f"/status/{token}", "profile_paused")

    @post("/resume")
    async def resume_profile(self, token: FromPath[str], db_session: NamedDependency[AsyncSession]) -> Response[Any]:
        """Resume after a pause."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        await services.resume_profile(db_session, profile)
        return redirect(f"/status/{token}", "profile_resumed")

    @post("/withdraw")
    async def withdraw_profile(self, token: FromPath[str], db_session: NamedDependency[AsyncSession]) -> Response[Any]:
        """Withdraw for good."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        await services.withdraw_profile(db_session, profile)
        return redirect(f"/status/{token}", "profile_withdrawn")

    @post("/language")
    async def set_mail_language(
        self, request: AnyRequest, token: FromPath[str], db_session: NamedDependency[AsyncSession]
    ) -> Response[Any]:
        """The language of the mails the partner gets from now on (the page's own language follows the switch)."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        form = await request.form()
        language = str(form.get("language", ""))
        if language not in LANGUAGES:
            raise DomainError(_("Bitte wählen Sie eine der angebotenen Sprachen."))
        profile.language = language
        profile.last_activity_at = utcnow()
        return redirect(f"/status/{token}", "mail_language_saved")

    @post("/keep")
    async def keep_profile(self, token: FromPath[str], db_session: NamedDependency[AsyncSession]) -> Response[Any]:
        """Keep the profile: the answer to "Möchten Sie Ihr Profil behalten?" (only a POST acts, never the link)."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        await services.keep_profile(db_session, profile)
        return redirect(f"/status/{token}", "profile_kept")

    @get("/export")
    async def export_data(
        self, token: FromPath[str], db_session: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
    ) -> Response[bytes]:
        """All stored data as a JSON download."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        _audit(db_session, AuditAction.EXPORTED, profile, "Eigene Daten heruntergeladen")
        data = await privacy.export_profile(db_session, settings, profile)
        return Response(
            content=json.dumps(data, ensure_ascii=False, indent=2).encode(),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="job-fuer-zwei-{profile.reference}.json"'},
        )

    @get("/cv")
    async def download_cv(
        self, token: FromPath[str], db_session: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
    ) -> File:
        """The stored CV."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        missing = _("Zu diesem Profil ist kein Lebenslauf gespeichert.")
        return cv_download(services.cv_path(settings, profile), profile.reference, missing)

    @get("/delete")
    async def show_delete(
        self, request: AnyRequest, token: FromPath[str], db_session: NamedDependency[AsyncSession]
    ) -> Template:
        """Ask once more before deleting."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        return page(request, "partner/delete.html", profile=profile, token=token)

    @post("/delete", status_code=200)
    async def delete_profile(
        self,
        request: AnyRequest,
        token: FromPath[str],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template:
        """Delete the profile, its CV and every copy of its mails."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        _audit(db_session, AuditAction.DELETED, profile, "Von der Partnerin bzw. dem Partner gelöscht")
        await privacy.delete_profile(db_session, settings, profile)
        return page(request, "partner/deleted.html")

    @post("/members/{member_id:uuid}")
    async def decide_member(
        self,
        request: AnyRequest,
        token: FromPath[str],
        member_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Allow (or not) a member that joined after the consent."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        allowed = _decision(await request.form(), yes="allow", no="deny")
        await services.decide_new_member(db_session, settings, profile, member_id, allowed=allowed)
        return redirect(f"/status/{token}", "member_allowed")

    @post("/referrals/{referral_id:uuid}/contact")
    async def decide_contact(
        self,
        request: AnyRequest,
        token: FromPath[str],
        referral_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Release (or not) name and contact details to an interested member."""
        _row, profile = await services.profile_for_token(db_session, token, TokenPurpose.STATUS)
        granted = _decision(await request.form(), yes="grant", no="deny")
        await decide_contact_release(db_session, settings, referral_id, profile.id, granted)
        return redirect(f"/status/{token}", "contact_decided")


def _decision(form: Any, *, yes: str, no: str) -> bool:
    value = form.get("decision", "")
    if value not in {yes, no}:
        raise DomainError(_("Bitte wählen Sie eine der beiden Schaltflächen."))
    return bool(value == yes)


def _edit_page(
    request: AnyRequest,
    token: str,
    profile: Profile,
    members: list[Any],
    *,
    form: dict[str, str],
    errors: dict[str, str],
) -> Template:
    return page(
        request,
        "partner/edit.html",
        status_code=400 if errors else 200,
        profile=profile,
        token=token,
        form=form,
        errors=errors,
        members=members,
        language_rows=LANGUAGE_ROWS,
    )


controllers: list[type[Controller]] = [PublicController, ConfirmController, StatusController]

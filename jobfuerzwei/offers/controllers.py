"""The public offers catalogue (/angebote), members' own offers in the portal and the coordinator's moderation."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.employers import services as employer_services
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.errors import DomainError
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.offers import services
from jobfuerzwei.offers.models import ONLINE, REGIONWIDE, Offer, OfferStatus
from jobfuerzwei.offers.schemas import (
    category_choices,
    form_values,
    offer_form_values,
    provider_choices,
    validate_offer_form,
    validate_reason,
)
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.web.auth import provide_contact, provide_staff
from jobfuerzwei.web.pages import page, redirect

AnyRequest = Request[Any, Any, Any]
COORDINATOR = "/coordinator/offers"
PORTAL = "/portal/offers"


class CatalogueController(Controller):
    """The public catalogue: search and filters in the query string, so it works without JavaScript."""

    path = "/angebote"

    @get("/")
    async def list_offers(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        *,
        text: Annotated[str, QueryParameter(name="q", max_length=200)] = "",
        category: Annotated[str, QueryParameter(name="kategorie", max_length=40)] = "",
        place: Annotated[str, QueryParameter(name="ort", max_length=120)] = "",
        language: Annotated[str, QueryParameter(name="sprache", max_length=40)] = "",
        page_number: Annotated[int, QueryParameter(name="seite", ge=1, le=100_000)] = 1,
    ) -> Template:
        """Published, unexpired offers matching the search and filters, one page at a time."""
        query = services.CatalogueQuery(
            text=text.strip(), category=category, place=place.strip(), language=language.strip(), page=page_number
        )
        return page(
            request,
            "public/offers.html",
            query=query,
            results=await services.search_catalogue(db_session, query),
            choices=await services.catalogue_choices(db_session),
            categories=category_choices(),
            regionwide=REGIONWIDE,
            online=ONLINE,
        )

    @get("/{offer_id:uuid}")
    async def show_offer(
        self, request: AnyRequest, db_session: NamedDependency[AsyncSession], offer_id: FromPath[UUID]
    ) -> Template:
        """One offer with its contact details; unpublished or expired offers answer 404."""
        offer = await services.public_offer(db_session, offer_id)
        return page(request, "public/offer.html", offer=offer, regionwide=REGIONWIDE, online=ONLINE)


def _submit(form: Any) -> bool:
    """Which button was pressed: "Zur Prüfung einreichen" (default) or "Als Entwurf speichern"."""
    return bool(form.get("action") != "draft")


class PortalOffersController(Controller):
    """A member's own offers: write, submit for moderation, change, withdraw."""

    path = PORTAL
    dependencies = {"contact": Provide(provide_contact)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def list_own_offers(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """The member's offers with their moderation state."""
        member = await employer_services.get_member(db_session, contact.member_id)
        offers = await services.member_offers(db_session, member.id)
        return page(request, "portal/offers.html", member=member, nav="offers", offers=offers, today=services.today())

    @get("/new")
    async def new_offer(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Template:
        """The empty form, the place defaulting to the member's municipality."""
        member = await employer_services.get_member(db_session, contact.member_id)
        return _portal_form(request, member, None, {"place": member.municipality, "languages": "Deutsch"}, {})

    @post("/new")
    async def create_offer(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
    ) -> Response[Any]:
        """Store the offer as a draft or submit it; wrong input comes back as typed and nothing is stored."""
        member = await employer_services.get_member(db_session, contact.member_id)
        form = await request.form()
        data, errors = validate_offer_form(form, today=services.today())
        if data is None:
            return _portal_form(request, member, None, form_values(form), errors)
        submit = _submit(form)
        await services.save_member_offer(db_session, contact, data, submit=submit)
        return redirect(PORTAL, "offer_submitted" if submit else "offer_saved")

    @get("/{offer_id:uuid}/edit")
    async def edit_offer(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
        offer_id: FromPath[UUID],
    ) -> Template:
        """The form with the stored values (and the coordinator's reason, if it was rejected)."""
        offer = await services.own_offer(db_session, contact.member_id, offer_id)
        member = await employer_services.get_member(db_session, contact.member_id)
        return _portal_form(request, member, offer, offer_form_values(offer), {})

    @post("/{offer_id:uuid}/edit")
    async def update_offer(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
        offer_id: FromPath[UUID],
    ) -> Response[Any]:
        """Save changes; a published offer goes back into moderation. Wrong input changes nothing."""
        offer = await services.own_offer(db_session, contact.member_id, offer_id)
        member = await employer_services.get_member(db_session, contact.member_id)
        form = await request.form()
        data, errors = validate_offer_form(form, today=services.today())
        if data is None:
            return _portal_form(request, member, offer, form_values(form), errors)
        submit = _submit(form)
        await services.save_member_offer(db_session, contact, data, offer=offer, submit=submit)
        return redirect(PORTAL, "offer_submitted" if submit else "offer_saved")

    @post("/{offer_id:uuid}/withdraw")
    async def withdraw_offer(
        self,
        db_session: NamedDependency[AsyncSession],
        contact: NamedDependency[MemberContact],
        offer_id: FromPath[UUID],
    ) -> Response[Any]:
        """Take the offer out of the catalogue."""
        offer = await services.own_offer(db_session, contact.member_id, offer_id)
        await services.withdraw_member_offer(db_session, offer)
        return redirect(PORTAL, "offer_withdrawn")


def _portal_form(
    request: AnyRequest, member: Member, offer: Offer | None, form: dict[str, str], errors: dict[str, str]
) -> Template:
    return page(
        request,
        "portal/offer_form.html",
        status_code=400 if errors else 200,
        member=member,
        nav="offers",
        offer=offer,
        form=form,
        errors=errors,
        categories=category_choices(),
        min_date=services.today().isoformat(),
    )


class CoordinatorOffersController(Controller):
    """The coordinator enters offers of non-member partners and moderates members' submissions."""

    path = COORDINATOR
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def list_offers(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        *,
        status: Annotated[str, QueryParameter(name="status")] = OfferStatus.SUBMITTED.value,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
    ) -> Template:
        """Offers of one status; the default is the moderation queue."""
        if status not in {s.value for s in services.LIST_STATUSES}:
            raise DomainError(_("Unbekannter Status."))
        results = await services.list_offers(db_session, OfferStatus(status), page=page_number)
        return page(
            request,
            "coordinator/offers.html",
            status=status,
            results=results,
            counts=await services.status_counts(db_session),
            statuses=services.LIST_STATUSES,
            today=services.today(),
        )

    @get("/new")
    async def new_offer(
        self, request: AnyRequest, db_session: NamedDependency[AsyncSession], staff: NamedDependency[StaffUser]
    ) -> Template:
        """The empty form."""
        return await _coordinator_form(request, db_session, None, {"place": REGIONWIDE, "languages": "Deutsch"}, {})

    @post("/new")
    async def create_offer(
        self, request: AnyRequest, db_session: NamedDependency[AsyncSession], staff: NamedDependency[StaffUser]
    ) -> Response[Any]:
        """Store the offer, published at once or as a draft; wrong input comes back as typed."""
        form = await request.form()
        members = await _linkable_members(db_session)
        data, errors = validate_offer_form(form, today=services.today(), members=members)
        if data is None:
            return await _coordinator_form(request, db_session, None, form_values(form), errors)
        publish = _submit(form)
        offer = await services.create_offer(db_session, staff, data, publish=publish)
        return redirect(f"{COORDINATOR}/{offer.id}", "offer_published" if publish else "offer_saved")

    @get("/{offer_id:uuid}")
    async def show_offer(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        offer_id: FromPath[UUID],
    ) -> Template:
        """The offer as the catalogue would show it, with the moderation actions."""
        offer = await services.get_offer(db_session, offer_id)
        return await _moderation_page(request, db_session, offer, form={}, errors={})

    @get("/{offer_id:uuid}/edit")
    async def edit_offer(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        offer_id: FromPath[UUID],
    ) -> Template:
        """The form with the stored values."""
        offer = await services.get_offer(db_session, offer_id)
        return await _coordinator_form(request, db_session, offer, offer_form_values(offer), {})

    @post("/{offer_id:uuid}/edit")
    async def update_offer(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        offer_id: FromPath[UUID],
    ) -> Response[Any]:
        """Save corrections; the status stays. Wrong input changes nothing."""
        offer = await services.get_offer(db_session, offer_id)
        form = await request.form()
        members = await _linkable_members(db_session)
        data, errors = validate_offer_form(form, today=services.today(), members=members)
        if data is None:
            return await _coordinator_form(request, db_session, offer, form_values(form), errors)
        await services.update_offer(db_session, offer, data)
        return redirect(f"{COORDINATOR}/{offer.id}", "offer_saved")

    @post("/{offer_id:uuid}/publish")
    async def publish_offer(
        self, db_session: NamedDependency[AsyncSession], staff: NamedDependency[StaffUser], offer_id: FromPath[UUID]
    ) -> Response[Any]:
        """Put the offer into the public catalogue."""
        offer = await services.get_offer(db_session, offer_id)
        await services.publish(db_session, staff, offer)
        return redirect(f"{COORDINATOR}/{offer.id}", "offer_published")

    @post("/{offer_id:uuid}/reject")
    async def reject_offer(
        self,
        request: AnyRequest,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        offer_id: FromPath[UUID],
    ) -> Response[Any]:
        """Reject a submission with a reason that is mailed to the member contact who submitted it."""
        offer = await services.get_offer(db_session, offer_id)
        reason, errors = validate_reason(await request.form())
        if errors:
            return await _moderation_page(request, db_session, offer, form={"reason": reason}, errors=errors)
        await services.reject(db_session, settings, staff, offer, reason)
        return redirect(COORDINATOR, "offer_rejected")

    @post("/{offer_id:uuid}/archive")
    async def archive_offer(
        self, db_session: NamedDependency[AsyncSession], staff: NamedDependency[StaffUser], offer_id: FromPath[UUID]
    ) -> Response[Any]:
        """Take the offer out of the catalogue."""
        offer = await services.get_offer(db_session, offer_id)
        await services.archive(db_session, staff, offer)
        return redirect(f"{COORDINATOR}/{offer.id}", "offer_archived")


async def _linkable_members(session: AsyncSession) -> list[Member]:
    """Members an offer may name as its provider: all but those that left (paused ones included)."""
    return [m for m in await employer_services.list_members(session, active_only=False) if m.left_at is None]


async def _coordinator_form(
    request: AnyRequest,
    session: AsyncSession,
    offer: Offer | None,
    form: dict[str, str],
    errors: dict[str, str],
) -> Template:
    return page(
        request,
        "coordinator/offer_form.html",
        status_code=400 if errors else 200,
        offer=offer,
        form=form,
        errors=errors,
        member_choices=[(str(m.id), m.name) for m in await _linkable_members(session)],
        categories=category_choices(),
        providers=provider_choices(),
        min_date=services.today().isoformat(),
    )


async def _moderation_page(
    request: AnyRequest, session: AsyncSession, offer: Offer, *, form: dict[str, str], errors: dict[str, str]
) -> Template:
    submitter = await session.get(MemberContact, offer.submitted_by_id) if offer.submitted_by_id else None
    return page(
        request,
        "coordinator/offer.html",
        status_code=400 if errors else 200,
        offer=offer,
        submitter=submitter,
        form=form,
        errors=errors,
        today=services.today(),
        regionwide=REGIONWIDE,
        online=ONLINE,
    )


controllers: list[type[Controller]] = [CatalogueController, PortalOffersController, CoordinatorOffersController]

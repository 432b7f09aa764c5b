"""Offers: public catalogue, members' submissions, the coordinator's moderation, the offers fitting a profile.

The catalogue searches, filters and pages in SQL. Nothing here commits; the request does. Who may act is decided
by the controllers' dependencies (``contact`` for a member's own offers, ``staff`` for the coordinator); the state
rules live here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.paging import ListPage
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.errors import InvalidTransition, NotFound
from jobfuerzwei.i18n import N_
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.offers.fit import Situation, fitting_offers
from jobfuerzwei.offers.models import ONLINE, REGIONWIDE, Offer, OfferCategory, OfferStatus, ProviderType, fold
from jobfuerzwei.offers.schemas import OfferData
from jobfuerzwei.profiles.models import Profile, ProfileKind
from jobfuerzwei.staff.models import StaffUser

BERLIN = ZoneInfo("Europe/Berlin")
PER_PAGE = 10
"""Offers per catalogue page."""
MAX_TERMS = 8
"""Search words used at most (the rest is ignored)."""
MOVING_WINDOW = dt.timedelta(days=365)
"""A partner counts as moving in until a year after the moving date."""
MARK_SECONDS = 3600
"""How long the thank-you page after a registration may show the offers for that profile."""
OFFER_MISSING = N_("Dieses Angebot gibt es nicht (mehr).")
"""German; translated where it is raised."""


def today() -> dt.date:
    """The calendar day in the region (an offer is shown through its ``valid_until`` day)."""
    return utcnow().astimezone(BERLIN).date()


def _public(day: dt.date) -> list[ColumnElement[bool]]:
    return [Offer.status == OfferStatus.PUBLISHED, or_(Offer.valid_until.is_(None), Offer.valid_until >= day)]


# --- public catalogue ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueQuery:
    """The catalogue's search and filters as typed (unknown values are ignored, not refused)."""

    text: str = ""
    category: str = ""
    place: str = ""
    language: str = ""
    page: int = 1

    @property
    def terms(self) -> list[str]:
        """Case-folded search words."""
        return fold(self.text).split()[:MAX_TERMS]

    @property
    def is_filtered(self) -> bool:
        """Any search word or filter is set."""
        return bool(self.terms or self.category or self.place or self.language)


CataloguePage = ListPage[Offer]
"""One page of the catalogue or of the coordinator's list."""


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _catalogue_where(query: CatalogueQuery, day: dt.date) -> list[ColumnElement[bool]]:
    where = _public(day)
    where += [Offer.search_text.like(_like(term), escape="\\") for term in query.terms]
    if query.category in {c.value for c in OfferCategory}:
        where.append(Offer.category == query.category)
    if query.place in (REGIONWIDE, ONLINE):
        where.append(Offer.place == query.place)
    elif query.place:
        # A place shows what is open to people living there: its own offers and the region-wide and online ones.
        where.append(or_(Offer.place == query.place, Offer.place.in_([REGIONWIDE, ONLINE])))
    if query.language:
        where.append(Offer.language_key.like(_like(f"|{fold(query.language)}|"), escape="\\"))
    return where


async def search_catalogue(session: AsyncSession, query: CatalogueQuery, *, per_page: int = PER_PAGE) -> CataloguePage:
    """Published, unexpired offers matching every search word and filter, newest first, paginated in SQL."""
    where = _catalogue_where(query, today())
    total = int(await session.scalar(select(func.count()).select_from(Offer).where(*where)) or 0)
    page = max(1, min(query.page, -(-total // per_page) or 1))
    stmt = (
        select(Offer)
        .where(*where)
        .order_by(Offer.published_at.desc(), Offer.title, Offer.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return CataloguePage(items=list(await session.scalars(stmt)), total=total, page=page, per_page=per_page)


@dataclass(frozen=True)
class CatalogueChoices:
    """The options of the place and language filters: only values that published offers use."""

    places: list[str]
    languages: list[str]


async def catalogue_choices(session: AsyncSession) -> CatalogueChoices:
    """Municipalities and languages of the public offers, alphabetically."""
    where = _public(today())
    places = set(await session.scalars(select(Offer.place).where(*where).distinct()))
    languages: dict[str, str] = {}
    for row in await session.scalars(select(Offer.languages).where(*where)):
        for language in row:
            languages.setdefault(fold(language), language)
    local = sorted((p for p in places if p not in (REGIONWIDE, ONLINE)), key=str.casefold)
    return CatalogueChoices(places=local, languages=sorted(languages.values(), key=str.casefold))


async def public_offer(session: AsyncSession, offer_id: UUID) -> Offer:
    """A published, unexpired offer, or ``NotFound`` (drafts, submissions and expired offers are not public)."""
    offer = await session.scalar(select(Offer).where(Offer.id == offer_id, *_public(today())))
    if offer is None:
        raise NotFound(_(OFFER_MISSING))
    return offer


# --- offers for a profile --------------------------------------------------------------------------------------------


async def situation_of(session: AsyncSession, profile: Profile) -> Situation:
    """The parts of a profile the fit looks at (see ``offers.fit``)."""
    member_ids = [i for i in (profile.recruiting_member_id, profile.releasing_member_id) if i is not None]
    member_places: list[str] = []
    if member_ids:
        member_places = list(await session.scalars(select(Member.municipality).where(Member.id.in_(member_ids))))
    moving = profile.kind == ProfileKind.PARTNER and (
        profile.move_date is None or profile.move_date >= today() - MOVING_WINDOW
    )
    return Situation(
        places=tuple(p for p in [profile.residence, *profile.work_municipalities, *member_places] if p),
        languages=tuple((str(e.get("language", "")), str(e.get("level", ""))) for e in profile.languages),
        is_moving=moving,
    )


async def offers_for_profile(session: AsyncSession, profile: Profile) -> Sequence[Offer]:
    """The public offers that fit the profile's situation, best first."""
    situation = await situation_of(session, profile)
    day = today()
    offers = list(await session.scalars(select(Offer).where(*_public(day))))
    return fitting_offers(situation, offers, today=day)


def _mark_mac(secret: str, profile_id: UUID, expires: int) -> str:
    message = f"offers-fit:{profile_id.hex}:{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def registration_mark(secret: str, profile_id: UUID) -> str:
    """A signed, short-lived value naming a just-registered profile, for the thank-you page's offers."""
    expires = int(utcnow().timestamp()) + MARK_SECONDS
    return f"{profile_id.hex}.{expires}.{_mark_mac(secret, profile_id, expires)}"


def registered_profile_id(secret: str, mark: str | None) -> UUID | None:
    """The profile a ``registration_mark`` names, or ``None`` when it is missing, forged or expired."""
    try:
        raw_id, raw_expires, mac = (mark or "").split(".")
        profile_id, expires = UUID(hex=raw_id), int(raw_expires)
    except ValueError:
        return None
    if (
        not hmac.compare_digest(_mark_mac(secret, profile_id, expires).encode(), mac.encode())
        or expires < utcnow().timestamp()
    ):
        return None
    return profile_id


async def offers_after_registration(session: AsyncSession, secret: str, mark: str | None) -> Sequence[Offer] | None:
    """The offers fitting the profile registered in this browser, or ``None`` when no valid mark is present."""
    profile_id = registered_profile_id(secret, mark)
    profile = await session.get(Profile, profile_id) if profile_id else None
    if profile is None:
        return None
    return await offers_for_profile(session, profile)


# --- a member's own offers -----------------------------------------------------------------------------------------


async def member_offers(session: AsyncSession, member_id: UUID) -> list[Offer]:
    """A member's offers, the most recently changed first."""
    stmt = select(Offer).where(Offer.member_id == member_id).order_by(Offer.updated_at.desc(), Offer.id)
    return list(await session.scalars(stmt))


async def own_offer(session: AsyncSession, member_id: UUID, offer_id: UUID) -> Offer:
    """One of the member's offers; another member's answers ``NotFound`` (not 403: do not confirm it exists)."""
    offer = await session.get(Offer, offer_id)
    if offer is None or offer.member_id != member_id:
        raise NotFound(_(OFFER_MISSING))
    return offer


def _apply(offer: Offer, data: OfferData) -> None:
    offer.category = data.category
    offer.title = data.title
    offer.description = data.description
    offer.place = data.place
    offer.languages = list(data.languages)
    offer.link = data.link
    offer.contact = data.contact
    offer.valid_until = data.valid_until


async def save_member_offer(
    session: AsyncSession,
    contact: MemberContact,
    data: OfferData,
    *,
    offer: Offer | None = None,
    submit: bool,
) -> Offer:
    """Create or change a member's offer; it is submitted for moderation or kept as a draft.

    Any change takes a published offer out of the catalogue until the coordinator has looked at it again.
    """
    member = await session.get(Member, contact.member_id)
    if member is None or member.left_at is not None:  # pragma: no cover - the contact goes with its member
        raise NotFound(_("Dieses Mitglied gibt es nicht."))
    if offer is None:
        offer = Offer(member_id=member.id)
        session.add(offer)
    _apply(offer, data)
    offer.provider_name = member.name
    offer.provider_type = ProviderType.MEMBER
    offer.rejected_reason = ""
    if submit:
        offer.status = OfferStatus.SUBMITTED
        offer.submitted_at = utcnow()
        offer.submitted_by_id = contact.id
    else:
        offer.status = OfferStatus.DRAFT
    await session.flush()
    return offer


async def withdraw_member_offer(session: AsyncSession, offer: Offer) -> None:
    """The member takes its offer out of the catalogue (or out of moderation)."""
    if offer.status == OfferStatus.ARCHIVED:
        raise InvalidTransition(_("Dieses Angebot ist bereits zurückgezogen."))
    offer.status = OfferStatus.ARCHIVED
    await session.flush()


async def delete_member_offers(session: AsyncSession, member_id: UUID) -> int:
    """Delete every offer of a member that leaves the network (they carry its name); returns how many."""
    result = await session.execute(delete(Offer).where(Offer.member_id == member_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- the coordinator's moderation ----------------------------------------------------------------------------------

LIST_STATUSES: tuple[OfferStatus, ...] = (
    OfferStatus.SUBMITTED,
    OfferStatus.PUBLISHED,
    OfferStatus.DRAFT,
    OfferStatus.REJECTED,
    OfferStatus.ARCHIVED,
)


async def list_offers(
    session: AsyncSession, status: OfferStatus, *, page: int = 1, per_page: int = 25
) -> CataloguePage:
    """Offers of one status, paginated in SQL; submissions oldest first (a queue), the rest newest first."""
    where = [Offer.status == status]
    total = int(await session.scalar(select(func.count()).select_from(Offer).where(*where)) or 0)
    page = max(1, min(page, -(-total // per_page) or 1))
    order = (
        (Offer.submitted_at.asc(), Offer.id) if status == OfferStatus.SUBMITTED else (Offer.updated_at.desc(), Offer.id)
    )
    stmt = select(Offer).where(*where).order_by(*order).offset((page - 1) * per_page).limit(per_page)
    return CataloguePage(items=list(await session.scalars(stmt)), total=total, page=page, per_page=per_page)


async def status_counts(session: AsyncSession) -> dict[str, int]:
    """Offers per status (the tabs of the coordinator's list)."""
    rows = await session.execute(select(Offer.status, func.count()).group_by(Offer.status))
    counts = {str(status): int(n) for status, n in rows.tuples()}
    return {s.value: counts.get(s.value, 0) for s in LIST_STATUSES}


async def get_offer(session: AsyncSession, offer_id: UUID) -> Offer:
    """Any offer, or ``NotFound``."""
    offer = await session.get(Offer, offer_id)
    if offer is None:
        raise NotFound(_(OFFER_MISSING))
    return offer


def _moderated(offer: Offer, staff: StaffUser) -> None:
    offer.moderated_at = utcnow()
    offer.moderated_by_id = staff.id


def _set_provider(offer: Offer, data: OfferData) -> None:
    offer.provider_name = data.provider_name
    offer.provider_type = data.provider_type
    offer.member_id = data.member_id


async def create_offer(session: AsyncSession, staff: StaffUser, data: OfferData, *, publish: bool) -> Offer:
    """The coordinator enters an offer (typically of a partner that is no member), published at once or a draft."""
    offer = Offer(status=OfferStatus.DRAFT)
    _set_provider(offer, data)
    _apply(offer, data)
    session.add(offer)
    if publish:
        _publish(offer, staff)
    await session.flush()
    return offer


async def update_offer(session: AsyncSession, offer: Offer, data: OfferData) -> None:
    """The coordinator corrects an offer; its status stays as it is."""
    _set_provider(offer, data)
    _apply(offer, data)
    await session.flush()


def _publish(offer: Offer, staff: StaffUser) -> None:
    offer.status = OfferStatus.PUBLISHED
    offer.published_at = utcnow()
    offer.rejected_reason = ""
    _moderated(offer, staff)


async def publish(session: AsyncSession, staff: StaffUser, offer: Offer) -> None:
    """Put an offer into the public catalogue; a member's draft waits until the member submits it."""
    if offer.status == OfferStatus.PUBLISHED:
        raise InvalidTransition(_("Dieses Angebot ist bereits veröffentlicht."))
    if offer.status == OfferStatus.DRAFT and offer.member_id is not None:
        raise InvalidTransition(_("Das Mitglied hat diesen Entwurf noch nicht eingereicht."))
    _publish(offer, staff)
    await session.flush()


async def reject(session: AsyncSession, settings: Settings, staff: StaffUser, offer: Offer, reason: str) -> bool:
    """Reject a submission with a reason mailed to the contact who submitted it; ``True`` when a mail went out."""
    if offer.status != OfferStatus.SUBMITTED:
        raise InvalidTransition(_("Nur eingereichte Angebote können abgelehnt werden."))
    offer.status = OfferStatus.REJECTED
    offer.rejected_reason = reason
    _moderated(offer, staff)
    contact = await session.get(MemberContact, offer.submitted_by_id) if offer.submitted_by_id else None
    if contact is not None:
        enqueue(
            session,
            settings,
            template="offer_rejected",
            to=contact.email,
            language=contact.language,
            context={
                "contact_name": contact.name,
                "provider_name": offer.provider_name,
                "title": offer.title,
                "reason": reason,
                "edit_url": f"{settings.base_url}/portal/offers/{offer.id}/edit",
            },
        )
    await session.flush()
    return contact is not None


async def archive(session: AsyncSession, staff: StaffUser, offer: Offer) -> None:
    """Take an offer out of the catalogue (or out of the queue) for good; it can be published again later."""
    if offer.status == OfferStatus.ARCHIVED:
        raise InvalidTransition(_("Dieses Angebot ist bereits archiviert."))
    offer.status = OfferStatus.ARCHIVED
    _moderated(offer, staff)
    await session.flush()

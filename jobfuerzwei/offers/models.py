"""Offers of the network's partners (childcare, relocation, language courses …) and their moderation."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Date, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from jobfuerzwei.db.base import DateTimeUTC, UUIDAuditBase

REGIONWIDE = "regionweit"
"""``place`` of an offer open to the whole region."""
ONLINE = "online"
"""``place`` of an offer held online."""


class ProviderType(StrEnum):
    """Who offers it."""

    MEMBER = "member"
    CHAMBER = "chamber"
    EMPLOYMENT_AGENCY = "employment_agency"
    MUNICIPALITY = "municipality"
    SCHOOL = "school"
    OTHER = "other"


class OfferCategory(StrEnum):
    """What kind of help it is; the order is the order on pages."""

    CHILDCARE = "childcare"
    RELOCATION = "relocation"
    LANGUAGE_COURSE = "language_course"
    FURTHER_TRAINING = "further_training"
    ADVICE = "advice"
    OTHER = "other"


class OfferStatus(StrEnum):
    """Where an offer stands: draft → submitted → published, or rejected (with a reason), or archived."""

    DRAFT = "draft"
    """Saved, not yet submitted; only its member (or the coordinator, for its own offers) sees it."""
    SUBMITTED = "submitted"
    """Waiting for the coordinator's moderation."""
    PUBLISHED = "published"
    """In the public catalogue (until ``valid_until`` has passed)."""
    REJECTED = "rejected"
    ARCHIVED = "archived"
    """Withdrawn from the catalogue; kept for the record and for reuse."""


class Offer(UUIDAuditBase):
    """One offer in the public catalogue, as written by a member contact or the coordinator."""

    __tablename__ = "offers"

    provider_name: Mapped[str] = mapped_column(String(200))
    provider_type: Mapped[ProviderType] = mapped_column(String(30))
    member_id: Mapped[UUID | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    """The member that offers it (``None`` for the chamber, the agency, municipalities, schools …)."""
    category: Mapped[OfferCategory] = mapped_column(String(30), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(120), index=True)
    """A municipality, ``REGIONWIDE`` or ``ONLINE``."""
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Languages the offer is held in; for language courses the languages taught."""
    link: Mapped[str] = mapped_column(String(500), default="")
    """Web page of the offer (https only)."""
    contact: Mapped[str] = mapped_column(String(300), default="")
    """How to get in touch (a service address or phone number of the provider, not a private person's)."""
    valid_until: Mapped[dt.date | None] = mapped_column(Date, index=True)
    """Last day it is shown; ``None``: until archived."""
    status: Mapped[OfferStatus] = mapped_column(String(20), default=OfferStatus.DRAFT, index=True)
    rejected_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), index=True)
    moderated_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    moderated_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    """The coordinator who published, rejected or archived it last."""
    submitted_by_id: Mapped[UUID | None] = mapped_column(ForeignKey("member_contacts.id", ondelete="SET NULL"))
    """The member contact who submitted it last (receives the rejection reason)."""
    search_text: Mapped[str] = mapped_column(Text, default="")
    """Case-folded title, description, provider, place and languages: the catalogue search runs ``LIKE`` on it,
    which works alike on SQLite (whose ``lower()`` knows only ASCII) and PostgreSQL."""
    language_key: Mapped[str] = mapped_column(String(600), default="")
    """Case-folded languages between bars (``|deutsch|englisch|``) for the language filter."""

    @property
    def is_local(self) -> bool:
        """Held in one municipality (not region-wide, not online)."""
        return self.place not in (REGIONWIDE, ONLINE)

    def is_expired(self, today: dt.date) -> bool:
        """Its last day has passed."""
        return self.valid_until is not None and self.valid_until < today


def fold(text: str) -> str:
    """The form the search compares: case-folded (``ß`` → ``ss``), whitespace collapsed."""
    return " ".join(text.casefold().split())


def _index(_mapper: Any, _connection: Any, target: Offer) -> None:
    target.search_text = fold(
        " ".join(
            [
                target.title or "",
                target.description or "",
                target.provider_name or "",
                target.place or "",
                *(target.languages or []),
            ]
        )
    )
    folded = [fold(language) for language in target.languages or []]
    target.language_key = "|" + "|".join(folded) + "|" if folded else ""


# Every write keeps the search columns current (forms, demo data, scripts), so they never lag the text.
event.listen(Offer, "before_insert", _index)
event.listen(Offer, "before_update", _index)

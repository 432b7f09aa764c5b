"""Referrals (an employer's interest in a profile) and their history."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jobfuerzwei.db.base import DateTimeUTC, UUIDAuditBase

if TYPE_CHECKING:
    from jobfuerzwei.employers.models import Member
    from jobfuerzwei.profiles.models import Profile


class ReferralState(StrEnum):
    """Referral workflow: interested → in_contact → interview → offer → hired, or closed from any open state."""

    INTERESTED = "interested"
    IN_CONTACT = "in_contact"
    INTERVIEW = "interview"
    OFFER = "offer"
    HIRED = "hired"
    CLOSED = "closed"


FUNNEL = (
    ReferralState.INTERESTED,
    ReferralState.IN_CONTACT,
    ReferralState.INTERVIEW,
    ReferralState.OFFER,
    ReferralState.HIRED,
)
"""The referral stages in workflow order; ``closed`` is not a stage but an exit."""


def stage_of(state: ReferralState) -> int:
    """A state's funnel position: 1 interested … 5 hired; 0 for closed."""
    return FUNNEL.index(state) + 1 if state in FUNNEL else 0


class CloseReason(StrEnum):
    """Why a referral was closed."""

    EMPLOYER_DECLINED = "employer_declined"
    CANDIDATE_DECLINED = "candidate_declined"
    WITHDRAWN = "withdrawn"


class ContactRelease(StrEnum):
    """The partner's decision whether name and contact go to the interested member."""

    PENDING = "pending"
    GRANTED = "granted"
    DENIED = "denied"


class Actor(StrEnum):
    """Who moved a referral."""

    COORDINATOR = "coordinator"
    EMPLOYER = "employer"
    PARTNER = "partner"
    SYSTEM = "system"


class Referral(UUIDAuditBase):
    """An interested member and a profile, on their way to a hire."""

    __tablename__ = "referrals"
    __table_args__ = (UniqueConstraint("profile_id", "member_id"),)

    profile_id: Mapped[UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[UUID | None] = mapped_column(ForeignKey("circulation_recipients.id", ondelete="SET NULL"))
    state: Mapped[ReferralState] = mapped_column(String(20), default=ReferralState.INTERESTED, index=True)
    close_reason: Mapped[CloseReason | None] = mapped_column(String(30))
    reached_stage: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """The furthest workflow stage it got to (1 interested … 5 hired), kept with each event for the funnel figures;
    a closed referral keeps the stage it reached."""
    contact_release: Mapped[ContactRelease] = mapped_column(String(20), default=ContactRelease.PENDING)
    contact_released_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    reminded_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    """When the member was last reminded of a stall (no movement); counts for the stall it falls into."""
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    """When the coordinator was last told of a stall the member's reminder did not end."""
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    """Set once the closed referral's notes were wiped (retention); state, dates and member stay for the figures."""
    events: Mapped[list[ReferralEvent]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", lazy="selectin", order_by="ReferralEvent.created_at"
    )
    member: Mapped[Member] = relationship(lazy="raise")
    """Load explicitly (``selectinload``); no column of its own."""
    profile: Mapped[Profile] = relationship(lazy="raise")


class ReferralEvent(UUIDAuditBase):
    """One step of a referral's history."""

    __tablename__ = "referral_events"

    referral_id: Mapped[UUID] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[ReferralState | None] = mapped_column(String(20))
    to_state: Mapped[ReferralState] = mapped_column(String(20))
    close_reason: Mapped[CloseReason | None] = mapped_column(String(30))
    actor: Mapped[Actor] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    referral: Mapped[Referral] = relationship(back_populates="events", lazy="raise")

"""Circulation rounds: which profile went to which member, when, with which score, and the member's answer."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jobfuerzwei.db.base import DateTimeUTC, UUIDAuditBase

if TYPE_CHECKING:
    from jobfuerzwei.employers.models import Member


class Answer(StrEnum):
    """A member's one-click answer."""

    INTERESTED = "interested"
    NO_FIT = "no_fit"


class Circulation(UUIDAuditBase):
    """One sending round of one profile; its mails form one outbox batch (``batch_id`` = this id)."""

    __tablename__ = "circulations"

    profile_id: Mapped[UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[UUID | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    recipients: Mapped[list[CirculationRecipient]] = relationship(
        back_populates="circulation", cascade="all, delete-orphan", lazy="raise"
    )


class CirculationRecipient(UUIDAuditBase):
    """A member that received a profile. A member receives a profile at most once."""

    __tablename__ = "circulation_recipients"
    __table_args__ = (
        UniqueConstraint("profile_id", "member_id"),
        # the portal inbox: one member's profiles, newest first, a page at a time
        Index("ix_circulation_recipients_member_id_created_at", "member_id", "created_at"),
    )

    circulation_id: Mapped[UUID] = mapped_column(ForeignKey("circulations.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    matched_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[Answer | None] = mapped_column(String(20))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    circulation: Mapped[Circulation] = relationship(back_populates="recipients", lazy="raise")
    member: Mapped[Member] = relationship(lazy="raise")
    """Load explicitly (``selectinload``); no column of its own."""

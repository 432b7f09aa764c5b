"""Member employers of the network and their contacts."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jobfuerzwei.db.base import DateTimeUTC, UUIDAuditBase


class Member(UUIDAuditBase):
    """A member employer: firm, association, municipal employer, university."""

    __tablename__ = "members"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(120), default="")
    municipality: Mapped[str] = mapped_column(String(120), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    interests: Mapped[str] = mapped_column(Text, default="")
    """Fields of interest, one per line (occupations, specialisms the member recruits for)."""
    open_positions: Mapped[str] = mapped_column(Text, default="")
    """Open positions, one per line."""
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    contacts: Mapped[list[MemberContact]] = relationship(
        back_populates="member", cascade="all, delete-orphan", lazy="selectin", order_by="MemberContact.email"
    )

    @property
    def contact_emails(self) -> list[str]:
        """Addresses that receive circulated profiles."""
        return [c.email for c in self.contacts]


class MemberContact(UUIDAuditBase):
    """A person at a member who receives profile mails."""

    __tablename__ = "member_contacts"
    __table_args__ = (UniqueConstraint("member_id", "email"),)

    member_id: Mapped[UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    member: Mapped[Member] = relationship(back_populates="contacts", lazy="raise")

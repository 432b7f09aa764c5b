"""Member employers of the network and their contacts."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jobfuerzwei.db.base import DateTimeUTC, UUIDAuditBase
from jobfuerzwei.matching.codes import best_uri


class Member(UUIDAuditBase):
    """A member employer: firm, association, municipal employer, university."""

    __tablename__ = "members"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    sector: Mapped[str] = mapped_column(String(120), default="")
    municipality: Mapped[str] = mapped_column(String(120), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    interests: Mapped[str] = mapped_column(Text, default="")
    """Fields of interest, one per line (occupations, specialisms the member recruits for).

    Matched by text, not classified: they name fields ("Pflege", "Konstruktion") more often than occupations, and
    the closest catalogue occupation of a field is a guess that would hide the field from related occupations.
    """
    open_positions: Mapped[str] = mapped_column(Text, default="")
    """Deprecated: copied into ``positions`` by migration 0002 and no longer read; dropped in a later release."""
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    """Receives profiles; ``False`` while paused (by the member or the coordinator) and after leaving."""
    joined_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    """Set when the member left the network: its name, contacts and positions are gone, its history stays as
    anonymous counts (circulations, answers, referrals)."""
    contacts: Mapped[list[MemberContact]] = relationship(
        back_populates="member", cascade="all, delete-orphan", lazy="selectin", order_by="MemberContact.email"
    )
    positions: Mapped[list[Position]] = relationship(
        back_populates="member", cascade="all, delete-orphan", lazy="raise", order_by="Position.title"
    )

    @property
    def contact_emails(self) -> list[str]:
        """Addresses that receive circulated profiles."""
        return [c.email for c in self.contacts]


class MemberContact(UUIDAuditBase):
    """A person at a member who receives profile mails."""

    __tablename__ = "member_contacts"
    __table_args__ = (UniqueConstraint("member_id", "email"),)
    # An address belongs to one member only where it has a login (checked when inviting): a login is one member.

    member_id: Mapped[UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(200))
    """Set once the contact accepted the invitation to the employer portal; ``None``: mails only, no login."""
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    """Base32 secret of the optional two-factor login (RFC 6238); ``None``: two-factor is off."""
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    mail_mode: Mapped[str] = mapped_column(String(20), default="immediate")
    """``immediate``: each circulated profile by mail; ``digest``: one weekly mail (needs a portal login)."""
    unsubscribed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    """Set by the one-click unsubscribe (RFC 8058): no profile mails at all until the contact subscribes again."""
    digest_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    language: Mapped[str] = mapped_column(String(5), default="de", server_default="de")
    """Language of the mails the contact gets (``i18n.LANGUAGES``):
    set in the portal, or with the switch while logged in."""
    member: Mapped[Member] = relationship(back_populates="contacts", lazy="raise")

    @property
    def receives_profile_mails(self) -> bool:
        """Gets a mail for each circulated profile."""
        return self.unsubscribed_at is None and self.mail_mode == "immediate"

    @property
    def has_account(self) -> bool:
        """The contact can log in to the portal."""
        return self.password_hash is not None


class Position(UUIDAuditBase):
    """An open position of a member: feeds the matching both ways and the coverage model."""

    __tablename__ = "positions"

    member_id: Mapped[UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    esco_uri: Mapped[str | None] = mapped_column(String(120), index=True)
    """ESCO occupation the title was classified to (``None``: the classifier found none; ranked by text)."""
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Required skills."""
    languages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """Required languages: ``{"language": "Deutsch", "level": "C1"}`` (minimum level)."""
    working_time: Mapped[str] = mapped_column(String(20), default="either")
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    postcode: Mapped[str] = mapped_column(String(10), default="")
    """Workplace postcode; empty means the member's."""
    municipality: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    member: Mapped[Member] = relationship(back_populates="positions", lazy="raise")


# A title is classified whenever it is set (forms, demo data), so a stored code never lags its text.
@event.listens_for(Position.title, "set")
def _classify_title(target: Position, value: str, _old: object, _initiator: object) -> None:
    target.esco_uri = best_uri(value or "") or None


class EmployerSession(UUIDAuditBase):
    """A logged-in portal session of a member contact (cookie value stored hashed, like staff sessions)."""

    __tablename__ = "employer_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    contact_id: Mapped[UUID] = mapped_column(ForeignKey("member_contacts.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    is_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    """``False`` between password and two-factor code: such a session opens no portal page."""


class AccountTokenPurpose(StrEnum):
    """What a portal account link allows."""

    INVITE = "invite"
    """Set the first password (the coordinator invited the contact; valid 7 days)."""
    RESET = "reset"
    """Set a new password (requested on the login page; valid 30 minutes)."""


class AccountToken(UUIDAuditBase):
    """A single-use link to set a contact's password; the database keeps only ``sha256(token)``."""

    __tablename__ = "account_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[AccountTokenPurpose] = mapped_column(String(20))
    contact_id: Mapped[UUID] = mapped_column(ForeignKey("member_contacts.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))

"""Applications to join the network ("Mitglied werden"), decided by the coordinator."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from uuid import UUID

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jobfuerzwei.db.base import DateTimeUTC, UUIDAuditBase


class ApplicationStatus(StrEnum):
    """Where an application stands."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class MembershipApplication(UUIDAuditBase):
    """An organisation that wants to join, with the person who applied for it."""

    __tablename__ = "membership_applications"

    organisation: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(120), default="")
    size: Mapped[str] = mapped_column(String(20), default="")
    """Employees: one of ``SIZES`` in ``membership.schemas``."""
    postcode: Mapped[str] = mapped_column(String(10), default="")
    municipality: Mapped[str] = mapped_column(String(120), default="")
    locations: Mapped[str] = mapped_column(Text, default="")
    """Further locations, one per line."""
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    offer: Mapped[str] = mapped_column(Text, default="")
    """What the organisation offers dual-career couples (jobs for partners, relocation help, childcare …)."""
    interests: Mapped[str] = mapped_column(Text, default="")
    """Occupations and fields it recruits for, one per line (become the member's fields of interest)."""
    privacy_version: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    status: Mapped[ApplicationStatus] = mapped_column(String(20), default=ApplicationStatus.PENDING, index=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    member_id: Mapped[UUID | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    """The member created by the approval."""
    language: Mapped[str] = mapped_column(String(5), default="de", server_default="de")
    """Language of the mails the applicant gets (``i18n.LANGUAGES``):
    the language of the form; the contact created on approval keeps it."""

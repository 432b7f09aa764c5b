"""Capability links: random tokens mailed to people, stored only as their SHA-256 hash."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from uuid import UUID

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from jobfuerzwei.db.base import DateTimeUTC, UUIDAuditBase


class TokenPurpose(StrEnum):
    """The one thing a token allows."""

    CONFIRM = "confirm"
    """Partner's double opt-in (single use)."""
    STATUS = "status"
    """Partner's status page: view, correct, pause, withdraw, export, delete, decide on contact release."""
    EMPLOYER = "employer"
    """One member's view of one circulated profile, its answer and its referral."""


class LinkToken(UUIDAuditBase):
    """A link token. The clear token exists only in the mail; the database keeps ``sha256(token)``."""

    __tablename__ = "link_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[TokenPurpose] = mapped_column(String(20))
    profile_id: Mapped[UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("circulation_recipients.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))

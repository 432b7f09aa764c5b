"""The transactional outbox: one row per mail, written in the same transaction as the business change."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jobfuerzwei.db.base import DateTimeUTC, UUIDAuditBase


class OutboxStatus(StrEnum):
    """Delivery state of an outbox row."""

    PENDING = "pending"
    SENDING = "sending"
    """Claimed by a worker (lease in ``claimed_until``); not yet handed to the server: safe to send again."""
    RELEASING = "releasing"
    """The worker committed this state, then sent the final dot; a crash here leaves the delivery uncertain."""
    SENT = "sent"
    FAILED = "failed"
    """Permanent failure, or attempts exhausted; shown to the coordinator."""


class OutboxBody(UUIDAuditBase):
    """A body shared by the mails of one batch (a circulation to 1,000 members stores its text once).

    Each mail fills in its own values (``OutboxMessage.fill``: placeholder → value, e.g. its link token).
    """

    __tablename__ = "outbox_bodies"

    profile_id: Mapped[UUID | None] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    body_id: Mapped[UUID | None] = mapped_column(ForeignKey("outbox_bodies.id", ondelete="CASCADE"), index=True)
    """A shared body (then ``body_text``/``body_html`` stay empty), filled in with ``fill``."""
    fill: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class OutboxMessage(UUIDAuditBase):
    """A mail waiting for, or done with, delivery."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    """Stable RFC 5322 Message-ID: a retry or a re-send after a crash carries the same one."""
    template: Mapped[str] = mapped_column(String(60))
    batch_id: Mapped[UUID | None] = mapped_column(index=True)
    """Groups the mails of one circulation for the progress display."""
    profile_id: Mapped[UUID | None] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    """Deleting a profile deletes every copy of its mails."""
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    body_id: Mapped[UUID | None] = mapped_column(ForeignKey("outbox_bodies.id", ondelete="CASCADE"), index=True)
    """A shared body (then ``body_text``/``body_html`` stay empty), filled in with ``fill``."""
    fill: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    headers: Mapped[str] = mapped_column(Text, default="")
    """Extra headers as ``Name: value`` lines (validated on write: no CR/LF inside values)."""
    attachment: Mapped[dict[str, str] | None] = mapped_column(JSON)
    """One text attachment (``messages.Attachment.as_json``), e.g. the ``.ics`` of an event invitation."""
    status: Mapped[OutboxStatus] = mapped_column(String(20), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")

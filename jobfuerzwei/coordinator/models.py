"""The coordinators' weekly digest: one row per week, so a restart or a second worker never sends it twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Integer
from sqlalchemy.orm import Mapped, mapped_column

from jobfuerzwei.db.base import DateTimeUTC, UUIDAuditBase


class CoordinatorDigest(UUIDAuditBase):
    """A weekly digest as sent: its week (the configured digest day), when, to how many, and its figures."""

    __tablename__ = "coordinator_digests"

    week_of: Mapped[dt.date] = mapped_column(Date, unique=True)
    """The digest day (German calendar) this digest belongs to; unique, which makes sending idempotent."""
    sent_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The numbers and reference numbers of the mail (no names), for the next digest's period and for support."""

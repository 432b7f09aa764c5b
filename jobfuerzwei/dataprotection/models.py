"""The log of purge runs: when the retention rules ran, what started them, and how much each rule did (counts only)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jobfuerzwei.db.base import DateTimeUTC, UUIDAuditBase

RUN_LOG_DAYS = 400
"""Purge runs are kept this long (a year and a bit, for the annual report), then dropped."""


class PurgeTrigger(StrEnum):
    """What started a purge run."""

    CLI = "cli"
    """``jobfuerzwei purge`` (cron or by hand)."""
    SCHEDULED = "scheduled"
    """The maintenance loop of the worker (or of the web process in the embedded default)."""


class PurgeRun(UUIDAuditBase):
    """One run of the retention rules. Holds numbers only, never a name, an address or a profile number."""

    __tablename__ = "purge_runs"

    started_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    trigger: Mapped[PurgeTrigger] = mapped_column(String(20))
    unconfirmed_deleted: Mapped[int] = mapped_column(Integer, default=0)
    """Profiles deleted because the partner never consented."""
    inactive_asked: Mapped[int] = mapped_column(Integer, default=0)
    """Partners asked whether to keep their inactive profile."""
    inactive_deleted: Mapped[int] = mapped_column(Integer, default=0)
    """Profiles deleted after the inactivity period (not kept after the question, or rejected/withdrawn)."""
    referrals_anonymised: Mapped[int] = mapped_column(Integer, default=0)
    """Closed or hired referrals whose notes were wiped."""
    applications_deleted: Mapped[int] = mapped_column(Integer, default=0)
    """Declined membership applications deleted."""
    audit_deleted: Mapped[int] = mapped_column(Integer, default=0)
    """Audit log entries past their retention deleted."""
    invitations_deleted: Mapped[int] = mapped_column(Integer, default=0)
    """Invitations (with the answers) of long-past meetings deleted."""
    failed_rules: Mapped[str] = mapped_column(String(200), default="")
    """Comma-separated names of rules that failed in this run (they are retried by the next run)."""

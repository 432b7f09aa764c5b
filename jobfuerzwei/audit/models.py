"""The audit log: who viewed, changed, circulated, exported or deleted which profile, and when."""

from __future__ import annotations

import enum
from uuid import UUID

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jobfuerzwei.db.base import UUIDAuditBase


class AuditAction(enum.StrEnum):
    """What was done to a profile (or to a list of them)."""

    VIEWED = "viewed"
    CHANGED = "changed"
    CIRCULATED = "circulated"
    EXPORTED = "exported"
    DELETED = "deleted"


class AuditActor(enum.StrEnum):
    """Who did it."""

    STAFF = "staff"
    EMPLOYER = "employer"
    PARTNER = "partner"
    SYSTEM = "system"


class AuditEntry(UUIDAuditBase):
    """One audited access. No foreign keys: the entry outlives the profile and the account it names.

    ``actor_label`` is the staff member's email or the member's name (staff and employers act in a role, and the log
    must say who); the partner's own actions carry no label. ``detail`` is a short fixed text, never personal data.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_profile_created", "profile_id", "created_at"),)

    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[UUID | None] = mapped_column()
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(20), index=True)
    profile_id: Mapped[UUID | None] = mapped_column()
    profile_number: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(200), default="")

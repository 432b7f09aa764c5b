"""Writing and reading the audit log. Entries are added to the caller's transaction (no commit here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.audit.models import AuditAction, AuditActor, AuditEntry


class Actor:
    """Who acts: build with :meth:`staff`, :meth:`employer`, :meth:`partner` or :meth:`system`."""

    __slots__ = ("id", "kind", "label")

    def __init__(self, kind: AuditActor, id_: UUID | None = None, label: str = "") -> None:
        self.kind = kind
        self.id = id_
        self.label = label

    @classmethod
    def staff(cls, user: object) -> Actor:
        """A staff account (``StaffUser``): its id and email."""
        return cls(AuditActor.STAFF, getattr(user, "id", None), str(getattr(user, "email", "")))

    @classmethod
    def employer(cls, member_id: UUID | None, member_name: str = "") -> Actor:
        """A member employer, through its portal login or a signed mail link."""
        return cls(AuditActor.EMPLOYER, member_id, member_name)

    @classmethod
    def partner(cls) -> Actor:
        """The partner through their status link (no label: they act on their own data)."""
        return cls(AuditActor.PARTNER)

    @classmethod
    def system(cls, label: str = "") -> Actor:
        """A scheduled job (purge, reminders)."""
        return cls(AuditActor.SYSTEM, None, label)


def record(
    session: AsyncSession,
    actor: Actor,
    action: AuditAction,
    *,
    profile_id: UUID | None = None,
    profile_number: int | None = None,
    detail: str = "",
) -> AuditEntry:
    """Add one entry for one profile (or, without a profile, for a list such as an export)."""
    entry = AuditEntry(
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label[:254],
        action=action,
        profile_id=profile_id,
        profile_number=profile_number,
        detail=detail[:200],
    )
    session.add(entry)
    return entry


def record_many(
    session: AsyncSession,
    actor: Actor,
    action: AuditAction,
    profiles: Iterable[tuple[UUID, int]],
    detail: str = "",
) -> int:
    """One entry per ``(profile_id, number)``, e.g. for every profile in an export; returns how many."""
    rows = [
        {
            "actor_kind": str(actor.kind),
            "actor_id": actor.id,
            "actor_label": actor.label[:254],
            "action": str(action),
            "profile_id": pid,
            "profile_number": number,
            "detail": detail[:200],
        }
        for pid, number in profiles
    ]
    session.add_all(AuditEntry(**row) for row in rows)
    return len(rows)


async def entries_for_profile(
    session: AsyncSession, profile_id: UUID, limit: int | None = None
) -> Sequence[AuditEntry]:
    """A profile's entries, newest first; the newest ``limit`` of them (an index on profile and time serves both).

    Each coordinator's look at a profile adds one, so a profile in use for a while has hundreds.
    """
    stmt = select(AuditEntry).where(AuditEntry.profile_id == profile_id).order_by(AuditEntry.created_at.desc())
    rows = await session.scalars(stmt if limit is None else stmt.limit(limit))
    return rows.all()


async def list_entries(
    session: AsyncSession,
    *,
    action: AuditAction | None = None,
    actor_kind: AuditActor | None = None,
    profile_number: int | None = None,
    since: dt.datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[AuditEntry], int]:
    """A filtered page of the log, newest first, and the total count (filtering and paging in SQL)."""
    stmt = select(AuditEntry)
    if action is not None:
        stmt = stmt.where(AuditEntry.action == action)
    if actor_kind is not None:
        stmt = stmt.where(AuditEntry.actor_kind == actor_kind)
    if profile_number is not None:
        stmt = stmt.where(AuditEntry.profile_number == profile_number)
    if since is not None:
        stmt = stmt.where(AuditEntry.created_at >= since)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.scalars(stmt.order_by(AuditEntry.created_at.desc()).offset(offset).limit(limit))
    return rows.all(), int(total or 0)

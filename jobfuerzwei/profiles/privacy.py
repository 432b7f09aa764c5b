"""Partner profiles: what the partner may see, take away and erase of the stored data.

The circulation and referral history (status page and export), the "download my data" export, deleting a profile
with everything about it, and purging unconfirmed profiles together with CV files no row refers to (left behind when
a transaction failed after its file was written). As in ``profiles.services``, nothing here commits, and files are
deleted only after their rows are gone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.audit import services as audit
from jobfuerzwei.audit.models import AuditAction, AuditActor, AuditEntry
from jobfuerzwei.circulation.models import Answer, CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import Member
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.outbox import delete_for_profile
from jobfuerzwei.profiles.models import Profile, ProfileStatus
from jobfuerzwei.profiles.services import CV_NAME, KEEPABLE, cv_path, member_names
from jobfuerzwei.referrals.models import Referral

log = logging.getLogger("jobfuerzwei.profiles")

ORPHAN_FILE_AGE = dt.timedelta(days=1)
RETENTION_ACTOR = "Aufbewahrungsfrist"
"""Audit label of deletions by the retention rules."""


# --- circulation and referral history (status page and export) -----------------------------------------------------


@dataclass(frozen=True)
class CirculationView:
    """One member that received the profile."""

    member_name: str
    sent_at: dt.datetime
    answer: Answer | None
    answered_at: dt.datetime | None


@dataclass(frozen=True)
class ReferralView:
    """An interested member and where the referral stands."""

    referral: Referral
    member_name: str
    events: list[Any] = field(default_factory=list)


async def circulation_history(session: AsyncSession, profile_id: UUID) -> list[CirculationView]:
    """Which member received the profile when, and its answer."""
    rows = await session.execute(
        select(CirculationRecipient, Member.name)
        .join(Member, Member.id == CirculationRecipient.member_id)
        .where(CirculationRecipient.profile_id == profile_id)
        .order_by(CirculationRecipient.created_at, Member.name)
    )
    return [
        CirculationView(member_name=name, sent_at=r.created_at, answer=r.answer, answered_at=r.answered_at)
        for r, name in rows.tuples()
    ]


async def referral_history(session: AsyncSession, profile_id: UUID) -> list[ReferralView]:
    """The profile's referrals with member names and events (oldest first)."""
    rows = await session.execute(
        select(Referral, Member.name)
        .join(Member, Member.id == Referral.member_id)
        .where(Referral.profile_id == profile_id)
        .order_by(Referral.created_at)
    )
    return [ReferralView(referral=r, member_name=name, events=list(r.events)) for r, name in rows.tuples()]


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export_profile(session: AsyncSession, settings: Settings, profile: Profile) -> dict[str, Any]:
    """Everything stored about the partner, as plain JSON values (the "download my data" file)."""
    names = await member_names(
        session,
        [p.member_id for p in profile.permissions]
        + ([profile.recruiting_member_id] if profile.recruiting_member_id else []),
    )
    path = cv_path(settings, profile)
    return {
        "exported_at": _iso(utcnow()),
        "profile": {
            "reference": profile.reference,
            "status": str(profile.status),
            "registered_at": _iso(profile.created_at),
            "applicant_name": profile.applicant_name,
            "applicant_email": profile.applicant_email,
            "recruiting_member": names.get(profile.recruiting_member_id) if profile.recruiting_member_id else None,
            "partner_name": profile.partner_name,
            "partner_email": profile.partner_email,
            "partner_phone": profile.partner_phone,
            "residence": profile.residence,
            "move_date": _iso(profile.move_date),
            "occupations": list(profile.occupations),
            "qualification": str(profile.qualification),
            "experience_years": profile.experience_years,
            "summary": profile.summary,
            "skills": list(profile.skills),
            "languages": [dict(entry) for entry in profile.languages],
            "working_time": str(profile.working_time),
            "earliest_start": _iso(profile.earliest_start),
            "work_municipalities": list(profile.work_municipalities),
            "work_postcode": profile.work_postcode,
            "work_radius_km": profile.work_radius_km,
            "notes": profile.notes,
            "cv": {"size_bytes": profile.cv_size} if path is not None else None,
            "confirmed_at": _iso(profile.confirmed_at),
            "approved_at": _iso(profile.approved_at),
            "rejected_reason": profile.rejected_reason,
            "placed_at": _iso(profile.placed_at),
        },
        "consents": [
            {
                "kind": str(c.kind),
                "text_version": c.text_version,
                "recipients": [dict(r) for r in c.recipients],
                "given_at": _iso(c.given_at),
            }
            for c in profile.consents
        ],
        "permissions": [
            {"member": names.get(p.member_id, ""), "is_allowed": p.is_allowed, "decided_at": _iso(p.decided_at)}
            for p in sorted(profile.permissions, key=lambda p: names.get(p.member_id, ""))
        ],
        "circulations": [
            {
                "member": c.member_name,
                "sent_at": _iso(c.sent_at),
                "answer": str(c.answer) if c.answer else None,
                "answered_at": _iso(c.answered_at),
            }
            for c in await circulation_history(session, profile.id)
        ],
        "referrals": [
            {
                "member": v.member_name,
                "state": str(v.referral.state),
                "close_reason": str(v.referral.close_reason) if v.referral.close_reason else None,
                "contact_release": str(v.referral.contact_release),
                "contact_released_at": _iso(v.referral.contact_released_at),
                "created_at": _iso(v.referral.created_at),
                "events": [
                    {
                        "at": _iso(e.created_at),
                        "from_state": str(e.from_state) if e.from_state else None,
                        "to_state": str(e.to_state),
                        "close_reason": str(e.close_reason) if e.close_reason else None,
                        "actor": str(e.actor),
                        "note": e.note,
                    }
                    for e in v.events
                ],
            }
            for v in await referral_history(session, profile.id)
        ],
        "accesses": [
            {
                "at": _iso(entry.created_at),
                "who": _access_who(entry),
                "action": str(entry.action),
                "detail": entry.detail,
            }
            for entry in await audit.entries_for_profile(session, profile.id)
        ],
    }


def _access_who(entry: AuditEntry) -> str:
    """Who accessed the profile, as the partner may learn it: the member by name, the coordination as a role."""
    if entry.actor_kind == AuditActor.EMPLOYER:
        return _("Mitglied: %(name)s") % {"name": entry.actor_label}
    kind = AuditActor(entry.actor_kind)
    if kind == AuditActor.STAFF:
        return _("Koordination")
    if kind == AuditActor.PARTNER:
        return _("Sie selbst")
    return _("System")


# --- retention -----------------------------------------------------------------------------------------------------


def retention_deadline(settings: Settings, profile: Profile) -> dt.datetime | None:
    """When an inactive profile will be deleted, once its partner was asked in the current cycle; else ``None``.

    The partner always has ``ask_days`` after the question, also when the question went out late (worker down).
    """
    asked = profile.retention_asked_at
    if profile.status not in KEEPABLE or asked is None or asked < profile.last_activity_at:
        return None
    retention = settings.retention
    return max(
        profile.last_activity_at + dt.timedelta(days=retention.inactive_days),
        asked + dt.timedelta(days=retention.ask_days),
    )


# --- deletion ------------------------------------------------------------------------------------------------------


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


async def delete_profile(session: AsyncSession, settings: Settings, profile: Profile) -> None:
    """Erase a profile with everything about it.

    Its rows (consents, permissions, tokens, circulations and referrals cascade), every outbox copy of its mails, its
    CV file, and the duplicates that were merged into it.
    """
    merged = list(await session.scalars(select(Profile).where(Profile.merged_into_id == profile.id)))
    files: list[Path] = []
    for victim in [*merged, profile]:
        path = cv_path(settings, victim)
        if path is not None:
            files.append(path)
        await delete_for_profile(session, victim.id)
        await session.delete(victim)
    await session.flush()
    for path in files:
        await asyncio.to_thread(_unlink, path)


async def purge_unconfirmed(session: AsyncSession, settings: Settings, now: dt.datetime | None = None) -> int:
    """Delete profiles left unconfirmed longer than ``settings.unconfirmed_retention_days``; returns their number.

    Each deletion is audited. Also removes CV files that no profile refers to and that are older than a day (a
    registration whose transaction failed after its file was written).
    """
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=settings.unconfirmed_retention_days)
    stale = list(
        await session.scalars(
            select(Profile).where(Profile.status == ProfileStatus.UNCONFIRMED, Profile.created_at < cutoff)
        )
    )
    for profile in stale:
        audit.record(
            session,
            audit.Actor.system(RETENTION_ACTOR),
            AuditAction.DELETED,
            profile_id=profile.id,
            profile_number=profile.number,
            detail=f"Ohne Einwilligung nach {settings.unconfirmed_retention_days} Tagen",
        )
        await delete_profile(session, settings, profile)
    await _remove_orphan_files(session, settings, now)
    if stale:
        log.info("purged %d unconfirmed profile(s)", len(stale))
    return len(stale)


def _old_files(folder: Path, before: float) -> list[Path]:
    if not folder.is_dir():
        return []
    return [p for p in folder.iterdir() if CV_NAME.match(p.name) and p.stat().st_mtime < before]


async def _remove_orphan_files(session: AsyncSession, settings: Settings, now: dt.datetime) -> None:
    before = (now - ORPHAN_FILE_AGE).timestamp()
    candidates = await asyncio.to_thread(_old_files, settings.upload_dir, before)
    if not candidates:
        return
    known = set(await session.scalars(select(Profile.cv_file).where(Profile.cv_file.in_([p.name for p in candidates]))))
    for path in candidates:
        if path.name not in known:
            await asyncio.to_thread(_unlink, path)

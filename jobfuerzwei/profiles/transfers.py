"""Job-to-job profiles ("Wechselprofile") from the releasing member's side: registration and figures.

A member registers employees it must let go; each employee then gets the same double opt-in as a partner and
controls the profile on the same pages. The field rules are those of ``validate_profile_form`` (one source of
truth); this module only maps the member's input onto that form and words the messages for an employee.
Services never commit: the request owns the transaction, so a CSV import is stored all at once or not at all.
The CSV import itself (parsing, checking, the signed preview) lives in ``profiles.transfers_csv``.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.circulation.models import CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.i18n import N_, gettext
from jobfuerzwei.profiles.models import Profile, ProfileKind, ProfileStatus
from jobfuerzwei.profiles.schemas import LANGUAGE_ROWS, validate_profile_form
from jobfuerzwei.profiles.services import register_profile
from jobfuerzwei.referrals.models import Referral, ReferralState

log = logging.getLogger("jobfuerzwei.profiles.transfers")

TRANSFER_MAIL = "transfer_confirm"
HIDDEN_STATUSES = {ProfileStatus.WITHDRAWN, ProfileStatus.MERGED}
"""The employee withdrew (or the coordinator merged a duplicate): the member sees reference and status only."""

TRANSFER_FIELDS = (
    "partner_name",
    "partner_email",
    "partner_phone",
    "residence",
    "occupations",
    "qualification",
    "experience_years",
    "summary",
    "skills",
    *(f"{kind}_{i}" for i in range(LANGUAGE_ROWS) for kind in ("language", "level")),
    "working_time",
    "earliest_start",
    "work_municipalities",
    "work_postcode",
    "work_radius_km",
)
"""Form fields of the single form; the partner-only ones (recruiting member, move date, notes) are left out."""

# The shared validator words two messages for an applicant registering a partner; the member registers an employee.
_EMPLOYEE_MESSAGES = {
    "partner_name": N_("Bitte geben Sie den Namen der Mitarbeiterin bzw. des Mitarbeiters ein."),
    "partner_email": N_("Bitte geben Sie die E-Mail-Adresse der Mitarbeiterin bzw. des Mitarbeiters ein."),
}
DUPLICATE_EMAIL = N_("Für diese E-Mail-Adresse hat Ihre Organisation bereits ein Wechselprofil angelegt.")
"""A German message id: translate with ``gettext`` where it is shown."""

# --- validation (single form and CSV rows) ---------------------------------------------------------------------------


def validate_transfer_form(form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate an employee's fields with the partner-profile rules; messages worded for the member."""
    data, errors = validate_profile_form(form, members=())
    for name, message in _EMPLOYEE_MESSAGES.items():
        if name in errors and not str(form.get(name) or "").strip():
            errors[name] = gettext(message)
    return data, errors


async def registered_emails(session: AsyncSession, member_id: UUID) -> set[str]:
    """Addresses of the member's existing job-to-job profiles (a second opt-in mail to the same person would nag)."""
    rows = await session.scalars(
        select(Profile.partner_email).where(
            Profile.kind == ProfileKind.JOB_TO_JOB, Profile.releasing_member_id == member_id
        )
    )
    return {email.lower() for email in rows}


# --- registration ---------------------------------------------------------------------------------------------------


async def register_transfer(
    session: AsyncSession,
    settings: Settings,
    member: Member,
    data: dict[str, Any],
    registered_by: MemberContact,
) -> Profile:
    """An unconfirmed job-to-job profile released by ``member`` and the employee's double opt-in mail."""
    profile = await register_profile(
        session,
        settings,
        {**data, "kind": ProfileKind.JOB_TO_JOB, "releasing_member_id": member.id},
        applicant_name=registered_by.name or registered_by.email,
        applicant_email=registered_by.email,
        mail_template=TRANSFER_MAIL,
        mail_context={"member_name": member.name},
    )
    log.info("job-to-job profile registered (number %s, member %s)", profile.number, member.id)
    return profile


# --- the member's overview ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferRow:
    """One of the member's job-to-job profiles as the member may see it."""

    profile: Profile
    is_hidden: bool
    """Withdrawn or merged: only reference and status are shown."""
    is_circulating: bool


@dataclass(frozen=True)
class Placement:
    """Where the member's people were hired (sector and municipality of the hiring member, never its name)."""

    sector: str
    municipality: str
    count: int
    median_days: float | None


@dataclass(frozen=True)
class TransferFigures:
    """Counts over the member's job-to-job profiles."""

    registered: int
    confirmed: int
    circulating: int
    placed: int
    median_days: float | None
    """Median days from the coordinator's approval to the hire, over placed profiles."""
    placements: list[Placement]


async def list_transfers(session: AsyncSession, member_id: UUID) -> list[TransferRow]:
    """The member's job-to-job profiles, newest first (deleted ones are gone with their rows)."""
    sent = exists().where(CirculationRecipient.profile_id == Profile.id)
    rows = await session.execute(
        select(Profile, sent)
        .where(Profile.kind == ProfileKind.JOB_TO_JOB, Profile.releasing_member_id == member_id)
        .order_by(Profile.created_at.desc(), Profile.number.desc())
    )
    return [
        TransferRow(
            profile=profile,
            is_hidden=profile.status in HIDDEN_STATUSES,
            is_circulating=profile.status == ProfileStatus.APPROVED and bool(is_sent),
        )
        for profile, is_sent in rows.tuples()
    ]


def _days(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds() / 86400, 0.0)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


async def transfer_figures(session: AsyncSession, member_id: UUID, rows: list[TransferRow]) -> TransferFigures:
    """Registered, confirmed, circulating and placed counts, and where and how fast people were placed."""
    placed = [r.profile for r in rows if r.profile.status == ProfileStatus.PLACED]
    hires = await session.execute(
        select(Referral.profile_id, Member.sector, Member.municipality)
        .join(Member, Member.id == Referral.member_id)
        .where(Referral.state == ReferralState.HIRED, Referral.profile_id.in_([p.id for p in placed]))
    )
    where = {profile_id: (sector, municipality) for profile_id, sector, municipality in hires.tuples()}
    groups: dict[tuple[str, str], list[float | None]] = {}
    for profile in placed:
        groups.setdefault(where.get(profile.id, ("", "")), []).append(_days(profile.approved_at, profile.placed_at))
    placements = [
        Placement(
            sector=sector,
            municipality=municipality,
            count=len(days),
            median_days=_median([d for d in days if d is not None]),
        )
        for (sector, municipality), days in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    all_days = [d for days in groups.values() for d in days if d is not None]
    return TransferFigures(
        registered=len(rows),
        confirmed=sum(1 for r in rows if r.profile.confirmed_at is not None),
        circulating=sum(1 for r in rows if r.is_circulating),
        placed=len(placed),
        median_days=_median(all_days),
        placements=placements,
    )

"""Rows of the results: the anonymised profile and referral lists, and the rows of the coordinator's exports.

Only the listed columns are read; unconfirmed profiles (no consent yet) are never listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.db.paging import ListPage
from jobfuerzwei.employers.models import Member
from jobfuerzwei.profiles.models import Profile, ProfileKind, ProfileStatus
from jobfuerzwei.referrals.models import CloseReason, Referral, ReferralEvent, ReferralState
from jobfuerzwei.results.filters import Filters, profile_conditions, referral_conditions
from jobfuerzwei.results.services import MemberAnswers, member_answers

# --- anonymised lists -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileRow:
    """A profile as observers see it: no names, no contact data, no free text."""

    id: UUID
    number: int
    kind: ProfileKind
    status: ProfileStatus
    occupations: list[str]
    residence: str
    work_municipalities: list[str]
    registered_at: dt.datetime
    approved_at: dt.datetime | None
    placed_at: dt.datetime | None

    @property
    def reference(self) -> str:
        """``JFZ-0042``."""
        return f"JFZ-{self.number:04d}"


@dataclass(frozen=True)
class ReferralRow:
    """A referral as observers see it: profile number, member, stages and dates, no notes."""

    id: UUID
    profile_id: UUID
    number: int
    kind: ProfileKind
    member_name: str
    member_sector: str
    state: ReferralState
    close_reason: CloseReason | None
    opened_at: dt.datetime
    changed_at: dt.datetime
    """The last step of its history (reminders and clean-ups touch the row, not the history)."""
    placed_at: dt.datetime | None

    @property
    def reference(self) -> str:
        """``JFZ-0042``."""
        return f"JFZ-{self.number:04d}"


_PROFILE_COLUMNS = (
    Profile.id,
    Profile.number,
    Profile.kind,
    Profile.status,
    Profile.occupations,
    Profile.residence,
    Profile.work_municipalities,
    Profile.created_at,
    Profile.approved_at,
    Profile.placed_at,
)


def _listable_profiles(f: Filters, status: ProfileStatus | None) -> list[ColumnElement[bool]]:
    conds = [Profile.status != ProfileStatus.UNCONFIRMED, *profile_conditions(f)]
    if status is not None:
        conds.append(Profile.status == status)
    return conds


def _clamp(page: int, total: int, per_page: int) -> int:
    return max(1, min(page, max(1, -(-total // per_page))))


def _profile_row(row: Any) -> ProfileRow:
    return ProfileRow(
        id=row[0],
        number=row[1],
        kind=ProfileKind(row[2]),
        status=ProfileStatus(row[3]),
        occupations=list(row[4] or []),
        residence=row[5],
        work_municipalities=list(row[6] or []),
        registered_at=row[7],
        approved_at=row[8],
        placed_at=row[9],
    )


async def profile_rows(
    session: AsyncSession, f: Filters, *, status: ProfileStatus | None = None, page: int = 1, per_page: int = 50
) -> ListPage[ProfileRow]:
    """The anonymised profile list (newest first); only the listed columns are read."""
    conds = _listable_profiles(f, status)
    total = int(await session.scalar(select(func.count()).select_from(Profile).where(*conds)) or 0)
    page = _clamp(page, total, per_page)
    rows = await session.execute(
        select(*_PROFILE_COLUMNS)
        .where(*conds)
        .order_by(Profile.number.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return ListPage([_profile_row(r) for r in rows], total, page, per_page)


_last_step = (
    select(func.max(ReferralEvent.created_at)).where(ReferralEvent.referral_id == Referral.id).scalar_subquery()
)


def _referral_select() -> Select[Any]:
    return (
        select(
            Referral.id,
            Referral.profile_id,
            Profile.number,
            Profile.kind,
            Member.name,
            Member.sector,
            Referral.state,
            Referral.close_reason,
            Referral.created_at,
            func.coalesce(_last_step, Referral.created_at),
            case((Referral.state == ReferralState.HIRED, Profile.placed_at), else_=None),
        )
        .join(Profile, Profile.id == Referral.profile_id)
        .join(Member, Member.id == Referral.member_id)
    )


def _referral_row(row: Any) -> ReferralRow:
    return ReferralRow(
        id=row[0],
        profile_id=row[1],
        number=row[2],
        kind=ProfileKind(row[3]),
        member_name=row[4],
        member_sector=row[5],
        state=ReferralState(row[6]),
        close_reason=CloseReason(row[7]) if row[7] else None,
        opened_at=row[8],
        changed_at=row[9],
        placed_at=row[10],
    )


def _listable_referrals(f: Filters, state: ReferralState | None) -> list[ColumnElement[bool]]:
    conds = referral_conditions(f)
    if state is not None:
        conds.append(Referral.state == state)
    return conds


async def referral_rows(
    session: AsyncSession, f: Filters, *, state: ReferralState | None = None, page: int = 1, per_page: int = 50
) -> ListPage[ReferralRow]:
    """The anonymised referral list (newest interest first)."""
    conds = _listable_referrals(f, state)
    total = int(await session.scalar(select(func.count()).select_from(Referral).where(*conds)) or 0)
    page = _clamp(page, total, per_page)
    rows = await session.execute(
        _referral_select()
        .where(*conds)
        .order_by(Referral.created_at.desc(), Profile.number.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return ListPage([_referral_row(r) for r in rows], total, page, per_page)


async def all_referral_rows(session: AsyncSession, f: Filters) -> list[ReferralRow]:
    """Every referral of the selection (exports), oldest first."""
    rows = await session.execute(
        _referral_select().where(*referral_conditions(f)).order_by(Referral.created_at, Profile.number)
    )
    return [_referral_row(r) for r in rows]


async def all_profile_rows(session: AsyncSession, f: Filters) -> list[ProfileRow]:
    """Every listable profile of the selection (exports), by number."""
    rows = await session.execute(select(*_PROFILE_COLUMNS).where(*_listable_profiles(f, None)).order_by(Profile.number))
    return [_profile_row(r) for r in rows]


# --- export rows (coordinator) ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileDetails:
    """A profile for the coordinator's export; the contact fields are filled only when asked for."""

    row: ProfileRow
    qualification: str
    experience_years: int
    working_time: str
    member_name: str
    """Recruiting member (partner profiles) or releasing member (job-to-job profiles)."""
    applicant_name: str = ""
    applicant_email: str = ""
    partner_name: str = ""
    partner_email: str = ""
    partner_phone: str = ""


async def profile_details(session: AsyncSession, f: Filters, *, with_contacts: bool) -> list[ProfileDetails]:
    """Every listable profile of the selection with the coordinator's columns (one query)."""
    owner = func.coalesce(Profile.releasing_member_id, Profile.recruiting_member_id)
    contact_columns = (
        (Profile.applicant_name, Profile.applicant_email, Profile.partner_name, Profile.partner_email)
        if with_contacts
        else ()
    )
    phone = (Profile.partner_phone,) if with_contacts else ()
    stmt = (
        select(
            *_PROFILE_COLUMNS,
            Profile.qualification,
            Profile.experience_years,
            Profile.working_time,
            Member.name,
            *contact_columns,
            *phone,
        )
        .outerjoin(Member, Member.id == owner)
        .where(*_listable_profiles(f, None))
        .order_by(Profile.number)
    )
    out: list[ProfileDetails] = []
    n = len(_PROFILE_COLUMNS)
    for r in await session.execute(stmt):
        contacts = dict(
            zip(
                ("applicant_name", "applicant_email", "partner_name", "partner_email", "partner_phone"),
                r[n + 4 :],
                strict=False,
            )
        )
        out.append(
            ProfileDetails(
                row=_profile_row(r),
                qualification=r[n],
                experience_years=int(r[n + 1] or 0),
                working_time=r[n + 2],
                member_name=r[n + 3] or "",
                **contacts,
            )
        )
    return out


@dataclass(frozen=True)
class MemberRow:
    """A member with its figures in the selection; ``contacts`` only when asked for."""

    name: str
    sector: str
    municipality: str
    postcode: str
    is_active: bool
    joined_at: dt.datetime
    left_at: dt.datetime | None
    answers: MemberAnswers | None
    referrals: int
    hires: int
    contacts: list[str]


async def member_rows(session: AsyncSession, f: Filters, *, with_contacts: bool) -> list[MemberRow]:
    """Every member (of the sector), with answers, referrals and hires in the selection (three or four queries)."""
    answers = {a.member_id: a for a in await member_answers(session, f)}
    referral_counts = await session.execute(
        select(
            Referral.member_id,
            func.count(),
            func.coalesce(func.sum(case((Referral.state == ReferralState.HIRED, 1), else_=0)), 0),
        )
        .where(*referral_conditions(f))
        .group_by(Referral.member_id)
    )
    referrals = {member_id: (int(n), int(hired)) for member_id, n, hired in referral_counts.tuples()}
    where = [Member.sector == f.sector] if f.sector else []
    if with_contacts:
        members = list(await session.scalars(select(Member).where(*where).order_by(Member.name)))
        base = [
            (m.id, m.name, m.sector, m.municipality, m.postcode, m.is_active, m.joined_at, m.left_at) for m in members
        ]
        emails = {m.id: [f"{c.name} <{c.email}>" if c.name else c.email for c in m.contacts] for m in members}
    else:
        result = await session.execute(
            select(
                Member.id,
                Member.name,
                Member.sector,
                Member.municipality,
                Member.postcode,
                Member.is_active,
                Member.joined_at,
                Member.left_at,
            )
            .where(*where)
            .order_by(Member.name)
        )
        base = list(result.tuples())
        emails = {}
    return [
        MemberRow(
            name=name,
            sector=sector,
            municipality=municipality,
            postcode=postcode,
            is_active=is_active,
            joined_at=joined_at,
            left_at=left_at,
            answers=answers.get(member_id),
            referrals=referrals.get(member_id, (0, 0))[0],
            hires=referrals.get(member_id, (0, 0))[1],
            contacts=emails.get(member_id, []),
        )
        for member_id, name, sector, municipality, postcode, is_active, joined_at, left_at in base
    ]

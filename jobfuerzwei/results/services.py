"""Results (Auswertung): the network's figures over one filter (see ``results.filters`` for what it means per figure).

Every count is aggregated in SQL, and ``figures`` costs a fixed number of queries whatever the data size. Medians
need the single durations: those are fetched in one query each (the two timestamps, not a dialect-specific
difference) and the median is taken in Python, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import statistics
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from uuid import UUID

from sqlalchemy import Double, Engine, case, cast, distinct, func, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.circulation.models import Answer, Circulation, CirculationRecipient
from jobfuerzwei.db.changes import VersionedCache, per_engine
from jobfuerzwei.employers.models import Member
from jobfuerzwei.profiles.models import Profile, ProfileKind, ProfileStatus
from jobfuerzwei.referrals.models import FUNNEL, CloseReason, Referral, ReferralState
from jobfuerzwei.results.filters import (
    BERLIN,
    Filters,
    placement_conditions,
    profile_conditions,
    recipient_conditions,
    referral_conditions,
    sectors,
)

MAX_MONTHS = 120
"""The placements-per-month series shows at most this many months (the newest)."""

FIGURES_WORK_MEM = "64MB"
"""PostgreSQL's sort memory for the transaction that computes the figures (see ``figures``)."""

MEMBERS_SHOWN = 50
"""The dashboard and the yearly report list this many members' answers (those that received the most profiles);
the full list is a page of its own and in the exports."""


# --- figures ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberAnswers:
    """How one member answers the profiles it receives."""

    member_id: UUID
    name: str
    sector: str
    received: int
    answered: int
    interested: int
    median_answer_days: float | None

    @property
    def rate(self) -> float | None:
        """Share of received profiles answered (0-1), ``None`` when nothing was received."""
        return self.answered / self.received if self.received else None


@dataclass(frozen=True)
class FunnelStep:
    """How many referrals reached a stage (at some point, whatever their state now)."""

    state: ReferralState
    reached: int
    share: float | None
    """Of the referrals that reached the first stage (0-1)."""


@dataclass(frozen=True)
class MonthCount:
    """Placements in one calendar month."""

    month: dt.date
    """The first day of the month."""
    count: int

    @property
    def label(self) -> str:
        """``03/2026``."""
        return f"{self.month:%m/%Y}"


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard, the yearly report and the figures export show."""

    filters: Filters
    profiles: dict[ProfileStatus, dict[ProfileKind, int]]
    circulations: int
    recipients: int
    answered: int
    interested: int
    median_answer_days: float | None
    members: list[MemberAnswers]
    funnel: list[FunnelStep]
    referral_states: dict[ReferralState, int]
    close_reasons: dict[CloseReason, int]
    placements: int
    placements_by_month: list[MonthCount]
    median_days_to_hire: float | None

    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)
    """What pages derive from the figures (charts per language), kept with them while they are cached."""

    @cached_property
    def members_shown(self) -> list[MemberAnswers]:
        """The ``MEMBERS_SHOWN`` members that received the most profiles, in the order of the full list (by name)."""
        if len(self.members) <= MEMBERS_SHOWN:
            return self.members
        busiest = sorted(self.members, key=lambda m: (-m.received, m.name))[:MEMBERS_SHOWN]
        chosen = {m.member_id for m in busiest}
        return [m for m in self.members if m.member_id in chosen]

    @property
    def answer_rate(self) -> float | None:
        """Share of all sent profiles that were answered (0-1)."""
        return self.answered / self.recipients if self.recipients else None

    @property
    def profile_total(self) -> int:
        """All profiles in the selection."""
        return sum(sum(by_kind.values()) for by_kind in self.profiles.values())

    def profiles_of_kind(self, kind: ProfileKind) -> int:
        """Profiles of one type in the selection."""
        return sum(by_kind[kind] for by_kind in self.profiles.values())

    def profiles_of_status(self, status: ProfileStatus) -> int:
        """Profiles of one status in the selection (both types)."""
        return sum(self.profiles[status].values())

    @property
    def referral_total(self) -> int:
        """Referrals in the selection."""
        return sum(self.referral_states.values())


async def profile_matrix(session: AsyncSession, f: Filters) -> dict[ProfileStatus, dict[ProfileKind, int]]:
    """Profiles per status and type (every cell present, zero when none)."""
    rows = await session.execute(
        select(Profile.status, Profile.kind, func.count())
        .where(*profile_conditions(f))
        .group_by(Profile.status, Profile.kind)
    )
    matrix = {status: dict.fromkeys(ProfileKind, 0) for status in ProfileStatus}
    for status, kind, n in rows.tuples():
        matrix[ProfileStatus(status)][ProfileKind(kind)] = n
    return matrix


@dataclass(frozen=True)
class CirculationTotals:
    """Sending rounds and what came back."""

    circulations: int
    recipients: int
    answered: int
    interested: int


async def circulation_totals(session: AsyncSession, f: Filters) -> CirculationTotals:
    """Sending rounds (that reached a member of the selection), recipients, answers and "Interesse" answers."""
    row = (
        await session.execute(
            select(
                func.count(distinct(CirculationRecipient.circulation_id)),
                func.count(),
                func.count(CirculationRecipient.answered_at),
                func.coalesce(func.sum(case((CirculationRecipient.answer == Answer.INTERESTED, 1), else_=0)), 0),
            )
            .select_from(CirculationRecipient)
            .join(Circulation, Circulation.id == CirculationRecipient.circulation_id)
            .where(*recipient_conditions(f))
        )
    ).one()
    return CirculationTotals(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def _days(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 86400


def _median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


@dataclass(frozen=True)
class AnswerMedians:
    """Median days from sending to the answer: over the whole selection and per member."""

    overall: float | None
    per_member: dict[UUID, float]


async def answer_medians(session: AsyncSession, f: Filters) -> AnswerMedians:
    """The answer times' medians; a negative time (clock skew) counts as 0 days.

    PostgreSQL takes them in SQL (``percentile_cont(0.5)``, the same interpolated median as ``statistics.median``):
    at national size there are half a million answers. SQLite has no ordered-set aggregates; there the durations
    are fetched and the medians taken in Python.
    """
    answered = (CirculationRecipient.answered_at.is_not(None), *recipient_conditions(f))
    if session.get_bind().dialect.name != "postgresql":
        by_member: dict[UUID, list[float]] = {}
        for member_id, days in await answer_durations(session, f):
            by_member.setdefault(member_id, []).append(days)
        every = [days for durations in by_member.values() for days in durations]
        return AnswerMedians(
            overall=_median(every),
            per_member={member_id: float(statistics.median(days)) for member_id, days in by_member.items()},
        )
    seconds = cast(func.extract("epoch", CirculationRecipient.answered_at - Circulation.created_at), Double)
    median = func.percentile_cont(0.5).within_group(func.greatest(seconds, 0.0) / 86400.0)
    member = CirculationRecipient.member_id
    # per member and over all in one pass over the joined rows (GROUPING SETS): 1.5 s → 0.7–0.9 s at national size
    rows = await session.execute(
        select(member, func.grouping(member), median)
        .join(Circulation, Circulation.id == CirculationRecipient.circulation_id)
        .where(*answered)
        .group_by(func.grouping_sets(tuple_(member), tuple_()))
    )
    overall: float | None = None
    per_member: dict[UUID, float] = {}
    for member_id, is_total, days in rows.tuples():
        if is_total:
            overall = float(days) if days is not None else None
        elif days is not None:
            per_member[member_id] = float(days)
    return AnswerMedians(overall=overall, per_member=per_member)


async def answer_durations(session: AsyncSession, f: Filters) -> list[tuple[UUID, float]]:
    """``(member_id, days from sending to the answer)`` of every answer in the selection."""
    rows = await session.execute(
        select(CirculationRecipient.member_id, Circulation.created_at, CirculationRecipient.answered_at)
        .join(Circulation, Circulation.id == CirculationRecipient.circulation_id)
        .where(CirculationRecipient.answered_at.is_not(None), *recipient_conditions(f))
    )
    return [(member_id, max(0.0, _days(sent, answered))) for member_id, sent, answered in rows.tuples() if answered]


async def member_answers(
    session: AsyncSession, f: Filters, medians: AnswerMedians | None = None
) -> list[MemberAnswers]:
    """Per member that received profiles in the selection: received, answered, interested, median answer time."""
    rows = await session.execute(
        select(
            Member.id,
            Member.name,
            Member.sector,
            func.count(),
            func.count(CirculationRecipient.answered_at),
            func.coalesce(func.sum(case((CirculationRecipient.answer == Answer.INTERESTED, 1), else_=0)), 0),
        )
        .select_from(CirculationRecipient)
        .join(Circulation, Circulation.id == CirculationRecipient.circulation_id)
        .join(Member, Member.id == CirculationRecipient.member_id)
        .where(*recipient_conditions(f))
        .group_by(Member.id, Member.name, Member.sector)
        .order_by(Member.name)
    )
    if medians is None:
        medians = await answer_medians(session, f)
    return [
        MemberAnswers(
            member_id=member_id,
            name=name,
            sector=sector,
            received=int(received),
            answered=int(answered),
            interested=int(interested),
            median_answer_days=medians.per_member.get(member_id),
        )
        for member_id, name, sector, received, answered, interested in rows.tuples()
    ]


async def referral_funnel(session: AsyncSession, f: Filters) -> list[FunnelStep]:
    """How many referrals of the selection reached each stage.

    A referral reached the furthest stage any of its steps went to (``Referral.reached_stage``, kept with each
    event: the coordinator may jump steps in one event, e.g. in contact → hired). Closed referrals count up to where
    they got.
    """
    rows = await session.execute(
        select(Referral.reached_stage, func.count()).where(*referral_conditions(f)).group_by(Referral.reached_stage)
    )
    at_stage = {int(stage): int(n) for stage, n in rows.tuples()}
    counts = [sum(n for stage, n in at_stage.items() if stage >= i) for i in range(1, len(FUNNEL) + 1)]
    first = counts[0]
    return [
        FunnelStep(state=state, reached=n, share=(n / first if first else None))
        for state, n in zip(FUNNEL, counts, strict=True)
    ]


async def referral_states(session: AsyncSession, f: Filters) -> tuple[dict[ReferralState, int], dict[CloseReason, int]]:
    """Referrals of the selection per current state, and the closed ones per reason."""
    rows = await session.execute(
        select(Referral.state, Referral.close_reason, func.count())
        .where(*referral_conditions(f))
        .group_by(Referral.state, Referral.close_reason)
    )
    states = dict.fromkeys(ReferralState, 0)
    reasons = dict.fromkeys(CloseReason, 0)
    for state, reason, n in rows.tuples():
        states[ReferralState(state)] += n
        if state == ReferralState.CLOSED and reason:
            reasons[CloseReason(reason)] += n
    return states, reasons


@dataclass(frozen=True)
class Placements:
    """Placements of the selection: how many, per month, and the median days from approval to hire."""

    count: int
    by_month: list[MonthCount]
    median_days_to_hire: float | None


async def placements(session: AsyncSession, f: Filters) -> Placements:
    """Placements with their month and approval-to-hire time.

    The placement instants are fetched (one row per placement, needed for the median anyway) and counted per Berlin
    calendar month here, so the months match the period's Berlin days on both databases. With a period of two dates
    the series covers all its months; otherwise it runs from the first to the newest placement. Empty months count.
    """
    rows = (
        await session.execute(select(Profile.placed_at, Profile.approved_at).where(*placement_conditions(f)))
    ).tuples()
    months: dict[dt.date, int] = {}
    durations: list[float] = []
    count = 0
    for placed_at, approved_at in rows:
        if placed_at is None:
            continue
        count += 1
        month = placed_at.astimezone(BERLIN).date().replace(day=1)
        months[month] = months.get(month, 0) + 1
        if approved_at is not None:
            durations.append(max(0.0, _days(approved_at, placed_at)))
    return Placements(count=count, by_month=month_series(months, f), median_days_to_hire=_median(durations))


def month_series(months: Mapping[dt.date, int], f: Filters) -> list[MonthCount]:
    """Counts per month (first days) as a gapless series over the period or the months present (newest 120)."""
    if f.start and f.end:
        first, last = f.start.replace(day=1), f.end.replace(day=1)
    elif months:
        first = f.start.replace(day=1) if f.start else min(months)
        last = f.end.replace(day=1) if f.end else max(months)
    else:
        return []
    series: list[MonthCount] = []
    month = first
    while month <= last:
        series.append(MonthCount(month, months.get(month, 0)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return series[-MAX_MONTHS:]


async def figures(session: AsyncSession, f: Filters) -> Figures:
    """All figures of one selection (a fixed number of queries, whatever the data size).

    On PostgreSQL the transaction gets ``work_mem`` for sorting half a million answer times in memory (the
    server's default of 4 MB spills them to disk and triples the time).
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text(f"SET LOCAL work_mem = '{FIGURES_WORK_MEM}'"))
    totals = await circulation_totals(session, f)
    medians = await answer_medians(session, f)
    states, reasons = await referral_states(session, f)
    placed = await placements(session, f)
    return Figures(
        filters=f,
        profiles=await profile_matrix(session, f),
        circulations=totals.circulations,
        recipients=totals.recipients,
        answered=totals.answered,
        interested=totals.interested,
        median_answer_days=medians.overall,
        members=await member_answers(session, f, medians),
        funnel=await referral_funnel(session, f),
        referral_states=states,
        close_reasons=reasons,
        placements=placed.count,
        placements_by_month=placed.by_month,
        median_days_to_hire=placed.median_days_to_hire,
    )


# --- kept between requests --------------------------------------------------------------------------------------

_caches: weakref.WeakKeyDictionary[Engine, VersionedCache[Any]] = weakref.WeakKeyDictionary()


def _cache(session: AsyncSession) -> VersionedCache[Any]:
    return per_engine(_caches, session, VersionedCache)


async def cached_figures(session: AsyncSession, f: Filters) -> Figures:
    """``figures``, computed once per filter and data version (``db.changes``): exact, never stale.

    At national size (100,000 profiles, 750,000 recipients, 1,000,000 referral events) the figures take seconds to
    compute; the dashboard, its charts, the report and the figures export share them until the data changes.
    """
    result: Figures = await _cache(session).get(session, ("figures", f), lambda s: figures(s, f))
    return result


async def cached_sectors(session: AsyncSession) -> list[str]:
    """``filters.sectors`` per data version (the choices of every results page's filter)."""
    result: list[str] = await _cache(session).get(session, "sectors", sectors)
    return result

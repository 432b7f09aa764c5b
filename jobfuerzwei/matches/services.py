"""Matching on stored data: members for a profile, profiles for a position, and the coverage model.

Builds the plain facts of ``jobfuerzwei.matching`` from the database (lean Core selects: a national network ranks
thousands of needs per request) and hands them to the pure ranking and coverage code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.employers.models import Member, Position
from jobfuerzwei.matches.cache import (
    MEMBER_COLUMNS,
    POSITION_COLUMNS,
    NeedSnapshot,
    cache_for,
    interest_needs,
    position_need,
)
from jobfuerzwei.matching.coverage import Coverage, by_member
from jobfuerzwei.matching.coverage import model as coverage_model
from jobfuerzwei.matching.facts import Fit, Language, Need, Person, Place
from jobfuerzwei.matching.ranking import german, rank_people
from jobfuerzwei.profiles.models import Profile, ProfileKind, ProfileStatus

ACTIVE = (ProfileStatus.APPROVED,)
"""Profiles that take part in matching: approved and not paused, placed, withdrawn or merged."""


def person_from_profile(profile: Profile) -> Person:
    """What the matching sees of a profile: no name, no contact data."""
    return Person(
        key=str(profile.id),
        occupations=tuple(profile.occupations),
        occupation_uris=tuple(profile.occupation_uris),
        skills=tuple(profile.skills),
        languages=tuple(Language(x.get("language", ""), x.get("level", "")) for x in profile.languages),
        working_time=str(profile.working_time),
        earliest_start=profile.earliest_start,
        place=Place(
            postcode=profile.work_postcode,
            municipalities=tuple(profile.work_municipalities),
            radius_km=profile.work_radius_km,
        ),
        label=profile.reference,
    )


async def load_needs(
    session: AsyncSession, member_ids: Collection[UUID] | None = None, *, interests: bool = True
) -> list[Need]:
    """Open positions (and, with ``interests``, fields of interest) of the active members, or of ``member_ids``."""
    stmt = select(*MEMBER_COLUMNS).where(Member.is_active.is_(True))
    if member_ids is not None:
        stmt = stmt.where(Member.id.in_(list(member_ids)))
    members = {row.id: row for row in await session.execute(stmt)}
    needs: list[Need] = []
    if interests:
        for m in members.values():
            needs.extend(interest_needs(m))
    positions = await session.execute(select(*POSITION_COLUMNS).where(Position.is_open.is_(True)))
    for row in positions:
        member = members.get(row.member_id)
        if member is not None:
            needs.append(position_need(row, member.name, member.postcode, member.municipality))
    return needs


@dataclass(frozen=True)
class MemberFit:
    """A member's fit for a profile: the best of its positions and fields of interest."""

    member_id: UUID
    score: float
    fit: Fit | None
    need_title: str = ""
    is_position: bool = False

    @property
    def matched_terms(self) -> list[str]:
        """Reasons as short texts (stored with each circulation recipient)."""
        return [german(term) for term in self.fit.matched] if self.fit else []


def best_per_member(snapshot: NeedSnapshot, person: Person, settings: Settings) -> dict[UUID, MemberFit]:
    """Rank all needs of the snapshot for the person and keep each member's best one."""
    by_key = snapshot.needs_by_key
    best: dict[UUID, MemberFit] = {}
    for fit in snapshot.best_per_member(person, settings.matching.weights):
        need = by_key[fit.need_key]
        member_id = UUID(need.member_key)
        if member_id not in best:  # one per member, best first
            best[member_id] = MemberFit(
                member_id=member_id,
                score=fit.score,
                fit=fit,
                need_title=need.title,
                is_position=not need.key.startswith("interest:"),
            )
    return best


async def rank_members(
    session: AsyncSession, settings: Settings, profile: Profile, member_ids: Collection[UUID] | None = None
) -> dict[UUID, MemberFit]:
    """Each active member's best fit for the profile (members without any fitting need are missing).

    Ranks the whole network from the cached needs (``matches.cache``) and keeps ``member_ids``: a member's best
    fit does not depend on the other members' needs.
    """
    snapshot = await cache_for(session).snapshot(session)
    best = best_per_member(snapshot, person_from_profile(profile), settings)
    if member_ids is None:
        return best
    wanted = set(member_ids)
    return {member_id: fit for member_id, fit in best.items() if member_id in wanted}


@dataclass(frozen=True)
class ProfileFit:
    """An active profile's fit for a position."""

    profile: Profile
    fit: Fit


async def active_profiles(
    session: AsyncSession, kind: ProfileKind | None = None, *, releasing_member_id: UUID | None = None
) -> list[Profile]:
    """Approved profiles (the pool of the matching), oldest first; or only one releasing member's staff."""
    stmt = select(Profile).where(Profile.status.in_(ACTIVE))
    if kind is not None:
        stmt = stmt.where(Profile.kind == kind)
    if releasing_member_id is not None:
        stmt = stmt.where(Profile.releasing_member_id == releasing_member_id)
    return list(await session.scalars(stmt.order_by(Profile.number)))


async def rank_profiles_for_position(
    session: AsyncSession, settings: Settings, position: Position, *, limit: int = 50
) -> list[ProfileFit]:
    """The active profiles ranked for one open position (best first, unrelated ones left out)."""
    member = await session.get(Member, position.member_id)
    if member is None:
        return []
    need = position_need(position, member.name, member.postcode, member.municipality)
    profiles = await active_profiles(session)
    by_key = {str(p.id): p for p in profiles}
    people = [person_from_profile(p) for p in profiles]
    fits = rank_people(need, people, settings.matching.weights, limit=limit, min_score=1.0)
    return [ProfileFit(profile=by_key[f.person_key], fit=f) for f in fits]


@dataclass(frozen=True)
class CoverageResult:
    """A coverage model on stored data, with what the page and the export need."""

    coverage: Coverage
    people: list[Person]
    needs: list[Need]
    scores: np.ndarray[Any, Any]
    computed_at: dt.datetime

    def per_member(self) -> list[tuple[str, int, int]]:
        """(member, needs, filled) per member, most needs first: the chart's and the table's rows."""
        rows = [(m.member_label, m.total, m.filled) for m in by_member(self.coverage, self.needs)]
        return sorted(rows, key=lambda r: (-r[1], r[0]))


async def coverage(
    session: AsyncSession,
    settings: Settings,
    *,
    member_ids: Collection[UUID] | None,
    kind: ProfileKind | None,
    threshold: float,
    releasing_member_id: UUID | None = None,
) -> CoverageResult:
    """The Modellrechnung: open positions of the chosen members (all when ``None``) against the active profiles.

    With ``releasing_member_id`` the pool is that member's staff (job-to-job profiles it registered) and its own
    positions are left out of the needs: the "how many of our people can the network take" question.
    """
    needs = await load_needs(session, member_ids, interests=False)
    if releasing_member_id is not None:
        releasing = str(releasing_member_id)
        needs = [n for n in needs if n.member_key != releasing]
    pool = await active_profiles(session, kind, releasing_member_id=releasing_member_id)
    people = [person_from_profile(p) for p in pool]
    result, scores = coverage_model(people, needs, settings.matching.weights, threshold)
    return CoverageResult(
        coverage=result, people=people, needs=needs, scores=scores, computed_at=dt.datetime.now(dt.UTC)
    )

"""The network's needs (fields of interest and open positions) kept between requests, rebuilt row by row.

Ranking a profile against the whole network (the circulation page, and its "Senden" which ranks again) needs every
active member's fields of interest and open positions. Reading and parsing thousands of rows per request costs
more than the ranking itself. Each call here reads only ``(id, updated_at)`` of the active members and the open
positions, rebuilds the needs of rows that are new or changed, drops those that are gone, and reuses the
``NeedIndex`` while nothing changed.

Every write through SQLAlchemy sets ``updated_at`` (``onupdate`` applies to ORM flushes and Core updates alike), so
a change made by this process or another one (a second app server, a worker) is seen on the next call. A row is
fetched after its version was read, so the cache never holds older data under a newer version; when a row changes
in between, the next call sees a different version and reads it again.
"""

from __future__ import annotations

import weakref
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, String, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.db.changes import per_engine
from jobfuerzwei.employers.models import Member, Position
from jobfuerzwei.matching.facts import Fit, Language, Need, Person, Place, Weights
from jobfuerzwei.matching.index import NeedIndex
from jobfuerzwei.matching.scoring import split_terms

_FETCH_ALL_SHARE = 0.5
"""When more rows than this share changed, read them all instead of listing their ids."""

_RANKINGS_KEPT = 32
"""Rankings kept per snapshot (one per profile recently ranked)."""

MEMBER_COLUMNS = (Member.id, Member.name, Member.interests, Member.postcode, Member.municipality)
POSITION_COLUMNS = (
    Position.id,
    Position.member_id,
    Position.title,
    Position.esco_uri,
    Position.skills,
    Position.languages,
    Position.working_time,
    Position.start_date,
    Position.postcode,
    Position.municipality,
)


def interest_needs(member: Any) -> list[Need]:
    """A member's fields of interest (a ``Member`` or a row with its columns) as needs at the member's place.

    They stay unclassified (matched by text; see ``Member.interests``) and carry no requirements.
    """
    member_id, name = member.id, member.name
    lines = split_terms(member.interests)
    municipality = member.municipality
    place = Place(postcode=member.postcode, municipalities=(municipality,) if municipality else ())
    return [
        Need(
            key=f"interest:{member_id}:{n}",
            member_key=str(member_id),
            title=line,
            place=place,
            member_label=name,
        )
        for n, line in enumerate(lines)
    ]


def position_need(row: Any, member_name: str, member_postcode: str, member_municipality: str) -> Need:
    """An open position (a ``Position`` or a row with its columns) as a need, at the member's place unless its own."""
    municipality = row.municipality or member_municipality
    return Need(
        key=str(row.id),
        member_key=str(row.member_id),
        title=row.title,
        occupation_uri=row.esco_uri,
        skills=tuple(row.skills),
        languages=tuple(Language(x.get("language", ""), x.get("level", "")) for x in row.languages),
        working_time=row.working_time,
        start=row.start_date,
        place=Place(postcode=row.postcode or member_postcode, municipalities=(municipality,) if municipality else ()),
        member_label=member_name,
    )


@dataclass
class _MemberEntry:
    version: object
    row: Any
    interests: list[Need]


@dataclass
class _PositionEntry:
    version: tuple[object, object]
    """The position's and its member's ``updated_at`` (a position's need carries the member's name and place)."""
    need: Need


@dataclass
class NeedSnapshot:
    """The needs of one moment, with their index built on first use."""

    members: dict[UUID, _MemberEntry]
    positions: dict[UUID, _PositionEntry]
    _needs: list[Need] | None = None
    _index: NeedIndex | None = field(default=None, repr=False)
    _ranked: dict[tuple[Person, Weights], list[Fit]] = field(default_factory=dict, repr=False)

    @property
    def needs(self) -> list[Need]:
        """Fields of interest of every active member, then the open positions."""
        if self._needs is None:
            self._needs = [n for m in self.members.values() for n in m.interests]
            self._needs.extend(p.need for p in self.positions.values())
        return self._needs

    @cached_property
    def needs_by_key(self) -> dict[str, Need]:
        """The needs by their key."""
        return {n.key: n for n in self.needs}

    @property
    def index(self) -> NeedIndex:
        """The ranking index over ``needs`` (built once per snapshot)."""
        if self._index is None:
            self._index = NeedIndex(self.needs)
        return self._index

    def best_per_member(self, person: Person, weights: Weights) -> list[Fit]:
        """Each member's best fit for the person, best first.

        Kept for the snapshot's life: the circulation page ranks a profile, and its "Senden" ranks the same
        profile again a moment later.
        """
        key = (person, weights)
        fits = self._ranked.get(key)
        if fits is None:
            fits = self.index.rank(person, weights, limit=None, per_member=True)
            if len(self._ranked) >= _RANKINGS_KEPT:
                self._ranked.pop(next(iter(self._ranked)))
            self._ranked[key] = fits
        return list(fits)

    def member_rows(self) -> dict[UUID, Any]:
        """The active members' rows (id, name, interests, postcode, municipality)."""
        return {member_id: entry.row for member_id, entry in self.members.items()}


class NeedCache:
    """The needs of one database (see the module doc); ``snapshot`` brings them up to date."""

    def __init__(self) -> None:
        self._current = NeedSnapshot(members={}, positions={})

    async def snapshot(self, session: AsyncSession) -> NeedSnapshot:
        """The needs as the database has them now; the same object (and index) while nothing changed."""
        old = self._current
        member_versions = dict(
            (
                await session.execute(
                    select(Member.id, type_coerce(Member.updated_at, String)).where(Member.is_active.is_(True))
                )
            )
            .tuples()
            .all()
        )
        position_versions = {
            pid: (member_id, version)
            for pid, member_id, version in (
                await session.execute(
                    select(Position.id, Position.member_id, type_coerce(Position.updated_at, String)).where(
                        Position.is_open.is_(True)
                    )
                )
            ).tuples()
        }
        changed_members = [
            mid for mid, v in member_versions.items() if mid not in old.members or old.members[mid].version != v
        ]
        members = {mid: old.members[mid] for mid in member_versions if mid not in changed_members}
        for row in await _rows(session, MEMBER_COLUMNS, Member.id, changed_members, len(member_versions)):
            if row.id in member_versions:  # a member that became active between the two reads waits for next time
                members[row.id] = _MemberEntry(version=member_versions[row.id], row=row, interests=interest_needs(row))

        def version(pid: UUID) -> tuple[object, object] | None:
            member_id, own = position_versions[pid]
            entry = members.get(member_id)
            return None if entry is None else (own, entry.version)

        wanted = {pid: v for pid in position_versions if (v := version(pid)) is not None}
        changed_positions = [
            pid for pid, v in wanted.items() if pid not in old.positions or old.positions[pid].version != v
        ]
        positions = {pid: old.positions[pid] for pid in wanted if pid not in changed_positions}
        for row in await _rows(session, POSITION_COLUMNS, Position.id, changed_positions, len(position_versions)):
            member = members.get(row.member_id)
            if row.id in wanted and member is not None:
                need = position_need(row, member.row.name, member.row.postcode, member.row.municipality)
                positions[row.id] = _PositionEntry(version=wanted[row.id], need=need)
        unchanged = not changed_members and not changed_positions
        if unchanged and members.keys() == old.members.keys() and positions.keys() == old.positions.keys():
            return old
        # keep the order of the database's ids stable, so equal scores rank alike whatever changed
        snapshot = NeedSnapshot(
            members={mid: members[mid] for mid in member_versions if mid in members},
            positions={pid: positions[pid] for pid in position_versions if pid in positions},
        )
        self._current = snapshot
        return snapshot


async def _rows(
    session: AsyncSession, columns: tuple[Any, ...], key: Any, ids: Collection[UUID], total: int
) -> list[Any]:
    if not ids:
        return []
    stmt = select(*columns)
    if len(ids) <= total * _FETCH_ALL_SHARE:
        stmt = stmt.where(key.in_(list(ids)))
    return list(await session.execute(stmt))


_caches: weakref.WeakKeyDictionary[Engine, NeedCache] = weakref.WeakKeyDictionary()


def cache_for(session: AsyncSession) -> NeedCache:
    """The cache of the session's database (one per engine, gone with it)."""
    return per_engine(_caches, session, NeedCache)

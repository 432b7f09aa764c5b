"""The needs cache (``matches.cache``): every change to members and positions shows in the next ranking.

Each test ranks once to fill the cache, changes the data through a *second* engine (as another app server or a
worker would: nothing in this process is told), and ranks again on the first one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.db.engine import create_engine
from jobfuerzwei.employers.models import Member, Position
from jobfuerzwei.matches.cache import cache_for
from jobfuerzwei.matches.services import load_needs, rank_members
from jobfuerzwei.profiles.models import Profile
from tests.circulation.helpers import make_member, make_profile


@pytest.fixture
async def other(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on an engine of their own: another process, as far as the cache can tell."""
    engine = create_engine(database_url, null_pool=True)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def _rank(maker: async_sessionmaker[AsyncSession], settings: Settings, profile: Profile) -> dict[str, float]:
    async with maker() as session:
        fits = await rank_members(session, settings, profile)
        names = dict((await session.execute(select(Member.id, Member.name))).tuples().all())
    return {names[member_id]: fit.score for member_id, fit in fits.items()}


async def _same_as_uncached(maker: async_sessionmaker[AsyncSession]) -> None:
    """The cached needs equal a fresh read (same needs, same order)."""
    async with maker() as session:
        cached = (await cache_for(session).snapshot(session)).needs
        fresh = await load_needs(session)
    assert sorted(cached, key=lambda n: n.key) == sorted(fresh, key=lambda n: n.key)


@pytest.fixture
def maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def test_changes_from_another_engine_show_in_the_next_ranking(
    maker: async_sessionmaker[AsyncSession],
    other: async_sessionmaker[AsyncSession],
    db_session: AsyncSession,
    settings: Settings,
) -> None:
    klinik = await make_member(db_session, "Klinik Nord", interests="Pflegefachkraft")
    werk = await make_member(db_session, "Werk Süd", interests="Industriemechaniker")
    profile = await make_profile(db_session, allowed=[klinik, werk])
    before = await _rank(maker, settings, profile)
    assert before["Klinik Nord"] > before.get("Werk Süd", 0.0)
    await _same_as_uncached(maker)

    # an open position that fits: Werk Süd now ranks (the member row itself is unchanged)
    async with other() as session, session.begin():
        session.add(Position(member_id=werk.id, title="Pflegefachkraft Betriebssanitäter"))
    after_position = await _rank(maker, settings, profile)
    assert after_position.get("Werk Süd", 0.0) > before.get("Werk Süd", 0.0)
    await _same_as_uncached(maker)

    # the member's fields of interest change (a Core update, as a bulk edit would do)
    async with other() as session, session.begin():
        await session.execute(update(Member).where(Member.id == klinik.id).values(interests="Buchhaltung"))
    after_interests = await _rank(maker, settings, profile)
    assert after_interests.get("Klinik Nord", 0.0) < before["Klinik Nord"]
    await _same_as_uncached(maker)

    # the position is closed, then the member leaves the network
    async with other() as session, session.begin():
        await session.execute(update(Position).where(Position.member_id == werk.id).values(is_open=False))
    assert (await _rank(maker, settings, profile)).get("Werk Süd", 0.0) == before.get("Werk Süd", 0.0)
    async with other() as session, session.begin():
        await session.execute(update(Member).where(Member.id == werk.id).values(is_active=False))
    assert "Werk Süd" not in await _rank(maker, settings, profile)
    await _same_as_uncached(maker)

    # a renamed member: its position needs carry the new name (they embed the member's name and place)
    async with other() as session, session.begin():
        await session.execute(update(Member).where(Member.id == werk.id).values(is_active=True, name="Werk West"))
    async with maker() as session:
        snapshot = await cache_for(session).snapshot(session)
    labels = {n.member_label for n in snapshot.needs if n.member_key == str(werk.id)}
    assert labels == {"Werk West"}
    await _same_as_uncached(maker)

    # deleted rows are gone from the cache
    async with other() as session, session.begin():
        await session.execute(delete(Position).where(Position.member_id == werk.id))
    await _same_as_uncached(maker)


async def test_the_snapshot_and_its_ranking_are_reused_while_nothing_changes(
    maker: async_sessionmaker[AsyncSession],
    other: async_sessionmaker[AsyncSession],
    db_session: AsyncSession,
    settings: Settings,
) -> None:
    member = await make_member(db_session, "Klinik Nord", interests="Pflegefachkraft", open_positions="Stationsleitung")
    profile = await make_profile(db_session, allowed=[member])
    async with maker() as session:
        first = await cache_for(session).snapshot(session)
        await rank_members(session, settings, profile)
        index = first.index
    async with maker() as session:
        second = await cache_for(session).snapshot(session)
        assert second is first
        assert second.index is index
        ranked_again = await rank_members(session, settings, profile)
    assert list(ranked_again) == [member.id]

    async with other() as session, session.begin():
        await session.execute(update(Position).values(title="Pflegedienstleitung"))
    async with maker() as session:
        third = await cache_for(session).snapshot(session)
    assert third is not first
    assert {n.title for n in third.needs} == {"Pflegefachkraft", "Pflegedienstleitung"}


async def test_each_database_has_its_own_cache(
    engine: AsyncEngine, other: async_sessionmaker[AsyncSession], db_session: AsyncSession
) -> None:
    await make_member(db_session, "Klinik Nord", interests="Pflegefachkraft")
    async with async_sessionmaker(engine)() as a, other() as b:
        assert cache_for(a) is not cache_for(b)
        assert cache_for(a) is cache_for(a)

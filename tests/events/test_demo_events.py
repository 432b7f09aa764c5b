"""The demo network comes with upcoming events: one full with a waiting list, one online, one not yet invited."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.demo import load_demo
from jobfuerzwei.events import services


async def test_demo_loads_upcoming_events_with_answers(
    logged_in_client: AsyncTestClient[Litestar],
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    db_session: AsyncSession,
) -> None:
    assert await load_demo(session_maker, settings) is True

    upcoming, past = await services.list_events(db_session)
    assert not past
    by_title = {s.event.title: s for s in upcoming}
    winter = by_title["Netzwerktreffen Winter: Dual Career in Ostwürttemberg"]
    assert winter.count("attending") == winter.event.capacity == 4
    assert winter.count("waiting") == 2
    assert winter.invited > 40
    page = await logged_in_client.get(f"/coordinator/events/{winter.event.id}")
    assert page.status_code == 200
    assert "Warteliste (2)" in page.text
    listing = await logged_in_client.get("/coordinator/events")
    assert "Fachkräftekonferenz Ostwürttemberg 2027" in listing.text

"""The demo offers load with the demo network and make a catalogue worth looking at."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.demo import load_demo
from jobfuerzwei.employers.models import MemberContact
from jobfuerzwei.offers.fixtures import read_offers
from jobfuerzwei.offers.models import Offer, OfferStatus
from tests.offers.test_catalogue import titles


async def test_demo_offers_are_loaded_with_the_network(
    client: AsyncTestClient[Litestar],
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    db_session: AsyncSession,
) -> None:
    records = read_offers()
    assert 10 <= len(records) <= 15
    assert all(r.get("link", "https://").startswith("https://") for r in records)

    assert await load_demo(session_maker, settings) is True

    offers = list(await db_session.scalars(select(Offer)))
    assert len(offers) == len(records)
    [submitted] = [o for o in offers if o.status == OfferStatus.SUBMITTED]
    contact = await db_session.get(MemberContact, submitted.submitted_by_id)
    assert contact is not None
    assert contact.member_id == submitted.member_id
    catalogue = await client.get("/angebote")
    shown = titles(catalogue.text)
    assert len(shown) == len(records) - 2  # the submission waits; the job fair is over
    assert "Jobmesse Ostwürttemberg im Frühjahr" not in shown
    assert "Zentrale Kita-Platzvergabe Aalen für zuziehende Familien" in shown
    kita = await client.get("/angebote?kategorie=childcare&ort=Aalen")
    assert titles(kita.text) == ["Zentrale Kita-Platzvergabe Aalen für zuziehende Familien"]

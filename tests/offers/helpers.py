"""Test data for the offers tests: committed offers and a valid offer form."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.offers.models import Offer, OfferCategory, OfferStatus, ProviderType


async def make_offer(session: AsyncSession, title: str = "Kita-Platzvermittlung", **values: Any) -> Offer:
    """A committed offer, published unless ``status`` is given; pass column values to override."""
    now = utcnow()
    fields: dict[str, Any] = {
        "provider_name": "Stadt Aalen",
        "provider_type": ProviderType.MUNICIPALITY,
        "category": OfferCategory.CHILDCARE,
        "title": title,
        "description": "Hilfe bei der Suche nach einem Betreuungsplatz.",
        "place": "Aalen",
        "languages": ["Deutsch"],
        "link": "https://www.aalen.example/kita",
        "contact": "",
        "status": OfferStatus.PUBLISHED,
        "published_at": now,
    }
    fields.update(values)
    offer = Offer(**fields)
    session.add(offer)
    await session.commit()
    return offer


async def fresh(session: AsyncSession, offer_id: Any) -> Offer:
    """The offer as stored now."""
    found = await session.scalar(select(Offer).where(Offer.id == offer_id).execution_options(populate_existing=True))
    assert found is not None
    return found


def offer_form(**overrides: str) -> dict[str, str]:
    """A valid member offer form as the browser posts it."""
    form = {
        "category": "relocation",
        "title": "Möblierte Übergangswohnung",
        "description": "Für neue Beschäftigte und ihre Familien: drei Monate mietfrei.",
        "place": "Oberkochen",
        "languages": "Deutsch, englisch",
        "link": "https://www.optikwerk.example/relocation",
        "contact": "relocation@optikwerk.example",
        "valid_until": "",
        "action": "submit",
    }
    form.update(overrides)
    return form

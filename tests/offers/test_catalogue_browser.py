"""The public catalogue in headless Chromium against the served app: search and filter by form, open an offer,
page through the results. Plain GET forms, so the same works without JavaScript."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.offers.models import OfferCategory
from tests.e2e.conftest import browser, live_server, page
from tests.offers.helpers import make_offer

__all__ = ["browser", "live_server", "page"]
pytestmark = pytest.mark.browser


async def test_search_filter_open_and_page_through_the_catalogue(
    page: Page, live_server: str, db_session: AsyncSession
) -> None:
    now = utcnow()
    await make_offer(db_session, "Kita-Platzvermittlung Aalen", place="Aalen", published_at=now)
    await make_offer(
        db_session,
        "Kinderbetreuung Heidenheim",
        place="Heidenheim an der Brenz",
        published_at=now - dt.timedelta(minutes=1),
    )
    await make_offer(
        db_session,
        "Deutschkurs am Abend",
        category=OfferCategory.LANGUAGE_COURSE,
        description="Integrationskurs, Kita während des Kurses.",
        published_at=now - dt.timedelta(minutes=2),
    )
    for i in range(12):
        await make_offer(
            db_session,
            f"Beratung {i:02d}",
            category=OfferCategory.ADVICE,
            place="online",
            published_at=now - dt.timedelta(hours=1, minutes=i),
        )

    await page.goto(f"{live_server}/")
    await page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Angebote").click()
    await expect(page.get_by_role("heading", level=2, name="15 Angebote")).to_be_visible()

    await page.get_by_label("Suchbegriff").fill("kita")
    await page.get_by_role("button", name="Suchen").click()
    await expect(page.get_by_role("heading", level=2, name="2 Angebote zu Ihrer Auswahl")).to_be_visible()
    results = page.locator(".offer-list h3")
    await expect(results).to_have_text(["Kita-Platzvermittlung Aalen", "Deutschkurs am Abend"])

    await page.get_by_label("Kategorie").select_option(label="Kinderbetreuung")
    await page.get_by_label("Ort", exact=True).select_option(label="Heidenheim an der Brenz")
    await page.get_by_role("button", name="Suchen").click()
    await expect(page.get_by_text("Zu Ihrer Auswahl gibt es derzeit kein Angebot.")).to_be_visible()
    await expect(page.get_by_label("Suchbegriff")).to_have_value("kita")

    await page.get_by_label("Suchbegriff").fill("")
    await page.get_by_role("button", name="Suchen").click()
    await expect(results).to_have_text(["Kinderbetreuung Heidenheim"])
    await page.get_by_role("link", name="Kinderbetreuung Heidenheim").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Kinderbetreuung Heidenheim")

    await page.get_by_role("link", name="« Alle Angebote").click()
    await page.get_by_label("Kategorie").select_option(label="Beratung")
    await page.get_by_role("button", name="Suchen").click()
    await expect(page.get_by_text("Seite 1 von 2")).to_be_visible()
    await page.get_by_role("link", name="Weiter »").click()
    await expect(results).to_have_text(["Beratung 10", "Beratung 11"])
    assert "kategorie=advice" in page.url

"""The coordinator workspace in headless Chromium: a meeting with one place is planned and two members are invited;
the first contact takes the place from the mailed link, the second lands on the waiting list and moves up when the
first declines. The results dashboard shows its charts with their tables."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.models import Member, MemberContact
from jobfuerzwei.staff.services import create_staff
from tests.conftest import Sink, links_in
from tests.coordinator.conftest import TOTP_SECRET
from tests.e2e.test_core_loop import COORDINATOR, _mail_to, coordinator_login

pytestmark = pytest.mark.browser

FIRST = "personal@ostalb-klinik.example"
SECOND = "ausbildung@haertsfeld.example"


async def _seed(maker: async_sessionmaker[AsyncSession]) -> None:
    async with maker() as session, session.begin():
        await create_staff(session, *COORDINATOR, name="Koordination", totp_secret=TOTP_SECRET)
        for name, address in (("Kliniken Ostalb", FIRST), ("Härtsfeld Werke", SECOND)):
            session.add(
                Member(
                    name=name,
                    sector="Gesundheit",
                    municipality="Aalen",
                    joined_at=utcnow() - dt.timedelta(days=30),
                    contacts=[MemberContact(email=address, name="Personal")],
                )
            )


async def _answer(page: Page, sink: Sink, address: str, subject: str, button: str) -> None:
    mail = await _mail_to(sink, address, subject)
    link = next(u for u in links_in(mail) if "/rsvp/" in u)
    await page.goto(link)
    await page.get_by_role("button", name=button).click()


async def test_meeting_with_one_place_fills_the_waiting_list_and_moves_it_up(
    live_server: str, page: Page, sink: Sink, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    await _seed(session_maker)
    await coordinator_login(page, live_server)

    await page.goto(f"{live_server}/coordinator/events/new")
    await page.fill("#title", "Netzwerktreffen Frühjahr")
    await page.fill("#date", (utcnow().date() + dt.timedelta(days=14)).isoformat())
    await page.fill("#start_time", "14:00")
    await page.fill("#end_time", "16:30")
    await page.fill("#place", "IHK Ostwürttemberg, Heidenheim")
    await page.fill("#capacity", "1")
    await page.get_by_role("button", name="Speichern").click()
    await page.get_by_role("link", name="Mitglieder einladen").click()
    await page.check("#scope-all")
    await page.get_by_role("button", name="Einladungen verschicken").click()

    await _answer(page, sink, FIRST, "Einladung", "Ich nehme teil")
    await expect(page.locator("#rsvp-status")).to_contain_text("zugesagt")
    await _answer(page, sink, SECOND, "Einladung", "Ich nehme teil")
    await expect(page.locator("#rsvp-status")).to_contain_text("Warteliste")
    await _answer(page, sink, FIRST, "Einladung", "Ich sage ab")
    await expect(page.locator("#rsvp-status")).to_contain_text("abgesagt")
    moved_up = await _mail_to(sink, SECOND, "Ein Platz für Sie")
    assert any(part.get_content_type() == "application/ics" for part in moved_up.walk())

    # The results dashboard: every chart is an image with a title, with its numbers in a table beside it.
    await page.goto(f"{live_server}/coordinator/results")
    pairs = page.locator(".chart-pair:has(svg[role=img])")
    await expect(pairs.first).to_be_visible()
    for index in range(await pairs.count()):
        assert await pairs.nth(index).locator("svg title").count() == 1
        assert await pairs.nth(index).locator("table").count() == 1
    await expect(page.locator("main")).to_contain_text(re.compile("Vermittlungen|Antwortquote"))

"""The employer's side in headless Chromium against the served app, with mails from the real SMTP sink:
an organisation applies ("Mitglied werden") → the coordinator approves → the approval mail's link sets the
password → first login → the member answers a circulated profile in its portal inbox → it moves the referral,
one step at a time, to hired."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.models import Member, ProfilePermission, Referral, ReferralState
from jobfuerzwei.staff.services import create_staff
from tests.circulation.helpers import make_profile
from tests.conftest import Sink, links_in
from tests.coordinator.conftest import TOTP_SECRET
from tests.e2e.test_core_loop import COORDINATOR, _mail_to, coordinator_login

pytestmark = pytest.mark.browser

CONTACT = "personal@haertsfeld-praezision.example"
PASSWORD = "Ein Satz aus mehreren Woertern 7"


async def _apply(page: Page, base: str) -> None:
    await page.goto(f"{base}/")
    await page.get_by_role("link", name="Mitglied werden").click()
    for field, value in [
        ("#organisation", "Härtsfeld Präzision GmbH"),
        ("#sector", "Maschinenbau"),
        ("#postcode", "73466"),
        ("#municipality", "Lauchheim"),
        ("#interests", "Pflegefachkraft"),
        ("#offer", "Stellen für Partnerinnen und Partner, Hilfe bei der Wohnungssuche."),
        ("#contact_name", "Petra Personal"),
        ("#contact_email", CONTACT),
    ]:
        await page.fill(field, value)
    await page.select_option("#size", "50-249")
    await page.check("#privacy")
    await page.get_by_role("button", name="Antrag senden").click()
    await expect(page.locator("main")).to_contain_text("Vielen Dank für Ihren Antrag")


async def test_member_joins_logs_in_answers_and_moves_its_referral_to_hired(
    live_server: str, page: Page, sink: Sink, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    async with session_maker() as session, session.begin():
        await create_staff(session, *COORDINATOR, name="Koordination", totp_secret=TOTP_SECRET)
    await _apply(page, live_server)
    await _mail_to(sink, CONTACT, "Antrag")

    # The coordinator approves: the member is created and its contact invited.
    await coordinator_login(page, live_server)
    await page.goto(f"{live_server}/coordinator/applications")
    await page.get_by_role("link", name="Härtsfeld Präzision GmbH").click()
    await page.get_by_role("button", name="Aufnehmen und einladen").click()
    await expect(page.locator("main")).to_contain_text("Mitglied aufgenommen")

    # A profile the partner allowed for the new member, circulated by the coordinator.
    async with session_maker() as session:
        member = await session.scalar(select(Member).where(Member.name == "Härtsfeld Präzision GmbH"))
        assert member is not None
        profile = await make_profile(session, occupations=["Pflegefachkraft"])
        session.add(ProfilePermission(profile_id=profile.id, member_id=member.id, is_allowed=True, decided_at=utcnow()))
        await session.commit()
    await page.goto(f"{live_server}/coordinator/profiles/{profile.id}/circulate")
    await page.get_by_role("checkbox", name=re.compile("Härtsfeld")).check()
    await page.get_by_role("button", name="Senden").click()
    await expect(page.locator("main")).to_contain_text("Gesendet", timeout=20_000)
    await page.get_by_role("button", name="Abmelden").click()

    # First login: the password is set through the approval mail's single-use link.
    welcome = await _mail_to(sink, CONTACT, "Willkommen")
    link = next(u for u in links_in(welcome) if "/portal/password/" in u)
    await page.goto(link)
    await page.fill("#password", PASSWORD)
    await page.fill("#password_repeat", PASSWORD)
    await page.get_by_role("button", name="Passwort speichern").click()
    await page.fill("#email", CONTACT)
    await page.fill("#password", PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()

    # The inbox shows the circulated profile; the member answers there.
    await expect(page.locator("main")).to_contain_text(profile.reference)
    await page.get_by_role("link", name=re.compile(profile.reference)).first.click()
    await page.get_by_role("button", name="Interesse melden").click()
    await _mail_to(sink, "maria.musterfrau@example.org", "Interesse")  # the partner is told, as from the mail link

    # The referral board: one step at a time, each with a note, up to hired.
    await page.get_by_role("link", name="Vermittlungen", exact=True).click()
    async with session_maker() as session:
        referral = await session.scalar(select(Referral).where(Referral.profile_id == profile.id))
        assert referral is not None
    for state, note in [
        ("in_contact", "Telefonat vereinbart"),
        ("interview", "Gespräch am Montag"),
        ("offer", "Angebot verschickt"),
        ("hired", "Vertrag unterschrieben"),
    ]:
        await page.select_option(f"#to_state-{referral.id}", state)
        await page.fill(f"#note-{referral.id}", note)
        await (
            page.locator(f"#to_state-{referral.id}")
            .locator("xpath=ancestor::form")
            .get_by_role("button", name="Speichern")
            .click()
        )
        await expect(page.locator("main")).to_contain_text("aktualisiert")
    async with session_maker() as session:
        hired = await session.scalar(select(Referral).where(Referral.id == referral.id))
        assert hired is not None
        assert hired.state == ReferralState.HIRED

"""The whole loop in headless Chromium against the served app, with mails taken from the real SMTP sink:
applicant registers → partner confirms via the mailed link → coordinator approves and circulates → an employer
clicks "Interesse" in the mail → coordinator moves the referral to hired → the overview shows 1 placement."""

from __future__ import annotations

import asyncio
import re
from email.message import EmailMessage

import pyotp
import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.models import Member, MemberContact, Position
from jobfuerzwei.staff.services import create_staff
from tests.conftest import Sink, links_in
from tests.coordinator.conftest import TOTP_SECRET, totp_code

pytestmark = pytest.mark.browser

COORDINATOR = ("koordination@ihk.example", "ein-langes-passwort-42")


async def _seed(maker: async_sessionmaker[AsyncSession]) -> None:
    async with maker() as session, session.begin():
        await create_staff(session, *COORDINATOR, name="Koordination")
        now = utcnow()
        session.add_all(
            [
                Member(
                    name="Klinikum Ostalb gGmbH",
                    sector="Gesundheit",
                    municipality="Aalen",
                    postcode="73430",
                    interests="Pflegefachkraft\nGesundheits- und Krankenpfleger",
                    positions=[Position(title="Pflegefachkraft Intensivstation")],
                    joined_at=now,
                    contacts=[MemberContact(email="personal@klinikum-ostalb.example")],
                ),
                Member(
                    name="Präzisionsmechanik Kocher GmbH",
                    sector="Maschinenbau",
                    municipality="Oberkochen",
                    postcode="73447",
                    interests="Industriemechaniker\nZerspanungsmechaniker",
                    positions=[Position(title="CNC-Fräser")],
                    joined_at=now,
                    contacts=[MemberContact(email="jobs@kocher-praezision.example")],
                ),
            ]
        )


async def _mail_to(sink: Sink, address: str, subject_part: str = "", timeout: float = 20) -> EmailMessage:
    for _ in range(int(timeout / 0.1)):
        found = [m for m in sink.to(address) if subject_part in str(m["Subject"])]
        if found:
            return found[-1]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no mail with {subject_part!r} arrived")


async def _register(page: Page, base: str) -> None:
    await page.goto(f"{base}/")
    await page.get_by_role("link", name=re.compile("Partnerprofil anmelden")).first.click()
    for field, value in [
        ("#applicant_name", "Jonas Berger"),
        ("#applicant_email", "jonas.berger@example.org"),
        ("#partner_name", "Maria Berger"),
        ("#partner_email", "maria.berger@example.org"),
        ("#residence", "Aalen"),
        ("#occupations", "Pflegefachkraft"),
        ("#experience_years", "6"),
        ("#summary", "Sechs Jahre Intensivpflege am Universitätsklinikum."),
        ("#skills", "Intensivpflege, Beatmung"),
        ("#language_0", "Deutsch"),
        ("#work_municipalities", "Aalen\nOberkochen"),
    ]:
        await page.fill(field, value)
    await page.select_option("#qualification", "apprenticeship")
    await page.select_option("#level_0", "C1")
    await page.select_option("#working_time", "either")
    await page.check("#applicant_consent")
    await page.get_by_role("button", name=re.compile("absenden|anmelden", re.IGNORECASE)).click()
    await expect(page.locator("main")).to_contain_text("Vielen Dank")


async def coordinator_login(page: Page, base: str) -> None:
    """Password, then the second factor: set up at the first login (the code typed from the shown secret)."""
    await page.goto(f"{base}/coordinator")
    await page.fill("#email", COORDINATOR[0])
    await page.fill("#password", COORDINATOR[1])
    await page.get_by_role("button", name="Anmelden").click()
    await page.wait_for_url(re.compile(r"/coordinator/login/(code|setup)"))
    if "/login/setup" in page.url:
        secret = (await page.locator("#totp-secret").inner_text()).replace(" ", "")
        await page.fill("#code", pyotp.TOTP(secret).now())
        await page.get_by_role("button", name="Einrichten und anmelden").click()
    else:
        await page.fill("#code", totp_code(TOTP_SECRET))
        await page.get_by_role("button", name="Bestätigen").click()
    await expect(page.locator(".flash")).to_contain_text("Sie sind angemeldet")


async def _approve_and_circulate(page: Page, base: str) -> None:
    await coordinator_login(page, base)
    await page.goto(f"{base}/coordinator/profiles")
    await page.get_by_role("link", name=re.compile("JFZ-")).first.click()
    await page.get_by_role("button", name="Freigeben").click()
    await page.get_by_role("link", name="Zirkulieren").click()
    await page.get_by_role("checkbox", name=re.compile("Klinikum Ostalb")).check()
    await page.get_by_role("button", name="Senden").click()
    await expect(page.locator("main")).to_contain_text("Gesendet", timeout=20_000)


async def test_core_loop_from_registration_to_placement(
    live_server: str, page: Page, sink: Sink, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    await _seed(session_maker)
    await _register(page, live_server)

    # Partner confirms through the link in the mail (only the POST button confirms).
    confirm_mail = await _mail_to(sink, "maria.berger@example.org")
    confirm_link = next(link for link in links_in(confirm_mail) if "/confirm/" in link)
    await page.goto(confirm_link)
    await page.get_by_role("button", name="Ich willige ein").click()
    await expect(page.locator("main")).to_contain_text("Einwilligung")

    await _approve_and_circulate(page, live_server)

    # The employer answers "Interesse" from the mail: the GET shows a confirmation, the POST records it.
    employer_mail = await _mail_to(sink, "personal@klinikum-ostalb.example")
    text = str(employer_mail.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    assert "Maria" not in text
    assert "maria.berger@example.org" not in text
    interest = next(link for link in links_in(employer_mail) if link.endswith("/answer/interested"))
    await page.goto(interest)
    await page.get_by_role("button", name=re.compile("Interesse")).click()
    await expect(page.locator("main")).to_contain_text("Interesse")
    await _mail_to(sink, "maria.berger@example.org", "Interesse")  # the partner is told

    # Coordinator moves the referral on (a step, then straight to hired); the overview counts the placement.
    await page.goto(f"{live_server}/coordinator/referrals")
    await page.get_by_role("link", name=re.compile("JFZ-")).first.click()
    for state in ("in_contact", "hired"):
        await page.select_option("#to_state", state)
        await page.get_by_role("button", name="Speichern").click()
        await expect(page.locator("main")).to_contain_text("aktualisiert")
    await page.goto(f"{live_server}/coordinator")
    await expect(page.locator("#placements")).to_have_text("1")

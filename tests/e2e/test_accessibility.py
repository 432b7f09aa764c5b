"""Accessibility (BITV 2.0 / WCAG 2.1 AA): axe-core in headless Chromium on every page of every role and on the
error states of the main forms (error summary and field errors), plus the 404/403/410 pages.

One served app with the demo network, a coordinator, an observer and a member contact with a portal login. Every
violation of the tags wcag2a, wcag2aa, wcag21a and wcag21aa on any page is collected, and the test fails once at
the end with all of them (page, rule, impact, selectors). axe-core comes from npm at a pinned version
(``tests/e2e/axe.py``).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from uuid import UUID, uuid4

import pyotp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.models import (
    Circulation,
    CirculationRecipient,
    Event,
    EventStatus,
    Invitation,
    MemberContact,
    MembershipApplication,
    Offer,
    OfferStatus,
    OutboxMessage,
    Position,
    Profile,
    ProfileStatus,
    Referral,
    StaffRole,
)
from jobfuerzwei.demo import load_demo
from jobfuerzwei.employers.mail_prefs import unsubscribe_signature
from jobfuerzwei.events.services import rsvp_signature
from jobfuerzwei.staff.services import create_staff, hash_password
from tests.coordinator.conftest import TOTP_SECRET, totp_code
from tests.e2e.axe import WCAG_TAGS, axe_path, format_violations
from tests.e2e.conftest import E2E_SECRET_KEY
from tests.e2e.test_core_loop import COORDINATOR

pytestmark = pytest.mark.browser

OBSERVER = ("beobachtung@ihk.example", "noch-ein-langes-passwort-7")
PORTAL = ("info@ipf-bau.example", "portal-passwort-lang-genug-9")
NOWHERE = "00000000-0000-4000-8000-000000000000"


@dataclasses.dataclass
class World:
    """Ids and link paths of the seeded network."""

    status_path: str
    confirm_path: str
    employer_path: str
    rsvp_path: str
    unsubscribe_path: str
    recipient_id: UUID
    profiles: dict[str, UUID]
    circulation_id: UUID
    referral_id: UUID
    member_id: UUID
    position_id: UUID
    application_id: UUID
    offers: dict[str, UUID]
    event_id: UUID
    portal_positions: list[UUID]


def _path_in(rows: list[OutboxMessage], template: str, prefix: str) -> str:
    for row in rows:
        if row.template == template:
            found = re.search(rf"https?://[^/\s]+(/{prefix}/[\w-]+)", row.body_text)
            if found:
                return found.group(1)
    raise AssertionError(f"no {prefix} link in a demo mail {template}")


async def _seed(maker: async_sessionmaker[AsyncSession], settings: Settings) -> World:
    async with maker() as session, session.begin():
        await create_staff(session, *COORDINATOR, name="Koordination", totp_secret=TOTP_SECRET)
        await create_staff(session, *OBSERVER, name="Beobachtung", role=StaffRole.OBSERVER)
    assert await load_demo(maker, settings)
    async with maker() as session, session.begin():
        contact = await session.scalar(select(MemberContact).where(MemberContact.email == PORTAL[0]))
        assert contact is not None
        contact.password_hash = hash_password(PORTAL[1])
        session.add(
            MembershipApplication(
                organisation="Albuch Bäckerei GmbH",
                contact_name="Eva Beck",
                contact_email="eva.beck@albuch-baeckerei.example",
                privacy_version=settings.privacy_version,
                consented_at=utcnow(),
            )
        )
        await session.flush()
        mails = list(await session.scalars(select(OutboxMessage)))
        recipient = await session.scalar(
            select(CirculationRecipient).where(CirculationRecipient.member_id == contact.member_id)
        )
        assert recipient is not None
        profiles = {}
        for status in ProfileStatus:
            found = await session.scalar(select(Profile.id).where(Profile.status == status).limit(1))
            if found is not None:
                profiles[str(status)] = found
        offers = {}
        for offer_status in OfferStatus:
            found = await session.scalar(select(Offer.id).where(Offer.status == offer_status).limit(1))
            if found is not None:
                offers[str(offer_status)] = found
        event = await session.scalar(
            select(Event).where(Event.status == EventStatus.PLANNED, Event.starts_at > utcnow()).limit(1)
        )
        assert event is not None
        invitation = await session.scalar(select(Invitation).where(Invitation.event_id == event.id).limit(1))
        assert invitation is not None
        referral = await session.scalar(select(Referral).order_by(Referral.created_at).limit(1))
        assert referral is not None
        secret = E2E_SECRET_KEY
        return World(
            status_path=_path_in(mails, "profile_approved", "status"),
            confirm_path=_path_in(mails, "partner_confirm", "confirm"),
            employer_path=_path_in(mails, "profile_circulated", "e"),
            rsvp_path=f"/rsvp/{invitation.id}/{rsvp_signature(secret, invitation.id)}",
            unsubscribe_path=f"/mail/unsubscribe/{contact.id}/{unsubscribe_signature(secret, contact.id)}",
            recipient_id=recipient.id,
            profiles=profiles,
            circulation_id=(await session.scalar(select(Circulation.id).limit(1))) or uuid4(),
            referral_id=referral.id,
            member_id=contact.member_id,
            position_id=(await session.scalar(select(Position.id).limit(1))) or uuid4(),
            application_id=(await session.scalar(select(MembershipApplication.id).limit(1))) or uuid4(),
            offers=offers,
            event_id=event.id,
            portal_positions=list(
                await session.scalars(select(Position.id).where(Position.member_id == contact.member_id).limit(1))
            ),
        )


class Audit:
    """Runs axe on pages and collects the violations of all of them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.source = axe_path().read_text(encoding="utf-8")
        self.failures: list[str] = []
        self.checked: list[str] = []

    async def check(self, page: Page, label: str = "") -> None:
        """Run axe on the page as it is now."""
        name = f"{label or page.url.removeprefix(self.base)}"
        if not await page.evaluate("typeof window.axe !== 'undefined'"):
            await page.evaluate(self.source)
        result: dict[str, Any] = await page.evaluate(
            """async (tags) => await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
            list(WCAG_TAGS),
        )
        rules = sum(len(result[kind]) for kind in ("violations", "passes", "incomplete", "inapplicable"))
        assert rules > 20, f"{name}: axe ran only {rules} rules"
        self.checked.append(name)
        if result["violations"]:
            self.failures.append(format_violations(name, result["violations"]))

    async def visit(self, page: Page, path: str, label: str = "", status: int | None = None) -> None:
        """Open ``path`` and check it (and its HTTP status, when given)."""
        response = await page.goto(self.base + path)
        assert response is not None
        if status is not None and response.status != status:
            self.failures.append(f"{path}: HTTP {response.status}, expected {status}")
        await self.check(page, label or path)

    async def submit_empty(
        self, page: Page, path: str, form: str = "", *, clear: bool = False, label: str = ""
    ) -> None:
        """Open ``path``, submit its form without the browser's checks (fields cleared with ``clear``), check the
        answer: the form again with the error summary and the field errors."""
        await page.goto(self.base + path)
        form = form or f"main form[action='{path}']"
        if await page.locator(form).count() == 0:
            heading = await page.locator("h1").first.inner_text()
            self.failures.append(f"{path}: no form {form!r} on {page.url} ({heading})")
            return
        async with page.expect_navigation():
            await page.eval_on_selector(
                form,
                """(f, clear) => {
                    if (clear) {
                        for (const el of f.querySelectorAll('input:not([type=hidden]):not([type=checkbox])'
                                + ':not([type=radio]):not([type=file]), textarea')) el.value = '';
                        for (const el of f.querySelectorAll('input[type=checkbox]')) el.checked = false;
                    }
                    HTMLFormElement.prototype.submit.call(f);
                }""",
                clear,
            )
        name = label or f"{path} (Formular mit Fehlern)"
        if await page.locator(".error-summary, .error, [role=alert]").count() == 0:
            self.failures.append(f"{name}: no error message on {page.url}")
        await self.check(page, name)


async def _context(browser: Browser) -> BrowserContext:
    # axe is injected as a script: the app's Content-Security-Policy (script-src 'self') would block it.
    context = await browser.new_context(locale="de-DE", bypass_csp=True)
    context.set_default_timeout(15_000)
    return context


async def _anonymous(audit: Audit, browser: Browser, world: World) -> None:
    context = await _context(browser)
    page = await context.new_page()
    for path in ("/", "/register", "/join", "/privacy", "/imprint", "/barrierefreiheit", "/angebote"):
        await audit.visit(page, path, status=200)
    await audit.visit(page, "/angebote?q=Unterwasserkorbflechten", label="/angebote (kein Treffer)")
    await audit.visit(page, f"/angebote/{world.offers['published']}", status=200)
    # The occupation combobox with its suggestions open.
    await page.goto(audit.base + "/register")
    await page.locator("#occupations").press_sequentially("Pflegefach")
    await expect(page.locator("#occupations-suggestions")).to_be_visible()
    await page.keyboard.press("ArrowDown")
    await audit.check(page, "/register (Berufsvorschläge offen)")
    await audit.submit_empty(page, "/register")
    await audit.visit(page, "/register/thanks")
    await audit.visit(page, "/join/thanks")
    await audit.submit_empty(page, "/join")
    await audit.submit_empty(page, "/barrierefreiheit")
    await page.fill("#message", "Der Kontrast der Hinweise ist zu schwach.")
    await page.get_by_role("button", name="Rückmeldung senden").click()
    await expect(page.locator(".flash")).to_contain_text("Rückmeldung")
    await audit.check(page, "/barrierefreiheit (gesendet)")
    # Error pages: unknown page, unknown or expired links, a bad signature.
    await audit.visit(page, "/gibt-es-nicht", label="404", status=404)
    await audit.visit(page, f"/angebote/{NOWHERE}", label="404 Angebot", status=404)
    await audit.visit(page, "/status/abgelaufen", label="Statuslink ungültig")
    await audit.visit(page, "/confirm/abgelaufen", label="Bestätigungslink ungültig")
    await audit.visit(page, "/e/abgelaufen", label="Arbeitgeberlink ungültig")
    await audit.visit(page, f"/rsvp/{NOWHERE}/falsch", label="Antwortlink ungültig")
    await audit.visit(page, "/portal/password/abgelaufen", label="Passwortlink Portal ungültig")
    await audit.visit(page, "/coordinator/password/abgelaufen", label="Passwortlink Koordination ungültig")
    await context.close()


async def _reflow(audit: Audit, browser: Browser, world: World) -> None:
    """WCAG 1.4.10: the public pages and the partner's pages fit 320 CSS pixels without scrolling sideways."""
    context = await browser.new_context(locale="de-DE", viewport={"width": 320, "height": 640})
    page = await context.new_page()
    for path in (
        "/",
        "/register",
        "/join",
        "/angebote",
        f"/angebote/{world.offers['published']}",
        "/privacy",
        "/imprint",
        "/barrierefreiheit",
        world.status_path,
        world.employer_path,
        world.rsvp_path,
    ):
        await page.goto(audit.base + path)
        overflow = await page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            audit.failures.append(f"{path}: {overflow} px wider than a 320 px screen (WCAG 1.4.10 reflow)")
    await context.close()


async def _links(audit: Audit, browser: Browser, world: World) -> None:
    """The pages reached from links in mails: partner, employer, meeting, unsubscribe; and the logins."""
    context = await _context(browser)
    page = await context.new_page()
    # Partner: confirmation, status page, edit (with errors), delete.
    await audit.visit(page, world.confirm_path, label="Einwilligung des Partners", status=200)
    await page.get_by_role("button", name="Ich willige ein").click()
    await audit.check(page, "Statusseite nach der Einwilligung")
    await audit.visit(page, world.status_path, label="Statusseite", status=200)
    await audit.visit(page, world.status_path + "/edit", label="Profil bearbeiten", status=200)
    await audit.submit_empty(page, world.status_path + "/edit", clear=True, label="Profil bearbeiten mit Fehlern")
    await audit.visit(page, world.status_path + "/delete", label="Profil löschen", status=200)
    # Employer mail links, meeting answers, unsubscribe.
    await audit.visit(page, world.employer_path, label="Arbeitgeberlink Profil", status=200)
    await audit.visit(page, world.employer_path + "/answer/interested", label="Antwort Interesse")
    await audit.visit(page, world.employer_path + "/answer/not_interested", label="Antwort kein Interesse")
    await audit.visit(page, world.employer_path + "/referral", label="Arbeitgeberlink Vermittlung")
    await audit.visit(page, world.rsvp_path, label="Treffen: Antwortseite", status=200)
    await audit.visit(page, world.unsubscribe_path, label="Abmelden von Mails", status=200)
    # Logins and their errors.
    await audit.visit(page, "/coordinator/login", status=200)
    await page.fill("#email", COORDINATOR[0])
    await page.fill("#password", "falsch-falsch-falsch")
    await page.get_by_role("button", name="Anmelden").click()
    await audit.check(page, "/coordinator/login (falsches Passwort)")
    await audit.visit(page, "/portal/login", status=200)
    await page.fill("#email", PORTAL[0])
    await page.fill("#password", "falsch-falsch-falsch")
    await page.get_by_role("button", name="Anmelden").click()
    await audit.check(page, "/portal/login (falsches Passwort)")
    await audit.visit(page, "/portal/password/forgot", status=200)
    await audit.submit_empty(page, "/portal/password/forgot")
    await context.close()


async def _portal(audit: Audit, browser: Browser, world: World) -> None:
    context = await _context(browser)
    page = await context.new_page()
    await page.goto(audit.base + "/portal/login")
    await page.fill("#email", PORTAL[0])
    await page.fill("#password", PORTAL[1])
    await page.get_by_role("button", name="Anmelden").click()
    await page.wait_for_url(re.compile(r"/portal$"))
    for path in (
        "/portal",
        f"/portal/profiles/{world.recipient_id}",
        "/portal/referrals",
        "/portal/contacts",
        "/portal/member",
        "/portal/member/leave",
        "/portal/mail",
        "/portal/offers",
        "/portal/offers/new",
        "/portal/positions",
        "/portal/positions/new",
        "/portal/security",
        "/portal/transfers",
        "/portal/transfers/new",
        "/portal/transfers/import",
        *(f"/portal/positions/{pid}/edit" for pid in world.portal_positions),
    ):
        await audit.visit(page, path, status=200)
    await audit.submit_empty(page, "/portal/contacts")
    await audit.submit_empty(page, "/portal/member", clear=True)
    await audit.submit_empty(page, "/portal/offers/new")
    await audit.submit_empty(page, "/portal/positions/new")
    await audit.submit_empty(page, "/portal/transfers/new")
    await audit.submit_empty(page, "/portal/security", form="main form[action='/portal/security/password']")
    await audit.visit(page, f"/portal/profiles/{NOWHERE}", label="404 im Portal")
    await context.close()


async def _login(page: Page, base: str, email: str, password: str) -> None:
    await page.goto(f"{base}/coordinator/login")
    await page.fill("#email", email)
    await page.fill("#password", password)
    await page.get_by_role("button", name="Anmelden").click()
    await page.wait_for_url(re.compile(r"/coordinator/login/(code|setup)"))


async def _coordinator(audit: Audit, browser: Browser, world: World) -> None:
    context = await _context(browser)
    page = await context.new_page()
    await _login(page, audit.base, *COORDINATOR)
    await audit.check(page, "/coordinator/login/code")
    await page.fill("#code", "000000")
    await page.get_by_role("button", name="Bestätigen").click()
    await audit.check(page, "/coordinator/login/code (falscher Code)")
    await page.fill("#code", totp_code(TOTP_SECRET))
    await page.get_by_role("button", name="Bestätigen").click()
    await expect(page.locator(".flash")).to_contain_text("Sie sind angemeldet")
    await audit.check(page, "/coordinator (nach der Anmeldung)")
    pages = [
        "/coordinator/profiles",
        "/coordinator/profiles?status=confirmed",
        *(f"/coordinator/profiles/{pid}" for pid in world.profiles.values()),
        f"/coordinator/profiles/{world.profiles['approved']}/edit",
        f"/coordinator/profiles/{world.profiles['approved']}/circulate",
        f"/coordinator/circulations/{world.circulation_id}",
        "/coordinator/members",
        "/coordinator/members/new",
        f"/coordinator/members/{world.member_id}/edit",
        f"/coordinator/members/{world.member_id}/positions/new",
        f"/coordinator/positions/{world.position_id}/edit",
        f"/coordinator/positions/{world.position_id}/matches",
        "/coordinator/applications",
        f"/coordinator/applications/{world.application_id}",
        "/coordinator/offers",
        "/coordinator/offers/new",
        *(f"/coordinator/offers/{oid}" for oid in world.offers.values()),
        f"/coordinator/offers/{world.offers['published']}/edit",
        "/coordinator/referrals",
        f"/coordinator/referrals/{world.referral_id}",
        "/coordinator/coverage",
        "/coordinator/events",
        "/coordinator/events/new",
        f"/coordinator/events/{world.event_id}",
        f"/coordinator/events/{world.event_id}/edit",
        f"/coordinator/events/{world.event_id}/invite",
        f"/coordinator/events/{world.event_id}/cancel",
        "/coordinator/mails",
        "/coordinator/records",
        "/coordinator/audit",
        "/coordinator/staff",
        "/coordinator/results",
        "/coordinator/results/profiles",
        "/coordinator/results/referrals",
        "/coordinator/results/report",
        f"/coordinator/results/report/{utcnow().year}",
    ]
    for path in pages:
        await audit.visit(page, path, status=200)
    await audit.submit_empty(page, f"/coordinator/profiles/{world.profiles['approved']}/edit", clear=True)
    await audit.submit_empty(page, f"/coordinator/profiles/{world.profiles['approved']}/circulate", clear=True)
    await audit.submit_empty(page, "/coordinator/members/new")
    await audit.submit_empty(page, f"/coordinator/members/{world.member_id}/positions/new")
    await audit.submit_empty(page, "/coordinator/offers/new")
    await audit.submit_empty(page, "/coordinator/events/new")
    await audit.submit_empty(page, f"/coordinator/events/{world.event_id}/invite")
    await audit.submit_empty(page, "/coordinator/staff")
    await audit.visit(page, f"/coordinator/profiles/{NOWHERE}", label="404 Koordination", status=404)
    await context.close()


async def _observer(audit: Audit, browser: Browser) -> None:
    context = await _context(browser)
    page = await context.new_page()
    await _login(page, audit.base, *OBSERVER)
    await audit.check(page, "/coordinator/login/setup")
    await page.fill("#code", "000000")
    await page.get_by_role("button", name="Einrichten und anmelden").click()
    await audit.check(page, "/coordinator/login/setup (falscher Code)")
    secret = (await page.locator("#totp-secret").inner_text()).replace(" ", "")
    await page.fill("#code", pyotp.TOTP(secret).now())
    await page.get_by_role("button", name="Einrichten und anmelden").click()
    await expect(page.locator(".flash")).to_contain_text("Sie sind angemeldet")
    await audit.check(page, "Beobachtung: Startseite")
    for path in ("/coordinator/results", "/coordinator/results/profiles", "/coordinator/results/referrals"):
        await audit.visit(page, path, status=200)
    await audit.visit(page, "/coordinator/profiles", label="403 für die Beobachtung", status=403)
    await context.close()


async def test_every_page_and_error_state_has_no_wcag_violations(
    live_server: str, browser: Browser, settings: Settings, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    world = await _seed(session_maker, dataclasses.replace(settings, base_url=live_server))
    audit = Audit(live_server)
    await _anonymous(audit, browser, world)
    await _links(audit, browser, world)
    await _reflow(audit, browser, world)
    await _portal(audit, browser, world)
    await _coordinator(audit, browser, world)
    await _observer(audit, browser)
    assert len(audit.checked) > 100, audit.checked
    assert not audit.failures, "\n\n" + "\n\n".join(audit.failures)

"""The core loop with the keyboard alone (WCAG 2.1.1): Tab, Shift+Tab, Enter, Space, arrow keys and typing, no
clicks. The applicant registers a partner profile from the start page (with the occupation suggestion combobox),
the partner consents through the mailed link and unticks one member with the space bar, the coordinator logs in and
approves the profile. Every focused control shows a visible focus indicator (WCAG 2.4.7)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.db.models import Profile, ProfileStatus, StaffUser
from tests.conftest import Sink, links_in
from tests.coordinator.conftest import TOTP_SECRET, totp_code
from tests.e2e.test_core_loop import COORDINATOR, _mail_to, _seed

pytestmark = pytest.mark.browser

_FOCUS_STYLE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    return {
        tag: el.tagName, id: el.id, text: (el.innerText || el.value || '').trim().slice(0, 60),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
        shadow: style.boxShadow !== 'none',
    };
}"""


async def _focused(page: Page) -> dict[str, Any]:
    state: dict[str, Any] | None = await page.evaluate(_FOCUS_STYLE)
    assert state is not None, "nothing has the keyboard focus"
    assert state["outline"] or state["shadow"], f"no visible focus indicator on {state}"
    return state


async def _tab_to(page: Page, selector: str, *, backwards: bool = False, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab) until ``selector`` has the focus; each stop must show its focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        await page.keyboard.press(key)
        await _focused(page)
        if await page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached with {key} in {limit} steps")


async def _type_into(page: Page, selector: str, text: str) -> None:
    await _tab_to(page, selector)
    await page.keyboard.type(text)


async def _choose(page: Page, selector: str, value: str) -> None:
    """Select an option of a focused <select> with the arrow keys."""
    await _tab_to(page, selector)
    for _ in range(30):
        if await page.eval_on_selector(selector, "el => el.value") == value:
            return
        await page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {value!r} of {selector} not reached with the arrow keys")


async def _register(page: Page, base: str) -> None:
    await page.goto(f"{base}/")
    # The first Tab reaches the skip link, which is shown when focused.
    await page.keyboard.press("Tab")
    skip = await _focused(page)
    assert skip["text"] == "Zum Inhalt springen"
    await expect(page.locator(".skip-link")).to_be_in_viewport()
    await _tab_to(page, "header a[href='/register']")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/register$"))

    await _type_into(page, "#applicant_name", "Jonas Berger")
    await _type_into(page, "#applicant_email", "jonas.berger@example.org")
    await _type_into(page, "#partner_name", "Maria Berger")
    await _type_into(page, "#partner_email", "maria.berger@example.org")
    await _type_into(page, "#residence", "Aalen")
    # The occupation combobox: type, move into the suggestions with the arrow key, take one with Enter.
    await _type_into(page, "#occupations", "Pflegefach")
    listbox = page.locator("#occupations-suggestions")
    await expect(listbox).to_be_visible()
    await page.keyboard.press("ArrowDown")
    first = listbox.get_by_role("option").first
    await expect(first).to_have_attribute("aria-selected", "true")
    label = (await first.inner_text()).strip()
    await page.keyboard.press("Enter")  # takes the suggestion, does not submit
    await expect(listbox).to_be_hidden()
    await expect(page.locator("#occupations")).to_have_value(re.compile(re.escape(label.split("\n")[0][:20])))
    await _choose(page, "#qualification", "apprenticeship")
    await _type_into(page, "#experience_years", "6")
    # Shift+Tab goes back: the years are corrected.
    await _type_into(page, "#summary", "Sechs Jahre Intensivpflege.")
    await _tab_to(page, "#experience_years", backwards=True)
    await page.keyboard.press("Control+A")
    await page.keyboard.type("7")
    await _type_into(page, "#language_0", "Deutsch")
    await _choose(page, "#level_0", "C1")
    await _choose(page, "#working_time", "either")
    await _tab_to(page, "#applicant_consent")
    await page.keyboard.press("Space")
    await expect(page.locator("#applicant_consent")).to_be_checked()
    await _tab_to(page, "main form[action='/register'] button[type=submit]")
    await page.keyboard.press("Enter")
    # The place of work is missing: the error summary names it, its link leads to the field, the values stay.
    await expect(page.locator("#error-summary")).to_contain_text("Ort")
    await _tab_to(page, "#error-summary a[href='#work_municipalities']")
    await page.keyboard.press("Enter")
    await expect(page.locator("#work_municipalities")).to_be_focused()
    await page.keyboard.type("Aalen")
    await expect(page.locator("#applicant_consent")).to_be_checked()
    await _tab_to(page, "main form[action='/register'] button[type=submit]")
    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_contain_text("Vielen Dank")


async def _consent(page: Page, sink: Sink) -> None:
    mail = await _mail_to(sink, "maria.berger@example.org")
    await page.goto(next(link for link in links_in(mail) if "/confirm/" in link))
    first = page.locator("main input[type=checkbox][name=allow]").first
    member_id = await first.get_attribute("id")
    await _tab_to(page, f"#{member_id}")
    await page.keyboard.press("Space")  # this member must not receive the profile
    await expect(first).not_to_be_checked()
    await _tab_to(page, "main button[type=submit]")
    await page.keyboard.press("Enter")
    await expect(page.locator("main")).to_contain_text("Einwilligung")


async def _approve(page: Page, base: str) -> None:
    await page.goto(f"{base}/coordinator")
    await _type_into(page, "#email", COORDINATOR[0])
    await _type_into(page, "#password", COORDINATOR[1])
    await page.keyboard.press("Enter")  # Enter in a field submits its form
    await page.wait_for_url(re.compile(r"/coordinator/login/code"))
    await _type_into(page, "#code", totp_code(TOTP_SECRET))
    await page.keyboard.press("Enter")
    await expect(page.locator(".flash")).to_contain_text("Sie sind angemeldet")
    await _tab_to(page, "header a[href='/coordinator/profiles']")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/coordinator/profiles$"))
    await _tab_to(page, "main a[href^='/coordinator/profiles/']")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/coordinator/profiles/[0-9a-f-]+$"))
    await _tab_to(page, "main form[action$='/approve'] button")
    await page.keyboard.press("Enter")
    await expect(page.locator(".flash")).to_contain_text("freigegeben")


async def test_core_loop_with_the_keyboard_alone(
    live_server: str, page: Page, sink: Sink, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    await _seed(session_maker)
    async with session_maker() as session, session.begin():
        await session.execute(update(StaffUser).values(totp_secret=TOTP_SECRET))
    await _register(page, live_server)
    await _consent(page, sink)
    await _approve(page, live_server)
    async with session_maker() as session:
        profile = (await session.scalars(select(Profile))).one()
    assert profile.status == ProfileStatus.APPROVED
    assert profile.occupations
    assert profile.experience_years == 7

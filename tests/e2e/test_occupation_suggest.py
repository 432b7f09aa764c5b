"""The occupation field of the registration form suggests catalogue entries as the partner's profile is typed,
and works with the keyboard alone (ARIA combobox): Down moves, Enter takes, Escape closes; free text stays."""

from __future__ import annotations

from playwright.async_api import Page, expect


async def test_suggestions_appear_while_typing_and_are_taken_with_the_keyboard(page: Page, live_server: str) -> None:
    await page.goto(f"{live_server}/register")
    field = page.locator("#occupations")
    listbox = page.locator("#occupations-suggestions")
    await expect(field).to_have_attribute("role", "combobox")
    await expect(field).to_have_attribute("aria-expanded", "false")

    await field.focus()
    await page.keyboard.type("Industriekauffrau, Erzieh")  # suggestions complete the entry being typed
    await expect(listbox).to_be_visible()
    await expect(field).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    assert 1 <= await options.count() <= 8
    await expect(page.locator("#occupations-status")).to_contain_text("Vorschläge")

    await page.keyboard.press("ArrowDown")
    first = options.first
    await expect(first).to_have_attribute("aria-selected", "true")
    await expect(field).to_have_attribute("aria-activedescendant", "occupations-option-0")
    label = await first.inner_text()
    await page.keyboard.press("Enter")  # takes the suggestion; does not submit the form

    await expect(field).to_have_value(f"Industriekauffrau, {label}")
    await expect(listbox).to_be_hidden()
    await expect(field).to_have_attribute("aria-expanded", "false")
    assert page.url.endswith("/register")

    # Escape closes the list and keeps the free text as typed
    await page.keyboard.type(", Bäckereifach")
    await expect(listbox).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(listbox).to_be_hidden()
    await expect(field).to_have_value(f"Industriekauffrau, {label}, Bäckereifach")


async def test_a_suggestion_can_be_taken_with_the_mouse(page: Page, live_server: str) -> None:
    await page.goto(f"{live_server}/register")
    field = page.locator("#occupations")
    await field.fill("")
    await field.focus()
    await page.keyboard.type("Softw")
    option = page.locator("#occupations-suggestions").get_by_role("option").first
    await expect(option).to_be_visible()
    label = await option.inner_text()
    await option.click()
    await expect(field).to_have_value(label)

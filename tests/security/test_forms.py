"""Hypothesis-driven form tests: hostile text in the public forms never breaks a mail header, is escaped in every
page, and odd input answers 400 (never 500).

Text values mix CR/LF with header lines, HTML and script, spreadsheet formulas, very long and empty values,
right-to-left marks, combining characters and NUL. Small, derandomised example counts (xdist-deterministic).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.membership.models import MembershipApplication
from jobfuerzwei.profiles.models import Profile
from tests.conftest import BASE_URL, Sink, csrf_token, links_in
from tests.membership.test_applications import APPLICATION
from tests.profiles.factories import registration_form
from tests.security.test_access_matrix import app_routes, fill
from tests.security.test_csrf_and_headers import owner
from tests.security.world import build_world

SCRIPT = "<script>alert(1)</script>"
HOSTILE = [
    "Anna\r\nBcc: victim@evil.example",
    "Anna\nSubject: gewonnen",
    "Anna\r\n\r\n<html>body</html>",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil.example";"klick")',
    "+1+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\u202eevil\u202c",
    "A\u0301nna Z\u0308\u0336",
    "\u200b\ufeff",
    "\U0001f600 Müller-Lüdenscheidt",
    "x" * 5000,
    "",
    " ",
]
CONTROL = ["\x00", "Anna\x00Bcc", "\x1b[31m", "\x7f"]
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60))
_numbers = itertools.count(1)
SETTINGS = settings(
    max_examples=12, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
EXPECTED_HEADERS = {
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "auto-submitted",
    "content-type",
}


def _headers(message: EmailMessage) -> set[str]:
    return {name.lower() for name in message}


def _html(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    return "" if part is None else str(part.get_content())


def assert_escaped(html: str, *values: str) -> None:
    """No value with markup in it shows up unescaped (short random values could match the page's own markup)."""
    for value in values:
        if "<" in value and (value in HOSTILE or len(value) >= 12):
            assert value not in html, (value, html[:300])


@SETTINGS
@given(applicant=hostile_text, partner=hostile_text, summary=hostile_text)
async def test_register_form_with_hostile_names_keeps_mail_headers_and_escapes_pages(  # noqa: PLR0917
    client: AsyncTestClient[Litestar],
    deliver: Callable[..., Any],
    sink: Sink,
    applicant: str,
    partner: str,
    summary: str,
) -> None:
    sink.clear()
    n = next(_numbers)
    address = f"partner{n}@example.org"
    token = await csrf_token(client, "/register")
    form = registration_form(applicant_name=applicant, partner_name=partner, summary=summary, partner_email=address)
    form["applicant_email"] = f"applicant{n}@example.org"
    response = await client.post("/register", data={"_csrf_token": token, **form}, follow_redirects=False)
    assert response.status_code in (303, 400), response.status_code
    assert_escaped(response.text, applicant, partner, summary)
    if response.status_code == 400:
        return
    await deliver()
    assert [e.rcpt_tos for e in sink.envelopes] == [[address]]
    (message,) = sink.messages
    assert _headers(message) == EXPECTED_HEADERS, _headers(message)
    assert str(message["To"]) == address
    assert str(message["Subject"]) == "Bitte bestätigen: Ihr Profil bei „Job für Zwei“"
    assert_escaped(_html(message), applicant, partner, summary)
    # the partner's confirmation page (the link in the mail) shows the names escaped
    (link,) = [u for u in links_in(message) if "/confirm/" in u]
    page = await client.get(link.removeprefix(BASE_URL))
    assert page.status_code == 200
    assert_escaped(page.text, applicant, partner, summary)


@SETTINGS
@given(organisation=hostile_text, contact=hostile_text)
async def test_join_form_with_hostile_names_keeps_mail_headers(
    client: AsyncTestClient[Litestar], deliver: Callable[..., Any], sink: Sink, organisation: str, contact: str
) -> None:
    sink.clear()
    n = next(_numbers)
    address = f"personal{n}@firma.example"
    token = await csrf_token(client, "/join")
    form = {**APPLICATION, "organisation": organisation, "contact_name": contact, "contact_email": address}
    response = await client.post("/join", data={"_csrf_token": token, **form}, follow_redirects=False)
    assert response.status_code in (303, 400), response.status_code
    assert_escaped(response.text, organisation, contact)
    if response.status_code == 400:
        return
    await deliver()
    assert [e.rcpt_tos for e in sink.envelopes] == [[address]]
    (message,) = sink.messages
    assert _headers(message) == EXPECTED_HEADERS
    assert "\n" not in str(message["Subject"])
    assert_escaped(_html(message), organisation, contact)


async def test_control_characters_in_any_form_field_are_a_clear_400(
    client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    for value in CONTROL:
        token = await csrf_token(client, "/register")
        for path, form in [("/register", registration_form()), ("/join", dict(APPLICATION))]:
            for field in ("partner_name", "applicant_name", "organisation", "contact_name", "summary"):
                if field not in form:
                    continue
                data = {"_csrf_token": token, **form, field: value}
                response = await client.post(path, data=data, follow_redirects=False)
                assert response.status_code == 400, (path, field, repr(value), response.status_code)
                assert "Steuerzeichen" in response.text
        response = await client.get("/angebote", params={"q": value})
        assert response.status_code == 400, repr(value)
    assert (await db_session.scalars(select(Profile))).all() == []
    assert (await db_session.scalars(select(MembershipApplication))).all() == []


async def test_names_with_line_breaks_and_markup_are_stored_yet_harmless_in_mail_and_pages(
    client: AsyncTestClient[Litestar], deliver: Callable[..., Any], sink: Sink
) -> None:
    for applicant, partner in [(HOSTILE[0], SCRIPT), (HOSTILE[2], HOSTILE[4]), (HOSTILE[8], HOSTILE[9])]:
        sink.clear()
        n = next(_numbers)
        address = f"partner{n}@example.org"
        token = await csrf_token(client, "/register")
        form = registration_form(applicant_name=applicant, partner_name=partner, partner_email=address)
        form["applicant_email"] = f"applicant{n}@example.org"
        response = await client.post("/register", data={"_csrf_token": token, **form}, follow_redirects=False)
        assert response.status_code == 303, (applicant, partner, response.text[:2000])
        await deliver()
        assert [e.rcpt_tos for e in sink.envelopes] == [[address]]
        (message,) = sink.messages
        assert _headers(message) == EXPECTED_HEADERS
        assert "victim" not in str(message["To"])
        assert message["Bcc"] is None
        assert_escaped(_html(message), applicant, partner)
        (link,) = [u for u in links_in(message) if "/confirm/" in u]
        page = await client.get(link.removeprefix(BASE_URL))
        assert page.status_code == 200
        assert_escaped(page.text, applicant, partner)


async def test_every_form_route_refuses_a_nul_before_its_handler_runs(
    app: Litestar, client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Any
) -> None:
    world = await build_world(db_session, settings)
    for role in ("coordinator", "employer_a"):
        for name, value in world.cookies[role].items():
            client.cookies.set(name, value)
    token = await csrf_token(client, "/privacy")
    wrong = []
    for method, pattern in sorted(app_routes(app)):
        if method != "POST":
            continue
        path = fill(pattern, world, owner(pattern), foreign=False)
        response = await client.post(path, data={"_csrf_token": token, "name": "Anna\x00"}, follow_redirects=False)
        if response.status_code != 400 or "Steuerzeichen" not in response.text:
            wrong.append(f"{pattern}: {response.status_code}")
    assert not wrong, wrong

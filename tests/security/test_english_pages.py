"""Every page every role can read, in English: no German left but the data.

Walks the GET routes of the access matrix with the ``jfz_lang=en`` cookie, as each role, with its own ids (the same
world as the access matrix), and reads the visible text and the ``aria-label``/``placeholder``/``title``/``alt``
values of each HTML answer. German words that data never contains here (the world's names, occupations and texts
are known) must not appear. The catalogue test proves each message has a translation; this one proves the pages
use them (a message built outside gettext, a label translated too early, a template that bypasses ``_``).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.i18n import COOKIE
from tests.security.access_matrix import ROUTES
from tests.security.test_access_matrix import fill
from tests.security.world import build_world

GERMAN = re.compile(
    r"\b(Sie|Ihre?[mnrs]?|Bitte|bitte|nicht|werden|wurde|können|keine?|noch|oder|und|für|über|zurück|"
    r"Speichern|Abmelden|Anmelden|Übersicht|Mitglieder|Vermittlung(en)?|Stelle[n]?|Angebote?)\b",
    re.IGNORECASE,
)
DATA = re.compile(
    r"Job für Zwei|Agentur für Arbeit|Pflegefachkraft|Stationsdienst|Innere[rn]? Medizin|Musterfrau"
    r"|Wundversorgung|Dokumentation"
)
"""The brand, and German that the world's own data brings (names, occupations, the summary)."""


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "textarea", "select", "option"):
            self._skip += 1  # form values and option labels of data (member names) are not the page's text
        for name, value in attrs:
            if name in ("aria-label", "placeholder", "title", "alt") and value:
                self.lines.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "textarea", "select", "option") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.lines.append(" ".join(data.split()))


def german_lines(html: str) -> list[str]:
    """Visible lines of a page that read German (after the known data is taken out)."""
    parser = _Visible()
    parser.feed(html)
    # the language switch names each language in itself ("Deutsch")
    return [line for line in parser.lines if GERMAN.search(DATA.sub(" ", line)) and line != "Deutsch"]


def test_the_scan_tells_german_from_english() -> None:
    english = '<p>Your profile is saved.</p><input placeholder="Your name"><select><option>für</option></select>'
    assert german_lines(english) == []
    assert german_lines('<p>Bitte prüfen Sie Ihre Eingaben.</p><a title="Zurück">x</a>') == [
        "Bitte prüfen Sie Ihre Eingaben.",
        "Zurück",
    ]


@pytest.mark.parametrize("role", ["anonymous", "applicant", "partner", "employer_a", "observer", "coordinator"])
async def test_every_readable_page_is_english(
    role: str, client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    world = await build_world(db_session, settings)
    for name, value in world.cookies[role].items():
        client.cookies.set(name, value)
    client.cookies.set(COOKIE, "en")
    found = []
    pages = 0
    for method, pattern in sorted(ROUTES):
        if method != "GET" or pattern.startswith(("/sprache/", "/schema", "/static")):
            continue
        response = await client.get(fill(pattern, world, role, foreign=False), follow_redirects=False)
        if response.status_code != 200 or not response.headers.get("content-type", "").startswith("text/html"):
            continue
        pages += 1
        assert '<html lang="en">' in response.text, pattern
        found += [f"{pattern}: {line[:100]}" for line in german_lines(response.text)]
    assert pages >= 5, pages
    assert not found, f"{role}: German on English pages:\n" + "\n".join(found[:60])

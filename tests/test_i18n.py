"""English next to German: complete catalogues, no text left unwrapped, the switch, mails in the recipient's language.

``test_every_message_has_an_english_translation`` is the gate the issue asks for: a message added to the code or a
template without an English translation fails it (``scripts/i18n check`` says which, ``scripts/i18n add AREA``
appends them to a catalogue to fill in). ``test_templates_leave_no_text_outside_gettext`` keeps German text from
slipping past the extractor in the first place.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, nodes
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei import catalogues, i18n
from jobfuerzwei.config import Settings
from jobfuerzwei.employers.models import MemberContact
from jobfuerzwei.mail.messages import render_email
from jobfuerzwei.profiles.models import Profile
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.web import labels
from tests.circulation.helpers import circulate, make_member, make_profile, session_cookie
from tests.conftest import Sink, csrf_token
from tests.profiles.factories import PARTNER_EMAIL, registration_form

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


# --- the catalogues


def test_every_message_has_an_english_translation() -> None:
    report = catalogues.check("en")
    problems = [f"missing: {m!r} ({', '.join(w[:2])})" for m, w in report.missing.items()]
    problems += [f"untranslated or fuzzy: {m!r} in {p.name}" for m, p in report.untranslated.items()]
    problems += [f"stale (not in the source any more): {m!r} in {p.name}" for m, p in report.stale.items()]
    problems += [f"placeholders differ: {m!r} -> {t!r}" for m, t in report.bad_placeholders.items()]
    assert not problems, f"{len(problems)} catalogue problems (scripts/i18n check):\n" + "\n".join(problems[:60])


def test_the_checker_notices_a_message_without_translation(tmp_path: Path) -> None:
    """The gate itself: a message the catalogues lack is reported, a translated one is not."""
    source = catalogues.Source({"Ein ganz neuer Satz, den niemand übersetzt hat.": ["x.py:1"]})
    report = catalogues.check("en", source)
    assert "Ein ganz neuer Satz, den niemand übersetzt hat." in report.missing
    known = next(iter(catalogues.load("en")))
    assert known not in catalogues.check("en", catalogues.Source({known: ["y.py:1"]})).missing


def test_placeholders_are_compared() -> None:
    assert catalogues.placeholders("Profil %(ref)s an %(n)s Mitglieder") == ["%(n)s", "%(ref)s"]
    assert catalogues.placeholders("50 %% mehr") == []


# --- templates: no text outside gettext

_ATTRIBUTES = re.compile(r'\b(?:placeholder|title|aria-label|alt)="([^"]*)"')
_TAGS = re.compile(r"<style\b.*?</style>|<script\b.*?</script>|<!--.*?-->|<[^>]*>", re.S)
_ENTITY = re.compile(r"&[a-z]+;|&#\d+;")
_ALLOWED = {"Job für Zwei", "JFZ", "PDF", "CSV", "XLSX", "SVG", "ICS", "OK", "KB", "MB", "ESCO", "ISCO", "Online"}
_ADDRESSES = re.compile(r"https?://\S+|[\w.+-]+@[\w.-]+|(?<![\w])/[\w/.{}-]+")
NOT_TEXT = {
    # proper names and addresses (the imprint and the arbitration board of the accessibility statement)
    "public/accessibility.html": {"Mauerstraße", "Berlin", "schlichtungsstelle", "bgg", "de", "www"},
    "public/imprint.html": {"Musterstraße", "Musterstadt", "kontakt", "jobfuerzwei", "example"},
    # the column names of the CSV import format (a file format, the same in every language)
    "portal/transfer_import.html": {"abschluss", "arbeitszeit", "fruehester", "beginn"},
}


def _letters(text: str, name: str = "") -> str:
    text = _ADDRESSES.sub(" ", _ENTITY.sub(" ", text))
    for allowed in _ALLOWED:
        text = text.replace(allowed, " ")
    allowed = NOT_TEXT.get(name, set())
    words = [w for w in re.findall(r"[A-Za-zÄÖÜäöüß]{2,}", text) if w not in allowed]
    return " ".join(words)


def _visible_source(env: Environment, source: str, name: str) -> str:
    """The template's literal text with every Jinja construct as a NUL and every trans block left out."""
    out: list[str] = []
    depth = 0  # inside {% trans %} … {% endtrans %}
    expect_name = False
    for _line, kind, value in env.lex(source, name):
        if kind == "block_begin":
            expect_name = True
        elif expect_name and kind == "name":
            expect_name = False
            if value == "trans":
                depth += 1
            elif value == "endtrans":
                depth -= 1
        elif kind == "data" and depth == 0:
            out.append(value)
            continue
        if kind in ("variable_begin", "block_begin"):
            out.append("\0")
    return "".join(out)


def _untranslated(env: Environment, name: str, source: str | None = None) -> list[str]:
    if source is None:
        source = (TEMPLATES / name).read_text(encoding="utf-8")
    visible = _visible_source(env, source, name)
    found = []
    for value in _ATTRIBUTES.findall(visible):
        if words := _letters(value.replace("\0", " "), name):
            found.append(f"{name}: attribute {words[:60]!r}")
    text = _TAGS.sub(" ", visible).replace("\0", " ")
    if words := _letters(text, name):
        found.append(f"{name}: text {words[:80]!r}")
    tree = env.parse(source, name)
    gettext_args = {
        id(arg)
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name in ("_", "gettext", "ngettext")
        for arg in call.args
    }
    for output in tree.find_all(nodes.Output):
        for const in output.find_all(nodes.Const):
            value = const.value
            if not isinstance(value, str) or id(const) in gettext_args or not _letters(value):
                continue
            if " " in value.strip() or value != value.lower():
                found.append(f"{name}: string {value[:60]!r}")
    return found


def test_templates_leave_no_text_outside_gettext() -> None:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
    i18n.install(env)
    names = sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))
    assert len(names) > 150
    found = [problem for name in names for problem in _untranslated(env, name)]
    assert not found, f"{len(found)} texts outside gettext:\n" + "\n".join(found[:80])


def test_the_scan_finds_text_outside_gettext() -> None:
    env = Environment(autoescape=True)
    i18n.install(env)
    wrapped = (
        '<p class="x">{{ _("Guten Tag") }}</p><input placeholder="{{ _(\'Name\') }}" value="{{ v }}">'
        "{% trans n=1 %}Sie haben {{ n }} Profil{% endtrans %} <a href=\"/privacy\">{{ _('Datenschutz') }}</a>"
    )
    assert _untranslated(env, "ok.html", wrapped) == []
    problems = _untranslated(
        env, "bad.html", '<p>Guten {{ x }} Tag</p><input placeholder="Ihr Name">{{ "Zur Prüfung" }}'
    )
    assert problems == [
        "bad.html: attribute 'Ihr Name'",
        "bad.html: text 'Guten Tag'",
        "bad.html: string 'Zur Prüfung'",
    ]


# --- switching


async def test_the_switch_sets_the_cookie_and_returns_to_the_page(client: AsyncTestClient[Litestar]) -> None:
    german = await client.get("/register")
    assert '<html lang="de">' in german.text
    assert 'href="/sprache/en?next=/register"' in german.text

    response = await client.get("/sprache/en", params={"next": "/register"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/register"
    assert client.cookies.get(i18n.COOKIE) == "en"
    english = await client.get("/register")
    assert '<html lang="en">' in english.text
    assert 'href="/sprache/de?next=/register"' in english.text
    assert english.text != german.text

    back = await client.get("/sprache/de", params={"next": "/register"}, follow_redirects=False)
    assert back.status_code == 303
    assert '<html lang="de">' in (await client.get("/register")).text


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
async def test_the_switch_never_leaves_the_site(client: AsyncTestClient[Litestar], target: str) -> None:
    response = await client.get("/sprache/en", params={"next": target}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_an_unknown_language_changes_nothing(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/sprache/xx", params={"next": "/"}, follow_redirects=False)
    assert response.status_code == 303
    assert i18n.COOKIE not in response.cookies
    assert '<html lang="de">' in (await client.get("/")).text


async def test_error_pages_follow_the_language(client: AsyncTestClient[Litestar]) -> None:
    german = await client.get("/no/such/page")
    client.cookies.set(i18n.COOKIE, "en")
    english = await client.get("/no/such/page")
    assert german.status_code == english.status_code == 404
    assert "Seite nicht gefunden" in german.text
    assert '<html lang="en">' in english.text
    assert "Seite nicht gefunden" not in english.text


async def test_a_logged_in_coordinator_gets_mails_in_the_chosen_language(
    client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    await session_cookie(client, db_session, settings)
    await client.get("/sprache/en", params={"next": "/coordinator"}, follow_redirects=False)
    await db_session.close()
    user = await db_session.scalar(select(StaffUser))
    assert user is not None
    assert user.language == "en"


# --- mails in the recipient's language


def test_a_mail_is_rendered_in_the_language_asked_for_whatever_the_request() -> None:
    context = {
        "reference": "JFZ-0042",
        "partner_name": "Maria Musterfrau",
        "reason": "Das Profil ist unvollständig.",
        "status_url": "https://example.org/status/x",
        "base_url": "https://example.org",
    }
    with i18n.use_language("en"):  # e.g. a coordinator reading the English pages rejects a profile
        german = render_email("profile_rejected", context)
    english = render_email("profile_rejected", context, "en")
    assert i18n.current_language() == "de"
    assert german.subject != english.subject
    assert "JFZ-0042" in english.text


async def test_the_partner_gets_mails_in_the_language_of_the_registration(
    client: AsyncTestClient[Litestar],
    session_maker: async_sessionmaker[AsyncSession],
    deliver: object,
    sink: Sink,
) -> None:
    client.cookies.set(i18n.COOKIE, "en")
    token = await csrf_token(client, "/register")
    response = await client.post(
        "/register", data={**registration_form(), "_csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    async with session_maker() as session:
        profile = await session.scalar(select(Profile))
    assert profile is not None
    assert profile.language == "en"
    await deliver()  # type: ignore[operator]
    [mail] = sink.to(PARTNER_EMAIL)
    assert str(mail["Subject"]) == render_email("partner_confirm", _confirm_context(), "en").subject
    assert str(mail["Subject"]) != render_email("partner_confirm", _confirm_context(), "de").subject


def _confirm_context() -> dict[str, object]:
    return {
        "partner_name": "P",
        "applicant_name": "A",
        "confirm_url": "x",
        "status_url": "y",
        "retention_days": 7,
        "confirm_days": 7,
        "base_url": "z",
    }


async def test_each_contact_gets_the_circulation_in_their_own_language(
    client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    settings: Settings,
    deliver: object,
    sink: Sink,
) -> None:
    klinik = await make_member(db_session, "Klinik Nord", interests="Pflegefachkraft", emails=["de@klinik.example"])
    werk = await make_member(db_session, "Werk Süd", interests="Pflegefachkraft", emails=["en@werk.example"])
    contact = (await db_session.scalars(select(MemberContact).where(MemberContact.email == "en@werk.example"))).one()
    contact.language = "en"
    await db_session.commit()
    profile = await make_profile(db_session, allowed=[klinik, werk])
    await session_cookie(client, db_session, settings)
    client.cookies.set(i18n.COOKIE, "en")  # the coordinator's own language does not matter
    response = await circulate(client, profile, [klinik, werk])
    assert response.status_code == 303, response.text
    await deliver()  # type: ignore[operator]
    [german] = sink.to("de@klinik.example")
    [english] = sink.to("en@werk.example")
    assert str(german["Subject"]) != str(english["Subject"])
    assert profile.reference in str(english["Subject"]) or profile.reference in english.get_content()


# --- dates and labels


def test_dates_and_labels_follow_the_language() -> None:
    day = dt.date(2027, 4, 1)
    moment = dt.datetime(2027, 4, 1, 8, 30, tzinfo=dt.UTC)
    assert i18n.format_date(day) == "01.04.2027"
    assert i18n.format_date(moment) == "01.04.2027, 10:30"
    assert labels.label("working_time", "full_time") == "Vollzeit"
    with i18n.use_language("en"):
        assert i18n.format_date(day) == "1 Apr 2027"
        assert i18n.format_date(moment) == "1 Apr 2027, 10:30"
        assert labels.label("working_time", "full_time") != "Vollzeit"
        assert labels.label("working_time", "unknown-value") == "unknown-value"

"""The public catalogue /angebote: search, filters and paging in SQL, only published and unexpired offers, the
detail page, empty results that explain themselves, and escaped user text."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.offers import services
from jobfuerzwei.offers.models import OfferCategory, OfferStatus, ProviderType
from tests.offers.helpers import make_offer

Client = AsyncTestClient[Litestar]
TITLE = re.compile(r'<h3><a href="/angebote/[0-9a-f-]+">([^<]+)</a></h3>')


def titles(html: str) -> list[str]:
    """Titles of the offers listed on a catalogue page, in order."""
    return TITLE.findall(html)


async def _catalogue(session: AsyncSession) -> None:
    now = utcnow()
    offers: list[dict[str, Any]] = [
        {"title": "Kita-Platzvermittlung", "place": "Aalen"},
        {
            "title": "Deutschkurs am Abend",
            "category": OfferCategory.LANGUAGE_COURSE,
            "provider_name": "VHS Aalen",
            "provider_type": ProviderType.SCHOOL,
            "description": "Integrationskurs mit Einstufungstest.",
        },
        {
            "title": "Wohnungsbörse",
            "category": OfferCategory.RELOCATION,
            "place": "regionweit",
            "languages": ["Deutsch", "Englisch"],
            "description": "Übergangswohnungen der Mitglieder.",
        },
        {
            "title": "Welcome Center",
            "category": OfferCategory.ADVICE,
            "place": "online",
            "provider_name": "IHK Ostwürttemberg",
            "provider_type": ProviderType.CHAMBER,
            "languages": ["Englisch", "Türkisch"],
            "description": "Erstberatung für Fachkräfte.",
        },
        {"title": "Kinderbetreuung Heidenheim", "place": "Heidenheim an der Brenz", "description": "Krippe."},
        {
            "title": "Übersetzungshilfe für Behördengänge",
            "category": OfferCategory.OTHER,
            "place": "regionweit",
            "description": "Ehrenamtliche begleiten zu Ämtern.",
        },
    ]
    for age, values in enumerate(offers):
        await make_offer(session, **{"published_at": now - dt.timedelta(hours=age), **values})


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "",
            [
                "Kita-Platzvermittlung",
                "Deutschkurs am Abend",
                "Wohnungsbörse",
                "Welcome Center",
                "Kinderbetreuung Heidenheim",
                "Übersetzungshilfe für Behördengänge",
            ],
        ),
        ("q=KITA", ["Kita-Platzvermittlung"]),
        ("q=übersetzung", ["Übersetzungshilfe für Behördengänge"]),  # case-insensitive beyond ASCII
        ("q=ÜBERSETZUNG", ["Übersetzungshilfe für Behördengänge"]),
        ("q=ihk", ["Welcome Center"]),  # provider name
        ("q=einstufungstest", ["Deutschkurs am Abend"]),  # description
        ("q=deutschkurs+abend", ["Deutschkurs am Abend"]),  # every word must occur
        ("q=100%25", []),  # LIKE wildcards are taken literally
        ("kategorie=childcare", ["Kita-Platzvermittlung", "Kinderbetreuung Heidenheim"]),
        (
            "ort=Aalen",
            [
                "Kita-Platzvermittlung",
                "Deutschkurs am Abend",
                "Wohnungsbörse",
                "Welcome Center",
                "Übersetzungshilfe für Behördengänge",
            ],
        ),  # with the region-wide and online offers
        ("ort=regionweit", ["Wohnungsbörse", "Übersetzungshilfe für Behördengänge"]),
        ("ort=online", ["Welcome Center"]),
        ("sprache=Englisch", ["Wohnungsbörse", "Welcome Center"]),
        ("sprache=t%C3%BCrkisch", ["Welcome Center"]),
        ("kategorie=childcare&ort=Aalen", ["Kita-Platzvermittlung"]),
        ("kategorie=childcare&ort=Aalen&sprache=Englisch", []),
        (
            "kategorie=unbekannt",
            [
                "Kita-Platzvermittlung",
                "Deutschkurs am Abend",
                "Wohnungsbörse",
                "Welcome Center",
                "Kinderbetreuung Heidenheim",
                "Übersetzungshilfe für Behördengänge",
            ],
        ),
    ],
)
async def test_search_and_filters_return_exactly_the_matching_offers(
    client: Client, db_session: AsyncSession, query: str, expected: list[str]
) -> None:
    await _catalogue(db_session)

    response = await client.get(f"/angebote?{query}")

    assert response.status_code == 200
    assert titles(response.text) == expected


async def test_filter_options_offer_the_places_and_languages_in_use(client: Client, db_session: AsyncSession) -> None:
    await _catalogue(db_session)
    await make_offer(db_session, "Entwurf", place="Geheimhausen", languages=["Klingonisch"], status=OfferStatus.DRAFT)

    text = (await client.get("/angebote")).text

    assert '<option value="Aalen">Aalen</option>' in text
    assert '<option value="Heidenheim an der Brenz">Heidenheim an der Brenz</option>' in text
    assert '<option value="Türkisch">Türkisch</option>' in text
    assert "Geheimhausen" not in text
    assert "Klingonisch" not in text


async def test_pages_hold_ten_offers_newest_first_and_keep_the_filters(
    client: Client, db_session: AsyncSession
) -> None:
    now = utcnow()
    for i in range(1, 24):
        await make_offer(db_session, f"Angebot {i:02d}", published_at=now - dt.timedelta(minutes=i))
    await make_offer(db_session, "Woanders", place="Bopfingen", published_at=now)

    first = await client.get("/angebote?ort=Aalen")
    third = await client.get("/angebote?ort=Aalen&seite=3")
    beyond = await client.get("/angebote?ort=Aalen&seite=99")

    assert titles(first.text) == [f"Angebot {i:02d}" for i in range(1, 11)]
    assert "23 Angebote zu Ihrer Auswahl" in first.text
    assert "Seite 1 von 3" in first.text
    assert 'href="/angebote?q=&amp;kategorie=&amp;ort=Aalen&amp;sprache=&amp;seite=2"' in first.text
    assert titles(third.text) == ["Angebot 21", "Angebot 22", "Angebot 23"]
    assert titles(beyond.text) == titles(third.text)
    assert (await client.get("/angebote?seite=0")).status_code == 400


async def test_unpublished_and_expired_offers_are_never_public(client: Client, db_session: AsyncSession) -> None:
    today = services.today()
    visible = [
        await make_offer(db_session, "Läuft heute ab", valid_until=today),
        await make_offer(db_session, "Ohne Ende"),
    ]
    hidden = [
        await make_offer(db_session, "Abgelaufen", valid_until=today - dt.timedelta(days=1)),
        await make_offer(db_session, "Entwurf", status=OfferStatus.DRAFT, published_at=None),
        await make_offer(db_session, "Eingereicht", status=OfferStatus.SUBMITTED, published_at=None),
        await make_offer(db_session, "Abgelehnt", status=OfferStatus.REJECTED, published_at=None),
        await make_offer(db_session, "Archiviert", status=OfferStatus.ARCHIVED),
    ]

    listing = await client.get("/angebote")

    assert sorted(titles(listing.text)) == ["Läuft heute ab", "Ohne Ende"]
    for offer in visible:
        assert (await client.get(f"/angebote/{offer.id}")).status_code == 200
    for offer in hidden:
        response = await client.get(f"/angebote/{offer.id}")
        assert response.status_code == 404
        assert offer.title not in response.text
        assert titles((await client.get(f"/angebote?q={offer.title}")).text) == []


async def test_detail_page_shows_provider_place_languages_contact_and_link(
    client: Client, db_session: AsyncSession
) -> None:
    offer = await make_offer(
        db_session,
        "Welcome Center",
        provider_name="IHK Ostwürttemberg",
        provider_type=ProviderType.CHAMBER,
        category=OfferCategory.ADVICE,
        place="regionweit",
        languages=["Deutsch", "Englisch"],
        contact="welcome@ihk.example",
        link="https://www.ihk.example/welcome",
    )

    response = await client.get(f"/angebote/{offer.id}")

    assert response.status_code == 200
    text = response.text
    assert "<h1>Welcome Center</h1>" in text
    assert "IHK Ostwürttemberg" in text
    assert "Kammer" in text
    assert "Beratung" in text
    assert "regionweit" in text
    assert "Deutsch, Englisch" in text
    assert "welcome@ihk.example" in text
    assert 'href="https://www.ihk.example/welcome" rel="noopener noreferrer external"' in text


async def test_empty_results_explain_themselves(client: Client, db_session: AsyncSession) -> None:
    none_yet = await client.get("/angebote")
    assert "Im Moment sind keine Angebote veröffentlicht." in none_yet.text

    await _catalogue(db_session)
    nothing = await client.get("/angebote?q=Segelkurs&sprache=Englisch")

    assert nothing.status_code == 200
    assert titles(nothing.text) == []
    assert "0 Angebote zu Ihrer Auswahl" in nothing.text
    assert "Zu Ihrer Auswahl gibt es derzeit kein Angebot." in nothing.text
    assert "anderen oder kürzeren Suchbegriff" in nothing.text
    assert "Lassen Sie einen Filter weg" in nothing.text
    assert 'href="/angebote">Alle Angebote ansehen' in nothing.text
    assert 'value="Segelkurs"' in nothing.text


async def test_html_in_offers_and_in_the_search_is_escaped(client: Client, db_session: AsyncSession) -> None:
    offer = await make_offer(
        db_session,
        "<script>alert('titel')</script>",
        description="<img src=x onerror=alert(1)> Beschreibung",
        provider_name="<b>Anbieter</b>",
        contact="<a href='https://evil.example'>Kontakt</a>",
    )

    listing = await client.get("/angebote")
    detail = await client.get(f"/angebote/{offer.id}")
    search = await client.get('/angebote?q="><script>alert(2)</script>')

    for text in (listing.text, detail.text):
        assert "<script>alert(" not in text
        assert "&lt;script&gt;alert(&#39;titel&#39;)&lt;/script&gt;" in text
        assert "<img src=x" not in text
        assert "<b>Anbieter</b>" not in text
    assert "<a href='https://evil.example'>" not in detail.text
    assert "<script>alert(2)</script>" not in search.text
    assert 'value="&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in search.text


async def test_start_page_and_navigation_link_the_catalogue(client: Client) -> None:
    start = await client.get("/")

    assert start.text.count('href="/angebote"') >= 2  # navigation and the start page's own section
    assert "Katalog der Angebote" in start.text

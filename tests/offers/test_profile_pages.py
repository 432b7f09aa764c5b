"""The offers that fit a profile on the thank-you page after /register and on the partner's status page."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.offers import services
from jobfuerzwei.offers.models import OfferCategory, OfferStatus
from jobfuerzwei.profiles.models import ProfileKind
from jobfuerzwei.profiles.services import issue_status_url
from tests.conftest import csrf_token
from tests.coordinator.conftest import make_profile
from tests.offers.helpers import make_offer
from tests.profiles.factories import registration_form

Client = AsyncTestClient[Litestar]
SECTION = re.compile(r'<section aria-labelledby="angebote-fuer-sie".*?</section>', re.S)


def fitting_titles(html: str) -> list[str]:
    """Titles listed in the "Angebote für Sie" section."""
    found = SECTION.search(html)
    assert found, "no section 'Angebote für Sie'"
    return re.findall(r'<a href="/angebote/[0-9a-f-]+">([^<]+)</a>', found.group(0))


async def _offers(session: AsyncSession) -> None:
    today = services.today()
    await make_offer(session, "Kita Aalen", place="Aalen")
    await make_offer(session, "Kita Heidenheim", place="Heidenheim an der Brenz")
    await make_offer(session, "Umzugslotsen", category=OfferCategory.RELOCATION, place="regionweit")
    await make_offer(
        session, "Deutschkurs", category=OfferCategory.LANGUAGE_COURSE, place="online", languages=["Deutsch"]
    )
    await make_offer(
        session, "Beratung auf Englisch", category=OfferCategory.ADVICE, place="regionweit", languages=["Englisch"]
    )
    await make_offer(session, "Alte Kita-Aktion", place="Aalen", valid_until=today - dt.timedelta(days=1))
    await make_offer(session, "Entwurf Kita", place="Aalen", status=OfferStatus.DRAFT)


async def _status_page(client: Client, session: AsyncSession, settings: Settings, **values: object) -> str:
    profile = await make_profile(session, **values)
    url = await issue_status_url(session, settings, profile)
    await session.commit()
    response = await client.get(url.removeprefix(settings.base_url))
    assert response.status_code == 200
    return response.text


async def test_status_page_lists_the_offers_fitting_a_partner_moving_in(
    client: Client, db_session: AsyncSession, settings: Settings
) -> None:
    await _offers(db_session)

    text = await _status_page(
        client,
        db_session,
        settings,
        residence="Leipzig",
        work_municipalities=["Aalen"],
        languages=[{"language": "Deutsch", "level": "A2"}],
    )

    assert "Angebote für Sie" in text
    assert fitting_titles(text) == ["Kita Aalen", "Umzugslotsen", "Deutschkurs"]
    assert 'href="/angebote">Alle Angebote im Katalog ansehen' in text


async def test_status_page_of_a_job_to_job_profile_leaves_out_relocation(
    client: Client, db_session: AsyncSession, settings: Settings
) -> None:
    await _offers(db_session)

    text = await _status_page(
        client,
        db_session,
        settings,
        kind=ProfileKind.JOB_TO_JOB,
        residence="Heidenheim an der Brenz",
        languages=[{"language": "Deutsch", "level": "native"}, {"language": "Englisch", "level": "B2"}],
    )

    assert fitting_titles(text) == ["Kita Heidenheim", "Beratung auf Englisch"]


async def test_status_page_without_fitting_offers_points_to_the_catalogue(
    client: Client, db_session: AsyncSession, settings: Settings
) -> None:
    text = await _status_page(client, db_session, settings)

    assert fitting_titles(text) == []
    assert "Zu Ihren Angaben gibt es gerade kein besonderes Angebot." in text


async def test_thank_you_page_after_registering_shows_the_offers_for_the_new_profile(
    client: Client, db_session: AsyncSession
) -> None:
    await _offers(db_session)
    token = await csrf_token(client, "/register")
    # residence Leipzig, moving in, work places Aalen and Heidenheim, German native and English B2
    response = await client.post(
        "/register", data={**registration_form(), "_csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303

    thanks = await client.get(response.headers["location"])

    assert "Vielen Dank für Ihre Anmeldung" in thanks.text
    assert fitting_titles(thanks.text) == ["Kita Aalen", "Kita Heidenheim", "Umzugslotsen", "Beratung auf Englisch"]


async def test_thank_you_page_without_or_with_a_forged_mark_only_links_the_catalogue(
    client: Client, db_session: AsyncSession
) -> None:
    await _offers(db_session)
    profile = await make_profile(db_session, residence="Aalen")

    plain = await client.get("/register/thanks")
    client.cookies.set("jfz_registered", f"{profile.id.hex}.9999999999.{'0' * 32}", path="/register/thanks")
    forged = await client.get("/register/thanks")

    for response in (plain, forged):
        assert response.status_code == 200
        assert "Angebote für Sie" not in response.text
        assert 'href="/angebote"' in response.text
        assert "Kita Aalen" not in response.text


def test_registration_marks_expire_and_cannot_be_forged(monkeypatch: pytest.MonkeyPatch) -> None:
    profile_id = uuid.uuid4()
    mark = services.registration_mark("geheim" * 8, profile_id)

    assert services.registered_profile_id("geheim" * 8, mark) == profile_id
    later = utcnow() + dt.timedelta(seconds=services.MARK_SECONDS + 1)
    with monkeypatch.context() as patched:
        patched.setattr(services, "utcnow", lambda: later)
        assert services.registered_profile_id("geheim" * 8, mark) is None
    assert services.registered_profile_id("anderer-schluessel" * 3, mark) is None
    assert services.registered_profile_id("geheim" * 8, mark.replace(".", ".1", 1)) is None
    assert services.registered_profile_id("geheim" * 8, "kein-zeichen") is None
    assert services.registered_profile_id("geheim" * 8, None) is None

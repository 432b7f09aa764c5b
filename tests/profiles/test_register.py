"""The public pages and the applicant's registration form."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.mail.models import OutboxMessage
from jobfuerzwei.profiles import services
from jobfuerzwei.profiles.models import Consent, ConsentKind, Profile, ProfileStatus
from jobfuerzwei.tokens.models import LinkToken, TokenPurpose
from tests.conftest import BASE_URL, csrf_token, links_in
from tests.profiles.factories import (
    APPLICANT_EMAIL,
    PARTNER_EMAIL,
    PDF,
    make_member,
    make_profile,
    registration_form,
    rows,
)


async def _post(client: AsyncTestClient[Litestar], form: dict[str, str], files: dict[str, Any] | None = None) -> Any:
    token = await csrf_token(client, "/register")
    return await client.post("/register", data={**form, "_csrf_token": token}, files=files, follow_redirects=False)


async def _count(session_maker: async_sessionmaker[AsyncSession], model: type[Any]) -> int:
    async with session_maker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _uploads(settings: Settings) -> list[Path]:
    return list(settings.upload_dir.iterdir()) if settings.upload_dir.exists() else []


async def test_start_page_explains_the_service_and_links_the_form(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert "So funktioniert es" in response.text
    assert 'href="/register"' in response.text
    assert "nach 7 Tagen" in response.text


async def test_privacy_notice_shows_version_controller_and_retention(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    response = await client.get("/privacy")
    assert response.status_code == 200
    assert f"Fassung {settings.privacy_version}" in response.text
    assert "Verantwortliche Stelle" in response.text
    assert "Industrie- und Handelskammer" in response.text
    assert "nach 7 Tagen" in response.text
    assert "Abgelehnte Mitgliedsanträge löschen wir nach 90 Tagen" in response.text
    imprint = await client.get("/imprint")
    assert imprint.status_code == 200
    assert "Impressum" in imprint.text
    assert '<span lang="en">ESCO classification, © European Union</span>, CC BY 4.0' in imprint.text


async def test_registration_form_offers_active_members_and_noch_offen(
    client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    await make_member(db_session, "Stadtwerke Aalen")
    await make_member(db_session, "Ausgetreten AG", is_active=False)
    response = await client.get("/register")
    assert response.status_code == 200
    assert "Partnerprofil anmelden" in response.text
    assert "Stadtwerke Aalen" in response.text
    assert "Ausgetreten AG" not in response.text
    assert "noch offen" in response.text
    assert 'enctype="multipart/form-data"' in response.text


async def test_registration_stores_unconfirmed_profile_and_mails_partner_both_links(
    client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    deliver: Any,
) -> None:
    member = await make_member(db_session)
    form = registration_form(recruiting_member_id=str(member.id))
    response = await _post(client, form, files={"cv": ("Mein Lebenslauf.pdf", PDF, "application/pdf")})

    assert response.status_code == 303
    assert response.headers["location"] == "/register/thanks"
    [profile] = await rows(session_maker, select(Profile))
    assert profile.status == ProfileStatus.UNCONFIRMED
    assert profile.number == 1
    assert profile.partner_email == PARTNER_EMAIL
    assert profile.applicant_email == APPLICANT_EMAIL
    assert profile.recruiting_member_id == member.id
    assert profile.occupations == ["Industriekauffrau", "Buchhaltung"]
    assert profile.skills == ["SAP FI", "DATEV", "Excel"]
    assert profile.languages == [{"language": "Deutsch", "level": "native"}, {"language": "Englisch", "level": "B2"}]
    assert profile.work_municipalities == ["Aalen", "Heidenheim"]
    assert profile.work_radius_km == 30
    [consent] = await rows(session_maker, select(Consent))
    assert consent.kind == ConsentKind.APPLICANT
    assert consent.text_version == settings.privacy_version
    purposes = sorted(t.purpose for t in await rows(session_maker, select(LinkToken)))
    assert purposes == [TokenPurpose.CONFIRM, TokenPurpose.STATUS]
    [stored] = _uploads(settings)
    assert stored.read_bytes() == PDF
    assert "Lebenslauf" not in stored.name
    assert profile.cv_file == stored.name
    assert profile.cv_size == len(PDF)

    thanks = await client.get(response.headers["location"])
    assert "Vielen Dank" in thanks.text

    sink = await deliver()
    [message] = sink.to(PARTNER_EMAIL)
    assert "Bitte bestätigen" in str(message["Subject"])
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message.get_body(preferencelist=("html",)) is not None
    plain = message.get_body(preferencelist=("plain",))
    assert plain is not None
    text = " ".join(str(plain.get_content()).split())
    assert "Jonas Beispiel hat Sie beim Netzwerk „Job für Zwei“ angemeldet." in text
    assert "löschen wir alle Angaben nach 7 Tagen automatisch" in text
    links = links_in(message)
    confirm = [link for link in links if link.startswith(f"{BASE_URL}/confirm/")]
    status = [link for link in links if link.startswith(f"{BASE_URL}/status/")]
    assert len(confirm) == 1
    assert len(status) == 1
    page = await client.get(confirm[0].removeprefix(BASE_URL))
    assert page.status_code == 200
    assert "Ich willige ein" in page.text
    status_page = await client.get(status[0].removeprefix(BASE_URL))
    assert status_page.status_code == 200
    assert "Ihre Einwilligung steht noch aus" in status_page.text


async def test_registrations_get_consecutive_numbers(
    client: AsyncTestClient[Litestar], session_maker: async_sessionmaker[AsyncSession]
) -> None:
    assert (await _post(client, registration_form())).status_code == 303
    assert (await _post(client, registration_form(partner_email="zweite@example.org"))).status_code == 303
    numbers = sorted(p.number for p in await rows(session_maker, select(Profile)))
    assert numbers == [1, 2]


async def test_number_clash_with_a_concurrent_registration_is_retried(
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    monkeypatch: Any,
) -> None:
    await make_profile(db_session, settings)
    real = services._next_number
    calls: list[int] = []

    async def stale_then_real(session: AsyncSession) -> int:
        calls.append(1)
        return 1 if len(calls) == 1 else await real(session)

    monkeypatch.setattr(services, "_next_number", stale_then_real)
    second = await make_profile(db_session, settings, partner_email="zweite@example.org")
    assert len(calls) == 2
    assert second.number == 2
    numbers = sorted(p.number for p in await rows(session_maker, select(Profile)))
    assert numbers == [1, 2]


async def test_invalid_fields_come_back_as_typed_with_german_messages_and_nothing_stored(
    client: AsyncTestClient[Litestar], session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    form = registration_form(
        partner_name="Maria <Beispiel>",
        partner_email="maria-at-example",
        residence="",
        occupations="",
        qualification="astronaut",
        experience_years="viele",
        language_1="Englisch",
        level_1="Z9",
        work_postcode="7343",
        move_date="31.02.2027",
    )
    del form["applicant_consent"]
    response = await _post(client, form, files={"cv": ("cv.pdf", PDF, "application/pdf")})

    assert response.status_code == 400
    page = response.text
    assert "Bitte prüfen Sie Ihre Angaben" in page
    assert "Bitte geben Sie eine gültige E-Mail-Adresse ein" in page
    assert "Bitte geben Sie den derzeitigen Wohnort an." in page
    assert "Bitte nennen Sie mindestens einen Wunschberuf." in page
    assert "Bitte wählen Sie den höchsten Abschluss aus der Liste." in page
    assert "Berufserfahrung in ganzen Jahren" in page
    assert "Bitte wählen Sie eine Stufe aus der Liste." in page
    assert "fünfstellige Postleitzahl" in page
    assert "gültiges Datum" in page
    assert "Datenschutzhinweise gelesen haben und einwilligen" in page
    # typed values are shown again (escaped), the file must be chosen again
    assert 'value="Maria &lt;Beispiel&gt;"' in page
    assert 'value="maria-at-example"' in page
    assert 'value="viele"' in page
    assert 'value="31.02.2027"' in page
    assert 'value="Jonas Beispiel"' in page
    assert ">Aalen, Heidenheim</textarea>" in page
    assert "Bitte wählen Sie die Datei noch einmal aus" in page
    assert await _count(session_maker, Profile) == 0
    assert await _count(session_maker, OutboxMessage) == 0
    assert await _count(session_maker, LinkToken) == 0
    assert _uploads(settings) == []


async def test_partner_email_must_differ_from_applicant_email(
    client: AsyncTestClient[Litestar], session_maker: async_sessionmaker[AsyncSession]
) -> None:
    response = await _post(client, registration_form(partner_email=APPLICANT_EMAIL.upper()))
    assert response.status_code == 400
    assert "muss sich von Ihrer eigenen unterscheiden" in response.text
    assert await _count(session_maker, Profile) == 0


async def test_work_area_needs_a_place_or_a_postcode_with_radius(
    client: AsyncTestClient[Litestar], session_maker: async_sessionmaker[AsyncSession]
) -> None:
    response = await _post(client, registration_form(work_municipalities="", work_postcode="", work_radius_km=""))
    assert response.status_code == 400
    assert "mindestens einen Ort oder eine Postleitzahl mit Umkreis" in response.text
    radius_only = await _post(client, registration_form(work_postcode="", work_radius_km="25"))
    assert radius_only.status_code == 400
    assert "Bitte geben Sie die Postleitzahl zum Umkreis an." in radius_only.text
    assert await _count(session_maker, Profile) == 0


async def test_unknown_recruiting_member_is_rejected(
    client: AsyncTestClient[Litestar], session_maker: async_sessionmaker[AsyncSession]
) -> None:
    response = await _post(client, registration_form(recruiting_member_id="00000000-0000-0000-0000-000000000000"))
    assert response.status_code == 400
    assert "Bitte wählen Sie ein Mitglied aus der Liste" in response.text
    assert await _count(session_maker, Profile) == 0


async def test_non_pdf_renamed_to_pdf_is_rejected_and_no_file_is_kept(
    client: AsyncTestClient[Litestar], session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    fake = b"MZ\x90\x00 this is an executable, not a PDF"
    response = await _post(client, registration_form(), files={"cv": ("lebenslauf.pdf", fake, "application/pdf")})
    assert response.status_code == 400
    assert "Die Datei ist kein PDF." in response.text
    assert await _count(session_maker, Profile) == 0
    assert _uploads(settings) == []


async def test_six_megabyte_cv_is_rejected_with_german_message(
    client: AsyncTestClient[Litestar], session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    big = PDF + b"0" * (6 * 1024 * 1024)
    response = await _post(client, registration_form(), files={"cv": ("gross.pdf", big, "application/pdf")})
    assert response.status_code == 400
    assert "Der Lebenslauf ist zu groß. Bitte laden Sie eine PDF-Datei bis 5 MB hoch." in response.text
    assert 'value="Maria Beispiel"' in response.text
    assert 'name="applicant_consent" value="on" checked' in response.text
    assert await _count(session_maker, Profile) == 0
    assert _uploads(settings) == []


async def test_registration_without_cv_is_accepted(
    client: AsyncTestClient[Litestar], session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    response = await _post(client, registration_form(), files={"cv": ("", b"", "application/octet-stream")})
    assert response.status_code == 303
    [profile] = await rows(session_maker, select(Profile))
    assert profile.cv_file is None
    assert _uploads(settings) == []


async def test_registration_without_csrf_token_is_refused_and_stores_nothing(
    client: AsyncTestClient[Litestar], session_maker: async_sessionmaker[AsyncSession]
) -> None:
    await client.get("/register")
    response = await client.post("/register", data=registration_form(), follow_redirects=False)
    assert response.status_code == 403
    assert "Zugriff verweigert" in response.text
    assert await _count(session_maker, Profile) == 0


async def test_concurrent_registrations_each_get_their_own_number(
    session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """Twelve registrations whose transactions overlap (each stays open a moment after taking its number)."""
    import asyncio

    from jobfuerzwei.profiles.schemas import validate_profile_form
    from tests.profiles.factories import profile_form

    async def register(i: int) -> int:
        data, errors = validate_profile_form(profile_form(partner_email=f"p{i}@example.org"), members=[])
        assert not errors
        async with session_maker() as session:
            profile = await services.register_profile(
                session, settings, data, applicant_name="Jonas Beispiel", applicant_email=APPLICANT_EMAIL
            )
            await asyncio.sleep(0.05)  # the mail, the audit entry: the transaction is still open
            await session.commit()
            return profile.number

    numbers = await asyncio.gather(*(register(i) for i in range(12)))
    assert sorted(numbers) == list(range(1, 13))

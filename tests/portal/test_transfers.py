"""The job-to-job exchange in the portal ("Wechselprofile"): a member registers employees it must let go, one by
one or from a CSV file; each employee gets the double opt-in; the member sees figures without other members'
internals and never receives its own people."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import Member
from jobfuerzwei.profiles.models import Profile, ProfileKind, ProfileStatus
from jobfuerzwei.profiles.transfers_csv import MAX_CSV_ROWS
from jobfuerzwei.referrals.models import Referral, ReferralState
from tests.circulation.helpers import circulate, make_member, make_profile, path_of
from tests.circulation.helpers import post as coordinator_post
from tests.conftest import csrf_token, links_in
from tests.portal.helpers_member import portal_login

Client = AsyncTestClient[Litestar]

HEADER = (
    "name;email;telefon;wohnort;wunschberufe;abschluss;berufserfahrung_jahre;kurzprofil;kenntnisse;sprachen;"
    "arbeitszeit;fruehester_beginn;arbeitsorte;plz;umkreis_km"
)


def transfer_form(**overrides: str) -> dict[str, str]:
    """A valid single form as the browser posts it."""
    form = {
        "partner_name": "Jörg Schäfer",
        "partner_email": "joerg.schaefer@example.org",
        "partner_phone": "",
        "residence": "Aalen",
        "occupations": "Industriemechaniker, Instandhalter",
        "qualification": "apprenticeship",
        "experience_years": "12",
        "summary": "Zwölf Jahre Instandhaltung in der Serienfertigung.",
        "skills": "SPS, Hydraulik",
        "language_0": "Deutsch",
        "level_0": "native",
        "working_time": "full_time",
        "earliest_start": "2027-01-01",
        "work_municipalities": "Aalen, Oberkochen",
        "work_postcode": "",
        "work_radius_km": "",
        "declaration": "on",
    }
    form.update(overrides)
    return form


async def _post(client: Client, path: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
    token = client.cookies.get("csrftoken") or await csrf_token(client, "/portal/transfers")
    return await client.post(path, data={"_csrf_token": token, **data}, follow_redirects=False, **kwargs)


async def _upload(client: Client, content: bytes, name: str = "wechsel.csv") -> httpx.Response:
    return await _post(client, "/portal/transfers/import", {}, files={"file": (name, content, "text/csv")})


async def _transfers(session: AsyncSession, member: Member) -> list[Profile]:
    return list(
        await session.scalars(
            select(Profile)
            .where(Profile.releasing_member_id == member.id)
            .order_by(Profile.number)
            .execution_options(populate_existing=True)
        )
    )


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Profile)) or 0)


async def test_single_registration_sends_the_employee_the_opt_in_and_the_link_works(
    client: Client, db_session: AsyncSession, deliver: Callable[..., Any]
) -> None:
    member = await make_member(db_session, "Schrumpf AG")
    contact = await portal_login(client, db_session, member)

    page = await client.get("/portal/transfers/new")
    assert page.status_code == 200
    assert 'aria-current="page">Wechselprofile' in page.text
    response = await _post(client, "/portal/transfers/new", transfer_form())
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/portal/transfers"

    [profile] = await _transfers(db_session, member)
    assert profile.kind == ProfileKind.JOB_TO_JOB
    assert profile.status == ProfileStatus.UNCONFIRMED
    assert profile.releasing_member_id == member.id
    assert profile.applicant_email == contact.email
    assert profile.occupations == ["Industriemechaniker", "Instandhalter"]

    sink = await deliver()
    [mail] = sink.to("joerg.schaefer@example.org")
    assert "Wechselprofil" in str(mail["Subject"])
    text = str(mail.get_body(preferencelist=("plain",)).get_content())
    assert "Guten Tag Jörg Schäfer" in text
    assert "Ihr Arbeitgeber Schrumpf AG hat Sie bei der Jobdrehscheibe" in text
    assert "Es geschieht nichts, bevor Sie selbst einwilligen" in text
    confirm = next(link for link in links_in(mail) if "/confirm/" in link)
    status = next(link for link in links_in(mail) if "/status/" in link)
    confirm_page = await client.get(path_of(confirm))
    assert confirm_page.status_code == 200
    assert f'value="{member.id}"' not in confirm_page.text  # the releasing member is never offered
    assert "Ihr Arbeitgeber, Schrumpf AG, hat Sie bei der Jobdrehscheibe" in confirm_page.text
    assert (await client.get(path_of(status))).status_code == 200

    overview = await client.get("/portal/transfers")
    assert profile.reference in overview.text
    assert "Jörg Schäfer" in overview.text
    assert "wartet auf Einwilligung" in overview.text


async def test_wrong_single_form_keeps_the_values_and_stores_nothing(client: Client, db_session: AsyncSession) -> None:
    member = await make_member(db_session, "Schrumpf AG")
    await portal_login(client, db_session, member)

    response = await _post(
        client,
        "/portal/transfers/new",
        transfer_form(partner_name="", partner_email="kein-at-zeichen", earliest_start="31.02.2027", declaration=""),
    )

    assert response.status_code == 400
    assert "Bitte geben Sie den Namen der Mitarbeiterin bzw. des Mitarbeiters ein." in response.text
    assert "gültige E-Mail-Adresse" in response.text
    assert "gültiges Datum" in response.text
    assert "Datenschutzhinweise gelesen haben" in response.text
    assert 'value="kein-at-zeichen"' in response.text
    assert "Zwölf Jahre Instandhaltung" in response.text
    assert await _count(db_session) == 0


async def test_a_second_registration_of_the_same_address_is_refused(client: Client, db_session: AsyncSession) -> None:
    member = await make_member(db_session, "Schrumpf AG")
    await portal_login(client, db_session, member)
    assert (await _post(client, "/portal/transfers/new", transfer_form())).status_code == 303

    again = await _post(client, "/portal/transfers/new", transfer_form(partner_email="Joerg.Schaefer@example.org"))

    assert again.status_code == 400
    assert "bereits ein Wechselprofil angelegt" in again.text
    assert await _count(db_session) == 1


async def test_csv_preview_lists_every_row_error_and_stores_nothing(client: Client, db_session: AsyncSession) -> None:
    member = await make_member(db_session, "Schrumpf AG")
    await portal_login(client, db_session, member)
    content = "\n".join(
        [
            "Name,Email,Wohnort,Wunschberufe,Abschluss,Arbeitszeit,Fruehester_Beginn,Arbeitsorte",
            "Anna Alt,anna@example.org,Aalen,Koch,ausbildung,vollzeit,01.03.2027,Aalen",
            "Bernd Bau,kein-at-zeichen,Aalen,Koch,ausbildung,vollzeit,,Aalen",
            ",carla@example.org,Aalen,Koch,meister,teilzeit,,Aalen",
            "Dora Dach,dora@example.org,Aalen,Koch,studium,beides,31.02.2027,Aalen",
            "Emil Eck,ANNA@example.org,Aalen,Koch,ausbildung,vollzeit,,Aalen",
            "Fritz Fuchs,fritz@example.org,Aalen,Koch,magister,vollzeit,,Aalen",
        ]
    ).encode()

    preview = await _upload(client, content)

    assert preview.status_code == 400
    text = preview.text
    assert "5 Zeilen mit Fehlern" in text
    assert "Es ist noch nichts gespeichert" in text
    assert "Zeile 3: Spalte „email“: Bitte geben Sie eine gültige E-Mail-Adresse ein" in text
    assert "Zeile 4: Spalte „name“: Bitte geben Sie den Namen der Mitarbeiterin bzw. des Mitarbeiters ein." in text
    assert "Zeile 5: Spalte „fruehester_beginn“: Bitte geben Sie ein gültiges Datum ein" in text
    assert "Zeile 6: Spalte „email“: Diese E-Mail-Adresse steht schon in Zeile 2." in text
    assert "Zeile 7: Spalte „abschluss“: „magister“ ist unbekannt." in text
    assert 'id="line-2"' in text  # the valid row is listed too
    assert "/portal/transfers/import/confirm" not in text  # no way to store a file with errors
    assert await _count(db_session) == 0


async def test_clean_semicolon_windows_1252_csv_imports_every_profile_with_its_mail(
    client: Client, db_session: AsyncSession, deliver: Callable[..., Any]
) -> None:
    member = await make_member(db_session, "Schrumpf AG")
    await portal_login(client, db_session, member)
    # Semicolons separate the columns; a list column holding two values is quoted, as Excel writes it.
    rows = [
        HEADER,
        'Jürgen Müller;juergen.mueller@example.org;+49 7361 1234;Aalen;"Schweißer; Schlosser";meister;20;'
        'Großserienfertigung;"WIG; MAG";"Deutsch:Muttersprache; Englisch:B1";vollzeit;01.04.2027;;73430;30',
        "Özlem Öztürk;oezlem@example.org;;Heidenheim;Bürokauffrau;ausbildung;5;;;Deutsch:C1;teilzeit;2027-05-01;"
        '"Heidenheim; Giengen";;',
        "Björn Weiß;bjoern@example.org;;Ellwangen;Ingenieur;Bachelor / Diplom (FH);3;;;;beides;;Ellwangen;;",
    ]
    content = "\r\n".join(rows).encode("cp1252")

    preview = await _upload(client, content)
    assert preview.status_code == 200, preview.text
    assert "Alle Zeilen sind in Ordnung" in preview.text
    assert "Özlem Öztürk" in preview.text
    assert await _count(db_session) == 0
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text)
    signature = re.search(r'name="signature" value="([^"]+)"', preview.text)
    assert payload
    assert signature

    forged = await _post(
        client,
        "/portal/transfers/import/confirm",
        {"payload": payload.group(1), "signature": "0" * 64, "declaration": "on"},
    )
    assert forged.status_code == 400
    assert "Die Vorschau ist ungültig" in forged.text
    undeclared = await _post(
        client, "/portal/transfers/import/confirm", {"payload": payload.group(1), "signature": signature.group(1)}
    )
    assert undeclared.status_code == 400
    assert await _count(db_session) == 0

    confirmed = await _post(
        client,
        "/portal/transfers/import/confirm",
        {"payload": payload.group(1), "signature": signature.group(1), "declaration": "on"},
    )
    assert confirmed.status_code == 303, confirmed.text

    profiles = await _transfers(db_session, member)
    assert [p.partner_name for p in profiles] == ["Jürgen Müller", "Özlem Öztürk", "Björn Weiß"]
    assert all(p.kind == ProfileKind.JOB_TO_JOB and p.status == ProfileStatus.UNCONFIRMED for p in profiles)
    juergen, oezlem, bjoern = profiles
    assert juergen.occupations == ["Schweißer", "Schlosser"]
    assert juergen.languages == [{"language": "Deutsch", "level": "native"}, {"language": "Englisch", "level": "B1"}]
    assert juergen.work_radius_km == 30
    assert juergen.earliest_start == dt.date(2027, 4, 1)
    assert oezlem.work_municipalities == ["Heidenheim", "Giengen"]
    assert str(bjoern.qualification) == "bachelor"
    sink = await deliver()
    assert sorted(str(m["To"]) for m in sink.messages) == sorted(p.partner_email for p in profiles)

    again = await _upload(client, content)  # the same file once more: every address is already registered
    assert again.status_code == 400
    assert "3 Zeilen mit Fehlern" in again.text


async def test_files_over_the_caps_are_refused(client: Client, db_session: AsyncSession) -> None:
    member = await make_member(db_session, "Schrumpf AG")
    await portal_login(client, db_session, member)
    line = "Anna Alt;anna{0}@example.org;Aalen;Koch;ausbildung;vollzeit;Aalen"
    header = "name;email;wohnort;wunschberufe;abschluss;arbeitszeit;arbeitsorte"

    too_many = "\n".join([header, *(line.format(i) for i in range(MAX_CSV_ROWS + 1))]).encode()
    response = await _upload(client, too_many)
    assert response.status_code == 400
    assert f"mehr als {MAX_CSV_ROWS} Zeilen" in response.text

    too_big = (header + "\n" + line.format(0) + ";" + "x" * (1024 * 1024)).encode()
    response = await _upload(client, too_big)
    assert response.status_code == 400
    assert "Die Datei ist zu groß" in response.text

    not_csv = await _upload(client, b"%PDF-1.4", name="liste.pdf")
    assert not_csv.status_code == 400
    assert "Dateiendung .csv" in not_csv.text
    assert await _count(db_session) == 0


async def test_overview_shows_placements_by_sector_and_place_but_not_the_hiring_members_name(
    client: Client, db_session: AsyncSession
) -> None:
    releasing = await make_member(db_session, "Schrumpf AG")
    clinic = await make_member(db_session, "Kliniken Ostalb")  # sector "Gesundheit", Aalen
    clinic.municipality = "Ellwangen"
    await db_session.commit()
    now = utcnow()
    placed = []
    for days in (10, 20, 40):
        profile = await make_profile(
            db_session,
            kind=ProfileKind.JOB_TO_JOB,
            releasing_member_id=releasing.id,
            status=ProfileStatus.PLACED,
            approved_at=now - dt.timedelta(days=days),
            placed_at=now,
            partner_email=f"person{days}@example.org",
        )
        db_session.add(Referral(profile_id=profile.id, member_id=clinic.id, state=ReferralState.HIRED))
        placed.append(profile)
    await make_profile(db_session, kind=ProfileKind.JOB_TO_JOB, releasing_member_id=releasing.id)  # approved
    withdrawn = await make_profile(
        db_session,
        kind=ProfileKind.JOB_TO_JOB,
        releasing_member_id=releasing.id,
        status=ProfileStatus.WITHDRAWN,
        partner_name="Zurück Gezogen",
    )
    await make_profile(db_session, partner_name="Fremde Partnerin")  # a partner profile: not the member's
    await db_session.commit()
    await portal_login(client, db_session, releasing)

    page = await client.get("/portal/transfers")

    assert page.status_code == 200
    text = page.text
    assert re.search(r'id="figure-registered">5<', text)
    assert re.search(r'id="figure-confirmed">5<', text)
    assert re.search(r'id="figure-placed">3<', text)
    assert "im Median 20 Tage" in text
    assert "Gesundheit" in text
    assert "Ellwangen" in text
    assert "Kliniken Ostalb" not in text
    assert withdrawn.reference in text
    assert "Zurück Gezogen" not in text  # withdrawn: reference and status only
    assert "Fremde Partnerin" not in text


async def test_another_members_contact_sees_none_of_them(client: Client, db_session: AsyncSession) -> None:
    releasing = await make_member(db_session, "Schrumpf AG")
    other = await make_member(db_session, "Brenzwerk GmbH")
    profile = await make_profile(
        db_session, kind=ProfileKind.JOB_TO_JOB, releasing_member_id=releasing.id, partner_name="Geheim Person"
    )
    await portal_login(client, db_session, other)

    page = await client.get("/portal/transfers")

    assert page.status_code == 200
    assert profile.reference not in page.text
    assert "Geheim Person" not in page.text
    assert "noch niemanden" in page.text


async def test_the_portal_pages_need_a_login(client: Client) -> None:
    for path in ("/portal/transfers", "/portal/transfers/new", "/portal/transfers/import"):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/portal/login")


async def test_circulated_batch_never_reaches_the_releasing_member(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
) -> None:
    releasing = await make_member(db_session, "Schrumpf AG", "Industriemechaniker")
    other = await make_member(db_session, "Brenzwerk GmbH", "Industriemechaniker")
    await portal_login(coordinator, db_session, releasing)
    content = "\n".join(
        [
            "name,email,wohnort,wunschberufe,abschluss,arbeitszeit,arbeitsorte",
            "Anna Alt,anna@example.org,Aalen,Industriemechanikerin,ausbildung,vollzeit,Aalen",
            "Bernd Bau,bernd@example.org,Aalen,Industriemechaniker,meister,vollzeit,Aalen",
        ]
    ).encode()
    preview = await _upload(coordinator, content)
    fields = dict(re.findall(r'name="(payload|signature)" value="([^"]+)"', preview.text))
    response = await _post(coordinator, "/portal/transfers/import/confirm", {**fields, "declaration": "on"})
    assert response.status_code == 303
    sink = await deliver()

    profiles = await _transfers(db_session, releasing)
    for profile, mail in zip(profiles, [sink.to("anna@example.org")[0], sink.to("bernd@example.org")[0]], strict=True):
        confirm = path_of(next(link for link in links_in(mail) if "/confirm/" in link))
        # A forged consent that lists the releasing member too: only the other member is recorded.
        ids = [str(releasing.id), str(other.id)]
        token = await csrf_token(coordinator, confirm)
        consent = await coordinator.post(
            confirm, data={"_csrf_token": token, "shown": ids, "allow": ids}, follow_redirects=False
        )
        assert consent.status_code == 303
        approved = await coordinator_post(coordinator, f"/coordinator/profiles/{profile.id}/approve")
        assert approved.status_code == 303, approved.text
    sink.clear()

    for profile in await _transfers(db_session, releasing):
        assert profile.status == ProfileStatus.APPROVED
        sent = await circulate(coordinator, profile, [releasing, other])
        assert sent.status_code == 303, sent.text
    sink = await deliver()

    assert sink.to("personal@schrumpf-ag.example") == []
    assert len(sink.to("personal@brenzwerk-gmbh.example")) == 2
    overview = await coordinator.get("/portal/transfers")
    assert re.search(r'id="figure-circulating">2<', overview.text)

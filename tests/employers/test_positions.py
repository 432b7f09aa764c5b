"""Open positions of a member: the coordinator adds, corrects, closes and reopens them; titles get ESCO codes."""

from __future__ import annotations

import uuid

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.employers.models import Position
from jobfuerzwei.matching.catalogue import load_catalogue
from tests.coordinator.conftest import make_member, post_form

VALID = {
    "title": "Fachkraft für Lagerlogistik (m/w/d)",
    "skills": "Staplerschein, SAP, staplerschein",
    "languages": "Deutsch B1, Englisch A2",
    "working_time": "full_time",
    "start_date": "2027-03-01",
    "postcode": "73430",
    "municipality": "Aalen",
    "description": "Wareneingang und Kommissionierung.",
}


async def _positions(session: AsyncSession) -> list[Position]:
    return list(await session.scalars(select(Position).execution_options(populate_existing=True)))


async def test_new_position_is_stored_with_its_esco_occupation_and_requirements(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    member = await make_member(db_session, "Logistik Ostalb GmbH", postcode="73430")
    form = await logged_in_client.get(f"/coordinator/members/{member.id}/positions/new")
    assert form.status_code == 200
    assert 'role="combobox"' in form.text  # the title suggests catalogue entries
    assert 'value="73430"' in form.text  # the workplace defaults to the member's

    response = await post_form(logged_in_client, f"/coordinator/members/{member.id}/positions/new", VALID)

    assert response.status_code == 303
    assert response.headers["location"] == f"/coordinator/members/{member.id}/edit"
    [position] = await _positions(db_session)
    assert position.member_id == member.id
    assert position.skills == ["Staplerschein", "SAP"]
    assert position.languages == [{"language": "Deutsch", "level": "B1"}, {"language": "Englisch", "level": "A2"}]
    assert position.working_time == "full_time"
    assert position.start_date is not None
    assert position.start_date.isoformat() == "2027-03-01"
    occupation = load_catalogue().get(position.esco_uri)
    assert occupation is not None
    assert occupation.label == "Warenlagerverwalter/Warenlagerverwalterin"  # ESCO has no "Fachkraft für Lagerlogistik"
    page = await logged_in_client.get(f"/coordinator/members/{member.id}/edit")
    assert "Stelle gespeichert." in page.text
    assert "Fachkraft für Lagerlogistik (m/w/d)" in page.text
    assert occupation.label in page.text


async def test_position_with_wrong_input_keeps_what_was_typed_and_stores_nothing(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    member = await make_member(db_session)
    data = {**VALID, "title": "", "languages": "Deutsch C7", "start_date": "2027-02-30", "postcode": "7343"}

    response = await post_form(logged_in_client, f"/coordinator/members/{member.id}/positions/new", data)

    assert response.status_code == 400
    text = response.text
    assert "Bitte geben Sie die Bezeichnung der Stelle an." in text
    assert "Nicht lesbar: Deutsch C7" in text
    assert "gültiges Datum" in text
    assert "fünfstellige Postleitzahl" in text
    assert 'value="Staplerschein, SAP, staplerschein"' in text
    assert 'value="Deutsch C7"' in text
    assert await db_session.scalar(select(func.count()).select_from(Position)) == 0


async def test_changing_the_title_classifies_it_again_and_close_and_reopen_work(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    member = await make_member(db_session)
    await post_form(logged_in_client, f"/coordinator/members/{member.id}/positions/new", VALID)
    [position] = await _positions(db_session)
    first_uri = position.esco_uri

    edit = await logged_in_client.get(f"/coordinator/positions/{position.id}/edit")
    assert 'value="Deutsch B1, Englisch A2"' in edit.text
    response = await post_form(
        logged_in_client, f"/coordinator/positions/{position.id}/edit", {**VALID, "title": "Koch (m/w/d)"}
    )
    assert response.status_code == 303
    [position] = await _positions(db_session)
    assert position.esco_uri not in (None, first_uri)
    koch = load_catalogue().get(position.esco_uri)
    assert koch is not None
    assert "Koch" in koch.label

    assert (await post_form(logged_in_client, f"/coordinator/positions/{position.id}/close")).status_code == 303
    [position] = await _positions(db_session)
    assert not position.is_open
    assert position.closed_at is not None
    again = await post_form(logged_in_client, f"/coordinator/positions/{position.id}/close")
    assert again.status_code == 409
    assert (await post_form(logged_in_client, f"/coordinator/positions/{position.id}/reopen")).status_code == 303
    [position] = await _positions(db_session)
    assert position.is_open
    assert position.closed_at is None


async def test_unknown_position_or_member_is_404_and_pages_need_a_login(
    client: AsyncTestClient[Litestar], logged_in_client: AsyncTestClient[Litestar]
) -> None:
    assert (await logged_in_client.get(f"/coordinator/positions/{uuid.uuid4()}/edit")).status_code == 404
    assert (await logged_in_client.get(f"/coordinator/members/{uuid.uuid4()}/positions/new")).status_code == 404
    logged_in_client.cookies.clear()
    response = await logged_in_client.get(f"/coordinator/positions/{uuid.uuid4()}/matches", follow_redirects=False)
    assert response.status_code in (302, 303, 401)

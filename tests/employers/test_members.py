from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.employers.services import get_member, list_members
from tests.coordinator.conftest import make_member, post_form

VALID = {
    "name": "Zeiss Beispiel AG",
    "sector": "Optik",
    "municipality": "Oberkochen",
    "postcode": "73447",
    "contact_emails": "personal@zeiss.example\n\n  Recruiting@Zeiss.example  \n",
    "interests": "Optikingenieur\nFeinmechaniker\n",
    "is_active": "on",
}


async def _member_by_name(session: AsyncSession, name: str) -> Member | None:
    member: Member | None = await session.scalar(
        select(Member).where(Member.name == name).execution_options(populate_existing=True)
    )
    return member


async def test_member_list_shows_name_sector_place_contacts_and_state(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    await make_member(db_session, "Aalener Werkzeugbau GmbH", sector="Werkzeugbau", municipality="Aalen")
    await make_member(db_session, "Stillgelegt e. V.", email="x@still.example", is_active=False)
    response = await logged_in_client.get("/coordinator/members")
    assert response.status_code == 200
    assert "Aalener Werkzeugbau GmbH" in response.text
    assert "Werkzeugbau" in response.text
    assert "Stillgelegt e. V." in response.text
    assert "2 Mitglieder" in response.text


async def test_create_member_stores_contacts_and_lines(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    form = await logged_in_client.get("/coordinator/members/new")
    assert form.status_code == 200
    assert 'name="is_active" value="on" checked' in form.text
    response = await post_form(logged_in_client, "/coordinator/members/new", VALID)
    assert response.status_code == 303
    assert response.headers["location"] == "/coordinator/members"
    member = await _member_by_name(db_session, "Zeiss Beispiel AG")
    assert member is not None
    assert member.contact_emails == ["personal@zeiss.example", "recruiting@zeiss.example"]
    assert member.interests == "Optikingenieur\nFeinmechaniker"
    assert member.postcode == "73447"
    assert member.is_active
    assert member.joined_at is not None
    listing = await logged_in_client.get("/coordinator/members")
    assert "Mitglied gespeichert." in listing.text
    assert "Zeiss Beispiel AG" in listing.text


async def test_create_member_with_errors_keeps_typed_values_and_stores_nothing(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    data = {**VALID, "contact_emails": "personal@zeiss.example\nkeine-adresse", "postcode": "7344"}
    response = await post_form(logged_in_client, "/coordinator/members/new", data)
    assert response.status_code == 400
    assert "Keine gültige E-Mail-Adresse: keine-adresse" in response.text
    assert "fünfstellige Postleitzahl" in response.text
    assert 'value="Zeiss Beispiel AG"' in response.text
    assert 'value="7344"' in response.text
    assert "Optikingenieur\nFeinmechaniker" in response.text
    assert await db_session.scalar(select(func.count()).select_from(Member)) == 0


async def test_create_member_requires_name_and_a_contact(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    response = await post_form(logged_in_client, "/coordinator/members/new", {"name": " ", "contact_emails": ""})
    assert response.status_code == 400
    assert "Bitte geben Sie den Namen des Mitglieds an." in response.text
    assert "mindestens eine Kontakt-E-Mail-Adresse" in response.text
    assert await db_session.scalar(select(func.count()).select_from(Member)) == 0


async def test_member_names_are_unique(logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession) -> None:
    await make_member(db_session, "Zeiss Beispiel AG")
    response = await post_form(logged_in_client, "/coordinator/members/new", {**VALID, "name": "zeiss beispiel ag"})
    assert response.status_code == 400
    assert "Es gibt bereits ein Mitglied mit diesem Namen." in response.text
    assert await db_session.scalar(select(func.count()).select_from(Member)) == 1


async def test_edit_member_changes_fields_and_contacts(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    member = await make_member(db_session, "Alt GmbH", email="alt@alt.example")
    form = await logged_in_client.get(f"/coordinator/members/{member.id}/edit")
    assert form.status_code == 200
    assert 'value="Alt GmbH"' in form.text
    assert "alt@alt.example" in form.text
    data = {**VALID, "name": "Neu GmbH", "contact_emails": "neu@neu.example\nalt@alt.example"}
    data.pop("is_active")
    response = await post_form(logged_in_client, f"/coordinator/members/{member.id}/edit", data)
    assert response.status_code == 303
    fresh = await _member_by_name(db_session, "Neu GmbH")
    assert fresh is not None
    assert fresh.id == member.id
    assert sorted(fresh.contact_emails) == ["alt@alt.example", "neu@neu.example"]
    assert fresh.is_active is False
    assert fresh.sector == "Optik"
    data["contact_emails"] = "neu@neu.example"
    await post_form(logged_in_client, f"/coordinator/members/{member.id}/edit", data)
    assert await db_session.scalar(select(func.count()).select_from(MemberContact)) == 1


async def test_edit_member_with_errors_keeps_typed_values_and_changes_nothing(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    member = await make_member(db_session, "Alt GmbH", email="alt@alt.example")
    await make_member(db_session, "Vergeben AG", email="v@vergeben.example")
    data = {**VALID, "name": "Vergeben AG", "sector": "Neue Branche"}
    response = await post_form(logged_in_client, f"/coordinator/members/{member.id}/edit", data)
    assert response.status_code == 400
    assert "Es gibt bereits ein Mitglied mit diesem Namen." in response.text
    assert 'value="Neue Branche"' in response.text
    fresh = await _member_by_name(db_session, "Alt GmbH")
    assert fresh is not None
    assert fresh.sector == "Maschinenbau"


async def test_unknown_member_answers_404(logged_in_client: AsyncTestClient[Litestar]) -> None:
    response = await logged_in_client.get("/coordinator/members/00000000-0000-0000-0000-000000000000/edit")
    assert response.status_code == 404


async def test_list_members_returns_active_ones_by_default(db_session: AsyncSession) -> None:
    active = await make_member(db_session, "B Aktiv", email="b@b.example")
    await make_member(db_session, "A Inaktiv", email="a@a.example", is_active=False)
    assert [m.name for m in await list_members(db_session)] == ["B Aktiv"]
    assert [m.name for m in await list_members(db_session, active_only=False)] == ["A Inaktiv", "B Aktiv"]
    assert (await get_member(db_session, active.id)).name == "B Aktiv"

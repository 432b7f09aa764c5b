"""The member's own pages in the portal: details, open positions (only its own), pause, resume and leave."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.employers.models import EmployerSession, Member, MemberContact, Position
from tests.circulation.helpers import make_member
from tests.conftest import csrf_token, links_in
from tests.portal.helpers_member import portal_login

Client = AsyncTestClient[Litestar]


async def _post(client: Client, path: str, data: dict[str, str] | None = None) -> Any:
    token = client.cookies.get("csrftoken") or await csrf_token(client, "/join")
    return await client.post(path, data={"_csrf_token": token, **(data or {})}, follow_redirects=False)


async def _fresh(session: AsyncSession, model: type[Any], row_id: uuid.UUID) -> Any:
    return await session.scalar(select(model).where(model.id == row_id).execution_options(populate_existing=True))


async def test_member_edits_its_details_and_a_taken_name_is_refused(client: Client, db_session: AsyncSession) -> None:
    member = await make_member(db_session, "Kochertal Maschinenbau GmbH")
    await make_member(db_session, "Brenzwerk GmbH")
    await portal_login(client, db_session, member)

    page = await client.get("/portal/member")
    assert page.status_code == 200
    assert 'value="Kochertal Maschinenbau GmbH"' in page.text

    taken = await _post(client, "/portal/member", {"name": "brenzwerk gmbh", "interests": "Zerspanung"})
    assert taken.status_code == 400
    assert "Es gibt bereits ein Mitglied mit diesem Namen." in taken.text
    assert "Zerspanung" in taken.text

    saved = await _post(
        client,
        "/portal/member",
        {
            "name": "Kochertal Maschinenbau GmbH",
            "sector": "Maschinenbau",
            "postcode": "73430",
            "interests": "CNC\nKonstruktion",
        },
    )
    assert saved.status_code == 303
    stored = await _fresh(db_session, Member, member.id)
    assert stored.interests == "CNC\nKonstruktion"
    assert stored.contact_emails == member.contact_emails  # contacts untouched by this form


async def test_member_manages_only_its_own_positions(client: Client, db_session: AsyncSession) -> None:
    own = await make_member(db_session, "Kochertal Maschinenbau GmbH", open_positions="Industriemechaniker")
    other = await make_member(db_session, "Brenzwerk GmbH", open_positions="Fleischer")
    await portal_login(client, db_session, own)
    foreign = await db_session.scalar(select(Position).where(Position.member_id == other.id))
    assert foreign is not None

    listing = await client.get("/portal/positions")
    assert "Industriemechaniker" in listing.text
    assert "Fleischer" not in listing.text

    created = await _post(
        client,
        "/portal/positions/new",
        {"title": "Zerspanungsmechaniker (m/w/d)", "working_time": "full_time", "skills": "CNC"},
    )
    assert created.status_code == 303
    assert await db_session.scalar(select(func.count()).where(Position.member_id == own.id)) == 2

    for path in (f"/portal/positions/{foreign.id}/edit", f"/portal/positions/{uuid.uuid4()}/edit"):
        assert (await client.get(path)).status_code == 404
    for action in ("edit", "close", "reopen"):
        response = await _post(client, f"/portal/positions/{foreign.id}/{action}", {"title": "Gekapert"})
        assert response.status_code == 404
    foreign = await _fresh(db_session, Position, foreign.id)
    assert foreign.title == "Fleischer"
    assert foreign.is_open


async def test_pause_and_resume(client: Client, db_session: AsyncSession) -> None:
    member = await make_member(db_session, "Kochertal Maschinenbau GmbH")
    await portal_login(client, db_session, member)

    assert (await _post(client, "/portal/member/pause")).status_code == 303
    assert not (await _fresh(db_session, Member, member.id)).is_active
    assert "pausiert" in (await client.get("/portal/member")).text
    assert (await _post(client, "/portal/member/resume")).status_code == 303
    assert (await _fresh(db_session, Member, member.id)).is_active


async def test_leaving_removes_name_contacts_positions_and_logins_but_keeps_the_counts(
    client: Client, db_session: AsyncSession
) -> None:
    member = await make_member(
        db_session,
        "Kochertal Maschinenbau GmbH",
        "CNC",
        "Industriemechaniker",
        emails=["a@kochertal.example", "b@kochertal.example"],
    )
    await portal_login(client, db_session, member)

    unconfirmed = await _post(client, "/portal/member/leave")
    assert unconfirmed.status_code == 400
    assert "Bitte bestätigen Sie" in unconfirmed.text
    assert (await _fresh(db_session, Member, member.id)).left_at is None

    response = await _post(client, "/portal/member/leave", {"confirm": "on"})

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    stored = await _fresh(db_session, Member, member.id)
    assert stored.left_at is not None
    assert not stored.is_active
    assert "Kochertal" not in stored.name
    assert stored.interests == ""
    assert await db_session.scalar(select(func.count()).where(MemberContact.member_id == member.id)) == 0
    assert await db_session.scalar(select(func.count()).where(Position.member_id == member.id)) == 0
    assert await db_session.scalar(select(func.count()).select_from(EmployerSession)) == 0
    after = await client.get("/portal/member", follow_redirects=False)
    assert after.status_code == 303
    assert after.headers["location"].startswith("/portal/login")


@pytest.mark.parametrize("path", ["/portal/member", "/portal/positions", "/portal/member/leave", "/portal/contacts"])
async def test_pages_need_a_portal_login_and_a_coordinator_session_is_not_one(
    path: str, client: Client, db_session: AsyncSession
) -> None:
    response = await client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/portal/login?next=")


async def test_member_adds_and_removes_colleagues_who_are_invited_to_the_portal(
    client: Client, db_session: AsyncSession, deliver: Any
) -> None:
    member = await make_member(db_session, "Kochertal Maschinenbau GmbH")
    other = await make_member(db_session, "Brenzwerk GmbH", emails=["chef@brenzwerk.example"])
    me = await portal_login(client, db_session, member)
    foreign = other.contacts[0]
    foreign.password_hash = "set"  # the address has a login at another member
    await db_session.commit()

    bad = await _post(client, "/portal/contacts", {"name": "X", "email": "keine-adresse"})
    assert bad.status_code == 400
    assert 'value="keine-adresse"' in bad.text
    taken = await _post(client, "/portal/contacts", {"name": "Chef", "email": "Chef@Brenzwerk.example"})
    assert taken.status_code == 409
    assert "bei einem anderen Mitglied" in taken.text
    assert await db_session.scalar(select(func.count()).where(MemberContact.member_id == member.id)) == 1

    added = await _post(client, "/portal/contacts", {"name": "Tim Team", "email": "Tim@Kochertal.example"})
    assert added.status_code == 303
    colleague = await db_session.scalar(select(MemberContact).where(MemberContact.email == "tim@kochertal.example"))
    assert colleague is not None
    assert colleague.member_id == member.id
    sink = await deliver()
    [invitation] = sink.to("tim@kochertal.example")
    assert any("/portal/password/" in link for link in links_in(invitation))

    assert (await _post(client, f"/portal/contacts/{foreign.id}/remove")).status_code == 404
    assert (await _post(client, f"/portal/contacts/{me.id}/remove")).status_code == 409
    assert (await _post(client, f"/portal/contacts/{colleague.id}/remove")).status_code == 303
    assert await db_session.scalar(select(func.count()).where(MemberContact.member_id == member.id)) == 1

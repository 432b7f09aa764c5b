"""Joining the network: the public form "Mitglied werden", the coordinator's approval (member created, first
contact invited to the portal) or decline (reason mailed), each with a mail to the applicant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.employers.accounts import resolve_account_token
from jobfuerzwei.employers.models import Member
from jobfuerzwei.membership.models import ApplicationStatus, MembershipApplication
from tests.circulation.helpers import make_member
from tests.conftest import csrf_token, links_in

Client = AsyncTestClient[Litestar]

APPLICATION = {
    "organisation": "Härtsfeld Präzision GmbH",
    "sector": "Maschinenbau",
    "size": "50-249",
    "postcode": "73466",
    "municipality": "Lauchheim",
    "locations": "89518 Heidenheim\n\n73430 Aalen",
    "contact_name": "Petra Personal",
    "contact_email": "Personal@Haertsfeld-Praezision.example",
    "contact_phone": "07363 1234",
    "offer": "Stellen für Partnerinnen und Partner, Hilfe bei der Wohnungssuche.",
    "interests": "Industriemechaniker\nZerspanungsmechaniker",
    "privacy": "on",
}
ADDRESS = "personal@haertsfeld-praezision.example"


async def _apply(client: Client, data: dict[str, str]) -> Any:
    token = await csrf_token(client, "/join")
    return await client.post("/join", data={"_csrf_token": token, **data}, follow_redirects=False)


async def _application(session: AsyncSession) -> MembershipApplication:
    found = await session.scalar(select(MembershipApplication).execution_options(populate_existing=True))
    assert found is not None
    return found


async def _post(client: Client, path: str, data: dict[str, str] | None = None) -> Any:
    token = client.cookies.get("csrftoken") or await csrf_token(client, "/join")
    return await client.post(path, data={"_csrf_token": token, **(data or {})}, follow_redirects=False)


async def test_application_is_stored_and_confirmed_by_mail(
    client: Client, db_session: AsyncSession, deliver: Callable[..., Any]
) -> None:
    response = await _apply(client, APPLICATION)

    assert response.status_code == 303
    assert response.headers["location"] == "/join/thanks"
    application = await _application(db_session)
    assert application.status == ApplicationStatus.PENDING
    assert application.contact_email == ADDRESS
    assert application.locations == "89518 Heidenheim\n73430 Aalen"
    assert application.consented_at is not None
    sink = await deliver()
    [mail] = sink.to(ADDRESS)
    assert "Antrag auf Mitgliedschaft" in str(mail["Subject"])
    assert "Härtsfeld Präzision GmbH" in str(mail.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]


async def test_wrong_application_keeps_the_typed_values_and_stores_nothing(
    client: Client, db_session: AsyncSession
) -> None:
    data = {**APPLICATION, "contact_email": "keine-adresse", "postcode": "7346", "offer": "", "size": "riesig"}
    del data["privacy"]

    response = await _apply(client, data)

    assert response.status_code == 400
    text = response.text
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in text
    assert "fünfstellige Postleitzahl" in text
    assert "Bitte beschreiben Sie kurz" in text
    assert "Datenschutzhinweise gelesen haben" in text
    assert "Bitte wählen Sie eine Größe aus der Liste." in text
    assert 'value="Härtsfeld Präzision GmbH"' in text
    assert 'value="keine-adresse"' in text
    assert await db_session.scalar(select(func.count()).select_from(MembershipApplication)) == 0


async def test_approval_creates_the_member_and_invites_its_first_contact(
    client: Client, coordinator: Client, db_session: AsyncSession, deliver: Callable[..., Any]
) -> None:
    await _apply(client, APPLICATION)
    application = await _application(db_session)
    listing = await coordinator.get("/coordinator/applications")
    assert "Härtsfeld Präzision GmbH" in listing.text
    assert "offen" in listing.text

    response = await _post(coordinator, f"/coordinator/applications/{application.id}/approve")

    assert response.status_code == 303
    member = await db_session.scalar(select(Member).where(Member.name == "Härtsfeld Präzision GmbH"))
    assert member is not None
    assert response.headers["location"] == f"/coordinator/members/{member.id}/edit"
    assert member.contact_emails == [ADDRESS]
    assert member.interests == "Industriemechaniker\nZerspanungsmechaniker"
    assert member.postcode == "73466"
    application = await _application(db_session)
    assert application.status == ApplicationStatus.APPROVED
    assert application.member_id == member.id
    sink = await deliver()
    welcome = [m for m in sink.to(ADDRESS) if "Willkommen" in str(m["Subject"])]
    assert len(welcome) == 1
    [link] = [u for u in links_in(welcome[0]) if "/portal/password/" in u]
    token = link.rsplit("/", 1)[1]
    _row, contact = await resolve_account_token(db_session, token)
    assert contact.email == ADDRESS
    assert contact.name == "Petra Personal"
    assert not contact.has_account  # only the contact's own POST on the link sets a password

    again = await _post(coordinator, f"/coordinator/applications/{application.id}/approve")
    assert again.status_code == 409


async def test_approval_of_a_name_that_is_taken_is_explained_and_changes_nothing(
    client: Client, coordinator: Client, db_session: AsyncSession
) -> None:
    await make_member(db_session, "Härtsfeld Präzision GmbH")
    await _apply(client, APPLICATION)
    application = await _application(db_session)

    response = await _post(coordinator, f"/coordinator/applications/{application.id}/approve")

    assert response.status_code == 409
    assert "Es gibt bereits ein Mitglied mit diesem Namen." in response.text
    assert (await _application(db_session)).status == ApplicationStatus.PENDING
    assert await db_session.scalar(select(func.count()).select_from(Member)) == 1


async def test_decline_needs_a_reason_which_is_mailed(
    client: Client, coordinator: Client, db_session: AsyncSession, deliver: Callable[..., Any]
) -> None:
    await _apply(client, APPLICATION)
    application = await _application(db_session)
    path = f"/coordinator/applications/{application.id}/decline"

    empty = await _post(coordinator, path, {"reason": "  "})
    assert empty.status_code == 400
    assert "Bitte begründen Sie die Ablehnung" in empty.text
    assert (await _application(db_session)).status == ApplicationStatus.PENDING

    response = await _post(coordinator, path, {"reason": "Der Sitz liegt außerhalb der Region."})
    assert response.status_code == 303
    application = await _application(db_session)
    assert application.status == ApplicationStatus.DECLINED
    assert application.member_id is None
    sink = await deliver()
    bodies = [str(m.get_body(preferencelist=("plain",)).get_content()) for m in sink.to(ADDRESS)]  # type: ignore[union-attr]
    assert sum("Der Sitz liegt außerhalb der Region." in body for body in bodies) == 1
    assert await db_session.scalar(select(func.count()).select_from(Member)) == 0


async def test_coordinator_pages_need_a_login_and_the_join_post_needs_its_csrf_token(client: Client) -> None:
    listing = await client.get("/coordinator/applications", follow_redirects=False)
    assert listing.status_code == 303
    assert listing.headers["location"].startswith("/coordinator/login")
    forged = await client.post("/join", data=APPLICATION, follow_redirects=False)
    assert forged.status_code == 403


async def test_declined_applications_are_deleted_after_their_retention(
    client: Client, coordinator: Client, db_session: AsyncSession, session_maker: Any, settings: Any
) -> None:
    from jobfuerzwei.membership.services import purge_declined

    await _apply(client, APPLICATION)
    await _apply(client, {**APPLICATION, "organisation": "Zweite GmbH", "contact_email": "zwei@example.org"})
    first, second = sorted(
        await db_session.scalars(select(MembershipApplication).execution_options(populate_existing=True)),
        key=lambda a: a.organisation,
    )
    await _post(coordinator, f"/coordinator/applications/{first.id}/decline", {"reason": "Außerhalb der Region."})
    async with session_maker() as session, session.begin():
        assert await purge_declined(session, settings) == 0  # just declined: kept for now
        stored = await session.get(MembershipApplication, first.id)
        assert stored is not None
        stored.decided_at = stored.decided_at - dt.timedelta(days=settings.declined_application_retention_days + 1)
    async with session_maker() as session, session.begin():
        assert await purge_declined(session, settings) == 1
    async with session_maker() as session:
        remaining = [a.id for a in await session.scalars(select(MembershipApplication))]
    assert remaining == [second.id]  # pending applications are never purged

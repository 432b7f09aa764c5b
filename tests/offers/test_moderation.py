"""Moderation: a member submits in the portal, the coordinator publishes, rejects (reason mailed to the submitting
contact through the outbox and a real SMTP sink) or archives; the coordinator enters offers of non-member partners."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.employers.models import Member
from jobfuerzwei.offers.models import Offer, OfferStatus, ProviderType
from jobfuerzwei.staff.models import StaffRole
from jobfuerzwei.staff.services import create_staff
from tests.conftest import csrf_token, links_in
from tests.coordinator.conftest import STAFF_PASSWORD, login, make_member, post_form
from tests.offers.helpers import fresh, make_offer, offer_form
from tests.portal.helpers_member import portal_login

Client = AsyncTestClient[Litestar]
CONTACT = "personal@optikwerk.example"


async def _as_member(client: Client, db_session: AsyncSession) -> Member:
    """A member whose first contact is logged in to the portal on ``client`` (a browser may hold both logins)."""
    member = await make_member(db_session, "Optikwerk GmbH", email=CONTACT)
    await portal_login(client, db_session, member)
    return member


async def _submit(client: Client, data: dict[str, str], path: str = "/portal/offers/new") -> Any:
    token = await csrf_token(client, "/portal/offers/new")
    return await client.post(path, data={"_csrf_token": token, **data}, follow_redirects=False)


async def _only_offer(session: AsyncSession) -> Offer:
    found = await session.scalar(select(Offer).execution_options(populate_existing=True))
    assert found is not None
    return found


async def test_member_submits_coordinator_publishes_and_the_offer_becomes_public(
    logged_in_client: Client, db_session: AsyncSession, staff_user: Any
) -> None:
    client = logged_in_client
    member = await _as_member(client, db_session)
    response = await _submit(client, offer_form())
    assert response.status_code == 303
    assert response.headers["location"] == "/portal/offers"
    offer = await _only_offer(db_session)
    assert offer.status == OfferStatus.SUBMITTED
    assert offer.member_id == member.id
    assert offer.provider_name == "Optikwerk GmbH"
    assert offer.provider_type == ProviderType.MEMBER
    assert offer.languages == ["Deutsch", "Englisch"]
    assert offer.submitted_at is not None
    listing = await client.get("/portal/offers")
    assert "Möblierte Übergangswohnung" in listing.text
    assert "Zur Prüfung" in listing.text
    assert (await client.get(f"/angebote/{offer.id}")).status_code == 404

    queue = await client.get("/coordinator/offers")
    assert queue.status_code == 200
    assert "Möblierte Übergangswohnung" in queue.text
    detail = await client.get(f"/coordinator/offers/{offer.id}")
    assert CONTACT in detail.text  # who submitted it
    published = await post_form(client, f"/coordinator/offers/{offer.id}/publish")

    assert published.status_code == 303
    offer = await fresh(db_session, offer.id)
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.published_at is not None
    assert offer.moderated_by_id == staff_user
    public = await client.get(f"/angebote/{offer.id}")
    assert public.status_code == 200
    assert "Möblierte Übergangswohnung" in public.text
    assert (await post_form(client, f"/coordinator/offers/{offer.id}/publish")).status_code == 409


async def test_reject_needs_a_reason_which_is_mailed_to_the_submitting_contact(
    logged_in_client: Client, db_session: AsyncSession, deliver: Callable[..., Any]
) -> None:
    client = logged_in_client
    await _as_member(client, db_session)
    await _submit(client, offer_form(title="Wohnung <günstig>"))
    offer = await _only_offer(db_session)
    path = f"/coordinator/offers/{offer.id}/reject"

    empty = await post_form(client, path, {"reason": "  "})
    assert empty.status_code == 400
    assert "Bitte begründen Sie die Ablehnung" in empty.text
    assert (await fresh(db_session, offer.id)).status == OfferStatus.SUBMITTED

    reason = "Bitte nennen Sie die Miete.\nOhne Preisangabe können wir es nicht veröffentlichen."
    response = await post_form(client, path, {"reason": reason})

    assert response.status_code == 303
    offer = await fresh(db_session, offer.id)
    assert offer.status == OfferStatus.REJECTED
    assert offer.rejected_reason == reason
    sink = await deliver()
    [mail] = sink.to(CONTACT)
    assert str(mail["Subject"]) == "Ihr Angebot „Wohnung <günstig>“ wurde nicht veröffentlicht"
    text = mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Bitte nennen Sie die Miete." in text
    assert "Ohne Preisangabe" in text
    html = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "Wohnung &lt;günstig&gt;" in html
    assert f"http://testserver.local/portal/offers/{offer.id}/edit" in links_in(mail)
    portal = await client.get(f"/portal/offers/{offer.id}/edit")
    assert "Bitte nennen Sie die Miete." in portal.text
    assert (await post_form(client, path, {"reason": "noch einmal"})).status_code == 409


async def test_a_member_draft_waits_for_its_submission(logged_in_client: Client, db_session: AsyncSession) -> None:
    client = logged_in_client
    await _as_member(client, db_session)
    response = await _submit(client, offer_form(action="draft"))
    assert response.status_code == 303
    offer = await _only_offer(db_session)
    assert offer.status == OfferStatus.DRAFT
    assert offer.submitted_at is None

    refused = await post_form(client, f"/coordinator/offers/{offer.id}/publish")

    assert refused.status_code == 409
    assert (await fresh(db_session, offer.id)).status == OfferStatus.DRAFT


async def test_editing_a_published_offer_puts_it_back_into_moderation(client: Client, db_session: AsyncSession) -> None:
    member = await _as_member(client, db_session)
    offer = await make_offer(db_session, "Relocation", member_id=member.id, provider_type=ProviderType.MEMBER)
    assert (await client.get(f"/angebote/{offer.id}")).status_code == 200
    form = await client.get(f"/portal/offers/{offer.id}/edit")
    assert "Wenn Sie es ändern, nimmt die Koordination es" in form.text

    response = await _submit(client, offer_form(title="Relocation neu"), f"/portal/offers/{offer.id}/edit")

    assert response.status_code == 303
    offer = await fresh(db_session, offer.id)
    assert offer.status == OfferStatus.SUBMITTED
    assert offer.title == "Relocation neu"
    assert (await client.get(f"/angebote/{offer.id}")).status_code == 404


async def test_archived_offers_leave_the_catalogue_and_can_be_published_again(
    logged_in_client: Client, db_session: AsyncSession
) -> None:
    client = logged_in_client
    offer = await make_offer(db_session, "Tagespflege")

    response = await post_form(logged_in_client, f"/coordinator/offers/{offer.id}/archive")

    assert response.status_code == 303
    assert (await fresh(db_session, offer.id)).status == OfferStatus.ARCHIVED
    assert (await client.get(f"/angebote/{offer.id}")).status_code == 404
    assert (await post_form(logged_in_client, f"/coordinator/offers/{offer.id}/archive")).status_code == 409
    assert (await post_form(logged_in_client, f"/coordinator/offers/{offer.id}/publish")).status_code == 303
    assert (await client.get(f"/angebote/{offer.id}")).status_code == 200


async def test_coordinator_enters_an_offer_of_the_employment_agency_published_at_once(
    logged_in_client: Client, db_session: AsyncSession
) -> None:
    client = logged_in_client
    form = {
        **offer_form(category="advice", title="Berufsberatung im Erwerbsleben", place="Regionweit"),
        "provider_name": "Agentur für Arbeit Aalen",
        "provider_type": "employment_agency",
        "member_id": "",
        "action": "publish",
    }
    await logged_in_client.get("/coordinator/offers/new")

    response = await post_form(logged_in_client, "/coordinator/offers/new", form)

    assert response.status_code == 303
    offer = await _only_offer(db_session)
    assert response.headers["location"] == f"/coordinator/offers/{offer.id}"
    assert offer.status == OfferStatus.PUBLISHED
    assert offer.provider_type == ProviderType.EMPLOYMENT_AGENCY
    assert offer.member_id is None
    assert offer.place == "regionweit"
    listing = await client.get("/angebote?ort=regionweit")
    assert "Berufsberatung im Erwerbsleben" in listing.text


async def test_coordinator_form_errors_are_shown_next_to_the_fields_and_nothing_is_stored(
    logged_in_client: Client, db_session: AsyncSession
) -> None:
    form = {
        **offer_form(title="", link="javascript:alert(1)"),
        "provider_name": "",
        "provider_type": "member",
        "member_id": "",
    }
    await logged_in_client.get("/coordinator/offers/new")

    response = await post_form(logged_in_client, "/coordinator/offers/new", form)

    assert response.status_code == 400
    text = response.text
    assert "Bitte nennen Sie den Anbieter" in text
    assert "Bitte wählen Sie das Mitglied, das dieses Angebot macht." in text
    assert "Bitte geben Sie dem Angebot einen Titel." in text
    assert "mit https:// beginnt" in text
    assert 'value="javascript:alert(1)"' in text
    assert await db_session.scalar(select(func.count()).select_from(Offer)) == 0


async def test_an_observer_gets_403_and_anonymous_visitors_are_sent_to_the_logins(
    client: Client, db_session: AsyncSession
) -> None:
    offer = await make_offer(db_session)
    anonymous = await client.get("/coordinator/offers", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/coordinator/login")
    portal = await client.get("/portal/offers", follow_redirects=False)
    assert portal.status_code == 303
    assert portal.headers["location"].startswith("/portal/login")

    await create_staff(db_session, "beobachtung@ihk.example", STAFF_PASSWORD, role=StaffRole.OBSERVER)
    await db_session.commit()
    assert (await login(client, "beobachtung@ihk.example")).status_code == 303

    assert (await client.get("/coordinator/offers")).status_code == 403
    assert (await post_form(client, f"/coordinator/offers/{offer.id}/archive")).status_code == 403
    assert (await fresh(db_session, offer.id)).status == OfferStatus.PUBLISHED

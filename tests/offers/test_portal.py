"""Members' own offers in the portal: one member never sees or changes another's offers (404), wrong input comes
back as typed with German messages and stores nothing, and a member that leaves takes its offers with it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.offers import services
from jobfuerzwei.offers.models import Offer, OfferStatus, ProviderType
from tests.conftest import csrf_token
from tests.coordinator.conftest import make_member
from tests.offers.helpers import fresh, make_offer, offer_form
from tests.portal.helpers_member import portal_login

Client = AsyncTestClient[Litestar]


async def _post(client: Client, path: str, data: dict[str, str] | None = None) -> Any:
    token = client.cookies.get("csrftoken") or await csrf_token(client, "/portal/offers/new")
    return await client.post(path, data={"_csrf_token": token, **(data or {})}, follow_redirects=False)


async def test_a_member_cannot_see_or_change_another_members_offers(client: Client, db_session: AsyncSession) -> None:
    member_a = await make_member(db_session, "Alpha GmbH", email="a@alpha.example")
    member_b = await make_member(db_session, "Beta GmbH", email="b@beta.example")
    offer = await make_offer(
        db_session, "Alphas Kita", member_id=member_a.id, provider_name="Alpha GmbH", provider_type=ProviderType.MEMBER
    )
    await portal_login(client, db_session, member_b)

    listing = await client.get("/portal/offers")
    edit_form = await client.get(f"/portal/offers/{offer.id}/edit")
    edit = await _post(client, f"/portal/offers/{offer.id}/edit", offer_form(title="Übernommen"))
    withdraw = await _post(client, f"/portal/offers/{offer.id}/withdraw")

    assert listing.status_code == 200
    assert "Alphas Kita" not in listing.text
    assert "Sie haben noch keine Angebote eingetragen." in listing.text
    assert edit_form.status_code == 404
    assert "Alphas Kita" not in edit_form.text
    assert edit.status_code == 404
    assert withdraw.status_code == 404
    stored = await fresh(db_session, offer.id)
    assert stored.title == "Alphas Kita"
    assert stored.status == OfferStatus.PUBLISHED

    await portal_login(client, db_session, member_a)
    own = await client.get("/portal/offers")
    assert "Alphas Kita" in own.text
    assert (await _post(client, f"/portal/offers/{offer.id}/withdraw")).status_code == 303
    assert (await fresh(db_session, offer.id)).status == OfferStatus.ARCHIVED


async def test_wrong_input_keeps_the_values_with_messages_next_to_the_fields_and_stores_nothing(
    client: Client, db_session: AsyncSession
) -> None:
    member = await make_member(db_session, "Alpha GmbH", email="a@alpha.example")
    await portal_login(client, db_session, member)
    yesterday = (services.today() - dt.timedelta(days=1)).isoformat()
    form = offer_form(
        category="kochkurs",
        title="",
        description="Umzug <script>alert(1)</script>",
        place="",
        link="http://www.alpha.example/umzug",
        contact="",
        valid_until=yesterday,
        languages=", ".join(f"Sprache {i}" for i in range(13)),
    )

    response = await _post(client, "/portal/offers/new", form)

    assert response.status_code == 400
    text = response.text
    assert "Bitte prüfen Sie Ihre Angaben" in text
    assert '<p class="error" id="category-error">Bitte wählen Sie eine Kategorie aus der Liste.</p>' in text
    assert '<p class="error" id="title-error">Bitte geben Sie dem Angebot einen Titel.</p>' in text
    assert 'id="place-error">Bitte nennen Sie den Ort' in text
    assert 'id="link-error">Bitte geben Sie eine vollständige, sichere Adresse an, die mit https:// beginnt.' in text
    assert 'id="valid_until-error">Das Datum liegt in der Vergangenheit.' in text
    assert 'id="languages-error">Bitte nennen Sie höchstens 12 Sprachen.' in text
    assert 'value="http://www.alpha.example/umzug"' in text
    assert f'value="{yesterday}"' in text
    assert "Umzug &lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in text
    assert "<script>alert(1)</script>" not in text
    assert await db_session.scalar(select(func.count()).select_from(Offer)) == 0

    no_contact = await _post(client, "/portal/offers/new", offer_form(link="", contact=""))
    assert no_contact.status_code == 400
    assert "Bitte geben Sie einen Link oder eine Kontaktmöglichkeit an" in no_contact.text


async def test_wrong_input_on_the_edit_form_changes_nothing(client: Client, db_session: AsyncSession) -> None:
    member = await make_member(db_session, "Alpha GmbH", email="a@alpha.example")
    offer = await make_offer(db_session, "Kita", member_id=member.id, provider_type=ProviderType.MEMBER)
    await portal_login(client, db_session, member)

    response = await _post(client, f"/portal/offers/{offer.id}/edit", offer_form(title="Neu", link="ftp://x.example"))

    assert response.status_code == 400
    assert 'value="Neu"' in response.text
    stored = await fresh(db_session, offer.id)
    assert stored.title == "Kita"
    assert stored.status == OfferStatus.PUBLISHED


async def test_german_dates_and_https_links_are_accepted(client: Client, db_session: AsyncSession) -> None:
    member = await make_member(db_session, "Alpha GmbH", email="a@alpha.example")
    await portal_login(client, db_session, member)
    until = services.today() + dt.timedelta(days=30)

    response = await _post(
        client,
        "/portal/offers/new",
        offer_form(valid_until=until.strftime("%d.%m.%Y"), link="https://www.alpha.example/a?b=c", place="online"),
    )

    assert response.status_code == 303
    offer = await db_session.scalar(select(Offer))
    assert offer is not None
    assert offer.valid_until == until
    assert offer.link == "https://www.alpha.example/a?b=c"
    assert offer.place == "online"


async def test_a_member_that_leaves_takes_its_offers_out_of_the_catalogue(
    client: Client, db_session: AsyncSession
) -> None:
    member = await make_member(db_session, "Alpha GmbH", email="a@alpha.example")
    other = await make_offer(db_session, "Welcome Center")
    await make_offer(db_session, "Alphas Kita", member_id=member.id, provider_type=ProviderType.MEMBER)
    await portal_login(client, db_session, member)

    response = await _post(client, "/portal/member/leave", {"confirm": "on"})

    assert response.status_code == 303
    remaining = list(await db_session.scalars(select(Offer.id).execution_options(populate_existing=True)))
    assert remaining == [other.id]

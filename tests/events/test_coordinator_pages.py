"""The coordinator's event pages: create and edit with validation, the list, the detail page, access."""

from __future__ import annotations

import datetime as dt

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.events import services
from jobfuerzwei.events.models import Event, RsvpStatus
from jobfuerzwei.events.schemas import BERLIN
from jobfuerzwei.staff.models import StaffRole
from jobfuerzwei.staff.services import create_staff
from tests.coordinator.conftest import TOTP_SECRET
from tests.events.conftest import event_form, invite_contacts, local_day, login, make_event, post_form


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Event)) or 0)


async def test_create_event_stores_utc_times_and_a_stable_uid(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    form = await logged_in_client.get("/coordinator/events/new")
    assert form.status_code == 200
    assert 'name="online_url"' in form.text

    response = await post_form(logged_in_client, "/coordinator/events/new", event_form(capacity="30"))

    assert response.status_code == 303
    event = await db_session.scalar(select(Event))
    assert event is not None
    assert response.headers["location"] == f"/coordinator/events/{event.id}"
    day = local_day(10)
    assert event.starts_at == dt.datetime.combine(day, dt.time(17), tzinfo=BERLIN).astimezone(dt.UTC)
    assert event.starts_at.tzinfo is not None
    assert event.ends_at - event.starts_at == dt.timedelta(hours=2)
    assert event.capacity == 30
    assert event.sequence == 0
    assert event.uid.endswith("@jobfuerzwei.example")
    page = await logged_in_client.get(f"/coordinator/events/{event.id}")
    assert page.status_code == 200
    assert "Netzwerktreffen Winter" in page.text
    assert "17:00 bis 19:00 Uhr" in page.text
    listing = await logged_in_client.get("/coordinator/events")
    assert "Netzwerktreffen Winter" in listing.text
    assert 'href="/coordinator/events"' in listing.text  # the nav link "Treffen"


async def test_invalid_event_form_comes_back_with_german_messages_and_stores_nothing(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    form = event_form(
        title="",
        start_time="19:00",
        end_time="18:00",
        place="",
        online_url="http://meet.example/raum",
        capacity="0",
    )
    response = await post_form(logged_in_client, "/coordinator/events/new", form)

    assert response.status_code == 400
    text = response.text
    assert "Bitte geben Sie einen Titel an." in text
    assert "Das Ende muss nach dem Beginn liegen." in text
    assert "mit https:// beginnt" in text
    assert "ganze Zahl zwischen 1 und" in text
    assert 'value="http://meet.example/raum"' in text  # typed values kept
    assert await _count(db_session) == 0


async def test_event_needs_a_place_or_link_and_a_future_start(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    no_place = await post_form(logged_in_client, "/coordinator/events/new", event_form(place="", online_url=""))
    past = await post_form(logged_in_client, "/coordinator/events/new", event_form(days=-1))
    bad_date = await post_form(logged_in_client, "/coordinator/events/new", event_form(date="31.02.2027"))
    online = await post_form(
        logged_in_client, "/coordinator/events/new", event_form(place="", online_url="https://meet.example/r/1")
    )

    assert no_place.status_code == 400
    assert "Bitte geben Sie einen Ort oder einen Online-Link an" in no_place.text
    assert past.status_code == 400
    assert "Der Beginn muss in der Zukunft liegen." in past.text
    assert bad_date.status_code == 400
    assert "Bitte geben Sie das Datum an" in bad_date.text
    assert online.status_code == 303
    assert await _count(db_session) == 1


async def test_a_multi_day_conference_accepts_an_end_date(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    form = event_form(kind="conference", start_time="09:00", end_time="16:00", end_date=local_day(11).isoformat())
    response = await post_form(logged_in_client, "/coordinator/events/new", form)

    assert response.status_code == 303
    event = await db_session.scalar(select(Event))
    assert event is not None
    assert event.ends_at - event.starts_at == dt.timedelta(hours=31)


async def test_edit_with_invalid_input_changes_nothing(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    event = await make_event(db_session, settings, title="Alt")
    form = await logged_in_client.get(f"/coordinator/events/{event.id}/edit")
    assert 'value="Alt"' in form.text

    response = await post_form(
        logged_in_client, f"/coordinator/events/{event.id}/edit", event_form(title="Neu", online_url="ftp://x")
    )

    assert response.status_code == 400
    assert 'value="Neu"' in response.text
    stored = await db_session.get(Event, event.id, populate_existing=True)
    assert stored is not None
    assert stored.title == "Alt"


async def test_capacity_cannot_fall_below_those_already_attending(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    event = await make_event(db_session, settings, capacity=5)
    invitations = await invite_contacts(db_session, settings, event, "a@one.example", "b@two.example")
    for invitation in invitations.values():
        await services.answer(db_session, settings, invitation.id, RsvpStatus.ATTENDING)
    await db_session.commit()
    form = event_form(capacity="1")

    response = await post_form(logged_in_client, f"/coordinator/events/{event.id}/edit", form)

    assert response.status_code == 400
    assert "Es haben bereits 2 Personen zugesagt" in response.text
    stored = await db_session.get(Event, event.id, populate_existing=True)
    assert stored is not None
    assert stored.capacity == 5


async def test_event_pages_need_a_coordinator(
    client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    event = await make_event(db_session, settings)
    anonymous = await client.get("/coordinator/events", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/coordinator/login")

    await create_staff(
        db_session, "beob@ihk.example", "ein-langes-passwort", role=StaffRole.OBSERVER, totp_secret=TOTP_SECRET
    )
    await db_session.commit()
    assert (await login(client, "beob@ihk.example", "ein-langes-passwort")).status_code == 303

    assert (await client.get("/coordinator/events")).status_code == 403
    assert (await client.get(f"/coordinator/events/{event.id}/attendees.csv")).status_code == 403
    assert (await post_form(client, "/coordinator/events/new", event_form())).status_code == 403

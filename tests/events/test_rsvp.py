"""The contacts' RSVP link: GET only shows, POST answers; the waiting list; moving up; bad links."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.events import services
from jobfuerzwei.events.models import RsvpStatus
from jobfuerzwei.events.schemas import EventData
from jobfuerzwei.web.errors import redact_path
from tests.conftest import Sink, csrf_token
from tests.events.conftest import ics_of, invite_contacts, make_event, rsvp_path, status_of, vevent


async def _answer(client: AsyncTestClient[Litestar], path: str, answer: str) -> Any:
    token = await csrf_token(client, path)
    return await client.post(path, data={"_csrf_token": token, "answer": answer}, follow_redirects=False)


async def _links(deliver: Callable[..., Any]) -> dict[str, str]:
    sink: Sink = await deliver()
    return {str(m["To"]): rsvp_path(m) for m in sink.messages}


async def test_get_shows_the_event_and_changes_nothing(
    client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings, deliver: Callable[..., Any]
) -> None:
    event = await make_event(db_session, settings, agenda="Vorstellungsrunde")
    invitations = await invite_contacts(db_session, settings, event, "a@one.example", "b@two.example")
    links = await _links(deliver)

    page = await client.get(links["a@one.example"])

    assert page.status_code == 200
    assert "Fachkräftekonferenz 2027" in page.text
    assert "Vorstellungsrunde" in page.text
    assert "Ich nehme teil" in page.text
    assert "Ich sage ab" in page.text
    assert page.headers["cache-control"] == "no-store"
    # nothing about anyone else, and nobody is logged in
    assert "b@two.example" not in page.text
    assert "Mitglied b@two.example" not in page.text
    assert "Abmelden" not in page.text
    assert "jfz_session" not in page.headers.get("set-cookie", "")
    assert "jfz_portal" not in page.headers.get("set-cookie", "")
    assert await status_of(db_session, invitations["a@one.example"].id) == RsvpStatus.INVITED


async def test_post_records_the_answer_and_the_answer_can_change(
    client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings, deliver: Callable[..., Any]
) -> None:
    event = await make_event(db_session, settings)
    invitations = await invite_contacts(db_session, settings, event, "a@one.example")
    path = (await _links(deliver))["a@one.example"]

    yes = await _answer(client, path, "attending")

    assert yes.status_code == 303
    assert yes.headers["location"] == path
    assert await status_of(db_session, invitations["a@one.example"].id) == RsvpStatus.ATTENDING
    page = await client.get(path)
    assert "Vielen Dank, Ihre Zusage ist gespeichert." in page.text
    assert "zugesagt" in page.text
    assert "Ich nehme teil" not in page.text

    assert (await _answer(client, path, "attending")).status_code == 303  # a reload changes nothing
    no = await _answer(client, path, "declined")
    assert no.status_code == 303
    assert await status_of(db_session, invitations["a@one.example"].id) == RsvpStatus.DECLINED
    assert (await _answer(client, path, "maybe")).status_code == 400


async def test_answers_over_capacity_go_to_the_waiting_list(
    client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings, deliver: Callable[..., Any]
) -> None:
    event = await make_event(db_session, settings, capacity=1)
    invitations = await invite_contacts(db_session, settings, event, "a@one.example", "b@two.example")
    links = await _links(deliver)

    await _answer(client, links["a@one.example"], "attending")
    before = await client.get(links["b@two.example"])
    second = await _answer(client, links["b@two.example"], "attending")

    assert "ausgebucht" in before.text
    assert second.status_code == 303
    assert await status_of(db_session, invitations["a@one.example"].id) == RsvpStatus.ATTENDING
    assert await status_of(db_session, invitations["b@two.example"].id) == RsvpStatus.WAITING
    page = await client.get(links["b@two.example"])
    assert "Sie stehen auf der Warteliste." in page.text
    assert "Warteliste" in page.text


async def test_a_cancelled_place_goes_to_the_first_on_the_waiting_list_who_gets_a_mail(
    client: AsyncTestClient[Litestar],
    logged_in_client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    settings: Settings,
    deliver: Callable[..., Any],
) -> None:
    event = await make_event(db_session, settings, capacity=1)
    emails = ("a@one.example", "b@two.example", "c@three.example")
    invitations = await invite_contacts(db_session, settings, event, *emails)
    links = await _links(deliver)
    for email in emails:  # a attends; b, then c wait
        await _answer(client, links[email], "attending")
    waiting = await logged_in_client.get(f"/coordinator/events/{event.id}")
    assert "Warteliste (2)" in waiting.text
    sink: Sink = await deliver()
    sink.clear()

    await _answer(client, links["a@one.example"], "declined")

    assert await status_of(db_session, invitations["a@one.example"].id) == RsvpStatus.DECLINED
    assert await status_of(db_session, invitations["b@two.example"].id) == RsvpStatus.ATTENDING
    assert await status_of(db_session, invitations["c@three.example"].id) == RsvpStatus.WAITING
    sink = await deliver()
    assert [str(m["To"]) for m in sink.messages] == ["b@two.example"]
    mail = sink.messages[0]
    assert str(mail["Subject"]).startswith("Ein Platz für Sie:")
    assert rsvp_path(mail) == links["b@two.example"]
    entry = vevent(ics_of(mail))
    assert str(entry["UID"]) == event.uid
    assert "PARTSTAT=ACCEPTED" in entry.to_ical().decode()


async def test_waiting_contact_who_says_yes_again_keeps_its_place(db_session: AsyncSession, settings: Settings) -> None:
    event = await make_event(db_session, settings, capacity=1)
    invitations = await invite_contacts(
        db_session, settings, event, "a@one.example", "b@two.example", "c@three.example"
    )
    a, b, c = (invitations[e].id for e in ("a@one.example", "b@two.example", "c@three.example"))
    for invitation_id in (a, b, c):
        await services.answer(db_session, settings, invitation_id, RsvpStatus.ATTENDING)
    await db_session.commit()

    again = await services.answer(db_session, settings, b, RsvpStatus.ATTENDING)
    await services.answer(db_session, settings, a, RsvpStatus.DECLINED)
    await db_session.commit()

    assert again.changed is False
    assert await status_of(db_session, b) == RsvpStatus.ATTENDING
    assert await status_of(db_session, c) == RsvpStatus.WAITING


async def test_more_places_move_the_waiting_list_up(db_session: AsyncSession, settings: Settings) -> None:
    event = await make_event(db_session, settings, capacity=1)
    invitations = await invite_contacts(db_session, settings, event, "a@one.example", "b@two.example")
    for invitation in invitations.values():
        await services.answer(db_session, settings, invitation.id, RsvpStatus.ATTENDING)
    await db_session.commit()
    stored = await services.get_event(db_session, event.id)
    data = EventData(
        title=stored.title,
        kind=stored.kind,
        starts_at=stored.starts_at,
        ends_at=stored.ends_at,
        place=stored.place,
        online_url=stored.online_url,
        agenda=stored.agenda,
        capacity=2,
    )

    result = await services.update_event(db_session, settings, event.id, data)
    await db_session.commit()

    assert result.moved_up == 1
    assert result.updates_sent == 0
    for invitation in invitations.values():
        assert await status_of(db_session, invitation.id) == RsvpStatus.ATTENDING


async def test_bad_links_answer_with_an_error_page_not_a_server_error(
    client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings, deliver: Callable[..., Any]
) -> None:
    event = await make_event(db_session, settings)
    invitations = await invite_contacts(db_session, settings, event, "a@one.example", "b@two.example")
    links = await _links(deliver)
    a_id = str(invitations["a@one.example"].id)
    b_sig = links["b@two.example"].rsplit("/", 1)[1]

    foreign = await client.get(f"/rsvp/{a_id}/{b_sig}")  # another invitation's signature
    tampered = await client.get(links["a@one.example"][:-2] + "xx")
    unknown = await client.get(f"/rsvp/{uuid.uuid4()}/{b_sig}")
    garbage = await client.get("/rsvp/not-a-uuid/whatever")
    long = await client.get(f"/rsvp/{a_id}/{'x' * 5000}")
    token = await csrf_token(client, "/")
    post = await client.post(f"/rsvp/{a_id}/{b_sig}", data={"_csrf_token": token, "answer": "attending"})

    for response in (foreign, tampered, unknown, long, post):
        assert response.status_code == 410, response.status_code
        assert "Link nicht mehr gültig" in response.text
    assert garbage.status_code == 404
    assert redact_path(links["a@one.example"]) == f"/rsvp/{a_id}/<token>"  # the signature never reaches a log
    assert await status_of(db_session, invitations["a@one.example"].id) == RsvpStatus.INVITED


async def test_a_cancelled_event_shows_a_notice_and_takes_no_answers(
    client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings, deliver: Callable[..., Any]
) -> None:
    event = await make_event(db_session, settings)
    invitations = await invite_contacts(db_session, settings, event, "a@one.example")
    path = (await _links(deliver))["a@one.example"]
    await services.cancel_event(db_session, settings, event.id)
    await db_session.commit()

    page = await client.get(path)
    token = await csrf_token(client, path)
    post = await client.post(path, data={"_csrf_token": token, "answer": "attending"})

    assert page.status_code == 200
    assert "Diese Veranstaltung wurde abgesagt." in page.text
    assert "Ich nehme teil" not in page.text
    assert post.status_code == 409
    assert await status_of(db_session, invitations["a@one.example"].id) == RsvpStatus.INVITED


async def test_the_calendar_file_can_be_downloaded_from_the_link_page(
    client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings, deliver: Callable[..., Any]
) -> None:
    event = await make_event(db_session, settings)
    await invite_contacts(db_session, settings, event, "a@one.example")
    path = (await _links(deliver))["a@one.example"]

    response = await client.get(f"{path}/termin.ics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    import icalendar

    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(vevent(calendar)["UID"]) == event.uid

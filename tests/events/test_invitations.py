"""Invitations, updates and cancellations: the mails reach the real SMTP sink with an ``.ics`` icalendar parses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from email.utils import parseaddr
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import MemberContact
from jobfuerzwei.events.models import Event, Invitation
from jobfuerzwei.mail.models import OutboxMessage
from tests.conftest import Sink
from tests.events.conftest import (
    event_form,
    ics_of,
    make_event,
    make_member,
    members_by_name,
    post_form,
    rsvp_path,
    text_of,
    vevent,
)


async def _invitations(session: AsyncSession, event: Event) -> int:
    return int(
        await session.scalar(select(func.count()).select_from(Invitation).where(Invitation.event_id == event.id)) or 0
    )


async def _network(session: AsyncSession) -> None:
    """Two active members (three contacts), one paused, one that left."""
    firm = await make_member(session, name="Optikwerk", email="a@optik.example")
    session.add(MemberContact(member_id=firm.id, email="b@optik.example", name="Berta Brill"))
    await make_member(session, name="Stadtwerke", email="info@stadtwerke.example")
    await make_member(session, name="Pausiert GmbH", email="p@pausiert.example", is_active=False)
    await make_member(session, name="Weg AG", email="w@weg.example", left_at=utcnow())
    await session.commit()


async def test_invite_all_mails_each_active_contact_an_ics_request(
    logged_in_client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    settings: Settings,
    deliver: Callable[..., Any],
) -> None:
    await _network(db_session)
    event = await make_event(db_session, settings, online_url="https://meet.example/r/42", agenda="Punkt 1")

    page = await logged_in_client.get(f"/coordinator/events/{event.id}/invite")
    assert "Optikwerk" in page.text
    assert "Pausiert GmbH" not in page.text
    response = await post_form(logged_in_client, f"/coordinator/events/{event.id}/invite", {"scope": "all"})

    assert response.status_code == 303
    sink: Sink = await deliver()
    assert sorted(str(m["To"]) for m in sink.messages) == [
        "a@optik.example",
        "b@optik.example",
        "info@stadtwerke.example",
    ]
    message = sink.to("b@optik.example")[0]
    assert str(message["Subject"]).startswith("Einladung: Fachkräftekonferenz 2027 am ")
    calendar = ics_of(message)
    entry = vevent(calendar)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(entry["UID"]) == event.uid
    assert int(entry["SEQUENCE"]) == 0
    assert entry.decoded("DTSTART") == event.starts_at
    assert entry.decoded("DTEND") == event.ends_at
    assert str(entry["ORGANIZER"]) == f"mailto:{parseaddr(settings.mail.sender)[1]}"
    assert str(entry["ATTENDEE"]) == "mailto:b@optik.example"
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert str(entry["URL"]) == "https://meet.example/r/42"
    assert "Punkt 1" in str(entry["DESCRIPTION"])
    assert rsvp_path(message).startswith("/rsvp/")
    assert "rsvp" not in calendar.to_ical().decode()  # the personal link stays out of shared calendars
    # Outlook reads the invitation from the text/calendar alternative
    assert any(p.get_content_type() == "text/calendar" for p in message.walk())

    detail = await logged_in_client.get(f"/coordinator/events/{event.id}")
    assert "Noch keine Antwort (3)" in detail.text


async def test_invite_chosen_members_and_never_twice(
    logged_in_client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    settings: Settings,
    deliver: Callable[..., Any],
) -> None:
    await _network(db_session)
    members = await members_by_name(db_session)
    event = await make_event(db_session, settings)
    path = f"/coordinator/events/{event.id}/invite"

    first = await post_form(logged_in_client, path, {"scope": "chosen", "member_id": str(members["Stadtwerke"].id)})
    again = await post_form(logged_in_client, path, {"scope": "chosen", "member_id": str(members["Stadtwerke"].id)})
    nothing = await post_form(logged_in_client, path, {"scope": "chosen"})
    paused = await post_form(logged_in_client, path, {"scope": "chosen", "member_id": str(members["Pausiert GmbH"].id)})
    rest = await post_form(logged_in_client, path, {"scope": "all"})

    assert first.status_code == 303
    assert again.status_code == 400
    assert "bereits eingeladen" in again.text
    assert nothing.status_code == 400
    assert "Bitte wählen Sie mindestens ein Mitglied." in nothing.text
    assert paused.status_code == 400
    assert "nicht (mehr) aktiv" in paused.text
    assert rest.status_code == 303
    sink: Sink = await deliver()
    assert sorted(str(m["To"]) for m in sink.messages) == [
        "a@optik.example",
        "b@optik.example",
        "info@stadtwerke.example",
    ]
    assert await _invitations(db_session, event) == 3


async def test_changing_the_time_mails_an_update_with_the_same_uid_and_a_higher_sequence(
    logged_in_client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    settings: Settings,
    deliver: Callable[..., Any],
) -> None:
    await make_member(db_session, name="Optikwerk", email="a@optik.example")
    response = await post_form(logged_in_client, "/coordinator/events/new", event_form())
    event_id = response.headers["location"].rsplit("/", 1)[1]
    await post_form(logged_in_client, f"/coordinator/events/{event_id}/invite", {"scope": "all"})
    sink: Sink = await deliver()
    invitation = vevent(ics_of(sink.messages[0]))
    link = rsvp_path(sink.messages[0])
    sink.clear()

    title_only = await post_form(logged_in_client, f"/coordinator/events/{event_id}/edit", event_form(title="Neu"))
    assert title_only.status_code == 303
    assert not (await deliver()).messages  # no calendar-relevant change, no mail

    moved = await post_form(
        logged_in_client, f"/coordinator/events/{event_id}/edit", event_form(title="Neu", start_time="18:00")
    )

    assert moved.status_code == 303
    sink = await deliver()
    assert len(sink.messages) == 1
    message = sink.messages[0]
    assert str(message["Subject"]).startswith("Geändert: Neu am ")
    calendar = ics_of(message)
    update = vevent(calendar)
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(update["UID"]) == str(invitation["UID"])
    assert int(update["SEQUENCE"]) == int(invitation["SEQUENCE"]) + 1
    assert update.decoded("DTSTART") - invitation.decoded("DTSTART") == dt.timedelta(hours=1)
    assert rsvp_path(message) == link  # the same personal link as in the invitation
    assert "18:00 bis 19:00 Uhr" in text_of(message)


async def test_cancelling_mails_a_method_cancel_to_everyone_who_did_not_decline(
    logged_in_client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    settings: Settings,
    deliver: Callable[..., Any],
) -> None:
    await make_member(db_session, name="Optikwerk", email="a@optik.example")
    event = await make_event(db_session, settings)
    await post_form(logged_in_client, f"/coordinator/events/{event.id}/invite", {"scope": "all"})
    await deliver()

    confirm = await logged_in_client.get(f"/coordinator/events/{event.id}/cancel")
    assert "absagen?" in confirm.text
    response = await post_form(
        logged_in_client, f"/coordinator/events/{event.id}/cancel", {"reason": "Der Saal ist nicht verfügbar."}
    )

    assert response.status_code == 303
    sink: Sink = await deliver()
    message = sink.to("a@optik.example")[-1]
    assert str(message["Subject"]).startswith("Abgesagt: ")
    assert "Der Saal ist nicht verfügbar." in text_of(message)
    calendar = ics_of(message)
    entry = vevent(calendar)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(entry["STATUS"]) == "CANCELLED"
    assert str(entry["UID"]) == event.uid
    assert int(entry["SEQUENCE"]) == 1
    assert message.iter_attachments().__next__().get_filename() == "absage.ics"

    again = await post_form(logged_in_client, f"/coordinator/events/{event.id}/cancel")
    edit = await post_form(logged_in_client, f"/coordinator/events/{event.id}/edit", event_form())
    assert again.status_code == 409
    assert edit.status_code == 409
    sink.clear()
    assert not (await deliver()).messages


async def test_outbox_keeps_one_message_id_per_mail(
    logged_in_client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    settings: Settings,
    deliver: Callable[..., Any],
) -> None:
    await make_member(db_session, name="Optikwerk", email="a@optik.example")
    event = await make_event(db_session, settings)
    await post_form(logged_in_client, f"/coordinator/events/{event.id}/invite", {"scope": "all"})
    sink: Sink = await deliver()
    await deliver()  # a second worker round sends nothing again

    row = await db_session.scalar(select(OutboxMessage))
    assert row is not None
    assert row.attachment is not None
    assert row.attachment["filename"] == "einladung.ics"
    assert len(sink.messages) == 1
    assert str(sink.messages[0]["Message-ID"]) == row.message_id

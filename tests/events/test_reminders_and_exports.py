"""The reminder the day before (sent once), the attendee exports, and answers under concurrency."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import os
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.audit.models import AuditEntry
from jobfuerzwei.config import Settings
from jobfuerzwei.employers.models import Member
from jobfuerzwei.errors import InvalidTransition
from jobfuerzwei.events import services
from jobfuerzwei.events.models import Invitation, RsvpStatus
from jobfuerzwei.events.schemas import EventData
from tests.conftest import Sink
from tests.events.conftest import invite_contacts, make_event, rsvp_path, status_of


async def test_reminder_goes_once_to_attending_contacts_the_day_before(
    db_session: AsyncSession, settings: Settings, deliver: Callable[..., Any]
) -> None:
    event = await make_event(db_session, settings, days=3)
    emails = ("a@one.example", "b@two.example", "c@three.example")
    invitations = await invite_contacts(db_session, settings, event, *emails)
    await services.answer(db_session, settings, invitations["a@one.example"].id, RsvpStatus.ATTENDING)
    await services.answer(db_session, settings, invitations["b@two.example"].id, RsvpStatus.DECLINED)
    await db_session.commit()
    sink: Sink = await deliver()
    sink.clear()

    too_early = await services.send_event_reminders(db_session, settings, now=event.starts_at - dt.timedelta(hours=30))
    day_before = await services.send_event_reminders(db_session, settings, now=event.starts_at - dt.timedelta(hours=20))
    await db_session.commit()
    again = await services.send_event_reminders(db_session, settings, now=event.starts_at - dt.timedelta(hours=2))
    await db_session.commit()

    assert (too_early, day_before, again) == (0, 1, 0)
    sink = await deliver()
    assert [str(m["To"]) for m in sink.messages] == ["a@one.example"]
    reminder = sink.messages[0]
    assert str(reminder["Subject"]).startswith("Erinnerung: Fachkräftekonferenz 2027")
    assert rsvp_path(reminder).startswith("/rsvp/")
    assert not list(reminder.iter_attachments())


async def test_moving_the_event_sends_the_reminder_again_for_the_new_date(
    db_session: AsyncSession, settings: Settings
) -> None:
    event = await make_event(db_session, settings, days=3)
    invitations = await invite_contacts(db_session, settings, event, "a@one.example")
    await services.answer(db_session, settings, invitations["a@one.example"].id, RsvpStatus.ATTENDING)
    await db_session.commit()
    assert await services.send_event_reminders(db_session, settings, now=event.starts_at - dt.timedelta(hours=20))
    stored = await services.get_event(db_session, event.id)
    later = stored.starts_at + dt.timedelta(days=7)
    data = EventData(
        title=stored.title,
        kind=stored.kind,
        starts_at=later,
        ends_at=later + dt.timedelta(hours=2),
        place=stored.place,
        online_url="",
        agenda="",
        capacity=None,
    )
    await services.update_event(db_session, settings, event.id, data)
    await db_session.commit()

    assert await services.send_event_reminders(db_session, settings, now=later - dt.timedelta(hours=20)) == 1


async def test_no_answers_once_the_event_has_begun(db_session: AsyncSession, settings: Settings) -> None:
    event = await make_event(db_session, settings, days=1)
    invitations = await invite_contacts(db_session, settings, event, "a@one.example")

    with pytest.raises(InvalidTransition):
        await services.answer(
            db_session,
            settings,
            invitations["a@one.example"].id,
            RsvpStatus.ATTENDING,
            now=event.starts_at + dt.timedelta(minutes=1),
        )


async def test_attendee_exports_list_everyone_and_defuse_formulas(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    event = await make_event(db_session, settings, capacity=1)
    invitations = await invite_contacts(
        db_session, settings, event, "a@one.example", "b@two.example", "c@three.example"
    )
    member = await db_session.scalar(select(Member).where(Member.name == "Mitglied a@one.example"))
    assert member is not None
    member.name = '=HYPERLINK("http://evil.example","Klick")'
    for email in ("a@one.example", "b@two.example"):
        await services.answer(db_session, settings, invitations[email].id, RsvpStatus.ATTENDING)
    await db_session.commit()

    response = await logged_in_client.get(f"/coordinator/events/{event.id}/attendees.csv")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Status", "Warteliste", "Mitglied", "Name", "E-Mail", "Antwort am"]
    assert [(r[0], r[1], r[4]) for r in rows[1:]] == [
        ("Zugesagt", "", "a@one.example"),
        ("Warteliste", "1", "b@two.example"),
        ("Keine Antwort", "", "c@three.example"),
    ]
    assert rows[1][2].startswith("'=HYPERLINK")

    xlsx = await logged_in_client.get(f"/coordinator/events/{event.id}/attendees.xlsx")

    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0] == ["Status", "Warteliste", "Mitglied", "Name", "E-Mail", "Antwort am"]
    assert [(v[0], v[1], v[4]) for v in values[1:]] == [
        ("Zugesagt", None, "a@one.example"),
        ("Warteliste", 1, "b@two.example"),
        ("Keine Antwort", None, "c@three.example"),
    ]
    formula_cell = sheet.cell(row=3, column=3)
    assert formula_cell.data_type == "s"  # text, not a formula
    assert formula_cell.value == '=HYPERLINK("http://evil.example","Klick")'
    audit = list(await db_session.scalars(select(AuditEntry)))
    assert len(audit) == 2
    assert all("Teilnehmende" in a.detail and "@" not in a.detail for a in audit)


@pytest.mark.skipif(
    os.environ.get("JFZ_TEST_DB", "sqlite") != "postgres", reason="row locks need PostgreSQL (SQLite has one writer)"
)
async def test_concurrent_answers_for_the_last_place_do_not_overbook(
    db_session: AsyncSession, settings: Settings, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    event = await make_event(db_session, settings, capacity=2)
    emails = [f"p{i}@firm{i}.example" for i in range(8)]
    invitations = await invite_contacts(db_session, settings, event, *emails)

    async def attend(invitation: Invitation) -> RsvpStatus:
        async with session_maker() as session, session.begin():
            result = await services.answer(session, settings, invitation.id, RsvpStatus.ATTENDING)
            await asyncio.sleep(0.01)  # hold the lock a little, so the others really queue
            return result.status

    results = await asyncio.gather(*(attend(i) for i in invitations.values()))

    assert sorted(results).count(RsvpStatus.ATTENDING) == 2
    assert sorted(results).count(RsvpStatus.WAITING) == 6
    stored = [await status_of(db_session, i.id) for i in invitations.values()]
    assert stored.count(RsvpStatus.ATTENDING) == 2


async def test_the_maintenance_run_sends_the_reminders(
    db_session: AsyncSession,
    settings: Settings,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
) -> None:
    from jobfuerzwei.maintenance import run_once

    event = await make_event(db_session, settings, days=3)
    invitations = await invite_contacts(db_session, settings, event, "a@one.example")
    await services.answer(db_session, settings, invitations["a@one.example"].id, RsvpStatus.ATTENDING)
    await db_session.commit()
    sink: Sink = await deliver()
    sink.clear()

    await run_once(session_maker, settings, now=event.starts_at - dt.timedelta(hours=20))
    await run_once(session_maker, settings, now=event.starts_at - dt.timedelta(hours=19))

    sink = await deliver()
    assert [str(m["Subject"]).split(":")[0] for m in sink.to("a@one.example")] == ["Erinnerung"]

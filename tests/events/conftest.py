"""Event fixtures and helpers: the coordinator's login helpers, events, invitations and the mails' ``.ics``."""

from __future__ import annotations

import datetime as dt
import re
from email.message import EmailMessage
from typing import Any

import icalendar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.events import services
from jobfuerzwei.events.models import Event, EventKind, Invitation, RsvpStatus
from jobfuerzwei.events.schemas import BERLIN, EventData
from tests.conftest import BASE_URL, links_in
from tests.coordinator.conftest import STAFF_EMAIL, logged_in_client, login, make_member, post_form, staff_user

__all__ = [
    "STAFF_EMAIL",
    "event_form",
    "ics_of",
    "invite_contacts",
    "logged_in_client",
    "login",
    "make_event",
    "make_member",
    "post_form",
    "rsvp_path",
    "staff_user",
    "text_of",
]


def local_day(days: int) -> dt.date:
    """The date ``days`` from today in Berlin."""
    return (dt.datetime.now(BERLIN) + dt.timedelta(days=days)).date()


def event_form(days: int = 10, **values: str) -> dict[str, str]:
    """A valid event form, ``days`` ahead, 17:00 to 19:00 local time."""
    form = {
        "title": "Netzwerktreffen Winter",
        "kind": "network_meeting",
        "date": local_day(days).isoformat(),
        "start_time": "17:00",
        "end_time": "19:00",
        "end_date": "",
        "place": "IHK Ostwürttemberg, Ludwig-Erhard-Str. 1, Heidenheim",
        "online_url": "",
        "agenda": "Begrüßung\nFachkräftelage in der Region\nAustausch",
        "capacity": "",
    }
    form.update(values)
    return form


async def make_event(
    session: AsyncSession, settings: Settings, *, days: float = 10, capacity: int | None = None, **values: Any
) -> Event:
    """A committed, planned event ``days`` ahead (two hours long)."""
    starts = values.pop("starts_at", utcnow().replace(microsecond=0) + dt.timedelta(days=days))
    data = EventData(
        title=values.pop("title", "Fachkräftekonferenz 2027"),
        kind=values.pop("kind", EventKind.CONFERENCE),
        starts_at=starts,
        ends_at=values.pop("ends_at", starts + dt.timedelta(hours=2)),
        place=values.pop("place", "Stadthalle Aalen"),
        online_url=values.pop("online_url", ""),
        agenda=values.pop("agenda", ""),
        capacity=capacity,
    )
    event = await services.create_event(session, settings, data)
    await session.commit()
    return event


async def invite_contacts(
    session: AsyncSession, settings: Settings, event: Event, *emails: str
) -> dict[str, Invitation]:
    """One member per address, all invited (mails queued); returns the invitations by address."""
    for email in emails:
        await make_member(session, name=f"Mitglied {email}", email=email)
    await services.invite(session, settings, event.id, None)
    await session.commit()
    rows = await session.execute(
        select(MemberContact.email, Invitation)
        .join(Invitation, Invitation.contact_id == MemberContact.id)
        .where(Invitation.event_id == event.id)
    )
    return dict(rows.tuples().all())


async def status_of(session: AsyncSession, invitation_id: Any) -> RsvpStatus:
    """The stored answer, read fresh."""
    invitation = await session.get(Invitation, invitation_id, populate_existing=True)
    assert invitation is not None
    return RsvpStatus(invitation.status)


def ics_of(message: EmailMessage) -> icalendar.Calendar:
    """The parsed ``.ics`` attachment of a mail."""
    files = [p for p in message.iter_attachments() if (p.get_filename() or "").endswith(".ics")]
    assert len(files) == 1, [p.get_content_type() for p in message.walk()]
    payload = files[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return icalendar.Calendar.from_ical(payload)


def vevent(calendar: icalendar.Calendar) -> Any:
    """The one VEVENT of a calendar."""
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def text_of(message: EmailMessage) -> str:
    """The decoded plain-text body of a mail."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def rsvp_path(message: EmailMessage) -> str:
    """The path of the personal RSVP link in a mail."""
    links = links_in(message, re.escape(BASE_URL) + r"/rsvp/[^\s\"<>]+")
    assert links, "no RSVP link in the mail"
    return links[0].removeprefix(BASE_URL)


async def members_by_name(session: AsyncSession) -> dict[str, Member]:
    """Every member by name."""
    return {m.name: m for m in await session.scalars(select(Member))}

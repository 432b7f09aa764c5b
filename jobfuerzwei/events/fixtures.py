"""Demo events from ``fixtures/events.json``: upcoming meetings with invitations, answers and a waiting list."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.events.models import Event, EventKind, EventStatus, Invitation, RsvpStatus
from jobfuerzwei.events.schemas import BERLIN, parse_time

EVENTS_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "events.json"


def read_events(path: Path = EVENTS_FILE) -> list[dict[str, Any]]:
    """The raw event records."""
    records: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["events"]
    return records


def _at(now: dt.datetime, days: int, clock: str) -> dt.datetime:
    time = parse_time(clock)
    if time is None:
        raise ValueError(f"bad time {clock!r} in the demo events")
    day = (now.astimezone(BERLIN) + dt.timedelta(days=days)).date()
    return dt.datetime.combine(day, time, tzinfo=BERLIN).astimezone(dt.UTC)


def demo_events(
    records: list[dict[str, Any]],
    members: dict[str, Member],
    contacts: dict[str, MemberContact],
    now: dt.datetime,
    uid_domain: str,
) -> list[Event | Invitation]:
    """Event and invitation rows (events first); members by name, answers by address (a typo raises ``KeyError``).

    No mails: the demo's invitations count as sent before loading.
    """
    rows: list[Event | Invitation] = []
    invitations: list[Invitation] = []
    for data in records:
        event_id = uuid.uuid4()
        rows.append(
            Event(
                id=event_id,
                uid=f"{event_id}@{uid_domain}",
                sequence=0,
                title=data["title"],
                kind=EventKind(data["kind"]),
                starts_at=_at(now, data["in_days"], data["start"]),
                ends_at=_at(now, data["in_days"], data["end"]),
                place=data["place"],
                online_url=data["online_url"],
                agenda=data["agenda"],
                capacity=data["capacity"],
                status=EventStatus.PLANNED,
            )
        )
        names = data["invited"]
        chosen = [m for m in members.values() if m.is_active] if names == "all" else [members[n] for n in names]
        invited_at = now - dt.timedelta(days=10)
        by_contact: dict[uuid.UUID, Invitation] = {}
        for member in chosen:
            for contact in (c for c in contacts.values() if c.member_id == member.id):
                invitation = Invitation(event_id=event_id, contact_id=contact.id, status=RsvpStatus.INVITED)
                invitation.created_at = invitation.updated_at = invited_at
                by_contact[contact.id] = invitation
        for address, answer in data["answers"].items():
            invitation = by_contact[contacts[address].id]
            invitation.status = RsvpStatus(answer["status"])
            invitation.answered_at = now - dt.timedelta(days=answer["days_ago"])
            if invitation.status == RsvpStatus.WAITING:
                invitation.waiting_since = invitation.answered_at
        invitations.extend(by_contact.values())
    return [*rows, *invitations]

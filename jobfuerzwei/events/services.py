"""Events: create, change and cancel; invite member contacts; RSVP with a waiting list; reminders; attendee lists.

Every change that mails someone writes the outbox rows in the caller's transaction. Everything that changes who
attends takes a row lock on the event first (``FOR UPDATE``): on PostgreSQL concurrent answers for the same event
queue behind each other, so the capacity check and the write it guards cannot interleave and overbook.
(SQLite ignores ``FOR UPDATE``; it allows one writer at a time anyway.)

The RSVP link carries the invitation id and an HMAC of it under the instance secret, like the unsubscribe link: the
same link works in the invitation, every update and the reminder, no token has to be stored, and it reveals nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.errors import InvalidTransition, LinkInvalid, NotFound
from jobfuerzwei.events.calendar import Method, calendar_attachment, event_calendar
from jobfuerzwei.events.models import Event, EventStatus, Invitation, RsvpStatus
from jobfuerzwei.events.schemas import EventData, format_date, format_when, kind_label
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.i18n import use_language
from jobfuerzwei.mail.outbox import enqueue

REMINDER_BEFORE = dt.timedelta(hours=24)
"""Attending contacts get a reminder once the meeting is less than this far away."""

OPEN_STATUSES = (RsvpStatus.INVITED, RsvpStatus.ATTENDING, RsvpStatus.WAITING)
"""Invitations that hear about changes and the cancellation (not those who declined)."""


class EventFormError(Exception):
    """A service refused a form's values; ``field`` names the form field, ``message`` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- links ----------------------------------------------------------------------------------------------------------


def rsvp_signature(secret: str, invitation_id: UUID) -> str:
    """HMAC-SHA256 of the invitation id (first 128 bits, URL-safe)."""
    mac = hmac.new(secret.encode(), f"event-rsvp:{invitation_id}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def rsvp_url(settings: Settings, invitation_id: UUID) -> str:
    """The personal answer page of one invitation (no login)."""
    return f"{settings.base_url}/rsvp/{invitation_id}/{rsvp_signature(settings.security.secret_key, invitation_id)}"


async def invitation_for_link(session: AsyncSession, settings: Settings, invitation_id: UUID, sig: str) -> Invitation:
    """The invitation of a valid RSVP link (event loaded), or ``LinkInvalid``."""
    expected = rsvp_signature(settings.security.secret_key, invitation_id)
    invitation = await session.scalar(
        select(Invitation).where(Invitation.id == invitation_id).options(selectinload(Invitation.event))
    )
    if not hmac.compare_digest(expected.encode(), sig.encode()) or invitation is None:
        raise LinkInvalid(_("Dieser Link ist ungültig, oder die Einladung besteht nicht mehr."))
    return invitation


# --- reading --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSummary:
    """An event with its answers counted, for the list."""

    event: Event
    counts: dict[RsvpStatus, int]

    def count(self, status: str) -> int:
        """Invitations with this answer."""
        return self.counts.get(RsvpStatus(status), 0)

    @property
    def invited(self) -> int:
        """All invitations."""
        return sum(self.counts.values())


async def list_events(
    session: AsyncSession, now: dt.datetime | None = None
) -> tuple[list[EventSummary], list[EventSummary]]:
    """Upcoming events (soonest first) and past ones (latest first), each with its answers counted."""
    now = now or utcnow()
    events = list(await session.scalars(select(Event).order_by(Event.starts_at)))
    counts: dict[UUID, dict[RsvpStatus, int]] = {}
    rows = await session.execute(
        select(Invitation.event_id, Invitation.status, func.count()).group_by(Invitation.event_id, Invitation.status)
    )
    for event_id, status, n in rows.tuples():
        counts.setdefault(event_id, {})[RsvpStatus(status)] = n
    summaries = [EventSummary(event=e, counts=counts.get(e.id, {})) for e in events]
    upcoming = [s for s in summaries if not s.event.is_over(now)]
    past = [s for s in reversed(summaries) if s.event.is_over(now)]
    return upcoming, past


async def get_event(session: AsyncSession, event_id: UUID) -> Event:
    """One event, or ``NotFound``."""
    event = await session.get(Event, event_id)
    if event is None:
        raise NotFound(_("Diese Veranstaltung gibt es nicht."))
    return event


async def count_answers(session: AsyncSession, event_id: UUID) -> dict[RsvpStatus, int]:
    """The event's invitations by answer."""
    rows = await session.execute(
        select(Invitation.status, func.count()).where(Invitation.event_id == event_id).group_by(Invitation.status)
    )
    return {RsvpStatus(status): n for status, n in rows.tuples()}


async def is_full(session: AsyncSession, event: Event) -> bool:
    """No free place: a new "attending" goes to the waiting list."""
    if event.capacity is None:
        return False
    return await _attending(session, event.id) >= event.capacity


@dataclass(frozen=True)
class Attendee:
    """One invited contact with its answer, for the attendee list and its export."""

    invitation: Invitation
    email: str
    name: str
    member_name: str


@dataclass(frozen=True)
class AttendeeList:
    """An event's invitations grouped by answer; the waiting list in its order."""

    attending: list[Attendee]
    waiting: list[Attendee]
    invited: list[Attendee]
    declined: list[Attendee]

    def rows(self) -> list[Attendee]:
        """Everyone, attending first, then the waiting list in order, no answer, declined (the export's order)."""
        return [*self.attending, *self.waiting, *self.invited, *self.declined]


async def attendee_list(session: AsyncSession, event_id: UUID) -> AttendeeList:
    """Who was invited to the event and how they answered."""
    rows = await session.execute(
        select(Invitation, MemberContact.email, MemberContact.name, Member.name)
        .join(MemberContact, MemberContact.id == Invitation.contact_id)
        .join(Member, Member.id == MemberContact.member_id)
        .where(Invitation.event_id == event_id)
        .order_by(Invitation.waiting_since, func.lower(Member.name), MemberContact.email)
    )
    groups: dict[RsvpStatus, list[Attendee]] = {s: [] for s in RsvpStatus}
    for invitation, email, name, member_name in rows.tuples():
        attendee = Attendee(invitation=invitation, email=email, name=name, member_name=member_name)
        groups[RsvpStatus(invitation.status)].append(attendee)
    return AttendeeList(
        attending=groups[RsvpStatus.ATTENDING],
        waiting=groups[RsvpStatus.WAITING],
        invited=groups[RsvpStatus.INVITED],
        declined=groups[RsvpStatus.DECLINED],
    )


@dataclass(frozen=True)
class InvitableMember:
    """An active member on the invitation form, with how many of its contacts are invited already."""

    member: Member
    invited: int

    @property
    def is_complete(self) -> bool:
        """Every contact is invited: choosing the member adds no one."""
        return self.invited >= len(self.member.contacts)


async def invitable_members(session: AsyncSession, event_id: UUID) -> list[InvitableMember]:
    """Active members (not left) by name, with their contacts' invitations to this event counted."""
    members = list(
        await session.scalars(
            select(Member)
            .where(_may_be_invited())
            .order_by(func.lower(Member.name))
            .options(selectinload(Member.contacts))
        )
    )
    rows = await session.execute(
        select(MemberContact.member_id, func.count())
        .join(Invitation, Invitation.contact_id == MemberContact.id)
        .where(Invitation.event_id == event_id)
        .group_by(MemberContact.member_id)
    )
    invited = dict(rows.tuples().all())
    return [InvitableMember(member=m, invited=invited.get(m.id, 0)) for m in members]


# --- changing events ------------------------------------------------------------------------------------------------


def _apply(event: Event, data: EventData) -> None:
    event.title = data.title
    event.kind = data.kind
    event.starts_at = data.starts_at
    event.ends_at = data.ends_at
    event.place = data.place
    event.online_url = data.online_url
    event.agenda = data.agenda
    event.capacity = data.capacity


async def create_event(session: AsyncSession, settings: Settings, data: EventData) -> Event:
    """A planned event with a new stable calendar UID (no invitations yet)."""
    event = Event(uid=f"{uuid.uuid4()}@{settings.mail.message_id_domain}", sequence=0, status=EventStatus.PLANNED)
    _apply(event, data)
    session.add(event)
    await session.flush()
    return event


@dataclass(frozen=True)
class UpdateResult:
    """What saving an event set off."""

    updates_sent: int
    """Update mails (time or place changed)."""
    moved_up: int
    """Contacts moved up from the waiting list (more places)."""


async def update_event(
    session: AsyncSession, settings: Settings, event_id: UUID, data: EventData, now: dt.datetime | None = None
) -> UpdateResult:
    """Save the form; a new time or place raises ``SEQUENCE`` and mails everyone who did not decline.

    Raises ``EventFormError`` when the capacity would fall below the contacts already attending.
    """
    now = now or utcnow()
    event = await _lock_event(session, event_id)
    if event.is_cancelled:
        raise InvalidTransition(_("Eine abgesagte Veranstaltung lässt sich nicht mehr ändern."))
    attending = await _attending(session, event.id)
    if data.capacity is not None and data.capacity < attending:
        raise EventFormError(
            "capacity",
            _(
                "Es haben bereits %(n)s Personen zugesagt; die Zahl der Plätze kann nicht darunter liegen. "
                "Bitten Sie einzelne Personen abzusagen, oder lassen Sie die Plätze, wie sie sind."
            )
            % {"n": attending},
        )
    moved_time = (data.starts_at, data.ends_at) != (event.starts_at, event.ends_at)
    changed = moved_time or (data.place, data.online_url) != (event.place, event.online_url)
    _apply(event, data)
    sent = 0
    if changed:
        event.sequence += 1
        if moved_time:
            # a reminder sent for the old date says nothing about the new one
            await session.execute(
                update(Invitation)
                .where(Invitation.event_id == event.id)
                .values(reminder_sent_at=None)
                .execution_options(synchronize_session=False)
            )
        await session.flush()
        if not event.is_over(now):
            sent = await _mail_all(session, settings, event, "event_update", method="REQUEST", now=now)
    await session.flush()
    return UpdateResult(updates_sent=sent, moved_up=await _move_up(session, settings, event, now))


async def cancel_event(
    session: AsyncSession, settings: Settings, event_id: UUID, reason: str = "", now: dt.datetime | None = None
) -> int:
    """Call the meeting off and mail everyone who did not decline; returns the number of mails.

    The mails carry ``METHOD:CANCEL`` with ``STATUS:CANCELLED`` and a higher ``SEQUENCE``: calendars remove the entry.
    """
    now = now or utcnow()
    event = await _lock_event(session, event_id)
    if event.is_cancelled:
        raise InvalidTransition(_("Diese Veranstaltung ist bereits abgesagt."))
    if event.is_over(now):
        raise InvalidTransition(_("Diese Veranstaltung ist bereits vorbei."))
    event.status = EventStatus.CANCELLED
    event.cancelled_at = now
    event.sequence += 1
    await session.flush()
    return await _mail_all(session, settings, event, "event_cancelled", method="CANCEL", now=now, reason=reason)


async def invite(
    session: AsyncSession,
    settings: Settings,
    event_id: UUID,
    member_ids: list[UUID] | None,
    now: dt.datetime | None = None,
) -> int:
    """Invite the contacts of every active member (``None``) or of the chosen ones who are not invited yet.

    Each contact gets a mail with the ``.ics`` (``METHOD:REQUEST``) and a personal RSVP link. Members paused or
    gone cannot be invited. Raises ``EventFormError`` when nobody new would be invited. Returns the count.
    """
    now = now or utcnow()
    event = await _lock_event(session, event_id)
    _check_open(event, now)
    stmt = select(Member).where(_may_be_invited()).options(selectinload(Member.contacts))
    if member_ids is not None:
        stmt = stmt.where(Member.id.in_(member_ids))
    members = list(await session.scalars(stmt))
    if member_ids is not None and len(members) != len(set(member_ids)):
        raise EventFormError("member_id", _("Die Auswahl enthält ein Mitglied, das nicht (mehr) aktiv ist."))
    already = set(await session.scalars(select(Invitation.contact_id).where(Invitation.event_id == event.id)))
    contacts = [(c, m) for m in members for c in m.contacts if c.id not in already]
    if not contacts:
        raise EventFormError(
            "member_id" if member_ids is not None else "scope",
            _("Alle Kontakte der gewählten Mitglieder sind bereits eingeladen."),
        )
    invitations = [Invitation(event_id=event.id, contact_id=c.id, status=RsvpStatus.INVITED) for c, _ in contacts]
    session.add_all(invitations)
    await session.flush()
    for invitation, (contact, member) in zip(invitations, contacts, strict=True):
        _mail(
            session,
            settings,
            event,
            _Recipient(invitation.id, contact.email, contact.name, member.name, RsvpStatus.INVITED, contact.language),
            template="event_invitation",
            method="REQUEST",
            now=now,
        )
    return len(invitations)


# --- answers --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RsvpResult:
    """The answer stored for a contact."""

    status: RsvpStatus
    changed: bool


async def answer(
    session: AsyncSession,
    settings: Settings,
    invitation_id: UUID,
    wanted: RsvpStatus,
    now: dt.datetime | None = None,
) -> RsvpResult:
    """Record "attending" or "declined"; a full meeting puts "attending" on the waiting list.

    Declining a place moves the first on the waiting list up (and mails them). Answering the same twice changes
    nothing (a reload, a double click); a contact on the waiting list keeps its place when it says yes again.
    """
    if wanted not in (RsvpStatus.ATTENDING, RsvpStatus.DECLINED):
        raise ValueError(wanted)
    now = now or utcnow()
    event_id = await session.scalar(select(Invitation.event_id).where(Invitation.id == invitation_id))
    if event_id is None:
        raise LinkInvalid(_("Diese Einladung besteht nicht mehr."))
    event = await _lock_event(session, event_id)
    # read again after the lock: a concurrent answer may have changed it while this request waited
    invitation = await session.scalar(
        select(Invitation).where(Invitation.id == invitation_id).execution_options(populate_existing=True)
    )
    if invitation is None:
        raise LinkInvalid(_("Diese Einladung besteht nicht mehr."))
    _check_open(event, now)
    current = RsvpStatus(invitation.status)
    if wanted == RsvpStatus.ATTENDING:
        if current in (RsvpStatus.ATTENDING, RsvpStatus.WAITING):
            return RsvpResult(current, changed=False)
        # whoever waits already comes first, should places have become free without anyone moving up yet
        await _move_up(session, settings, event, now)
        if event.capacity is None or await _attending(session, event.id) < event.capacity:
            invitation.status, invitation.waiting_since = RsvpStatus.ATTENDING, None
        else:
            invitation.status, invitation.waiting_since = RsvpStatus.WAITING, now
    else:
        if current == RsvpStatus.DECLINED:
            return RsvpResult(current, changed=False)
        invitation.status, invitation.waiting_since = RsvpStatus.DECLINED, None
    invitation.answered_at = now
    await session.flush()
    if current == RsvpStatus.ATTENDING:
        await _move_up(session, settings, event, now)
    return RsvpResult(RsvpStatus(invitation.status), changed=True)


# --- periodic jobs --------------------------------------------------------------------------------------------------


async def send_event_reminders(session: AsyncSession, settings: Settings, now: dt.datetime | None = None) -> int:
    """Remind each attending contact once, the day before (less than ``REMINDER_BEFORE`` ahead).

    Contacts who said yes within that last day get none (they just decided), nor do contacts of members who
    left. Each reminder is claimed with a conditional update, so two runs at once cannot both send it.
    """
    now = now or utcnow()
    rows = await session.execute(
        _recipients()
        .add_columns(Event)
        .join(Event, Event.id == Invitation.event_id)
        .where(
            Event.status == EventStatus.PLANNED,
            Event.starts_at > now,
            Event.starts_at <= now + REMINDER_BEFORE,
            Invitation.status == RsvpStatus.ATTENDING,
            Invitation.reminder_sent_at.is_(None),
        )
    )
    sent = 0
    for invitation_id, email, name, member_name, status, answered_at, language, event in rows.tuples():
        if answered_at is not None and answered_at > event.starts_at - REMINDER_BEFORE:
            continue
        claimed = await session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.reminder_sent_at.is_(None))
            .values(reminder_sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            continue
        recipient = _Recipient(invitation_id, email, name, member_name, RsvpStatus(status), language)
        _mail(session, settings, event, recipient, template="event_reminder", method=None, now=now)
        sent += 1
    await session.flush()
    return sent


async def fill_free_places(session: AsyncSession, settings: Settings, now: dt.datetime | None = None) -> int:
    """Move waiting contacts up where places became free without an answer (a contact or member was deleted)."""
    now = now or utcnow()
    event_ids = list(
        await session.scalars(
            select(Event.id)
            .join(Invitation, Invitation.event_id == Event.id)
            .where(Event.status == EventStatus.PLANNED, Event.starts_at > now, Invitation.status == RsvpStatus.WAITING)
            .distinct()
        )
    )
    moved = 0
    for event_id in event_ids:
        moved += await _move_up(session, settings, await _lock_event(session, event_id), now)
    return moved


# --- internals ------------------------------------------------------------------------------------------------------


async def _lock_event(session: AsyncSession, event_id: UUID) -> Event:
    event = await session.scalar(
        select(Event).where(Event.id == event_id).with_for_update().execution_options(populate_existing=True)
    )
    if event is None:
        raise NotFound(_("Diese Veranstaltung gibt es nicht."))
    return event


def _check_open(event: Event, now: dt.datetime) -> None:
    if event.is_cancelled:
        raise InvalidTransition(_("Diese Veranstaltung wurde abgesagt."))
    if event.starts_at <= now:
        raise InvalidTransition(_("Diese Veranstaltung hat bereits begonnen; Antworten sind nicht mehr möglich."))


def _may_be_invited() -> ColumnElement[bool]:
    return and_(Member.is_active.is_(True), Member.left_at.is_(None))


async def _attending(session: AsyncSession, event_id: UUID) -> int:
    n = await session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.event_id == event_id, Invitation.status == RsvpStatus.ATTENDING)
    )
    return int(n or 0)


@dataclass(frozen=True)
class _Recipient:
    invitation_id: UUID
    email: str
    name: str
    member_name: str
    status: RsvpStatus
    language: str = "de"


def _recipients() -> Select[tuple[UUID, str, str, str, RsvpStatus, dt.datetime | None, str]]:
    """Invitations with address and member; never contacts of members who left the network."""
    return (
        select(
            Invitation.id,
            MemberContact.email,
            MemberContact.name,
            Member.name,
            Invitation.status,
            Invitation.answered_at,
            MemberContact.language,
        )
        .join(MemberContact, MemberContact.id == Invitation.contact_id)
        .join(Member, Member.id == MemberContact.member_id)
        .where(Member.left_at.is_(None))
    )


async def _mail_all(
    session: AsyncSession,
    settings: Settings,
    event: Event,
    template: str,
    *,
    method: Method,
    now: dt.datetime,
    reason: str = "",
) -> int:
    """Mail everyone invited who did not decline. Contacts of a paused member hear only about a place they hold."""
    rows = await session.execute(
        _recipients().where(
            Invitation.event_id == event.id,
            Invitation.status.in_(OPEN_STATUSES),
            or_(Member.is_active.is_(True), Invitation.status.in_((RsvpStatus.ATTENDING, RsvpStatus.WAITING))),
        )
    )
    recipients = [_Recipient(i, e, n, m, RsvpStatus(s), lang) for i, e, n, m, s, _, lang in rows.tuples()]
    for recipient in recipients:
        _mail(session, settings, event, recipient, template=template, method=method, now=now, reason=reason)
    return len(recipients)


async def _move_up(session: AsyncSession, settings: Settings, event: Event, now: dt.datetime) -> int:
    """Fill free places from the waiting list in order (the event is locked by the caller); mail each one."""
    if event.is_cancelled or event.starts_at <= now:
        return 0
    stmt = (
        _recipients()
        .where(Invitation.event_id == event.id, Invitation.status == RsvpStatus.WAITING)
        .order_by(Invitation.waiting_since, Invitation.created_at, Invitation.id)
    )
    if event.capacity is not None:
        free = event.capacity - await _attending(session, event.id)
        if free <= 0:
            return 0
        stmt = stmt.limit(free)
    result = await session.execute(stmt)
    rows: Sequence[tuple[UUID, str, str, str, RsvpStatus, dt.datetime | None, str]] = result.tuples().all()
    if not rows:
        return 0
    await session.execute(
        update(Invitation)
        .where(Invitation.id.in_([r[0] for r in rows]))
        .values(status=RsvpStatus.ATTENDING, waiting_since=None)
        .execution_options(synchronize_session=False)
    )
    for invitation_id, email, name, member_name, _status, _answered, language in rows:
        recipient = _Recipient(invitation_id, email, name, member_name, RsvpStatus.ATTENDING, language)
        _mail(session, settings, event, recipient, template="event_moved_up", method="REQUEST", now=now)
    return len(rows)


def _mail(
    session: AsyncSession,
    settings: Settings,
    event: Event,
    recipient: _Recipient,
    *,
    template: str,
    method: Method | None,
    now: dt.datetime,
    reason: str = "",
) -> None:
    # The calendar entry and the wording of kind and time are the recipient's language, not the request's.
    with use_language(recipient.language):
        attachment = None
        if method is not None:
            ics = event_calendar(
                event,
                sender=settings.mail.sender,
                method=method,
                now=now,
                attendee=recipient.email,
                attendee_name=recipient.name,
                status=recipient.status,
            )
            attachment = calendar_attachment(ics, method)
        context = {
            "contact_name": recipient.name,
            "member_name": recipient.member_name,
            "title": event.title,
            "kind": kind_label(event.kind),
            "when": format_when(event.starts_at, event.ends_at),
            "date": format_date(event.starts_at),
            "place": event.place,
            "online_url": event.online_url,
            "agenda": event.agenda,
            "status": recipient.status.value,
            "rsvp_url": rsvp_url(settings, recipient.invitation_id),
            "reason": reason,
        }
    enqueue(
        session,
        settings,
        template=template,
        to=recipient.email,
        language=recipient.language,
        context=context,
        attachment=attachment,
    )

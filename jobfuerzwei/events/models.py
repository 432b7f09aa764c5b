"""Network meetings (Netzwerktreffen, Fachkräftekonferenz) and the invitations of member contacts with their RSVP."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from uuid import UUID

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jobfuerzwei.db.base import DateTimeUTC, UUIDAuditBase
from jobfuerzwei.employers.models import MemberContact


class EventKind(StrEnum):
    """What kind of meeting."""

    NETWORK_MEETING = "network_meeting"
    """Netzwerktreffen."""
    CONFERENCE = "conference"
    """Fachkräftekonferenz."""
    OTHER = "other"


class EventStatus(StrEnum):
    """Whether the meeting takes place."""

    PLANNED = "planned"
    CANCELLED = "cancelled"


class Event(UUIDAuditBase):
    """A meeting the coordinator invites member contacts to."""

    __tablename__ = "events"

    uid: Mapped[str] = mapped_column(String(200), unique=True)
    """iCalendar UID: the same in every invitation, update and cancellation, so calendars update one entry."""
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    """iCalendar SEQUENCE: raised with each change of time or place and with the cancellation."""
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EventKind] = mapped_column(String(30), default=EventKind.NETWORK_MEETING)
    starts_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    """Stored in UTC, entered and shown in Europe/Berlin."""
    ends_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    place: Mapped[str] = mapped_column(String(300), default="")
    """Address or room; empty for an online-only meeting."""
    online_url: Mapped[str] = mapped_column(String(500), default="")
    """Video-conference link (https only); empty for a meeting in person."""
    agenda: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    """Places; ``None``: no limit. Further "attending" answers go to the waiting list."""
    status: Mapped[EventStatus] = mapped_column(String(20), default=EventStatus.PLANNED)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="raise", passive_deletes=True
    )

    @property
    def is_cancelled(self) -> bool:
        """The meeting was called off."""
        return self.status == EventStatus.CANCELLED

    def is_over(self, now: dt.datetime) -> bool:
        """The meeting has ended."""
        return self.ends_at <= now


class RsvpStatus(StrEnum):
    """A contact's answer to an invitation."""

    INVITED = "invited"
    """No answer yet."""
    ATTENDING = "attending"
    WAITING = "waiting"
    """Wants to attend, but the meeting was full; moves up when a place becomes free."""
    DECLINED = "declined"


class Invitation(UUIDAuditBase):
    """One member contact invited to one event, and the contact's answer.

    Deleting the contact (removed by the member, or the member left the network) deletes the invitation.
    """

    __tablename__ = "event_invitations"
    __table_args__ = (
        UniqueConstraint("event_id", "contact_id"),
        Index("ix_event_invitations_event_status", "event_id", "status"),
    )

    event_id: Mapped[UUID] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    contact_id: Mapped[UUID] = mapped_column(ForeignKey("member_contacts.id", ondelete="CASCADE"), index=True)
    status: Mapped[RsvpStatus] = mapped_column(String(20), default=RsvpStatus.INVITED)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    waiting_since: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    """When the contact joined the waiting list: the earliest moves up first."""
    reminder_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    event: Mapped[Event] = relationship(back_populates="invitations", lazy="raise")
    contact: Mapped[MemberContact] = relationship(lazy="raise")

"""iCalendar objects (RFC 5545, iTIP RFC 5546) for event mails: invitation and update (REQUEST), cancellation (CANCEL).

Every object of one event carries the event's stable ``UID``; ``SEQUENCE`` rises with each change of time or place
and with the cancellation, so a calendar replaces its entry instead of adding a second one. Times are written in
UTC (``...Z``), which every client converts to its own zone, so no ``VTIMEZONE`` block is needed. The RSVP link
stays out of the calendar entry: calendars are often shared with colleagues, and the link is personal.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr
from typing import Literal

import icalendar

from jobfuerzwei.events.models import Event, RsvpStatus
from jobfuerzwei.events.schemas import kind_label
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.messages import Attachment

Method = Literal["REQUEST", "CANCEL", "PUBLISH"]

PRODID = "-//Job für Zwei//Netzwerktreffen//DE"
_PARTSTAT = {
    RsvpStatus.INVITED: "NEEDS-ACTION",
    RsvpStatus.ATTENDING: "ACCEPTED",
    RsvpStatus.WAITING: "TENTATIVE",
    RsvpStatus.DECLINED: "DECLINED",
}


def _description(event: Event) -> str:
    """The entry's text in the current language (a mail sets its recipient's)."""
    parts = [kind_label(event.kind)]
    if event.agenda:
        parts.append(_("Tagesordnung:") + f"\n{event.agenda}")
    if event.online_url:
        parts.append(_("Online-Teilnahme: %(url)s") % {"url": event.online_url})
    parts.append(_("Bitte sagen Sie über den Link in unserer E-Mail zu oder ab, nicht über Ihren Kalender."))
    return "\n\n".join(p for p in parts if p)


def event_calendar(
    event: Event,
    *,
    sender: str,
    method: Method,
    now: dt.datetime,
    attendee: str | None = None,
    attendee_name: str = "",
    status: RsvpStatus = RsvpStatus.INVITED,
) -> str:
    """The VCALENDAR text of ``event`` for one recipient (``attendee``), with the sender as ``ORGANIZER``."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", now.astimezone(dt.UTC))
    vevent.add("dtstart", event.starts_at.astimezone(dt.UTC))
    vevent.add("dtend", event.ends_at.astimezone(dt.UTC))
    vevent.add("summary", event.title)
    vevent.add("description", _description(event))
    location = event.place or event.online_url
    if location:
        vevent.add("location", location)
    if event.online_url:
        vevent.add("url", event.online_url)
    name, address = parseaddr(sender)
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    if name:
        organizer.params["cn"] = icalendar.vText(name)
    vevent.add("organizer", organizer)
    if attendee:
        person = icalendar.vCalAddress(f"mailto:{attendee}")
        if attendee_name:
            person.params["cn"] = icalendar.vText(attendee_name)
        person.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        person.params["partstat"] = icalendar.vText(_PARTSTAT[status])
        # Replies from a calendar would go to the sender address, which reads no mail: answers come by link.
        person.params["rsvp"] = icalendar.vText("FALSE")
        vevent.add("attendee", person)
    cancelled = method == "CANCEL" or event.is_cancelled
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    cal.add_component(vevent)
    ics: bytes = cal.to_ical()
    return ics.decode("utf-8")


def calendar_attachment(ics: str, method: Method) -> Attachment:
    """The ``.ics`` file of a mail (``text/calendar`` with the iTIP method)."""
    filename = _("absage.ics") if method == "CANCEL" else _("einladung.ics")
    return Attachment(filename=filename, content_type=f"text/calendar; method={method}", content=ics)

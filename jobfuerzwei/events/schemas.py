"""Event forms (parsed and validated by hand, messages next to the fields) and the time formatting of the language."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID
from zoneinfo import ZoneInfo

from babel import dates as babel_dates

from jobfuerzwei.events.models import Event, EventKind, RsvpStatus
from jobfuerzwei.i18n import N_, current_language, gettext
from jobfuerzwei.i18n import gettext as _

BERLIN = ZoneInfo("Europe/Berlin")
"""Times are entered and shown in German local time and stored in UTC."""

KIND_LABELS: dict[str, str] = {
    EventKind.NETWORK_MEETING: N_("Netzwerktreffen"),
    EventKind.CONFERENCE: N_("Fachkräftekonferenz"),
    EventKind.OTHER: N_("Sonstige Veranstaltung"),
}
"""German; ``kind_label`` and ``kind_labels`` translate."""
RSVP_LABELS: dict[str, str] = {
    RsvpStatus.INVITED: N_("Keine Antwort"),
    RsvpStatus.ATTENDING: N_("Zugesagt"),
    RsvpStatus.WAITING: N_("Warteliste"),
    RsvpStatus.DECLINED: N_("Abgesagt"),
}
"""German; ``rsvp_labels`` translates."""

EVENT_FIELDS = (
    "title",
    "kind",
    "date",
    "start_time",
    "end_date",
    "end_time",
    "place",
    "online_url",
    "agenda",
    "capacity",
)
MAX_CAPACITY = 10_000
MAX_DAYS = 14
"""Longest meeting (a multi-day conference)."""

_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATE_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)


@dataclass(frozen=True)
class EventData:
    """Clean values of a valid event form (times aware, in UTC)."""

    title: str
    kind: EventKind
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    online_url: str
    agenda: str
    capacity: int | None


def kind_label(kind: str) -> str:
    """The label of an event kind in the current language (empty for an unknown kind)."""
    text = KIND_LABELS.get(kind, "")
    return gettext(text) if text else ""


def kind_labels() -> dict[str, str]:
    """Event kinds and their labels in the current language (for pages and the form's select)."""
    return {kind: gettext(text) for kind, text in KIND_LABELS.items()}


def rsvp_labels() -> dict[str, str]:
    """Answers and their labels in the current language."""
    return {status: gettext(text) for status, text in RSVP_LABELS.items()}


def to_local(value: dt.datetime) -> dt.datetime:
    """A stored (UTC) time in Europe/Berlin."""
    return value.astimezone(BERLIN)


def format_date(value: dt.datetime) -> str:
    """``Dienstag, 8. Dezember 2026`` (local date); in English ``Tuesday, 8 December 2026``."""
    local = to_local(value)
    if current_language() == "en":
        return babel_dates.format_date(local.date(), "EEEE, d MMMM y", locale="en")
    return f"{_WEEKDAYS[local.weekday()]}, {local.day}. {_MONTHS[local.month - 1]} {local.year}"


def format_time(value: dt.datetime) -> str:
    """``18:00`` (local time)."""
    return to_local(value).strftime("%H:%M")


def format_when(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """``Dienstag, 8. Dezember 2026, 18:00 bis 20:00 Uhr``; a meeting over several days names both dates."""
    if to_local(starts_at).date() == to_local(ends_at).date():
        return _("%(date)s, %(start)s bis %(end)s Uhr") % {
            "date": format_date(starts_at),
            "start": format_time(starts_at),
            "end": format_time(ends_at),
        }
    start = _("%(date)s, %(time)s Uhr") % {"date": format_date(starts_at), "time": format_time(starts_at)}
    end = _("%(date)s, %(time)s Uhr") % {"date": format_date(ends_at), "time": format_time(ends_at)}
    return _("%(start)s bis %(end)s") % {"start": start, "end": end}


def event_form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The typed values as a plain dict, for re-rendering the form."""
    return {name: str(form.get(name) or "").strip() for name in EVENT_FIELDS}


def event_form_from(event: Event) -> dict[str, str]:
    """Form values of a stored event (edit page), in local time."""
    start, end = to_local(event.starts_at), to_local(event.ends_at)
    return {
        "title": event.title,
        "kind": event.kind,
        "date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_date": "" if end.date() == start.date() else end.date().isoformat(),
        "end_time": end.strftime("%H:%M"),
        "place": event.place,
        "online_url": event.online_url,
        "agenda": event.agenda,
        "capacity": "" if event.capacity is None else str(event.capacity),
    }


def new_event_form() -> dict[str, str]:
    """An empty form: a network meeting from 17:00 to 19:00."""
    return dict.fromkeys(EVENT_FIELDS, "") | {
        "kind": EventKind.NETWORK_MEETING,
        "start_time": "17:00",
        "end_time": "19:00",
    }


def parse_date(value: str) -> dt.date | None:
    """``2026-12-08`` (date input) or ``8.12.2026``; ``None`` when neither."""
    try:
        if m := _DATE_ISO.match(value):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DATE_DE.match(value):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def parse_time(value: str) -> dt.time | None:
    """``18:00`` (time input), ``9:30`` or ``18.00``; ``None`` when neither."""
    m = _TIME.match(value)
    if m is None or int(m[1]) > 23 or int(m[2]) > 59:
        return None
    return dt.time(int(m[1]), int(m[2]))


def is_https_url(value: str) -> bool:
    """An absolute ``https://`` link with a host and no spaces."""
    if any(c.isspace() for c in value) or len(value) > 500:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and "@" not in parts.netloc


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    """A wall-clock time in Berlin as UTC (a time skipped by the clock change counts as the one after it)."""
    return dt.datetime.combine(day, time, tzinfo=BERLIN).astimezone(dt.UTC)


def _check_times(values: dict[str, str], errors: dict[str, str]) -> tuple[dt.datetime, dt.datetime] | None:
    day = parse_date(values["date"])
    if day is None:
        errors["date"] = (
            _("Bitte geben Sie das Datum an, z. B. 08.12.2026.")
            if values["date"]
            else _("Bitte geben Sie das Datum an.")
        )
    start = parse_time(values["start_time"])
    if start is None:
        errors["start_time"] = _("Bitte geben Sie die Anfangszeit an, z. B. 17:00.")
    end_day = parse_date(values["end_date"]) if values["end_date"] else day
    if values["end_date"] and end_day is None:
        errors["end_date"] = _("Bitte geben Sie das Enddatum an, z. B. 09.12.2026, oder lassen Sie das Feld leer.")
    end = parse_time(values["end_time"])
    if end is None:
        errors["end_time"] = _("Bitte geben Sie die Endzeit an, z. B. 19:00.")
    if day is None or start is None or end_day is None or end is None:
        return None
    starts_at, ends_at = _local(day, start), _local(end_day, end)
    if ends_at <= starts_at:
        errors["end_time"] = _("Das Ende muss nach dem Beginn liegen.")
    elif ends_at - starts_at > dt.timedelta(days=MAX_DAYS):
        errors["end_date"] = _("Eine Veranstaltung darf höchstens %(days)s Tage dauern.") % {"days": MAX_DAYS}
    return starts_at, ends_at


def _check_place(values: dict[str, str], errors: dict[str, str]) -> tuple[str, str]:
    place = " ".join(values["place"].split())
    if len(place) > 300:
        errors["place"] = _("Der Ort darf höchstens 300 Zeichen lang sein.")
    online_url = values["online_url"]
    if online_url and not is_https_url(online_url):
        errors["online_url"] = _("Bitte geben Sie einen vollständigen Link an, der mit https:// beginnt.")
    if not place and not online_url:
        errors["place"] = _("Bitte geben Sie einen Ort oder einen Online-Link an (oder beides).")
    return place, online_url


def _check_capacity(value: str, errors: dict[str, str]) -> int | None:
    if not value:
        return None
    if value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_CAPACITY:
        return int(value)
    errors["capacity"] = _(
        "Bitte geben Sie eine ganze Zahl zwischen 1 und %(max)s an, "
        "oder lassen Sie das Feld für unbegrenzt viele Plätze leer."
    ) % {"max": MAX_CAPACITY}
    return None


def validate_event_form(
    form: Mapping[str, Any], *, now: dt.datetime, current: Event | None = None
) -> tuple[EventData | None, dict[str, str]]:
    """Check the event form; return clean data (or ``None``) and ``errors: field -> message``.

    A new meeting, and a stored one whose time changes, must start in the future.
    """
    values = event_form_values(form)
    errors: dict[str, str] = {}
    title = " ".join(values["title"].split())
    if not title:
        errors["title"] = _("Bitte geben Sie einen Titel an.")
    elif len(title) > 200:
        errors["title"] = _("Der Titel darf höchstens 200 Zeichen lang sein.")
    if values["kind"] not in KIND_LABELS:
        errors["kind"] = _("Bitte wählen Sie die Art der Veranstaltung.")
    times = _check_times(values, errors)
    if times is not None and "end_time" not in errors and "end_date" not in errors:
        unchanged = current is not None and times == (current.starts_at, current.ends_at)
        if times[0] <= now and not unchanged:
            errors["date"] = _("Der Beginn muss in der Zukunft liegen.")
    place, online_url = _check_place(values, errors)
    agenda = values["agenda"].replace("\r\n", "\n").strip()
    if len(agenda) > 5000:
        errors["agenda"] = _("Die Tagesordnung darf höchstens 5000 Zeichen lang sein.")
    capacity = _check_capacity(values["capacity"], errors)
    if errors or times is None:
        return None, errors
    return (
        EventData(
            title=title,
            kind=EventKind(values["kind"]),
            starts_at=times[0],
            ends_at=times[1],
            place=place,
            online_url=online_url,
            agenda=agenda,
            capacity=capacity,
        ),
        {},
    )


@dataclass(frozen=True)
class InviteChoice:
    """Whom to invite: every active member (``member_ids is None``) or the chosen ones."""

    member_ids: list[UUID] | None


def parse_invite_form(form: Any) -> tuple[InviteChoice | None, dict[str, str], list[str]]:
    """The invitation form: ``scope`` ``all`` or ``chosen`` with ``member_id`` values.

    Returns the choice (or ``None``), the errors, and the raw ticked ids for re-rendering.
    """
    scope = str(form.get("scope") or "")
    raw = [str(v) for v in form.getall("member_id", [])] if hasattr(form, "getall") else []
    if scope == "all":
        return InviteChoice(member_ids=None), {}, raw
    if scope != "chosen":
        return None, {"scope": _("Bitte wählen Sie, wen Sie einladen möchten.")}, raw
    ids: list[UUID] = []
    for value in raw:
        try:
            ids.append(UUID(value))
        except ValueError:
            return None, {"member_id": _("Die Auswahl enthält ein unbekanntes Mitglied.")}, raw
    if not ids:
        return None, {"member_id": _("Bitte wählen Sie mindestens ein Mitglied.")}, raw
    return InviteChoice(member_ids=list(dict.fromkeys(ids))), {}, raw


RSVP_ANSWERS = {"attending": RsvpStatus.ATTENDING, "declined": RsvpStatus.DECLINED}
"""What the two buttons of the RSVP page post."""

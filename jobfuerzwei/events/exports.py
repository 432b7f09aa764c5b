"""The attendee list of an event as CSV and XLSX, for sign-in sheets and name badges.

Names and member names come from forms, so a cell may start with ``=``: the CSV writer defuses such cells as the
coverage export does (a leading apostrophe), and the XLSX writer stores every text cell as a string, never a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from jobfuerzwei.events.schemas import RSVP_LABELS, to_local
from jobfuerzwei.events.services import Attendee, AttendeeList
from jobfuerzwei.i18n import N_
from jobfuerzwei.i18n import gettext as _

HEADER = (N_("Status"), N_("Warteliste"), N_("Mitglied"), N_("Name"), N_("E-Mail"), N_("Antwort am"))
"""German; ``header()`` translates."""


def header() -> list[str]:
    """The column titles in the current language."""
    return [_(title) for title in HEADER]


def _rows(attendees: AttendeeList) -> Iterator[tuple[str, int | None, str, str, str, str]]:
    for attendee in attendees.rows():
        yield _row(attendee, attendees.waiting)


def _row(attendee: Attendee, waiting: Sequence[Attendee]) -> tuple[str, int | None, str, str, str, str]:
    invitation = attendee.invitation
    place = next((i + 1 for i, w in enumerate(waiting) if w.invitation.id == invitation.id), None)
    answered = to_local(invitation.answered_at).strftime("%d.%m.%Y %H:%M") if invitation.answered_at else ""
    return (
        _(RSVP_LABELS[invitation.status]),
        place,
        attendee.member_name,
        attendee.name,
        attendee.email,
        answered,
    )


def _cell(value: str) -> str:
    # A spreadsheet runs a cell that starts with one of these as a formula; the apostrophe makes it plain text.
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def attendees_csv(attendees: AttendeeList) -> str:
    """CSV (``;``-separated, as German Excel expects) of every invitation, attending first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header())
    for status, place, member, name, email, answered in _rows(attendees):
        cells = (status, "" if place is None else str(place), member, name, email, answered)
        writer.writerow([_cell(v) for v in cells])
    return buffer.getvalue()


def attendees_xlsx(attendees: AttendeeList, title: str) -> bytes:
    """An Excel workbook with the same rows as the CSV; text cells are stored as text, never as formulas."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Teilnehmende")
    sheet.append([title])
    sheet.append(header())
    for row in _rows(attendees):
        # openpyxl refuses control characters in a cell (a 500 for a name stored before the form refused them)
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would store "=…" as a formula
    for column, width in zip("ABCDEF", (14, 11, 32, 28, 34, 17), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Exports that Excel opens: CSV (UTF-8 with BOM, ``;``, German decimal comma) and XLSX (openpyxl).

Each export is first a :class:`Table` (a header and typed rows); the two writers only format it. Text that a
spreadsheet would run as a formula stays text: an apostrophe in CSV, an explicit string cell in XLSX. Headers, sheet
names and labels follow the current language; numbers and dates keep the German format the CSV's ``;`` is made for.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from jobfuerzwei.i18n import N_
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.results.charts import de_number
from jobfuerzwei.results.filters import BERLIN
from jobfuerzwei.results.lists import MemberRow, ProfileDetails, ProfileRow, ReferralRow
from jobfuerzwei.results.services import Figures
from jobfuerzwei.spreadsheets import is_formula_like, safe_cell
from jobfuerzwei.web.labels import label

Cell = str | int | float | bool | dt.date | None

FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Table:
    """One export: ``name`` is the file name's stem and the sheet title."""

    name: str
    header: list[str]
    rows: list[list[Cell]]


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.astimezone(BERLIN).date() if value else None


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, float):
        return de_number(value)
    if isinstance(value, dt.date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, int):
        return str(value)
    return safe_cell(value)


def to_csv(table: Table) -> bytes:
    """CSV for German Excel: BOM (so Excel reads UTF-8), ``;`` between cells, CRLF line ends, guarded text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in table.header])
    writer.writerows([_text(v) for v in row] for row in table.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _width(values: Sequence[Cell], header: str) -> float:
    longest = max([len(header), *(len(_text(v)) for v in values)])
    return float(min(60, max(8, longest + 2)))


def to_xlsx(table: Table) -> bytes:
    """One worksheet: bold, frozen header row with a filter, widths from the content, dates as dates."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet  # noqa: S101
    sheet.title = table.name[:31]
    sheet.append(table.header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(table.rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                # Judge the text as stored: "\x01=HYPERLINK(…)" loses its control character and would be a formula.
                cell.value = text = ILLEGAL_CHARACTERS_RE.sub("", value)
                if is_formula_like(text):
                    cell.data_type = "s"  # openpyxl would store "=…" as a formula; keep it text
            else:
                cell.value = value
                if isinstance(value, dt.date):
                    cell.number_format = "DD.MM.YYYY"
                elif isinstance(value, float):
                    cell.number_format = "0.0"
    for c, title in enumerate(table.header, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = _width([row[c - 1] for row in table.rows], title)
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.header))}{len(table.rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(table: Table, fmt: str) -> bytes:
    """The table as ``csv`` or ``xlsx`` bytes."""
    return to_csv(table) if fmt == "csv" else to_xlsx(table)


# --- tables -----------------------------------------------------------------------------------------------------

_ANONYMOUS_PROFILE_HEADER = (
    N_("Profil"),
    N_("Profilart"),
    N_("Status"),
    N_("Wunschberufe"),
    N_("Wohnort"),
    N_("Gewünschte Arbeitsorte"),
    N_("Angemeldet am"),
    N_("Freigegeben am"),
    N_("Vermittelt am"),
)


def _anonymous_profile_header() -> list[str]:
    return [_(title) for title in _ANONYMOUS_PROFILE_HEADER]


def _anonymous_profile_cells(row: ProfileRow) -> list[Cell]:
    return [
        row.reference,
        label("profile_kind", row.kind),
        label("profile_status", row.status),
        ", ".join(row.occupations),
        row.residence,
        ", ".join(row.work_municipalities),
        _day(row.registered_at),
        _day(row.approved_at),
        _day(row.placed_at),
    ]


def anonymous_profiles_table(rows: Sequence[ProfileRow]) -> Table:
    """Profiles without names, contact data or free text (observers)."""
    return Table(_("Profile"), _anonymous_profile_header(), [_anonymous_profile_cells(r) for r in rows])


def profiles_table(rows: Sequence[ProfileDetails], *, with_contacts: bool) -> Table:
    """Profiles for the coordinator; names, addresses and phone only ``with_contacts``."""
    header = [
        *_anonymous_profile_header(),
        _("Qualifikation"),
        _("Berufserfahrung (Jahre)"),
        _("Arbeitszeit"),
        _("Anwerbendes / abgebendes Mitglied"),
    ]
    if with_contacts:
        header += [
            _("Partner/in"),
            _("E-Mail Partner/in"),
            _("Telefon Partner/in"),
            _("Angeworbene Person"),
            _("E-Mail Angeworbene"),
        ]
    table_rows: list[list[Cell]] = []
    for d in rows:
        cells = [
            *_anonymous_profile_cells(d.row),
            label("qualification", d.qualification),
            d.experience_years,
            label("working_time", d.working_time),
            d.member_name,
        ]
        if with_contacts:
            cells += [d.partner_name, d.partner_email, d.partner_phone, d.applicant_name, d.applicant_email]
        table_rows.append(cells)
    return Table(_("Profile"), header, table_rows)


def referrals_table(rows: Sequence[ReferralRow]) -> Table:
    """Referrals: profile number, member, state and dates; no notes, no contact data."""
    header = [
        _("Profil"),
        _("Profilart"),
        _("Mitglied"),
        _("Branche"),
        _("Stand"),
        _("Abschlussgrund"),
        _("Interesse am"),
        _("Letzter Schritt am"),
        _("Eingestellt am"),
    ]
    return Table(
        _("Vermittlungen"),
        header,
        [
            [
                r.reference,
                label("profile_kind", r.kind),
                r.member_name,
                r.member_sector,
                label("referral_state", r.state),
                label("close_reason", r.close_reason),
                _day(r.opened_at),
                _day(r.changed_at),
                _day(r.placed_at),
            ]
            for r in rows
        ],
    )


def _percent(share: float | None) -> float | None:
    return round(share * 100, 1) if share is not None else None


def members_table(rows: Sequence[MemberRow], *, with_contacts: bool) -> Table:
    """Members with their answers, referrals and hires in the selection; contact addresses only ``with_contacts``."""
    header = [
        _("Mitglied"),
        _("Branche"),
        _("Ort"),
        _("PLZ"),
        _("Aktiv"),
        _("Beigetreten am"),
        _("Ausgetreten am"),
        _("Profile erhalten"),
        _("Beantwortet"),
        _("Interesse"),
        _("Antwortquote (%)"),
        _("Antwortzeit Median (Tage)"),
        _("Vermittlungen"),
        _("Einstellungen"),
    ]
    if with_contacts:
        header.append(_("Kontakte"))
    table_rows: list[list[Cell]] = []
    for m in rows:
        a = m.answers
        cells: list[Cell] = [
            m.name,
            m.sector,
            m.municipality,
            m.postcode,
            m.is_active,
            _day(m.joined_at),
            _day(m.left_at),
            a.received if a else 0,
            a.answered if a else 0,
            a.interested if a else 0,
            _percent(a.rate) if a else None,
            round(a.median_answer_days, 1) if a and a.median_answer_days is not None else None,
            m.referrals,
            m.hires,
        ]
        if with_contacts:
            cells.append(", ".join(m.contacts))
        table_rows.append(cells)
    return Table(_("Mitglieder"), header, table_rows)


def figures_table(figures: Figures) -> Table:
    """The dashboard's figures as rows of area, figure and value (the filter first)."""
    profiles, circulation, placements = _("Profile"), _("Versand"), _("Einstellungen")
    rows: list[list[Cell]] = [[_("Auswahl"), _("Filter"), figures.filters.describe()]]
    for status, by_kind in figures.profiles.items():
        for kind, n in by_kind.items():
            rows.append([profiles, f"{label('profile_status', status)} – {label('profile_kind', kind)}", n])
    rows.append([profiles, _("Insgesamt"), figures.profile_total])
    rows += [
        [circulation, _("Versandrunden"), figures.circulations],
        [circulation, _("Empfänger (Profil an Mitglied)"), figures.recipients],
        [circulation, _("Antworten"), figures.answered],
        [circulation, _("davon Interesse"), figures.interested],
        [circulation, _("Antwortquote (%)"), _percent(figures.answer_rate)],
        [circulation, _("Antwortzeit Median (Tage)"), _round(figures.median_answer_days)],
    ]
    for step in figures.funnel:
        rows.append([_("Vermittlungen (erreichte Stufe)"), label("referral_state", step.state), step.reached])
    for state, n in figures.referral_states.items():
        rows.append([_("Vermittlungen (aktueller Stand)"), label("referral_state", state), n])
    for reason, n in figures.close_reasons.items():
        rows.append([_("Vermittlungen (Abschlussgrund)"), label("close_reason", reason), n])
    rows += [
        [placements, _("Vermittelte Profile"), figures.placements],
        [placements, _("Freigabe bis Einstellung, Median (Tage)"), _round(figures.median_days_to_hire)],
    ]
    rows += [[_("Einstellungen pro Monat"), m.label, m.count] for m in figures.placements_by_month]
    for a in figures.members:
        rows.append([_("Antwortquote nach Mitglied (%)"), a.name, _percent(a.rate)])
    return Table(_("Kennzahlen"), [_("Bereich"), _("Kennzahl"), _("Wert")], rows)


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None

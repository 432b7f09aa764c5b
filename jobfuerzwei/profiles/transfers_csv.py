"""Job-to-job profiles ("Wechselprofile"): the releasing member's CSV import.

A file is decoded, its header mapped onto the single form's fields, and every row checked with the single form's
rules (``validate_transfer_form``) plus duplicate addresses within the file. The preview carries the file signed
and bound to the member, so the confirming POST registers exactly what was shown. Nothing commits here: the request's
transaction stores an import all at once or not at all. The single form, registration and figures live in
``profiles.transfers``.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import hmac
import io
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.profiles.models import Profile, Qualification, WorkingTime
from jobfuerzwei.profiles.schemas import LANGUAGE_ROWS
from jobfuerzwei.profiles.transfers import DUPLICATE_EMAIL, register_transfer, validate_transfer_form
from jobfuerzwei.web.labels import LABELS

log = logging.getLogger("jobfuerzwei.profiles.transfers")

MAX_CSV_BYTES = 1024 * 1024
MAX_CSV_ROWS = 500

# --- CSV columns ----------------------------------------------------------------------------------------------------

COLUMNS: dict[str, str] = {
    "name": "partner_name",
    "email": "partner_email",
    "telefon": "partner_phone",
    "wohnort": "residence",
    "wunschberufe": "occupations",
    "abschluss": "qualification",
    "berufserfahrung_jahre": "experience_years",
    "kurzprofil": "summary",
    "kenntnisse": "skills",
    "sprachen": "languages",
    "arbeitszeit": "working_time",
    "fruehester_beginn": "earliest_start",
    "arbeitsorte": "work_municipalities",
    "plz": "work_postcode",
    "umkreis_km": "work_radius_km",
}
"""CSV header → form field (``languages`` is split into the form's language rows)."""
REQUIRED_COLUMNS = ("name", "email", "wohnort", "wunschberufe", "abschluss", "arbeitszeit")
_FIELD_COLUMN = {form_field: column for column, form_field in COLUMNS.items()}

QUALIFICATION_ALIASES: dict[str, Qualification] = {
    "ohne": Qualification.NONE,
    "keiner": Qualification.NONE,
    "ausbildung": Qualification.APPRENTICESHIP,
    "meister": Qualification.MASTER_CRAFTSMAN,
    "meisterin": Qualification.MASTER_CRAFTSMAN,
    "techniker": Qualification.TECHNICIAN,
    "technikerin": Qualification.TECHNICIAN,
    "fachwirt": Qualification.TECHNICIAN,
    "fachwirtin": Qualification.TECHNICIAN,
    # "Studium" alone says nothing about the degree; the first academic degree is the cautious reading.
    "studium": Qualification.BACHELOR,
    "bachelor": Qualification.BACHELOR,
    "diplom": Qualification.MASTER,
    "staatsexamen": Qualification.MASTER,
    "promotion": Qualification.DOCTORATE,
    "sonstiges": Qualification.OTHER,
    "sonstige": Qualification.OTHER,
}
WORKING_TIME_ALIASES: dict[str, WorkingTime] = {
    "vollzeit": WorkingTime.FULL_TIME,
    "teilzeit": WorkingTime.PART_TIME,
    "beides": WorkingTime.EITHER,
}
QUALIFICATION_HINT = "ohne, ausbildung, meister, techniker, fachwirt, studium, bachelor, diplom, promotion, sonstiges"
WORKING_TIME_HINT = "vollzeit, teilzeit, beides"
LEVEL_ALIASES = {"muttersprache": "native", "native": "native"}
HEADER_ALIASES = {"e_mail": "email", "fruehester_start": "fruehester_beginn", "umkreis": "umkreis_km"}
_HEADER_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "_", "-": "_"})
_LANGUAGE_ENTRY = re.compile(r"^\s*([^:]+?)\s*:\s*(\S+)\s*$")


class TransferCsvError(ValueError):
    """The file as a whole cannot be read (size, encoding, header, row count); carries a message for the member."""


@dataclass(frozen=True)
class RowResult:
    """One data row of an import: the form values it maps to and either clean data or messages."""

    line: int
    """Line in the file where the row starts (the header is line 1)."""
    form: dict[str, str]
    data: dict[str, Any] | None
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        """No messages, clean data present."""
        return self.data is not None and not self.errors


def _key(value: str) -> str:
    return " ".join(value.split()).lower()


def _choice_lookup(aliases: Mapping[str, Any], group: str) -> dict[str, str]:
    """Accepted spellings (alias, enum value, German label; case-insensitive) → enum value."""
    lookup = {_key(value): value for value in LABELS[group]}
    lookup.update({_key(text): value for value, text in LABELS[group].items()})
    lookup.update({_key(alias): str(value) for alias, value in aliases.items()})
    return lookup


_QUALIFICATIONS = _choice_lookup(QUALIFICATION_ALIASES, "qualification")
_WORKING_TIMES = _choice_lookup(WORKING_TIME_ALIASES, "working_time")
_LEVELS = {**{level.lower(): level for level in LABELS["cefr"]}, **LEVEL_ALIASES}


# --- reading and checking a file ------------------------------------------------------------------------------------


def decode_transfer_csv(content: bytes) -> str:
    """The uploaded bytes as text: UTF-8 (with or without BOM), else Windows-1252 (Excel's German default)."""
    if len(content) > MAX_CSV_BYTES:
        raise TransferCsvError(
            _("Die Datei ist zu groß. Bitte laden Sie höchstens %(mb)s MB und %(rows)s Zeilen auf einmal hoch.")
            % {"mb": MAX_CSV_BYTES // (1024 * 1024), "rows": MAX_CSV_ROWS}
        )
    if not content.strip():
        raise TransferCsvError(_("Die Datei ist leer."))
    if b"\x00" in content:
        raise TransferCsvError(_("Die Datei ist keine Textdatei. Bitte speichern Sie die Tabelle als CSV."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise TransferCsvError(
            _("Die Datei lässt sich nicht lesen. Bitte speichern Sie sie als CSV in UTF-8 oder Windows-1252.")
        ) from exc


def _delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _header(cells: list[str]) -> list[str]:
    columns = [_key(cell).translate(_HEADER_UMLAUTS) for cell in cells]
    columns = [HEADER_ALIASES.get(c, c) for c in columns]
    unknown = [c for c in columns if c and c not in COLUMNS]
    if unknown:
        raise TransferCsvError(
            _("Unbekannte Spalte(n): %(unknown)s. Erlaubt sind: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(COLUMNS)}
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise TransferCsvError(
            _("Es fehlen die Spalten: %(missing)s. Die erste Zeile muss die Spaltennamen enthalten.")
            % {"missing": ", ".join(missing)}
        )
    doubled = sorted({c for c in columns if c and columns.count(c) > 1})
    if doubled:
        raise TransferCsvError(_("Diese Spalten kommen doppelt vor: %(doubled)s.") % {"doubled": ", ".join(doubled)})
    return columns


def _languages(raw: str, form: dict[str, str], errors: dict[str, str]) -> None:
    """``Deutsch:C1; Englisch:B2`` → the form's ``language_i``/``level_i`` rows."""
    entries = [e for e in re.split(r"[;,\n]", raw) if e.strip()]
    if len(entries) > LANGUAGE_ROWS:
        errors["languages"] = _("Bitte nennen Sie höchstens %(max)s Sprachen.") % {"max": LANGUAGE_ROWS}
        return
    for i, entry in enumerate(entries):
        match = _LANGUAGE_ENTRY.match(entry)
        if match is None:
            errors["languages"] = _("Bitte geben Sie Sprache und Stufe an, z. B. „Deutsch:C1; Englisch:B2“.")
            return
        level = _LEVELS.get(match.group(2).lower())
        if level is None:
            errors["languages"] = _("Unbekannte Stufe „%(level)s“; erlaubt sind A1 bis C2 oder Muttersprache.") % {
                "level": match.group(2)
            }
            return
        form[f"language_{i}"] = match.group(1)
        form[f"level_{i}"] = level


def _choice(raw: str, lookup: dict[str, str], allowed: str, target: str, errors: dict[str, str]) -> str:
    if not raw.strip():
        return ""  # the shared validator says it is required
    value = lookup.get(_key(raw))
    if value is None:
        errors[target] = _("„%(value)s“ ist unbekannt. Erlaubt sind z. B.: %(allowed)s.") % {
            "value": raw.strip(),
            "allowed": allowed,
        }
        return ""
    return value


def _row_form(record: dict[str, str], errors: dict[str, str]) -> dict[str, str]:
    """Map one CSV record onto the single form's fields; problems of the CSV spelling go to ``errors``."""
    form: dict[str, str] = {}
    for column, raw in record.items():
        target = COLUMNS[column]
        if target == "languages":
            _languages(raw, form, errors)
        elif target == "qualification":
            form[target] = _choice(raw, _QUALIFICATIONS, QUALIFICATION_HINT, target, errors)
        elif target == "working_time":
            form[target] = _choice(raw, _WORKING_TIMES, WORKING_TIME_HINT, target, errors)
        else:
            form[target] = raw
    return form


def _column_of(form_field: str) -> str:
    if form_field.startswith(("language_", "level_")):
        form_field = "languages"
    return _FIELD_COLUMN.get(form_field, form_field)


def parse_transfer_csv(text: str) -> list[RowResult]:
    """Check every data row of an import with the single form's rules, plus duplicate addresses within the file.

    Raises:
        TransferCsvError: the file as a whole is unusable (no header, unknown or missing columns, too many rows).
    """
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise TransferCsvError(_("Die Datei ist leer."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    columns: list[str] | None = None
    results: list[RowResult] = []
    seen_emails: dict[str, int] = {}
    previous_end = 0
    try:
        for cells in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = _header(cells)
                continue
            if len(results) >= MAX_CSV_ROWS:
                raise TransferCsvError(
                    _("Die Datei hat mehr als %(max)s Zeilen. Bitte teilen Sie sie in mehrere Dateien auf.")
                    % {"max": MAX_CSV_ROWS}
                )
            results.append(_check_row(line, columns, cells, seen_emails))
    except csv.Error as exc:
        raise TransferCsvError(
            _("Die Datei ist keine gültige CSV-Datei (Zeile %(line)s).") % {"line": reader.line_num}
        ) from exc
    if columns is None or not results:
        raise TransferCsvError(_("Die Datei enthält keine Datenzeilen unter der Kopfzeile."))
    return results


def _check_row(line: int, columns: list[str], cells: list[str], seen_emails: dict[str, int]) -> RowResult:
    errors: list[str] = []
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        errors.append(
            _("Die Zeile hat mehr Werte (%(values)s) als die Kopfzeile Spalten (%(columns)s).")
            % {"values": len(cells), "columns": len(columns)}
        )
    record = {column: (cells[i] if i < len(cells) else "") for i, column in enumerate(columns) if column}
    spelling: dict[str, str] = {}
    form = _row_form(record, spelling)
    data, field_errors = validate_transfer_form(form)
    # A value the CSV spelling already rejected would get a second, less helpful message from the form rules.
    messages: dict[str, str] = {}
    for name, message in field_errors.items():
        messages.setdefault(_column_of(name), message)
    messages.update({_column_of(name): message for name, message in spelling.items()})
    errors.extend(_column_message(column, message) for column, message in messages.items())
    email = data.get("partner_email") or ""
    if email and "partner_email" not in field_errors:
        if email in seen_emails:
            message = _("Diese E-Mail-Adresse steht schon in Zeile %(line)s.") % {"line": seen_emails[email]}
            errors.append(_column_message("email", message))
        else:
            seen_emails[email] = line
    return RowResult(line=line, form=form, data=None if errors else data, errors=errors)


def _column_message(column: str, message: str) -> str:
    return _("Spalte „%(column)s“: %(message)s") % {"column": column, "message": message}


def mark_registered(rows: Iterable[RowResult], emails: set[str]) -> list[RowResult]:
    """Flag rows whose address already has a job-to-job profile of this member."""
    marked: list[RowResult] = []
    for row in rows:
        email = row.form.get("partner_email", "").strip().lower()
        if email and email in emails:
            errors = [*row.errors, _column_message("email", _(DUPLICATE_EMAIL))]
            marked.append(RowResult(line=row.line, form=row.form, data=None, errors=errors))
        else:
            marked.append(row)
    return marked


# --- signing the previewed file -------------------------------------------------------------------------------------


def _mac(settings: Settings, member_id: UUID, payload: str) -> str:
    message = f"transfer-import:{member_id}:{payload}".encode()
    return hmac.new(settings.security.secret_key.encode(), message, hashlib.sha256).hexdigest()


def sign_csv(settings: Settings, member_id: UUID, text: str) -> tuple[str, str]:
    """``(payload, signature)`` for the preview's hidden fields; bound to the member so no one else can post it."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return payload, _mac(settings, member_id, payload)


def unsign_csv(settings: Settings, member_id: UUID, payload: str, signature: str) -> str:
    """The previewed text, or ``TransferCsvError`` when the hidden fields were changed."""
    if not hmac.compare_digest(_mac(settings, member_id, payload).encode(), signature.encode()):
        raise TransferCsvError(_("Die Vorschau ist ungültig. Bitte laden Sie die Datei erneut hoch."))
    try:
        return base64.b64decode(payload, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:  # pragma: no cover - signed by us
        raise TransferCsvError(_("Die Vorschau ist ungültig. Bitte laden Sie die Datei erneut hoch.")) from exc


# --- registration ---------------------------------------------------------------------------------------------------


async def import_transfers(
    session: AsyncSession,
    settings: Settings,
    member: Member,
    rows: Iterable[RowResult],
    registered_by: MemberContact,
) -> list[Profile]:
    """Register every row of an error-free import (the caller checked; the request's transaction holds them all)."""
    profiles = []
    for row in rows:
        if row.data is None or row.errors:
            raise ValueError("import_transfers takes checked rows only")
        profiles.append(await register_transfer(session, settings, member, row.data, registered_by))
    log.info("job-to-job import: %d profile(s) for member %s", len(profiles), member.id)
    return profiles

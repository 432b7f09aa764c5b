"""Partner-profile forms: hand validation with translated messages, and the reverse mapping profile → form values.

The forms are posted as ``application/x-www-form-urlencoded`` or ``multipart/form-data`` (registration, because of the
CV) and read with ``request.form()``. Validators return ``(clean values, errors)``; clean values use the column names
of ``Profile`` so a service can apply them with ``setattr``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from litestar.datastructures import UploadFile

from jobfuerzwei.employers.models import Member
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.profiles.models import Profile, Qualification, WorkingTime
from jobfuerzwei.web.labels import LABELS

LANGUAGE_ROWS = 5
"""Rows of language + level on the form."""
MAX_OCCUPATIONS = 10
MAX_SKILLS = 30
MAX_MUNICIPALITIES = 20
MAX_RADIUS_KM = 200
MAX_EXPERIENCE_YEARS = 60
CEFR_LEVELS = tuple(LABELS["cefr"])
PDF_MAGIC = b"%PDF-"

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()/.-]{5,40}$")
_POSTCODE = re.compile(r"^[0-9]{5}$")
_SPLIT_LINES = re.compile(r"[\n;,]+")

PROFILE_FIELDS = (
    "recruiting_member_id",
    "partner_name",
    "partner_email",
    "partner_phone",
    "residence",
    "move_date",
    "occupations",
    "qualification",
    "experience_years",
    "summary",
    "skills",
    "languages",
    "working_time",
    "earliest_start",
    "work_municipalities",
    "work_postcode",
    "work_radius_km",
    "notes",
)
"""Keys of the clean dict of ``validate_profile_form`` (= ``Profile`` columns)."""


def form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The typed text values of a posted form, to show them again (uploaded files and the CSRF token left out)."""
    values: dict[str, str] = {}
    for key, value in form.items():
        if key == "_csrf_token" or isinstance(value, UploadFile):
            continue
        values[key] = value if isinstance(value, str) else str(value)
    return values


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    if not isinstance(value, str):
        return ""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _one_line(form: Mapping[str, Any], name: str) -> str:
    return " ".join(_text(form, name).split())


def _required(form: Mapping[str, Any], name: str, errors: dict[str, str], message: str, max_len: int) -> str:
    value = _one_line(form, name)
    if not value:
        errors[name] = message
    elif len(value) > max_len:
        errors[name] = _("Bitte höchstens %(max)s Zeichen eingeben.") % {"max": max_len}
    return value


def _email(form: Mapping[str, Any], name: str, errors: dict[str, str], missing: str) -> str:
    value = _one_line(form, name).lower()
    if not value:
        errors[name] = missing
    elif len(value) > 254 or not _EMAIL.match(value):
        errors[name] = _("Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. name@beispiel.de.")
    return value


def _date(form: Mapping[str, Any], name: str, errors: dict[str, str]) -> dt.date | None:
    raw = _one_line(form, name)
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            value = dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007  # a calendar date, no time zone
        except ValueError:
            continue
        if not 1900 <= value.year <= 2100:
            break
        return value
    errors[name] = _("Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ).")
    return None


def _int(
    form: Mapping[str, Any], name: str, errors: dict[str, str], *, low: int, high: int, message: str
) -> int | None:
    raw = _one_line(form, name)
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        errors[name] = message
        return None
    if not low <= value <= high:
        errors[name] = message
        return None
    return value


def _items(raw: str, pattern: re.Pattern[str]) -> list[str]:
    """Split a list field; drop empty entries and duplicates (case-insensitive), keep the order."""
    seen: set[str] = set()
    items: list[str] = []
    for part in pattern.split(raw):
        item = " ".join(part.split())
        if item and item.lower() not in seen:
            seen.add(item.lower())
            items.append(item)
    return items


def _list(
    form: Mapping[str, Any],
    name: str,
    errors: dict[str, str],
    *,
    max_items: int,
    max_len: int,
    too_many: str,
) -> list[str]:
    """A list field; ``too_many`` is the (translated) message for more than ``max_items`` entries."""
    items = _items(_text(form, name), _SPLIT_LINES)
    if len(items) > max_items:
        errors[name] = too_many
    elif any(len(i) > max_len for i in items):
        errors[name] = _("Ein Eintrag ist zu lang (höchstens %(max)s Zeichen je Eintrag).") % {"max": max_len}
    return items


def _languages(form: Mapping[str, Any], errors: dict[str, str]) -> list[dict[str, str]]:
    languages: list[dict[str, str]] = []
    seen: set[str] = set()
    for i in range(LANGUAGE_ROWS):
        name = _one_line(form, f"language_{i}")
        level = _one_line(form, f"level_{i}")
        if not name and not level:
            continue
        if not name:
            errors[f"language_{i}"] = _("Bitte nennen Sie die Sprache zu dieser Stufe.")
        elif len(name) > 60:
            errors[f"language_{i}"] = _("Bitte höchstens %(max)s Zeichen eingeben.") % {"max": 60}
        elif name.lower() in seen:
            errors[f"language_{i}"] = _("Diese Sprache ist schon angegeben.")
        if not level:
            errors[f"level_{i}"] = _("Bitte wählen Sie die Stufe für diese Sprache.")
        elif level not in CEFR_LEVELS:
            errors[f"level_{i}"] = _("Bitte wählen Sie eine Stufe aus der Liste.")
        if name and level in CEFR_LEVELS:
            seen.add(name.lower())
            languages.append({"language": name, "level": level})
    return languages


def _member_id(form: Mapping[str, Any], errors: dict[str, str], members: Iterable[Member]) -> UUID | None:
    raw = _one_line(form, "recruiting_member_id")
    if not raw:
        return None
    for member in members:
        if str(member.id) == raw:
            return member.id
    errors["recruiting_member_id"] = _("Bitte wählen Sie ein Mitglied aus der Liste oder „noch offen“.")
    return None


def validate_profile_form(
    form: Mapping[str, Any], *, members: Iterable[Member]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate the partner-profile fields (shared by registration, the partner's and the coordinator's correction).

    Args:
        form: the posted form (``request.form()``) or any mapping of field name → typed text.
        members: the members the recruiting-member select offered.

    Returns:
        ``(clean, errors)``: ``clean`` holds the ``PROFILE_FIELDS`` as typed values, ``errors`` maps a form field name
        to a message (in the current language). Use ``clean`` only when ``errors`` is empty.
    """
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {
        "recruiting_member_id": _member_id(form, errors, members),
        "partner_name": _required(
            form, "partner_name", errors, _("Bitte geben Sie den Namen Ihrer Partnerin bzw. Ihres Partners ein."), 200
        ),
        "partner_email": _email(
            form,
            "partner_email",
            errors,
            _("Bitte geben Sie die E-Mail-Adresse Ihrer Partnerin bzw. Ihres Partners ein."),
        ),
    }
    phone = _one_line(form, "partner_phone")
    if phone and not _PHONE.match(phone):
        errors["partner_phone"] = _("Bitte geben Sie eine Telefonnummer aus Ziffern ein, z. B. +49 7361 12345.")
    clean["partner_phone"] = phone
    clean["residence"] = _required(form, "residence", errors, _("Bitte geben Sie den derzeitigen Wohnort an."), 200)
    clean["move_date"] = _date(form, "move_date", errors)
    occupations = _list(
        form,
        "occupations",
        errors,
        max_items=MAX_OCCUPATIONS,
        max_len=100,
        too_many=_("Bitte nennen Sie höchstens %(max)s Wunschberufe.") % {"max": MAX_OCCUPATIONS},
    )
    if not occupations and "occupations" not in errors:
        errors["occupations"] = _("Bitte nennen Sie mindestens einen Wunschberuf.")
    clean["occupations"] = occupations
    qualification = _one_line(form, "qualification")
    if qualification not in {q.value for q in Qualification}:
        errors["qualification"] = _("Bitte wählen Sie den höchsten Abschluss aus der Liste.")
        clean["qualification"] = None
    else:
        clean["qualification"] = Qualification(qualification)
    years = _int(
        form,
        "experience_years",
        errors,
        low=0,
        high=MAX_EXPERIENCE_YEARS,
        message=_("Bitte geben Sie die Berufserfahrung in ganzen Jahren an (0 bis %(max)s).")
        % {"max": MAX_EXPERIENCE_YEARS},
    )
    clean["experience_years"] = years or 0
    summary = _text(form, "summary")
    if len(summary) > 2000:
        errors["summary"] = _("Bitte fassen Sie sich kürzer (höchstens 2.000 Zeichen).")
    clean["summary"] = summary
    clean["skills"] = _list(
        form,
        "skills",
        errors,
        max_items=MAX_SKILLS,
        max_len=60,
        too_many=_("Bitte nennen Sie höchstens %(max)s Kenntnisse.") % {"max": MAX_SKILLS},
    )
    clean["languages"] = _languages(form, errors)
    working_time = _one_line(form, "working_time")
    if working_time not in {w.value for w in WorkingTime}:
        errors["working_time"] = _("Bitte wählen Sie die gewünschte Arbeitszeit.")
        clean["working_time"] = None
    else:
        clean["working_time"] = WorkingTime(working_time)
    clean["earliest_start"] = _date(form, "earliest_start", errors)
    _work_area(form, errors, clean)
    notes = _text(form, "notes")
    if len(notes) > 2000:
        errors["notes"] = _("Bitte fassen Sie sich kürzer (höchstens 2.000 Zeichen).")
    clean["notes"] = notes
    return clean, errors


def _work_area(form: Mapping[str, Any], errors: dict[str, str], clean: dict[str, Any]) -> None:
    """Municipalities and/or a postcode with a radius; at least one of the two."""
    municipalities = _list(
        form,
        "work_municipalities",
        errors,
        max_items=MAX_MUNICIPALITIES,
        max_len=100,
        too_many=_("Bitte nennen Sie höchstens %(max)s Orte.") % {"max": MAX_MUNICIPALITIES},
    )
    postcode = _one_line(form, "work_postcode")
    radius = _int(
        form,
        "work_radius_km",
        errors,
        low=1,
        high=MAX_RADIUS_KM,
        message=_("Bitte geben Sie den Umkreis in ganzen Kilometern an (1 bis %(max)s).") % {"max": MAX_RADIUS_KM},
    )
    if postcode and not _POSTCODE.match(postcode):
        errors["work_postcode"] = _("Bitte geben Sie eine fünfstellige Postleitzahl ein.")
    elif postcode and radius is None and "work_radius_km" not in errors:
        errors["work_radius_km"] = _("Bitte geben Sie zur Postleitzahl einen Umkreis in Kilometern an.")
    elif radius is not None and not postcode:
        errors["work_postcode"] = _("Bitte geben Sie die Postleitzahl zum Umkreis an.")
    if not municipalities and not postcode and not _one_line(form, "work_radius_km"):
        errors["work_municipalities"] = _(
            "Bitte nennen Sie mindestens einen Ort oder eine Postleitzahl mit Umkreis, in dem gearbeitet werden kann."
        )
    clean["work_municipalities"] = municipalities
    clean["work_postcode"] = postcode
    clean["work_radius_km"] = radius


def validate_registration_form(
    form: Mapping[str, Any], *, members: Iterable[Member]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """Validate the whole registration form except the CV file.

    Returns:
        ``(profile, applicant, errors)``: the profile fields as in ``validate_profile_form``, the applicant's
        ``name`` and ``email``, and messages per form field.
    """
    members = list(members)
    errors: dict[str, str] = {}
    applicant = {
        "name": _required(form, "applicant_name", errors, _("Bitte geben Sie Ihren Namen ein."), 200),
        "email": _email(form, "applicant_email", errors, _("Bitte geben Sie Ihre E-Mail-Adresse ein.")),
    }
    profile, profile_errors = validate_profile_form(form, members=members)
    errors.update(profile_errors)
    if (
        "partner_email" not in errors
        and "applicant_email" not in errors
        and applicant["email"] == profile["partner_email"]
    ):
        errors["partner_email"] = _(
            "Die E-Mail-Adresse Ihrer Partnerin bzw. Ihres Partners muss sich von Ihrer eigenen unterscheiden: "
            "nur sie bzw. er selbst kann die Einwilligung geben."
        )
    if not form.get("applicant_consent"):
        errors["applicant_consent"] = _(
            "Bitte bestätigen Sie, dass Sie die Datenschutzhinweise gelesen haben und einwilligen."
        )
    return profile, applicant, errors


async def read_cv(value: Any, *, max_bytes: int) -> tuple[bytes | None, str | None]:
    """Read an optional CV upload and check it.

    Returns:
        ``(content, error)``: ``(None, None)`` when no file was chosen, the bytes of a valid PDF, or a message.
        The type is decided by the file's first bytes (``%PDF-``), never by its name or the browser's content type.
    """
    if not isinstance(value, UploadFile) or not value.filename:
        return None, None
    content = await value.read(max_bytes + 1)
    await value.close()
    if not content:
        return None, _("Die gewählte Datei ist leer. Bitte wählen Sie den Lebenslauf als PDF-Datei.")
    if len(content) > max_bytes:
        limit_mb = max_bytes / (1024 * 1024)
        return None, _("Der Lebenslauf ist zu groß. Bitte laden Sie eine PDF-Datei bis %(mb)s MB hoch.") % {
            "mb": f"{limit_mb:g}"
        }
    if not content.startswith(PDF_MAGIC):
        return None, _("Die Datei ist kein PDF. Bitte laden Sie den Lebenslauf als PDF-Datei hoch.")
    return content, None


def _date_value(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def profile_form_values(profile: Profile) -> dict[str, str]:
    """The form values of a stored profile (to prefill the correction form)."""
    values = {
        "recruiting_member_id": str(profile.recruiting_member_id) if profile.recruiting_member_id else "",
        "partner_name": profile.partner_name,
        "partner_email": profile.partner_email,
        "partner_phone": profile.partner_phone,
        "residence": profile.residence,
        "move_date": _date_value(profile.move_date),
        "occupations": ", ".join(profile.occupations),
        "qualification": str(profile.qualification),
        "experience_years": str(profile.experience_years),
        "summary": profile.summary,
        "skills": ", ".join(profile.skills),
        "working_time": str(profile.working_time),
        "earliest_start": _date_value(profile.earliest_start),
        "work_municipalities": "\n".join(profile.work_municipalities),
        "work_postcode": profile.work_postcode,
        "work_radius_km": str(profile.work_radius_km) if profile.work_radius_km is not None else "",
        "notes": profile.notes,
    }
    for i, entry in enumerate(profile.languages[:LANGUAGE_ROWS]):
        values[f"language_{i}"] = entry.get("language", "")
        values[f"level_{i}"] = entry.get("level", "")
    return values

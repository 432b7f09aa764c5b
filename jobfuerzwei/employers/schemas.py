"""Member form: parse and validate by hand, messages next to the fields (in the current language)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jobfuerzwei.employers.models import Member, Position
from jobfuerzwei.i18n import N_
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.web.labels import LABELS

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
POSTCODE_RE = re.compile(r"^\d{5}$")

NAME_TAKEN = N_("Es gibt bereits ein Mitglied mit diesem Namen.")
"""Member names are unique (compared case-insensitively); the coordinator's and the member's forms say so
(a German message id: translate where it is used)."""

MEMBER_FIELDS = ("name", "sector", "municipality", "postcode", "contact_emails", "interests")
"""Text fields of the member form (plus the checkbox ``is_active``)."""


@dataclass(frozen=True)
class MemberData:
    """Clean values of a valid member form."""

    name: str
    sector: str = ""
    municipality: str = ""
    postcode: str = ""
    contact_emails: list[str] = field(default_factory=list)
    interests: list[str] = field(default_factory=list)
    is_active: bool = True


def lines(value: str) -> list[str]:
    """Non-empty, stripped lines of a textarea, duplicates removed (first one wins, case-insensitive)."""
    seen: set[str] = set()
    result: list[str] = []
    for raw in value.splitlines():
        line = " ".join(raw.split())
        if line and line.casefold() not in seen:
            seen.add(line.casefold())
            result.append(line)
    return result


def is_valid_email(value: str) -> bool:
    """A plausible single mail address (no display name, no line breaks)."""
    return len(value) <= 254 and EMAIL_RE.match(value) is not None


def member_form_values(form: Mapping[str, Any]) -> dict[str, Any]:
    """The typed values as a plain dict, for re-rendering the form."""
    values: dict[str, Any] = {name: str(form.get(name) or "") for name in MEMBER_FIELDS}
    values["is_active"] = bool(form.get("is_active"))
    return values


def member_form_from(member: Member) -> dict[str, Any]:
    """Form values of an existing member (edit page)."""
    return {
        "name": member.name,
        "sector": member.sector,
        "municipality": member.municipality,
        "postcode": member.postcode,
        "contact_emails": "\n".join(member.contact_emails),
        "interests": member.interests,
        "is_active": member.is_active,
    }


def _single_line(value: str, *, max_len: int, too_long: str, errors: dict[str, str], name: str) -> str:
    """The value on one line; ``too_long`` (translated, with ``%(max)d``) in ``errors`` if it exceeds ``max_len``."""
    clean = " ".join(value.split())
    if len(clean) > max_len:
        errors[name] = too_long % {"max": max_len}
    return clean


def validate_member_form(form: Mapping[str, Any]) -> tuple[MemberData | None, dict[str, str]]:
    """Check the member form; return clean data (or ``None``) and ``errors: field -> message``."""
    values = member_form_values(form)
    errors: dict[str, str] = {}
    name = _single_line(
        values["name"],
        max_len=200,
        too_long=_("Der Name darf höchstens %(max)d Zeichen lang sein."),
        errors=errors,
        name="name",
    )
    if not name:
        errors["name"] = _("Bitte geben Sie den Namen des Mitglieds an.")
    sector = _single_line(
        values["sector"],
        max_len=120,
        too_long=_("Die Branche darf höchstens %(max)d Zeichen lang sein."),
        errors=errors,
        name="sector",
    )
    municipality = _single_line(
        values["municipality"],
        max_len=120,
        too_long=_("Der Ort darf höchstens %(max)d Zeichen lang sein."),
        errors=errors,
        name="municipality",
    )
    postcode = values["postcode"].strip()
    if postcode and not POSTCODE_RE.match(postcode):
        errors["postcode"] = _("Bitte geben Sie eine fünfstellige Postleitzahl an.")
    emails = [e.lower() for e in lines(values["contact_emails"])]
    bad = [e for e in emails if not is_valid_email(e)]
    if bad:
        errors["contact_emails"] = _("Keine gültige E-Mail-Adresse: %(addresses)s") % {"addresses": ", ".join(bad[:3])}
    elif not emails:
        errors["contact_emails"] = _("Bitte geben Sie mindestens eine Kontakt-E-Mail-Adresse an (eine pro Zeile).")
    interests = lines(values["interests"])
    if any(len(item) > 200 for item in interests):
        errors["interests"] = _("Jede Zeile darf höchstens 200 Zeichen lang sein.")
    if errors:
        return None, errors
    return (
        MemberData(
            name=name,
            sector=sector,
            municipality=municipality,
            postcode=postcode,
            contact_emails=list(dict.fromkeys(emails)),
            interests=interests,
            is_active=values["is_active"],
        ),
        {},
    )


POSITION_FIELDS = (
    "title",
    "skills",
    "languages",
    "working_time",
    "start_date",
    "postcode",
    "municipality",
    "description",
)
"""Fields of the position form."""

_LANGUAGE_RE = re.compile(
    r"^(?P<language>[^\d:]{2,60}?)\s*:?\s*(?P<level>A1|A2|B1|B2|C1|C2|Muttersprache)?$", re.IGNORECASE
)


@dataclass(frozen=True)
class PositionData:
    """Clean values of a valid position form."""

    title: str
    skills: list[str] = field(default_factory=list)
    languages: list[dict[str, str]] = field(default_factory=list)
    working_time: str = "either"
    start_date: dt.date | None = None
    postcode: str = ""
    municipality: str = ""
    description: str = ""


def comma_list(value: str) -> list[str]:
    """Comma- or line-separated items, stripped, duplicates removed (case-insensitive)."""
    return lines(value.replace(",", "\n").replace(";", "\n"))


def parse_languages(value: str) -> tuple[list[dict[str, str]], list[str]]:
    """``"Deutsch C1, Englisch B2"`` → language dicts; also returns the items it could not read."""
    result: list[dict[str, str]] = []
    bad: list[str] = []
    for item in comma_list(value):
        match = _LANGUAGE_RE.match(item)
        if match is None:
            bad.append(item)
            continue
        level = (match["level"] or "").upper()
        level = "native" if level == "MUTTERSPRACHE" else level
        result.append({"language": match["language"].strip(), "level": level})
    return result, bad


def new_position_form(member: Member) -> dict[str, str]:
    """Values of an empty position form: any working time, the workplace defaulting to the member's."""
    return {"working_time": "either", "postcode": member.postcode, "municipality": member.municipality}


def position_form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The typed values as a plain dict, for re-rendering the form."""
    return {name: str(form.get(name) or "") for name in POSITION_FIELDS}


def position_form_from(position: Position) -> dict[str, str]:
    """Form values of an existing position."""
    return {
        "title": position.title,
        "skills": ", ".join(position.skills),
        "languages": ", ".join(
            f"{entry.get('language', '')} {LABELS['cefr'].get(entry.get('level', ''), '')}".strip()
            for entry in position.languages
        ),
        "working_time": position.working_time,
        "start_date": position.start_date.isoformat() if position.start_date else "",
        "postcode": position.postcode,
        "municipality": position.municipality,
        "description": position.description,
    }


def validate_position_form(form: Mapping[str, Any]) -> tuple[PositionData | None, dict[str, str]]:
    """Check the position form; return clean data (or ``None``) and ``errors: field -> message``."""
    values = position_form_values(form)
    errors: dict[str, str] = {}
    title = _single_line(
        values["title"],
        max_len=200,
        too_long=_("Die Bezeichnung darf höchstens %(max)d Zeichen lang sein."),
        errors=errors,
        name="title",
    )
    if not title:
        errors["title"] = _("Bitte geben Sie die Bezeichnung der Stelle an.")
    skills = comma_list(values["skills"])
    if len(skills) > 30 or any(len(s) > 60 for s in skills):
        errors["skills"] = _("Bitte höchstens 30 Kenntnisse mit je höchstens 60 Zeichen angeben.")
    languages, bad = parse_languages(values["languages"])
    if bad:
        errors["languages"] = _(
            "Bitte Sprachen mit Stufe angeben, z. B. „Deutsch C1, Englisch B2“. Nicht lesbar: %(items)s"
        ) % {"items": ", ".join(bad[:3])}
    working_time = values["working_time"] or "either"
    if working_time not in LABELS["working_time"]:
        errors["working_time"] = _("Bitte wählen Sie eine Arbeitszeit aus der Liste.")
    start: dt.date | None = None
    if values["start_date"].strip():
        try:
            start = dt.date.fromisoformat(values["start_date"].strip())
        except ValueError:
            errors["start_date"] = _("Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ).")
    postcode = values["postcode"].strip()
    if postcode and not POSTCODE_RE.match(postcode):
        errors["postcode"] = _("Bitte geben Sie eine fünfstellige Postleitzahl an.")
    municipality = _single_line(
        values["municipality"],
        max_len=120,
        too_long=_("Der Ort darf höchstens %(max)d Zeichen lang sein."),
        errors=errors,
        name="municipality",
    )
    description = values["description"].strip()
    if len(description) > 4000:
        errors["description"] = _("Bitte fassen Sie sich kürzer (höchstens 4.000 Zeichen).")
    if errors:
        return None, errors
    return (
        PositionData(
            title=title,
            skills=skills,
            languages=languages,
            working_time=working_time,
            start_date=start,
            postcode=postcode,
            municipality=municipality,
            description=description,
        ),
        {},
    )

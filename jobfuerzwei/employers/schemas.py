"""Member form: parse and validate by hand, German messages next to the fields."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jobfuerzwei.employers.models import Member

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
POSTCODE_RE = re.compile(r"^\d{5}$")

MEMBER_FIELDS = ("name", "sector", "municipality", "postcode", "contact_emails", "interests", "open_positions")
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
    open_positions: list[str] = field(default_factory=list)
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
        "open_positions": member.open_positions,
        "is_active": member.is_active,
    }


def _single_line(value: str, *, max_len: int, label: str, errors: dict[str, str], name: str) -> str:
    clean = " ".join(value.split())
    if len(clean) > max_len:
        errors[name] = f"{label} darf höchstens {max_len} Zeichen lang sein."
    return clean


def validate_member_form(form: Mapping[str, Any]) -> tuple[MemberData | None, dict[str, str]]:
    """Check the member form; return clean data (or ``None``) and ``errors: field -> German message``."""
    values = member_form_values(form)
    errors: dict[str, str] = {}
    name = _single_line(values["name"], max_len=200, label="Der Name", errors=errors, name="name")
    if not name:
        errors["name"] = "Bitte geben Sie den Namen des Mitglieds an."
    sector = _single_line(values["sector"], max_len=120, label="Die Branche", errors=errors, name="sector")
    municipality = _single_line(
        values["municipality"], max_len=120, label="Der Ort", errors=errors, name="municipality"
    )
    postcode = values["postcode"].strip()
    if postcode and not POSTCODE_RE.match(postcode):
        errors["postcode"] = "Bitte geben Sie eine fünfstellige Postleitzahl an."
    emails = [e.lower() for e in lines(values["contact_emails"])]
    bad = [e for e in emails if not is_valid_email(e)]
    if bad:
        errors["contact_emails"] = "Keine gültige E-Mail-Adresse: " + ", ".join(bad[:3])
    elif not emails:
        errors["contact_emails"] = "Bitte geben Sie mindestens eine Kontakt-E-Mail-Adresse an (eine pro Zeile)."
    interests = lines(values["interests"])
    positions = lines(values["open_positions"])
    for key, items in (("interests", interests), ("open_positions", positions)):
        if any(len(item) > 200 for item in items):
            errors[key] = "Jede Zeile darf höchstens 200 Zeichen lang sein."
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
            open_positions=positions,
            is_active=values["is_active"],
        ),
        {},
    )

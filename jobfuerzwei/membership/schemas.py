"""The "Mitglied werden" form: hand validation with German messages next to the fields."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jobfuerzwei.employers.schemas import POSTCODE_RE, is_valid_email, lines

SIZES = {
    "1-9": "1–9 Beschäftigte",
    "10-49": "10–49",
    "50-249": "50–249",
    "250-999": "250–999",
    "1000+": "1.000 und mehr",
}
"""Company size classes (employees), as the EU defines SMEs plus one class for large employers."""

FIELDS = (
    "organisation",
    "sector",
    "size",
    "postcode",
    "municipality",
    "locations",
    "contact_name",
    "contact_email",
    "contact_phone",
    "offer",
    "interests",
)
_PHONE = re.compile(r"^\+?[0-9 ()/.-]{5,40}$")
_LIMITS = {
    "organisation": 200,
    "sector": 120,
    "municipality": 120,
    "contact_name": 200,
    "locations": 2000,
    "offer": 4000,
    "interests": 2000,
}


@dataclass(frozen=True)
class ApplicationData:
    """Clean values of a valid application (keys are ``MembershipApplication`` columns)."""

    values: dict[str, str]


def form_values(form: Mapping[str, Any]) -> dict[str, Any]:
    """The typed values, for re-rendering the form."""
    values: dict[str, Any] = {name: str(form.get(name) or "") for name in FIELDS}
    values["privacy"] = bool(form.get("privacy"))
    return values


def validate_application(form: Mapping[str, Any]) -> tuple[ApplicationData | None, dict[str, str]]:
    """Check the form; return clean values (or ``None``) and ``errors: field -> German message``."""
    raw = form_values(form)
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for name in FIELDS:
        value = raw[name].strip()
        if name not in ("locations", "offer", "interests"):
            value = " ".join(value.split())
        limit = _LIMITS.get(name)
        if limit and len(value) > limit:
            errors[name] = f"Bitte höchstens {limit} Zeichen eingeben."
        clean[name] = value
    if not clean["organisation"]:
        errors["organisation"] = "Bitte nennen Sie den Namen Ihrer Organisation."
    if not clean["contact_name"]:
        errors["contact_name"] = "Bitte nennen Sie eine Ansprechperson."
    clean["contact_email"] = clean["contact_email"].lower()
    if not is_valid_email(clean["contact_email"]):
        errors["contact_email"] = "Bitte geben Sie eine gültige E-Mail-Adresse an."
    if clean["contact_phone"] and not _PHONE.match(clean["contact_phone"]):
        errors["contact_phone"] = "Bitte geben Sie eine Telefonnummer mit Ziffern an, z. B. 07361 123456."
    if clean["postcode"] and not POSTCODE_RE.match(clean["postcode"]):
        errors["postcode"] = "Bitte geben Sie eine fünfstellige Postleitzahl an."
    if clean["size"] and clean["size"] not in SIZES:
        errors["size"] = "Bitte wählen Sie eine Größe aus der Liste."
    if not clean["offer"]:
        errors["offer"] = "Bitte beschreiben Sie kurz, was Sie Paaren bieten, die gemeinsam in die Region ziehen."
    clean["locations"] = "\n".join(lines(clean["locations"]))
    clean["interests"] = "\n".join(lines(clean["interests"]))
    if not raw["privacy"]:
        errors["privacy"] = "Bitte bestätigen Sie, dass Sie die Datenschutzhinweise gelesen haben."
    if errors:
        return None, errors
    return ApplicationData(values=clean), {}


def validate_reason(form: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """The reason for a declined application (mailed to the applicant)."""
    reason = str(form.get("reason") or "").strip()
    if not reason:
        return "", {"reason": "Bitte begründen Sie die Ablehnung; die Begründung geht per E-Mail an die Organisation."}
    if len(reason) > 2000:
        return reason, {"reason": "Bitte höchstens 2.000 Zeichen."}
    return reason, {}

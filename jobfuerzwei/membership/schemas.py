"""The "Mitglied werden" form: hand validation with messages next to the fields (in the current language)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jobfuerzwei.employers.schemas import POSTCODE_RE, is_valid_email, lines
from jobfuerzwei.i18n import N_
from jobfuerzwei.i18n import gettext as _

SIZES = {
    "1-9": N_("1–9 Beschäftigte"),
    "10-49": "10–49",
    "50-249": "50–249",
    "250-999": "250–999",
    "1000+": N_("1.000 und mehr"),
}
"""Company size classes (employees), as the EU defines SMEs plus one class for large employers (German message
ids: shown through ``size_labels``)."""


def size_labels() -> dict[str, str]:
    """``SIZES`` with their labels in the current language."""
    return {value: _(text) for value, text in SIZES.items()}


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
    """Check the form; return clean values (or ``None``) and ``errors: field -> message``."""
    raw = form_values(form)
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for name in FIELDS:
        value = raw[name].strip()
        if name not in ("locations", "offer", "interests"):
            value = " ".join(value.split())
        limit = _LIMITS.get(name)
        if limit and len(value) > limit:
            errors[name] = _("Bitte höchstens %(limit)d Zeichen eingeben.") % {"limit": limit}
        clean[name] = value
    if not clean["organisation"]:
        errors["organisation"] = _("Bitte nennen Sie den Namen Ihrer Organisation.")
    if not clean["contact_name"]:
        errors["contact_name"] = _("Bitte nennen Sie eine Ansprechperson.")
    clean["contact_email"] = clean["contact_email"].lower()
    if not is_valid_email(clean["contact_email"]):
        errors["contact_email"] = _("Bitte geben Sie eine gültige E-Mail-Adresse an.")
    if clean["contact_phone"] and not _PHONE.match(clean["contact_phone"]):
        errors["contact_phone"] = _("Bitte geben Sie eine Telefonnummer mit Ziffern an, z. B. 07361 123456.")
    if clean["postcode"] and not POSTCODE_RE.match(clean["postcode"]):
        errors["postcode"] = _("Bitte geben Sie eine fünfstellige Postleitzahl an.")
    if clean["size"] and clean["size"] not in SIZES:
        errors["size"] = _("Bitte wählen Sie eine Größe aus der Liste.")
    if not clean["offer"]:
        errors["offer"] = _("Bitte beschreiben Sie kurz, was Sie Paaren bieten, die gemeinsam in die Region ziehen.")
    clean["locations"] = "\n".join(lines(clean["locations"]))
    clean["interests"] = "\n".join(lines(clean["interests"]))
    if not raw["privacy"]:
        errors["privacy"] = _("Bitte bestätigen Sie, dass Sie die Datenschutzhinweise gelesen haben.")
    if errors:
        return None, errors
    return ApplicationData(values=clean), {}


def validate_reason(form: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """The reason for a declined application (mailed to the applicant)."""
    reason = str(form.get("reason") or "").strip()
    if not reason:
        return "", {
            "reason": _("Bitte begründen Sie die Ablehnung; die Begründung geht per E-Mail an die Organisation.")
        }
    if len(reason) > 2000:
        return reason, {"reason": _("Bitte höchstens 2.000 Zeichen.")}
    return reason, {}

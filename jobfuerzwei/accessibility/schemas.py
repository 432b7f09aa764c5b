"""The feedback form of the accessibility statement: hand validation with messages next to the fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jobfuerzwei.employers.schemas import is_valid_email
from jobfuerzwei.i18n import gettext as _

FIELDS = ("name", "email", "page", "message")
_LIMITS = {"name": 200, "email": 254, "page": 500, "message": 5000}


@dataclass(frozen=True)
class FeedbackData:
    """Clean values of a valid message about a barrier."""

    name: str
    email: str
    page: str
    message: str


def form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The typed values, for re-rendering the form."""
    return {name: str(form.get(name) or "") for name in FIELDS}


def validate_feedback(form: Mapping[str, Any]) -> tuple[FeedbackData | None, dict[str, str]]:
    """Check the form; return clean values (or ``None``) and ``errors: field -> message`` (current language)."""
    raw = form_values(form)
    clean = {name: raw[name].strip() if name == "message" else " ".join(raw[name].split()) for name in FIELDS}
    errors: dict[str, str] = {}
    for name, limit in _LIMITS.items():
        if len(clean[name]) > limit:
            errors[name] = _("Bitte höchstens %(max)s Zeichen eingeben.") % {"max": limit}
    if not clean["message"]:
        errors["message"] = _("Bitte beschreiben Sie die Barriere, auf die Sie gestoßen sind.")
    clean["email"] = clean["email"].lower()
    if clean["email"] and not is_valid_email(clean["email"]) and "email" not in errors:
        errors["email"] = _("Bitte geben Sie eine gültige E-Mail-Adresse an oder lassen Sie das Feld leer.")
    if errors:
        return None, errors
    return FeedbackData(**clean), {}

"""Form parsing for circulation pages (the values are checked again by the services)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from jobfuerzwei.circulation.models import Answer
from jobfuerzwei.i18n import gettext as _


def _values(form: Mapping[str, Any], name: str) -> list[str]:
    getall = getattr(form, "getall", None)
    if callable(getall):
        return [str(v) for v in getall(name, [])]
    value = form.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def parse_member_ids(form: Mapping[str, Any]) -> tuple[list[UUID], dict[str, str]]:
    """The ticked members (``member_id`` checkboxes); values that are not ids are ignored."""
    ids: dict[UUID, None] = {}  # ordered and without duplicates; a list scan would be quadratic for 1,000 members
    for raw in _values(form, "member_id"):
        try:
            ids[UUID(raw)] = None
        except ValueError:
            continue
    errors = {} if ids else {"member_id": _("Bitte wählen Sie mindestens ein Mitglied aus.")}
    return list(ids), errors


def parse_answer(value: str) -> Answer | None:
    """The answer of an ``/e/{token}/answer/{answer}`` link, or ``None`` for anything else."""
    try:
        return Answer(value)
    except ValueError:
        return None

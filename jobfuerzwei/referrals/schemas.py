"""Form validation for moving a referral (coordinator and employer pages)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.profiles.models import ProfileKind
from jobfuerzwei.referrals.models import CloseReason, ReferralState

MAX_NOTE = 2000


def parse_state(value: str | None) -> ReferralState | None:
    """A referral state from a query parameter; anything else is ``None`` (no filter)."""
    try:
        return ReferralState(value) if value else None
    except ValueError:
        return None


def parse_kind(value: str | None) -> ProfileKind | None:
    """A profile type from a query parameter; anything else is ``None`` (no filter)."""
    try:
        return ProfileKind(value) if value else None
    except ValueError:
        return None


def validate_move_form(form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean values ``to_state``, ``close_reason``, ``note`` plus errors (in the current language).

    Whether the step is allowed from the current state is the service's rule (``InvalidTransition``, 409): a form
    may be stale because someone else moved the referral meanwhile.
    """
    errors: dict[str, str] = {}
    raw_state = str(form.get("to_state") or "")
    to_state = parse_state(raw_state)
    if to_state is None:
        errors["to_state"] = _("Bitte wählen Sie einen der angebotenen nächsten Schritte.")
    close_reason: CloseReason | None = None
    raw_reason = str(form.get("close_reason") or "")
    if to_state == ReferralState.CLOSED:
        try:
            close_reason = CloseReason(raw_reason)
        except ValueError:
            errors["close_reason"] = _("Bitte geben Sie an, warum die Vermittlung abgeschlossen wird.")
    note = str(form.get("note") or "").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _("Die Notiz darf höchstens %(max)s Zeichen lang sein.") % {"max": MAX_NOTE}
    return {"to_state": to_state, "close_reason": close_reason, "note": note}, errors


def form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The typed values for re-rendering the form."""
    return {key: str(form.get(key) or "") for key in ("to_state", "close_reason", "note")}

"""The audit log page for the coordinator: who viewed, changed, circulated, exported or deleted which profile."""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.audit.models import AuditAction, AuditActor
from jobfuerzwei.audit.services import list_entries
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.web.auth import provide_staff
from jobfuerzwei.web.pages import page

PER_PAGE = 50
_REFERENCE = re.compile(r"^(?:JFZ-)?0*(\d{1,9})$", re.IGNORECASE)


def parse_reference(value: str) -> int | None:
    """A profile number from ``JFZ-0012``, ``jfz-12`` or ``12``; ``None`` for anything else."""
    match = _REFERENCE.match(value.strip())
    return int(match.group(1)) if match else None


class AuditController(Controller):
    """Protokoll: a filtered, paged list of audit entries (coordinators only; observers see no names)."""

    path = "/coordinator/audit"
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012  # Litestar's class attribute

    @get("/")
    async def list_audit(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        staff: NamedDependency[StaffUser],
        *,
        action: Annotated[str, QueryParameter(name="action")] = "",
        actor: Annotated[str, QueryParameter(name="actor")] = "",
        profile: Annotated[str, QueryParameter(name="profile")] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
    ) -> Template:
        """Newest first; filter by action, kind of actor and profile reference."""
        form = {"action": action, "actor": actor, "profile": profile}
        errors: dict[str, str] = {}
        chosen_action = AuditAction(action) if action in set(AuditAction) else None
        if action and chosen_action is None:
            errors["action"] = _("Unbekannte Aktion.")
        chosen_actor = AuditActor(actor) if actor in set(AuditActor) else None
        if actor and chosen_actor is None:
            errors["actor"] = _("Unbekannte Art von Beteiligten.")
        number = parse_reference(profile) if profile else None
        if profile and number is None:
            errors["profile"] = _("Bitte geben Sie eine Profilnummer wie JFZ-0012 an.")
        if errors:
            return page(
                request,
                "coordinator/audit.html",
                status_code=400,
                form=form,
                errors=errors,
                entries=[],
                total=0,
                page_number=1,
                pages=1,
                actions=list(AuditAction),
                actors=list(AuditActor),
            )
        entries, total = await list_entries(
            db_session,
            action=chosen_action,
            actor_kind=chosen_actor,
            profile_number=number,
            limit=PER_PAGE,
            offset=(page_number - 1) * PER_PAGE,
        )
        return page(
            request,
            "coordinator/audit.html",
            form=form,
            errors=errors,
            entries=entries,
            total=total,
            page_number=page_number,
            pages=max(1, -(-total // PER_PAGE)),
            actions=list(AuditAction),
            actors=list(AuditActor),
        )


controllers: list[type[Controller]] = [AuditController]

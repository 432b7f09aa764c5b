"""The public page /barrierefreiheit: the accessibility statement and its feedback form (rate-limited POST)."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.accessibility import services
from jobfuerzwei.accessibility.schemas import form_values, validate_feedback
from jobfuerzwei.config import Settings
from jobfuerzwei.web.pages import page, redirect

NO_STORE = CacheControlHeader(no_store=True)

STATEMENT_DATE = dt.date(2026, 11, 27)
"""When the statement was written and last reviewed (the axe-core test of every page and a keyboard test)."""


class AccessibilityController(Controller):
    """Erklärung zur Barrierefreiheit with the feedback channel BITV 2.0 § 7 requires."""

    path = "/barrierefreiheit"

    @get("/", cache_control=NO_STORE)
    async def show_statement(self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]) -> Template:
        """The statement with an empty feedback form."""
        return _statement(request, settings, form={}, errors={})

    @post("/", cache_control=NO_STORE)
    async def submit_feedback(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        """Send the message to the coordination, or show the form again with the typed values and German messages."""
        form = await request.form()
        data, errors = validate_feedback(form)
        if data is None:
            return _statement(request, settings, form=form_values(form), errors=errors, status_code=400)
        services.send_feedback(db_session, settings, data)
        return redirect("/barrierefreiheit#rueckmeldung", "accessibility_feedback_sent")


def _statement(
    request: Request[Any, Any, Any],
    settings: Settings,
    *,
    form: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "public/accessibility.html",
        status_code=status_code,
        form=form,
        errors=errors,
        statement_date=STATEMENT_DATE,
        contact_address=parseaddr(settings.mail.accessibility_recipient)[1],
    )


controllers = [AccessibilityController]

"""Page helpers shared by the controllers: render a template with the common context, redirect with a message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request
from litestar.response import File, Redirect, Template

from jobfuerzwei.errors import NotFound
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.web.flash import clear_flash, flash, pop_flash


def page(request: Request[Any, Any, Any], template: str, *, status_code: int = 200, **context: Any) -> Template:
    """Render ``template`` with the flash message and the logged-in coordinator or member contact in the context."""
    message = pop_flash(request)
    context.setdefault("flash_message", message)
    context.setdefault("staff", request.scope.get("state", {}).get("staff"))
    context.setdefault("contact", request.scope.get("state", {}).get("contact"))
    response = Template(template_name=template, context=context, status_code=status_code)
    if message:
        clear_flash(response)
    return response


def redirect(path: str, message: str | None = None) -> Redirect:
    """A 303 redirect (form POST → GET), optionally with a flash message key."""
    response = Redirect(path=path, status_code=303)
    if message:
        flash(response, message)
    return response


def cv_download(path: Path | None, reference: str, missing: str) -> File:
    """A stored CV as an attachment (never rendered inline), or ``NotFound`` with the ``missing`` text (translated)."""
    if path is None or not path.is_file():
        raise NotFound(missing)
    return File(
        path=path,
        filename=_("Lebenslauf-%(reference)s.pdf") % {"reference": reference},
        media_type="application/pdf",
        content_disposition_type="attachment",
        headers={"Cache-Control": "no-store"},
    )

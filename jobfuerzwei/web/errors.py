"""Error pages: domain errors and HTTP errors become pages in the user's language; details never leak."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE

from jobfuerzwei.db.engine import is_database_unavailable
from jobfuerzwei.errors import DomainError
from jobfuerzwei.i18n import COOKIE, N_, gettext, set_language

log = logging.getLogger("jobfuerzwei.web")

_TITLES = {
    400: N_("Ungültige Anfrage"),
    403: N_("Zugriff verweigert"),
    404: N_("Seite nicht gefunden"),
    405: N_("Methode nicht erlaubt"),
    409: N_("Nicht möglich"),
    410: N_("Link nicht mehr gültig"),
    413: N_("Datei zu groß"),
    429: N_("Zu viele Anfragen"),
    500: N_("Interner Fehler"),
    503: N_("Vorübergehend nicht erreichbar"),
}
_TEXTS = {
    403: N_(
        "Sie haben keinen Zugriff auf diese Seite, oder Ihr Formular ist abgelaufen. "
        "Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."
    ),
    404: N_("Die angeforderte Seite gibt es nicht (mehr)."),
    413: N_("Die Anfrage ist zu groß. Lebensläufe dürfen höchstens 5 MB groß sein."),
    429: N_("Sie haben zu viele Anfragen in kurzer Zeit gestellt. Bitte warten Sie eine Minute."),
    500: N_("Es ist ein Fehler aufgetreten. Bitte versuchen Sie es später noch einmal."),
    503: N_(
        "Die Datenbank ist gerade nicht erreichbar, zum Beispiel wegen Wartungsarbeiten. Falls Sie ein Formular "
        "abgeschickt haben, wurde es nicht gespeichert. Bitte versuchen Sie es in einer Minute noch einmal."
    ),
}
"""German titles and texts (message ids), translated in ``_render`` once the request's language is set."""
_FALLBACK_TITLE = N_("Fehler")
_FALLBACK_TEXT = N_("Die Anfrage konnte nicht verarbeitet werden.")

RETRY_AFTER_SECONDS = 30
"""Sent with a 503 while the database is unreachable (a restart takes seconds)."""


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    return (
        request.url.path.startswith(("/schema", "/healthz", "/api/"))
        or "application/json" in request.headers.get("accept", "").split(",")[0]
    )


def _render(request: Request[Any, Any, Any], status: int, message: str) -> Response[Any]:
    """The error page (or JSON) in the request's language.

    ``message`` is a German message id (translated here) or a text a raise site already translated (unchanged by a
    second lookup); so a module-level message marked with ``N_`` is translated too.
    """
    # A 404 of an unknown path never passes the language middleware (it runs for matched routes only).
    set_language(request.cookies.get(COOKIE))
    message = gettext(message) if message else message
    if _wants_json(request):
        return Response(content={"status_code": status, "detail": message}, status_code=status)
    return Template(
        template_name="errors/error.html",
        context={
            "status": status,
            "title": gettext(_TITLES.get(status, _FALLBACK_TITLE)),
            "message": message,
            "staff": None,
            "flash_message": None,
        },
        status_code=status,
    )


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """Render a domain error with its message (translated at the raise site, or here if marked with ``N_``)."""
    return _render(request, exc.status_code, exc.message or _TEXTS.get(exc.status_code, ""))


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Render framework errors (404, CSRF 403, 413, 429, validation 400) as pages."""
    status = exc.status_code
    text = _TEXTS.get(status) or _FALLBACK_TEXT
    if isinstance(exc, NotFoundException):
        text = _TEXTS[404]
    elif isinstance(exc, PermissionDeniedException):
        text = _TEXTS[403]
    response = _render(request, status, text)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


_TOKEN_IN_PATH = re.compile(r"^/(confirm|status|e|portal/password|mail/unsubscribe/[0-9a-f-]+|rsvp/[0-9a-f-]+)/[^/]+")


def redact_path(path: str) -> str:
    """The path with the capability token of a mailed link replaced (a token in a log is a key in a log)."""
    return _TOKEN_IN_PATH.sub(r"/\1/<token>", path)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Log the exception and the path without its token; no request data (it may carry personal data).

    An unreachable database (restart, failover) is no bug: a 503 page with ``Retry-After`` and one log line.
    """
    if is_database_unavailable(exc):
        path = redact_path(request.url.path)
        log.warning("database unavailable (%s) on %s %s", type(exc).__name__, request.method, path)
        response = _render(request, HTTP_503_SERVICE_UNAVAILABLE, _TEXTS[503])
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, redact_path(request.url.path), exc_info=exc)
    return _render(request, HTTP_500_INTERNAL_SERVER_ERROR, _TEXTS[500])

"""Security headers, client address (X-Forwarded-For only from trusted proxies) and the rate-limit predicate."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders, ResponseHeader
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from jobfuerzwei.errors import DomainError
from jobfuerzwei.i18n import N_, gettext

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def security_headers() -> list[ResponseHeader]:
    """Headers on every response."""
    return [
        ResponseHeader(name="Content-Security-Policy", value=CSP),
        ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
        ResponseHeader(name="Referrer-Policy", value="no-referrer"),
        ResponseHeader(name="X-Frame-Options", value="DENY"),
        ResponseHeader(name="Permissions-Policy", value="camera=(), microphone=(), geolocation=()"),
        ResponseHeader(name="Cross-Origin-Opener-Policy", value="same-origin"),
    ]


_HEADER_PAIRS = tuple((h.name.lower(), h.value or "") for h in security_headers())


async def add_security_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: the security headers on every response, also those that bypass the route handlers.

    ``response_headers`` reach only handler responses; 404/405 from the router, the CSRF 403, 413, 429, the Host
    check's 400 and static files are sent without them. A header a response sets itself is kept.
    """
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in _HEADER_PAIRS:
        if name not in headers:
            headers[name] = value


def client_address(connection: ASGIConnection, trusted_proxies: Iterable[str]) -> str:  # type: ignore[type-arg]
    """The peer address; the last X-Forwarded-For hop only when the peer is a configured proxy."""
    peer = connection.client.host if connection.client else "unknown"
    if peer in set(trusted_proxies):
        forwarded = connection.headers.get("x-forwarded-for", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]
    return peer


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""C0 control characters and DEL; tab, line feed and carriage return (text areas) pass."""
CONTROL_MESSAGE = N_(
    "Ihre Eingabe enthält unzulässige Steuerzeichen (zum Beispiel ein Nullzeichen). "
    "Bitte entfernen Sie diese und versuchen Sie es noch einmal."
)


async def reject_control_characters(request: Request) -> None:  # type: ignore[type-arg]
    """``before_request`` hook: a clear 400 for control characters in the query or a form field.

    PostgreSQL refuses NUL in text (the request would end in a 500, and SQLite would store it); no field here has a
    use for the others. Uploaded files are not text and are not checked here.
    """
    texts = [*request.query_params.keys(), *request.query_params.values()]
    if request.method == "POST" and request.content_type[0] in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for key, value in (await request.form()).multi_items():
            texts.append(key)
            if isinstance(value, str):
                texts.append(value)
    if any(_CONTROL.search(text) for text in texts):
        raise DomainError(gettext(CONTROL_MESSAGE))


RATE_LIMITED_PATHS = (
    "/register",
    "/join",
    "/coordinator/login",
    "/portal/login",
    "/portal/login/code",
    "/portal/password/forgot",
    "/barrierefreiheit",
)


async def is_rate_limited_request(request: Request) -> bool:  # type: ignore[type-arg]
    """Only POSTs to the public form and the login count towards the per-address limit.

    Async: Litestar would run a plain function in a worker thread, on every request.
    """
    return request.method == "POST" and request.url.path in RATE_LIMITED_PATHS


def host_check_middleware(allowed_hosts: Iterable[str]) -> Callable[[ASGIApp], ASGIApp]:
    """Answer 400 to a ``Host`` header whose name (port ignored) is not allowed.

    Litestar's own allowed-hosts check compares the whole header, port included, so "127.0.0.1:8000" would need
    an entry per port; links are never built from the Host header here, this check is defence in depth.
    """
    allowed = {h.lower() for h in allowed_hosts}
    wildcard = "*" in allowed
    suffixes = tuple(h[1:] for h in allowed if h.startswith("*."))

    def middleware(app: ASGIApp) -> ASGIApp:
        async def check(scope: Scope, receive: Receive, send: Send) -> None:
            if wildcard or scope["type"] not in ("http", "websocket"):
                await app(scope, receive, send)
                return
            host = ""
            for key, value in scope.get("headers", []):
                if key == b"host":
                    host = value.decode("latin-1").lower()
                    break
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            name = name.strip("[]")
            if name in allowed or (suffixes and name.endswith(suffixes)):
                await app(scope, receive, send)
                return
            response = ASGIResponse(body=b"invalid host header", status_code=400, media_type="text/plain")
            await response(scope, receive, send)

        return check

    return middleware

"""Security headers, client address (X-Forwarded-For only from trusted proxies) and the rate-limit predicate."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import ResponseHeader
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Receive, Scope, Send

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


def client_address(connection: ASGIConnection, trusted_proxies: Iterable[str]) -> str:  # type: ignore[type-arg]
    """The peer address; the last X-Forwarded-For hop only when the peer is a configured proxy."""
    peer = connection.client.host if connection.client else "unknown"
    if peer in set(trusted_proxies):
        forwarded = connection.headers.get("x-forwarded-for", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]
    return peer


RATE_LIMITED_PATHS = (
    "/register",
    "/join",
    "/coordinator/login",
    "/portal/login",
    "/portal/login/code",
    "/portal/password/forgot",
)


def is_rate_limited_request(request: Request) -> bool:  # type: ignore[type-arg]
    """Only POSTs to the public form and the login count towards the per-address limit."""
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

"""Security headers, client address (X-Forwarded-For only from trusted proxies) and the rate-limit predicate."""

from __future__ import annotations

from collections.abc import Iterable

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import ResponseHeader

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


RATE_LIMITED_PATHS = ("/register", "/coordinator/login")


def is_rate_limited_request(request: Request) -> bool:  # type: ignore[type-arg]
    """Only POSTs to the public form and the login count towards the per-address limit."""
    return request.method == "POST" and request.url.path in RATE_LIMITED_PATHS

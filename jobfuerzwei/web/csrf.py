"""CSRF tokens that expire: Litestar's double-submit check, with the time of issue inside the signed token.

Litestar's token is ``secret + HMAC(secret)`` in a cookie, compared with the copy a form or header sends back; it
never expires and lives as long as the browser keeps the cookie. Here the secret's first eight hex digits are the
time it was issued (the rest stays random, 224 bits), so the same HMAC covers it:

- a token older than ``max_age`` fails like a wrong one (403, "Ihr Formular ist abgelaufen" on the error page);
- a page fetched (GET/HEAD) with a token older than half of ``max_age`` gets a new one, so a form on a fresh page has
  at least half the lifetime left. Only then does the cookie change: forms open in other tabs keep working until
  that moment (the double-submit check needs cookie and form to carry the same token).

Everything else (which methods are safe, the exclusions, the form field and header names) is Litestar's.
"""

from __future__ import annotations

import secrets
import time

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware.csrf import CSRF_SECRET_BYTES, CSRFMiddleware, generate_csrf_hash
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.types.empty import Empty
from litestar.utils.scope.state import ScopeState

_STAMP_DIGITS = 8
"""Hex digits of the issue time (seconds since 1970) at the start of the secret."""


def now() -> float:
    """The clock of the tokens (tests move it)."""
    return time.time()


def issue_token(secret: str, now: float) -> str:
    """A signed token carrying its time of issue."""
    stamp = f"{int(now) & 0xFFFFFFFF:0{_STAMP_DIGITS}x}"
    token_secret = stamp + secrets.token_hex(CSRF_SECRET_BYTES - _STAMP_DIGITS // 2)
    return token_secret + generate_csrf_hash(token=token_secret, secret=secret)


def issued_at(token_secret: str) -> int | None:
    """The time of issue in a token's secret part (None if it has none)."""
    try:
        return int(token_secret[:_STAMP_DIGITS], 16)
    except ValueError:
        return None


class ExpiringCSRFMiddleware(CSRFMiddleware):
    """``CSRFMiddleware`` whose tokens expire after ``max_age`` seconds (see the module doc)."""

    def __init__(self, app: ASGIApp, config: CSRFConfig, max_age: float) -> None:
        super().__init__(app, config)
        self.max_age = max_age

    def _age(self, token_secret: str) -> float | None:
        stamp = issued_at(token_secret)
        return None if stamp is None else now() - stamp

    def _decode_csrf_token(self, token: str) -> str | None:
        token_secret = super()._decode_csrf_token(token)
        if token_secret is None:
            return None
        age = self._age(token_secret)
        # a token from the future is as wrong as an old one (clock skew of a few seconds is fine)
        return token_secret if age is not None and -60 <= age <= self.max_age else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand a safe request with a missing, expired or ageing cookie a fresh token, then check as Litestar does."""
        if scope["type"] == ScopeType.HTTP and scope.get("method", "GET") in self.config.safe_methods:
            current = scope_cookie(scope, self.config.cookie_name)
            decoded = self._decode_csrf_token(current) if current else None
            age = self._age(decoded) if decoded else None
            if age is None or age > self.max_age / 2:
                fresh = issue_token(self.config.secret, now())
                scope = _with_cookie(scope, self.config.cookie_name, fresh)
                send = self._sending_cookie(send, fresh)
        await super().__call__(scope, receive, send)

    def _sending_cookie(self, send: Send, token: str) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                cookie = Cookie(
                    key=self.config.cookie_name,
                    value=token,
                    path=self.config.cookie_path,
                    secure=self.config.cookie_secure,
                    httponly=self.config.cookie_httponly,
                    samesite=self.config.cookie_samesite,
                    domain=self.config.cookie_domain,
                )
                headers.add("set-cookie", cookie.to_header(header=""))
            await send(message)

        return wrapped


def scope_cookie(scope: Scope, name: str) -> str | None:
    """A cookie's value read from the raw headers (middleware that runs before Litestar parses the request)."""
    for key, value in scope.get("headers", ()):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                cookie_name, _, content = part.strip().partition("=")
                if cookie_name == name:
                    return content
    return None


def _with_cookie(scope: Scope, name: str, value: str) -> Scope:
    """``scope`` with ``name=value`` in its Cookie header instead of any earlier value (changed in place).

    The request's parsed headers and cookies are cached in Litestar's connection state: they are reset, so the
    check and the page (its ``csrf_input``) read the new token.
    """
    headers = []
    parts = [f"{name}={value}"]
    for key, raw in scope.get("headers", ()):
        if key == b"cookie":
            parts += [p.strip() for p in raw.decode("latin-1").split(";") if p.strip().partition("=")[0] != name]
        else:
            headers.append((key, raw))
    headers.append((b"cookie", "; ".join(parts).encode("latin-1")))
    scope["headers"] = headers
    state = ScopeState.from_scope(scope)
    state.headers = Empty
    state.cookies = Empty
    return scope

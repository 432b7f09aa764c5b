"""Whole pages kept until the data changes: the results dashboard and the portal inbox at national size.

A page whose content follows only from the tracked tables (``db.changes``), its path and query, the language and the
``key`` the caller gives (who is looking, as far as the page shows it) is rendered once per data version and served
again until a write to a tracked table moves the version on, or until the page's own ``until`` passes (an answer
window closes). A request that finds its page kept reads nothing but the data version, which comes with the login
in the same statement (``web.auth.provide_viewer_reading``): no figures, no inbox queries, no template rendering.

What differs per browser stays out of the kept copy:

- the CSRF token: the page is rendered with a marker in its place, and each response gets its own token;
- a one-shot flash message: a request that carries one renders the page as usual (and shows it once).

A browser that accepts gzip (every browser does) gets the kept copy compressed once per version: the parts between
the CSRF markers are compressed ahead, each response's token goes in between as a stored (uncompressed) deflate
block, and only the checksum is computed per response. The dashboard goes out as about 8 kB instead of 45 kB.

The kept copies live in the app process (one cache per database engine, least recently used dropped beyond
``SIZE`` pages); a second app process keeps its own.
"""

from __future__ import annotations

import datetime as dt
import html
import secrets
import struct
import weakref
import zlib
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, cast

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.utils.scope.state import ScopeState
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.changes import VersionedCache, per_engine
from jobfuerzwei.i18n import current_language
from jobfuerzwei.web.flash import has_flash
from jobfuerzwei.web.pages import page

SIZE = 256
"""Pages kept per database (a dashboard page is about 45 kB, an inbox page about 30 kB)."""

_MARK = "csrf-" + secrets.token_hex(16)
"""Stands for the CSRF token in a kept page (random per process: no page text can contain it by chance)."""


@dataclass(frozen=True)
class Content:
    """What ``build`` returns: the template's context, and until when the page holds apart from the data."""

    context: dict[str, Any]
    until: dt.datetime | None = None
    status_code: int = 200


@dataclass(frozen=True)
class _Kept:
    parts: tuple[bytes, ...]
    """The page in UTF-8, split where the CSRF token goes."""
    deflated: tuple[bytes, ...]
    """Each part compressed (raw deflate, ending on a byte boundary; the last part ends the stream)."""
    until: dt.datetime | None
    status_code: int

    @classmethod
    def of(cls, page_html: str, until: dt.datetime | None, status_code: int) -> _Kept:
        parts = tuple(part.encode() for part in page_html.split(_MARK))
        deflated = []
        for i, part in enumerate(parts):
            compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
            last = i == len(parts) - 1
            deflated.append(compressor.compress(part) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
        return cls(parts, tuple(deflated), until, status_code)

    def body(self, token: bytes) -> bytes:
        """The page with ``token`` in each marker's place."""
        return token.join(self.parts)

    def gzip(self, token: bytes) -> bytes:
        """``body(token)`` as a gzip member, from the parts compressed ahead."""
        stored = b"\x00" + struct.pack("<HH", len(token), len(token) ^ 0xFFFF) + token  # a non-final stored block
        crc = 0
        for i, part in enumerate(self.parts):
            if i:
                crc = zlib.crc32(token, crc)
            crc = zlib.crc32(part, crc)
        size = sum(map(len, self.parts)) + len(token) * (len(self.parts) - 1)
        return b"".join((_GZIP_HEADER, stored.join(self.deflated), struct.pack("<II", crc, size & 0xFFFFFFFF)))


_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
"""A gzip member's header: deflate, no flags, no time, unknown system (RFC 1952)."""


def accepts_gzip(request: Request[Any, Any, Any]) -> bool:
    """Whether the request's ``Accept-Encoding`` allows gzip (``gzip;q=0`` does not, nor does a ``*;q=0`` alone)."""
    header = request.headers.get("accept-encoding", "")
    weights = {}
    for item in header.lower().split(","):
        name, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[name.strip()] = q
    return weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0))) > 0


_VERSION = "jfz_data_version"


def hand_on_version(request: Request[Any, Any, Any], version: int | None) -> None:
    """Keep the data version the login read (``web.auth``) for this request's ``kept_page``."""
    if version is not None:
        request.scope.setdefault("state", {})[_VERSION] = version


def _read_version(request: Request[Any, Any, Any]) -> int | None:
    """The version the login read (``hand_on_version``); ``None``: read it anew."""
    handed: int | None = request.scope.get("state", {}).pop(_VERSION, None)
    if request.method not in {"GET", "HEAD"}:
        return None  # something may have been written since
    return handed


_caches: weakref.WeakKeyDictionary[Engine, VersionedCache[_Kept]] = weakref.WeakKeyDictionary()


def kept_pages(bound: AsyncSession | AsyncEngine) -> VersionedCache[_Kept]:
    """The page cache of a session's or an engine's database (tests read its ``computed`` count)."""
    return per_engine(_caches, bound, lambda: VersionedCache(SIZE))


async def kept_page(
    request: Request[Any, Any, Any],
    sessions: async_sessionmaker[AsyncSession],
    template: str,
    *,
    key: Hashable,
    build: Callable[[AsyncSession], Awaitable[Content]],
) -> Response[bytes] | Template:
    """``template`` rendered with ``build``'s context, from the kept copy while the data and ``until`` hold.

    ``key`` must name everything else the page depends on (the viewer's role, the member and the contact's name as
    the page shows them); the path, the query and the language are added here. Only for pages that are read (GET):
    the data version the login read serves, and nothing may have been written since. A session from ``sessions``
    is opened only to build the page: a request that finds it kept needs none.
    """
    if has_flash(request):
        async with sessions() as session:
            content = await build(session)
        return page(request, template, status_code=content.status_code, **content.context)
    state = request.scope.get("state", {})

    async def render(s: AsyncSession) -> _Kept:
        content = await build(s)
        context = {
            "flash_message": None,
            "staff": state.get("staff"),
            "contact": state.get("contact"),
            **content.context,
            "request": request,
            "csrf_input": f'<input type="hidden" name="_csrf_token" value="{_MARK}" />',
        }
        engine = cast("JinjaTemplateEngine", request.app.template_engine)
        return _Kept.of(engine.engine.get_template(template).render(**context), content.until, content.status_code)

    full_key = (template, key, current_language(), request.url.path, request.url.query)
    version = _read_version(request)
    cache = kept_pages(sessions.kw["bind"])

    def fresh(kept: _Kept) -> bool:
        return kept.until is None or kept.until > utcnow()

    kept = cache.peek(full_key, version, fresh)
    if kept is None:
        async with sessions() as session:
            kept = await cache.get(session, full_key, render, fresh=fresh, version=version)
    token = ScopeState.from_scope(request.scope).csrf_token
    token_bytes = html.escape(token if isinstance(token, str) else "").encode()
    if len(token_bytes) > 0xFFFF:
        raise ValueError("a CSRF token does not fit a stored deflate block")  # 128 characters in practice
    headers = {"Vary": "Accept-Encoding"}
    if accepts_gzip(request):
        headers["Content-Encoding"] = "gzip"
        body = kept.gzip(token_bytes)
    else:
        body = kept.body(token_bytes)
    return Response(content=body, media_type=MediaType.HTML, status_code=kept.status_code, headers=headers)

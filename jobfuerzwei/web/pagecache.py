"""Whole pages kept until the data changes: the results dashboard and the portal inbox at national size.

A page whose content follows only from the tracked tables (``db.changes``), its path and query, the language and the
``key`` the caller gives (who is looking, as far as the page shows it) is rendered once per data version and served
again until a write to a tracked table moves the version on, or until the page's own ``until`` passes (an answer
window closes). A request that finds its page kept reads nothing but the data version, which comes with the login
in the same statement (``web.auth.provide_viewer_reading``): no figures, no inbox queries, no template rendering.

What differs per browser stays out of the kept copy:

- the CSRF token: the page is rendered with a marker in its place, and each response gets its own token;
- a one-shot flash message: a request that carries one renders the page as usual (and shows it once).

The kept copies live in the app process (one cache per database engine, least recently used dropped beyond
``SIZE`` pages); a second app process keeps its own.
"""

from __future__ import annotations

import datetime as dt
import html
import secrets
import weakref
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, cast

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.utils.scope.state import ScopeState
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.changes import VersionedCache, noted_version, per_engine
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
    html: str
    until: dt.datetime | None
    status_code: int


_VERSION = "jfz_data_version"


def hand_on_version(request: Request[Any, Any, Any], session: AsyncSession) -> None:
    """Keep the version the login read in ``session`` for this request's ``kept_page`` (another session)."""
    version = noted_version(session)
    if version is not None:
        request.scope.setdefault("state", {})[_VERSION] = version


def _read_version(request: Request[Any, Any, Any]) -> int | None:
    """The version the login read (``hand_on_version``); ``None``: read it anew."""
    handed: int | None = request.scope.get("state", {}).pop(_VERSION, None)
    if request.method not in {"GET", "HEAD"}:
        return None  # something may have been written since
    return handed


_caches: weakref.WeakKeyDictionary[Engine, VersionedCache[_Kept]] = weakref.WeakKeyDictionary()


def kept_pages(session: AsyncSession) -> VersionedCache[_Kept]:
    """The page cache of the session's database (tests read its ``computed`` count)."""
    return per_engine(_caches, session, lambda: VersionedCache(SIZE))


async def kept_page(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    template: str,
    *,
    key: Hashable,
    build: Callable[[AsyncSession], Awaitable[Content]],
) -> Response[str] | Template:
    """``template`` rendered with ``build``'s context, from the kept copy while the data and ``until`` hold.

    ``key`` must name everything else the page depends on (the viewer's role, the member and the contact's name as
    the page shows them); the path, the query and the language are added here. Only for pages that are read (GET):
    the data version the login read serves, and nothing may have been written since.
    """
    if has_flash(request):
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
        return _Kept(engine.engine.get_template(template).render(**context), content.until, content.status_code)

    full_key = (template, key, current_language(), request.url.path, request.url.query)
    version = _read_version(request)
    kept = await kept_pages(session).get(
        session,
        full_key,
        render,
        fresh=lambda k: k.until is None or k.until > utcnow(),
        version=version,
    )
    token = ScopeState.from_scope(request.scope).csrf_token
    body = kept.html.replace(_MARK, html.escape(token if isinstance(token, str) else ""))
    return Response(content=body, media_type=MediaType.HTML, status_code=kept.status_code)

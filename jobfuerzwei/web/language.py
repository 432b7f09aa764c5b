"""The language of a request and the switch in the header of every page.

German is the default. The switch (``GET /sprache/{code}?next=…``) stores the choice in the ``jfz_lang`` cookie
for a year and goes back to the page it came from; for a logged-in coordinator or portal user it also becomes the
language of their mails. No CSRF token: a forged switch only changes someone's display language. Pages and error
messages follow the cookie; mails follow the language stored for their recipient (see ``jobfuerzwei.i18n``).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.employers import accounts
from jobfuerzwei.i18n import COOKIE, LANGUAGES, use_language
from jobfuerzwei.staff import services as staff_services
from jobfuerzwei.web.auth import PORTAL_COOKIE, SESSION_COOKIE, safe_next
from jobfuerzwei.web.csrf import scope_cookie

YEAR = 365 * 24 * 3600


def language_middleware(app: ASGIApp) -> ASGIApp:
    """Render everything of the request in the language of its ``jfz_lang`` cookie (German without one)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        with use_language(scope_cookie(scope, COOKIE)):
            await app(scope, receive, send)

    return middleware


@get("/sprache/{code:str}", include_in_schema=False)
async def switch_language(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    code: FromPath[str],
    next_path: Annotated[str | None, QueryParameter(name="next")] = None,
) -> Redirect:
    """Show the site in ``code`` from now on, and go back to the page the switch was on.

    A logged-in coordinator or portal user gets their mails in this language from now on too (the only change
    this GET makes besides the cookie; it is their own preference and harmless if forged).
    """
    response = Redirect(path=safe_next(next_path, "/"), status_code=303)
    if code not in LANGUAGES:
        return response
    response.cookies.append(
        Cookie(
            key=COOKIE,
            value=code,
            max_age=YEAR,
            samesite="lax",
            path="/",
            httponly=True,  # only the server reads it
            secure=settings.security.cookie_secure,
        )
    )
    staff = await staff_services.login_for_session(db_session, request.cookies.get(SESSION_COOKIE))
    if staff is not None and staff[0].verified:
        staff[1].language = code
    portal = await accounts.login_for_session(db_session, request.cookies.get(PORTAL_COOKIE))
    if portal is not None and portal.is_verified:
        portal.contact.language = code
    return response

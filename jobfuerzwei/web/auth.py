"""Login state: the ``staff`` and ``contact`` dependencies, and the redirects to their login pages.

``staff`` is the logged-in coordinator (role ``coordinator``: may change things); ``viewer`` is any logged-in staff
member, coordinator or read-only observer (figures and anonymised lists); ``contact`` the logged-in member contact of
the employer portal. An observer reaching a ``staff`` route gets 403.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Request
from litestar.di import NamedDependency
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from jobfuerzwei.employers.accounts import login_for_session, read_login
from jobfuerzwei.employers.models import MemberContact
from jobfuerzwei.errors import NotAllowed
from jobfuerzwei.i18n import N_, gettext
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.staff.services import read_user, user_for_session
from jobfuerzwei.web.pagecache import hand_on_version

SESSION_COOKIE = "jfz_session"
PORTAL_COOKIE = "jfz_portal"
"""The employer portal's session cookie (separate from the coordinator's: one browser may hold both)."""


class LoginRequired(Exception):  # noqa: N818
    """The page needs a logged-in coordinator."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


OBSERVER_FORBIDDEN = N_("Diese Seite ist der Koordination vorbehalten. Ihr Zugang ist nur lesend.")
"""A German message id: translate with ``gettext`` where it is raised (the error page translates it too)."""


async def provide_viewer(request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> StaffUser:
    """Any logged-in staff member with the second factor done (coordinator or observer), or a redirect to login."""
    user = await user_for_session(db_session, request.cookies.get(SESSION_COOKIE))
    if user is None:
        raise LoginRequired(request.url.path)
    request.scope.setdefault("state", {})["staff"] = user
    return user


async def provide_viewer_reading(
    request: Request[Any, Any, Any], read_engine: NamedDependency[AsyncEngine]
) -> StaffUser:
    """``provide_viewer`` for a kept page (``web.pagecache``) that only reads.

    The login, and with it the data version, is read outside a transaction in one statement, on the driver
    (``db.quickread``): when the page is kept, that is all the request asks the database. The account is
    detached: such a page must not change it.
    """
    user, version = await read_user(read_engine, request.cookies.get(SESSION_COOKIE))
    hand_on_version(request, version)
    if user is None:
        raise LoginRequired(request.url.path)
    request.scope.setdefault("state", {})["staff"] = user
    return user


async def provide_staff(request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> StaffUser:
    """The logged-in coordinator; an observer gets 403, nobody logged in a redirect to the login page."""
    user = await provide_viewer(request, db_session)
    if not user.is_coordinator:
        raise NotAllowed(gettext(OBSERVER_FORBIDDEN))
    return user


class PortalLoginRequired(LoginRequired):
    """The page needs a logged-in member contact (with its second factor done)."""


async def provide_contact(request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> MemberContact:
    """The logged-in member contact, or a redirect to the portal login (also while a two-factor code is due)."""
    login = await login_for_session(db_session, request.cookies.get(PORTAL_COOKIE))
    if login is None or not login.is_verified:
        raise PortalLoginRequired(request.url.path)
    request.scope.setdefault("state", {})["contact"] = login.contact
    return login.contact


async def provide_contact_reading(
    request: Request[Any, Any, Any], read_engine: NamedDependency[AsyncEngine]
) -> MemberContact:
    """``provide_contact`` for a kept page that only reads (see ``provide_viewer_reading``)."""
    login, version = await read_login(read_engine, request.cookies.get(PORTAL_COOKIE))
    hand_on_version(request, version)
    if login is None or not login.is_verified:
        raise PortalLoginRequired(request.url.path)
    request.scope.setdefault("state", {})["contact"] = login.contact
    return login.contact


def safe_next(value: str | None, default: str = "/coordinator") -> str:
    """A local path to return to after login; anything else (other hosts, schemes, ``//``) goes to ``default``."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in value):
        return default
    return value


def login_redirect(request: Request[Any, Any, Any], exc: LoginRequired) -> Redirect:
    """Send the browser to the right login page and back afterwards."""
    if isinstance(exc, PortalLoginRequired):
        return Redirect(path=f"/portal/login?next={quote(safe_next(exc.next_path, '/portal'))}", status_code=303)
    target = safe_next(exc.next_path, "/coordinator")
    return Redirect(path=f"/coordinator/login?next={quote(target)}", status_code=303)

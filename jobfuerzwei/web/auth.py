"""Coordinator login state: the ``staff`` dependency and the redirect to the login page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.di import NamedDependency
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.staff.services import user_for_session

SESSION_COOKIE = "jfz_session"


class LoginRequired(Exception):  # noqa: N818
    """The page needs a logged-in coordinator."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


async def provide_staff(request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]) -> StaffUser:
    """The logged-in coordinator, or a redirect to the login page."""
    user = await user_for_session(db_session, request.cookies.get(SESSION_COOKIE))
    if user is None:
        raise LoginRequired(request.url.path)
    request.scope.setdefault("state", {})["staff"] = user
    return user


def login_redirect(request: Request[Any, Any, Any], exc: LoginRequired) -> Redirect:
    """Send the browser to the login page and back afterwards."""
    target = exc.next_path if exc.next_path.startswith("/") and not exc.next_path.startswith("//") else "/coordinator"
    return Redirect(path=f"/coordinator/login?next={quote(target)}", status_code=303)

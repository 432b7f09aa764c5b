"""Staff management: invitations by mail, roles, deactivation, second-factor reset; and what an observer may do."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import httpx
from litestar import Litestar
from litestar.di import Provide
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.staff.models import StaffRole, StaffSession, StaffUser
from jobfuerzwei.staff.services import create_staff
from jobfuerzwei.web.auth import provide_staff
from tests.conftest import links_in
from tests.coordinator.conftest import STAFF_EMAIL, STAFF_PASSWORD, login, post_form

OBSERVER_EMAIL = "beobachtung@agentur.example"
NEW_PASSWORD = "ein-neues-langes-passwort"


async def _account(session: AsyncSession, email: str) -> StaffUser:
    session.expire_all()
    user = await session.scalar(select(StaffUser).where(StaffUser.email == email))
    assert user is not None
    return user


class Browsers:
    """Two people on one test client: each has a cookie jar of their own (one app, one lifespan)."""

    def __init__(self, client: AsyncTestClient[Litestar]) -> None:
        self.client = client
        self.jars: dict[str, httpx.Cookies] = {}
        self.current = "coordinator"

    def use(self, name: str) -> AsyncTestClient[Litestar]:
        """Switch to ``name``'s cookies (a new, empty jar the first time)."""
        self.jars[self.current] = httpx.Cookies(self.client.cookies)
        self.client.cookies = self.jars.get(name, httpx.Cookies())
        self.current = name
        return self.client


async def _status(client: AsyncTestClient[Litestar], path: str, data: dict[str, str] | None = None) -> int:
    return (await post_form(client, path, data)).status_code


async def _invite(client: AsyncTestClient[Litestar], role: str, email: str = OBSERVER_EMAIL) -> Any:
    return await post_form(client, "/coordinator/staff", {"name": "Frau Beobachterin", "email": email, "role": role})


async def test_an_invited_observer_sets_a_password_sets_up_the_app_and_sees_figures_only(
    logged_in_client: AsyncTestClient[Litestar],
    app: Litestar,
    db_session: AsyncSession,
    deliver: Callable[..., Any],
) -> None:
    client = logged_in_client
    response = await _invite(client, "observer")
    assert response.status_code == 303
    mails = (await deliver()).to(OBSERVER_EMAIL)
    assert len(mails) == 1
    assert "Beobachtung (nur lesen)" in str(mails[0].get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    link = next(u for u in links_in(mails[0]) if "/coordinator/password/" in u)
    path = link.split("testserver.local", 1)[1]

    observer = Browsers(client).use("observer")
    # Before the password is set, no password logs in.
    assert (await login(observer, OBSERVER_EMAIL, "")).status_code == 400
    assert (await observer.get(path)).status_code == 200
    short = await post_form(observer, path, {"password": "kurz", "password_repeat": "kurz"})
    assert short.status_code == 400
    assert "mindestens" in short.text
    assert await _status(observer, path, {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}) == 303
    # The link is used up.
    assert (await observer.get(path)).status_code == 410
    response = await login(observer, OBSERVER_EMAIL, NEW_PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/coordinator/results")
    for page in ("/coordinator", "/coordinator/profiles", "/coordinator/staff", "/coordinator/members"):
        assert (await observer.get(page, follow_redirects=False)).status_code == 403
    assert (await _invite(observer, "coordinator", "boese@example.org")).status_code == 403
    user = await _account(db_session, OBSERVER_EMAIL)
    assert user.role == StaffRole.OBSERVER
    assert user.totp_secret is not None
    assert await db_session.scalar(select(StaffUser).where(StaffUser.email == "boese@example.org")) is None


async def test_invitation_form_errors_keep_the_input_and_store_nothing(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession, deliver: Callable[..., Any]
) -> None:
    response = await post_form(
        logged_in_client, "/coordinator/staff", {"name": "Name <b>fett</b>", "email": "keine-adresse", "role": "chef"}
    )
    assert response.status_code == 400
    assert "gültige E-Mail-Adresse" in response.text
    assert "Bitte wählen Sie eine Rolle" in response.text
    assert 'value="Name &lt;b&gt;fett&lt;/b&gt;"' in response.text
    taken = await post_form(
        logged_in_client, "/coordinator/staff", {"name": "Doppelt", "email": STAFF_EMAIL.upper(), "role": "observer"}
    )
    assert taken.status_code == 400
    assert "schon ein Konto" in taken.text
    assert len((await db_session.scalars(select(StaffUser))).all()) == 1
    assert (await deliver()).messages == []


async def test_the_last_coordinator_stays_and_nobody_changes_their_own_account(
    logged_in_client: AsyncTestClient[Litestar], staff_user: UUID, db_session: AsyncSession
) -> None:
    own = await post_form(logged_in_client, f"/coordinator/staff/{staff_user}/role", {"role": "observer"})
    assert own.status_code == 409
    other = await create_staff(db_session, "zweite@ihk.example", STAFF_PASSWORD, "Zweite", role=StaffRole.OBSERVER)
    await db_session.commit()
    # Promote the observer, then demoting the first coordinator by the second works; the last one cannot go.
    assert await _status(logged_in_client, f"/coordinator/staff/{other.id}/role", {"role": "coordinator"}) == 303
    assert await _status(logged_in_client, f"/coordinator/staff/{other.id}/active", {"active": "0"}) == 303
    user = await _account(db_session, "zweite@ihk.example")
    assert user.role == StaffRole.COORDINATOR
    assert user.is_active is False
    assert await _status(logged_in_client, f"/coordinator/staff/{uuid4()}/active", {"active": "0"}) == 404


async def test_deactivation_role_change_and_second_factor_reset_end_the_accounts_sessions(
    logged_in_client: AsyncTestClient[Litestar], app: Litestar, db_session: AsyncSession
) -> None:
    other = await create_staff(db_session, "zweite@ihk.example", STAFF_PASSWORD, "Zweite")
    await db_session.commit()
    browsers = Browsers(logged_in_client)
    second = browsers.use("second")
    assert (await login(second, "zweite@ihk.example")).status_code == 303
    assert (await second.get("/coordinator", follow_redirects=False)).status_code == 200
    coordinator = browsers.use("coordinator")
    assert await _status(coordinator, f"/coordinator/staff/{other.id}/reset-totp") == 303
    second = browsers.use("second")
    assert (await second.get("/coordinator", follow_redirects=False)).status_code == 303
    assert (await _account(db_session, "zweite@ihk.example")).totp_secret is None
    # The next login sets up a new app (the login helper reads the new secret from the page).
    assert (await login(second, "zweite@ihk.example")).status_code == 303
    coordinator = browsers.use("coordinator")
    assert await _status(coordinator, f"/coordinator/staff/{other.id}/role", {"role": "observer"}) == 303
    second = browsers.use("second")
    assert (await second.get("/coordinator", follow_redirects=False)).status_code == 303  # logged out
    coordinator = browsers.use("coordinator")
    assert await _status(coordinator, f"/coordinator/staff/{other.id}/active", {"active": "0"}) == 303
    assert (await login(browsers.use("second"), "zweite@ihk.example")).status_code == 400
    sessions = (await db_session.scalars(select(StaffSession).where(StaffSession.staff_id == other.id))).all()
    assert sessions == []


async def test_a_new_password_link_replaces_a_forgotten_password(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession, deliver: Callable[..., Any]
) -> None:
    other = await create_staff(db_session, "zweite@ihk.example", STAFF_PASSWORD, "Zweite")
    await db_session.commit()
    assert (await post_form(logged_in_client, f"/coordinator/staff/{other.id}/password-link")).status_code == 303
    mail = (await deliver()).to("zweite@ihk.example")[0]
    assert mail["Subject"] == "Neues Passwort für „Job für Zwei“"
    path = next(u for u in links_in(mail) if "/coordinator/password/" in u).split("testserver.local", 1)[1]
    tampered = path[:-4] + ("aaaa" if not path.endswith("aaaa") else "bbbb")
    assert (await logged_in_client.get(tampered)).status_code == 410
    second = Browsers(logged_in_client).use("second")
    await second.get(path)
    assert await _status(second, path, {"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}) == 303
    assert (await login(second, "zweite@ihk.example", STAFF_PASSWORD)).status_code == 400
    assert (await login(second, "zweite@ihk.example", NEW_PASSWORD)).status_code == 303


def _coordinator_only_routes(app: Litestar) -> list[tuple[str, str]]:
    """Every (method, path) whose handler needs the ``staff`` dependency (coordinator role)."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            provider = handler.resolve_dependencies().get("staff")
            if isinstance(provider, Provide) and provider.dependency is provide_staff:
                for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                    found.append((method, route.path))
    return sorted(set(found))


async def test_every_coordinator_route_refuses_an_observer(app: Litestar, db_session: AsyncSession) -> None:
    routes = _coordinator_only_routes(app)
    assert len(routes) > 40, routes  # the matrix covers the whole coordinator area, including routes added later
    await create_staff(db_session, OBSERVER_EMAIL, STAFF_PASSWORD, "Beobachtung", role=StaffRole.OBSERVER)
    await db_session.commit()
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as observer:
        assert (await login(observer, OBSERVER_EMAIL)).status_code == 303
        for method, path in routes:
            concrete = _fill(path)
            if method == "GET":
                response = await observer.get(concrete, follow_redirects=False)
            else:
                response = await post_form(observer, concrete, {})
            assert response.status_code == 403, (method, path, response.status_code)


def _fill(path: str) -> str:
    """A concrete path for a route pattern: random ids (unknown, but the role check comes first)."""
    path = re.sub(r"\{[a-z_]+:uuid\}", str(uuid4()), path)
    path = re.sub(r"\{[a-z_]+:int\}", "1", path)
    return re.sub(r"\{[a-z_]+(:[a-z]+)?\}", "x", path)

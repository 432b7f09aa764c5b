"""Every role on every route, with own and with foreign ids, answers what ``access_matrix.ROUTES`` says.

One world per role (built in well under a second); each role walks all routes: GETs first, then POSTs with
foreign ids (which must change nothing), then POSTs with own ids, those that end the session or link last.
Every response also carries the security headers of ``web/security.py``, and none is a 500.
All mismatches of a role are reported together, as a table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.web.security import security_headers
from tests.security.access_matrix import POST_DATA, ROUTES, SESSION_ENDING, Outcome
from tests.security.world import ROLES, World, build_world

PARAM = re.compile(r"\{(\w+):\w+\}")
LINK_PARAMS = {"token", "sig"}
_TOKEN_KIND = {
    "/confirm/": "confirm_token",
    "/status/": "status_token",
    "/e/": "employer_token",
    "/coordinator/password/": "staff_password_token",
    "/portal/password/": "portal_password_token",
}


def app_routes(app: Litestar) -> set[tuple[str, str]]:
    """(method, pattern) of every handler in the app's route table (OPTIONS answers itself)."""
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods - {"OPTIONS"}:
                found.add((method, route.path))
    return found


def _key(pattern: str, name: str) -> str:
    """The world's name for a path parameter of ``pattern``."""
    if name == "token":
        return next(kind for prefix, kind in _TOKEN_KIND.items() if pattern.startswith(prefix))
    if name == "sig":
        return "rsvp_sig" if pattern.startswith("/rsvp/") else "unsubscribe_sig"
    if name == "contact_id" and pattern.startswith("/mail/unsubscribe/"):
        return "unsubscribe_contact_id"
    if name == "offer_id" and pattern.startswith("/angebote/"):
        return "public_offer_id"
    if name == "path":
        return "schema_path"
    return name


def fill(pattern: str, world: World, role: str, *, foreign: bool) -> str:
    """A concrete path: the role's own ids, or foreign ones.

    Under a link with ids of things (``/status/{token}/referrals/{referral_id}``) the foreign call keeps the live
    link and swaps the thing; a link alone is swapped for a live link of another purpose.
    """
    own, other = world.ids(role), world.foreign_ids(role)
    names = PARAM.findall(pattern)
    has_things = bool(set(names) - LINK_PARAMS)

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        use_foreign = foreign and not (name in LINK_PARAMS and has_things)
        return (other if use_foreign else own)[_key(pattern, name)]

    return PARAM.sub(value, pattern)


def matches(outcome: Outcome, method: str, response: httpx.Response) -> bool:
    """Whether ``response`` is ``outcome``."""
    status = response.status_code
    location = response.headers.get("location", "")
    to_login = location.startswith(("/coordinator/login", "/portal/login"))
    if outcome == Outcome.OK:
        if method in ("GET", "HEAD"):
            return status == 200
        return status in (200, 400, 409) or (status == 303 and not to_login)
    if outcome == Outcome.LOGIN:
        return status == 303 and location.startswith("/coordinator/login?next=")
    if outcome == Outcome.PORTAL_LOGIN:
        return status == 303 and location.startswith("/portal/login?next=")
    if outcome == Outcome.REDIRECT:
        return status == 303
    return str(status) == outcome.value


SECURITY_HEADERS = {h.name.lower(): h.value for h in security_headers()}


def missing_security_headers(response: httpx.Response) -> list[str]:
    """Names of the security headers (web/security.py) that ``response`` lacks or sets to another value."""
    return [name for name, value in SECURITY_HEADERS.items() if response.headers.get(name) != value]


def walk_order(role: str) -> Iterator[tuple[str, str, bool]]:
    """(method, pattern, foreign): reads first, then foreign writes, then own writes (session-ending last)."""
    routes = sorted(ROUTES)
    reads = [(m, p) for m, p in routes if m in ("GET", "HEAD")]
    writes = [(m, p) for m, p in routes if m not in ("GET", "HEAD")]
    for method, pattern in reads:
        yield method, pattern, False
        if PARAM.search(pattern):
            yield method, pattern, True
    for method, pattern in writes:
        if PARAM.search(pattern):
            yield method, pattern, True
    writes.sort(key=lambda mp: (mp[1] in SESSION_ENDING, SESSION_ENDING.index(mp[1]) if mp[1] in SESSION_ENDING else 0))
    for method, pattern in writes:
        yield method, pattern, False


def test_every_route_is_in_the_matrix(app: Litestar) -> None:
    routes = app_routes(app)
    missing = sorted(routes - set(ROUTES))
    stale = sorted(set(ROUTES) - routes)
    assert not missing, f"routes without a row in tests/security/access_matrix.py: {missing}"
    assert not stale, f"rows in tests/security/access_matrix.py for routes that are gone: {stale}"


def test_the_matrix_names_an_outcome_for_every_role() -> None:
    for key, access in ROUTES.items():
        assert set(access.own) == set(ROLES), key


@pytest.mark.parametrize("role", ROLES)
async def test_role_gets_the_matrix_outcome_on_every_route(
    role: str, client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    world = await build_world(db_session, settings)
    for name, value in world.cookies[role].items():
        client.cookies.set(name, value)
    await client.get("/privacy")
    csrf = client.cookies.get("csrftoken")
    assert csrf
    mismatches = []
    for method, pattern, foreign in walk_order(role):
        path = fill(pattern, world, role, foreign=foreign)
        if method == "POST":
            extra = {k: v.format(**world.values) for k, v in POST_DATA.get(pattern, {}).items()}
            response = await client.post(path, data={"_csrf_token": csrf, **extra}, follow_redirects=False)
        else:
            response = await client.request(method, path, follow_redirects=False)
        expected = ROUTES[(method, pattern)].expect(role, foreign=foreign)
        assert response.status_code < 500, (role, method, pattern, foreign, response.text[:300])
        missing = missing_security_headers(response)
        if missing:
            mismatches.append(f"{method:5} {pattern:70} {'foreign' if foreign else 'own':8} lacks headers {missing}")
        if not matches(expected, method, response):
            got = f"{response.status_code} {response.headers.get('location', '')}".strip()
            mismatches.append(
                f"{method:5} {pattern:70} {'foreign' if foreign else 'own':8} want {expected:12} got {got}"
            )
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)

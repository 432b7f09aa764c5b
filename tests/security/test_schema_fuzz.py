"""Schemathesis against the app's own OpenAPI schema, in process (``from_asgi``): no operation answers 500.

Every operation in ``/schema/openapi.json`` is called with generated path, query and header values, as a logged-in
coordinator and member contact of A with a valid CSRF token (so POSTs reach their handlers), against a small world
of real rows. The normal suite runs ``JFZ_FUZZ_EXAMPLES`` cases per operation (default 5); ``scripts/fuzz`` runs
1,000. The module has a database of its own: the world is built once and not emptied between operations.

What the schema covers: every page and form handler (the app's handlers are all in it, HTML included; their
form fields are read with ``request.form()`` and are not described, so bodies are fuzzed by the Hypothesis form
tests in ``test_forms.py`` instead). Static files, ``/healthz`` and the schema itself are not in it.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from sqlalchemy.ext.asyncio import async_sessionmaker

from jobfuerzwei.app import create_app
from jobfuerzwei.config import DatabaseSettings, MailSettings, SecuritySettings, Settings
from jobfuerzwei.db.engine import create_engine, migrate
from jobfuerzwei.web.csrf import issue_token
from tests.conftest import BASE_URL, PG_ADMIN_URL, _pg_admin, free_port
from tests.security.world import World, build_world

EXAMPLES = int(os.environ.get("JFZ_FUZZ_EXAMPLES", "5"))
SESSION_ENDING = {"/coordinator/logout", "/portal/logout", "/portal/member/leave", "/portal/security/password"}
"""Called without session cookies: they would end the session the other operations need."""


@pytest.fixture(scope="module")
def fuzz_database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """A migrated database for this module only (the root fixtures empty theirs after every test)."""
    if os.environ.get("JFZ_TEST_DB", "sqlite") == "postgres":
        name = f"jfz_fuzz_{worker_id}_{secrets.token_hex(4)}"
        asyncio.run(_pg_admin(PG_ADMIN_URL, f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        migrate(url)
        yield url
        asyncio.run(_pg_admin(PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.sqlite3'}"
        migrate(url)
        yield url


@pytest.fixture(scope="module")
def fuzz_settings(fuzz_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # Mail goes to a port nobody listens on: the outbox worker does not run here, rows just wait.
    return Settings(
        db=DatabaseSettings(url=fuzz_database_url),
        mail=MailSettings(port=free_port(), run_worker_in_app=False, dev_sink=False),
        security=SecuritySettings(secret_key="f" * 48, cookie_secure=False, rate_limit_per_minute=1_000_000),
        data_dir=tmp_path_factory.mktemp("fuzz-data") / "data",
        base_url=BASE_URL,
    )


@pytest.fixture(scope="module")
async def fuzz_world(fuzz_settings: Settings) -> World:
    engine = create_engine(fuzz_settings.db.url, null_pool=True)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            return await build_world(session, fuzz_settings)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzz_settings: Settings, fuzz_world: World) -> Any:
    app = create_app(fuzz_settings)
    return schemathesis.openapi.from_asgi("/schema/openapi.json", app)


@pytest.fixture(scope="module")
def credentials(fuzz_settings: Settings, fuzz_world: World) -> dict[str, Any]:
    """Cookies of a coordinator and of member A's contact, and the CSRF token as cookie and header."""
    token = issue_token(fuzz_settings.security.secret_key, time.time())
    cookies = {**fuzz_world.cookies["coordinator"], **fuzz_world.cookies["employer_a"], "csrftoken": token}
    return {"cookies": cookies, "headers": {"x-csrftoken": token}}


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every operation in the schema, read from the app without serving it (for parametrize)."""
    app = create_app(
        Settings(
            db=DatabaseSettings(url="sqlite+aiosqlite://"),
            mail=MailSettings(run_worker_in_app=False),
            security=SecuritySettings(secret_key="s" * 48),
        )
    )
    paths = app.openapi_schema.to_schema()["paths"]
    return sorted((method.upper(), path) for path, item in paths.items() for method in item if method != "parameters")


@pytest.mark.parametrize(("method", "path"), _operations())
def test_no_operation_answers_500(method: str, path: str, api_schema: Any, credentials: dict[str, Any]) -> None:
    operation = api_schema[path][method]
    anonymous = path in SESSION_ENDING
    cookies = {"csrftoken": credentials["cookies"]["csrftoken"]} if anonymous else credentials["cookies"]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Any) -> None:
        headers = {**(case.headers or {}), **credentials["headers"]}
        response = case.call(headers=headers, cookies=cookies, allow_redirects=False)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} -> {response.status_code}\n{case.as_curl_command()}"
        )

    call()


def test_the_schema_covers_the_forms_and_pages(api_schema: Any) -> None:
    operations = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert operations == set(_operations())
    assert len(operations) > 150
    for expected in [("POST", "/register"), ("GET", "/status/{token}"), ("POST", "/portal/positions/new")]:
        assert expected in operations

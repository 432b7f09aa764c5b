"""One app per module for the security tests: building the OpenAPI schema (and its YAML) takes seconds per app.

``settings`` mirrors the root fixture, with module scope.
"""

from __future__ import annotations

import pytest
from litestar import Litestar

from jobfuerzwei.app import create_app
from jobfuerzwei.config import DatabaseSettings, MailSettings, SecuritySettings, Settings
from tests.conftest import BASE_URL, Sink


@pytest.fixture(scope="module")
def settings(database_url: str, smtp_server: tuple[Sink, int], tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        db=DatabaseSettings(url=database_url),
        mail=MailSettings(
            host="127.0.0.1",
            port=smtp_server[1],
            starttls=False,
            run_worker_in_app=False,
            dev_sink=False,
            backoff_base_seconds=0.01,
            poll_seconds=0.05,
            connections=2,
        ),
        security=SecuritySettings(secret_key="t" * 48, cookie_secure=False, rate_limit_per_minute=10_000),
        dev_mode=False,
        data_dir=tmp_path_factory.mktemp("security") / "data",
        base_url=BASE_URL,
    )


@pytest.fixture(scope="module")
def app(settings: Settings) -> Litestar:
    return create_app(settings)

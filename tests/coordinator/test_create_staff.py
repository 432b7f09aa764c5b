"""The ``create-staff`` command creates an account that can log in through the coordinator's form."""

from __future__ import annotations

import os
import subprocess
import sys

from litestar import Litestar
from litestar.testing import AsyncTestClient

from jobfuerzwei.config import Settings
from jobfuerzwei.web.auth import SESSION_COOKIE
from tests.coordinator.conftest import login


def _create_staff(settings: Settings, email: str, password: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "JFZ_ENV": "production",
        "JFZ_DATABASE_URL": settings.db.url,
        "JFZ_SECRET_KEY": "s" * 48,
        "JFZ_BASE_URL": "https://jobfuerzwei.example",
        "JFZ_SMTP_HOST": "127.0.0.1",
        "JFZ_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "jobfuerzwei", "create-staff", email, "--name", "Neue Koordination", *extra],
        input=f"{password}\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_create_staff_command_makes_an_account_that_can_log_in(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    result = _create_staff(settings, "Neu@IHK.example", "ein-sehr-langes-passwort")
    assert result.returncode == 0, result.stderr
    assert "ein-sehr-langes-passwort" not in result.stdout + result.stderr
    response = await login(client, email="neu@ihk.example", password="ein-sehr-langes-passwort")
    assert response.status_code == 303
    assert client.cookies.get(SESSION_COOKIE)


async def test_create_staff_command_refuses_a_short_password(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    result = _create_staff(settings, "kurz@ihk.example", "kurz")
    assert result.returncode == 2
    assert "at least 12 characters" in result.stderr
    assert (await login(client, email="kurz@ihk.example", password="kurz")).status_code == 400


async def test_create_staff_command_makes_an_observer_with_role_observer(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    result = _create_staff(settings, "lesen@agentur.example", "ein-sehr-langes-passwort", "--role", "observer")
    assert result.returncode == 0, result.stderr
    response = await login(client, email="lesen@agentur.example", password="ein-sehr-langes-passwort")
    assert response.status_code == 303
    assert (await client.get("/coordinator/profiles", follow_redirects=False)).status_code == 403

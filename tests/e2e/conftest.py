"""A served app (uvicorn in a subprocess, in-app outbox worker, mails to the test SMTP sink) and headless Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.conftest import Sink, free_port

CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
E2E_SECRET_KEY = "e2e-" + "s" * 40
"""``JFZ_SECRET_KEY`` of the served app (tests sign RSVP and unsubscribe links with it)."""


@pytest.fixture
def live_server(database_url: str, smtp_server: tuple[Sink, int], tmp_path: Path) -> Iterator[str]:
    """The real app on 127.0.0.1, as production runs it (SMTP to the test sink, worker inside the app)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "JFZ_ENV": "production",
        "JFZ_DATABASE_URL": database_url,
        "JFZ_SECRET_KEY": E2E_SECRET_KEY,
        "JFZ_BASE_URL": base,
        "JFZ_SMTP_HOST": "127.0.0.1",
        "JFZ_SMTP_PORT": str(smtp_server[1]),
        "JFZ_SMTP_STARTTLS": "false",
        "JFZ_WORKER_IN_APP": "true",
        "JFZ_MAIL_POLL_SECONDS": "0.2",
        "JFZ_COOKIE_SECURE": "false",
        "JFZ_DATA_DIR": str(tmp_path / "data"),
    }
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "jobfuerzwei.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as r:  # noqa: S310  # loopback test server
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    raise RuntimeError((tmp_path / "server.log").read_text()[-3000:]) from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        await b.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(locale="de-DE")
    pg = await context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    await context.close()

"""Uploads: the body cap holds before the whole body is read, the CV type is decided by its first bytes, and every
file goes out as an attachment with ``nosniff``."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.app import MAX_BODY_BYTES
from jobfuerzwei.config import Settings
from jobfuerzwei.web.csrf import issue_token
from tests.conftest import csrf_token
from tests.profiles.factories import registration_form
from tests.security.test_access_matrix import fill
from tests.security.world import build_world

CHUNK = 64 * 1024


async def test_an_announced_oversized_body_is_refused_before_it_is_read(client: AsyncTestClient[Litestar]) -> None:
    token = await csrf_token(client, "/register")
    sent = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(4):
            sent += CHUNK
            yield b"x" * CHUNK

    response = await client.post(
        "/register",
        content=body(),
        headers={
            "content-type": "multipart/form-data; boundary=b",
            "content-length": str(MAX_BODY_BYTES * 4),
            "x-csrftoken": token,
        },
    )
    assert response.status_code == 413
    assert "Datei zu groß" in response.text


async def test_a_streamed_body_without_length_stops_at_the_cap(app: Litestar, settings: Settings) -> None:
    """Raw ASGI (the test client buffers request bodies): the app stops reading soon after the cap."""
    token = issue_token(settings.security.secret_key, time.time())
    received = 0
    total = MAX_BODY_BYTES * 3
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received >= total:
            return {"type": "http.disconnect"}
        received += CHUNK
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": received < total}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/register",
        "raw_path": b"/register",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver.local"),
            (b"content-type", b"multipart/form-data; boundary=b"),
            (b"cookie", f"csrftoken={token}".encode()),
            (b"x-csrftoken", token.encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver.local", 80),
        "state": {},
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    start = next(m for m in messages if m["type"] == "http.response.start")
    assert start["status"] == 413
    assert received <= MAX_BODY_BYTES + CHUNK, received


def test_the_body_cap_is_the_cv_limit_plus_room_for_the_form(settings: Settings) -> None:
    assert settings.max_cv_bytes < MAX_BODY_BYTES <= 2 * settings.max_cv_bytes


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("lebenslauf.pdf", b"<html><script>alert(1)</script></html>"),
        ("lebenslauf.pdf", b"GIF89a%PDF-1.4"),
        ("lebenslauf.pdf", b" %PDF-1.4 leading space"),
        ("lebenslauf.pdf", b"\x00%PDF-1.4"),
        ("lebenslauf.pdf", b""),
        ("lebenslauf.html", b"<!doctype html><p>hi</p>"),
    ],
    ids=["html-named-pdf", "gif-polyglot", "leading-space", "leading-nul", "empty", "html"],
)
async def test_a_cv_that_does_not_start_with_the_pdf_magic_is_refused(
    client: AsyncTestClient[Litestar], name: str, content: bytes
) -> None:
    token = await csrf_token(client, "/register")
    response = await client.post(
        "/register",
        data={"_csrf_token": token, **registration_form()},
        files={"cv": (name, content, "application/pdf")},
    )
    assert response.status_code == 400
    assert "PDF" in response.text


async def test_every_file_download_is_an_attachment_with_nosniff(
    client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    world = await build_world(db_session, settings)
    downloads = {
        "partner": ["/status/{token:str}/cv", "/status/{token:str}/export"],
        "employer_a": [
            "/e/{token:str}/cv",
            "/portal/profiles/{recipient_id:uuid}/cv",
            "/rsvp/{invitation_id:uuid}/{sig:str}/termin.ics",
        ],
        "coordinator": ["/coordinator/profiles/{profile_id:uuid}/cv"],
    }
    for role, patterns in downloads.items():
        client.cookies.clear()
        for name, value in world.cookies[role].items():
            client.cookies.set(name, value)
        for pattern in patterns:
            response = await client.get(fill(pattern, world, role, foreign=False))
            assert response.status_code == 200, (role, pattern, response.status_code)
            assert response.headers["content-disposition"].startswith("attachment"), pattern
            assert response.headers["x-content-type-options"] == "nosniff", pattern
            if pattern.endswith("/cv"):
                assert response.headers["content-type"] == "application/pdf"
                assert response.content.startswith(b"%PDF-")
                assert "no-store" in response.headers["cache-control"]

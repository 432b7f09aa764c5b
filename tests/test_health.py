from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from jobfuerzwei.config import Settings


async def test_healthz_answers_when_database_answers(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_every_response_carries_security_headers(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/healthz")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_unknown_page_is_a_german_404(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/does-not-exist")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text


async def test_openapi_schema_lists_the_pages_and_forms(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/register",
        "/confirm/{token}",
        "/status/{token}",
        "/coordinator/profiles/{profile_id}/circulate",
        "/e/{token}/answer/{answer}",
    ):
        assert path in paths
    assert "post" in paths["/register"]


def test_tokens_are_redacted_from_logged_paths() -> None:
    from jobfuerzwei.web.errors import redact_path

    assert redact_path("/status/abcDEF123_-/export") == "/status/<token>/export"
    assert redact_path("/e/tok/answer/interested") == "/e/<token>/answer/interested"
    assert redact_path("/confirm/tok") == "/confirm/<token>"
    assert redact_path("/portal/password/tok") == "/portal/password/<token>"
    assert redact_path("/portal/password/forgot") == "/portal/password/<token>"  # harmless: no token to hide
    cid = "0c4f9f4e-5b0e-4c7a-9a53-2a1d3f1b6c11"
    assert redact_path(f"/mail/unsubscribe/{cid}/sig") == f"/mail/unsubscribe/{cid}/<token>"
    assert redact_path("/coordinator/profiles/1") == "/coordinator/profiles/1"


async def test_unknown_host_header_is_refused_when_hosts_are_configured(settings: Settings) -> None:
    import dataclasses

    from jobfuerzwei.app import create_app

    strict = dataclasses.replace(
        settings, security=dataclasses.replace(settings.security, allowed_hosts=("testserver.local", "127.0.0.1"))
    )
    async with AsyncTestClient(app=create_app(strict), base_url="http://testserver.local:8080") as client:
        assert (await client.get("/healthz")).status_code == 200  # the port does not matter
        assert (await client.get("/healthz", headers={"host": "evil.example"})).status_code == 400
        assert (await client.get("/healthz", headers={"host": "127.0.0.1:9999"})).status_code == 200

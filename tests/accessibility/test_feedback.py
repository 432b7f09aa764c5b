"""The accessibility statement /barrierefreiheit and its feedback form: CSRF, German validation with the typed
values kept, rate limit, and the mail to the coordination through the outbox to the real SMTP sink."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from jobfuerzwei.app import create_app
from jobfuerzwei.config import Settings, load_settings
from tests.conftest import BASE_URL, csrf_token

Client = AsyncTestClient[Litestar]
FEEDBACK = {
    "message": "Das Auswahlfeld für die Sprache lässt sich mit dem Screenreader nicht bedienen.",
    "page": "Partnerprofil anmelden",
    "name": "Erika Muster",
    "email": "Erika.Muster@example.org",
}


async def _send(client: Client, data: dict[str, str]) -> Any:
    token = await csrf_token(client, "/barrierefreiheit")
    return await client.post("/barrierefreiheit", data={"_csrf_token": token, **data}, follow_redirects=False)


async def test_statement_has_the_bitv_parts_and_is_linked_in_the_footer(client: Client) -> None:
    response = await client.get("/barrierefreiheit")
    assert response.status_code == 200
    for part in (
        "Erklärung zur Barrierefreiheit",
        "Stand der Vereinbarkeit",
        "Nicht barrierefreie Inhalte",
        "Erstellung dieser Erklärung",
        "Feedback und Kontaktangaben",
        "Schlichtungsverfahren",
        "§ 16 BGG",
        'name="_csrf_token"',
    ):
        assert part in response.text
    assert 'href="/barrierefreiheit"' in (await client.get("/")).text


async def test_feedback_is_mailed_to_the_coordination(
    client: Client, settings: Settings, deliver: Callable[..., Any]
) -> None:
    response = await _send(client, FEEDBACK)
    assert response.status_code == 303
    assert response.headers["location"] == "/barrierefreiheit#rueckmeldung"
    page = await client.get("/barrierefreiheit")
    assert "Ihre Rückmeldung zur Barrierefreiheit ist bei uns eingegangen" in page.text

    sink = await deliver()
    [mail] = sink.to(settings.mail.accessibility_recipient)
    assert "Barrierefreiheit" in str(mail["Subject"])
    text = str(mail.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    assert FEEDBACK["message"] in text
    assert "erika.muster@example.org" in text
    assert "Partnerprofil anmelden" in text
    html = str(mail.get_body(preferencelist=("html",)).get_content())  # type: ignore[union-attr]
    assert "Screenreader" in html


async def test_feedback_goes_to_the_configured_contact(settings: Settings, deliver: Callable[..., Any]) -> None:
    configured = dataclasses.replace(
        settings, mail=dataclasses.replace(settings.mail, accessibility_contact="barrierefrei@ihk.example")
    )
    async with AsyncTestClient(app=create_app(configured), base_url=BASE_URL) as client:
        assert (await _send(client, {"message": "Kontrast zu schwach."})).status_code == 303
        assert "barrierefrei@ihk.example" in (await client.get("/barrierefreiheit")).text
    sink = await deliver()
    assert len(sink.to("barrierefrei@ihk.example")) == 1


async def test_empty_feedback_shows_german_errors_and_keeps_the_values(
    client: Client, deliver: Callable[..., Any]
) -> None:
    response = await _send(client, {"message": "  ", "email": "keine-adresse", "name": "Erika Muster"})
    assert response.status_code == 400
    assert "Bitte prüfen Sie Ihre Angaben" in response.text
    assert "Bitte beschreiben Sie die Barriere" in response.text
    assert "Bitte geben Sie eine gültige E-Mail-Adresse an" in response.text
    assert 'value="keine-adresse"' in response.text
    assert 'value="Erika Muster"' in response.text
    assert 'aria-invalid="true" aria-describedby="message-error"' in response.text
    assert (await deliver()).messages == []


async def test_feedback_without_csrf_token_is_refused(client: Client) -> None:
    await client.get("/barrierefreiheit")
    response = await client.post("/barrierefreiheit", data=FEEDBACK, follow_redirects=False)
    assert response.status_code == 403


async def test_feedback_posts_are_rate_limited(settings: Settings) -> None:
    limited = dataclasses.replace(settings, security=dataclasses.replace(settings.security, rate_limit_per_minute=2))
    async with AsyncTestClient(app=create_app(limited), base_url=BASE_URL) as client:
        statuses = [(await _send(client, {"message": ""})).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_the_recipient_defaults_to_the_reply_to_then_the_sender() -> None:
    base = {"JFZ_ENV": "development", "JFZ_DATA_DIR": "/nonexistent-jfz"}
    assert load_settings({**base, "JFZ_SECRET_KEY": "k" * 40}).mail.accessibility_recipient.endswith(
        "<noreply@jobfuerzwei.example>"
    )
    reply = load_settings({**base, "JFZ_SECRET_KEY": "k" * 40, "JFZ_MAIL_REPLY_TO": "koordination@ihk.example"})
    assert reply.mail.accessibility_recipient == "koordination@ihk.example"
    own = load_settings(
        {
            **base,
            "JFZ_SECRET_KEY": "k" * 40,
            "JFZ_MAIL_REPLY_TO": "koordination@ihk.example",
            "JFZ_ACCESSIBILITY_CONTACT": "barrierefrei@ihk.example",
        }
    )
    assert own.mail.accessibility_recipient == "barrierefrei@ihk.example"

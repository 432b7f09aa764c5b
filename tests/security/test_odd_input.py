"""Odd characters in links, cookies and number fields answer 4xx, never 500 (found by the schema fuzzing).

``hmac.compare_digest`` raises ``TypeError`` for ``str`` arguments with non-ASCII characters, and ``"²".isdigit()``
is true while ``int("²")`` raises: both turned a forged link or a superscript digit into a 500.
"""

from __future__ import annotations

import time
import uuid

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.offers.services import offers_after_registration
from jobfuerzwei.portal.auth_helpers import read_pending
from jobfuerzwei.profiles.transfers_csv import TransferCsvError, sign_csv, unsign_csv
from jobfuerzwei.staff.services import user_for_password_token
from tests.events.conftest import event_form
from tests.security.world import build_world

ODD = ["¡", "é", "²", "\u202e", "a\u0301", "\U0001f600", "٣"]


@pytest.mark.parametrize("sig", ODD, ids=[f"U+{ord(c[0]):04X}" for c in ODD])
async def test_mailed_links_with_odd_signatures_are_invalid_links(client: AsyncTestClient[Litestar], sig: str) -> None:
    some_id = uuid.uuid4()
    for method, path in [
        ("GET", f"/rsvp/{some_id}/{sig}"),
        ("GET", f"/rsvp/{some_id}/{sig}/termin.ics"),
        ("GET", f"/mail/unsubscribe/{some_id}/{sig}"),
        ("POST", f"/mail/unsubscribe/{some_id}/{sig}"),  # CSRF-exempt (RFC 8058): reaches the check
        ("GET", f"/coordinator/password/{some_id.hex}.{int(time.time()) + 60}.{sig}"),
        ("GET", f"/coordinator/password/{some_id.hex}.{sig}.abc"),
    ]:
        response = await client.request(method, path)
        assert response.status_code == 410, (method, path, response.status_code)


async def test_signature_checks_take_any_text(db_session: AsyncSession, settings: Settings) -> None:
    world = await build_world(db_session, settings)
    observer = world.observer_id
    expires = int(time.time()) + 600
    for odd in ODD:
        assert (
            await user_for_password_token(db_session, settings.security.secret_key, f"{observer.hex}.{expires}.{odd}")
            is None
        )
        assert (
            await user_for_password_token(db_session, settings.security.secret_key, f"{observer.hex}.{odd}.x") is None
        )
        assert read_pending(settings, observer, f"{observer}.secret.{expires}.{odd}") is None
        assert read_pending(settings, observer, f"{observer}.secret.{odd}.sig") is None
        assert (
            await offers_after_registration(db_session, settings.security.secret_key, f"{observer.hex}.1.{odd}") is None
        )
        payload, _ = sign_csv(settings, world.member_a, "a;b\n")
        with pytest.raises(TransferCsvError):
            unsign_csv(settings, world.member_a, payload, odd)


async def test_superscript_digits_in_number_fields_are_a_form_error(
    client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    world = await build_world(db_session, settings)
    for name, value in world.cookies["coordinator"].items():
        client.cookies.set(name, value)
    await client.get("/privacy")
    token = client.cookies.get("csrftoken")
    response = await client.post(
        "/coordinator/events/new", data={"_csrf_token": token, **event_form(capacity="²")}, follow_redirects=False
    )
    assert response.status_code == 400
    assert "ganze Zahl" in response.text
    report = await client.get("/coordinator/results/report", params={"year": "²"}, follow_redirects=False)
    assert report.status_code == 303

from __future__ import annotations

import datetime as dt
import mailbox
from collections.abc import Awaitable, Callable
from dataclasses import replace

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.app import create_app
from jobfuerzwei.config import Settings
from jobfuerzwei.mail.messages import build_mime
from jobfuerzwei.mail.models import OutboxMessage, OutboxStatus
from jobfuerzwei.mail.outbox import enqueue
from tests.conftest import BASE_URL, Sink
from tests.coordinator.conftest import login, post_form


async def _failed_mail(session: AsyncSession, settings: Settings) -> OutboxMessage:
    row = enqueue(session, settings, template="smtp_check", to="kaputt@example.org", context={"name": "Test"})
    row.status = OutboxStatus.FAILED
    row.attempts = settings.mail.max_attempts
    row.last_error = "550 5.1.1 mailbox unavailable"
    await session.commit()
    return row


async def test_mail_page_shows_outbox_figures_and_failed_mails(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    await _failed_mail(db_session, settings)
    enqueue(db_session, settings, template="smtp_check", to="wartet@example.org", context={"name": "Test"})
    await db_session.commit()
    response = await logged_in_client.get("/coordinator/mails")
    assert response.status_code == 200
    assert 'id="outbox-failed">1<' in response.text
    assert 'id="outbox-pending">1<' in response.text
    assert "kaputt@example.org" in response.text
    assert "550 5.1.1 mailbox unavailable" in response.text
    assert "Abgefangene E-Mails" not in response.text
    overview = await logged_in_client.get("/coordinator")
    assert "Fehlgeschlagene E-Mails" in overview.text


async def test_retry_puts_a_failed_mail_back_in_the_queue_and_it_is_delivered(
    logged_in_client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    settings: Settings,
    deliver: Callable[..., Awaitable[Sink]],
    sink: Sink,
) -> None:
    row = await _failed_mail(db_session, settings)
    response = await post_form(logged_in_client, f"/coordinator/mails/{row.id}/retry")
    assert response.status_code == 303
    assert response.headers["location"] == "/coordinator/mails"
    fresh = await db_session.get(OutboxMessage, row.id, populate_existing=True)
    assert fresh is not None
    assert fresh.status == OutboxStatus.PENDING
    assert fresh.attempts == 0
    assert fresh.next_attempt_at <= dt.datetime.now(dt.UTC)
    await deliver()
    assert len(sink.to("kaputt@example.org")) == 1
    assert str(sink.to("kaputt@example.org")[0]["Message-ID"]) == row.message_id
    again = await post_form(logged_in_client, f"/coordinator/mails/{row.id}/retry")
    assert again.status_code == 409


async def test_retry_of_an_unknown_mail_answers_404(logged_in_client: AsyncTestClient[Litestar]) -> None:
    response = await post_form(logged_in_client, "/coordinator/mails/00000000-0000-0000-0000-000000000000/retry")
    assert response.status_code == 404


async def test_dev_mode_mail_page_lists_captured_mails_with_text_links_and_escaped_html(
    settings: Settings, staff_user: object
) -> None:
    dev = replace(settings, dev_mode=True)
    dev.sink_dir.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(dev.sink_dir, create=True)
    raw = build_mime(
        sender="Job für Zwei <noreply@jobfuerzwei.example>",
        to="partner@example.org",
        subject="Bitte bestätigen Sie Ihr Profil",
        text=f"Guten Tag,\n\nbitte bestätigen Sie hier: {BASE_URL}/confirm/abc123\n",
        html=f'<p>Bitte <a href="{BASE_URL}/confirm/abc123">bestätigen</a> Sie.</p><script>alert(1)</script>',
        message_id="<test-1@jobfuerzwei.example>",
        date=dt.datetime.now(dt.UTC),
    )
    key = box.add(raw)
    async with AsyncTestClient(app=create_app(dev), base_url=BASE_URL) as client:
        assert (await login(client)).status_code == 303
        listing = await client.get("/coordinator/mails")
        assert listing.status_code == 200
        assert "Bitte bestätigen Sie Ihr Profil" in listing.text
        assert "partner@example.org" in listing.text
        detail = await client.get(f"/coordinator/mails/sink/{key}")
        assert detail.status_code == 200
        assert f'href="{BASE_URL}/confirm/abc123"' in detail.text
        assert "bitte bestätigen Sie hier" in detail.text
        assert "<script>alert(1)</script>" not in detail.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail.text
        assert (await client.get("/coordinator/mails/sink/no-such-key")).status_code == 404

"""A circulation while the SMTP server is down, then back: every member gets its mail exactly once."""

from __future__ import annotations

import dataclasses
from collections import Counter

from aiosmtpd.controller import Controller
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.mail.worker import OutboxWorker
from tests.circulation.helpers import circulate, make_member, make_profile
from tests.conftest import Sink, free_port
from tests.mail.helpers import drain

Client = AsyncTestClient[Litestar]


async def test_circulation_during_smtp_outage_is_delivered_once_when_the_server_is_back(
    coordinator: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    members = [
        await make_member(
            db_session, f"Klinik {i}", "Pflege", emails=[f"a{i}@klinik{i}.example", f"b{i}@klinik{i}.example"]
        )
        for i in range(5)
    ]
    profile = await make_profile(db_session, allowed=members)
    response = await circulate(coordinator, profile, members)
    assert response.status_code == 303
    progress_path = response.headers["location"] + "/progress"

    port = free_port()  # nothing listens: the server is down
    mail = dataclasses.replace(settings.mail, port=port, backoff_base_seconds=0.05)
    worker = OutboxWorker(mail, session_maker)
    for _ in range(3):
        await worker.run_once()
    await worker.close()
    progress = (await coordinator.get(progress_path)).json()
    assert (progress["sent"], progress["waiting"], progress["failed"]) == (0, 10, 0)

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await drain(session_maker, mail)
    finally:
        controller.stop()
    received = Counter(rcpt for envelope in sink.envelopes for rcpt in envelope.rcpt_tos)
    assert received == Counter({f"{x}{i}@klinik{i}.example": 1 for i in range(5) for x in "ab"})
    progress = (await coordinator.get(progress_path)).json()
    assert (progress["sent"], progress["waiting"], progress["failed"]) == (10, 0, 0)

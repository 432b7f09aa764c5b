from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections import Counter
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.mail.models import OutboxMessage, OutboxStatus
from jobfuerzwei.mail.worker import OutboxWorker
from tests.conftest import Sink, free_port
from tests.mail.helpers import drain, enqueue_many, status_counts


def _ids(sink: Sink) -> Counter[str]:
    return Counter(str(m["Message-ID"]) for m in sink.messages)


async def test_worker_delivers_each_row_once_with_its_stable_message_id(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession], sink: Sink
) -> None:
    await enqueue_many(session_maker, settings, 25)
    await drain(session_maker, settings.mail)
    async with session_maker() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert _ids(sink) == Counter({r.message_id: 1 for r in rows})
    assert sorted(e.rcpt_tos[0] for e in sink.envelopes) == sorted(r.to_addr for r in rows)


async def test_transient_refusals_are_retried_until_delivered_once(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession], sink: Sink
) -> None:
    sink.refuse = 4
    await enqueue_many(session_maker, settings, 6)
    await drain(session_maker, settings.mail)
    assert len(sink.envelopes) == 6
    assert max(_ids(sink).values()) == 1
    async with session_maker() as session:
        attempts = sorted(r.attempts for r in await session.scalars(select(OutboxMessage)))
    assert attempts[-1] >= 2  # some rows needed a second attempt


class _RefuseOne:
    def __init__(self, bad: str) -> None:
        self.bad = bad
        self.envelopes: list[Any] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address == self.bad:
            return "550 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"


async def test_permanent_refusal_marks_only_that_row_failed(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    handler = _RefuseOne("m1@example.org")
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mail = dataclasses.replace(settings.mail, port=port)
        await enqueue_many(session_maker, settings, 3)
        await drain(session_maker, mail)
    finally:
        controller.stop()
    async with session_maker() as session:
        rows = {r.to_addr: r for r in await session.scalars(select(OutboxMessage))}
    assert rows["m1@example.org"].status == OutboxStatus.FAILED
    assert rows["m1@example.org"].last_error.startswith("550")
    assert {rows["m0@example.org"].status, rows["m2@example.org"].status} == {OutboxStatus.SENT}
    assert len(handler.envelopes) == 2


async def test_smtp_outage_then_recovery_delivers_every_mail_exactly_once(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    port = free_port()  # nothing listens here yet: the server is "down"
    mail = dataclasses.replace(settings.mail, port=port, backoff_base_seconds=0.05)
    await enqueue_many(session_maker, settings, 40)
    worker = OutboxWorker(mail, session_maker)
    for _ in range(3):
        await worker.run_once()
    counts = await status_counts(session_maker)
    assert counts[OutboxStatus.SENT] == 0
    assert counts[OutboxStatus.PENDING] == 40
    await worker.close()

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await drain(session_maker, mail)
    finally:
        controller.stop()
    assert len(sink.envelopes) == 40
    assert set(_ids(sink).values()) == {1}
    assert (await status_counts(session_maker))[OutboxStatus.SENT] == 40


async def test_row_of_a_vanished_worker_is_taken_over_after_its_lease(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession], sink: Sink
) -> None:
    await enqueue_many(session_maker, settings, 2)
    async with session_maker() as session, session.begin():
        await session.execute(
            update(OutboxMessage).values(
                status=OutboxStatus.SENDING, claimed_by="dead-worker", claimed_until=utcnow() - dt.timedelta(seconds=1)
            )
        )
    await drain(session_maker, settings.mail)
    assert len(sink.envelopes) == 2


async def test_row_under_a_live_lease_is_left_alone(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession], sink: Sink
) -> None:
    await enqueue_many(session_maker, settings, 1)
    async with session_maker() as session, session.begin():
        await session.execute(
            update(OutboxMessage).values(
                status=OutboxStatus.SENDING, claimed_by="busy-worker", claimed_until=utcnow() + dt.timedelta(minutes=5)
            )
        )
    worker = OutboxWorker(settings.mail, session_maker)
    assert await worker.run_once() == 0
    await worker.close()
    assert sink.envelopes == []


async def test_two_workers_never_send_the_same_row(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession], sink: Sink
) -> None:
    mail = dataclasses.replace(settings.mail, batch_size=7)
    await enqueue_many(session_maker, settings, 120)
    a, b = OutboxWorker(mail, session_maker), OutboxWorker(mail, session_maker)

    async def loop(worker: OutboxWorker) -> int:
        handled = 0
        while n := await worker.run_once():
            handled += n
        await worker.close()
        return handled

    handled = await asyncio.gather(loop(a), loop(b))
    assert sum(handled) == 120
    assert len(sink.envelopes) == 120
    assert set(_ids(sink).values()) == {1}


class _VanishAfterData:
    """Takes the message, then drops the connection instead of answering."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        server.transport.abort()
        return "250 OK"


async def test_lost_answer_after_release_is_flagged_uncertain_and_not_sent_again(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    handler = _VanishAfterData()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mail = dataclasses.replace(settings.mail, port=port)
        await enqueue_many(session_maker, settings, 1)
        await drain(session_maker, mail)
        await drain(session_maker, mail)  # a second round must not send it again
    finally:
        controller.stop()
    async with session_maker() as session:
        row = await session.scalar(select(OutboxMessage))
    assert row is not None
    assert row.status == OutboxStatus.FAILED
    assert row.last_error.startswith("delivery uncertain")
    assert len(handler.envelopes) == 1


async def test_row_left_releasing_by_a_vanished_worker_is_flagged_not_resent(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession], sink: Sink
) -> None:
    await enqueue_many(session_maker, settings, 1)
    async with session_maker() as session, session.begin():
        await session.execute(
            update(OutboxMessage).values(
                status=OutboxStatus.RELEASING,
                claimed_by="dead-worker",
                claimed_until=utcnow() - dt.timedelta(seconds=1),
            )
        )
    worker = OutboxWorker(settings.mail, session_maker)
    assert await worker.run_once() == 0
    await worker.close()
    assert sink.envelopes == []
    async with session_maker() as session:
        row = await session.scalar(select(OutboxMessage))
    assert row is not None
    assert row.status == OutboxStatus.FAILED
    assert "uncertain" in row.last_error

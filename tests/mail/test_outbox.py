from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.mail.models import OutboxBody, OutboxMessage
from jobfuerzwei.mail.outbox import delete_for_profile, enqueue_many
from tests.circulation.helpers import make_profile
from tests.conftest import Sink
from tests.mail.helpers import drain


async def _count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_bulk_mails_share_one_body_and_each_gets_its_own_values(
    settings: Settings, session_maker: async_sessionmaker[AsyncSession], db_session: AsyncSession, sink: Sink
) -> None:
    profile = await make_profile(db_session)
    async with session_maker() as session, session.begin():
        count = await enqueue_many(
            session,
            settings,
            template="profile_circulated",
            subject="Neues Profil",
            text="Ihr Link: http://x/e/@@T@@\n",
            html='<a href="http://x/e/@@T@@">Profil</a>',
            recipients=[(f"m{i}@example.org", {"@@T@@": f"token{i}"}) for i in range(3)],
            profile_id=profile.id,
        )
    assert count == 3
    assert await _count(db_session, OutboxBody) == 1
    await drain(session_maker, settings.mail)
    by_rcpt = {m["To"]: m for m in sink.messages}
    for i in range(3):
        message = by_rcpt[f"m{i}@example.org"]
        assert f"http://x/e/token{i}" in message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        assert f"http://x/e/token{i}" in message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]

    async with session_maker() as session, session.begin():
        assert await delete_for_profile(session, profile.id) == 3
    assert await _count(db_session, OutboxMessage) == 0
    assert await _count(db_session, OutboxBody) == 0

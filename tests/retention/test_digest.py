"""The coordinators' weekly digest: the week's figures and reference numbers, once per week, to active coordinators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei import maintenance
from jobfuerzwei.circulation.models import Answer, Circulation, CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.coordinator.digest import send_coordinator_digest
from jobfuerzwei.coordinator.models import CoordinatorDigest
from jobfuerzwei.dataprotection.models import PurgeRun, PurgeTrigger
from jobfuerzwei.mail.models import OutboxMessage, OutboxStatus
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.profiles.models import ProfileStatus
from jobfuerzwei.referrals.models import ReferralState
from jobfuerzwei.staff.models import StaffRole
from tests.retention.conftest import make_member, make_profile
from tests.retention.helpers import DAY, referral, staff

MONDAY = dt.datetime(2026, 11, 30, 7, 0, tzinfo=dt.UTC)
"""Monday 08:00 in Germany: the default digest day and hour (7:00) have come."""


async def _send(session_maker: async_sessionmaker[AsyncSession], settings: Settings, now: dt.datetime) -> int:
    async with session_maker() as session, session.begin():
        return await send_coordinator_digest(session, settings, now)


async def _week(session: AsyncSession, settings: Settings) -> dict[str, str]:
    """A week of work before ``MONDAY`` and some older; returns reference numbers by role."""
    member = await make_member(session, "Klinik am See", email="personal@klinik.example")
    waiting_new = await make_profile(session, confirmed_at=MONDAY - 2 * DAY)
    waiting_old = await make_profile(session, confirmed_at=MONDAY - 20 * DAY)
    await make_profile(session, status=ProfileStatus.APPROVED, confirmed_at=MONDAY - 3 * DAY)
    old = MONDAY - 60 * DAY
    placed = await make_profile(session, status=ProfileStatus.PLACED, confirmed_at=old, placed_at=MONDAY - 3 * DAY)
    await make_profile(session, status=ProfileStatus.PLACED, confirmed_at=old, placed_at=MONDAY - 30 * DAY)
    stalled = await make_profile(session, status=ProfileStatus.APPROVED, confirmed_at=MONDAY - 60 * DAY)
    await referral(session, stalled, member, state=ReferralState.INTERESTED, moved_at=MONDAY - 20 * DAY)
    for created, count, answers in (
        (MONDAY - DAY, 3, [Answer.INTERESTED, Answer.NO_FIT, None]),
        (MONDAY - 10 * DAY, 5, [Answer.INTERESTED]),
    ):
        profile = await make_profile(session, status=ProfileStatus.APPROVED, confirmed_at=MONDAY - 60 * DAY)
        circulation = Circulation(profile_id=profile.id, recipient_count=count, created_at=created)
        session.add(circulation)
        await session.flush()
        for i, answer in enumerate(answers):
            other = await make_member(session, f"Mitglied {created.day}-{i}", email=f"m{created.day}{i}@x.example")
            session.add(
                CirculationRecipient(
                    circulation_id=circulation.id,
                    profile_id=profile.id,
                    member_id=other.id,
                    answer=answer,
                    answered_at=created + dt.timedelta(hours=2) if answer else None,
                    created_at=created,
                )
            )
    for when in (MONDAY - DAY, MONDAY - 10 * DAY):
        row = enqueue(session, settings, template="smtp_check", to="kaputt@example.org", context={"name": "x"})
        await session.flush()
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id == row.id).values(status=OutboxStatus.FAILED, updated_at=when)
        )
    await session.commit()
    await staff(session, "eins@ihk.example")
    await staff(session, "zwei@ihk.example")
    await staff(session, "ehemalig@ihk.example", active=False)
    await staff(session, "beobachtung@agentur.example", role=StaffRole.OBSERVER)
    return {
        "waiting_new": waiting_new.reference,
        "waiting_old": waiting_old.reference,
        "placed": placed.reference,
        "stalled": stalled.reference,
    }


async def test_weekly_digest_has_the_weeks_figures_and_goes_out_once_a_week(
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    deliver: Callable[..., Any],
) -> None:
    refs = await _week(db_session, settings)

    assert await _send(session_maker, settings, MONDAY) == 2
    sink = await deliver()
    digests = [m for m in sink.messages if "Wochenübersicht" in str(m["Subject"])]
    assert sorted(str(m["To"]) for m in digests) == ["eins@ihk.example", "zwei@ihk.example"]
    assert "bis 30.11.2026" in str(digests[0]["Subject"])
    text = str(digests[0].get_body(preferencelist=("plain",)).get_content())
    assert f"Zur Prüfung warten 2 Profile: {refs['waiting_old']}, {refs['waiting_new']}" in text
    assert "(davon 2 diese Woche bestätigt)" in text  # one of them already approved
    assert "Weitergaben: 1 Versandrunde an zusammen 3 Mitglieder" in text
    assert "Antworten: 1 mit Interesse, 1 ohne passendes Angebot" in text
    assert "Vermittlungen ohne Bewegung seit 14 Tagen oder mehr: 1" in text
    assert f"{refs['stalled']}: Interesse bekundet, seit 20 Tagen" in text
    assert f"Einstellungen: 1 ({refs['placed']})" in text
    assert "Fehlgeschlagene E-Mails: 1" in text
    for name in ("Bernd", "Beispiel", "Anna", "Klinik"):
        assert name not in text

    # once per week: again on Monday, on Tuesday, before the hour next Monday; then the next week's
    for later in (MONDAY, MONDAY + DAY, MONDAY + 7 * DAY - dt.timedelta(hours=2)):
        assert await _send(session_maker, settings, later) == 0
    assert await _send(session_maker, settings, MONDAY + 7 * DAY) == 2
    async with session_maker() as session:
        weeks = list(await session.scalars(select(CoordinatorDigest.week_of).order_by(CoordinatorDigest.week_of)))
    assert weeks == [dt.date(2026, 11, 30), dt.date(2026, 12, 7)]


async def test_maintenance_run_logs_the_purge_and_survives_a_restart_without_resending(
    db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await staff(db_session, "eins@ihk.example")
    await maintenance.run_once(session_maker, settings, MONDAY)
    await maintenance.run_once(session_maker, settings, MONDAY + dt.timedelta(hours=1))  # restarted worker
    async with session_maker() as session:
        runs = list(await session.scalars(select(PurgeRun)))
        digests = await session.scalar(select(func.count()).select_from(CoordinatorDigest))
        mails = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.template == "coordinator_digest")
        )
    assert [r.trigger for r in runs] == [PurgeTrigger.SCHEDULED] * 2
    assert (digests, mails) == (1, 1)

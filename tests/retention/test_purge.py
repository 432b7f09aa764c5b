"""The retention rules with a moved clock: exactly the expected rows, CV files and mails go, everything else stays."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei import cli
from jobfuerzwei.audit.models import AuditAction, AuditEntry
from jobfuerzwei.circulation.answers import EmployerAccess
from jobfuerzwei.circulation.models import CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.coordinator.services import overview
from jobfuerzwei.dataprotection.models import PurgeRun, PurgeTrigger
from jobfuerzwei.dataprotection.retention import anonymise_referrals, run_purge
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.mail.models import OutboxMessage
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.profiles import services as profile_services
from jobfuerzwei.profiles.models import Profile, ProfileStatus
from jobfuerzwei.referrals.models import Actor, ContactRelease, Referral, ReferralEvent, ReferralState
from jobfuerzwei.tokens.models import LinkToken
from tests.retention.conftest import make_member
from tests.retention.helpers import DAY, outbox_for, profile_with_files, referral, status_path

LATER = utcnow() + dt.timedelta(days=365)
"""The moved clock: every test date is set relative to it."""


def _cv(settings: Settings, profile: Profile) -> Path:
    path = profile_services.cv_path(settings, profile)
    assert path is not None
    return path


@dataclass
class Population:
    """Profiles and referrals around the deadlines of ``LATER``, grouped by what the purge must do with them."""

    gone: list[Profile]
    asked: list[Profile]
    untouched: list[Profile]
    audited: set[UUID]
    gone_files: list[Path]
    kept_files: list[Path]
    anonymised: Referral
    kept_referrals: list[Referral]
    unrelated_mail: UUID


@pytest.fixture
async def population(db_session: AsyncSession, settings: Settings) -> Population:
    m1 = await make_member(db_session, "Erstes Mitglied GmbH", email="eins@erstes.example")
    m2 = await make_member(db_session, "Zweites Mitglied AG", email="zwei@zweites.example")
    approved = ProfileStatus.APPROVED

    async def build(cv: bool = True, **values: Any) -> Profile:
        return await profile_with_files(db_session, settings, cv=cv, **values)

    # deleted: unconfirmed for 8 days; asked 15 days ago after 200 days without activity (with a merged duplicate);
    # withdrawn and silent for 190 days
    unconfirmed_old = await build(status=ProfileStatus.UNCONFIRMED, created_at=LATER - 8 * DAY, last_activity_at=LATER)
    expired = await build(status=approved, last_activity_at=LATER - 200 * DAY, retention_asked_at=LATER - 15 * DAY)
    duplicate = await build(status=ProfileStatus.MERGED, merged_into_id=expired.id, last_activity_at=LATER - 200 * DAY)
    withdrawn_old = await build(cv=False, status=ProfileStatus.WITHDRAWN, last_activity_at=LATER - 190 * DAY)
    await referral(
        db_session, expired, m1, state=ReferralState.CLOSED, moved_at=LATER - 300 * DAY, note="Absage nach Gespräch"
    )
    await status_path(db_session, settings, expired)

    # asked now: 175 days without activity; paused and silent for 300 days; placed and asked in an earlier cycle
    due = await build(status=approved, last_activity_at=LATER - 175 * DAY)
    paused_old = await build(cv=False, status=ProfileStatus.PAUSED, last_activity_at=LATER - 300 * DAY)
    asked_last_cycle = await build(
        cv=False,
        status=ProfileStatus.PLACED,
        last_activity_at=LATER - 175 * DAY,
        retention_asked_at=LATER - 400 * DAY,
    )
    # untouched: unconfirmed for 6 days; asked only 10 days ago; active 100 days ago; rejected 100 days ago
    unconfirmed_new = await build(status=ProfileStatus.UNCONFIRMED, created_at=LATER - 6 * DAY, last_activity_at=LATER)
    asked_recently = await build(
        status=approved, last_activity_at=LATER - 200 * DAY, retention_asked_at=LATER - 10 * DAY
    )
    active = await build(status=approved, last_activity_at=LATER - 100 * DAY)
    rejected = await build(cv=False, status=ProfileStatus.REJECTED, last_activity_at=LATER - 100 * DAY)
    # referrals of survivors: closed 190 days ago (anonymised), hired 100 days ago (kept), open 300 days (kept)
    closed_old = await referral(
        db_session,
        active,
        m1,
        state=ReferralState.CLOSED,
        moved_at=LATER - 190 * DAY,
        note="Gehaltsvorstellung zu hoch",
        contact_release=ContactRelease.GRANTED,
    )
    hired_recent = await referral(
        db_session, active, m2, state=ReferralState.HIRED, moved_at=LATER - 100 * DAY, note="Start am 1."
    )
    open_old = await referral(
        db_session, asked_recently, m1, state=ReferralState.INTERESTED, moved_at=LATER - 300 * DAY, note="Bitte CV"
    )
    unrelated_mail = enqueue(db_session, settings, template="smtp_check", to="it@ihk.example", context={"name": "x"})
    await db_session.commit()
    return Population(
        gone=[unconfirmed_old, expired, duplicate, withdrawn_old],
        asked=[due, paused_old, asked_last_cycle],
        untouched=[unconfirmed_new, asked_recently, active, rejected],
        audited={unconfirmed_old.id, expired.id, withdrawn_old.id},
        gone_files=[_cv(settings, p) for p in (unconfirmed_old, expired, duplicate)],
        kept_files=[_cv(settings, p) for p in (due, unconfirmed_new, asked_recently, active)],
        anonymised=closed_old,
        kept_referrals=[hired_recent, open_old],
        unrelated_mail=unrelated_mail.id,
    )


async def test_purge_with_a_moved_clock_removes_exactly_what_it_should(
    population: Population, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    run = await run_purge(session_maker, settings, trigger=PurgeTrigger.SCHEDULED, now=LATER)

    assert (run.unconfirmed_deleted, run.inactive_deleted, run.inactive_asked) == (1, 2, 3)
    assert (run.referrals_anonymised, run.applications_deleted, run.failed_rules) == (1, 0, "")
    async with session_maker() as session:
        remaining = {p.id: p for p in await session.scalars(select(Profile))}
        assert set(remaining) == {p.id for p in population.asked + population.untouched}
        for profile in population.untouched:  # not asked again, clock not moved
            row = remaining[profile.id]
            assert (row.last_activity_at, row.retention_asked_at) == (
                profile.last_activity_at,
                profile.retention_asked_at,
            )
        for profile in population.asked:
            assert remaining[profile.id].retention_asked_at == LATER
        for profile in population.gone:
            for model in (LinkToken, CirculationRecipient, Referral):
                assert await session.scalar(select(func.count()).where(model.profile_id == profile.id)) == 0
        audited = {
            e.profile_id: e
            for e in await session.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.DELETED))
        }
        assert set(audited) == population.audited
        assert {e.actor_label for e in audited.values()} == {"Aufbewahrungsfrist"}
        assert {e.detail for e in audited.values()} == {
            "Ohne Einwilligung nach 7 Tagen",
            "Inaktiv seit 183 Tagen (approved)",
            "Inaktiv seit 183 Tagen (withdrawn)",
        }

    for path in population.gone_files:
        assert not path.exists()
    for path in population.kept_files:
        assert path.exists()
    for profile in population.gone:
        assert await outbox_for(session_maker, profile.id) == []
    for profile in population.untouched:
        assert [r.template for r in await outbox_for(session_maker, profile.id)] == ["smtp_check"]
    for profile in population.asked:
        templates = sorted(r.template for r in await outbox_for(session_maker, profile.id))
        assert templates == ["retention_ask", "smtp_check"]
    async with session_maker() as session:
        assert await session.get(OutboxMessage, population.unrelated_mail) is not None


async def test_purge_anonymises_only_long_closed_referrals(
    population: Population, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await run_purge(session_maker, settings, trigger=PurgeTrigger.SCHEDULED, now=LATER)

    async with session_maker() as session:
        closed = population.anonymised
        anonymised = await session.get(Referral, closed.id)
        assert anonymised is not None
        assert (anonymised.anonymised_at, anonymised.recipient_id) == (LATER, None)
        assert (anonymised.state, anonymised.close_reason) == (closed.state, closed.close_reason)
        assert (anonymised.contact_release, anonymised.contact_released_at) == (
            ContactRelease.GRANTED,
            closed.contact_released_at,
        )
        assert (anonymised.member_id, anonymised.updated_at) == (closed.member_id, closed.updated_at)
        events = list(await session.scalars(select(ReferralEvent).where(ReferralEvent.referral_id == closed.id)))
        assert [(e.to_state, e.actor, e.note) for e in sorted(events, key=lambda e: e.created_at)] == [
            (ReferralState.INTERESTED, Actor.EMPLOYER, ""),
            (ReferralState.CLOSED, Actor.COORDINATOR, ""),
        ]
        for kept in population.kept_referrals:
            row = await session.get(Referral, kept.id)
            assert row is not None
            assert (row.anonymised_at, row.recipient_id) == (None, kept.recipient_id)
            notes = set(await session.scalars(select(ReferralEvent.note).where(ReferralEvent.referral_id == kept.id)))
            assert notes - {""}


async def test_a_second_run_with_the_same_clock_does_nothing_and_both_runs_are_logged(
    population: Population, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    await run_purge(session_maker, settings, trigger=PurgeTrigger.SCHEDULED, now=LATER)
    again = await run_purge(session_maker, settings, trigger=PurgeTrigger.SCHEDULED, now=LATER)

    counts = (again.unconfirmed_deleted, again.inactive_asked, again.inactive_deleted, again.referrals_anonymised)
    assert counts == (0, 0, 0, 0)  # in particular, nobody is asked twice
    async with session_maker() as session:
        runs = list(await session.scalars(select(PurgeRun).order_by(PurgeRun.created_at)))
    assert [(r.trigger, r.inactive_asked) for r in runs] == [(PurgeTrigger.SCHEDULED, 3), (PurgeTrigger.SCHEDULED, 0)]
    assert runs[0].finished_at is not None
    assert runs[0].finished_at >= runs[0].started_at == LATER


async def test_asked_profiles_are_deleted_only_after_the_full_notice_period(
    db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    # far past the deadline when the question finally goes out (the worker was down): still 14 days to answer
    late = await profile_with_files(
        db_session, settings, status=ProfileStatus.APPROVED, last_activity_at=LATER - 400 * DAY
    )
    run = await run_purge(session_maker, settings, trigger=PurgeTrigger.SCHEDULED, now=LATER)
    assert (run.inactive_asked, run.inactive_deleted) == (1, 0)

    run = await run_purge(session_maker, settings, trigger=PurgeTrigger.SCHEDULED, now=LATER + 13 * DAY)
    assert (run.inactive_asked, run.inactive_deleted) == (0, 0)
    run = await run_purge(session_maker, settings, trigger=PurgeTrigger.SCHEDULED, now=LATER + 14 * DAY)
    assert (run.inactive_asked, run.inactive_deleted) == (0, 1)
    async with session_maker() as session:
        assert await session.get(Profile, late.id) is None


async def test_anonymising_closed_referrals_keeps_the_coordinators_figures(
    db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    members = [await make_member(db_session, f"Mitglied {i}", email=f"m{i}@mitglied.example") for i in range(3)]
    placed = await profile_with_files(
        db_session, settings, status=ProfileStatus.PLACED, placed_at=LATER - 250 * DAY, last_activity_at=LATER
    )
    hired = await referral(
        db_session,
        placed,
        members[0],
        state=ReferralState.HIRED,
        moved_at=LATER - 250 * DAY,
        note="Vertrag unterschrieben",
        contact_release=ContactRelease.GRANTED,
    )
    await referral(db_session, placed, members[1], state=ReferralState.CLOSED, moved_at=LATER - 250 * DAY, note="x")
    await referral(db_session, placed, members[2], state=ReferralState.CLOSED, moved_at=LATER - 20 * DAY, note="y")
    async with session_maker() as session:
        figures = await overview(session)
        access = EmployerAccess(
            recipient=await session.get(CirculationRecipient, hired.recipient_id),  # type: ignore[arg-type]
            profile=placed,
            referral=await session.get(Referral, hired.id),
        )
        assert access.show_contact

    async with session_maker() as session, session.begin():
        assert await anonymise_referrals(session, settings, LATER) == 2

    async with session_maker() as session:
        after = await overview(session)
        assert (after.profiles, after.referrals, after.placements) == (
            figures.profiles,
            figures.referrals,
            figures.placements,
        )
        access = EmployerAccess(
            recipient=access.recipient, profile=placed, referral=await session.get(Referral, hired.id)
        )
        assert not access.show_contact  # the member's portal no longer shows the partner's contact details


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, settings: Settings) -> None:
    monkeypatch.setenv("JFZ_DATABASE_URL", database_url)
    monkeypatch.setenv("JFZ_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("JFZ_BASE_URL", "https://jobfuerzwei.example.org")
    monkeypatch.setenv("JFZ_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("JFZ_DATA_DIR", str(settings.data_dir))


def test_purge_command_prints_the_counts_and_logs_the_run(
    cli_env: None,
    settings: Settings,
    session_maker: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = utcnow()

    async def setup() -> None:
        async with session_maker() as session:
            await profile_with_files(
                session, settings, status=ProfileStatus.UNCONFIRMED, created_at=now - 10 * DAY, partner_name="Maria X"
            )
            await profile_with_files(
                session, settings, status=ProfileStatus.WITHDRAWN, last_activity_at=now - 200 * DAY
            )
            await profile_with_files(session, settings, status=ProfileStatus.APPROVED, last_activity_at=now - 170 * DAY)

    async def runs() -> list[PurgeRun]:
        async with session_maker() as session:
            return list(await session.scalars(select(PurgeRun)))

    asyncio.run(setup())
    assert cli.main(["purge"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "purged 1 unconfirmed profile(s)",
        "asked 1 partner(s) whether to keep their inactive profile",
        "deleted 1 inactive profile(s)",
        "anonymised 0 closed referral(s)",
        "purged 0 declined membership application(s)",
        "purged 0 audit log entr(y/ies) past their retention",
        "purged 0 invitation(s) of past meetings",
    ]
    assert "Maria" not in out
    [run] = asyncio.run(runs())
    assert run.trigger == PurgeTrigger.CLI
    assert (run.unconfirmed_deleted, run.inactive_asked, run.inactive_deleted) == (1, 1, 1)

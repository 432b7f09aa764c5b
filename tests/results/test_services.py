"""Figures against the fixture network's hand-computed answers (see ``conftest``)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from jobfuerzwei.profiles.models import ProfileKind, ProfileStatus
from jobfuerzwei.referrals.models import CloseReason, Referral, ReferralState
from jobfuerzwei.results import lists, services
from jobfuerzwei.results.filters import Filters, parse_filters
from jobfuerzwei.results.services import MonthCount
from tests.coordinator.conftest import make_member, make_profile
from tests.results.conftest import Network, at


def _funnel(figures: services.Figures) -> list[int]:
    return [step.reached for step in figures.funnel]


def _members(figures: services.Figures) -> dict[str, tuple[int, int, int, float | None]]:
    return {m.name: (m.received, m.answered, m.interested, m.median_answer_days) for m in figures.members}


async def test_figures_of_the_whole_network(db_session: AsyncSession, network: Network) -> None:
    figures = await services.figures(db_session, Filters())

    assert figures.profiles[ProfileStatus.PLACED] == {ProfileKind.PARTNER: 2, ProfileKind.JOB_TO_JOB: 1}
    assert figures.profiles[ProfileStatus.APPROVED] == {ProfileKind.PARTNER: 1, ProfileKind.JOB_TO_JOB: 0}
    assert figures.profiles[ProfileStatus.CONFIRMED][ProfileKind.PARTNER] == 1
    assert figures.profiles[ProfileStatus.UNCONFIRMED][ProfileKind.PARTNER] == 1
    assert figures.profile_total == 6
    assert figures.profiles_of_kind(ProfileKind.JOB_TO_JOB) == 1

    assert (figures.circulations, figures.recipients, figures.answered, figures.interested) == (4, 10, 7, 5)
    assert figures.answer_rate == pytest.approx(0.7)
    assert figures.median_answer_days == pytest.approx(2.0)
    assert _members(figures) == {
        "Alpha & Söhne <Technik>": (3, 2, 1, 1.25),  # medians of whole and half days are exact floats
        "Beta Pflege gGmbH": (4, 3, 3, 3.0),
        "Gamma Werke AG": (3, 2, 1, 2.25),
    }
    assert [m.rate for m in figures.members] == pytest.approx([2 / 3, 0.75, 2 / 3])

    assert [s.state for s in figures.funnel] == list(services.FUNNEL)
    assert _funnel(figures) == [5, 5, 4, 3, 3]
    assert figures.funnel[2].share == pytest.approx(0.8)
    assert figures.referral_states == {
        ReferralState.INTERESTED: 0,
        ReferralState.IN_CONTACT: 0,
        ReferralState.INTERVIEW: 1,
        ReferralState.OFFER: 0,
        ReferralState.HIRED: 3,
        ReferralState.CLOSED: 1,
    }
    assert figures.close_reasons[CloseReason.EMPLOYER_DECLINED] == 1

    assert figures.placements == 3
    assert figures.median_days_to_hire == pytest.approx(61.0)
    assert figures.placements_by_month == [
        MonthCount(dt.date(2025, 3, 1), 2),
        MonthCount(dt.date(2025, 4, 1), 1),
    ]


async def test_period_filter_counts_each_figure_by_its_own_date(db_session: AsyncSession, network: Network) -> None:
    figures = await services.figures(db_session, Filters(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31)))

    assert figures.profile_total == 1  # P4, registered on 1 March
    assert (figures.circulations, figures.recipients, figures.answered, figures.interested) == (1, 2, 1, 1)
    assert figures.median_answer_days == pytest.approx(5.0)
    assert _members(figures) == {"Beta Pflege gGmbH": (1, 1, 1, 5.0), "Gamma Werke AG": (1, 0, 0, None)}
    assert _funnel(figures) == [1, 1, 1, 0, 0]  # R5 only
    assert figures.placements == 2  # P1 and P3
    assert figures.median_days_to_hire == pytest.approx(50.5)
    assert figures.placements_by_month == [MonthCount(dt.date(2025, 3, 1), 2)]


async def test_sector_filter_uses_the_member_of_each_figure(db_session: AsyncSession, network: Network) -> None:
    figures = await services.figures(db_session, Filters(sector="Pflege"))

    assert figures.profile_total == 1  # P2, recruited by B
    assert (figures.circulations, figures.recipients, figures.answered, figures.interested) == (4, 4, 3, 3)
    assert figures.median_answer_days == pytest.approx(3.0)
    assert list(_members(figures)) == ["Beta Pflege gGmbH"]
    assert _funnel(figures) == [3, 3, 2, 1, 1]  # R1, R3, R5
    assert figures.placements == 1  # P2, hired by B
    assert figures.median_days_to_hire == pytest.approx(70.0)

    machines = await services.figures(db_session, Filters(sector="Maschinenbau"))
    assert machines.profile_total == 3  # P1, P4 (recruited by A) and P3 (released by C)
    assert machines.placements == 2  # P1 hired by C, P3 hired by A


async def test_kind_filter(db_session: AsyncSession, network: Network) -> None:
    figures = await services.figures(db_session, Filters(kind=ProfileKind.JOB_TO_JOB))

    assert figures.profile_total == 1
    assert (figures.circulations, figures.recipients, figures.answered, figures.interested) == (1, 2, 1, 1)
    assert figures.median_answer_days == pytest.approx(1.5)
    assert _funnel(figures) == [1, 1, 1, 1, 1]
    assert figures.placements == 1
    assert figures.median_days_to_hire == pytest.approx(40.0)


async def test_empty_selection_has_zeros_and_no_medians(db_session: AsyncSession, network: Network) -> None:
    figures = await services.figures(db_session, Filters(start=dt.date(2030, 1, 1), end=dt.date(2030, 2, 28)))

    assert figures.profile_total == 0
    assert figures.answer_rate is None
    assert figures.median_answer_days is None
    assert figures.median_days_to_hire is None
    assert _funnel(figures) == [0, 0, 0, 0, 0]
    assert all(step.share is None for step in figures.funnel)
    assert figures.placements_by_month == [MonthCount(dt.date(2030, 1, 1), 0), MonthCount(dt.date(2030, 2, 1), 0)]


async def test_period_days_and_months_are_berlin_days(db_session: AsyncSession) -> None:
    # 31 May 22:30 UTC is 1 June 00:30 in Berlin (summer time).
    await make_profile(
        db_session, status=ProfileStatus.PLACED, approved_at=at("2025-05-01"), placed_at=at("2025-05-31", 22.5)
    )

    may = await services.figures(db_session, Filters(start=dt.date(2025, 5, 1), end=dt.date(2025, 5, 31)))
    june = await services.figures(db_session, Filters(start=dt.date(2025, 6, 1), end=dt.date(2025, 6, 30)))
    assert may.placements == 0
    assert june.placements == 1
    assert june.placements_by_month == [MonthCount(dt.date(2025, 6, 1), 1)]


async def test_yearly_filter_covers_twelve_months(db_session: AsyncSession, network: Network) -> None:
    figures = await services.figures(db_session, Filters.year(2025))

    assert [m.count for m in figures.placements_by_month] == [0, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert figures.profile_total == 6


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"from": "2025-13-01"}, "from"),
        ({"to": "gestern"}, "to"),
        ({"from": "1999-12-31"}, "from"),
        ({"from": "2025-03-02", "to": "2025-03-01"}, "to"),
        ({"sector": "Raumfahrt"}, "sector"),
        ({"kind": "robot"}, "kind"),
    ],
)
def test_bad_filter_values_get_a_german_message(values: dict[str, str], field: str) -> None:
    chosen, errors = parse_filters(values, ["Pflege"])
    assert list(errors) == [field]
    assert chosen == Filters()


def test_filter_accepts_date_fields_and_typed_german_dates() -> None:
    chosen, errors = parse_filters(
        {"from": "01.03.2025", "to": "2025-03-31", "sector": "Pflege", "kind": "partner"}, ["Pflege"]
    )
    assert errors == {}
    assert chosen == Filters(dt.date(2025, 3, 1), dt.date(2025, 3, 31), "Pflege", ProfileKind.PARTNER)
    assert chosen.query() == {"from": "2025-03-01", "to": "2025-03-31", "sector": "Pflege", "kind": "partner"}


async def test_lists_leave_out_unconfirmed_profiles_and_page_in_sql(db_session: AsyncSession, network: Network) -> None:
    first = await lists.profile_rows(db_session, Filters(), per_page=2)
    second = await lists.profile_rows(db_session, Filters(), page=2, per_page=2)
    third = await lists.profile_rows(db_session, Filters(), page=3, per_page=2)

    assert first.total == 5
    assert first.pages == 3
    numbers = [r.number for r in [*first.items, *second.items, *third.items]]
    assert network.profiles["P6"].number not in numbers
    assert numbers == sorted(numbers, reverse=True)
    assert len(numbers) == 5

    placed = await lists.profile_rows(db_session, Filters(), status=ProfileStatus.PLACED)
    assert placed.total == 3

    referrals = await lists.referral_rows(db_session, Filters(sector="Pflege"), state=ReferralState.HIRED)
    assert [r.number for r in referrals.items] == [network.profiles["P2"].number]
    assert referrals.items[0].placed_at == at("2025-04-14")


async def test_figures_cost_a_fixed_number_of_queries(db_session: AsyncSession, engine: AsyncEngine) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        await services.figures(db_session, Filters())
        empty = len(statements)
        statements.clear()
        for i in range(4):
            member = await make_member(db_session, f"Mitglied {i}", email=f"m{i}@example.org")
            profile = await make_profile(db_session, status=ProfileStatus.PLACED, placed_at=at("2025-01-02"))
            db_session.add(Referral(profile_id=profile.id, member_id=member.id, state=ReferralState.HIRED))
        await db_session.commit()
        statements.clear()
        await services.figures(db_session, Filters(sector="Maschinenbau"))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    # PostgreSQL: SET LOCAL work_mem, and the answer medians in SQL (overall and per member, one statement) instead
    # of one fetch
    assert len(statements) == empty == (8 if engine.dialect.name == "postgresql" else 7)


async def test_referral_rows_date_the_last_step_not_the_last_touch(db_session: AsyncSession, network: Network) -> None:
    referral = network.referrals["R1"]
    referral.updated_at = at("2026-01-01")  # e.g. a reminder was recorded
    db_session.add(referral)
    await db_session.commit()

    rows = await lists.referral_rows(db_session, Filters(), state=ReferralState.CLOSED)
    assert [r.changed_at for r in rows.items] == [at("2025-02-01")]

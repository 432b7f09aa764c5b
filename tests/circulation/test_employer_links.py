from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.circulation.models import Answer
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import Member
from jobfuerzwei.profiles.models import Consent, ConsentKind, Profile, ProfileStatus
from jobfuerzwei.referrals import services as referral_services
from jobfuerzwei.referrals.models import Actor, ContactRelease, Referral, ReferralState
from jobfuerzwei.tokens.models import LinkToken
from tests.circulation.helpers import (
    PARTNER_EMAIL,
    PARTNER_NAME,
    PARTNER_PHONE,
    PDF,
    add_cv,
    circulate,
    make_member,
    make_profile,
    path_of,
    post,
    recipients,
)
from tests.conftest import Sink, csrf_token, links_in

Client = AsyncTestClient[Litestar]


async def circulated(
    coordinator: Client, db_session: AsyncSession, deliver: Callable[..., Any], *names: str
) -> tuple[Profile, list[Member], Sink]:
    members = [await make_member(db_session, name, "Pflege") for name in names or ("Kliniken Ostalb",)]
    profile = await make_profile(db_session, allowed=members)
    assert (await circulate(coordinator, profile, members)).status_code == 303
    return profile, members, await deliver()


def profile_link(sink: Sink, address: str) -> str:
    (message,) = sink.to(address)
    return path_of(links_in(message)[0])


async def referrals_of(session_maker: async_sessionmaker[AsyncSession], profile_id: Any) -> list[Referral]:
    async with session_maker() as session:
        return list(await session.scalars(select(Referral).where(Referral.profile_id == profile_id)))


async def test_employer_link_shows_the_full_profile_without_name_contact_and_cv(
    coordinator: Client, db_session: AsyncSession, deliver: Callable[..., Any], settings: Settings
) -> None:
    profile, _, sink = await circulated(coordinator, db_session, deliver)
    await add_cv(db_session, settings, profile)
    link = profile_link(sink, "personal@kliniken-ostalb.example")
    coordinator.cookies.clear()  # the employer has no login

    page = await coordinator.get(link)

    assert page.status_code == 200
    for visible in (
        profile.reference,
        "Pflegefachkraft",
        "Berufsausbildung",
        "6 Jahre",
        "Stationsdienst",
        "Wundversorgung",
        "Englisch (B2)",
        "Vollzeit oder Teilzeit",
        "01.04.2027",
        "Ellwangen",
        "25 km um 73430",
    ):
        assert visible in page.text
    for hidden in (PARTNER_NAME, PARTNER_EMAIL, PARTNER_PHONE, "Lebenslauf herunterladen"):
        assert hidden not in page.text
    assert "no-store" in page.headers["cache-control"]
    assert (await coordinator.get(f"{link}/cv")).status_code == 404


async def test_answer_link_get_changes_nothing_and_post_records_once(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
) -> None:
    profile, _, sink = await circulated(coordinator, db_session, deliver)
    link = profile_link(sink, "personal@kliniken-ostalb.example")

    confirm = await coordinator.get(f"{link}/answer/no_fit")
    assert confirm.status_code == 200
    assert "kein passendes Angebot" in confirm.text
    assert f'action="{link}/answer/no_fit"' in confirm.text
    (row,) = await recipients(session_maker, profile.id)
    assert row.answer is None

    first = await post(coordinator, f"{link}/answer/no_fit")
    assert first.status_code == 303
    assert first.headers["location"] == link
    (row,) = await recipients(session_maker, profile.id)
    assert row.answer == Answer.NO_FIT
    answered_at = row.answered_at

    second = await post(coordinator, f"{link}/answer/interested")
    assert second.status_code == 200
    assert "bereits am" in second.text
    assert "Kein passendes Angebot" in second.text
    (row,) = await recipients(session_maker, profile.id)
    assert (row.answer, row.answered_at) == (Answer.NO_FIT, answered_at)
    assert await referrals_of(session_maker, profile.id) == []
    assert "Ihre Antwort:" in (await coordinator.get(link)).text


async def test_interest_opens_a_referral_and_tells_the_partner(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
) -> None:
    profile, (member,), sink = await circulated(coordinator, db_session, deliver)
    link = profile_link(sink, "personal@kliniken-ostalb.example")
    sink.clear()

    assert (await coordinator.get(f"{link}/answer/interested")).status_code == 200
    assert await referrals_of(session_maker, profile.id) == []
    response = await post(coordinator, f"{link}/answer/interested")
    assert response.status_code == 303
    assert (await post(coordinator, f"{link}/answer/interested")).status_code == 200  # double click

    (referral,) = await referrals_of(session_maker, profile.id)
    assert (referral.member_id, referral.state) == (member.id, ReferralState.INTERESTED)
    assert referral.contact_release == ContactRelease.PENDING
    assert [(e.from_state, e.to_state, e.actor) for e in referral.events] == [
        (None, ReferralState.INTERESTED, Actor.EMPLOYER)
    ]
    (mail,) = (await deliver()).messages
    assert str(mail["To"]) == PARTNER_EMAIL
    assert profile.reference in str(mail["Subject"])
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    assert "Kliniken Ostalb" in str(body.get_content())
    (status_link,) = links_in(mail)
    assert (await coordinator.get(path_of(status_link))).status_code != 410
    page = await coordinator.get(link)
    assert "Interesse bekundet" in page.text
    assert f"{link}/referral" in page.text


async def test_unknown_answer_is_404(
    coordinator: Client, db_session: AsyncSession, deliver: Callable[..., Any]
) -> None:
    _, _, sink = await circulated(coordinator, db_session, deliver)
    link = profile_link(sink, "personal@kliniken-ostalb.example")
    assert (await coordinator.get(f"{link}/answer/maybe")).status_code == 404
    assert (await post(coordinator, f"{link}/answer/maybe")).status_code == 404


@pytest.mark.parametrize("suffix", ["", "/answer/interested", "/cv", "/referral"])
async def test_forged_token_is_410(client: Client, suffix: str) -> None:
    response = await client.get(f"/e/erfundenes-token-0123456789abcdef{suffix}")
    assert response.status_code == 410
    assert "ungültig" in response.text


async def test_expired_token_is_410(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
) -> None:
    profile, _, sink = await circulated(coordinator, db_session, deliver)
    link = profile_link(sink, "personal@kliniken-ostalb.example")
    async with session_maker() as session:
        await session.execute(update(LinkToken).values(expires_at=utcnow() - dt.timedelta(minutes=1)))
        await session.commit()

    response = await coordinator.get(link)
    assert response.status_code == 410
    assert "abgelaufen" in response.text
    assert (await post(coordinator, f"{link}/answer/interested")).status_code == 410
    (row,) = await recipients(session_maker, profile.id)
    assert row.answer is None


async def test_coordinator_revokes_one_recipients_link(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
) -> None:
    profile, (first, second), sink = await circulated(
        coordinator, db_session, deliver, "Kliniken Ostalb", "Altenheim Sonnenhof"
    )
    first_link = profile_link(sink, "personal@kliniken-ostalb.example")
    second_link = profile_link(sink, "personal@altenheim-sonnenhof.example")
    rows = await recipients(session_maker, profile.id)
    row = next(r for r in rows if r.member_id == first.id)
    circulation_page = f"/coordinator/circulations/{row.circulation_id}"
    assert f"{circulation_page}/recipients/{row.id}/revoke" in (await coordinator.get(circulation_page)).text

    response = await post(coordinator, f"{circulation_page}/recipients/{row.id}/revoke")

    assert response.status_code == 303
    assert response.headers["location"] == circulation_page
    revoked = await coordinator.get(first_link)
    assert revoked.status_code == 410
    assert "widerrufen" in revoked.text
    assert (await coordinator.get(second_link)).status_code == 200
    other = next(r for r in rows if r.member_id == second.id)
    foreign = await post(
        coordinator, f"/coordinator/circulations/{other.circulation_id}/recipients/{profile.id}/revoke"
    )
    assert foreign.status_code == 404


async def test_withdrawn_profile_is_gone_for_employers(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
) -> None:
    _, _, sink = await circulated(coordinator, db_session, deliver)
    link = profile_link(sink, "personal@kliniken-ostalb.example")
    async with session_maker() as session:
        await session.execute(update(Profile).values(status=ProfileStatus.WITHDRAWN))
        await session.commit()
    assert (await coordinator.get(link)).status_code == 410


async def test_contact_details_and_cv_appear_only_after_the_partner_releases_them(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
    settings: Settings,
) -> None:
    profile, (member,), sink = await circulated(coordinator, db_session, deliver)
    await add_cv(db_session, settings, profile)
    link = profile_link(sink, "personal@kliniken-ostalb.example")
    await post(coordinator, f"{link}/answer/interested")
    (referral,) = await referrals_of(session_maker, profile.id)
    before = await coordinator.get(link)
    assert PARTNER_NAME not in before.text
    assert "Wir haben die Person über Ihr Interesse informiert." in before.text
    assert (await coordinator.get(f"{link}/cv")).status_code == 404
    await deliver()  # the partner's mail about the interest
    sink.clear()

    async with session_maker() as session:
        await referral_services.decide_contact_release(session, settings, referral.id, profile.id, granted=True)
        await session.commit()

    after = await coordinator.get(link)
    for visible in (PARTNER_NAME, PARTNER_EMAIL, PARTNER_PHONE, "Lebenslauf herunterladen"):
        assert visible in after.text
    cv = await coordinator.get(f"{link}/cv")
    assert cv.status_code == 200
    assert cv.content == PDF
    assert cv.headers["content-disposition"].startswith("attachment")
    assert profile.reference in cv.headers["content-disposition"]
    (mail,) = (await deliver()).messages
    assert str(mail["To"]) == "personal@kliniken-ostalb.example"
    assert PARTNER_NAME not in mail.as_string()
    (fresh_link,) = links_in(mail)
    assert PARTNER_NAME in (await coordinator.get(path_of(fresh_link))).text
    async with session_maker() as session:
        consents = list(await session.scalars(select(Consent).where(Consent.kind == ConsentKind.CONTACT_RELEASE)))
    assert [c.recipients for c in consents] == [[{"id": str(member.id), "name": member.name}]]


async def test_answer_page_post_needs_csrf(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
) -> None:
    profile, _, sink = await circulated(coordinator, db_session, deliver)
    link = profile_link(sink, "personal@kliniken-ostalb.example")
    await csrf_token(coordinator, link)
    response = await coordinator.post(f"{link}/answer/interested", data={}, follow_redirects=False)
    assert response.status_code == 403
    (row,) = await recipients(session_maker, profile.id)
    assert row.answer is None


@pytest.mark.parametrize("status", [ProfileStatus.PAUSED, ProfileStatus.PLACED])
async def test_interest_in_a_paused_or_placed_profile_is_refused(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
    status: ProfileStatus,
) -> None:
    profile, _, sink = await circulated(coordinator, db_session, deliver)
    link = profile_link(sink, "personal@kliniken-ostalb.example")
    async with session_maker() as session:
        await session.execute(update(Profile).values(status=status))
        await session.commit()

    page = await coordinator.get(link)
    assert page.status_code == 200
    assert "derzeit nicht verfügbar" in page.text
    assert f"{link}/answer/interested" not in page.text
    response = await post(coordinator, f"{link}/answer/interested")
    assert response.status_code == 409
    assert await referrals_of(session_maker, profile.id) == []
    assert (await post(coordinator, f"{link}/answer/no_fit")).status_code == 303

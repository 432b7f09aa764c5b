from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.circulation.models import CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.errors import InvalidTransition, NotFound
from jobfuerzwei.mail.models import OutboxMessage
from jobfuerzwei.profiles.models import Consent, Profile, ProfileStatus
from jobfuerzwei.referrals import services
from jobfuerzwei.referrals.models import Actor, CloseReason, ContactRelease, Referral, ReferralState
from tests.circulation.helpers import circulate, employer_token, make_member, make_profile, post, recipients

Client = AsyncTestClient[Litestar]
S = ReferralState


async def interested(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    names: tuple[str, ...] = ("Kliniken Ostalb",),
) -> tuple[Profile, list[tuple[Referral, str]]]:
    """A circulated profile; each named member answered "Interesse". Returns referrals with the member's token."""
    members = [await make_member(db_session, name, "Pflege") for name in names]
    profile = await make_profile(db_session, allowed=members)
    assert (await circulate(coordinator, profile, members)).status_code == 303
    result = []
    for member in members:
        row = next(r for r in await recipients(session_maker, profile.id) if r.member_id == member.id)
        token = await employer_token(db_session, settings, row)
        assert (await post(coordinator, f"/e/{token}/answer/interested")).status_code == 303
        async with session_maker() as session:
            referral = await session.scalar(select(Referral).where(Referral.member_id == member.id))
        assert referral is not None
        result.append((referral, token))
    return profile, result


async def load(session_maker: async_sessionmaker[AsyncSession], model: Any, ident: Any) -> Any:
    async with session_maker() as session:
        return await session.get(model, ident)


E, C = Actor.EMPLOYER, Actor.COORDINATOR


@pytest.mark.parametrize(
    ("actor", "path", "allowed"),
    [
        (E, [S.IN_CONTACT, S.INTERVIEW, S.OFFER, S.HIRED], True),
        (E, [S.IN_CONTACT, S.CLOSED], True),
        (E, [S.INTERVIEW], False),  # employers go one step at a time
        (E, [S.HIRED], False),
        (C, [S.INTERVIEW], True),  # the coordinator may jump forward
        (C, [S.HIRED], True),
        (C, [S.OFFER, S.INTERVIEW], False),  # but never back
        (C, [S.IN_CONTACT, S.INTERVIEW, S.OFFER, S.HIRED, S.CLOSED], False),
        (C, [S.CLOSED, S.IN_CONTACT], False),
        (E, [S.CLOSED, S.IN_CONTACT], False),
    ],
)
async def test_transitions_follow_the_workflow(
    *,
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    actor: Actor,
    path: list[ReferralState],
    allowed: bool,
) -> None:
    _, [(referral, _)] = await interested(coordinator, db_session, session_maker, settings)
    async with session_maker() as session:
        try:
            for step in path:
                reason = CloseReason.EMPLOYER_DECLINED if step == S.CLOSED else None
                await services.move(session, settings, referral.id, step, actor=actor, close_reason=reason)
        except InvalidTransition:
            assert not allowed
        else:
            assert allowed
            await session.commit()
            moved = await services.get_referral(session, referral.id)
            assert moved.state == path[-1]
            assert [e.to_state for e in moved.events] == [S.INTERESTED, *path]


async def test_closing_needs_a_reason_and_only_closing_takes_one(
    coordinator: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    _, [(referral, _)] = await interested(coordinator, db_session, session_maker, settings)
    async with session_maker() as session:
        with pytest.raises(InvalidTransition):
            await services.move(session, settings, referral.id, S.CLOSED, actor=Actor.COORDINATOR)
    async with session_maker() as session:
        with pytest.raises(InvalidTransition):
            await services.move(
                session,
                settings,
                referral.id,
                S.IN_CONTACT,
                actor=Actor.COORDINATOR,
                close_reason=CloseReason.WITHDRAWN,
            )


async def test_coordinator_moves_a_referral_with_a_note_and_sees_the_history(
    coordinator: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    _, [(referral, _)] = await interested(coordinator, db_session, session_maker, settings)
    page = f"/coordinator/referrals/{referral.id}"

    response = await post(coordinator, f"{page}/move", {"to_state": "in_contact", "note": "Telefonat vereinbart"})

    assert response.status_code == 303
    assert response.headers["location"] == page
    html = (await coordinator.get(page)).text
    assert "Interesse bekundet → In Kontakt" in html
    assert "Telefonat vereinbart" in html
    assert "Koordination" in html
    moved = await load(session_maker, Referral, referral.id)
    assert moved.state == S.IN_CONTACT
    assert [(e.actor, e.note) for e in moved.events][-1] == (Actor.COORDINATOR, "Telefonat vereinbart")


async def test_move_form_errors_and_stale_steps(
    coordinator: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    _, [(referral, _)] = await interested(coordinator, db_session, session_maker, settings)
    page = f"/coordinator/referrals/{referral.id}"

    no_reason = await post(coordinator, f"{page}/move", {"to_state": "closed", "note": "x"})
    assert no_reason.status_code == 400
    assert "warum die Vermittlung abgeschlossen wird" in no_reason.text
    assert ">x</textarea>" in no_reason.text
    unknown = await post(coordinator, f"{page}/move", {"to_state": "promoted"})
    assert unknown.status_code == 400
    assert (await load(session_maker, Referral, referral.id)).state == S.INTERESTED
    jumped = await post(coordinator, f"{page}/move", {"to_state": "offer"})
    assert jumped.status_code == 303
    backwards = await post(coordinator, f"{page}/move", {"to_state": "interview"})
    assert backwards.status_code == 409
    assert "nicht möglich" in backwards.text
    assert (await load(session_maker, Referral, referral.id)).state == S.OFFER


async def test_hired_places_the_profile_and_stops_circulation(
    coordinator: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    profile, [(referral, _), (other, _)] = await interested(
        coordinator, db_session, session_maker, settings, ("Kliniken Ostalb", "Pflegeheim Aalen")
    )
    for step in ("in_contact", "interview", "offer", "hired"):
        response = await post(coordinator, f"/coordinator/referrals/{referral.id}/move", {"to_state": step})
        assert response.status_code == 303, response.text

    async with session_maker() as session:
        closed = await services.get_referral(session, other.id)
    assert closed.state == S.CLOSED
    assert closed.close_reason == CloseReason.WITHDRAWN
    assert closed.events[-1].actor == Actor.SYSTEM

    placed = await load(session_maker, Profile, profile.id)
    assert placed.status == ProfileStatus.PLACED
    assert placed.placed_at is not None
    refused = await coordinator.get(f"/coordinator/profiles/{profile.id}/circulate")
    assert refused.status_code == 409
    assert "bereits vermittelt" in refused.text
    page = await coordinator.get(f"/coordinator/referrals/{referral.id}")
    assert "keinen weiteren Schritt" in page.text


async def test_employer_moves_its_own_referral_through_its_link(
    coordinator: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    _, [(referral, token)] = await interested(coordinator, db_session, session_maker, settings)
    coordinator.cookies.pop("jfz_session", None)

    page = await coordinator.get(f"/e/{token}/referral")
    assert page.status_code == 200
    assert 'value="in_contact"' in page.text
    assert 'value="offer"' not in page.text
    response = await post(
        coordinator, f"/e/{token}/referral", {"to_state": "closed", "close_reason": "candidate_declined"}
    )

    assert response.status_code == 303
    moved = await load(session_maker, Referral, referral.id)
    assert (moved.state, moved.close_reason) == (S.CLOSED, CloseReason.CANDIDATE_DECLINED)
    assert moved.events[-1].actor == Actor.EMPLOYER


async def test_a_members_link_cannot_move_another_members_referral(
    coordinator: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    _, [(_, token_a), (referral_b, _)] = await interested(
        coordinator, db_session, session_maker, settings, ("Kliniken Ostalb", "Altenheim Sonnenhof")
    )

    response = await post(
        coordinator, f"/e/{token_a}/referral", {"referral_id": str(referral_b.id), "to_state": "in_contact"}
    )

    assert response.status_code == 404
    assert (await load(session_maker, Referral, referral_b.id)).state == S.INTERESTED
    async with session_maker() as session:
        with pytest.raises(NotFound):
            await services.move(
                session, settings, referral_b.id, S.IN_CONTACT, actor=Actor.EMPLOYER, member_id=referral_b.profile_id
            )


async def test_employer_referral_page_needs_a_referral(
    coordinator: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    member = await make_member(db_session, "Kliniken Ostalb", "Pflege")
    profile = await make_profile(db_session, allowed=[member])
    await circulate(coordinator, profile, [member])
    (row,) = await recipients(session_maker, profile.id)
    token = await employer_token(db_session, settings, row)
    assert (await coordinator.get(f"/e/{token}/referral")).status_code == 404
    assert (await post(coordinator, f"/e/{token}/referral", {"to_state": "in_contact"})).status_code == 404


async def test_referral_list_filters_by_state_and_counts(
    coordinator: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    _, [(first, _), (second, _)] = await interested(
        coordinator, db_session, session_maker, settings, ("Kliniken Ostalb", "Altenheim Sonnenhof")
    )
    await post(coordinator, f"/coordinator/referrals/{first.id}/move", {"to_state": "in_contact"})

    everything = await coordinator.get("/coordinator/referrals")
    in_contact = await coordinator.get("/coordinator/referrals?state=in_contact")
    nonsense = await coordinator.get("/coordinator/referrals?state=unknown")

    assert "Kliniken Ostalb" in everything.text
    assert "Altenheim Sonnenhof" in everything.text
    assert "Kliniken Ostalb" in in_contact.text
    assert "Altenheim Sonnenhof" not in in_contact.text
    assert "In Kontakt (1)" in in_contact.text
    assert nonsense.status_code == 200
    assert "Altenheim Sonnenhof" in nonsense.text
    async with session_maker() as session:
        counts = await services.counts_by_state(session)
        listed = await services.list_referrals(session, state=S.INTERESTED)
    assert counts[S.INTERESTED] == 1
    assert counts[S.IN_CONTACT] == 1
    assert counts[S.HIRED] == 0
    assert [r.id for r in listed] == [second.id]
    assert listed[0].member.name == "Altenheim Sonnenhof"


async def test_referral_list_is_paged_in_sql(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jobfuerzwei.referrals import controllers as referral_controllers

    _, [(first, _), (second, _)] = await interested(
        coordinator, db_session, session_maker, settings, ("Kliniken Ostalb", "Altenheim Sonnenhof")
    )
    await post(coordinator, f"/coordinator/referrals/{first.id}/move", {"to_state": "in_contact"})
    monkeypatch.setattr(referral_controllers, "PER_PAGE", 1)

    newest = await coordinator.get("/coordinator/referrals")  # the one just moved: most recently changed
    assert "Kliniken Ostalb" in newest.text
    assert "Altenheim Sonnenhof" not in newest.text
    assert "Seite 1 von 2" in newest.text
    assert "Alle (2)" in newest.text
    older = await coordinator.get("/coordinator/referrals?page=2")
    assert "Altenheim Sonnenhof" in older.text
    assert "Kliniken Ostalb" not in older.text
    only = await coordinator.get("/coordinator/referrals?state=interested")
    assert "Altenheim Sonnenhof" in only.text
    assert "Seite 1 von" not in only.text  # one page: no page links
    async with session_maker() as session:
        page = await services.referral_page(session, state=S.INTERESTED, page=1, per_page=10)
    assert ([r.id for r in page.items], page.total, page.pages) == ([second.id], 1, 1)


async def test_referral_pages_need_a_coordinator(client: Client) -> None:
    response = await client.get("/coordinator/referrals", follow_redirects=False)
    assert response.status_code == 303


async def test_contact_release_decision(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    deliver: Callable[..., Any],
) -> None:
    profile, [(referral, _)] = await interested(coordinator, db_session, session_maker, settings)
    other = await make_profile(db_session, number=999)
    (await deliver()).clear()
    async with session_maker() as session:
        with pytest.raises(NotFound):
            await services.decide_contact_release(session, settings, referral.id, other.id, granted=True)
    async with session_maker() as session:
        denied = await services.decide_contact_release(session, settings, referral.id, profile.id, granted=False)
        await session.commit()
        assert denied.contact_release == ContactRelease.DENIED
    async with session_maker() as session:
        assert list(await session.scalars(select(Consent).where(Consent.kind == "contact_release"))) == []
        assert (
            list(await session.scalars(select(OutboxMessage).where(OutboxMessage.template == "contact_released"))) == []
        )
        granted = await services.decide_contact_release(session, settings, referral.id, profile.id, granted=True)
        await session.commit()
        assert granted.contact_release == ContactRelease.GRANTED
        assert granted.contact_released_at is not None
        assert [e.actor for e in granted.events][-2:] == [Actor.PARTNER, Actor.PARTNER]
    async with session_maker() as session:
        again = await services.decide_contact_release(session, settings, referral.id, profile.id, granted=True)
        assert again.contact_release == ContactRelease.GRANTED
        with pytest.raises(InvalidTransition):
            await services.decide_contact_release(session, settings, referral.id, profile.id, granted=False)
    sink = await deliver()
    assert [str(m["To"]) for m in sink.messages] == ["personal@kliniken-ostalb.example"]
    assert sink.messages[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # every mail to members
    assert "/mail/unsubscribe/" in str(sink.messages[0]["List-Unsubscribe"])
    async with session_maker() as session:
        recipient = await session.get(CirculationRecipient, referral.recipient_id)
    assert recipient is not None


@pytest.mark.skipif(os.environ.get("JFZ_TEST_DB", "sqlite") != "postgres", reason="row locks: PostgreSQL")
@pytest.mark.parametrize("change", ["move", "contact release"])
async def test_a_referral_change_takes_the_profile_before_the_referral(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    change: str,
) -> None:
    """The lock order that keeps a step and another member's hire from deadlocking (found by the load loop).

    While another transaction holds the profile, the change waits for it without having taken its referral.
    """
    profile, [(referral, _token)] = await interested(coordinator, db_session, session_maker, settings)
    async with session_maker() as holder, session_maker() as changer:
        await holder.execute(select(Profile.id).where(Profile.id == profile.id).with_for_update(key_share=True))
        if change == "move":
            work = services.move(changer, settings, referral.id, S.IN_CONTACT, actor=E)
        else:
            work = services.decide_contact_release(changer, settings, referral.id, profile.id, granted=True)
        task = asyncio.ensure_future(work)
        try:
            await asyncio.sleep(0.5)
            assert not task.done()  # waiting for the profile ...
            async with session_maker() as probe:  # ... with the referral still free (NOWAIT raises if it is taken)
                await probe.execute(select(Referral.id).where(Referral.id == referral.id).with_for_update(nowait=True))
                await probe.rollback()
        finally:
            await holder.rollback()
            await asyncio.wait([task], timeout=10)
        await task
        await changer.commit()
    changed = await load(session_maker, Referral, referral.id)
    assert (changed.state, changed.contact_release) == (
        (S.IN_CONTACT, ContactRelease.PENDING) if change == "move" else (S.INTERESTED, ContactRelease.GRANTED)
    )

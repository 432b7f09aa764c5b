"""Employer portal: the inbox of circulated profiles, answering from it, the referral board, and who sees what."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.circulation import answers as circulation_answers
from jobfuerzwei.circulation.answers import InboxState
from jobfuerzwei.circulation.models import Answer
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import Member
from jobfuerzwei.portal import controllers as portal_controllers
from jobfuerzwei.profiles.models import Profile, ProfileStatus
from jobfuerzwei.referrals import services as referral_services
from jobfuerzwei.referrals.models import Actor, Referral, ReferralState
from jobfuerzwei.web import pagecache
from tests.circulation.helpers import (
    PARTNER_EMAIL,
    PARTNER_NAME,
    PARTNER_PHONE,
    add_cv,
    employer_token,
    make_member,
    make_profile,
    post,
    session_cookie,
)
from tests.conftest import Sink, csrf_token, links_in
from tests.portal.helpers_inbox import (
    Client,
    answer,
    expire_links,
    load_recipient,
    load_referral,
    portal_login,
    received_at,
    recipient_of,
    section,
    send,
    table_rows,
)

S = ReferralState


@dataclass
class Pair:
    """Members A and B. Profile 1 went to both (unanswered); A showed interest in profile 2, B in profile 3."""

    a: Member
    b: Member
    profiles: list[Profile]
    a_recipient: UUID
    b_recipient: UUID
    a_referral: UUID
    b_referral: UUID

    def ids(self, member: str) -> dict[str, UUID]:
        """The ids a route template needs, of member ``"a"`` or ``"b"``."""
        if member == "a":
            return {"recipient": self.a_recipient, "referral": self.a_referral}
        return {"recipient": self.b_recipient, "referral": self.b_referral}


@pytest.fixture
async def pair(db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings) -> Pair:
    a = await make_member(db_session, "Kliniken Ostalb", "Pflege")
    b = await make_member(db_session, "Maschinenbau Heidenheim", "Pflege")
    profiles = [await make_profile(db_session, allowed=[a, b]) for _ in range(3)]
    await send(db_session, settings, profiles[0], [a, b])
    await send(db_session, settings, profiles[1], [a])
    await send(db_session, settings, profiles[2], [b])
    a_referral = await answer(
        db_session, settings, await recipient_of(session_maker, profiles[1], a), a, Answer.INTERESTED
    )
    b_referral = await answer(
        db_session, settings, await recipient_of(session_maker, profiles[2], b), b, Answer.INTERESTED
    )
    assert a_referral is not None
    assert b_referral is not None
    return Pair(
        a=a,
        b=b,
        profiles=profiles,
        a_recipient=await recipient_of(session_maker, profiles[0], a),
        b_recipient=await recipient_of(session_maker, profiles[0], b),
        a_referral=a_referral.id,
        b_referral=b_referral.id,
    )


async def login_a(client: Client, db_session: AsyncSession, pair: Pair) -> None:
    await portal_login(client, db_session, pair.a.contacts[0])


# --- inbox -----------------------------------------------------------------------------------------------------


async def _inbox_of(
    db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings, jobs: list[str]
) -> tuple[Member, list[Profile]]:
    """A member that received one profile per job, the first the newest (received i days ago)."""
    member = await make_member(db_session, "Kliniken Ostalb", "Pflege")
    profiles = [await make_profile(db_session, allowed=[member], occupations=[job]) for job in jobs]
    for days_ago, profile in enumerate(profiles):
        await send(db_session, settings, profile, [member])
        await received_at(db_session, await recipient_of(session_maker, profile, member), days_ago)
    return member, profiles


async def test_inbox_shows_new_answered_and_expired_newest_first(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    jobs = ["Pflegefachkraft", "Hebamme", "Physiotherapeutin", "Logopädin"]
    member, (new, answered, expired, withdrawn) = await _inbox_of(db_session, session_maker, settings, jobs)
    await answer(db_session, settings, await recipient_of(session_maker, answered, member), member, Answer.NO_FIT)
    await expire_links(db_session, await recipient_of(session_maker, expired, member))
    async with session_maker() as session:  # the partner withdrew: gone for employers, as behind the mail link
        await session.execute(update(Profile).where(Profile.id == withdrawn.id).values(status=ProfileStatus.WITHDRAWN))
        await session.commit()
    await portal_login(client, db_session, member.contacts[0])

    page = await client.get("/portal")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    rows = table_rows(page.text)
    assert [row.split()[0] for row in rows] == [new.reference, answered.reference, expired.reference]
    assert "Pflegefachkraft" in rows[0]
    assert "Neu" in rows[0]
    assert "Antwort bis" in rows[0]
    assert "Beantwortet: Kein passendes Angebot (am" in rows[1]
    assert "Abgelaufen" in rows[2]
    assert withdrawn.reference not in page.text
    for profile in (new, answered, expired):
        assert f'href="/portal/profiles/{await recipient_of(session_maker, profile, member)}"' in page.text
    assert "Alle (3)" in page.text
    assert "Neu (1)" in page.text

    only_expired = table_rows((await client.get("/portal?state=expired")).text)
    assert [row.split()[0] for row in only_expired] == [expired.reference]
    unfiltered = await client.get("/portal?state=nonsense")  # an unknown filter shows everything
    assert len(table_rows(unfiltered.text)) == 3


async def test_inbox_pages_filters_and_counts_in_sql(
    client: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jobs = ["Pflegefachkraft", "Hebamme", "Physiotherapeutin", "Logopädin", "Ergotherapeut"]
    member, profiles = await _inbox_of(db_session, session_maker, settings, jobs)  # profiles[0] is the newest
    await answer(db_session, settings, await recipient_of(session_maker, profiles[1], member), member, Answer.NO_FIT)
    await expire_links(db_session, await recipient_of(session_maker, profiles[4], member))

    async with session_maker() as session:
        second = await circulation_answers.member_inbox(session, member.id, page=2, per_page=2)
        assert [e.number for e in second.entries] == [p.number for p in profiles[2:4]]
        assert second.counts == {InboxState.NEW: 3, InboxState.ANSWERED: 1, InboxState.EXPIRED: 1}
        assert (second.total, second.pages) == (5, 3)
        new = await circulation_answers.member_inbox(session, member.id, InboxState.NEW, page=2, per_page=2)
        assert [e.number for e in new.entries] == [profiles[3].number]
        assert (new.shown, new.pages) == (3, 2)

    monkeypatch.setattr(portal_controllers, "INBOX_PER_PAGE", 2)
    await portal_login(client, db_session, member.contacts[0])
    page = await client.get("/portal?state=new&page=2")
    assert [row.split()[0] for row in table_rows(page.text)] == [profiles[3].reference]
    assert "Alle (5)" in page.text
    assert "Neu (3)" in page.text
    assert "Seite 2 von 2" in page.text
    assert 'href="/portal?state=new&amp;page=1"' in page.text
    beyond = await client.get("/portal?page=9")  # past the end: an empty page, not an error
    assert beyond.status_code == 200
    assert table_rows(beyond.text) == ["Keine Profile."]


def answer_windows_close(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Time goes on past every answer window, and nothing is written."""
    later = utcnow() + dt.timedelta(days=settings.security.employer_token_days + 1)
    monkeypatch.setattr(circulation_answers, "utcnow", lambda: later)
    monkeypatch.setattr(pagecache, "utcnow", lambda: later)


async def test_inbox_counts_are_kept_until_the_data_changes_or_an_answer_window_closes(
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    member, (first, _second) = await _inbox_of(db_session, session_maker, settings, ["Hebamme", "Logopädin"])

    async def counts() -> dict[InboxState, int]:
        async with session_maker() as session:
            return (await circulation_answers.member_inbox(session, member.id)).counts

    assert await counts() == {InboxState.NEW: 2, InboxState.ANSWERED: 0, InboxState.EXPIRED: 0}
    await answer(db_session, settings, await recipient_of(session_maker, first, member), member, Answer.INTERESTED)
    assert await counts() == {InboxState.NEW: 1, InboxState.ANSWERED: 1, InboxState.EXPIRED: 0}
    answer_windows_close(monkeypatch, settings)
    assert await counts() == {InboxState.NEW: 0, InboxState.ANSWERED: 1, InboxState.EXPIRED: 1}


async def test_the_inbox_page_is_kept_until_the_data_changes_or_an_answer_window_closes(
    client: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    member, (first, _second) = await _inbox_of(db_session, session_maker, settings, ["Hebamme", "Logopädin"])
    contact = member.contacts[0]
    await portal_login(client, db_session, contact)
    for _ in range(2):  # rendered, then kept
        response = await client.get("/portal")
        assert response.headers["cache-control"] == "no-store"  # personal data: never in a shared cache
        assert "Neu (2)" in response.text
        assert "angemeldet als" in response.text
    await answer(db_session, settings, await recipient_of(session_maker, first, member), member, Answer.INTERESTED)
    assert "Beantwortet (1)" in (await client.get("/portal")).text  # a write: rendered anew

    contact.name = "Dr. Petra Neumann"  # the contacts table is not counted: the name is part of the page's key
    await db_session.commit()
    assert "angemeldet als Dr. Petra Neumann" in (await client.get("/portal")).text

    answer_windows_close(monkeypatch, settings)
    page = (await client.get("/portal")).text
    assert "Neu (0)" in page
    assert "Abgelaufen (1)" in page


async def test_inbox_header_names_member_and_contact_and_offers_logout(
    client: Client, db_session: AsyncSession, pair: Pair
) -> None:
    await login_a(client, db_session, pair)
    page = await client.get("/portal")
    assert "Kliniken Ostalb" in page.text
    assert "personal@kliniken-ostalb.example" in page.text
    assert 'action="/portal/logout"' in page.text
    for href in ("/portal/referrals", "/portal/security"):
        assert f'href="{href}"' in page.text
    # only A's profiles: profile 3 went to B alone
    assert pair.profiles[2].reference not in page.text
    assert str(pair.b_recipient) not in page.text


# --- profile page and answers ----------------------------------------------------------------------------------


async def test_profile_page_offers_the_answer_buttons_while_new_then_shows_the_answer(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], pair: Pair
) -> None:
    await login_a(client, db_session, pair)
    path = f"/portal/profiles/{pair.a_recipient}"
    page = await client.get(path)
    assert page.status_code == 200
    assert pair.profiles[0].reference in page.text
    assert "Wundversorgung" in page.text  # the profile as the mail link shows it
    for hidden in (PARTNER_NAME, PARTNER_EMAIL, PARTNER_PHONE, "Lebenslauf herunterladen"):
        assert hidden not in page.text
    assert f'action="{path}/answer/interested"' in page.text
    assert f'action="{path}/answer/no_fit"' in page.text

    response = await post(client, f"{path}/answer/no_fit")
    assert response.status_code == 303
    assert response.headers["location"] == path
    page = await client.get(path)
    assert "Ihre Antwort ist gespeichert" in page.text
    assert "Ihre Antwort:</strong> Kein passendes Angebot" in page.text
    assert f"{path}/answer/" not in page.text
    assert (await load_recipient(session_maker, pair.a_recipient)).answer == Answer.NO_FIT


async def test_answer_from_the_portal_opens_a_referral_and_mails_the_partner_like_the_mail_link(
    *,
    client: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    deliver: Callable[..., Any],
    pair: Pair,
) -> None:
    sink: Sink = await deliver()  # the circulation mails
    sink.clear()
    await login_a(client, db_session, pair)
    # A answers in the portal, B through the link in its mail: both for profile 1
    assert (await post(client, f"/portal/profiles/{pair.a_recipient}/answer/interested")).status_code == 303
    token = await employer_token(db_session, settings, await load_recipient(session_maker, pair.b_recipient))
    assert (await post(client, f"/e/{token}/answer/interested")).status_code == 303

    async with session_maker() as session:
        referrals = list(await session.scalars(select(Referral).where(Referral.profile_id == pair.profiles[0].id)))
    assert sorted(r.member_id for r in referrals) == sorted([pair.a.id, pair.b.id])
    for referral in referrals:
        assert referral.recipient_id in {pair.a_recipient, pair.b_recipient}
        assert [(e.from_state, e.to_state, e.actor) for e in referral.events] == [(None, S.INTERESTED, Actor.EMPLOYER)]

    mails = (await deliver()).messages
    assert len(mails) == 2
    by_member = {}
    for mail in mails:
        assert str(mail["To"]) == PARTNER_EMAIL
        assert pair.profiles[0].reference in str(mail["Subject"])
        assert links_in(mail)  # the partner's status page, to decide on the contact release
        body = mail.get_body(preferencelist=("plain",))
        assert body is not None
        text = str(body.get_content())
        name = "Kliniken Ostalb" if "Kliniken Ostalb" in text else "Maschinenbau Heidenheim"
        by_member[name] = (str(mail["Subject"]), re.sub(r"https?://\S+", "<link>", text).replace(name, "<member>"))
    assert by_member["Kliniken Ostalb"] == by_member["Maschinenbau Heidenheim"]

    page = await client.get(f"/portal/profiles/{pair.a_recipient}")
    assert "Interesse bekundet" in page.text
    assert "/portal/referrals#referral-" in page.text


async def test_a_second_answer_changes_nothing(
    client: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
    pair: Pair,
) -> None:
    await deliver()
    await login_a(client, db_session, pair)
    path = f"/portal/profiles/{pair.a_recipient}"
    assert (await post(client, f"{path}/answer/interested")).status_code == 303
    first = await load_recipient(session_maker, pair.a_recipient)
    (await deliver()).clear()

    for again in ("interested", "no_fit"):
        response = await post(client, f"{path}/answer/{again}")
        assert response.status_code == 303
        assert response.headers["location"] == path
        assert "bereits gespeichert" in (await client.get(path)).text
    row = await load_recipient(session_maker, pair.a_recipient)
    assert (row.answer, row.answered_at) == (Answer.INTERESTED, first.answered_at)
    async with session_maker() as session:
        count = await session.scalar(
            select(func.count()).select_from(Referral).where(Referral.profile_id == pair.profiles[0].id)
        )
    assert count == 1
    assert (await deliver()).messages == []


@pytest.mark.parametrize("revoke", [False, True], ids=["expired", "revoked"])
async def test_no_answer_once_the_link_expired(
    client: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    pair: Pair,
    revoke: bool,
) -> None:
    await expire_links(db_session, pair.a_recipient, revoke=revoke)
    await login_a(client, db_session, pair)
    path = f"/portal/profiles/{pair.a_recipient}"
    page = await client.get(path)
    assert page.status_code == 200
    assert "Frist für eine Antwort auf dieses Profil ist abgelaufen" in page.text
    assert f"{path}/answer/" not in page.text
    assert "Abgelaufen" in (await client.get("/portal")).text

    response = await post(client, f"{path}/answer/interested")
    assert response.status_code == 409
    assert "Frist für eine Antwort" in response.text
    assert (await load_recipient(session_maker, pair.a_recipient)).answer is None


async def test_paused_profile_takes_no_interest(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], pair: Pair
) -> None:
    async with session_maker() as session:
        await session.execute(
            update(Profile).where(Profile.id == pair.profiles[0].id).values(status=ProfileStatus.PAUSED)
        )
        await session.commit()
    await login_a(client, db_session, pair)
    path = f"/portal/profiles/{pair.a_recipient}"
    page = await client.get(path)
    assert "derzeit nicht verfügbar" in page.text
    assert f"{path}/answer/" not in page.text
    assert (await post(client, f"{path}/answer/interested")).status_code == 409
    assert (await load_recipient(session_maker, pair.a_recipient)).answer is None


async def test_unknown_answer_is_404(client: Client, db_session: AsyncSession, pair: Pair) -> None:
    await login_a(client, db_session, pair)
    assert (await post(client, f"/portal/profiles/{pair.a_recipient}/answer/maybe")).status_code == 404


async def test_released_contact_and_cv_show_in_the_portal(
    client: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    pair: Pair,
) -> None:
    profile = pair.profiles[1]  # A showed interest
    recipient_id = await recipient_of(session_maker, profile, pair.a)
    await add_cv(db_session, settings, profile)
    await login_a(client, db_session, pair)
    cv = f"/portal/profiles/{recipient_id}/cv"
    assert (await client.get(cv)).status_code == 404  # not released yet
    assert PARTNER_NAME not in (await client.get(f"/portal/profiles/{recipient_id}")).text

    await referral_services.decide_contact_release(db_session, settings, pair.a_referral, profile.id, granted=True)
    await db_session.commit()
    page = await client.get(f"/portal/profiles/{recipient_id}")
    for visible in (PARTNER_NAME, PARTNER_EMAIL, PARTNER_PHONE, f'href="{cv}"'):
        assert visible in page.text
    download = await client.get(cv)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]


# --- referral board --------------------------------------------------------------------------------------------


async def test_board_shows_own_referrals_by_state(
    client: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    pair: Pair,
) -> None:
    await referral_services.move(db_session, settings, pair.a_referral, S.IN_CONTACT, actor=Actor.COORDINATOR)
    await db_session.commit()
    await login_a(client, db_session, pair)
    page = await client.get("/portal/referrals")
    assert page.status_code == 200
    assert "Kliniken Ostalb" in page.text
    column = section(page.text, "in_contact")
    assert "In Kontakt (1)" in column
    assert pair.profiles[1].reference in column
    assert f'action="/portal/referrals/{pair.a_referral}/move"' in column
    assert "Interesse bekundet (0)" in section(page.text, "interested")
    assert pair.profiles[2].reference not in page.text  # B's referral
    assert str(pair.b_referral) not in page.text


async def test_employer_moves_one_step_with_a_note(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], pair: Pair
) -> None:
    await login_a(client, db_session, pair)
    path = f"/portal/referrals/{pair.a_referral}/move"
    response = await post(client, path, {"to_state": "in_contact", "note": "Telefonat am Montag vereinbart"})
    assert response.status_code == 303
    assert response.headers["location"] == "/portal/referrals"
    referral = await load_referral(session_maker, pair.a_referral)
    assert referral.state == S.IN_CONTACT
    last = referral.events[-1]
    assert (last.from_state, last.to_state, last.actor, last.note) == (
        S.INTERESTED,
        S.IN_CONTACT,
        Actor.EMPLOYER,
        "Telefonat am Montag vereinbart",
    )
    board = await client.get("/portal/referrals")
    assert "Vermittlung aktualisiert" in board.text
    column = section(board.text, "in_contact")
    assert pair.profiles[1].reference in column
    assert "Telefonat am Montag vereinbart" in column


async def test_a_jump_is_refused_with_a_clear_message(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], pair: Pair
) -> None:
    await login_a(client, db_session, pair)
    response = await post(client, f"/portal/referrals/{pair.a_referral}/move", {"to_state": "offer", "note": "x"})
    assert response.status_code == 409
    assert "nur Schritt für Schritt" in response.text
    assert "„In Kontakt“ oder „Abgeschlossen“" in response.text
    assert f'id="to_state-{pair.a_referral}-error"' in response.text
    referral = await load_referral(session_maker, pair.a_referral)
    assert referral.state == S.INTERESTED
    assert len(referral.events) == 1


async def test_closing_needs_a_reason(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], pair: Pair
) -> None:
    await login_a(client, db_session, pair)
    path = f"/portal/referrals/{pair.a_referral}/move"
    response = await post(client, path, {"to_state": "closed", "note": "Stelle anderweitig besetzt"})
    assert response.status_code == 400
    assert "warum die Vermittlung abgeschlossen wird" in response.text
    assert "Stelle anderweitig besetzt" in response.text  # the typed note is kept
    assert (await load_referral(session_maker, pair.a_referral)).state == S.INTERESTED

    response = await post(client, path, {"to_state": "closed", "close_reason": "employer_declined"})
    assert response.status_code == 303
    assert (await load_referral(session_maker, pair.a_referral)).state == S.CLOSED


# --- access matrix ---------------------------------------------------------------------------------------------

PROFILE_ROUTES = [
    ("GET", "/portal/profiles/{recipient}"),
    ("GET", "/portal/profiles/{recipient}/cv"),
    ("POST", "/portal/profiles/{recipient}/answer/interested"),
    ("POST", "/portal/profiles/{recipient}/answer/no_fit"),
    ("POST", "/portal/referrals/{referral}/move"),
]
"""Every portal route that takes an id."""
ALL_ROUTES = [("GET", "/portal"), ("GET", "/portal/referrals"), *PROFILE_ROUTES]
MOVE = {"to_state": "in_contact", "note": "Notiz"}


async def _unchanged(session_maker: async_sessionmaker[AsyncSession], pair: Pair, member: str) -> None:
    ids = pair.ids(member)
    assert (await load_recipient(session_maker, ids["recipient"])).answer is None
    assert (await load_referral(session_maker, ids["referral"])).state == S.INTERESTED


@pytest.mark.parametrize(("method", "route"), PROFILE_ROUTES)
@pytest.mark.parametrize("owner", ["b", "nobody"])
async def test_foreign_or_unknown_ids_are_404(
    *,
    client: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    pair: Pair,
    method: str,
    route: str,
    owner: str,
) -> None:
    await login_a(client, db_session, pair)
    ids = pair.ids("b") if owner == "b" else {"recipient": uuid4(), "referral": uuid4()}
    path = route.format(**ids)
    response = await (client.get(path) if method == "GET" else post(client, path, MOVE))
    assert response.status_code == 404
    await _unchanged(session_maker, pair, "b")


@pytest.mark.parametrize(("method", "route"), ALL_ROUTES)
@pytest.mark.parametrize("who", ["anonymous", "coordinator", "second_factor_due"])
async def test_without_a_portal_login_every_route_redirects_to_the_portal_login(
    *,
    client: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    pair: Pair,
    method: str,
    route: str,
    who: str,
) -> None:
    if who == "coordinator":
        await session_cookie(client, db_session, settings)
    elif who == "second_factor_due":
        await portal_login(client, db_session, pair.a.contacts[0], is_verified=False)
    else:
        await csrf_token(client, "/coordinator/login")
    path = route.format(**pair.ids("a"))
    response = await (client.get(path, follow_redirects=False) if method == "GET" else post(client, path, MOVE))
    assert response.status_code == 303
    assert response.headers["location"] == f"/portal/login?next={quote(path)}"
    await _unchanged(session_maker, pair, "a")


@pytest.mark.parametrize("route", [route for method, route in PROFILE_ROUTES if method == "POST"])
async def test_every_post_without_csrf_token_is_rejected(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], pair: Pair, route: str
) -> None:
    await login_a(client, db_session, pair)
    response = await client.post(route.format(**pair.ids("a")), data=MOVE, follow_redirects=False)
    assert response.status_code == 403
    await _unchanged(session_maker, pair, "a")

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.circulation.models import Circulation
from jobfuerzwei.config import Settings
from jobfuerzwei.mail.models import OutboxMessage
from jobfuerzwei.profiles.models import ProfileStatus
from jobfuerzwei.tokens.models import LinkToken, TokenPurpose
from tests.circulation.helpers import (
    PARTNER_EMAIL,
    PARTNER_NAME,
    PARTNER_PHONE,
    circulate,
    login_coordinator,
    make_member,
    make_profile,
    recipients,
)
from tests.conftest import BASE_URL, links_in

Client = AsyncTestClient[Litestar]


async def count(session_maker: async_sessionmaker[AsyncSession], model: Any) -> int:
    async with session_maker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_circulate_page_ranks_members_by_fit_and_preselects_good_fits(
    coordinator: Client, db_session: AsyncSession
) -> None:
    clinic = await make_member(db_session, "Kliniken Ostalb", "Pflege, Krankenpflege")
    metal = await make_member(db_session, "Metallbau Schmid", "Zerspanungsmechaniker\nMetallbau")
    profile = await make_profile(db_session, allowed=[clinic, metal])

    response = await coordinator.get(f"/coordinator/profiles/{profile.id}/circulate")

    assert response.status_code == 200
    html = response.text
    assert html.index("Kliniken Ostalb") < html.index("Metallbau Schmid")
    assert "Pflegefachkraft ↔ Pflege" in html
    assert f'name="member_id" value="{clinic.id}" checked' in html
    assert f'name="member_id" value="{metal.id}">' in html  # listed, not ticked


async def test_circulate_page_greys_out_members_the_partner_excluded_or_not_yet_allowed(
    coordinator: Client, db_session: AsyncSession
) -> None:
    allowed = await make_member(db_session, "Kliniken Ostalb", "Pflege")
    excluded = await make_member(db_session, "Altenheim Sonnenhof", "Altenpflege, Pflege")
    newcomer = await make_member(db_session, "Pflegedienst Neu", "Pflege")
    profile = await make_profile(db_session, allowed=[allowed], excluded=[excluded])

    html = (await coordinator.get(f"/coordinator/profiles/{profile.id}/circulate")).text

    assert f'value="{allowed.id}"' in html
    assert f'value="{excluded.id}"' not in html
    assert f'value="{newcomer.id}"' not in html
    assert "vom Partner ausgeschlossen" in html
    assert "noch nicht freigegeben" in html


async def test_circulate_page_needs_a_coordinator_login(client: Client, db_session: AsyncSession) -> None:
    profile = await make_profile(db_session)
    page = f"/coordinator/profiles/{profile.id}/circulate"
    response = await client.get(page, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/coordinator/login")

    await login_coordinator(client, db_session)
    assert (await client.get(page)).status_code == 200


async def test_profiles_that_are_not_approved_cannot_be_circulated(
    coordinator: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    member = await make_member(db_session, "Kliniken Ostalb", "Pflege")
    confirmed = await make_profile(db_session, allowed=[member], status=ProfileStatus.CONFIRMED)
    placed = await make_profile(db_session, allowed=[member], status=ProfileStatus.PLACED)

    page = await coordinator.get(f"/coordinator/profiles/{confirmed.id}/circulate")
    assert page.status_code == 409
    assert "Nur freigegebene Profile" in page.text
    page = await coordinator.get(f"/coordinator/profiles/{placed.id}/circulate")
    assert page.status_code == 409
    assert "bereits vermittelt" in page.text
    sent = await circulate(coordinator, placed, [member])
    assert sent.status_code == 409
    assert await count(session_maker, Circulation) == 0


async def test_unknown_profile_is_404(coordinator: Client) -> None:
    response = await coordinator.get(f"/coordinator/profiles/{uuid.uuid4()}/circulate")
    assert response.status_code == 404


async def test_circulation_sends_one_mail_per_contact_without_the_partners_identity(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
) -> None:
    clinic = await make_member(
        db_session, "Kliniken Ostalb", "Pflege", emails=["personal@kliniken.example", "pflege@kliniken.example"]
    )
    home = await make_member(db_session, "Altenheim Sonnenhof", "Altenpflege")
    unchosen = await make_member(db_session, "Metallbau Schmid", "Metallbau")
    profile = await make_profile(db_session, allowed=[clinic, home, unchosen])

    response = await circulate(coordinator, profile, [clinic, home])

    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/coordinator/circulations/")
    sink = await deliver()
    messages = sink.messages
    assert sorted(str(m["To"]) for m in messages) == [
        "personal@altenheim-sonnenhof.example",
        "personal@kliniken.example",
        "pflege@kliniken.example",
    ]
    for message in messages:
        assert profile.reference in str(message["Subject"])
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        assert text is not None
        assert html is not None
        parts = [str(text.get_content()), str(html.get_content())]
        for part in parts:
            assert profile.reference in part
            assert "Pflegefachkraft" in part
            for secret in (PARTNER_NAME, "Musterfrau", PARTNER_EMAIL, PARTNER_PHONE, "Leipzig"):
                assert secret not in part
        assert not any(p.get_content_disposition() == "attachment" for p in message.walk())
        links = links_in(message)
        profile_link = next(link for link in links if link.count("/") == 4)
        assert profile_link.startswith(f"{BASE_URL}/e/")
        assert f"{profile_link}/answer/interested" in links
        assert f"{profile_link}/answer/no_fit" in links
        assert f'href="{profile_link}/answer/interested"' in parts[1]
    # the two contacts of one member share its link; the other member has its own
    clinic_links = {links_in(m)[0] for m in sink.to("personal@kliniken.example") + sink.to("pflege@kliniken.example")}
    assert len(clinic_links) == 1
    assert clinic_links != {links_in(sink.to("personal@altenheim-sonnenhof.example")[0])[0]}

    rows = await recipients(session_maker, profile.id)
    assert {r.member_id for r in rows} == {clinic.id, home.id}
    clinic_row = next(r for r in rows if r.member_id == clinic.id)
    assert clinic_row.score > 50
    assert "Pflegefachkraft ↔ Pflege" in clinic_row.matched_terms
    async with session_maker() as session:
        link_rows = list(await session.scalars(select(LinkToken).where(LinkToken.purpose == TokenPurpose.EMPLOYER)))
        outbox = list(await session.scalars(select(OutboxMessage)))
    assert {t.recipient_id for t in link_rows} == {r.id for r in rows}
    assert all((t.expires_at - t.created_at).days == 30 for t in link_rows)
    assert {m.batch_id for m in outbox} == {uuid.UUID(location.rsplit("/", 1)[1])}
    assert {m.profile_id for m in outbox} == {profile.id}


async def test_forged_member_ids_in_the_form_are_skipped(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
) -> None:
    allowed = await make_member(db_session, "Kliniken Ostalb", "Pflege")
    excluded = await make_member(db_session, "Altenheim Sonnenhof", "Pflege")
    newcomer = await make_member(db_session, "Pflegedienst Neu", "Pflege")
    inactive = await make_member(db_session, "Praxis Alt", "Pflege", is_active=False)
    profile = await make_profile(db_session, allowed=[allowed, inactive], excluded=[excluded])

    response = await circulate(coordinator, profile, [allowed, excluded, newcomer, inactive, uuid.uuid4(), "kein-uuid"])

    assert response.status_code == 303
    sink = await deliver()
    assert [str(m["To"]) for m in sink.messages] == ["personal@kliniken-ostalb.example"]
    assert {r.member_id for r in await recipients(session_maker, profile.id)} == {allowed.id}


async def test_a_form_with_only_forbidden_members_sends_nothing(
    coordinator: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession]
) -> None:
    excluded = await make_member(db_session, "Altenheim Sonnenhof", "Pflege")
    profile = await make_profile(db_session, excluded=[excluded])

    forged = await circulate(coordinator, profile, [excluded])
    empty = await circulate(coordinator, profile, [])

    for response in (forged, empty):
        assert response.status_code == 400
        assert "mindestens ein Mitglied" in response.text
    assert await count(session_maker, Circulation) == 0
    assert await count(session_maker, OutboxMessage) == 0


async def test_a_member_receives_a_profile_only_once(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
) -> None:
    first = await make_member(db_session, "Kliniken Ostalb", "Pflege")
    second = await make_member(db_session, "Altenheim Sonnenhof", "Altenpflege")
    profile = await make_profile(db_session, allowed=[first, second])
    assert (await circulate(coordinator, profile, [first])).status_code == 303
    await deliver()

    page = await coordinator.get(f"/coordinator/profiles/{profile.id}/circulate")
    assert f'value="{first.id}"' not in page.text
    assert "hat das Profil bereits erhalten" in page.text
    again = await circulate(coordinator, profile, [first, second])

    assert again.status_code == 303
    sink = await deliver()
    assert sorted(str(m["To"]) for m in sink.messages) == [
        "personal@altenheim-sonnenhof.example",
        "personal@kliniken-ostalb.example",
    ]
    assert len(await recipients(session_maker, profile.id)) == 2
    assert await count(session_maker, Circulation) == 2


async def test_progress_page_and_json_count_sent_waiting_and_failed(
    coordinator: Client, db_session: AsyncSession, deliver: Callable[..., Any]
) -> None:
    members = [await make_member(db_session, f"Klinik {i}", "Pflege") for i in range(3)]
    profile = await make_profile(db_session, allowed=members)
    location = (await circulate(coordinator, profile, members)).headers["location"]

    page = await coordinator.get(location)
    assert page.status_code == 200
    assert f'data-progress-url="{location}/progress"' in page.text
    assert '<script src="/static/progress.js" defer></script>' in page.text
    assert "<script>" not in page.text
    before = await coordinator.get(f"{location}/progress")
    assert before.json() == {"sent": 0, "waiting": 3, "failed": 0, "total": 3, "done": False}
    assert "no-store" in before.headers["cache-control"]

    await deliver()
    after = await coordinator.get(f"{location}/progress")
    assert after.json() == {"sent": 3, "waiting": 0, "failed": 0, "total": 3, "done": True}
    assert "Der Versand ist abgeschlossen." in (await coordinator.get(location)).text


async def test_progress_script_is_served(client: Client) -> None:
    response = await client.get("/static/progress.js")
    assert response.status_code == 200
    assert "data-progress-url" in response.text


async def test_progress_of_an_unknown_circulation_is_404(coordinator: Client) -> None:
    response = await coordinator.get(f"/coordinator/circulations/{uuid.uuid4()}/progress")
    assert response.status_code == 404


async def test_circulate_service_writes_one_outbox_row_per_chosen_contact(
    coordinator: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    from jobfuerzwei.circulation import services

    members = [await make_member(db_session, f"Firma {i:04d}", "Pflege\nLogistik") for i in range(3)]
    profile = await make_profile(db_session, allowed=members)
    async with session_maker() as session:
        circulation = await services.circulate(session, settings, profile.id, [m.id for m in members], staff_id=None)
        await session.commit()
    assert circulation.recipient_count == 3
    assert await count(session_maker, OutboxMessage) == 3

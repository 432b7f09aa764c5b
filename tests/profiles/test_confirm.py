"""The partner's double opt-in: GET shows, only the POST consents; links are single use."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.profiles.models import Consent, ConsentKind, Profile, ProfilePermission, ProfileStatus
from jobfuerzwei.tokens.models import LinkToken, TokenPurpose
from tests.conftest import csrf_token
from tests.profiles.factories import confirm_link_token, fresh, make_member, make_profile, rows


async def _setup(db_session: AsyncSession, settings: Settings) -> tuple[Profile, str, list[Any]]:
    members = [
        await make_member(db_session, "Maschinenbau Kocher GmbH"),
        await make_member(db_session, "Stadtverwaltung Aalen", emails=("personal@aalen.example",)),
        await make_member(db_session, "Hochschule Aalen", emails=("hr@hs-aalen.example",)),
    ]
    profile = await make_profile(db_session, settings)
    token = await confirm_link_token(db_session, settings, profile)
    return profile, token, members


async def test_confirmation_page_shows_profile_members_and_consent_text_and_changes_nothing(
    client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    profile, token, members = await _setup(db_session, settings)
    for _ in range(2):  # a mail scanner fetching the link twice
        response = await client.get(f"/confirm/{token}")
        assert response.status_code == 200
    page = response.text
    assert "Maria Beispiel" in page
    assert "Industriekauffrau, Buchhaltung" in page
    assert "Ich willige ein" in page
    assert f"Fassung des Einwilligungstextes: {settings.privacy_version}" in page
    for member in members:
        assert f'name="allow" value="{member.id}" checked' in page
    stored = await fresh(session_maker, Profile, profile.id)
    assert stored.status == ProfileStatus.UNCONFIRMED
    assert stored.confirmed_at is None
    assert await rows(session_maker, select(ProfilePermission)) == []
    assert all(t.used_at is None for t in await rows(session_maker, select(LinkToken)))


async def test_consent_stores_permissions_with_exclusion_and_consent_record(
    client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    profile, token, (kocher, stadt, hochschule) = await _setup(db_session, settings)
    csrf = await csrf_token(client, f"/confirm/{token}")
    response = await client.post(
        f"/confirm/{token}",
        data={
            "_csrf_token": csrf,
            "shown": [str(kocher.id), str(stadt.id), str(hochschule.id)],
            "allow": [str(stadt.id), str(hochschule.id)],  # the current employer unticked
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/status/")
    stored = await fresh(session_maker, Profile, profile.id)
    assert stored.status == ProfileStatus.CONFIRMED
    assert stored.confirmed_at is not None
    permissions = {p.member_id: p.is_allowed for p in await rows(session_maker, select(ProfilePermission))}
    assert permissions == {kocher.id: False, stadt.id: True, hochschule.id: True}
    [consent] = await rows(session_maker, select(Consent).where(Consent.kind == ConsentKind.PARTNER))
    assert consent.text_version == settings.privacy_version
    assert sorted(r["name"] for r in consent.recipients) == ["Hochschule Aalen", "Stadtverwaltung Aalen"]
    assert {r["id"] for r in consent.recipients} == {str(stadt.id), str(hochschule.id)}

    status = await client.get(location)
    assert status.status_code == 200
    assert "Vielen Dank, Ihre Einwilligung ist gespeichert." in status.text
    assert "Maschinenbau Kocher GmbH: ausgeschlossen" in status.text


async def test_reused_confirmation_link_answers_410_and_changes_nothing(
    client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    profile, token, members = await _setup(db_session, settings)
    csrf = await csrf_token(client, f"/confirm/{token}")
    ids = [str(m.id) for m in members]
    first = await client.post(
        f"/confirm/{token}", data={"_csrf_token": csrf, "shown": ids, "allow": ids}, follow_redirects=False
    )
    assert first.status_code == 303
    before = await fresh(session_maker, Profile, profile.id)

    again = await client.post(
        f"/confirm/{token}", data={"_csrf_token": csrf, "shown": ids, "allow": []}, follow_redirects=False
    )
    assert again.status_code == 410
    assert "bereits verwendet" in again.text
    page = await client.get(f"/confirm/{token}")
    assert page.status_code == 410
    assert "Link nicht mehr gültig" in page.text

    after = await fresh(session_maker, Profile, profile.id)
    assert after.confirmed_at == before.confirmed_at
    assert len(await rows(session_maker, select(Consent).where(Consent.kind == ConsentKind.PARTNER))) == 1
    assert all(p.is_allowed for p in await rows(session_maker, select(ProfilePermission)))


async def test_forged_confirmation_link_answers_410(
    client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    profile, _token, _members = await _setup(db_session, settings)
    page = await client.get("/confirm/this-token-was-never-issued")
    assert page.status_code == 410
    assert "Dieser Link ist ungültig." in page.text
    csrf = await csrf_token(client, "/register")
    post = await client.post("/confirm/this-token-was-never-issued", data={"_csrf_token": csrf}, follow_redirects=False)
    assert post.status_code == 410
    assert (await fresh(session_maker, Profile, profile.id)).status == ProfileStatus.UNCONFIRMED


async def test_status_token_does_not_confirm(
    client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    from tests.profiles.factories import status_link_token

    profile, _token, _members = await _setup(db_session, settings)
    status_token = await status_link_token(db_session, settings, profile)
    response = await client.get(f"/confirm/{status_token}")
    assert response.status_code == 410
    assert (await fresh(session_maker, Profile, profile.id)).status == ProfileStatus.UNCONFIRMED


async def test_expired_confirmation_link_answers_410_and_changes_nothing(
    client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    profile, token, members = await _setup(db_session, settings)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    await db_session.execute(update(LinkToken).where(LinkToken.purpose == TokenPurpose.CONFIRM).values(expires_at=past))
    await db_session.commit()
    page = await client.get(f"/confirm/{token}")
    assert page.status_code == 410
    assert "abgelaufen" in page.text
    csrf = await csrf_token(client, "/register")
    ids = [str(m.id) for m in members]
    post = await client.post(
        f"/confirm/{token}", data={"_csrf_token": csrf, "shown": ids, "allow": ids}, follow_redirects=False
    )
    assert post.status_code == 410
    assert (await fresh(session_maker, Profile, profile.id)).status == ProfileStatus.UNCONFIRMED
    assert await rows(session_maker, select(ProfilePermission)) == []


async def test_confirmation_without_csrf_token_is_refused(
    client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    profile, token, members = await _setup(db_session, settings)
    await client.get(f"/confirm/{token}")
    ids = [str(m.id) for m in members]
    response = await client.post(f"/confirm/{token}", data={"shown": ids, "allow": ids}, follow_redirects=False)
    assert response.status_code == 403
    assert (await fresh(session_maker, Profile, profile.id)).status == ProfileStatus.UNCONFIRMED
    assert all(t.used_at is None for t in await rows(session_maker, select(LinkToken)))


async def test_member_joining_between_page_and_consent_is_left_for_a_later_decision(
    client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    _profile, token, members = await _setup(db_session, settings)
    csrf = await csrf_token(client, f"/confirm/{token}")
    late = await make_member(db_session, "Neu Beigetreten KG", emails=("hr@neu.example",))
    ids = [str(m.id) for m in members]
    forged = [*ids, str(late.id)]  # not shown on the page, even if posted as allowed
    response = await client.post(
        f"/confirm/{token}", data={"_csrf_token": csrf, "shown": ids, "allow": forged}, follow_redirects=False
    )
    assert response.status_code == 303
    decided = {p.member_id for p in await rows(session_maker, select(ProfilePermission))}
    assert decided == {m.id for m in members}
    status = await client.get(response.headers["location"])
    assert "Neue Mitglieder" in status.text
    assert "Neu Beigetreten KG" in status.text

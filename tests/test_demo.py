from __future__ import annotations

import email
import email.policy
import mailbox
from dataclasses import replace
from datetime import UTC, datetime

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.db.models import (
    Answer,
    Circulation,
    CirculationRecipient,
    Consent,
    ConsentKind,
    LinkToken,
    Member,
    OutboxMessage,
    OutboxStatus,
    Profile,
    ProfilePermission,
    ProfileStatus,
    Referral,
    ReferralEvent,
    ReferralState,
    TokenPurpose,
)
from jobfuerzwei.demo import load_demo, read_fixtures
from jobfuerzwei.staff.services import create_staff
from jobfuerzwei.tokens.services import hash_token
from tests.conftest import BASE_URL, links_in
from tests.coordinator.conftest import STAFF_EMAIL, STAFF_PASSWORD, login

EXAMPLE_DOMAINS = ("@example.org", "@example.com", ".example")


async def _count(session: AsyncSession, model: type) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_demo_loads_the_network_once(
    session_maker: async_sessionmaker[AsyncSession], settings: Settings, db_session: AsyncSession
) -> None:
    assert await load_demo(session_maker, settings) is True

    assert await _count(db_session, Member) >= 40
    assert await _count(db_session, Profile) >= 20
    statuses = set((await db_session.scalars(select(Profile.status).distinct())).all())
    assert statuses == set(ProfileStatus)
    states = set((await db_session.scalars(select(Referral.state).distinct())).all())
    assert states == set(ReferralState)
    sent = (await db_session.scalars(select(OutboxMessage))).all()
    assert sent
    assert {m.status for m in sent} == {OutboxStatus.SENT}

    counts = {m: await _count(db_session, m) for m in (Member, Profile, Referral, ReferralEvent, OutboxMessage)}
    assert await load_demo(session_maker, settings) is False
    db_session.expire_all()
    assert {m: await _count(db_session, m) for m in counts} == counts


async def test_demo_is_not_loaded_into_a_network_with_members(
    session_maker: async_sessionmaker[AsyncSession], settings: Settings, db_session: AsyncSession
) -> None:
    db_session.add(Member(name="Echtes Mitglied GmbH", joined_at=datetime.now(UTC)))
    await db_session.commit()

    assert await load_demo(session_maker, settings) is False
    assert await _count(db_session, Member) == 1
    assert await _count(db_session, Profile) == 0


async def test_demo_circulations_respect_the_partners_decisions(
    session_maker: async_sessionmaker[AsyncSession], settings: Settings, db_session: AsyncSession
) -> None:
    await load_demo(session_maker, settings)

    recipients = (await db_session.scalars(select(CirculationRecipient))).all()
    assert recipients
    permissions = {
        (p.profile_id, p.member_id): p.is_allowed for p in (await db_session.scalars(select(ProfilePermission))).all()
    }
    for recipient in recipients:
        assert permissions.get((recipient.profile_id, recipient.member_id)) is True
    excluded = [key for key, allowed in permissions.items() if not allowed]
    assert excluded, "the demo shows partners excluding a member"

    for referral in (await db_session.scalars(select(Referral))).all():
        recipient = next(r for r in recipients if r.id == referral.recipient_id)
        assert recipient.answer == Answer.INTERESTED
        assert referral.events[0].to_state == ReferralState.INTERESTED
        assert referral.events[-1].to_state == referral.state
        if referral.state == ReferralState.HIRED:
            profile = await db_session.get(Profile, referral.profile_id)
            assert profile is not None
            assert profile.status == ProfileStatus.PLACED


async def test_demo_profiles_carry_consents_matching_their_status(
    session_maker: async_sessionmaker[AsyncSession], settings: Settings, db_session: AsyncSession
) -> None:
    await load_demo(session_maker, settings)

    profiles = (await db_session.scalars(select(Profile))).all()
    for profile in profiles:
        kinds = {c.kind for c in profile.consents}
        assert ConsentKind.APPLICANT in kinds
        if profile.status == ProfileStatus.UNCONFIRMED:
            assert ConsentKind.PARTNER not in kinds
            assert profile.permissions == []
        else:
            assert ConsentKind.PARTNER in kinds
            assert profile.confirmed_at is not None
    merged = next(p for p in profiles if p.status == ProfileStatus.MERGED)
    assert merged.merged_into_id in {p.id for p in profiles}
    assert await _count(db_session, Consent) > len(profiles)


async def test_demo_uses_only_reserved_example_addresses() -> None:
    members, profiles = read_fixtures()
    addresses = [c["email"] for m in members for c in m["contacts"]]
    addresses += [p[key] for p in profiles for key in ("applicant_email", "partner_email")]
    assert len(members) >= 45
    assert all(a.endswith(EXAMPLE_DOMAINS) for a in addresses)
    assert len({m["name"] for m in members}) == len(members)
    assert len({p["number"] for p in profiles}) == len(profiles)


async def test_demo_mails_reach_the_dev_sink_with_working_links(
    session_maker: async_sessionmaker[AsyncSession], settings: Settings, db_session: AsyncSession
) -> None:
    async with session_maker() as session, session.begin():
        staff = await create_staff(session, "koordination@jobfuerzwei.example", "x" * 16, "Koordination")
        staff_id = staff.id
    dev = replace(settings, mail=replace(settings.mail, dev_sink=True))

    assert await load_demo(session_maker, dev) is True

    box = mailbox.Maildir(dev.sink_dir, create=False)
    mails = [email.message_from_bytes(box.get_bytes(key), policy=email.policy.default) for key in box.iterkeys()]
    # the mails written out in the fixtures reach the sink; the rounds' delivery log (batch rows) has no body to show
    written = await db_session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.batch_id.is_(None))
    )
    assert len(mails) == written
    assert await _count(db_session, OutboxMessage) > len(mails)
    links = [link for m in mails for link in links_in(m)]  # type: ignore[arg-type]
    confirm = [link for link in links if link.startswith(f"{settings.base_url}/confirm/")]
    assert len(confirm) == 1
    token = await db_session.scalar(
        select(LinkToken).where(LinkToken.token_hash == hash_token(confirm[0].rsplit("/", 1)[1]))
    )
    assert token is not None
    assert token.purpose == TokenPurpose.CONFIRM
    assert any(link.startswith(f"{settings.base_url}/e/") for link in links)
    assert any(link.startswith(f"{settings.base_url}/status/") for link in links)

    staff_ids = set((await db_session.scalars(select(Circulation.staff_id))).all())
    assert staff_ids == {staff_id}


async def test_every_coordinator_and_link_page_renders_the_demo_network(
    client: AsyncTestClient[Litestar],
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    db_session: AsyncSession,
) -> None:
    async with session_maker() as session, session.begin():
        await create_staff(session, STAFF_EMAIL, STAFF_PASSWORD, "Koordination")
    await load_demo(session_maker, replace(settings, mail=replace(settings.mail, dev_sink=True)))
    assert (await login(client)).status_code == 303

    pages = ["/coordinator", "/coordinator/referrals", "/coordinator/members", "/coordinator/mails"]
    pages += [f"/coordinator/profiles?status={s.value}" for s in ProfileStatus if s != ProfileStatus.UNCONFIRMED]
    profiles = (await db_session.scalars(select(Profile))).all()
    pages += [f"/coordinator/profiles/{p.id}" for p in profiles if p.status != ProfileStatus.UNCONFIRMED]
    pages += [f"/coordinator/referrals/{r}" for r in (await db_session.scalars(select(Referral.id))).all()]
    pages += [f"/coordinator/circulations/{c}" for c in (await db_session.scalars(select(Circulation.id))).all()]
    approved = next(p for p in profiles if p.status == ProfileStatus.APPROVED and p.number == 22)
    pages.append(f"/coordinator/profiles/{approved.id}/circulate")
    for path in pages:
        response = await client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"

    box = mailbox.Maildir(settings.sink_dir, create=False)
    mails = [email.message_from_bytes(box.get_bytes(key), policy=email.policy.default) for key in box.iterkeys()]
    links = [link.removeprefix(BASE_URL) for m in mails for link in links_in(m)]  # type: ignore[arg-type]
    assert {link.split("/")[1] for link in links} >= {"confirm", "status", "e"}
    client.cookies.clear()
    for path in links:
        response = await client.get(path)
        assert response.status_code == 200, f"{path.rsplit('/', 1)[0]}/…: {response.status_code}"

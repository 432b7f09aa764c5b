"""The partner's status page: view, correct, pause/resume, withdraw, export, delete, new members, contact release."""

from __future__ import annotations

import json
import uuid
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.circulation.models import Answer, Circulation, CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import Member
from jobfuerzwei.profiles import services
from jobfuerzwei.profiles.models import Consent, ConsentKind, Profile, ProfilePermission, ProfileStatus
from jobfuerzwei.referrals.models import Actor, ContactRelease, Referral, ReferralEvent, ReferralState
from jobfuerzwei.tokens import services as tokens
from jobfuerzwei.tokens.models import LinkToken, TokenPurpose
from tests.conftest import csrf_token
from tests.profiles.factories import (
    PDF,
    confirmed_profile,
    fresh,
    make_member,
    make_profile,
    outbox_rows,
    profile_form,
    rows,
    status_link_token,
)

Client = AsyncTestClient[Litestar]


async def _post(client: Client, token: str, action: str, data: dict[str, Any] | None = None) -> Any:
    csrf = await csrf_token(client, f"/status/{token}")
    return await client.post(
        f"/status/{token}/{action}", data={**(data or {}), "_csrf_token": csrf}, follow_redirects=False
    )


async def _members(db_session: AsyncSession) -> list[Member]:
    return [
        await make_member(db_session, "Maschinenbau Kocher GmbH"),
        await make_member(db_session, "Stadtverwaltung Aalen", emails=("personal@aalen.example",)),
    ]


async def _circulate_and_refer(db_session: AsyncSession, profile: Profile, member: Member) -> Referral:
    """What the circulation domain writes when a member received the profile and answered "Interesse"."""
    circulation = Circulation(profile_id=profile.id, recipient_count=1)
    db_session.add(circulation)
    await db_session.flush()
    recipient = CirculationRecipient(
        circulation_id=circulation.id,
        profile_id=profile.id,
        member_id=member.id,
        score=87.5,
        matched_terms=["Buchhaltung"],
        answer=Answer.INTERESTED,
        answered_at=utcnow(),
    )
    db_session.add(recipient)
    await db_session.flush()
    referral = Referral(
        profile_id=profile.id,
        member_id=member.id,
        recipient_id=recipient.id,
        state=ReferralState.INTERESTED,
        events=[ReferralEvent(from_state=None, to_state=ReferralState.INTERESTED, actor=Actor.EMPLOYER, note="")],
    )
    db_session.add(referral)
    await db_session.commit()
    return referral


async def test_status_page_of_unconfirmed_profile_says_consent_is_pending(
    client: Client, db_session: AsyncSession, settings: Settings
) -> None:
    profile = await make_profile(db_session, settings)
    token = await status_link_token(db_session, settings, profile)
    response = await client.get(f"/status/{token}")
    assert response.status_code == 200
    assert "Ihre Einwilligung steht noch aus" in response.text
    assert profile.reference in response.text
    assert "Profil pausieren" not in response.text
    assert "Neue Mitglieder" not in response.text


async def test_unknown_status_link_answers_410(client: Client) -> None:
    response = await client.get("/status/not-a-real-token")
    assert response.status_code == 410
    assert "Dieser Link ist ungültig." in response.text


async def test_pause_and_resume_return_to_the_previous_state(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    profile, token = await confirmed_profile(db_session, settings, await _members(db_session))
    paused = await _post(client, token, "pause")
    assert paused.status_code == 303
    assert paused.headers["location"] == f"/status/{token}"
    assert (await fresh(session_maker, Profile, profile.id)).status == ProfileStatus.PAUSED
    page = await client.get(paused.headers["location"])
    assert "Ihr Profil ist pausiert" in page.text
    assert "Profil wieder aktivieren" in page.text

    again = await _post(client, token, "pause")
    assert again.status_code == 409
    resumed = await _post(client, token, "resume")
    assert resumed.status_code == 303
    assert (await fresh(session_maker, Profile, profile.id)).status == ProfileStatus.CONFIRMED


async def test_resume_of_an_approved_profile_returns_to_approved(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    profile, token = await confirmed_profile(db_session, settings, await _members(db_session))
    profile.status = ProfileStatus.APPROVED
    profile.approved_at = utcnow()
    await db_session.commit()
    assert (await _post(client, token, "pause")).status_code == 303
    assert (await _post(client, token, "resume")).status_code == 303
    assert (await fresh(session_maker, Profile, profile.id)).status == ProfileStatus.APPROVED


async def test_withdraw_ends_circulation_and_revokes_member_links(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    members = await _members(db_session)
    profile, token = await confirmed_profile(db_session, settings, members)
    employer_token = tokens.issue(db_session, purpose=TokenPurpose.EMPLOYER, profile_id=profile.id, days=30)
    await db_session.commit()
    response = await _post(client, token, "withdraw")
    assert response.status_code == 303
    assert (await fresh(session_maker, Profile, profile.id)).status == ProfileStatus.WITHDRAWN
    [employer_row] = await rows(session_maker, select(LinkToken).where(LinkToken.purpose == TokenPurpose.EMPLOYER))
    assert employer_row.token_hash == tokens.hash_token(employer_token)
    assert employer_row.revoked_at is not None
    page = await client.get(f"/status/{token}")
    assert "Sie haben Ihr Profil zurückgezogen" in page.text
    assert "Profil korrigieren" not in page.text
    assert (await _post(client, token, "edit", profile_form(residence="Berlin"))).status_code == 409


async def test_correct_profile_prefills_validates_and_saves(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    profile, token = await confirmed_profile(db_session, settings, await _members(db_session))
    form = await client.get(f"/status/{token}/edit")
    assert form.status_code == 200
    assert 'value="Maria Beispiel"' in form.text
    assert 'value="Industriekauffrau, Buchhaltung"' in form.text
    assert 'value="2027-03-01"' in form.text

    bad = await _post(client, token, "edit", profile_form(residence="", skills="Rust"))
    assert bad.status_code == 400
    assert "Bitte geben Sie den derzeitigen Wohnort an." in bad.text
    assert 'value="Rust"' in bad.text
    assert (await fresh(session_maker, Profile, profile.id)).residence == "Leipzig"

    good = await _post(client, token, "edit", profile_form(residence="Aalen", occupations="Controlling"))
    assert good.status_code == 303
    stored = await fresh(session_maker, Profile, profile.id)
    assert stored.residence == "Aalen"
    assert stored.occupations == ["Controlling"]
    assert stored.status == ProfileStatus.CONFIRMED


async def test_export_contains_profile_consents_permissions_circulations_and_referrals(
    client: Client, db_session: AsyncSession, settings: Settings
) -> None:
    members = await _members(db_session)
    profile, token = await confirmed_profile(db_session, settings, members)
    await _circulate_and_refer(db_session, profile, members[0])
    response = await client.get(f"/status/{token}/export")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"] == f'attachment; filename="job-fuer-zwei-{profile.reference}.json"'
    data = json.loads(response.content)
    assert data["profile"]["partner_name"] == "Maria Beispiel"
    assert data["profile"]["applicant_email"] == "jonas.beispiel@example.org"
    assert data["profile"]["status"] == "confirmed"
    assert data["profile"]["languages"] == [
        {"language": "Deutsch", "level": "native"},
        {"language": "Englisch", "level": "B2"},
    ]
    assert [c["kind"] for c in data["consents"]] == ["applicant", "partner"]
    assert data["consents"][1]["text_version"] == settings.privacy_version
    assert {p["member"] for p in data["permissions"]} == {"Maschinenbau Kocher GmbH", "Stadtverwaltung Aalen"}
    [circulation] = data["circulations"]
    assert circulation["member"] == "Maschinenbau Kocher GmbH"
    assert circulation["answer"] == "interested"
    assert circulation["sent_at"]
    [referral] = data["referrals"]
    assert referral["member"] == "Maschinenbau Kocher GmbH"
    assert referral["state"] == "interested"
    assert referral["contact_release"] == "pending"
    assert referral["events"][0]["to_state"] == "interested"
    assert referral["events"][0]["actor"] == "employer"


async def test_status_page_lists_circulations_and_interested_members(
    client: Client, db_session: AsyncSession, settings: Settings
) -> None:
    members = await _members(db_session)
    profile, token = await confirmed_profile(db_session, settings, members)
    referral = await _circulate_and_refer(db_session, profile, members[0])
    page = await client.get(f"/status/{token}")
    assert "Interessierte Arbeitgeber" in page.text
    assert f"/status/{token}/referrals/{referral.id}/contact" in page.text
    assert "Kontaktdaten freigeben" in page.text
    assert "Weitergabe an Mitglieder" in page.text
    assert "Interesse (" in page.text


async def test_partner_releases_contact_details_to_an_interested_member(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    members = await _members(db_session)
    profile, token = await confirmed_profile(db_session, settings, members)
    referral = await _circulate_and_refer(db_session, profile, members[0])
    response = await _post(client, token, f"referrals/{referral.id}/contact", {"decision": "grant"})
    assert response.status_code == 303
    stored = await fresh(session_maker, Referral, referral.id)
    assert stored.contact_release == ContactRelease.GRANTED
    [consent] = await rows(session_maker, select(Consent).where(Consent.kind == ConsentKind.CONTACT_RELEASE))
    assert consent.recipients == [{"id": str(members[0].id), "name": "Maschinenbau Kocher GmbH"}]
    page = await client.get(response.headers["location"])
    assert "Ihre Entscheidung zur Weitergabe Ihrer Kontaktdaten ist gespeichert." in page.text


async def test_contact_decision_on_another_profiles_referral_is_404(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    members = await _members(db_session)
    mine, token = await confirmed_profile(db_session, settings, members)
    other, _ = await confirmed_profile(db_session, settings, members, partner_email="andere@example.org")
    foreign = await _circulate_and_refer(db_session, other, members[0])
    response = await _post(client, token, f"referrals/{foreign.id}/contact", {"decision": "grant"})
    assert response.status_code == 404
    assert (await fresh(session_maker, Referral, foreign.id)).contact_release == ContactRelease.PENDING
    assert mine.id != other.id


async def test_new_member_is_listed_and_can_be_allowed(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    profile, token = await confirmed_profile(db_session, settings, await _members(db_session))
    late = await make_member(db_session, "Neu Beigetreten KG", emails=("hr@neu.example",))
    page = await client.get(f"/status/{token}")
    assert "Neue Mitglieder" in page.text
    assert f"/status/{token}/members/{late.id}" in page.text

    response = await _post(client, token, f"members/{late.id}", {"decision": "allow"})
    assert response.status_code == 303
    [permission] = await rows(session_maker, select(ProfilePermission).where(ProfilePermission.member_id == late.id))
    assert permission.is_allowed is True
    [consent] = await rows(session_maker, select(Consent).where(Consent.kind == ConsentKind.MEMBER_ADDED))
    assert consent.recipients == [{"id": str(late.id), "name": "Neu Beigetreten KG"}]
    assert consent.text_version == settings.privacy_version
    page = await client.get(f"/status/{token}")
    assert "Neue Mitglieder" not in page.text

    twice = await _post(client, token, f"members/{late.id}", {"decision": "deny"})
    assert twice.status_code == 404
    assert profile.id == permission.profile_id


async def test_new_member_can_be_declined_without_consent_record(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    profile, token = await confirmed_profile(db_session, settings, await _members(db_session))
    late = await make_member(db_session, "Neu Beigetreten KG", emails=("hr@neu.example",))
    response = await _post(client, token, f"members/{late.id}", {"decision": "deny"})
    assert response.status_code == 303
    [permission] = await rows(session_maker, select(ProfilePermission).where(ProfilePermission.member_id == late.id))
    assert permission.is_allowed is False
    assert permission.profile_id == profile.id
    assert await rows(session_maker, select(Consent).where(Consent.kind == ConsentKind.MEMBER_ADDED)) == []


async def test_unknown_member_decision_is_404(client: Client, db_session: AsyncSession, settings: Settings) -> None:
    _profile, token = await confirmed_profile(db_session, settings, await _members(db_session))
    response = await _post(client, token, f"members/{uuid.uuid4()}", {"decision": "allow"})
    assert response.status_code == 404


async def test_delete_asks_first_then_removes_rows_cv_and_every_outbox_copy(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    members = await _members(db_session)
    profile, token = await confirmed_profile(db_session, settings, members, cv=PDF)
    await _circulate_and_refer(db_session, profile, members[0])
    path = services.cv_path(settings, profile)
    assert path is not None
    assert path.read_bytes() == PDF
    assert len(await outbox_rows(session_maker, profile.id)) == 1

    ask = await client.get(f"/status/{token}/delete")
    assert ask.status_code == 200
    assert "Ja, Profil endgültig löschen" in ask.text
    assert await fresh(session_maker, Profile, profile.id) is not None

    response = await _post(client, token, "delete")
    assert response.status_code == 200
    assert "Ihr Profil ist gelöscht" in response.text
    assert await fresh(session_maker, Profile, profile.id) is None
    assert not path.exists()
    assert await outbox_rows(session_maker, profile.id) == []
    for model in (Consent, ProfilePermission, LinkToken, CirculationRecipient, Referral):
        assert await rows(session_maker, select(model)) == []
    assert len(await rows(session_maker, select(Member))) == 2
    gone = await client.get(f"/status/{token}")
    assert gone.status_code == 410


async def test_cv_download_from_status_page(client: Client, db_session: AsyncSession, settings: Settings) -> None:
    profile, token = await confirmed_profile(db_session, settings, await _members(db_session), cv=PDF)
    response = await client.get(f"/status/{token}/cv")
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    assert profile.reference in response.headers["content-disposition"]


async def test_status_actions_without_csrf_token_are_refused(
    client: Client, db_session: AsyncSession, session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    profile, token = await confirmed_profile(db_session, settings, await _members(db_session), cv=PDF)
    await client.get(f"/status/{token}")
    for action in ("pause", "withdraw", "delete"):
        response = await client.post(f"/status/{token}/{action}", data={}, follow_redirects=False)
        assert response.status_code == 403
    stored = await fresh(session_maker, Profile, profile.id)
    assert stored.status == ProfileStatus.CONFIRMED
    path = services.cv_path(settings, profile)
    assert path is not None
    assert path.exists()

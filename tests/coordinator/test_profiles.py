from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.circulation.models import Circulation, CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.mail.models import OutboxMessage
from jobfuerzwei.profiles.models import Consent, ConsentKind, Profile, ProfilePermission, ProfileStatus
from jobfuerzwei.profiles.schemas import profile_form_values
from jobfuerzwei.referrals.models import Referral
from tests.conftest import BASE_URL, Sink, links_in
from tests.coordinator.conftest import make_member, make_profile, post_form


async def _reload(session: AsyncSession, profile: Profile) -> Profile:
    fresh = await session.get(Profile, profile.id, populate_existing=True)
    assert fresh is not None
    return fresh


async def test_queue_lists_confirmed_profiles_only(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    waiting = await make_profile(db_session, partner_name="Clara Queue")
    await make_profile(db_session, partner_name="Dora Approved", status=ProfileStatus.APPROVED)
    await make_profile(db_session, partner_name="Emil Unconfirmed", status=ProfileStatus.UNCONFIRMED)
    response = await logged_in_client.get("/coordinator/profiles")
    assert response.status_code == 200
    assert "Clara Queue" in response.text
    assert waiting.reference in response.text
    assert "Dora Approved" not in response.text
    assert "Emil Unconfirmed" not in response.text
    approved = await logged_in_client.get("/coordinator/profiles?status=approved")
    assert "Dora Approved" in approved.text
    assert "Clara Queue" not in approved.text


async def test_queue_refuses_to_list_unconfirmed_or_unknown_statuses(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    await make_profile(db_session, partner_name="Emil Unconfirmed", status=ProfileStatus.UNCONFIRMED)
    assert (await logged_in_client.get("/coordinator/profiles?status=unconfirmed")).status_code == 400
    assert (await logged_in_client.get("/coordinator/profiles?status=whatever")).status_code == 400


async def test_queue_is_paginated(logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession) -> None:
    for i in range(27):
        await make_profile(db_session, partner_name=f"Person Nummer{i:02d}", residence=f"Ort {i}")
    first = await logged_in_client.get("/coordinator/profiles")
    second = await logged_in_client.get("/coordinator/profiles?page=2")
    assert "Seite 1 von 2" in first.text
    assert "Seite 2 von 2" in second.text
    assert first.text.count("/coordinator/profiles/") - second.text.count("/coordinator/profiles/") == 23
    assert "Person Nummer00" in first.text
    assert "Person Nummer26" in second.text


async def test_queue_flags_possible_duplicates(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    same_mail_a = await make_profile(db_session, partner_name="Fritz Mail", partner_email="fritz@example.org")
    same_mail_b = await make_profile(db_session, partner_name="F. Mail", partner_email="Fritz@Example.org ")
    name_a = await make_profile(db_session, partner_name="Gerda Müller-Schmidt", residence="Schwäbisch Gmünd")
    name_b = await make_profile(
        db_session,
        partner_name="gerda  Müller Schmidt",
        residence="  schwäbisch   GMÜND",
        status=ProfileStatus.APPROVED,
    )
    other = await make_profile(db_session, partner_name="Gerda Müller-Schmidt", residence="Heidenheim")
    response = await logged_in_client.get("/coordinator/profiles")
    assert response.status_code == 200
    rows = {p.reference: _row(response.text, p.reference) for p in (same_mail_a, same_mail_b, name_a, other)}
    assert same_mail_b.reference in rows[same_mail_a.reference]
    assert "gleiche E-Mail-Adresse" in rows[same_mail_a.reference]
    assert same_mail_a.reference in rows[same_mail_b.reference]
    assert name_b.reference in rows[name_a.reference]
    assert "fast gleicher Name und gleicher Wohnort" in rows[name_a.reference]
    assert "Mögliches Duplikat" not in rows[other.reference]


def _row(html: str, reference: str) -> str:
    start = html.index(f">{reference}</a></td>")
    return html[start : html.index("</tr>", start)]


async def test_profile_page_shows_contact_consents_duplicates_and_cv(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    cv_name = f"{secrets.token_hex(16)}.pdf"
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    (settings.upload_dir / cv_name).write_bytes(b"%PDF-1.4\n%test\n")
    profile = await make_profile(
        db_session, partner_phone="07361 12345", partner_email="hanna@example.org", cv_file=cv_name, cv_size=15
    )
    twin = await make_profile(db_session, partner_name="Jemand Anders", partner_phone="+49 7361 12345")
    member = await make_member(db_session, "Empfänger GmbH")
    db_session.add(
        Consent(
            profile_id=profile.id,
            kind=ConsentKind.PARTNER,
            text_version="2026-11",
            recipients=[{"id": str(member.id), "name": member.name}],
            given_at=utcnow(),
        )
    )
    db_session.add(ProfilePermission(profile_id=profile.id, member_id=member.id, is_allowed=False, decided_at=utcnow()))
    await db_session.commit()
    response = await logged_in_client.get(f"/coordinator/profiles/{profile.id}")
    assert response.status_code == 200
    assert "hanna@example.org" in response.text
    assert "07361 12345" in response.text
    assert twin.reference in response.text
    assert "gleiche Telefonnummer" in response.text
    assert "In dieses Profil übernehmen" in response.text
    assert "Einwilligung der Partnerin bzw. des Partners" in response.text
    assert "1: Empfänger GmbH" in response.text
    assert '<span id="excluded-members">Empfänger GmbH</span>' in response.text
    assert "Freigeben" in response.text
    cv = await logged_in_client.get(f"/coordinator/profiles/{profile.id}/cv")
    assert cv.status_code == 200
    assert cv.content == b"%PDF-1.4\n%test\n"
    assert cv.headers["content-type"] == "application/pdf"
    assert cv.headers["content-disposition"].startswith("attachment")
    assert cv.headers["x-content-type-options"] == "nosniff"


async def test_profile_without_cv_has_no_download(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    profile = await make_profile(db_session)
    response = await logged_in_client.get(f"/coordinator/profiles/{profile.id}")
    assert "Lebenslauf herunterladen" not in response.text
    assert (await logged_in_client.get(f"/coordinator/profiles/{profile.id}/cv")).status_code == 404


async def test_unconfirmed_profile_is_hidden_from_the_coordinator(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    profile = await make_profile(db_session, status=ProfileStatus.UNCONFIRMED, confirmed_at=None)
    assert (await logged_in_client.get(f"/coordinator/profiles/{profile.id}")).status_code == 404
    response = await post_form(logged_in_client, f"/coordinator/profiles/{profile.id}/approve")
    assert response.status_code == 404
    assert (await _reload(db_session, profile)).status == ProfileStatus.UNCONFIRMED


async def test_approve_releases_a_confirmed_profile_once(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    profile = await make_profile(db_session)
    response = await post_form(logged_in_client, f"/coordinator/profiles/{profile.id}/approve")
    assert response.status_code == 303
    assert response.headers["location"] == f"/coordinator/profiles/{profile.id}"
    fresh = await _reload(db_session, profile)
    assert fresh.status == ProfileStatus.APPROVED
    assert fresh.approved_at is not None
    page = await logged_in_client.get(f"/coordinator/profiles/{profile.id}")
    assert "Profil freigegeben." in page.text
    assert f"/coordinator/profiles/{profile.id}/circulate" in page.text
    again = await post_form(logged_in_client, f"/coordinator/profiles/{profile.id}/approve")
    assert again.status_code == 409
    assert "Nicht möglich" in again.text


async def test_reject_with_reason_mails_the_partner(
    logged_in_client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    deliver: Callable[..., Awaitable[Sink]],
    sink: Sink,
) -> None:
    profile = await make_profile(db_session, partner_name="Ida Ablehnung", partner_email="ida@example.org")
    reason = "Ihr gewünschter Beruf wird im Netzwerk derzeit nicht gesucht."
    response = await post_form(logged_in_client, f"/coordinator/profiles/{profile.id}/reject", {"reason": reason})
    assert response.status_code == 303
    fresh = await _reload(db_session, profile)
    assert fresh.status == ProfileStatus.REJECTED
    assert fresh.rejected_reason == reason
    await deliver()
    mails = sink.to("ida@example.org")
    assert len(mails) == 1
    plain = mails[0].get_body(preferencelist=("plain",))
    assert plain is not None
    text = plain.get_content()
    assert reason in text
    assert "Guten Tag Ida Ablehnung" in text
    assert profile.reference in str(mails[0]["Subject"])
    html_part = mails[0].get_body(preferencelist=("html",))
    assert html_part is not None
    html = html_part.get_content()
    assert "derzeit nicht gesucht" in html
    status_links = [link for link in links_in(mails[0]) if link.startswith(f"{BASE_URL}/status/")]
    assert len(status_links) == 1
    again = await post_form(logged_in_client, f"/coordinator/profiles/{profile.id}/reject", {"reason": reason})
    assert again.status_code == 409


async def test_reject_without_reason_changes_nothing(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    profile = await make_profile(db_session)
    response = await post_form(logged_in_client, f"/coordinator/profiles/{profile.id}/reject", {"reason": "   "})
    assert response.status_code == 400
    assert "Bitte geben Sie eine Begründung an" in response.text
    assert (await _reload(db_session, profile)).status == ProfileStatus.CONFIRMED
    assert await db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_merge_folds_the_duplicate_into_the_kept_profile(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    shared = await make_member(db_session, "Geteilt AG", email="a@geteilt.example")
    only_dropped = await make_member(db_session, "Nur Alt GmbH", email="b@alt.example")
    excluded = await make_member(db_session, "Ausgeschlossen KG", email="c@aus.example")
    keep = await make_profile(
        db_session,
        partner_email="same@example.org",
        occupations=["Industriemechaniker"],
        skills=["CNC", "SPS"],
        languages=[{"language": "Deutsch", "level": "native"}],
        status=ProfileStatus.APPROVED,
    )
    drop = await make_profile(
        db_session,
        partner_email="same@example.org",
        occupations=["industriemechaniker", "Mechatroniker"],
        skills=["Schweißen"],
        languages=[{"language": "Deutsch", "level": "C1"}, {"language": "Englisch", "level": "B2"}],
    )
    now = utcnow()
    db_session.add_all(
        [
            ProfilePermission(profile_id=keep.id, member_id=excluded.id, is_allowed=True, decided_at=now),
            ProfilePermission(profile_id=drop.id, member_id=excluded.id, is_allowed=False, decided_at=now),
            ProfilePermission(profile_id=drop.id, member_id=only_dropped.id, is_allowed=True, decided_at=now),
        ]
    )
    round_keep = Circulation(profile_id=keep.id, recipient_count=1)
    round_drop = Circulation(profile_id=drop.id, recipient_count=2)
    db_session.add_all([round_keep, round_drop])
    await db_session.flush()
    db_session.add_all(
        [
            CirculationRecipient(circulation_id=round_keep.id, profile_id=keep.id, member_id=shared.id),
            CirculationRecipient(circulation_id=round_drop.id, profile_id=drop.id, member_id=shared.id),
            CirculationRecipient(circulation_id=round_drop.id, profile_id=drop.id, member_id=only_dropped.id),
        ]
    )
    db_session.add_all(
        [
            Referral(profile_id=keep.id, member_id=shared.id),
            Referral(profile_id=drop.id, member_id=shared.id),
            Referral(profile_id=drop.id, member_id=only_dropped.id),
        ]
    )
    await db_session.commit()

    response = await post_form(logged_in_client, f"/coordinator/profiles/{keep.id}/merge", {"other_id": str(drop.id)})
    assert response.status_code == 303
    kept = await _reload(db_session, keep)
    dropped = await _reload(db_session, drop)
    assert dropped.status == ProfileStatus.MERGED
    assert dropped.merged_into_id == keep.id
    assert kept.status == ProfileStatus.APPROVED
    assert kept.occupations == ["Industriemechaniker", "Mechatroniker"]
    assert kept.skills == ["CNC", "SPS", "Schweißen"]
    assert [lang["language"] for lang in kept.languages] == ["Deutsch", "Englisch"]
    permissions = dict(
        (
            await db_session.execute(
                select(ProfilePermission.member_id, ProfilePermission.is_allowed).where(
                    ProfilePermission.profile_id == keep.id
                )
            )
        )
        .tuples()
        .all()
    )
    assert permissions == {excluded.id: False, only_dropped.id: True}
    recipients = (
        (await db_session.execute(select(CirculationRecipient.profile_id, CirculationRecipient.member_id)))
        .tuples()
        .all()
    )
    assert sorted((p == keep.id, m == shared.id) for p, m in recipients) == [(False, True), (True, False), (True, True)]
    referrals = (await db_session.execute(select(Referral.profile_id, Referral.member_id))).tuples().all()
    assert sorted((p == keep.id, m == shared.id) for p, m in referrals) == [(False, True), (True, False), (True, True)]
    page = await logged_in_client.get(f"/coordinator/profiles/{drop.id}")
    assert "in <a" in page.text
    assert "Zusammengeführt" in page.text
    again = await post_form(logged_in_client, f"/coordinator/profiles/{keep.id}/merge", {"other_id": str(drop.id)})
    assert again.status_code == 409


async def test_merge_with_itself_is_refused(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    profile = await make_profile(db_session)
    response = await post_form(
        logged_in_client, f"/coordinator/profiles/{profile.id}/merge", {"other_id": str(profile.id)}
    )
    assert response.status_code == 409
    assert (await _reload(db_session, profile)).status == ProfileStatus.CONFIRMED


async def test_correct_profile_saves_changed_fields(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    profile = await make_profile(db_session, work_municipalities=["Aalen"], summary="Alt")
    form = await logged_in_client.get(f"/coordinator/profiles/{profile.id}/edit")
    assert form.status_code == 200
    assert f'value="{profile.partner_email}"' in form.text
    data = profile_form_values(profile)
    data.update(residence="Ellwangen", occupations="Industriemechaniker\nMechatroniker", summary="Neu")
    response = await post_form(logged_in_client, f"/coordinator/profiles/{profile.id}/edit", data)
    assert response.status_code == 303
    assert response.headers["location"] == f"/coordinator/profiles/{profile.id}"
    fresh = await _reload(db_session, profile)
    assert fresh.residence == "Ellwangen"
    assert fresh.occupations == ["Industriemechaniker", "Mechatroniker"]
    assert fresh.summary == "Neu"
    assert fresh.status == ProfileStatus.CONFIRMED


async def test_correct_profile_with_errors_keeps_typed_values_and_changes_nothing(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    profile = await make_profile(db_session, work_municipalities=["Aalen"])
    data = profile_form_values(profile)
    data.update(partner_email="kein-mail", residence="Typed Ort")
    response = await post_form(logged_in_client, f"/coordinator/profiles/{profile.id}/edit", data)
    assert response.status_code == 400
    assert 'value="kein-mail"' in response.text
    assert 'value="Typed Ort"' in response.text
    assert 'aria-invalid="true"' in response.text
    fresh = await _reload(db_session, profile)
    assert fresh.residence == "Stuttgart"
    assert fresh.partner_email == profile.partner_email

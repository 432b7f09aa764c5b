"""Profile type (partner / job-to-job) filters the coordinator's list and figures."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.profiles.models import ProfileKind, ProfileStatus
from jobfuerzwei.referrals.models import Referral, ReferralState
from tests.coordinator.conftest import make_member, make_profile


async def test_list_and_overview_filter_by_profile_type(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    partner = await make_profile(db_session)
    transfer = await make_profile(
        db_session, kind=ProfileKind.JOB_TO_JOB, partner_name="Tina Transfer", residence="Ulm"
    )
    await make_profile(db_session, kind=ProfileKind.JOB_TO_JOB, status=ProfileStatus.APPROVED)

    both = await logged_in_client.get("/coordinator/profiles")
    assert partner.reference in both.text
    assert transfer.reference in both.text
    only = await logged_in_client.get("/coordinator/profiles?kind=job_to_job")
    assert transfer.reference in only.text
    assert partner.reference not in only.text
    assert "Wechsel" in only.text
    assert (await logged_in_client.get("/coordinator/profiles?kind=martian")).status_code == 400

    overview_all = await logged_in_client.get("/coordinator")
    overview_transfers = await logged_in_client.get("/coordinator?kind=job_to_job")
    overview_partners = await logged_in_client.get("/coordinator?kind=partner")
    assert overview_all.status_code == overview_transfers.status_code == overview_partners.status_code == 200
    assert 'value="job_to_job" selected' in overview_transfers.text
    assert overview_all.text != overview_transfers.text != overview_partners.text


async def test_referral_list_filters_by_profile_type(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession
) -> None:
    member = await make_member(db_session, "Kliniken Ostalb")
    partner = await make_profile(db_session, status=ProfileStatus.APPROVED, partner_name="Paula Partner")
    transfer = await make_profile(
        db_session, status=ProfileStatus.APPROVED, kind=ProfileKind.JOB_TO_JOB, partner_name="Tina Transfer"
    )
    for profile in (partner, transfer):
        db_session.add(Referral(profile_id=profile.id, member_id=member.id, state=ReferralState.INTERESTED))
    await db_session.commit()

    both = await logged_in_client.get("/coordinator/referrals")
    assert partner.reference in both.text
    assert transfer.reference in both.text
    only = await logged_in_client.get("/coordinator/referrals?kind=job_to_job")
    assert transfer.reference in only.text
    assert partner.reference not in only.text
    assert "Alle (1)" in only.text

"""Job-to-job profiles ("Wechselprofile"): the member that must let a person go never receives the profile, is
not offered to the employee for consent, and its staff is the pool of the job-to-job coverage model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.employers.models import Position
from jobfuerzwei.profiles.models import ProfileKind, ProfilePermission
from tests.circulation.helpers import circulate, make_member, make_profile, recipients
from tests.conftest import csrf_token
from tests.profiles.factories import confirm_link_token
from tests.profiles.factories import make_profile as register_profile

Client = AsyncTestClient[Litestar]


async def test_releasing_member_is_greyed_out_and_a_forged_send_to_it_is_skipped(
    coordinator: Client, db_session: AsyncSession, session_maker: Any, deliver: Callable[..., Any]
) -> None:
    releasing = await make_member(db_session, "Schrumpf AG", "Pflege")
    other = await make_member(db_session, "Kliniken Ostalb", "Pflege")
    profile = await make_profile(
        db_session, allowed=[releasing, other], kind=ProfileKind.JOB_TO_JOB, releasing_member_id=releasing.id
    )

    page = await coordinator.get(f"/coordinator/profiles/{profile.id}/circulate")
    assert page.status_code == 200
    assert f'name="member_id" value="{releasing.id}"' not in page.text
    assert "gibt die Person ab" in page.text

    response = await circulate(coordinator, profile, [releasing, other])
    assert response.status_code == 303
    assert {r.member_id for r in await recipients(session_maker, profile.id)} == {other.id}
    sink = await deliver()
    assert [str(m["To"]) for m in sink.messages] == ["personal@kliniken-ostalb.example"]

    only_releasing = await make_profile(
        db_session, allowed=[releasing], kind=ProfileKind.JOB_TO_JOB, releasing_member_id=releasing.id
    )
    refused = await circulate(coordinator, only_releasing, [releasing])
    assert refused.status_code == 400


async def test_employee_is_never_asked_about_the_releasing_member(
    client: Client, db_session: AsyncSession, settings: Settings
) -> None:
    releasing = await make_member(db_session, "Schrumpf AG")
    other = await make_member(db_session, "Kliniken Ostalb")
    profile = await register_profile(db_session, settings)
    profile.kind = ProfileKind.JOB_TO_JOB
    profile.releasing_member_id = releasing.id
    await db_session.commit()
    token = await confirm_link_token(db_session, settings, profile)

    page = await client.get(f"/confirm/{token}")
    assert f'value="{other.id}"' in page.text
    assert f'value="{releasing.id}"' not in page.text  # not in the list of possible recipients
    assert "Ihr Arbeitgeber, Schrumpf AG, hat Sie bei der Jobdrehscheibe" in page.text
    assert "Ihr Arbeitgeber selbst erhält das Profil nie." in page.text

    ids = [str(releasing.id), str(other.id)]  # a forged form that lists the releasing member anyway
    csrf = await csrf_token(client, f"/confirm/{token}")
    response = await client.post(
        f"/confirm/{token}", data={"_csrf_token": csrf, "shown": ids, "allow": ids}, follow_redirects=False
    )
    assert response.status_code == 303
    decided = list(
        await db_session.scalars(select(ProfilePermission.member_id).where(ProfilePermission.profile_id == profile.id))
    )
    assert decided == [other.id]
    status = await client.get(response.headers["location"])
    assert "Schrumpf AG" not in status.text  # not offered as a "new member" to allow either


async def test_job_to_job_coverage_takes_the_releasing_members_staff_and_the_other_members_positions(
    coordinator: Client, db_session: AsyncSession
) -> None:
    releasing = await make_member(db_session, "Schrumpf AG")
    clinic = await make_member(db_session, "Kliniken Ostalb")
    for member, title in [(releasing, "Pflegefachkraft"), (clinic, "Pflegefachkraft"), (clinic, "Koch")]:
        db_session.add(Position(member_id=member.id, title=title, postcode="73430"))
    await db_session.commit()
    staff = await make_profile(
        db_session, occupations=["Pflegefachkraft"], kind=ProfileKind.JOB_TO_JOB, releasing_member_id=releasing.id
    )
    partner = await make_profile(db_session, occupations=["Koch"])  # not in this pool

    page = await coordinator.get(f"/coordinator/coverage?run=1&releasing={releasing.id}&threshold=40")

    assert page.status_code == 200
    assert "1 von 2 offenen Stellen (50 %)" in page.text  # the clinic's two positions; its own one is left out
    assert staff.reference in page.text
    assert partner.reference not in page.text
    member_page = await coordinator.get(f"/coordinator/members/{releasing.id}/edit")
    assert f"/coordinator/coverage?run=1&amp;releasing={releasing.id}" in member_page.text

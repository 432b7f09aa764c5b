from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.circulation.models import Circulation
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.mail.models import OutboxStatus
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.profiles.models import ProfileStatus
from jobfuerzwei.referrals.models import Referral, ReferralState
from tests.coordinator.conftest import make_member, make_profile


async def test_overview_shows_counts_placements_and_recent_circulations(
    logged_in_client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    member = await make_member(db_session)
    placed = await make_profile(db_session, status=ProfileStatus.PLACED, placed_at=utcnow())
    await make_profile(db_session, status=ProfileStatus.CONFIRMED)
    await make_profile(db_session, status=ProfileStatus.CONFIRMED)
    db_session.add(Referral(profile_id=placed.id, member_id=member.id, state=ReferralState.HIRED))
    circulation = Circulation(profile_id=placed.id, recipient_count=3)
    db_session.add(circulation)
    await db_session.flush()
    rows = [
        enqueue(
            db_session,
            settings,
            template="smtp_check",
            to=f"m{i}@example.org",
            context={"name": "x"},
            batch_id=circulation.id,
        )
        for i in range(3)
    ]
    rows[0].status = OutboxStatus.SENT
    rows[1].status = OutboxStatus.FAILED
    await db_session.commit()

    response = await logged_in_client.get("/coordinator")
    assert response.status_code == 200
    assert 'id="placements">1<' in response.text
    assert "Profile zur Prüfung" in response.text
    assert "<td>2</td>" in response.text  # two confirmed profiles
    assert "Eingestellt" in response.text
    start = response.text.index(f">{placed.reference}</a>")
    row = response.text[start : response.text.index("</tr>", start)]
    assert row.count("<td>1</td>") == 2  # one sent, one waiting
    assert 'class="badge warn">1<' in row  # one failed

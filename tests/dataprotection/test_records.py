"""The records of processing activities (Art. 30) follow the settings the instance runs with."""

from __future__ import annotations

import dataclasses

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.app import create_app
from jobfuerzwei.config import Settings
from jobfuerzwei.dataprotection.services import records
from tests.circulation.helpers import session_cookie
from tests.conftest import BASE_URL


def test_every_activity_names_purpose_basis_data_recipients_and_retention(settings: Settings) -> None:
    activities = records(settings)
    assert {a.name for a in activities} >= {"Partnerprofile (Job für Zwei)", "Wechselprofile (Jobdrehscheibe)"}
    for activity in activities:
        assert activity.purpose
        assert "DSGVO" in activity.legal_basis or "BDSG" in activity.legal_basis
        assert activity.data
        assert activity.recipients
        assert activity.retention


async def test_page_shows_the_retention_periods_of_the_running_settings(
    settings: Settings, db_session: AsyncSession
) -> None:
    custom = dataclasses.replace(settings, unconfirmed_retention_days=3, declined_application_retention_days=45)
    async with AsyncTestClient(app=create_app(custom), base_url=BASE_URL) as client:
        await session_cookie(client, db_session, custom)
        page = await client.get("/coordinator/records")
    assert page.status_code == 200
    assert "Ohne Einwilligung: Löschung nach 3 Tagen." in page.text
    assert "Abgelehnte Anträge: Löschung nach 45 Tagen." in page.text
    assert f"Einwilligung {custom.security.confirm_token_days} Tage" in page.text
    assert "Technische und organisatorische Maßnahmen" in page.text


async def test_page_needs_a_coordinator(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/coordinator/records", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/coordinator/login")

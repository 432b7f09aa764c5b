"""Retention settings: ``JFZ_RETENTION_*`` with validation, and the records page that shows them and the purge runs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import ConfigError, RetentionSettings, Settings, load_settings
from jobfuerzwei.dataprotection.models import PurgeTrigger
from jobfuerzwei.dataprotection.retention import run_purge
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.profiles.models import ProfileStatus
from tests.retention.helpers import DAY, profile_with_files


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings with shorter periods, to see that the page follows them."""
    return dataclasses.replace(
        settings,
        unconfirmed_retention_days=5,
        retention=RetentionSettings(inactive_days=90, ask_days=10, referral_anonymise_days=120, stale_referral_days=7),
    )


async def test_records_page_shows_the_periods_and_the_last_purge_runs(
    logged_in_client: AsyncTestClient[Litestar],
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await profile_with_files(
        db_session, settings, cv=False, status=ProfileStatus.WITHDRAWN, last_activity_at=utcnow() - 91 * DAY
    )
    await run_purge(session_maker, settings, trigger=PurgeTrigger.CLI)

    page = await logged_in_client.get("/coordinator/records")

    assert page.status_code == 200
    assert "Ohne Einwilligung: Löschung nach 5 Tagen." in page.text
    assert "90 Tage lang: Löschung mit Lebenslauf" in page.text
    assert "10 Tage vorher wird die Person per E-Mail gefragt" in page.text
    assert "Abgeschlossene Vermittlungen: 120 Tage nach dem Abschluss" in page.text
    assert "ohne Bewegung seit 7 Tagen" in page.text
    assert "Letzte Löschläufe" in page.text
    row = page.text.split('id="purge-runs"')[1]
    assert "<td>Befehl</td>" in row
    assert "<td>1</td>" in row  # the withdrawn profile


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"JFZ_ENV": "development", "JFZ_DATA_DIR": str(tmp_path), **values}


def test_retention_defaults_follow_the_issue(tmp_path: Path) -> None:
    loaded = load_settings(_env(tmp_path))
    assert loaded.unconfirmed_retention_days == 7
    assert loaded.retention == RetentionSettings(
        inactive_days=183, ask_days=14, referral_anonymise_days=183, stale_referral_days=14, digest_weekday=0
    )


def test_retention_is_read_from_the_environment(tmp_path: Path) -> None:
    loaded = load_settings(
        _env(
            tmp_path,
            JFZ_RETENTION_UNCONFIRMED_DAYS="3",
            JFZ_RETENTION_INACTIVE_DAYS="365",
            JFZ_RETENTION_ASK_DAYS="30",
            JFZ_RETENTION_REFERRAL_DAYS="90",
            JFZ_RETENTION_STALE_REFERRAL_DAYS="10",
            JFZ_RETENTION_DIGEST_WEEKDAY="fri",
            JFZ_RETENTION_DIGEST_HOUR="9",
        )
    )
    assert loaded.unconfirmed_retention_days == 3
    assert loaded.retention == RetentionSettings(
        inactive_days=365,
        ask_days=30,
        referral_anonymise_days=90,
        stale_referral_days=10,
        digest_weekday=4,
        digest_hour=9,
    )
    for value, weekday in (("6", 6), ("Sonntag", 6), ("Di", 1), ("saturday", 5), ("Samstag", 5)):
        assert load_settings(_env(tmp_path, JFZ_RETENTION_DIGEST_WEEKDAY=value)).retention.digest_weekday == weekday


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JFZ_RETENTION_INACTIVE_DAYS", "14"),
        ("JFZ_RETENTION_ASK_DAYS", "0"),
        ("JFZ_RETENTION_REFERRAL_DAYS", "0"),
        ("JFZ_RETENTION_STALE_REFERRAL_DAYS", "-1"),
        ("JFZ_RETENTION_DIGEST_WEEKDAY", "8"),
        ("JFZ_RETENTION_DIGEST_HOUR", "24"),
        ("JFZ_RETENTION_UNCONFIRMED_DAYS", "0"),
        ("JFZ_RETENTION_INACTIVE_DAYS", "sechs Monate"),
    ],
)
def test_impossible_retention_settings_are_refused(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match="JFZ_RETENTION"):
        load_settings(_env(tmp_path, **{name: value}))


async def test_privacy_notice_states_the_inactivity_rule_of_the_running_settings(
    client: AsyncTestClient[Litestar],
) -> None:
    page = await client.get("/privacy")
    assert page.status_code == 200
    assert "90 Tage lang nichts" in page.text
    assert "10 Tage vorher fragen wir per E-Mail" in page.text
    assert "120 Tage nach dem Abschluss" in page.text

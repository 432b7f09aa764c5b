from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from jobfuerzwei.config import ConfigError, load_settings

SECRET = "s" * 40


def _production(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        "JFZ_ENV": "production",
        "JFZ_DATA_DIR": str(tmp_path),
        "JFZ_DATABASE_URL": "postgresql+asyncpg://jfz:secret@db.internal/jobfuerzwei",
        "JFZ_SECRET_KEY": SECRET,
        "JFZ_BASE_URL": "https://jobfuerzwei.example.org/",
        "JFZ_SMTP_HOST": "smtp.example.org",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v != ""}


def test_production_without_secret_key_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="JFZ_SECRET_KEY"):
        load_settings(_production(tmp_path, JFZ_SECRET_KEY=""))
    assert not (tmp_path / ".dev-secret").exists()


def test_a_database_url_alone_means_production_and_needs_a_secret(tmp_path: Path) -> None:
    env = {"JFZ_DATA_DIR": str(tmp_path), "JFZ_DATABASE_URL": "postgresql+asyncpg://jfz:x@db/jfz"}
    with pytest.raises(ConfigError, match="JFZ_SECRET_KEY"):
        load_settings(env)


@pytest.mark.parametrize("mode", ["production", "development"])
def test_short_secret_key_is_refused(tmp_path: Path, mode: str) -> None:
    with pytest.raises(ConfigError, match="32 characters"):
        load_settings(_production(tmp_path, JFZ_ENV=mode, JFZ_SECRET_KEY="too-short"))


def test_production_without_base_url_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="JFZ_BASE_URL"):
        load_settings(_production(tmp_path, JFZ_BASE_URL=""))


def test_production_without_smtp_host_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="JFZ_SMTP_HOST"):
        load_settings(_production(tmp_path, JFZ_SMTP_HOST=""))


def test_unknown_environment_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="JFZ_ENV"):
        load_settings({"JFZ_ENV": "staging", "JFZ_DATA_DIR": str(tmp_path)})


def test_production_defaults_are_strict(tmp_path: Path) -> None:
    settings = load_settings(_production(tmp_path))

    assert settings.dev_mode is False
    assert settings.db.url == "postgresql+asyncpg://jfz:secret@db.internal/jobfuerzwei"
    assert settings.base_url == "https://jobfuerzwei.example.org"
    assert settings.security.secret_key == SECRET
    assert settings.security.cookie_secure is True
    assert settings.security.trusted_proxies == ()
    assert settings.mail.dev_sink is False
    assert settings.mail.run_worker_in_app is False
    assert settings.mail.starttls is True
    assert settings.mail.port == 587
    assert settings.load_demo_data is False


def test_production_reads_smtp_worker_and_proxy_settings(tmp_path: Path) -> None:
    settings = load_settings(
        _production(
            tmp_path,
            JFZ_SMTP_PORT="2525",
            JFZ_SMTP_USERNAME="relay-user",
            JFZ_SMTP_PASSWORD="relay-password",
            JFZ_SMTP_STARTTLS="false",
            JFZ_SMTP_CONNECTIONS="8",
            JFZ_WORKER_IN_APP="true",
            JFZ_TRUSTED_PROXIES="10.0.0.1, 10.0.0.2",
            JFZ_ALLOWED_HOSTS="jobfuerzwei.example.org",
        )
    )

    assert (settings.mail.host, settings.mail.port) == ("smtp.example.org", 2525)
    assert (settings.mail.username, settings.mail.password) == ("relay-user", "relay-password")
    assert settings.mail.starttls is False
    assert settings.mail.connections == 8
    assert settings.mail.run_worker_in_app is True
    assert settings.security.trusted_proxies == ("10.0.0.1", "10.0.0.2")
    assert settings.security.allowed_hosts == ("jobfuerzwei.example.org",)


def test_the_database_pool_size_is_read_and_must_be_positive(tmp_path: Path) -> None:
    assert load_settings(_production(tmp_path)).db.pool_size == 30
    assert load_settings(_production(tmp_path, JFZ_DATABASE_POOL_SIZE="64")).db.pool_size == 64
    for wrong in ("0", "-3", "many"):
        with pytest.raises(ConfigError, match="JFZ_DATABASE_POOL_SIZE"):
            load_settings(_production(tmp_path, JFZ_DATABASE_POOL_SIZE=wrong))


def test_dev_defaults_use_sqlite_in_the_data_dir_and_the_local_mail_sink(tmp_path: Path) -> None:
    settings = load_settings({"JFZ_DATA_DIR": str(tmp_path)})

    assert settings.dev_mode is True
    assert settings.db.url == f"sqlite+aiosqlite:///{(tmp_path / 'jobfuerzwei.sqlite3').resolve()}"
    assert settings.mail.dev_sink is True
    assert (settings.mail.host, settings.mail.port) == ("127.0.0.1", 8025)
    assert settings.mail.starttls is False
    assert settings.mail.run_worker_in_app is True
    assert settings.security.cookie_secure is False
    assert settings.load_demo_data is True
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.sink_dir == tmp_path / "mail-sink"
    assert settings.upload_dir == tmp_path / "uploads"


def test_dev_secret_is_random_private_and_kept_across_starts(tmp_path: Path) -> None:
    first = load_settings({"JFZ_DATA_DIR": str(tmp_path)})
    second = load_settings({"JFZ_DATA_DIR": str(tmp_path)})
    other = load_settings({"JFZ_DATA_DIR": str(tmp_path / "other")})

    assert len(first.security.secret_key) >= 32
    assert first.security.secret_key == second.security.secret_key
    assert other.security.secret_key != first.security.secret_key
    mode = stat.S_IMODE((tmp_path / ".dev-secret").stat().st_mode)
    assert mode == 0o600


def test_dev_mode_with_a_real_smtp_host_turns_the_sink_off(tmp_path: Path) -> None:
    settings = load_settings({"JFZ_DATA_DIR": str(tmp_path), "JFZ_SMTP_HOST": "mail.example.org"})

    assert settings.dev_mode is True
    assert settings.mail.dev_sink is False
    assert settings.mail.host == "mail.example.org"
    assert settings.mail.port == 587


def test_dev_switches_for_worker_and_demo_data(tmp_path: Path) -> None:
    settings = load_settings({"JFZ_DATA_DIR": str(tmp_path), "JFZ_WORKER_IN_APP": "false", "JFZ_DEMO_DATA": "0"})

    assert settings.mail.run_worker_in_app is False
    assert settings.load_demo_data is False


def test_every_variable_is_documented_in_readme_and_env_example() -> None:
    root = Path(__file__).resolve().parents[1]
    code = "\n".join(p.read_text(encoding="utf-8") for p in (root / "jobfuerzwei").rglob("*.py"))
    used = set(re.findall(r"\bJFZ_[A-Z_]+[A-Z]\b", code))
    in_example = set(re.findall(r"^(JFZ_[A-Z_]+)=", (root / ".env.example").read_text(encoding="utf-8"), re.MULTILINE))
    in_readme = set(re.findall(r"^\| `(JFZ_[A-Z_]+)`", (root / "README.md").read_text(encoding="utf-8"), re.MULTILINE))

    assert used
    assert used - in_example == set(), "add these to .env.example"
    assert used - in_readme == set(), "add these to the configuration table in README.md"


def test_production_answers_only_to_the_base_url_host_by_default() -> None:
    from jobfuerzwei.config import load_settings

    settings = load_settings(
        {
            "JFZ_DATABASE_URL": "postgresql+asyncpg://u:p@db/jfz",
            "JFZ_SECRET_KEY": "s" * 40,
            "JFZ_BASE_URL": "https://jobs.ihk.example",
            "JFZ_SMTP_HOST": "mail.example",
        }
    )
    assert settings.security.allowed_hosts == ("jobs.ihk.example", "127.0.0.1", "localhost")


def test_matching_weights_and_thresholds_come_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        _production(
            tmp_path, JFZ_MATCH_WEIGHT_PLACE="0.3", JFZ_MATCH_WEIGHT_SKILLS="0", JFZ_MATCH_COVERAGE_THRESHOLD="65"
        )
    )
    assert settings.matching.weights.place == 0.3
    assert settings.matching.weights.skills == 0.0
    assert settings.matching.weights.occupation == 0.45  # default kept
    assert settings.matching.coverage_threshold == 65.0


@pytest.mark.parametrize(("name", "value"), [("JFZ_MATCH_WEIGHT_PLACE", "-0.1"), ("JFZ_MATCH_WEIGHT_OCCUPATION", "0")])
def test_negative_weights_or_no_occupation_weight_are_refused(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match="JFZ_MATCH_WEIGHT"):
        load_settings(_production(tmp_path, **{name: value}))

"""Settings: one frozen object with groups, loaded from ``JFZ_*`` environment variables by ``load_settings``."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from jobfuerzwei.matching.facts import Weights


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the data lives."""

    url: str
    """SQLAlchemy async URL. Default: SQLite file ``<data_dir>/jobfuerzwei.sqlite3``."""
    echo: bool = False
    """Log SQL statements (never enable in production: statements carry personal data as parameters)."""
    pool_size: int = 30
    """PostgreSQL connections an app process keeps open (and up to ``POOL_OVERFLOW`` more for a while).

    An async process needs one per request that waits for the database at the same moment, which under load is
    about every request in flight: a smaller pool closes and reopens connections all the time."""


@dataclass(frozen=True)
class MailSettings:
    """Outgoing mail: SMTP relay, sender and the outbox worker."""

    host: str = "127.0.0.1"
    port: int = 8025
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    use_tls: bool = False
    sender: str = "Job für Zwei <noreply@jobfuerzwei.example>"
    """From address of every mail."""
    reply_to: str | None = None
    connections: int = 4
    """Parallel SMTP connections per worker, each reused across messages."""
    batch_size: int = 50
    """Rows a worker claims per round."""
    max_attempts: int = 8
    """Transient failures are retried with exponential backoff until this many attempts."""
    backoff_base_seconds: float = 5.0
    lease_seconds: float = 120.0
    """A claimed row whose worker vanished (crash, kill -9) is taken over after this long."""
    poll_seconds: float = 1.0
    run_worker_in_app: bool = True
    """Run the outbox worker as a task inside the web process (embedded default); production runs ``worker``."""
    dev_sink: bool = False
    """Start a local SMTP sink (aiosmtpd) whose messages the coordinator can read in the app."""
    message_id_domain: str = "jobfuerzwei.example"
    accessibility_contact: str | None = None
    """Recipient of the feedback form on the accessibility statement (default: ``reply_to``, else ``sender``)."""

    @property
    def accessibility_recipient(self) -> str:
        """Where accessibility feedback goes: ``JFZ_ACCESSIBILITY_CONTACT``, else the reply-to, else the sender."""
        return self.accessibility_contact or self.reply_to or self.sender


@dataclass(frozen=True)
class MatchingSettings:
    """Ranking of members for a profile and of profiles for a position (``JFZ_MATCH_*``)."""

    weights: Weights = field(default_factory=Weights)
    """Weights of the score's parts: occupation, skills, languages, working time, place, start."""
    preselect_score: float = 40.0
    """Members at or above this score are ticked in advance on the circulation page."""
    coverage_threshold: float = 50.0
    """Default minimum score of a pair in the coverage model (Modellrechnung)."""


@dataclass(frozen=True)
class SecuritySettings:
    """Secrets, cookies, token lifetimes and rate limits."""

    secret_key: str
    cookie_secure: bool = True
    confirm_token_days: int = 7
    status_token_days: int = 365
    employer_token_days: int = 30
    session_hours: int = 12
    csrf_hours: int = 24
    """Lifetime of a form's CSRF token; a page fetched in the second half of it gets a new one (``web.csrf``)."""
    rate_limit_per_minute: int = 20
    """POSTs per client address per minute on the public form and the login."""
    login_failures_per_account: int = 10
    """Failed logins per account and 15 minutes before the account is locked for that window."""
    trusted_proxies: tuple[str, ...] = ()
    """Only requests from these addresses may set X-Forwarded-For (empty: never trusted)."""
    allowed_hosts: tuple[str, ...] = ("*",)


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Names ``JFZ_RETENTION_DIGEST_WEEKDAY`` accepts besides 0-6 (Monday is 0, as ``date.weekday()``)."""
WOCHENTAGE = ("mo", "di", "mi", "do", "fr", "sa", "so")
"""The same in German (``Montag``, ``Di``…), by their first two letters."""


@dataclass(frozen=True)
class RetentionSettings:
    """Retention periods and reminders (``JFZ_RETENTION_*``); run by ``jobfuerzwei purge`` and the worker.

    The unconfirmed-profile period stays ``Settings.unconfirmed_retention_days`` (``JFZ_RETENTION_UNCONFIRMED_DAYS``).
    """

    inactive_days: int = 183
    """A profile without activity this long is deleted (6 months); see ``dataprotection.retention``."""
    ask_days: int = 14
    """The partner is asked this many days before the deletion whether to keep the profile."""
    referral_anonymise_days: int = 183
    """Closed and hired referrals lose their notes and their link to the employer's view this long after closing."""
    stale_referral_days: int = 14
    """An open referral without movement this long prompts the employer once, this long again the coordinator."""
    digest_weekday: int = 0
    """Day of the coordinators' weekly digest (0 = Monday … 6 = Sunday, German time)."""
    digest_hour: int = 7
    """Hour (German time) from which the weekly digest goes out on its day."""
    audit_days: int = 730
    """Audit log entries (who accessed which profile) are deleted after this many days (2 years)."""
    event_days: int = 365
    """Invitations and answers of a meeting are deleted this many days after it ended (the meeting itself stays)."""

    def __post_init__(self) -> None:
        """Refuse periods that cannot work (raises ``ConfigError``)."""
        if self.ask_days < 1 or self.inactive_days <= self.ask_days:
            raise ConfigError("JFZ_RETENTION_INACTIVE_DAYS must be longer than JFZ_RETENTION_ASK_DAYS (at least 1)")
        if self.referral_anonymise_days < 1 or self.stale_referral_days < 1:
            raise ConfigError("JFZ_RETENTION_REFERRAL_DAYS and JFZ_RETENTION_STALE_REFERRAL_DAYS must be at least 1")
        if self.audit_days < 1 or self.event_days < 1:
            raise ConfigError("JFZ_RETENTION_AUDIT_DAYS and JFZ_RETENTION_EVENT_DAYS must be at least 1")
        if not 0 <= self.digest_weekday <= 6 or not 0 <= self.digest_hour <= 23:
            raise ConfigError(
                "JFZ_RETENTION_DIGEST_WEEKDAY must be 0-6, mon-sun or Montag-Sonntag, JFZ_RETENTION_DIGEST_HOUR 0-23"
            )


@dataclass(frozen=True)
class Settings:
    """All settings of one jobfuerzwei instance."""

    db: DatabaseSettings
    mail: MailSettings
    security: SecuritySettings
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    dev_mode: bool = False
    """Embedded default: SQLite, demo data, local mail sink, in-app worker, relaxed cookie flags."""
    data_dir: Path = Path("data")
    base_url: str = "http://127.0.0.1:8000"
    """Links in mails are built from this, never from the request's Host header."""
    load_demo_data: bool = False
    privacy_version: str = "2026-11"
    """Version of the privacy notice and consent text that applicants and partners agree to."""
    unconfirmed_retention_days: int = 7
    """Profiles without the partner's consent are deleted after this many days (``JFZ_RETENTION_UNCONFIRMED_DAYS``)."""
    declined_application_retention_days: int = 90
    """Declined membership applications (organisation and contact person) are deleted after this many days."""
    max_cv_bytes: int = 5 * 1024 * 1024

    @property
    def upload_dir(self) -> Path:
        """CV files, stored under generated names outside the web root."""
        return self.data_dir / "uploads"

    @property
    def sink_dir(self) -> Path:
        """Maildir of the dev mail sink."""
        return self.data_dir / "mail-sink"


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from ``JFZ_*`` variables; refuse unsafe production settings.

    Without ``JFZ_DATABASE_URL`` and ``JFZ_ENV`` the embedded dev default is used. Setting a database URL (or
    ``JFZ_ENV=production``) switches to production, where ``JFZ_SECRET_KEY`` and ``JFZ_BASE_URL`` must be given.
    """
    env = os.environ if env is None else env
    data_dir = Path(env.get("JFZ_DATA_DIR", "data"))
    mode = env.get("JFZ_ENV") or ("production" if env.get("JFZ_DATABASE_URL") else "development")
    if mode not in {"development", "production"}:
        raise ConfigError("JFZ_ENV must be 'development' or 'production'")
    dev = mode == "development"
    secret = env.get("JFZ_SECRET_KEY")
    if not secret:
        if not dev:
            raise ConfigError("JFZ_SECRET_KEY is required outside dev mode (at least 32 characters)")
        secret = _dev_secret(data_dir)
    elif len(secret) < 32:
        raise ConfigError("JFZ_SECRET_KEY must have at least 32 characters")
    base_url = env.get("JFZ_BASE_URL")
    if not base_url:
        if not dev:
            raise ConfigError("JFZ_BASE_URL is required outside dev mode, e.g. https://jobfuerzwei.example.org")
        base_url = f"http://127.0.0.1:{env.get('JFZ_PORT', '8000')}"
    db_url = env.get("JFZ_DATABASE_URL") or f"sqlite+aiosqlite:///{(data_dir / 'jobfuerzwei.sqlite3').resolve()}"
    smtp_host = env.get("JFZ_SMTP_HOST")
    if not dev and not smtp_host:
        raise ConfigError("JFZ_SMTP_HOST is required outside dev mode")
    dev_sink = dev and not smtp_host
    mail = MailSettings(
        host=smtp_host or "127.0.0.1",
        port=int(env.get("JFZ_SMTP_PORT", "8025" if dev_sink else "587")),
        username=env.get("JFZ_SMTP_USERNAME") or None,
        password=env.get("JFZ_SMTP_PASSWORD") or None,
        starttls=_bool(env.get("JFZ_SMTP_STARTTLS"), not dev_sink),
        use_tls=_bool(env.get("JFZ_SMTP_TLS"), False),
        sender=env.get("JFZ_MAIL_FROM", MailSettings.sender),
        reply_to=env.get("JFZ_MAIL_REPLY_TO") or None,
        connections=int(env.get("JFZ_SMTP_CONNECTIONS", "4")),
        batch_size=int(env.get("JFZ_MAIL_BATCH_SIZE", "50")),
        max_attempts=int(env.get("JFZ_MAIL_MAX_ATTEMPTS", "8")),
        backoff_base_seconds=float(env.get("JFZ_MAIL_BACKOFF_SECONDS", "5")),
        lease_seconds=float(env.get("JFZ_MAIL_LEASE_SECONDS", "120")),
        poll_seconds=float(env.get("JFZ_MAIL_POLL_SECONDS", "1")),
        run_worker_in_app=_bool(env.get("JFZ_WORKER_IN_APP"), dev),
        dev_sink=dev_sink,
        message_id_domain=env.get("JFZ_MESSAGE_ID_DOMAIN", MailSettings.message_id_domain),
        accessibility_contact=env.get("JFZ_ACCESSIBILITY_CONTACT") or None,
    )
    default_weights = Weights()
    weights = Weights(
        **{
            name: float(env.get(f"JFZ_MATCH_WEIGHT_{name.upper()}", str(getattr(default_weights, name))))
            for name in ("occupation", "skills", "languages", "working_time", "place", "start")
        }
    )
    if any(w < 0 for w in (weights.occupation, weights.skills, weights.languages, weights.working_time)) or (
        weights.place < 0 or weights.start < 0 or weights.occupation <= 0
    ):
        raise ConfigError("JFZ_MATCH_WEIGHT_* must not be negative, and the occupation weight must be positive")
    matching = MatchingSettings(
        weights=weights,
        preselect_score=float(env.get("JFZ_MATCH_PRESELECT_SCORE", str(MatchingSettings.preselect_score))),
        coverage_threshold=float(env.get("JFZ_MATCH_COVERAGE_THRESHOLD", str(MatchingSettings.coverage_threshold))),
    )
    proxies = tuple(p.strip() for p in env.get("JFZ_TRUSTED_PROXIES", "").split(",") if p.strip())
    # Production answers only to the host of JFZ_BASE_URL (and loopback, for health checks) unless told otherwise.
    default_hosts = "*" if dev else ",".join([urlsplit(base_url).hostname or "*", "127.0.0.1", "localhost"])
    hosts = tuple(h.strip() for h in env.get("JFZ_ALLOWED_HOSTS", default_hosts).split(",") if h.strip())
    unconfirmed_days = _int(env, "JFZ_RETENTION_UNCONFIRMED_DAYS", 7)
    if unconfirmed_days < 1:
        raise ConfigError("JFZ_RETENTION_UNCONFIRMED_DAYS must be at least 1")
    return Settings(
        db=DatabaseSettings(
            url=db_url,
            echo=_bool(env.get("JFZ_DATABASE_ECHO"), False),
            pool_size=_positive(env, "JFZ_DATABASE_POOL_SIZE", DatabaseSettings.pool_size),
        ),
        mail=mail,
        matching=matching,
        retention=_retention(env),
        unconfirmed_retention_days=unconfirmed_days,
        security=SecuritySettings(
            secret_key=secret,
            cookie_secure=_bool(env.get("JFZ_COOKIE_SECURE"), not dev),
            csrf_hours=_int(env, "JFZ_CSRF_HOURS", 24),
            trusted_proxies=proxies,
            allowed_hosts=hosts,
        ),
        dev_mode=dev,
        data_dir=data_dir,
        base_url=base_url.rstrip("/"),
        load_demo_data=_bool(env.get("JFZ_DEMO_DATA"), dev),
    )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number") from exc


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise ConfigError(f"{name} must be at least 1")
    return value


def _retention(env: Mapping[str, str]) -> RetentionSettings:
    """``JFZ_RETENTION_*``; the weekday may be 0-6, mon-sun or Montag-Sonntag."""
    default = RetentionSettings()
    name = env.get("JFZ_RETENTION_DIGEST_WEEKDAY", "").strip().lower()
    if name[:3] in WEEKDAYS:
        weekday = WEEKDAYS.index(name[:3])
    elif name[:2] in WOCHENTAGE:
        weekday = WOCHENTAGE.index(name[:2])
    else:
        weekday = _int(env, "JFZ_RETENTION_DIGEST_WEEKDAY", default.digest_weekday)
    return RetentionSettings(
        inactive_days=_int(env, "JFZ_RETENTION_INACTIVE_DAYS", default.inactive_days),
        ask_days=_int(env, "JFZ_RETENTION_ASK_DAYS", default.ask_days),
        referral_anonymise_days=_int(env, "JFZ_RETENTION_REFERRAL_DAYS", default.referral_anonymise_days),
        stale_referral_days=_int(env, "JFZ_RETENTION_STALE_REFERRAL_DAYS", default.stale_referral_days),
        digest_weekday=weekday,
        digest_hour=_int(env, "JFZ_RETENTION_DIGEST_HOUR", default.digest_hour),
        audit_days=_int(env, "JFZ_RETENTION_AUDIT_DAYS", default.audit_days),
        event_days=_int(env, "JFZ_RETENTION_EVENT_DAYS", default.event_days),
    )


def _dev_secret(data_dir: Path) -> str:
    """A per-installation random secret for dev mode, kept in the data folder so sessions survive restarts."""
    path = data_dir / ".dev-secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value

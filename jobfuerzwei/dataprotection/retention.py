"""Retention rules (``settings.retention``): what the purge deletes or anonymises, and the log of its runs.

``jobfuerzwei purge`` and the maintenance loop call :func:`run_purge`; each rule runs in its own transaction, so
one failing rule neither blocks the others nor undoes them, and the next run retries it. Every function takes
``now`` so tests can move the clock.

The rules, in the order they run:

1. Unconfirmed profiles: deleted ``unconfirmed_retention_days`` after registration (``profiles.privacy``).
2. Inactive profiles: ``last_activity_at`` is bumped by the partner (confirm, edit, pause, resume, withdraw,
   decisions on members and contact release, "Profil behalten"), by the coordinator (approve, reject, merge,
   circulate) and by employers (an answer, a referral step). Confirmed, approved, paused and placed profiles are
   asked ``ask_days`` before the deadline, once per cycle (``retention_asked_at``), and deleted when the deadline
   has passed and the question is at least ``ask_days`` old. Rejected and withdrawn profiles have no purpose left
   and are deleted at the deadline without a question. Merged duplicates go with the profile they were merged into
   (``delete_profile`` takes them along); a duplicate whose target is gone expires like a withdrawn profile.
3. Closed and hired referrals, ``referral_anonymise_days`` after closing: the notes of every event are wiped and
   the referral no longer links to the circulation recipient (so the member's portal stops showing the partner's
   released contact details). State, close reason, the partner's release decision, dates, actor roles and the member
   stay: the coordinator's figures do not change. The referral is deleted with its profile.
4. Declined membership applications (``membership.services``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.audit import services as audit
from jobfuerzwei.audit.models import AuditAction, AuditEntry
from jobfuerzwei.config import Settings
from jobfuerzwei.dataprotection.models import RUN_LOG_DAYS, PurgeRun, PurgeTrigger
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.events.models import Event, Invitation
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.membership.services import purge_declined
from jobfuerzwei.profiles import services as profile_services
from jobfuerzwei.profiles.models import Profile, ProfileStatus
from jobfuerzwei.profiles.privacy import RETENTION_ACTOR, delete_profile, purge_unconfirmed
from jobfuerzwei.referrals.models import Referral, ReferralEvent, ReferralState

log = logging.getLogger("jobfuerzwei.retention")

ASKED = profile_services.KEEPABLE
"""Statuses whose partner is asked before the deletion."""
SILENT = frozenset({ProfileStatus.REJECTED, ProfileStatus.WITHDRAWN})
"""Statuses deleted at the deadline without a question: the profile no longer serves any purpose."""
FINAL_REFERRAL_STATES = (ReferralState.HIRED, ReferralState.CLOSED)
BERLIN: dt.tzinfo
try:
    from zoneinfo import ZoneInfo

    BERLIN = ZoneInfo("Europe/Berlin")
except Exception:  # pragma: no cover - tzdata missing
    BERLIN = dt.UTC


@dataclass
class PurgeCounts:
    """How much each rule did in one run (the column names of ``PurgeRun``)."""

    unconfirmed_deleted: int = 0
    inactive_asked: int = 0
    inactive_deleted: int = 0
    referrals_anonymised: int = 0
    applications_deleted: int = 0
    audit_deleted: int = 0
    invitations_deleted: int = 0

    def summary(self) -> str:
        """One log line of counts (no personal data)."""
        return (
            f"{self.unconfirmed_deleted} unconfirmed profile(s) deleted, "
            f"{self.inactive_asked} partner(s) asked to keep their profile, "
            f"{self.inactive_deleted} inactive profile(s) deleted, "
            f"{self.referrals_anonymised} closed referral(s) anonymised, "
            f"{self.applications_deleted} declined application(s) deleted, "
            f"{self.audit_deleted} audit entr(y/ies) deleted, "
            f"{self.invitations_deleted} meeting invitation(s) deleted"
        )


# --- rule 2: inactive profiles -------------------------------------------------------------------------------------


def _asked_this_cycle() -> ColumnElement[bool]:
    return and_(Profile.retention_asked_at.is_not(None), Profile.retention_asked_at >= Profile.last_activity_at)


async def ask_inactive(session: AsyncSession, settings: Settings, now: dt.datetime | None = None) -> int:
    """Ask the partners of profiles ``ask_days`` before their inactivity deadline whether to keep them; once a cycle.

    The mail carries a fresh status link; the page's "Profil behalten" button (a POST) starts the clock again.
    """
    now = now or utcnow()
    retention = settings.retention
    due = now - dt.timedelta(days=retention.inactive_days - retention.ask_days)
    profiles = list(
        await session.scalars(
            select(Profile)
            .where(
                Profile.status.in_(ASKED),
                Profile.last_activity_at <= due,
                or_(Profile.retention_asked_at.is_(None), Profile.retention_asked_at < Profile.last_activity_at),
            )
            .order_by(Profile.number)
        )
    )
    for profile in profiles:
        profile.retention_asked_at = now
        # as ``profiles.privacy.retention_deadline``: the partner always has ``ask_days`` to answer
        deadline = max(
            profile.last_activity_at + dt.timedelta(days=retention.inactive_days),
            now + dt.timedelta(days=retention.ask_days),
        )
        enqueue(
            session,
            settings,
            template="retention_ask",
            to=profile.partner_email,
            language=profile.language,
            context={
                "partner_name": profile.partner_name,
                "reference": profile.reference,
                "last_activity_on": profile.last_activity_at.astimezone(BERLIN).date(),
                "delete_on": deadline.astimezone(BERLIN).date(),
                "status_url": await profile_services.issue_status_url(session, settings, profile),
            },
            profile_id=profile.id,
        )
    await session.flush()
    return len(profiles)


async def expire_inactive(session: AsyncSession, settings: Settings, now: dt.datetime | None = None) -> int:
    """Delete profiles past their inactivity deadline (asked ones only ``ask_days`` after the question); audited."""
    now = now or utcnow()
    retention = settings.retention
    deadline = now - dt.timedelta(days=retention.inactive_days)
    asked_before = now - dt.timedelta(days=retention.ask_days)
    expired = list(
        await session.scalars(
            select(Profile)
            .where(
                Profile.last_activity_at <= deadline,
                or_(
                    and_(Profile.status.in_(ASKED), _asked_this_cycle(), Profile.retention_asked_at <= asked_before),
                    Profile.status.in_(SILENT),
                    and_(Profile.status == ProfileStatus.MERGED, Profile.merged_into_id.is_(None)),
                ),
            )
            .order_by(Profile.number)
        )
    )
    for profile in expired:
        audit.record(
            session,
            audit.Actor.system(RETENTION_ACTOR),
            AuditAction.DELETED,
            profile_id=profile.id,
            profile_number=profile.number,
            detail=f"Inaktiv seit {retention.inactive_days} Tagen ({profile.status})",
        )
        await delete_profile(session, settings, profile)
    return len(expired)


# --- rule 3: closed referrals --------------------------------------------------------------------------------------


def _closed_at() -> ColumnElement[dt.datetime]:
    """The time of the step into the referral's final state (its last update where no such event exists)."""
    closing = (
        select(func.max(ReferralEvent.created_at))
        .where(
            ReferralEvent.referral_id == Referral.id,
            ReferralEvent.to_state == Referral.state,
            ReferralEvent.from_state != ReferralEvent.to_state,
        )
        .scalar_subquery()
    )
    return func.coalesce(closing, Referral.updated_at)


async def anonymise_referrals(session: AsyncSession, settings: Settings, now: dt.datetime | None = None) -> int:
    """Wipe the notes of referrals closed or hired more than ``referral_anonymise_days`` ago; returns how many.

    ``updated_at`` is kept, so the referral lists keep their order.
    """
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=settings.retention.referral_anonymise_days)
    ids = list(
        await session.scalars(
            select(Referral.id).where(
                Referral.state.in_(FINAL_REFERRAL_STATES),
                Referral.anonymised_at.is_(None),
                _closed_at() <= cutoff,
            )
        )
    )
    for start in range(0, len(ids), 500):  # keeps the IN lists short
        chunk = ids[start : start + 500]
        await session.execute(
            update(ReferralEvent)
            .where(ReferralEvent.referral_id.in_(chunk))
            .values(note="", updated_at=ReferralEvent.updated_at)
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            update(Referral)
            .where(Referral.id.in_(chunk))
            .values(anonymised_at=now, recipient_id=None, updated_at=Referral.updated_at)
            .execution_options(synchronize_session=False)
        )
    return len(ids)


# --- the run -------------------------------------------------------------------------------------------------------

Rule = Callable[[AsyncSession, Settings, dt.datetime], Awaitable[int]]

# --- rules 6 and 7: the audit log and past meetings ---------------------------------------------------------------


async def purge_audit(session: AsyncSession, settings: Settings, now: dt.datetime | None = None) -> int:
    """Delete audit entries older than the audit period."""
    cutoff = (now or utcnow()) - dt.timedelta(days=settings.retention.audit_days)
    result = await session.execute(delete(AuditEntry).where(AuditEntry.created_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def purge_event_invitations(session: AsyncSession, settings: Settings, now: dt.datetime | None = None) -> int:
    """Delete the invitations and answers of meetings that ended more than the event period ago.

    The meeting (title, time, place, agenda) stays: it names no person.
    """
    cutoff = (now or utcnow()) - dt.timedelta(days=settings.retention.event_days)
    past = select(Event.id).where(Event.ends_at < cutoff)
    result = await session.execute(delete(Invitation).where(Invitation.event_id.in_(past)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


RULES: tuple[tuple[str, Rule], ...] = (
    ("unconfirmed_deleted", purge_unconfirmed),
    ("inactive_deleted", expire_inactive),
    ("inactive_asked", ask_inactive),
    ("referrals_anonymised", anonymise_referrals),
    ("applications_deleted", purge_declined),
    ("audit_deleted", purge_audit),
    ("invitations_deleted", purge_event_invitations),
)
"""Name (a ``PurgeCounts`` field) and function of each rule, in the order they run."""


async def run_purge(
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    trigger: PurgeTrigger,
    now: dt.datetime | None = None,
) -> PurgeRun:
    """Run every rule in its own transaction, log the counts, and store the run; returns the stored run.

    A failing rule is logged by name and exception type only (messages may quote personal data) and recorded in
    ``failed_rules``; the other rules still run.
    """
    now = now or utcnow()
    started = time.monotonic()
    counts = PurgeCounts()
    failed: list[str] = []
    for name, rule in RULES:
        try:
            async with session_maker() as session, session.begin():
                setattr(counts, name, await rule(session, settings, now))
        except Exception as exc:  # one broken rule must not stop the others
            # no traceback: database errors quote the statement's parameters, which may be personal data
            log.error("purge rule %s failed: %s", name, type(exc).__name__)
            failed.append(name)
    run = PurgeRun(
        started_at=now,
        finished_at=now + dt.timedelta(seconds=time.monotonic() - started),
        trigger=trigger,
        failed_rules=",".join(failed),
        **{f.name: getattr(counts, f.name) for f in fields(counts)},
    )
    async with session_maker() as session, session.begin():
        session.add(run)
        await session.execute(delete(PurgeRun).where(PurgeRun.started_at < now - dt.timedelta(days=RUN_LOG_DAYS)))
    log.info("purge (%s): %s%s", trigger, counts.summary(), f"; failed: {run.failed_rules}" if failed else "")
    return run


async def recent_runs(session: AsyncSession, limit: int = 10) -> list[PurgeRun]:
    """The newest purge runs, for the records page."""
    return list(await session.scalars(select(PurgeRun).order_by(PurgeRun.started_at.desc()).limit(limit)))

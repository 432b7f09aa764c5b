"""Circulation, the members' side: what an employer link or the portal inbox opens, and the member's answer.

A mail link (``/e/<token>``) and the employer portal lead to the same view (``EmployerAccess``) and the same
answer (``record_answer``); the portal reaches it through a login instead of a token and keeps the link's answer
window. Ranking and sending live in ``circulation.services``.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Engine, ScalarSelect, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from jobfuerzwei.audit.models import AuditAction
from jobfuerzwei.audit.services import Actor, record
from jobfuerzwei.circulation.models import Answer, CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.changes import VersionedCache, per_engine
from jobfuerzwei.employers.models import Member
from jobfuerzwei.errors import InvalidTransition, LinkInvalid, NotFound
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.profiles.models import Profile, ProfileStatus
from jobfuerzwei.referrals import services as referral_services
from jobfuerzwei.referrals.models import ContactRelease, Referral
from jobfuerzwei.tokens import services as tokens
from jobfuerzwei.tokens.models import LinkToken, TokenPurpose

EMPLOYER_VISIBLE = frozenset({ProfileStatus.APPROVED, ProfileStatus.PAUSED, ProfileStatus.PLACED})
"""Profile states in which a recipient's link still shows the profile (withdrawn or merged profiles are gone)."""


@dataclass(frozen=True)
class EmployerAccess:
    """What an employer link opens: one member's view of one circulated profile."""

    recipient: CirculationRecipient
    profile: Profile
    referral: Referral | None

    @property
    def member(self) -> Member:
        """The member the link was sent to."""
        return self.recipient.member

    @property
    def is_open(self) -> bool:
        """The profile still looks for a job (not paused, not placed): interest can be passed on."""
        return self.profile.status == ProfileStatus.APPROVED

    @property
    def show_contact(self) -> bool:
        """Name, contact and CV only after the partner released them to this member."""
        return (
            self.referral is not None
            and self.referral.contact_release == ContactRelease.GRANTED
            and self.referral.anonymised_at is None  # retention: a long-closed referral no longer shows them
        )


async def employer_access(session: AsyncSession, token: str) -> EmployerAccess:
    """Resolve an employer link (``LinkInvalid`` when unknown, expired, revoked or the profile is gone)."""
    row = await tokens.resolve(session, token, TokenPurpose.EMPLOYER)
    if row.recipient_id is None:
        raise LinkInvalid(_("Dieser Link ist ungültig."))
    recipient = await session.scalar(
        select(CirculationRecipient)
        .where(CirculationRecipient.id == row.recipient_id)
        .options(selectinload(CirculationRecipient.member))
    )
    if recipient is None:
        raise LinkInvalid(_("Dieser Link ist ungültig."))
    access = await _access_for(session, recipient)
    if access is None:
        raise LinkInvalid(_("Dieses Profil ist nicht mehr verfügbar."))
    return access


async def _access_for(session: AsyncSession, recipient: CirculationRecipient) -> EmployerAccess | None:
    """The member's view behind a recipient row; ``None`` once the profile is gone for employers."""
    profile = await session.get(Profile, recipient.profile_id)
    if profile is None or profile.status not in EMPLOYER_VISIBLE:
        return None
    referral = await referral_services.referral_for(session, profile.id, recipient.member_id)
    return EmployerAccess(recipient=recipient, profile=profile, referral=referral)


async def record_answer(session: AsyncSession, settings: Settings, access: EmployerAccess, answer: Answer) -> bool:
    """Record the member's answer once; "interested" opens a referral. False if an answer was already recorded."""
    if answer == Answer.INTERESTED and access.recipient.answer is None and not access.is_open:
        raise InvalidTransition(
            _(
                "Dieses Profil ist derzeit nicht verfügbar (pausiert oder bereits vermittelt). "
                "Wir können Ihr Interesse deshalb nicht weitergeben."
            )
        )
    now = utcnow()
    result = await session.execute(
        update(CirculationRecipient)
        .where(CirculationRecipient.id == access.recipient.id, CirculationRecipient.answer.is_(None))
        .values(answer=answer, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    set_committed_value(access.recipient, "answer", answer)
    set_committed_value(access.recipient, "answered_at", now)
    access.profile.last_activity_at = now  # an employer's answer is activity (retention clock)
    if answer == Answer.INTERESTED:
        await referral_services.create_from_interest(session, settings, access.recipient)
    return True


# Employer portal: the same view and answer as the mail link, reached through a login instead of a token.


class InboxState(StrEnum):
    """Where a circulated profile stands in a member's portal inbox."""

    NEW = "new"
    """Not answered, and the member's link still valid: an answer is possible."""
    ANSWERED = "answered"
    EXPIRED = "expired"
    """Not answered in time (link expired or revoked): no answer any more."""


@dataclass(frozen=True)
class InboxEntry:
    """One circulated profile in a member's portal inbox: only what the inbox shows, never name or contact."""

    recipient_id: UUID
    received_at: dt.datetime
    answer: Answer | None
    answered_at: dt.datetime | None
    number: int
    occupations: list[str]
    status: ProfileStatus
    answer_until: dt.datetime | None
    state: InboxState

    @property
    def reference(self) -> str:
        """``JFZ-0042``."""
        return f"JFZ-{self.number:04d}"

    @property
    def is_open(self) -> bool:
        """The profile still looks for a job (not paused, not placed)."""
        return self.status == ProfileStatus.APPROVED


def _answer_deadline() -> ScalarSelect[Any]:
    """Correlated subquery: until when the recipient's newest live employer link lasts (``NULL``: none left).

    The portal keeps the mail link's answer window (``employer_token_days``), so answering by login and by link
    end at the same time; a link the coordinator revoked ends it at once, as it does for the link.
    """
    return (
        select(func.max(LinkToken.expires_at))
        .where(
            LinkToken.recipient_id == CirculationRecipient.id,
            LinkToken.purpose == TokenPurpose.EMPLOYER,
            LinkToken.revoked_at.is_(None),
        )
        .correlate(CirculationRecipient)
        .scalar_subquery()
    )


def inbox_state(answer: Answer | None, answer_until: dt.datetime | None, now: dt.datetime) -> InboxState:
    """The inbox state of a recipient (an answer given counts even after the window closed)."""
    if answer is not None:
        return InboxState.ANSWERED
    return InboxState.NEW if answer_until is not None and answer_until > now else InboxState.EXPIRED


@dataclass(frozen=True)
class Inbox:
    """One page of a member's inbox, with the counts per state of the whole inbox."""

    entries: list[InboxEntry]
    counts: dict[InboxState, int]
    state: InboxState | None
    """The state filter (``None``: all)."""
    page: int
    per_page: int
    until: dt.datetime | None = None
    """When the first new profile's answer window closes: the page holds until then (or until the data changes)."""

    @property
    def total(self) -> int:
        """All profiles in the inbox, whatever the filter."""
        return sum(self.counts.values())

    @property
    def shown(self) -> int:
        """Profiles in the filtered list (all pages)."""
        return self.counts[self.state] if self.state is not None else self.total

    @property
    def pages(self) -> int:
        """Pages of the filtered list (at least one)."""
        return max(1, -(-self.shown // self.per_page))


def _inbox_state(deadline: ScalarSelect[Any], now: dt.datetime) -> Any:
    """``inbox_state`` in SQL."""
    return case(
        (CirculationRecipient.answer.is_not(None), InboxState.ANSWERED.value),
        (deadline > now, InboxState.NEW.value),
        else_=InboxState.EXPIRED.value,
    )


@dataclass(frozen=True)
class _InboxCounts:
    counts: dict[InboxState, int]
    next_expiry: dt.datetime | None
    """When the first of the new profiles' answer windows closes (a count moves from new to expired)."""


_inbox_counts: weakref.WeakKeyDictionary[Engine, VersionedCache[_InboxCounts]] = weakref.WeakKeyDictionary()


async def _count_inbox(session: AsyncSession, in_inbox: Sequence[ColumnElement[bool]]) -> _InboxCounts:
    now = utcnow()
    deadline = _answer_deadline()
    rows = (
        select(_inbox_state(deadline, now).label("state"), deadline.label("until"))
        .select_from(CirculationRecipient)
        .join(Profile, Profile.id == CirculationRecipient.profile_id)
        .where(*in_inbox)
        .subquery()
    )
    counts = dict.fromkeys(InboxState, 0)
    next_expiry: dt.datetime | None = None
    query = select(rows.c.state, func.count(), func.min(rows.c.until)).group_by(rows.c.state)
    for value, n, first_until in (await session.execute(query)).tuples():
        counts[InboxState(value)] = int(n)
        if value == InboxState.NEW.value:
            next_expiry = first_until
    return _InboxCounts(counts, next_expiry)


async def member_inbox(
    session: AsyncSession, member_id: UUID, state: InboxState | None = None, page: int = 1, per_page: int = 50
) -> Inbox:
    """Profiles circulated to one member, newest first, a page at a time.

    Withdrawn or merged profiles are gone, as for the link. The state filter, the counts and the paging are done in
    SQL: a member of a national network receives thousands of profiles. The counts per state are kept per member
    until the data changes (``db.changes``: answers, profile states, links) or the first new profile's answer
    window closes; the page itself is read each time, as plain columns.
    """
    in_inbox = (CirculationRecipient.member_id == member_id, Profile.status.in_(EMPLOYER_VISIBLE))
    counted = await per_engine(_inbox_counts, session, VersionedCache).get(
        session,
        member_id,
        lambda s: _count_inbox(s, in_inbox),
        fresh=lambda c: c.next_expiry is None or c.next_expiry > utcnow(),
    )
    now = utcnow()
    deadline = _answer_deadline()
    query = (
        select(
            CirculationRecipient.id,
            CirculationRecipient.created_at,
            CirculationRecipient.answer,
            CirculationRecipient.answered_at,
            Profile.number,
            Profile.occupations,
            Profile.status,
            deadline,
        )
        .join(Profile, Profile.id == CirculationRecipient.profile_id)
        .where(*in_inbox)
        .order_by(CirculationRecipient.created_at.desc(), CirculationRecipient.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    if state is not None:
        query = query.where(_inbox_state(deadline, now) == state.value)
    entries = [
        InboxEntry(
            recipient_id=rid,
            received_at=received,
            answer=Answer(answer) if answer else None,
            answered_at=answered,
            number=number,
            occupations=list(occupations or []),
            status=ProfileStatus(status),
            answer_until=until,
            state=inbox_state(answer, until, now),
        )
        for rid, received, answer, answered, number, occupations, status, until in (await session.execute(query))
    ]
    return Inbox(
        entries=entries,
        counts=dict(counted.counts),
        state=state,
        page=page,
        per_page=per_page,
        until=counted.next_expiry,
    )


async def member_access(session: AsyncSession, recipient_id: UUID, member_id: UUID) -> EmployerAccess:
    """The member's view of one profile it received; another member's recipient id is ``NotFound`` (not 403)."""
    recipient = await session.scalar(
        select(CirculationRecipient)
        .where(CirculationRecipient.id == recipient_id, CirculationRecipient.member_id == member_id)
        .options(selectinload(CirculationRecipient.member))
    )
    access = await _access_for(session, recipient) if recipient is not None else None
    if access is None:
        raise NotFound(_("Dieses Profil gibt es nicht oder nicht mehr."))
    return access


async def answer_deadline(session: AsyncSession, recipient_id: UUID) -> dt.datetime | None:
    """Until when the recipient may answer (``None``: its links expired or were revoked)."""
    until: dt.datetime | None = await session.scalar(
        select(_answer_deadline()).select_from(CirculationRecipient).where(CirculationRecipient.id == recipient_id)
    )
    return until if until is not None and until > utcnow() else None


async def record_answer_for_member(
    session: AsyncSession, settings: Settings, recipient_id: UUID, member_id: UUID, answer: Answer
) -> bool:
    """The portal's answer button: ``record_answer`` for the member's own recipient while its link is valid."""
    access = await member_access(session, recipient_id, member_id)
    if access.recipient.answer is None and await answer_deadline(session, recipient_id) is None:
        raise InvalidTransition(
            _(
                "Die Frist für eine Antwort auf dieses Profil ist abgelaufen. "
                "Wenn Sie noch Interesse haben, wenden Sie sich bitte an die Koordination des Netzwerks."
            )
        )
    return await record_answer(session, settings, access, answer)


def audit_view(session: AsyncSession, access: EmployerAccess, detail: str, who: str = "") -> None:
    """Log that the member opened the profile (or its CV); ``who`` names the portal login, if any."""
    label = f"{access.member.name} ({who})" if who else access.member.name
    record(
        session,
        Actor.employer(access.member.id, label),
        AuditAction.VIEWED,
        profile_id=access.profile.id,
        profile_number=access.profile.number,
        detail=detail,
    )

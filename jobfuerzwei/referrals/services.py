"""Referral workflow: an employer's interest on its way to a hire, with the partner's decision on contact release."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload, selectinload

from jobfuerzwei.circulation.models import CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.paging import ListPage
from jobfuerzwei.employers import mail_prefs
from jobfuerzwei.employers import services as employer_services
from jobfuerzwei.errors import InvalidTransition, NotFound
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.profiles import services as profile_services
from jobfuerzwei.profiles.models import Consent, ConsentKind, Profile, ProfileKind
from jobfuerzwei.referrals.models import (
    Actor,
    CloseReason,
    ContactRelease,
    Referral,
    ReferralEvent,
    ReferralState,
    stage_of,
)
from jobfuerzwei.tokens import services as tokens
from jobfuerzwei.tokens.models import TokenPurpose

TRANSITIONS: dict[ReferralState, set[ReferralState]] = {
    ReferralState.INTERESTED: {ReferralState.IN_CONTACT, ReferralState.CLOSED},
    ReferralState.IN_CONTACT: {ReferralState.INTERVIEW, ReferralState.CLOSED},
    ReferralState.INTERVIEW: {ReferralState.OFFER, ReferralState.CLOSED},
    ReferralState.OFFER: {ReferralState.HIRED, ReferralState.CLOSED},
    ReferralState.HIRED: set(),
    ReferralState.CLOSED: set(),
}
"""Allowed next states; HIRED and CLOSED are final."""

OPEN_STATES = frozenset(s for s, nxt in TRANSITIONS.items() if nxt)


_FORWARD = (
    ReferralState.INTERESTED,
    ReferralState.IN_CONTACT,
    ReferralState.INTERVIEW,
    ReferralState.OFFER,
    ReferralState.HIRED,
)


def allowed_moves(state: ReferralState, actor: Actor = Actor.EMPLOYER) -> list[ReferralState]:
    """Next states in workflow order (for forms).

    Employers go one step at a time. The coordinator often learns of progress after the fact ("she starts on the
    1st"), so from an open state it may jump to any later step; the history records the jump as one event.
    """
    if actor == Actor.COORDINATOR and state in OPEN_STATES:
        later = _FORWARD[_FORWARD.index(state) + 1 :]
        return [*later, ReferralState.CLOSED]
    return [s for s in ReferralState if s in TRANSITIONS[state]]


def _add_event(
    referral: Referral,
    *,
    from_state: ReferralState | None,
    to_state: ReferralState,
    actor: Actor,
    note: str = "",
    close_reason: CloseReason | None = None,
) -> None:
    referral.reached_stage = max(referral.reached_stage or 1, stage_of(to_state))
    referral.events.append(
        ReferralEvent(
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            note=note.strip(),
            close_reason=close_reason,
            created_at=utcnow(),
        )
    )


async def create_from_interest(session: AsyncSession, settings: Settings, recipient: CirculationRecipient) -> Referral:
    """An employer clicked "Interesse": open a referral and tell the partner, who decides on contact release."""
    existing = await session.scalar(
        select(Referral).where(Referral.profile_id == recipient.profile_id, Referral.member_id == recipient.member_id)
    )
    if existing is not None:
        return existing
    referral = Referral(
        profile_id=recipient.profile_id,
        member_id=recipient.member_id,
        recipient_id=recipient.id,
        state=ReferralState.INTERESTED,
        contact_release=ContactRelease.PENDING,
        events=[],
    )
    _add_event(referral, from_state=None, to_state=ReferralState.INTERESTED, actor=Actor.EMPLOYER)
    session.add(referral)
    await session.flush()
    profile = await profile_services.get_profile(session, recipient.profile_id)
    member = await employer_services.get_member(session, recipient.member_id)
    status_url = await profile_services.issue_status_url(session, settings, profile)
    enqueue(
        session,
        settings,
        template="employer_interest_partner",
        to=profile.partner_email,
        language=profile.language,
        context={
            "partner_name": profile.partner_name,
            "reference": profile.reference,
            "member_name": member.name,
            "member_municipality": member.municipality,
            "status_url": status_url,
        },
        profile_id=profile.id,
    )
    return referral


async def get_referral(session: AsyncSession, referral_id: UUID, *, member_id: UUID | None = None) -> Referral:
    """A referral with member and profile loaded; with ``member_id`` only that member's (else ``NotFound``)."""
    stmt = (
        select(Referral)
        .where(Referral.id == referral_id)
        .options(selectinload(Referral.member), selectinload(Referral.profile))
    )
    if member_id is not None:
        stmt = stmt.where(Referral.member_id == member_id)
    referral = await session.scalar(stmt)
    if referral is None:
        raise NotFound(_("Diese Vermittlung gibt es nicht."))
    return referral


async def referral_for(session: AsyncSession, profile_id: UUID, member_id: UUID) -> Referral | None:
    """The referral of one member for one profile, if the member showed interest."""
    referral: Referral | None = await session.scalar(
        select(Referral).where(Referral.profile_id == profile_id, Referral.member_id == member_id)
    )
    return referral


async def _lock_profile(session: AsyncSession, profile_id: UUID) -> None:
    """Take the profile's row before any of its referrals: every change to a referral goes profile first.

    A step also writes the profile (its activity; a hire marks it placed and closes the profile's other referrals).
    Taking the referral first deadlocked on PostgreSQL when a member moved one referral while another member's hire
    closed it (found by the load loop). ``FOR NO KEY UPDATE`` is the lock the profile's own update takes; it does
    not block new referrals (their foreign key check). SQLite writes one transaction at a time anyway.
    """
    await session.execute(select(Profile.id).where(Profile.id == profile_id).with_for_update(key_share=True))


async def move(
    session: AsyncSession,
    settings: Settings,
    referral_id: UUID,
    to_state: ReferralState,
    *,
    actor: Actor,
    note: str = "",
    close_reason: CloseReason | None = None,
    member_id: UUID | None = None,
) -> Referral:
    """Move a referral (see ``allowed_moves``); HIRED marks the profile placed, which stops further circulation."""
    referral = await get_referral(session, referral_id, member_id=member_id)
    if to_state not in allowed_moves(referral.state, actor):
        raise InvalidTransition(
            _(
                "Dieser Schritt ist im aktuellen Stand der Vermittlung nicht möglich. "
                "Bitte laden Sie die Seite neu; vielleicht hat jemand anderes sie gerade geändert."
            )
        )
    if (to_state == ReferralState.CLOSED) != (close_reason is not None):
        raise InvalidTransition(_("Ein Grund gehört nur zum Abschluss einer Vermittlung und ist dort Pflicht."))
    from_state = referral.state
    await _lock_profile(session, referral.profile_id)
    # compare-and-set: of two concurrent moves from the same state only one wins (the other gets 409)
    changed = await session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.state == from_state)
        .values(state=to_state)
        .execution_options(synchronize_session=False)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        raise InvalidTransition(_("Die Vermittlung wurde gerade geändert. Bitte laden Sie die Seite neu."))
    referral.state = to_state
    referral.close_reason = close_reason
    referral.profile.last_activity_at = utcnow()  # a step is activity (retention clock)
    _add_event(referral, from_state=from_state, to_state=to_state, actor=actor, note=note, close_reason=close_reason)
    if to_state == ReferralState.HIRED:
        await profile_services.mark_placed(session, referral.profile_id)
        await _close_others(session, referral)
    await session.flush()
    return referral


async def _close_others(session: AsyncSession, hired: Referral) -> None:
    """The person took a job: the profile's other open referrals end ("withdrawn"), each with a history entry."""
    others = await session.scalars(
        select(Referral).where(
            Referral.profile_id == hired.profile_id, Referral.id != hired.id, Referral.state.in_(OPEN_STATES)
        )
    )
    for other in others:
        _add_event(
            other,
            from_state=other.state,
            to_state=ReferralState.CLOSED,
            actor=Actor.SYSTEM,
            note="Die Person hat eine Stelle bei einem anderen Mitglied angetreten.",
            close_reason=CloseReason.WITHDRAWN,
        )
        other.state = ReferralState.CLOSED
        other.close_reason = CloseReason.WITHDRAWN


async def list_referrals(
    session: AsyncSession,
    *,
    state: ReferralState | None = None,
    profile_id: UUID | None = None,
    member_id: UUID | None = None,
    kind: ProfileKind | None = None,
) -> list[Referral]:
    """Referrals, most recently changed first, with member and profile loaded; optionally of one profile type."""
    stmt = (
        select(Referral)
        .options(selectinload(Referral.member), selectinload(Referral.profile))
        .order_by(Referral.updated_at.desc(), Referral.id)
    )
    if state is not None:
        stmt = stmt.where(Referral.state == state)
    if profile_id is not None:
        stmt = stmt.where(Referral.profile_id == profile_id)
    if member_id is not None:
        stmt = stmt.where(Referral.member_id == member_id)
    if kind is not None:
        stmt = stmt.join(Profile, Profile.id == Referral.profile_id).where(Profile.kind == kind)
    return list(await session.scalars(stmt))


@dataclass(frozen=True)
class ReferralPage(ListPage[Referral]):
    """One page of the coordinators' referral list, with the counts per state of the profile type."""

    counts: dict[ReferralState, int]


async def referral_page(
    session: AsyncSession,
    *,
    state: ReferralState | None = None,
    kind: ProfileKind | None = None,
    page: int = 1,
    per_page: int = 50,
) -> ReferralPage:
    """The coordinators' list: one page of referrals, most recently changed first.

    Member and profile are loaded, the history is not; the total comes from the counts (``counts_by_state``),
    which the page shows too.
    """
    stmt = (
        select(Referral)
        .options(selectinload(Referral.member), selectinload(Referral.profile), raiseload(Referral.events))
        .order_by(Referral.updated_at.desc(), Referral.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    if state is not None:
        stmt = stmt.where(Referral.state == state)
    if kind is not None:
        stmt = stmt.join(Profile, Profile.id == Referral.profile_id).where(Profile.kind == kind)
    counts = await counts_by_state(session, kind)
    total = counts[state] if state is not None else sum(counts.values())
    return ReferralPage(
        items=list(await session.scalars(stmt)), total=total, page=page, per_page=per_page, counts=counts
    )


async def counts_by_state(session: AsyncSession, kind: ProfileKind | None = None) -> dict[ReferralState, int]:
    """Number of referrals per state (every state present, zeros included), optionally of one profile type."""
    stmt = select(Referral.state, func.count()).group_by(Referral.state)
    if kind is not None:
        stmt = stmt.join(Profile, Profile.id == Referral.profile_id).where(Profile.kind == kind)
    rows = await session.execute(stmt)
    counts = dict.fromkeys(ReferralState, 0)
    for state, n in rows.tuples():
        counts[ReferralState(state)] = n
    return counts


async def decide_contact_release(
    session: AsyncSession, settings: Settings, referral_id: UUID, profile_id: UUID, granted: bool
) -> Referral:
    """The partner's decision whether name and contact details go to the interested member.

    ``profile_id`` is the profile of the partner's status link: a referral of another profile is ``NotFound``.
    A grant is final (the details may already have been read); a denial may later become a grant. Deciding the
    same way twice changes nothing. A grant writes a consent record and mails the member a fresh link.
    """
    referral = await get_referral(session, referral_id)
    if referral.profile_id != profile_id:
        raise NotFound(_("Diese Vermittlung gibt es nicht."))
    wanted = ContactRelease.GRANTED if granted else ContactRelease.DENIED
    if referral.contact_release == wanted:
        return referral
    if referral.contact_release == ContactRelease.GRANTED:
        raise InvalidTransition(_("Ihre Kontaktdaten sind für dieses Mitglied bereits freigegeben."))
    now = utcnow()
    await _lock_profile(session, profile_id)
    changed = await session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.contact_release == referral.contact_release)
        .values(contact_release=wanted)
        .execution_options(synchronize_session=False)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]  # a concurrent decision got there first
        raise InvalidTransition(_("Ihre Entscheidung wurde gerade schon gespeichert. Bitte laden Sie die Seite neu."))
    referral.contact_release = wanted
    referral.profile.last_activity_at = now  # the partner's decision is activity (retention clock)
    note = "Kontaktdaten freigegeben" if granted else "Kontaktdaten nicht freigegeben"
    _add_event(referral, from_state=referral.state, to_state=referral.state, actor=Actor.PARTNER, note=note)
    if granted:
        referral.contact_released_at = now
        member = referral.member
        session.add(
            Consent(
                profile_id=profile_id,
                kind=ConsentKind.CONTACT_RELEASE,
                text_version=settings.privacy_version,
                recipients=[{"id": str(member.id), "name": member.name}],
                given_at=now,
            )
        )
        if referral.recipient_id is not None:
            token = tokens.issue(
                session,
                purpose=TokenPurpose.EMPLOYER,
                profile_id=profile_id,
                days=settings.security.employer_token_days,
                recipient_id=referral.recipient_id,
            )
            # Every contact hears of it, whatever its profile-mail choice: it is about a referral under way.
            for contact in member.contacts:
                enqueue(
                    session,
                    settings,
                    template="contact_released",
                    to=contact.email,
                    language=contact.language,
                    context={
                        "reference": referral.profile.reference,
                        "member_name": member.name,
                        "url": f"{settings.base_url}/e/{token}",
                    },
                    profile_id=profile_id,
                    headers=mail_prefs.list_headers(settings, contact.id),
                )
    await session.flush()
    return referral

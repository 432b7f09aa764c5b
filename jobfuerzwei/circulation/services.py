"""Circulation: rank members for an approved profile, send it to the chosen ones, and serve their links."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast
from uuid import UUID

from sqlalchemy import ScalarSelect, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only, raiseload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from jobfuerzwei.circulation.models import Answer, Circulation, CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers import mail_prefs
from jobfuerzwei.employers import services as employer_services
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.errors import DomainError, InvalidTransition, LinkInvalid, NotFound
from jobfuerzwei.mail.messages import render_email
from jobfuerzwei.mail.outbox import enqueue_many
from jobfuerzwei.matches import services as match_services
from jobfuerzwei.matches.services import MemberFit
from jobfuerzwei.profiles import services as profile_services
from jobfuerzwei.profiles.models import Profile, ProfileKind, ProfileStatus
from jobfuerzwei.referrals import services as referral_services
from jobfuerzwei.referrals.models import ContactRelease, Referral
from jobfuerzwei.tokens import services as tokens
from jobfuerzwei.tokens.models import LinkToken, TokenPurpose
from jobfuerzwei.web.labels import label

PROFILE_MAIL = "profile_circulated"
_TOKEN_SLOT = "JFZTOKENSLOT0"  # noqa: S105  # a placeholder, not a secret
"""Stands in for the recipient's token while the mail is rendered once per circulation (survives HTML escaping)."""
_UNSUBSCRIBE_SLOT = "JFZUNSUBSCRIBESLOT0"
"""Stands in for the contact's unsubscribe link in the same way."""

EMPLOYER_VISIBLE = frozenset({ProfileStatus.APPROVED, ProfileStatus.PAUSED, ProfileStatus.PLACED})
"""Profile states in which a recipient's link still shows the profile (withdrawn or merged profiles are gone)."""


def _table(model: type[Any]) -> Table:
    """The model's table, for Core bulk inserts (no per-row ORM bookkeeping)."""
    return cast("Table", model.__table__)


class Eligibility(StrEnum):
    """Whether a member may be chosen as a recipient, and if not, why."""

    SELECTABLE = "selectable"
    SENT = "sent"
    """Already received this profile; a member receives a profile at most once."""
    EXCLUDED = "excluded"
    """The partner excluded this member."""
    NOT_ALLOWED = "not_allowed"
    """Joined after the partner's consent; the partner has not agreed to it yet."""
    NO_CONTACT = "no_contact"
    """The member has no contact email."""
    RELEASING = "releasing"
    """Job-to-job: the member that releases the person never receives its profile."""


@dataclass(frozen=True)
class Candidate:
    """One member on the circulation page."""

    member: Member
    match: MemberFit
    eligibility: Eligibility
    is_preselected: bool

    @property
    def is_selectable(self) -> bool:
        """May be ticked."""
        return self.eligibility == Eligibility.SELECTABLE


class NoRecipients(DomainError):  # noqa: N818  # domain vocabulary, like the errors in jobfuerzwei.errors
    """None of the chosen members may receive the profile."""

    status_code = 400


def check_circulable(profile: Profile) -> None:
    """Only approved profiles go out; a placed profile never again."""
    if profile.status == ProfileStatus.PLACED:
        raise InvalidTransition("Dieses Profil ist bereits vermittelt und wird nicht mehr weitergegeben.")
    if not profile.is_circulable:
        raise InvalidTransition(
            "Nur freigegebene Profile können an Mitglieder verschickt werden. "
            f"Dieses Profil hat den Stand „{label('profile_status', profile.status)}“."
        )


def _eligibility(
    member_id: UUID, has_contact: bool, decided: dict[UUID, bool], sent: set[UUID], releasing: UUID | None = None
) -> Eligibility:
    """The one rule for who may receive a profile (page and send use it alike)."""
    if member_id == releasing:
        return Eligibility.RELEASING
    if member_id in sent:
        return Eligibility.SENT
    if decided.get(member_id) is False:
        return Eligibility.EXCLUDED
    if member_id not in decided:
        return Eligibility.NOT_ALLOWED
    if not has_contact:
        return Eligibility.NO_CONTACT
    return Eligibility.SELECTABLE


async def _sent_member_ids(session: AsyncSession, profile_id: UUID) -> set[UUID]:
    return set(
        await session.scalars(
            select(CirculationRecipient.member_id).where(CirculationRecipient.profile_id == profile_id)
        )
    )


def _ranked(members: Collection[UUID], fits: dict[UUID, MemberFit], names: dict[UUID, str]) -> list[MemberFit]:
    """Every member with its fit (0 without a fitting need), best first, ties by name."""
    ranked = [fits.get(m) or MemberFit(member_id=m, score=0.0, fit=None) for m in members]
    ranked.sort(key=lambda f: (-f.score, names[f.member_id].casefold()))
    return ranked


async def candidates(session: AsyncSession, settings: Settings, profile: Profile) -> list[Candidate]:
    """Active members ranked by fit for ``profile``, each with whether it may be chosen."""
    members = await employer_services.list_members(session, active_only=True)
    by_id = {m.id: m for m in members}
    fits = await match_services.rank_members(session, settings, profile)
    ranked = _ranked(by_id, fits, {m.id: m.name for m in members})
    sent = await _sent_member_ids(session, profile.id)
    decided = {p.member_id: p.is_allowed for p in profile.permissions}
    result = []
    for match in ranked:
        member = by_id[match.member_id]
        eligibility = _eligibility(member.id, bool(member.contacts), decided, sent, profile.releasing_member_id)
        preselect = eligibility == Eligibility.SELECTABLE and match.score >= settings.matching.preselect_score
        result.append(Candidate(member=member, match=match, eligibility=eligibility, is_preselected=preselect))
    return result


@dataclass(frozen=True)
class _Chosen:
    match: MemberFit
    emails: list[tuple[UUID, str]]
    """(contact id, address) of the contacts that get each profile by mail."""


async def _chosen_recipients(
    session: AsyncSession, settings: Settings, profile: Profile, wanted: set[UUID]
) -> list[_Chosen]:
    """The wanted members that may receive the profile, ranked, with their contact addresses.

    Same rule as ``candidates`` but read as plain rows: loading 1,000 members as ORM objects with their contacts
    costs several times more than ranking them, and a send to the whole network must stay quick.
    """
    if not wanted:
        return []
    decided = {p.member_id: p.is_allowed for p in profile.permissions}
    sent = await _sent_member_ids(session, profile.id)
    names = dict(
        (await session.execute(select(Member.id, Member.name).where(Member.is_active.is_(True)))).tuples().all()
    )
    has_contact: set[UUID] = set()
    receivers: dict[UUID, list[tuple[UUID, str]]] = {}
    contacts = await session.execute(
        select(
            MemberContact.id,
            MemberContact.member_id,
            MemberContact.email,
            MemberContact.mail_mode,
            MemberContact.unsubscribed_at,
        ).order_by(MemberContact.email)
    )
    for contact_id, member_id, address, mode, unsubscribed_at in contacts.tuples():
        has_contact.add(member_id)
        # Digest readers get it with the weekly mail, unsubscribed ones in the portal only.
        if mode == "immediate" and unsubscribed_at is None:
            receivers.setdefault(member_id, []).append((contact_id, address))
    chosen = [
        mid
        for mid in names
        if mid in wanted
        and _eligibility(mid, mid in has_contact, decided, sent, profile.releasing_member_id) == Eligibility.SELECTABLE
    ]
    if not chosen:
        return []
    fits = await match_services.rank_members(session, settings, profile, chosen)
    return [_Chosen(match=m, emails=receivers.get(m.member_id, [])) for m in _ranked(chosen, fits, names)]


def _mail_context(profile: Profile) -> dict[str, Any]:
    """What the circulation mail may show: facts under the profile number, never name or contact."""
    return {
        "reference": profile.reference,
        "is_partner_profile": profile.kind == ProfileKind.PARTNER,
        "occupations": list(profile.occupations),
        "qualification": label("qualification", profile.qualification),
        "experience_years": profile.experience_years,
        "skills": list(profile.skills)[:8],
        "languages": [
            f"{lang.get('language', '')} ({label('cefr', lang.get('level', ''))})" for lang in profile.languages
        ],
        "working_time": label("working_time", profile.working_time),
        "earliest_start": profile.earliest_start,
        "places": _places(profile),
    }


def _places(profile: Profile) -> str:
    places = ", ".join(profile.work_municipalities)
    if profile.work_postcode:
        radius = f"{profile.work_radius_km} km um " if profile.work_radius_km else ""
        places = f"{places}; {radius}{profile.work_postcode}" if places else f"{radius}{profile.work_postcode}"
    return places


async def circulate(
    session: AsyncSession,
    settings: Settings,
    profile_id: UUID,
    member_ids: Collection[UUID],
    *,
    staff_id: UUID | None,
) -> Circulation:
    """Send an approved profile to the chosen members, all in the caller's transaction.

    Eligibility is checked again here (the form is not trusted): excluded, not yet allowed, foreign and
    already-served members are skipped. Writes the circulation, one recipient row and one employer link per
    member, and one outbox mail per contact email (the outbox batch is the circulation).
    """
    profile = await profile_services.get_profile(session, profile_id)
    check_circulable(profile)
    chosen = await _chosen_recipients(session, settings, profile, set(member_ids))
    if not chosen:
        raise NoRecipients("Bitte wählen Sie mindestens ein Mitglied aus, das das Profil erhalten darf.")
    now = utcnow()
    circulation = Circulation(id=uuid.uuid4(), profile_id=profile.id, staff_id=staff_id, recipient_count=len(chosen))
    session.add(circulation)
    recipients: list[dict[str, Any]] = []
    for c in chosen:
        recipients.append(
            {
                "id": uuid.uuid4(),
                "circulation_id": circulation.id,
                "profile_id": profile.id,
                "member_id": c.match.member_id,
                "score": c.match.score,
                "matched_terms": c.match.matched_terms,
                "created_at": now,
                "updated_at": now,
            }
        )
    try:
        await session.flush()
        # Core bulk inserts: a circulation may go to 1,000 members; per-object ORM bookkeeping would dominate.
        await session.execute(insert(_table(CirculationRecipient)), recipients)
    except IntegrityError as exc:  # a concurrent "Senden" for the same profile got there first
        raise InvalidTransition("Dieses Profil wurde gerade an diese Mitglieder verschickt.") from exc

    # One rendering per circulation; the recipients differ only in their token.
    context = {
        **_mail_context(profile),
        "token": _TOKEN_SLOT,
        "unsubscribe_url": _UNSUBSCRIBE_SLOT,
        "valid_days": settings.security.employer_token_days,
        "base_url": settings.base_url,
    }
    rendered = render_email(PROFILE_MAIL, context)
    clear_tokens = await tokens.issue_many(
        session,
        purpose=TokenPurpose.EMPLOYER,
        profile_id=profile.id,
        days=settings.security.employer_token_days,
        recipient_ids=[row["id"] for row in recipients],
    )
    await enqueue_many(
        session,
        settings,
        template=PROFILE_MAIL,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        recipients=[
            (address, {_TOKEN_SLOT: token, _UNSUBSCRIBE_SLOT: mail_prefs.unsubscribe_url(settings, contact_id)})
            for c, token in zip(chosen, clear_tokens, strict=True)
            for contact_id, address in c.emails
        ],
        profile_id=profile.id,
        batch_id=circulation.id,
        headers={
            address: mail_prefs.list_headers(settings, contact_id) for c in chosen for contact_id, address in c.emails
        },
    )
    return circulation


async def get_circulation(session: AsyncSession, circulation_id: UUID) -> Circulation:
    """A circulation or ``NotFound``."""
    circulation = await session.get(Circulation, circulation_id)
    if circulation is None:
        raise NotFound("Diesen Versand gibt es nicht.")
    return circulation


@dataclass(frozen=True)
class RecipientView:
    """A recipient row on the circulation page."""

    recipient: CirculationRecipient
    member_name: str
    has_live_link: bool


async def circulation_recipients(session: AsyncSession, circulation_id: UUID) -> list[RecipientView]:
    """Recipients of one circulation (best score first) with the member's name and whether its link still works."""
    # plain name column instead of ORM members: a circulation may have 1,000 recipients and the page is
    # loaded right after "Senden", while the worker sends
    rows = (
        await session.execute(
            select(CirculationRecipient, Member.name)
            .join(Member, Member.id == CirculationRecipient.member_id)
            .where(CirculationRecipient.circulation_id == circulation_id)
            .order_by(CirculationRecipient.score.desc(), Member.name)
        )
    ).tuples()
    live = set(
        await session.scalars(
            select(LinkToken.recipient_id)
            .join(CirculationRecipient, CirculationRecipient.id == LinkToken.recipient_id)
            .where(
                CirculationRecipient.circulation_id == circulation_id,
                LinkToken.purpose == TokenPurpose.EMPLOYER,
                LinkToken.revoked_at.is_(None),
                LinkToken.expires_at > utcnow(),
            )
            .distinct()
        )
    )
    return [RecipientView(recipient=r, member_name=name, has_live_link=r.id in live) for r, name in rows]


async def circulations_for_profile(session: AsyncSession, profile_id: UUID) -> list[CirculationRecipient]:
    """Every member that received the profile, when, and its answer (for the status page and the data export)."""
    return list(
        await session.scalars(
            select(CirculationRecipient)
            .where(CirculationRecipient.profile_id == profile_id)
            .options(selectinload(CirculationRecipient.member))
            .order_by(CirculationRecipient.created_at, CirculationRecipient.id)
        )
    )


async def list_circulations(session: AsyncSession, profile_id: UUID) -> list[Circulation]:
    """Sending rounds of a profile, newest first."""
    return list(
        await session.scalars(
            select(Circulation).where(Circulation.profile_id == profile_id).order_by(Circulation.created_at.desc())
        )
    )


async def revoke_recipient_link(session: AsyncSession, circulation_id: UUID, recipient_id: UUID) -> None:
    """Revoke the employer links of one recipient of this circulation (foreign ids: ``NotFound``)."""
    recipient = await session.get(CirculationRecipient, recipient_id)
    if recipient is None or recipient.circulation_id != circulation_id:
        raise NotFound("Diesen Empfänger gibt es nicht.")
    await session.execute(
        update(LinkToken)
        .where(
            LinkToken.recipient_id == recipient_id,
            LinkToken.purpose == TokenPurpose.EMPLOYER,
            LinkToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


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
        return self.referral is not None and self.referral.contact_release == ContactRelease.GRANTED


async def employer_access(session: AsyncSession, token: str) -> EmployerAccess:
    """Resolve an employer link (``LinkInvalid`` when unknown, expired, revoked or the profile is gone)."""
    row = await tokens.resolve(session, token, TokenPurpose.EMPLOYER)
    if row.recipient_id is None:
        raise LinkInvalid("Dieser Link ist ungültig.")
    recipient = await session.scalar(
        select(CirculationRecipient)
        .where(CirculationRecipient.id == row.recipient_id)
        .options(selectinload(CirculationRecipient.member))
    )
    if recipient is None:
        raise LinkInvalid("Dieser Link ist ungültig.")
    access = await _access_for(session, recipient)
    if access is None:
        raise LinkInvalid("Dieses Profil ist nicht mehr verfügbar.")
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
            "Dieses Profil ist derzeit nicht verfügbar (pausiert oder bereits vermittelt). "
            "Wir können Ihr Interesse deshalb nicht weitergeben."
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
    """One circulated profile in a member's portal inbox."""

    recipient: CirculationRecipient
    profile: Profile
    """Loaded with only the columns the inbox shows (reference, occupations, status): never name or contact."""
    answer_until: dt.datetime | None
    state: InboxState

    @property
    def is_open(self) -> bool:
        """The profile still looks for a job (not paused, not placed)."""
        return self.profile.status == ProfileStatus.APPROVED


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


async def member_inbox(session: AsyncSession, member_id: UUID) -> list[InboxEntry]:
    """Profiles circulated to one member, newest first (withdrawn or merged profiles are gone, as for the link)."""
    deadline = _answer_deadline()
    rows = (
        await session.execute(
            select(CirculationRecipient, Profile, deadline)
            .join(Profile, Profile.id == CirculationRecipient.profile_id)
            .where(CirculationRecipient.member_id == member_id, Profile.status.in_(EMPLOYER_VISIBLE))
            # raise rather than lazy-load anything else: the inbox must never pull name or contact into a page
            .options(
                load_only(Profile.number, Profile.occupations, Profile.status, raiseload=True),
                raiseload(Profile.permissions),
                raiseload(Profile.consents),
            )
            .order_by(CirculationRecipient.created_at.desc(), CirculationRecipient.id)
        )
    ).tuples()
    now = utcnow()
    return [
        InboxEntry(recipient=r, profile=p, answer_until=until, state=inbox_state(r.answer, until, now))
        for r, p, until in rows
    ]


async def member_access(session: AsyncSession, recipient_id: UUID, member_id: UUID) -> EmployerAccess:
    """The member's view of one profile it received; another member's recipient id is ``NotFound`` (not 403)."""
    recipient = await session.scalar(
        select(CirculationRecipient)
        .where(CirculationRecipient.id == recipient_id, CirculationRecipient.member_id == member_id)
        .options(selectinload(CirculationRecipient.member))
    )
    access = await _access_for(session, recipient) if recipient is not None else None
    if access is None:
        raise NotFound("Dieses Profil gibt es nicht oder nicht mehr.")
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
            "Die Frist für eine Antwort auf dieses Profil ist abgelaufen. "
            "Wenn Sie noch Interesse haben, wenden Sie sich bitte an die Koordination des Netzwerks."
        )
    return await record_answer(session, settings, access, answer)

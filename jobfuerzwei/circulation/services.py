"""Circulation: rank members for an approved profile, send it to the chosen ones, and manage their links.

What a member's link or portal inbox opens, and its answer, live in ``circulation.answers``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.circulation.models import Circulation, CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers import mail_prefs
from jobfuerzwei.employers import services as employer_services
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.errors import DomainError, InvalidTransition, NotFound
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.i18n import normalise, use_language
from jobfuerzwei.mail.messages import render_email
from jobfuerzwei.mail.outbox import enqueue_many
from jobfuerzwei.matches import services as match_services
from jobfuerzwei.matches.services import MemberFit
from jobfuerzwei.profiles import services as profile_services
from jobfuerzwei.profiles.models import Profile, ProfileKind, ProfileStatus
from jobfuerzwei.tokens import services as tokens
from jobfuerzwei.tokens.models import LinkToken, TokenPurpose
from jobfuerzwei.web.labels import label

PROFILE_MAIL = "profile_circulated"
_TOKEN_SLOT = "JFZTOKENSLOT0"  # noqa: S105  # a placeholder, not a secret
"""Stands in for the recipient's token while the mail is rendered once per circulation (survives HTML escaping)."""
_UNSUBSCRIBE_SLOT = "JFZUNSUBSCRIBESLOT0"
"""Stands in for the contact's unsubscribe link in the same way."""


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
        raise InvalidTransition(_("Dieses Profil ist bereits vermittelt und wird nicht mehr weitergegeben."))
    if not profile.is_circulable:
        raise InvalidTransition(
            _(
                "Nur freigegebene Profile können an Mitglieder verschickt werden. "
                "Dieses Profil hat den Stand „%(status)s“."
            )
            % {"status": label("profile_status", profile.status)}
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
    emails: list[tuple[UUID, str, str]]
    """(contact id, address, language) of the contacts that get each profile by mail."""


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
    receivers: dict[UUID, list[tuple[UUID, str, str]]] = {}
    contacts = await session.execute(
        select(
            MemberContact.id,
            MemberContact.member_id,
            MemberContact.email,
            MemberContact.mail_mode,
            MemberContact.unsubscribed_at,
            MemberContact.language,
        ).order_by(MemberContact.email)
    )
    for contact_id, member_id, address, mode, unsubscribed_at, language in contacts.tuples():
        has_contact.add(member_id)
        # Digest readers get it with the weekly mail, unsubscribed ones in the portal only.
        if mode == "immediate" and unsubscribed_at is None:
            receivers.setdefault(member_id, []).append((contact_id, address, language))
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
        area = (
            _("%(radius)s km um %(postcode)s") % {"radius": profile.work_radius_km, "postcode": profile.work_postcode}
            if profile.work_radius_km
            else profile.work_postcode
        )
        places = f"{places}; {area}" if places else area
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
        raise NoRecipients(_("Bitte wählen Sie mindestens ein Mitglied aus, das das Profil erhalten darf."))
    now = utcnow()
    profile.last_activity_at = now  # circulation is activity: the retention clock starts again
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
        raise InvalidTransition(_("Dieses Profil wurde gerade an diese Mitglieder verschickt.")) from exc

    clear_tokens = await tokens.issue_many(
        session,
        purpose=TokenPurpose.EMPLOYER,
        profile_id=profile.id,
        days=settings.security.employer_token_days,
        recipient_ids=[row["id"] for row in recipients],
    )
    # One rendering per language of the recipients; within one, the mails differ only in their links.
    by_language: dict[str, list[tuple[UUID, str, str]]] = {}
    for c, token in zip(chosen, clear_tokens, strict=True):
        for contact_id, address, language in c.emails:
            by_language.setdefault(normalise(language), []).append((contact_id, address, token))
    for language, contacts in by_language.items():
        with use_language(language):  # the labels in the context too: the recipient's language, not the sender's
            context = {
                **_mail_context(profile),
                "token": _TOKEN_SLOT,
                "unsubscribe_url": _UNSUBSCRIBE_SLOT,
                "valid_days": settings.security.employer_token_days,
                "base_url": settings.base_url,
            }
        rendered = render_email(PROFILE_MAIL, context, language)
        unsubscribe = {
            contact_id: mail_prefs.unsubscribe_url(settings, contact_id) for contact_id, _address, _token in contacts
        }
        await enqueue_many(
            session,
            settings,
            template=PROFILE_MAIL,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            recipients=[
                (address, {_TOKEN_SLOT: token, _UNSUBSCRIBE_SLOT: unsubscribe[contact_id]})
                for contact_id, address, token in contacts
            ],
            profile_id=profile.id,
            batch_id=circulation.id,
            headers={
                address: mail_prefs.list_headers(settings, contact_id, unsubscribe[contact_id])
                for contact_id, address, _token in contacts
            },
        )
    return circulation


async def get_circulation(session: AsyncSession, circulation_id: UUID) -> Circulation:
    """A circulation or ``NotFound``."""
    circulation = await session.get(Circulation, circulation_id)
    if circulation is None:
        raise NotFound(_("Diesen Versand gibt es nicht."))
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
        raise NotFound(_("Diesen Empfänger gibt es nicht."))
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

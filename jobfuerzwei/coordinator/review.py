"""The coordinator's review: the profile queue with duplicate hints, approve / reject, and merging duplicates.

Duplicate detection is pure (``find_duplicates`` compares plain ``DuplicateKey`` values) and the candidate set is
loaded once per page. The overview figures and the mail page live in ``coordinator.services``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from rapidfuzz import fuzz, process, utils
from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from jobfuerzwei.circulation.models import CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.paging import ListPage
from jobfuerzwei.errors import InvalidTransition, NotFound
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.profiles import services as profile_services
from jobfuerzwei.profiles.matchkeys import normalize_email, normalize_phone, normalize_place
from jobfuerzwei.profiles.models import Profile, ProfileKind, ProfilePermission, ProfileStatus
from jobfuerzwei.referrals.models import Referral
from jobfuerzwei.tokens.models import LinkToken, TokenPurpose

NAME_SIMILARITY = 90.0
"""rapidfuzz token_sort_ratio at or above which two partner names count as near-identical."""

REVIEW_STATUSES = tuple(s for s in ProfileStatus if s != ProfileStatus.UNCONFIRMED)
"""Statuses the coordinator may list: an unconfirmed profile is seen by nobody but the system."""


# --- review queue and duplicates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateKey:
    """The few fields duplicate detection compares (loaded as plain columns, not whole profiles)."""

    id: UUID
    number: int
    status: ProfileStatus
    name: str
    email: str
    phone: str
    residence: str

    @property
    def reference(self) -> str:
        """Profile number."""
        return f"JFZ-{self.number:04d}"


@dataclass(frozen=True)
class DuplicateHit:
    """Another profile that may be the same person, and why."""

    id: UUID
    reference: str
    status: ProfileStatus
    name: str
    reasons: tuple[str, ...]


def _key(row: Any) -> DuplicateKey:
    return DuplicateKey(
        id=row.id,
        number=row.number,
        status=ProfileStatus(row.status),
        name=row.partner_name,
        email=normalize_email(row.partner_email),
        phone=normalize_phone(row.partner_phone or ""),
        residence=normalize_place(row.residence or ""),
    )


def duplicate_reasons(a: DuplicateKey, b: DuplicateKey) -> tuple[str, ...]:
    """Why ``a`` and ``b`` may be the same person (empty: no reason)."""
    reasons: list[str] = []
    if a.email and a.email == b.email:
        reasons.append(_("gleiche E-Mail-Adresse"))
    if a.phone and a.phone == b.phone:
        reasons.append(_("gleiche Telefonnummer"))
    if (
        a.residence
        and a.residence == b.residence
        and fuzz.token_sort_ratio(a.name, b.name, processor=utils.default_process) >= NAME_SIMILARITY
    ):
        reasons.append(_("fast gleicher Name und gleicher Wohnort"))
    return tuple(reasons)


def find_duplicates(
    targets: Iterable[DuplicateKey], candidates: Sequence[DuplicateKey]
) -> dict[UUID, list[DuplicateHit]]:
    """For each target, the candidates that may be the same person (pure; no DB).

    Email and phone are matched through dictionaries; names are compared only within the same residence, so the
    work stays small even with many candidates.
    """
    by_email: dict[str, list[DuplicateKey]] = {}
    by_phone: dict[str, list[DuplicateKey]] = {}
    by_place: dict[str, list[DuplicateKey]] = {}
    for c in candidates:
        if c.email:
            by_email.setdefault(c.email, []).append(c)
        if c.phone:
            by_phone.setdefault(c.phone, []).append(c)
        if c.residence:
            by_place.setdefault(c.residence, []).append(c)
    result: dict[UUID, list[DuplicateHit]] = {}
    for t in targets:
        pool = {
            c.id: c for c in (*by_email.get(t.email, ()), *by_phone.get(t.phone, ()), *by_place.get(t.residence, ()))
        }
        hits = []
        for c in pool.values():
            if c.id == t.id:
                continue
            reasons = duplicate_reasons(t, c)
            if reasons:
                hits.append(DuplicateHit(id=c.id, reference=c.reference, status=c.status, name=c.name, reasons=reasons))
        if hits:
            result[t.id] = sorted(hits, key=lambda h: h.reference)
    return result


async def duplicate_candidates(session: AsyncSession, targets: Sequence[DuplicateKey]) -> list[DuplicateKey]:
    """The reviewable profiles (confirmed or later, not merged) that may be the same person as a target.

    That is: sharing an email or phone with it, or its residence and a near-identical name. They are found through
    the indexed keys ``Profile`` keeps (``profiles.matchkeys``), so a page reads a few rows, not the whole
    network's profiles. A big town's residence alone brings hundreds of profiles (about 300 per town at national
    size): of those only number and name are read and compared by name, one call per target; only the
    near-identical ones are read whole, with those sharing an email or phone.
    """
    emails = sorted({t.email for t in targets if t.email})
    phones = sorted({t.phone for t in targets if t.phone})
    places = sorted({t.residence for t in targets if t.residence})
    if not (emails or phones or places):
        return []
    reviewable = Profile.status.not_in([ProfileStatus.UNCONFIRMED, ProfileStatus.MERGED])
    alike: list[int] = []
    if places:
        in_place = await session.execute(
            select(Profile.number, Profile.partner_name, Profile.place_key).where(
                reviewable, Profile.place_key.in_(places)
            )
        )
        alike = _alike_in_place(in_place.tuples().all(), targets)
    rows = await session.execute(
        select(
            Profile.id,
            Profile.number,
            Profile.status,
            Profile.partner_name,
            Profile.email_key,
            Profile.phone_key,
            Profile.place_key,
        ).where(
            reviewable,
            or_(Profile.email_key.in_(emails), Profile.phone_key.in_(phones), Profile.number.in_(alike)),
        )
    )
    return [  # the keys as stored: nothing to normalise again
        DuplicateKey(
            id=row.id,
            number=row.number,
            status=ProfileStatus(row.status),
            name=row.partner_name,
            email=row.email_key,
            phone=row.phone_key,
            residence=row.place_key,
        )
        for row in rows
    ]


def _alike_in_place(rows: Sequence[tuple[int, str, str]], targets: Sequence[DuplicateKey]) -> list[int]:
    """The numbers of the ``(number, name, residence)`` rows named near-identically to a target of that residence.

    Judged as ``duplicate_reasons`` does; rapidfuzz compares a target with all names of its place in one call.
    """
    by_place: dict[str, tuple[list[int], list[str]]] = {}
    for number, name, place in rows:
        numbers, names = by_place.setdefault(place, ([], []))
        numbers.append(number)
        names.append(name)
    found: set[int] = set()
    for target in targets:
        numbers, names = by_place.get(target.residence, ([], []))
        if target.residence and names:
            matches = process.extract(
                target.name,
                names,
                scorer=fuzz.token_sort_ratio,
                processor=utils.default_process,
                score_cutoff=NAME_SIMILARITY,
                limit=None,
            )
            found.update(numbers[index] for _name, _score, index in matches)
    return sorted(found)


async def duplicates_for(session: AsyncSession, profiles: Sequence[Profile]) -> dict[UUID, list[DuplicateHit]]:
    """Possible duplicates of ``profiles`` among all reviewable profiles (one query for the candidates)."""
    if not profiles:
        return {}
    targets = [_key(p) for p in profiles]
    return find_duplicates(targets, await duplicate_candidates(session, targets))


@dataclass(frozen=True)
class QueuePage(ListPage[Profile]):
    """One page of the review list."""

    status: ProfileStatus
    duplicates: dict[UUID, list[DuplicateHit]] = field(default_factory=dict)
    kind: ProfileKind | None = None


async def profile_queue(
    session: AsyncSession,
    *,
    status: ProfileStatus = ProfileStatus.CONFIRMED,
    kind: ProfileKind | None = None,
    page: int = 1,
    per_page: int = 25,
) -> QueuePage:
    """Profiles of one status (and type), paginated in SQL; the review queue (confirmed) shows the oldest first."""
    if status == ProfileStatus.UNCONFIRMED:
        raise NotFound(_("Unbestätigte Profile sind nicht einsehbar."))
    where = [Profile.status == status] + ([Profile.kind == kind] if kind is not None else [])
    total = int(await session.scalar(select(func.count()).select_from(Profile).where(*where)) or 0)
    page = max(1, min(page, max(1, -(-total // per_page))))
    order = (
        (Profile.confirmed_at.asc(), Profile.number.asc())
        if status == ProfileStatus.CONFIRMED
        else (Profile.last_activity_at.desc(), Profile.number.desc())
    )
    items = list(
        await session.scalars(
            select(Profile).where(*where).order_by(*order).offset((page - 1) * per_page).limit(per_page)
        )
    )
    return QueuePage(
        items=items,
        total=total,
        page=page,
        per_page=per_page,
        status=status,
        duplicates=await duplicates_for(session, items),
        kind=kind,
    )


async def reviewable_profile(session: AsyncSession, profile_id: UUID) -> Profile:
    """A profile the coordinator may see: any but an unconfirmed one (that one answers 404 like a foreign id)."""
    profile = await session.get(Profile, profile_id)
    if profile is None or profile.status == ProfileStatus.UNCONFIRMED:
        raise NotFound(_("Dieses Profil gibt es nicht."))
    return profile


# --- review decisions -----------------------------------------------------------------------------------------


async def _decide(session: AsyncSession, profile: Profile, to_status: ProfileStatus, refused: str) -> None:
    """Move a confirmed profile to ``to_status`` with a compare-and-set.

    Of two coordinators deciding on the same profile at once (approve and approve, or approve and reject), one
    wins; the other gets ``refused`` (409) instead of a second, contradicting decision.
    """
    if profile.status != ProfileStatus.CONFIRMED:
        raise InvalidTransition(refused)
    changed = await session.execute(
        update(Profile)
        .where(Profile.id == profile.id, Profile.status == ProfileStatus.CONFIRMED)
        .values(status=to_status)
        .execution_options(synchronize_session=False)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        raise InvalidTransition(refused)
    set_committed_value(profile, "status", to_status)


async def approve_profile(session: AsyncSession, profile_id: UUID) -> Profile:
    """Release a confirmed profile for circulation."""
    profile = await reviewable_profile(session, profile_id)
    await _decide(
        session, profile, ProfileStatus.APPROVED, _("Nur Profile, die zur Prüfung anstehen, können freigegeben werden.")
    )
    now = utcnow()
    profile.approved_at = now
    profile.last_activity_at = now
    await session.flush()
    return profile


async def reject_profile(session: AsyncSession, settings: Settings, profile_id: UUID, reason: str) -> Profile:
    """Reject a confirmed profile and mail the reason to the partner (outbox, same transaction).

    The mail carries a fresh status-page link, so the partner can still see, export or delete the data.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("a rejection needs a reason")
    profile = await reviewable_profile(session, profile_id)
    await _decide(
        session, profile, ProfileStatus.REJECTED, _("Nur Profile, die zur Prüfung anstehen, können abgelehnt werden.")
    )
    status_url = await profile_services.issue_status_url(session, settings, profile)
    profile.rejected_reason = reason
    profile.last_activity_at = utcnow()
    enqueue(
        session,
        settings,
        template="profile_rejected",
        to=profile.partner_email,
        language=profile.language,
        context={
            "partner_name": profile.partner_name,
            "reference": profile.reference,
            "reason": reason,
            "status_url": status_url,
        },
        profile_id=profile.id,
    )
    await session.flush()
    return profile


def _union(first: Iterable[str], second: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    result: list[str] = []
    for item in (*first, *second):
        key = " ".join(item.casefold().split())
        if key and key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _union_languages(first: list[dict[str, str]], second: list[dict[str, str]]) -> list[dict[str, str]]:
    known = {str(entry.get("language", "")).casefold() for entry in first}
    return [*first, *(e for e in second if str(e.get("language", "")).casefold() not in known)]


MERGEABLE = frozenset(REVIEW_STATUSES) - {ProfileStatus.MERGED}


async def merge_profiles(session: AsyncSession, keep_id: UUID, drop_id: UUID) -> Profile:
    """Fold profile ``drop_id`` into ``keep_id``.

    The kept profile gets the union of occupations, skills and languages. The dropped profile's member permissions,
    circulation recipients (with their employer links) and referrals move over, except where the kept profile already
    has a row for that member (unique per profile and member): those stay with the dropped profile, which is marked
    MERGED. For a member both profiles decided on, an exclusion wins: the partner said no to it at least once.
    """
    if keep_id == drop_id:
        raise InvalidTransition(_("Ein Profil kann nicht mit sich selbst zusammengeführt werden."))
    keep = await reviewable_profile(session, keep_id)
    drop = await reviewable_profile(session, drop_id)
    if keep.status not in MERGEABLE or drop.status not in MERGEABLE:
        raise InvalidTransition(_("Bereits zusammengeführte Profile können nicht noch einmal zusammengeführt werden."))
    keep.occupations = _union(keep.occupations, drop.occupations)
    keep.skills = _union(keep.skills, drop.skills)
    keep.languages = _union_languages(list(keep.languages), list(drop.languages))

    kept_permissions = {p.member_id: p for p in keep.permissions}
    for perm in list(drop.permissions):
        existing = kept_permissions.get(perm.member_id)
        if existing is None:
            await session.execute(
                update(ProfilePermission)
                .where(ProfilePermission.id == perm.id)
                .values(profile_id=keep.id)
                .execution_options(synchronize_session=False)
            )
        elif not perm.is_allowed and existing.is_allowed:
            existing.is_allowed = False
            existing.decided_at = perm.decided_at

    kept_recipient_members = set(
        await session.scalars(select(CirculationRecipient.member_id).where(CirculationRecipient.profile_id == keep.id))
    )
    moved_recipients = [
        rid
        for rid, member_id in (
            await session.execute(
                select(CirculationRecipient.id, CirculationRecipient.member_id).where(
                    CirculationRecipient.profile_id == drop.id
                )
            )
        ).tuples()
        if member_id not in kept_recipient_members
    ]
    if moved_recipients:
        await session.execute(
            update(CirculationRecipient)
            .where(CirculationRecipient.id.in_(moved_recipients))
            .values(profile_id=keep.id)
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            update(LinkToken)
            .where(LinkToken.recipient_id.in_(moved_recipients), LinkToken.purpose == TokenPurpose.EMPLOYER)
            .values(profile_id=keep.id)
            .execution_options(synchronize_session=False)
        )

    kept_referral_members = set(await session.scalars(select(Referral.member_id).where(Referral.profile_id == keep.id)))
    move_referrals = update(Referral).where(Referral.profile_id == drop.id)
    if kept_referral_members:
        move_referrals = move_referrals.where(Referral.member_id.not_in(list(kept_referral_members)))
    await session.execute(move_referrals.values(profile_id=keep.id).execution_options(synchronize_session=False))

    now = utcnow()
    drop.status = ProfileStatus.MERGED
    drop.merged_into_id = keep.id
    drop.last_activity_at = now
    keep.last_activity_at = now
    await session.flush()
    # The permission rows changed under the ORM's feet; reload them for whoever reads ``keep`` next.
    await session.refresh(keep, ["permissions"])
    await session.refresh(drop, ["permissions"])
    return keep

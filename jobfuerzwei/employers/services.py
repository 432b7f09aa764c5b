"""Member employers: list, read, create and edit (the coordinator maintains them)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import Member, MemberContact, Position
from jobfuerzwei.employers.schemas import MemberData, PositionData
from jobfuerzwei.errors import InvalidTransition, NotFound
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.offers.services import delete_member_offers


async def list_members(session: AsyncSession, *, active_only: bool = True) -> list[Member]:
    """Members by name (contacts are loaded with them)."""
    stmt = select(Member).order_by(Member.name)
    if active_only:
        stmt = stmt.where(Member.is_active.is_(True))
    return list(await session.scalars(stmt))


async def get_member(session: AsyncSession, member_id: UUID) -> Member:
    """One member, or ``NotFound``."""
    member = await session.get(Member, member_id)
    if member is None:
        raise NotFound(_("Dieses Mitglied gibt es nicht."))
    return member


async def is_name_taken(session: AsyncSession, name: str, *, exclude_id: UUID | None = None) -> bool:
    """Another member already has this name (compared case-insensitively)."""
    stmt = select(func.count()).select_from(Member).where(func.lower(Member.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(Member.id != exclude_id)
    return bool(await session.scalar(stmt))


def _apply(member: Member, data: MemberData) -> None:
    member.name = data.name
    member.sector = data.sector
    member.municipality = data.municipality
    member.postcode = data.postcode
    member.interests = "\n".join(data.interests)
    member.is_active = data.is_active


async def create_member(session: AsyncSession, data: MemberData) -> Member:
    """Add a member with its contacts; ``joined_at`` is now (no commit; the caller checked the name)."""
    member = Member(joined_at=utcnow(), contacts=[MemberContact(email=e) for e in data.contact_emails])
    _apply(member, data)
    session.add(member)
    await session.flush()
    return member


async def update_member(session: AsyncSession, member: Member, data: MemberData) -> Member:
    """Change a member; contacts no longer listed are removed, new ones added, unchanged ones kept."""
    _apply(member, data)
    wanted = set(data.contact_emails)
    current = {c.email: c for c in member.contacts}
    for email, contact in current.items():
        if email not in wanted:
            member.contacts.remove(contact)
    # Flush the removals first: re-adding an address in another spelling must not meet the old row.
    await session.flush()
    for email in data.contact_emails:
        if email not in current:
            member.contacts.append(MemberContact(email=email))
    await session.flush()
    return member


# --- open positions ------------------------------------------------------------------------------------------------


async def list_positions(session: AsyncSession, member_id: UUID, *, open_only: bool = False) -> list[Position]:
    """A member's positions, open ones first, then by title."""
    stmt = select(Position).where(Position.member_id == member_id)
    if open_only:
        stmt = stmt.where(Position.is_open.is_(True))
    return list(await session.scalars(stmt.order_by(Position.is_open.desc(), Position.title)))


async def get_position(session: AsyncSession, position_id: UUID) -> Position:
    """One position, or ``NotFound``."""
    position = await session.get(Position, position_id)
    if position is None:
        raise NotFound(_("Diese Stelle gibt es nicht."))
    return position


def _apply_position(position: Position, data: PositionData) -> None:
    position.title = data.title
    position.skills = data.skills
    position.languages = data.languages
    position.working_time = data.working_time
    position.start_date = data.start_date
    position.postcode = data.postcode
    position.municipality = data.municipality
    position.description = data.description


async def create_position(session: AsyncSession, member: Member, data: PositionData) -> Position:
    """Add an open position; its title is classified to an ESCO occupation when the classifier is sure enough."""
    position = Position(member_id=member.id, is_open=True)
    _apply_position(position, data)
    session.add(position)
    await session.flush()
    return position


async def update_position(session: AsyncSession, position: Position, data: PositionData) -> None:
    """Change a position (a changed title is classified again)."""
    _apply_position(position, data)
    await session.flush()


async def set_position_open(session: AsyncSession, position: Position, *, is_open: bool) -> None:
    """Close a filled or withdrawn position (it leaves the matching), or open it again."""
    if position.is_open == is_open:
        raise InvalidTransition(
            _("Die Stelle ist bereits offen.") if is_open else _("Die Stelle ist bereits geschlossen.")
        )
    position.is_open = is_open
    position.closed_at = None if is_open else utcnow()
    await session.flush()


# --- membership: pause and leave (the member's own decisions in the portal) -------------------------------------


async def set_paused(session: AsyncSession, member: Member, *, paused: bool) -> None:
    """A paused member receives no profiles until it resumes; a member that left cannot resume."""
    if member.left_at is not None:
        raise InvalidTransition(_("Dieses Mitglied ist aus dem Netzwerk ausgetreten."))
    member.is_active = not paused
    await session.flush()


async def leave_network(session: AsyncSession, member: Member) -> None:
    """Leave: name, contacts (with their logins), positions, offers and fields of interest are removed.

    The member row stays under a neutral name, so the network's figures (circulations, answers, referrals) keep
    their counts without saying who it was. The referrals' own history is untouched.
    """
    if member.left_at is not None:
        raise InvalidTransition(_("Dieses Mitglied ist bereits ausgetreten."))
    now = utcnow()
    member.name = f"Ausgetretenes Mitglied {str(member.id)[:8]}"
    member.sector = ""
    member.interests = ""
    member.is_active = False
    member.left_at = now
    await session.execute(delete(Position).where(Position.member_id == member.id))
    await session.execute(delete(MemberContact).where(MemberContact.member_id == member.id))
    await delete_member_offers(session, member.id)  # they carry the member's name
    await session.flush()
    session.expire(member, ["contacts"])

"""A logged-in member contact for the portal tests of the member's own pages (no login form: its tests are
elsewhere)."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.employers.accounts import start_session
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.staff.services import hash_password
from jobfuerzwei.web.auth import PORTAL_COOKIE


async def portal_login(client: AsyncTestClient[Litestar], session: AsyncSession, member: Member) -> MemberContact:
    """Give the member's first contact a password and a verified portal session on ``client``."""
    contact = await session.get(MemberContact, member.contacts[0].id)
    assert contact is not None
    contact.password_hash = hash_password("ein-langes-passwort-123")
    token = await start_session(session, contact, is_verified=True)
    await session.commit()
    client.cookies.set(PORTAL_COOKIE, token)
    return contact

"""Issue and check capability links. Tokens are 256-bit random, mailed in clear, stored as SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.errors import LinkInvalid
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.tokens.models import LinkToken, TokenPurpose

MAX_TOKEN = 100
"""A longer cookie or link value is no token of ours: refused before hashing or asking the database."""


def hash_token(token: str) -> str:
    """SHA-256 of a token (the tokens are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    session: AsyncSession,
    *,
    purpose: TokenPurpose,
    profile_id: UUID,
    days: int,
    recipient_id: UUID | None = None,
) -> str:
    """Create a token row in the caller's transaction and return the clear token for the mail."""
    token = secrets.token_urlsafe(32)
    session.add(
        LinkToken(
            token_hash=hash_token(token),
            purpose=purpose,
            profile_id=profile_id,
            recipient_id=recipient_id,
            expires_at=utcnow() + dt.timedelta(days=days),
        )
    )
    return token


async def issue_many(
    session: AsyncSession, *, purpose: TokenPurpose, profile_id: UUID, days: int, recipient_ids: list[UUID]
) -> list[str]:
    """``issue`` for many recipients in one bulk insert (a circulation may go to 1,000 members)."""
    now = utcnow()
    expires = now + dt.timedelta(days=days)
    clear = [secrets.token_urlsafe(32) for _ in recipient_ids]
    rows = [
        {
            "id": uuid.uuid4(),
            "token_hash": hash_token(token),
            "purpose": purpose,
            "profile_id": profile_id,
            "recipient_id": recipient_id,
            "expires_at": expires,
            "created_at": now,
            "updated_at": now,
        }
        for token, recipient_id in zip(clear, recipient_ids, strict=True)
    ]
    if rows:
        await session.execute(insert(LinkToken.__table__), rows)  # type: ignore[arg-type]
    return clear


async def resolve(session: AsyncSession, token: str, purpose: TokenPurpose, *, allow_used: bool = False) -> LinkToken:
    """Return the live token row for ``token`` and ``purpose`` or raise ``LinkInvalid``."""
    if not token or len(token) > MAX_TOKEN:
        raise LinkInvalid(_("Dieser Link ist ungültig."))
    row = await session.scalar(
        select(LinkToken).where(LinkToken.token_hash == hash_token(token), LinkToken.purpose == purpose)
    )
    if row is None:
        raise LinkInvalid(_("Dieser Link ist ungültig."))
    if row.revoked_at is not None:
        raise LinkInvalid(_("Dieser Link wurde widerrufen."))
    if row.expires_at < utcnow():
        raise LinkInvalid(_("Dieser Link ist abgelaufen."))
    if row.used_at is not None and not allow_used:
        raise LinkInvalid(_("Dieser Link wurde bereits verwendet."))
    return row


async def consume(session: AsyncSession, row: LinkToken) -> None:
    """Mark a single-use token used; a concurrent second use loses (checked by the row count)."""
    result = await session.execute(
        update(LinkToken)
        .where(LinkToken.id == row.id, LinkToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise LinkInvalid(_("Dieser Link wurde bereits verwendet."))


async def revoke(session: AsyncSession, *, profile_id: UUID, purpose: TokenPurpose | None = None) -> None:
    """Revoke a profile's tokens (all, or those of one purpose)."""
    stmt = update(LinkToken).where(LinkToken.profile_id == profile_id, LinkToken.revoked_at.is_(None))
    if purpose is not None:
        stmt = stmt.where(LinkToken.purpose == purpose)
    await session.execute(stmt.values(revoked_at=utcnow()).execution_options(synchronize_session=False))

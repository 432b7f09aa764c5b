"""Writing to the outbox (inside the caller's transaction) and reading its state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.i18n import DEFAULT
from jobfuerzwei.mail.messages import Attachment, check_header_value, new_message_id, render_email
from jobfuerzwei.mail.models import OutboxBody, OutboxMessage, OutboxStatus


def enqueue(
    session: AsyncSession,
    settings: Settings,
    *,
    template: str,
    to: str,
    context: dict[str, Any],
    profile_id: UUID | None = None,
    batch_id: UUID | None = None,
    headers: dict[str, str] | None = None,
    attachment: Attachment | None = None,
    language: str = DEFAULT,
) -> OutboxMessage:
    """Render mail ``template`` for ``to`` in their ``language`` and add it to the outbox (caller's transaction)."""
    rendered = render_email(template, {**context, "base_url": settings.base_url}, language)
    extra = "\n".join(f"{k}: {check_header_value(v)}" for k, v in (headers or {}).items())
    row = OutboxMessage(
        message_id=new_message_id(settings.mail.message_id_domain),
        template=template,
        batch_id=batch_id,
        profile_id=profile_id,
        to_addr=check_header_value(to),
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers=extra,
        attachment=attachment.as_json() if attachment is not None else None,
        status=OutboxStatus.PENDING,
        next_attempt_at=utcnow(),
    )
    session.add(row)
    return row


async def enqueue_many(
    session: AsyncSession,
    settings: Settings,
    *,
    template: str,
    subject: str,
    text: str,
    html: str,
    recipients: list[tuple[str, dict[str, str]]],
    profile_id: UUID | None = None,
    batch_id: UUID | None = None,
    headers: dict[str, dict[str, str]] | None = None,
) -> int:
    """Add many mails of one rendered template in bulk, in the caller's transaction.

    The body is stored once (``OutboxBody``); each ``(address, fill)`` becomes an outbox row whose placeholders
    the worker replaces when it sends. Rendering and storing 1,000 bodies would cost more than sending them.
    ``headers`` adds headers per address (e.g. each contact's own ``List-Unsubscribe``).
    """
    if not recipients:
        return 0
    now = utcnow()
    check_header_value(subject)
    header_lines = {
        address: "\n".join(f"{k}: {check_header_value(v)}" for k, v in extra.items())
        for address, extra in (headers or {}).items()
    }
    body_id = uuid.uuid4()
    await session.execute(
        insert(OutboxBody.__table__),  # type: ignore[arg-type]
        [
            {
                "id": body_id,
                "profile_id": profile_id,
                "body_text": text,
                "body_html": html,
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
    rows = [
        {
            "id": uuid.uuid4(),
            "message_id": new_message_id(settings.mail.message_id_domain),
            "template": template,
            "batch_id": batch_id,
            "profile_id": profile_id,
            "to_addr": check_header_value(address),
            "subject": subject,
            "body_text": "",
            "body_html": "",
            "body_id": body_id,
            "fill": fill,
            "headers": header_lines.get(address, ""),
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
            "created_at": now,
            "updated_at": now,
        }
        for address, fill in recipients
    ]
    await session.execute(insert(OutboxMessage.__table__), rows)  # type: ignore[arg-type]
    return len(rows)


@dataclass(frozen=True)
class BatchProgress:
    """Delivery state of one batch (one circulation)."""

    sent: int
    waiting: int
    failed: int

    @property
    def total(self) -> int:
        """All mails of the batch."""
        return self.sent + self.waiting + self.failed

    @property
    def is_done(self) -> bool:
        """No mail of the batch is still waiting."""
        return self.waiting == 0


async def batch_progress(session: AsyncSession, batch_id: UUID) -> BatchProgress:
    """Count a batch's mails by state: sent / waiting (pending or being sent) / failed."""
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.batch_id == batch_id)
        .group_by(OutboxMessage.status)
    )
    counts = {OutboxStatus(status): n for status, n in rows.tuples()}
    return BatchProgress(
        sent=counts.get(OutboxStatus.SENT, 0),
        waiting=sum(counts.get(s, 0) for s in (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.RELEASING)),
        failed=counts.get(OutboxStatus.FAILED, 0),
    )


async def delete_for_profile(session: AsyncSession, profile_id: UUID) -> int:
    """Remove every outbox copy of a profile's mails (pending, sent or failed) and their shared bodies."""
    result = await session.execute(delete(OutboxMessage).where(OutboxMessage.profile_id == profile_id))
    await session.execute(delete(OutboxBody).where(OutboxBody.profile_id == profile_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def failed_messages(session: AsyncSession, limit: int = 100) -> list[OutboxMessage]:
    """Mails that gave up, newest first, for the coordinator's mail page."""
    result = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.updated_at.desc())
        .limit(limit)
    )
    return list(result)

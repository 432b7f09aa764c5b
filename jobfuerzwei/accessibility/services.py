"""Feedback about barriers goes to the coordination by mail, through the transactional outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.accessibility.schemas import FeedbackData
from jobfuerzwei.config import Settings
from jobfuerzwei.mail.outbox import enqueue


def send_feedback(session: AsyncSession, settings: Settings, data: FeedbackData) -> None:
    """Queue the message for ``settings.mail.accessibility_recipient`` (committed with the request)."""
    # The sender's address goes into the body only: a Reply-To taken from a public form could be abused to make
    # the coordination answer a third party, and the coordination decides itself whether to answer.
    enqueue(
        session,
        settings,
        template="accessibility_feedback",
        to=settings.mail.accessibility_recipient,
        context={"name": data.name, "email": data.email, "page": data.page, "message": data.message},
    )

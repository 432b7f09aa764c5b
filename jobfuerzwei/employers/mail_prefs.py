"""Which mails a member contact gets: each circulated profile, a weekly digest, or none (one-click unsubscribe).

The unsubscribe link carries the contact id and an HMAC of it under the instance secret: it works without a login
and without cookies (RFC 8058 one-click: mail providers POST to it), never expires, and reveals nothing else. The
contact also chooses the language of its mails (``set_language``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.circulation.models import CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.models import MemberContact
from jobfuerzwei.errors import LinkInvalid
from jobfuerzwei.i18n import LANGUAGES, N_
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.profiles.models import Profile

DIGEST_DAYS = 7
MAIL_MODES = {"immediate": N_("Jedes Profil sofort per E-Mail"), "digest": N_("Eine Übersicht pro Woche")}
"""The choices and their labels (German message ids: translate where shown, see ``mail_modes``)."""


def mail_modes() -> list[tuple[str, str]]:
    """The choices with their labels in the current language."""
    return [(value, _(text)) for value, text in MAIL_MODES.items()]


def unsubscribe_signature(secret: str, contact_id: UUID) -> str:
    """HMAC-SHA256 of the contact id (first 128 bits, URL-safe)."""
    mac = hmac.digest(secret.encode(), f"unsubscribe:{contact_id}".encode(), hashlib.sha256)[:16]  # one-shot C call
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def unsubscribe_url(settings: Settings, contact_id: UUID) -> str:
    """The link for the ``List-Unsubscribe`` header and the mail footer."""
    sig = unsubscribe_signature(settings.security.secret_key, contact_id)
    return f"{settings.base_url}/mail/unsubscribe/{contact_id}/{sig}"


def list_headers(settings: Settings, contact_id: UUID, url: str | None = None) -> dict[str, str]:
    """``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC 8058) for a mail to a member contact.

    ``url``: the contact's ``unsubscribe_url`` when the caller has it already.
    """
    return {
        "List-Unsubscribe": f"<{url or unsubscribe_url(settings, contact_id)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


async def contact_for_unsubscribe(
    session: AsyncSession, settings: Settings, contact_id: UUID, sig: str
) -> MemberContact:
    """The contact of a valid unsubscribe link, or ``LinkInvalid``."""
    expected = unsubscribe_signature(settings.security.secret_key, contact_id)
    contact = await session.get(MemberContact, contact_id)
    if not hmac.compare_digest(expected.encode(), sig.encode()) or contact is None:
        raise LinkInvalid(_("Dieser Abmeldelink ist ungültig oder die Adresse ist nicht mehr gespeichert."))
    return contact


async def unsubscribe(session: AsyncSession, contact: MemberContact) -> None:
    """No more profile mails (idempotent: a second click keeps the first time)."""
    if contact.unsubscribed_at is None:
        contact.unsubscribed_at = utcnow()
    await session.flush()


async def set_mail_mode(session: AsyncSession, contact: MemberContact, mode: str) -> None:
    """Each profile, or the weekly digest; choosing either subscribes again after an unsubscribe."""
    if mode not in MAIL_MODES:
        raise ValueError(mode)
    contact.mail_mode = mode
    contact.unsubscribed_at = None
    await session.flush()


async def set_language(session: AsyncSession, contact: MemberContact, language: str) -> None:
    """The language of the contact's mails from now on (one of ``i18n.LANGUAGES``)."""
    if language not in LANGUAGES:
        raise ValueError(language)
    contact.language = language
    await session.flush()


@dataclass(frozen=True)
class DigestEntry:
    """One circulated profile in a digest."""

    recipient_id: UUID
    reference: str
    occupations: list[str]
    received_at: dt.datetime


async def send_digests(session: AsyncSession, settings: Settings, now: dt.datetime | None = None) -> int:
    """Mail each due digest contact the profiles its member received since its last digest.

    Due: no digest in the last week. Contacts with nothing new get none and wait for the next profile. Returns the
    number of digests.
    """
    now = now or utcnow()
    due = now - dt.timedelta(days=DIGEST_DAYS)
    contacts = list(
        await session.scalars(
            select(MemberContact).where(
                MemberContact.mail_mode == "digest",
                MemberContact.unsubscribed_at.is_(None),
                MemberContact.password_hash.is_not(None),
            )
        )
    )
    sent = 0
    for contact in contacts:
        if contact.digest_sent_at is not None and contact.digest_sent_at > due:
            continue
        since = contact.digest_sent_at or due
        rows = await session.execute(
            select(CirculationRecipient.id, CirculationRecipient.created_at, Profile)
            .join(Profile, Profile.id == CirculationRecipient.profile_id)
            .where(CirculationRecipient.member_id == contact.member_id, CirculationRecipient.created_at > since)
            .order_by(CirculationRecipient.created_at)
        )
        entries = [
            DigestEntry(recipient_id=rid, reference=p.reference, occupations=list(p.occupations), received_at=at)
            for rid, at, p in rows
        ]
        if not entries:
            continue
        enqueue(
            session,
            settings,
            template="employer_digest",
            to=contact.email,
            language=contact.language,
            context={
                "contact_name": contact.name,
                "entries": entries,
                "portal_url": f"{settings.base_url}/portal",
                "unsubscribe_url": unsubscribe_url(settings, contact.id),
                "preferences_url": f"{settings.base_url}/portal/mail",
            },
            headers=list_headers(settings, contact.id),
        )
        contact.digest_sent_at = now
        sent += 1
    await session.flush()
    return sent

"""Applications to join: received, approved or declined, each with a mail to the applicant.

Approval creates the member and invites its first contact to the portal. Nothing here commits; the request does.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers import accounts
from jobfuerzwei.employers import services as employer_services
from jobfuerzwei.employers.models import AccountTokenPurpose, Member
from jobfuerzwei.employers.schemas import MemberData, lines
from jobfuerzwei.errors import InvalidTransition, NotFound
from jobfuerzwei.i18n import current_language
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.mail.outbox import enqueue
from jobfuerzwei.membership.models import ApplicationStatus, MembershipApplication
from jobfuerzwei.membership.schemas import ApplicationData


async def submit_application(session: AsyncSession, settings: Settings, data: ApplicationData) -> MembershipApplication:
    """Store an application and confirm its receipt to the applicant."""
    application = MembershipApplication(
        **data.values,
        privacy_version=settings.privacy_version,
        consented_at=utcnow(),
        status=ApplicationStatus.PENDING,
        language=current_language(),  # the form's language
    )
    session.add(application)
    await session.flush()
    enqueue(
        session,
        settings,
        template="membership_received",
        to=application.contact_email,
        language=application.language,
        context={"contact_name": application.contact_name, "organisation": application.organisation},
    )
    return application


async def list_applications(session: AsyncSession) -> list[MembershipApplication]:
    """Pending applications first (oldest first), then the decided ones (newest first)."""
    rows = list(await session.scalars(select(MembershipApplication)))
    pending = sorted((a for a in rows if a.status == ApplicationStatus.PENDING), key=lambda a: a.created_at)
    decided = sorted(
        (a for a in rows if a.status != ApplicationStatus.PENDING),
        key=lambda a: a.decided_at or a.created_at,
        reverse=True,
    )
    return pending + decided


async def pending_count(session: AsyncSession) -> int:
    """Applications waiting for a decision (shown in the coordinator's navigation)."""
    stmt = select(func.count()).where(MembershipApplication.status == ApplicationStatus.PENDING)
    return int(await session.scalar(stmt) or 0)


async def get_application(session: AsyncSession, application_id: UUID) -> MembershipApplication:
    """One application, or ``NotFound``."""
    application = await session.get(MembershipApplication, application_id)
    if application is None:
        raise NotFound(_("Diesen Antrag gibt es nicht."))
    return application


def _check_pending(application: MembershipApplication) -> None:
    if application.status != ApplicationStatus.PENDING:
        raise InvalidTransition(_("Über diesen Antrag ist bereits entschieden."))


async def approve(session: AsyncSession, settings: Settings, application: MembershipApplication) -> Member:
    """Create the member with the applicant as its first contact and invite that contact to the portal."""
    _check_pending(application)
    if await employer_services.is_name_taken(session, application.organisation):
        raise InvalidTransition(
            _("Es gibt bereits ein Mitglied mit diesem Namen. Bitte prüfen Sie, ob die Organisation schon dabei ist.")
        )
    member = await employer_services.create_member(
        session,
        MemberData(
            name=application.organisation,
            sector=application.sector,
            municipality=application.municipality,
            postcode=application.postcode,
            contact_emails=[application.contact_email],
            interests=lines(application.interests),
            is_active=True,
        ),
    )
    contact = member.contacts[0]
    contact.name = application.contact_name
    contact.language = application.language
    token = await accounts.issue_account_token(session, contact, AccountTokenPurpose.INVITE)
    application.status = ApplicationStatus.APPROVED
    application.decided_at = utcnow()
    application.member_id = member.id
    enqueue(
        session,
        settings,
        template="membership_approved",
        to=contact.email,
        language=contact.language,
        context={
            "contact_name": application.contact_name,
            "organisation": application.organisation,
            "password_url": f"{settings.base_url}/portal/password/{token}",
            "invite_days": accounts.INVITE_DAYS,
        },
    )
    await session.flush()
    return member


async def decline(session: AsyncSession, settings: Settings, application: MembershipApplication, reason: str) -> None:
    """Decline with a reason, which is mailed to the applicant."""
    _check_pending(application)
    application.status = ApplicationStatus.DECLINED
    application.decided_at = utcnow()
    application.decision_reason = reason
    enqueue(
        session,
        settings,
        template="membership_declined",
        to=application.contact_email,
        language=application.language,
        context={
            "contact_name": application.contact_name,
            "organisation": application.organisation,
            "reason": reason,
        },
    )
    await session.flush()


async def purge_declined(session: AsyncSession, settings: Settings, now: dt.datetime | None = None) -> int:
    """Delete declined applications past their retention; returns how many."""
    cutoff = (now or utcnow()) - dt.timedelta(days=settings.declined_application_retention_days)
    result = await session.execute(
        delete(MembershipApplication).where(
            MembershipApplication.status == ApplicationStatus.DECLINED, MembershipApplication.decided_at < cutoff
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

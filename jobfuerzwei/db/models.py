"""Imports every model so that ``metadata`` is complete (Alembic autogenerate, ``create_all`` in tools)."""

from jobfuerzwei.audit.models import AuditAction, AuditActor, AuditEntry
from jobfuerzwei.circulation.models import Answer, Circulation, CirculationRecipient
from jobfuerzwei.db.base import metadata
from jobfuerzwei.employers.models import (
    AccountToken,
    AccountTokenPurpose,
    EmployerSession,
    Member,
    MemberContact,
    Position,
)
from jobfuerzwei.mail.models import OutboxMessage, OutboxStatus
from jobfuerzwei.membership.models import ApplicationStatus, MembershipApplication
from jobfuerzwei.profiles.models import (
    Consent,
    ConsentKind,
    Profile,
    ProfileKind,
    ProfilePermission,
    ProfileStatus,
    Qualification,
    WorkingTime,
)
from jobfuerzwei.referrals.models import Actor, CloseReason, ContactRelease, Referral, ReferralEvent, ReferralState
from jobfuerzwei.staff.models import StaffRole, StaffSession, StaffUser
from jobfuerzwei.tokens.models import LinkToken, TokenPurpose

__all__ = [
    "AccountToken",
    "AccountTokenPurpose",
    "Actor",
    "Answer",
    "ApplicationStatus",
    "AuditAction",
    "AuditActor",
    "AuditEntry",
    "Circulation",
    "CirculationRecipient",
    "CloseReason",
    "Consent",
    "ConsentKind",
    "ContactRelease",
    "EmployerSession",
    "LinkToken",
    "Member",
    "MemberContact",
    "MembershipApplication",
    "OutboxMessage",
    "OutboxStatus",
    "Position",
    "Profile",
    "ProfileKind",
    "ProfilePermission",
    "ProfileStatus",
    "Qualification",
    "Referral",
    "ReferralEvent",
    "ReferralState",
    "StaffRole",
    "StaffSession",
    "StaffUser",
    "TokenPurpose",
    "WorkingTime",
    "metadata",
]

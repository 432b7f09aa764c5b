"""Imports every model so that ``metadata`` is complete (Alembic autogenerate, ``create_all`` in tools)."""

from jobfuerzwei.audit.models import AuditAction, AuditActor, AuditEntry
from jobfuerzwei.circulation.models import Answer, Circulation, CirculationRecipient
from jobfuerzwei.coordinator.models import CoordinatorDigest
from jobfuerzwei.dataprotection.models import PurgeRun, PurgeTrigger
from jobfuerzwei.db.base import metadata
from jobfuerzwei.db.changes import change_counters
from jobfuerzwei.employers.models import (
    AccountToken,
    AccountTokenPurpose,
    EmployerSession,
    Member,
    MemberContact,
    Position,
)
from jobfuerzwei.events.models import Event, EventKind, EventStatus, Invitation, RsvpStatus
from jobfuerzwei.mail.models import OutboxMessage, OutboxStatus
from jobfuerzwei.membership.models import ApplicationStatus, MembershipApplication
from jobfuerzwei.offers.models import Offer, OfferCategory, OfferStatus, ProviderType
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
    "CoordinatorDigest",
    "EmployerSession",
    "Event",
    "EventKind",
    "EventStatus",
    "Invitation",
    "LinkToken",
    "Member",
    "MemberContact",
    "MembershipApplication",
    "Offer",
    "OfferCategory",
    "OfferStatus",
    "OutboxMessage",
    "OutboxStatus",
    "Position",
    "Profile",
    "ProfileKind",
    "ProfilePermission",
    "ProfileStatus",
    "ProviderType",
    "PurgeRun",
    "PurgeTrigger",
    "Qualification",
    "Referral",
    "ReferralEvent",
    "ReferralState",
    "RsvpStatus",
    "StaffRole",
    "StaffSession",
    "StaffUser",
    "TokenPurpose",
    "WorkingTime",
    "change_counters",
    "metadata",
]

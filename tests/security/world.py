"""A small world for the security tests: two members A and B with contacts and portal sessions, a profile
circulated to A only (with A's employer link and a referral), an unconfirmed profile with its confirmation link,
a second partner's profile, offers, positions, a meeting with invitations, a membership application, an outbox
mail, an observer and a coordinator (sessions started directly: the login forms have tests of their own).

``World.ids(role)`` gives the path parameters a role calls "own"; ``World.foreign_ids(role)`` those of somebody
else (or of nothing), which must answer 404 and never 200 or 500.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.circulation.models import Circulation, CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers import accounts
from jobfuerzwei.employers.mail_prefs import unsubscribe_signature
from jobfuerzwei.employers.models import AccountTokenPurpose, Position
from jobfuerzwei.events.models import Event, Invitation
from jobfuerzwei.events.services import rsvp_signature
from jobfuerzwei.mail.models import OutboxMessage, OutboxStatus
from jobfuerzwei.membership.models import MembershipApplication
from jobfuerzwei.offers.models import OfferStatus
from jobfuerzwei.profiles.models import ProfileStatus
from jobfuerzwei.referrals.models import ContactRelease, Referral
from jobfuerzwei.staff import services as staff_services
from jobfuerzwei.staff.models import StaffRole, StaffUser
from jobfuerzwei.tokens import services as tokens
from jobfuerzwei.tokens.models import TokenPurpose
from jobfuerzwei.web.auth import PORTAL_COOKIE, SESSION_COOKIE
from tests.circulation.helpers import add_cv, make_member, make_profile
from tests.offers.helpers import make_offer

ROLES = ("anonymous", "applicant", "partner", "employer_a", "employer_b", "observer", "coordinator")
"""Who knocks: nobody; the applicant's confirmation link (the double opt-in the registration mails); the partner's
status link; member contacts of A and B (portal session, their employer link, RSVP and unsubscribe links); the
read-only observer; the coordinator."""

BOGUS_TOKEN = "x" * 43
"""A well-formed link token that was never issued."""
NOWHERE = UUID("00000000-0000-4000-8000-000000000000")
"""An id that names nothing."""


@dataclass
class World:
    """Ids and secrets of the world, and the cookies each role holds."""

    cookies: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def ids(self, role: str) -> dict[str, str]:
        """Path parameters that belong to ``role`` (or, for roles owning nothing of the kind, real ids of A)."""
        v = self.values
        is_b = role == "employer_b"
        mine = {
            # capability links: only their holder has a live one
            "confirm_token": v["confirm_token"] if role == "applicant" else BOGUS_TOKEN,
            "status_token": v["status_token"] if role == "partner" else BOGUS_TOKEN,
            "employer_token": v["employer_token"] if role == "employer_a" else BOGUS_TOKEN,
            "staff_password_token": v["staff_password_token"] if role == "observer" else BOGUS_TOKEN,
            "portal_password_token": v["portal_password_token"] if role == "employer_a" else BOGUS_TOKEN,
            "invitation_id": v["invitation_b"] if is_b else v["invitation_a"],
            "rsvp_sig": v["rsvp_sig_b"] if is_b else v["rsvp_sig_a"] if role == "employer_a" else BOGUS_TOKEN,
            "unsubscribe_contact_id": v["contact_b"] if is_b else v["contact_a"],
            "unsubscribe_sig": v["unsub_sig_b"] if is_b else v["unsub_sig_a"] if role == "employer_a" else BOGUS_TOKEN,
            # member-owned things
            "member_id": v["member_b"] if is_b or role == "partner" else v["member_a"],
            "position_id": v["position_b"] if is_b else v["position_a"],
            "offer_id": v["offer_b"] if is_b else v["offer_a"],
            "contact_id": v["colleague_b"] if is_b else v["colleague_a"],
            "recipient_id": v["recipient_b"] if is_b else v["recipient_a"],
            "referral_id": v["referral_b"] if is_b else v["referral_a"],
            # staff things
            "profile_id": v["profile"],
            "staff_id": v["observer_id"],
            "circulation_id": v["circulation"],
            "message_id": v["message"],
            "application_id": v["application"],
            "event_id": v["event"],
            "public_offer_id": v["offer_a"],
            "answer": "interested",
            "filename": "profiles.csv",
            "name": "funnel.svg",
            "year": str(utcnow().year),
            "key": "none",
            "file_path": "site.css",
            "schema_path": "openapi.yaml",
            "code": "en",
        }
        return {k: str(x) for k, x in mine.items()}

    def foreign_ids(self, role: str) -> dict[str, str]:
        """Path parameters of somebody else's things (A's for B, B's for A, unknown ids for staff)."""
        v = self.values
        is_b = role == "employer_b"
        is_member = role in ("employer_a", "employer_b")
        other = {
            # a live token of another purpose (a link does not open another kind of page)
            "confirm_token": v["status_token"],
            "status_token": v["employer_token"],
            "employer_token": v["status_token"],
            "staff_password_token": v["portal_password_token"],
            "portal_password_token": v["staff_password_token"],
            # the other member's invitation or contact (with one's own signature, see ``fill``)
            "invitation_id": v["invitation_a"] if is_b else v["invitation_b"],
            "rsvp_sig": BOGUS_TOKEN,
            "unsubscribe_contact_id": v["contact_a"] if is_b else v["contact_b"],
            "unsubscribe_sig": BOGUS_TOKEN,
            # members: the other member's things; the partner: another profile's referral; staff: ids of nothing
            "member_id": NOWHERE,
            "position_id": v["position_a"] if is_b else v["position_b"] if is_member else NOWHERE,
            "offer_id": v["offer_a"] if is_b else v["offer_b"] if is_member else NOWHERE,
            "contact_id": v["colleague_a"] if is_b else v["colleague_b"] if is_member else NOWHERE,
            "recipient_id": v["recipient_a"] if is_b else v["recipient_b"] if is_member else NOWHERE,
            "referral_id": v["referral_a"] if is_b else v["referral_b"] if is_member or role == "partner" else NOWHERE,
            "profile_id": NOWHERE,
            "staff_id": NOWHERE,
            "circulation_id": NOWHERE,
            "message_id": NOWHERE,
            "application_id": NOWHERE,
            "event_id": NOWHERE,
            "public_offer_id": v["offer_b"],  # a draft: not public
            "answer": "maybe",
            "filename": "secrets.csv",
            "name": "passwords.svg",
            "year": "1900",
            "key": "not-a-key",
            "file_path": "nothing-here.css",
            "schema_path": "swagger",
            "code": "xx",
        }
        return {k: str(x) for k, x in other.items()}


def _meeting_application_and_mail(
    session: AsyncSession, settings: Settings, contact_a: UUID, contact_b: UUID
) -> tuple[Event, Invitation, Invitation, MembershipApplication, OutboxMessage]:
    """A meeting with an invitation for each member, a pending membership application and a failed mail."""
    now = utcnow()
    event = Event(
        uid=f"{uuid.uuid4()}@jobfuerzwei.example",
        title="Netzwerktreffen",
        starts_at=now + dt.timedelta(days=20),
        ends_at=now + dt.timedelta(days=20, hours=2),
        place="IHK Ostwürttemberg",
    )
    invitation_a = Invitation(event=event, contact_id=contact_a)
    invitation_b = Invitation(event=event, contact_id=contact_b)
    session.add_all([event, invitation_a, invitation_b])

    application = MembershipApplication(
        organisation="Gamma GmbH",
        contact_name="Frau Gamma",
        contact_email="gamma@gamma.example",
        privacy_version=settings.privacy_version,
        consented_at=now,
    )
    message = OutboxMessage(
        message_id=f"<{uuid.uuid4()}@jobfuerzwei.example>",
        template="smtp_check",
        to_addr="nobody@example.org",
        subject="Test",
        status=OutboxStatus.FAILED,
        next_attempt_at=now,
    )
    session.add_all([application, message])

    return event, invitation_a, invitation_b, application, message


async def build_world(session: AsyncSession, settings: Settings) -> World:
    """Create the world's rows and sessions; returns the ids and each role's cookies."""
    now = utcnow()
    member_a = await make_member(
        session, "Alpha Maschinenbau GmbH", emails=["personal@alpha.example", "kollege@alpha.example"]
    )
    member_b = await make_member(
        session, "Beta Klinik gGmbH", emails=["personal@beta.example", "kollegin@beta.example"]
    )
    contact_a, colleague_a = member_a.contacts
    contact_b, colleague_b = member_b.contacts
    for contact in (contact_a, contact_b):
        contact.password_hash = "not-a-hash"  # an account (the portal session is started directly)
    position_a = Position(member_id=member_a.id, title="Industriemechaniker")
    position_b = Position(member_id=member_b.id, title="Pflegefachkraft")
    session.add_all([position_a, position_b])

    # B joined after the partner's consent: the partner still decides on B (and the profile went to A only)
    profile = await make_profile(session, allowed=[member_a])
    await add_cv(session, settings, profile)
    other_profile = await make_profile(session, allowed=[member_a, member_b], partner_email="zweite@example.org")
    await add_cv(session, settings, other_profile)
    pending = await make_profile(session, status=ProfileStatus.UNCONFIRMED, confirmed_at=None, approved_at=None)

    circulation = Circulation(profile_id=profile.id, recipient_count=1)
    recipient_a = CirculationRecipient(circulation=circulation, profile_id=profile.id, member_id=member_a.id)
    other_circulation = Circulation(profile_id=other_profile.id, recipient_count=1)
    recipient_b = CirculationRecipient(
        circulation=other_circulation, profile_id=other_profile.id, member_id=member_b.id
    )
    session.add_all([circulation, other_circulation])
    await session.flush()
    referral_a = Referral(
        profile_id=profile.id,
        member_id=member_a.id,
        recipient_id=recipient_a.id,
        contact_release=ContactRelease.GRANTED,
        contact_released_at=now,
    )
    referral_b = Referral(
        profile_id=other_profile.id,
        member_id=member_b.id,
        recipient_id=recipient_b.id,
        contact_release=ContactRelease.GRANTED,
        contact_released_at=now,
    )
    session.add_all([referral_a, referral_b])

    offer_a = await make_offer(session, member_id=member_a.id, submitted_by_id=contact_a.id)
    offer_b = await make_offer(
        session, "Entwurf von B", member_id=member_b.id, submitted_by_id=contact_b.id, status=OfferStatus.DRAFT
    )

    event, invitation_a, invitation_b, application, message = _meeting_application_and_mail(
        session, settings, contact_a.id, contact_b.id
    )

    coordinator = StaffUser(email="koordination@ihk.example", name="Koordination", password_hash="not-a-hash")
    observer = StaffUser(
        email="beobachtung@agentur.example", name="Beobachtung", password_hash="not-a-hash", role=StaffRole.OBSERVER
    )
    session.add_all([coordinator, observer])
    await session.flush()

    confirm_token = tokens.issue(session, purpose=TokenPurpose.CONFIRM, profile_id=pending.id, days=7)
    status_token = tokens.issue(session, purpose=TokenPurpose.STATUS, profile_id=profile.id, days=365)
    employer_token = tokens.issue(
        session, purpose=TokenPurpose.EMPLOYER, profile_id=profile.id, days=30, recipient_id=recipient_a.id
    )
    hours = settings.security.session_hours
    staff_cookie = await staff_services.start_session(session, coordinator, hours, verified=True)
    observer_cookie = await staff_services.start_session(session, observer, hours, verified=True)
    portal_a = await accounts.start_session(session, contact_a, is_verified=True)
    portal_b = await accounts.start_session(session, contact_b, is_verified=True)
    portal_password_token = await accounts.issue_account_token(session, contact_a, AccountTokenPurpose.RESET)
    await session.commit()
    secret = settings.security.secret_key
    world = World()
    world.cookies = {
        "anonymous": {},
        "applicant": {},
        "partner": {},
        "employer_a": {PORTAL_COOKIE: portal_a},
        "employer_b": {PORTAL_COOKIE: portal_b},
        "observer": {SESSION_COOKIE: observer_cookie},
        "coordinator": {SESSION_COOKIE: staff_cookie},
    }
    world.values = {
        "member_a": member_a.id,
        "member_b": member_b.id,
        "contact_a": contact_a.id,
        "contact_b": contact_b.id,
        "colleague_a": colleague_a.id,
        "colleague_b": colleague_b.id,
        "position_a": position_a.id,
        "position_b": position_b.id,
        "profile": profile.id,
        "other_profile": other_profile.id,
        "pending_profile": pending.id,
        "circulation": circulation.id,
        "recipient_a": recipient_a.id,
        "recipient_b": recipient_b.id,
        "referral_a": referral_a.id,
        "referral_b": referral_b.id,
        "offer_a": offer_a.id,
        "offer_b": offer_b.id,
        "event": event.id,
        "invitation_a": invitation_a.id,
        "invitation_b": invitation_b.id,
        "rsvp_sig_a": rsvp_signature(secret, invitation_a.id),
        "rsvp_sig_b": rsvp_signature(secret, invitation_b.id),
        "unsub_sig_a": unsubscribe_signature(secret, contact_a.id),
        "unsub_sig_b": unsubscribe_signature(secret, contact_b.id),
        "application": application.id,
        "message": message.id,
        "coordinator_id": coordinator.id,
        "observer_id": observer.id,
        "confirm_token": confirm_token,
        "status_token": status_token,
        "employer_token": employer_token,
        "staff_password_token": staff_services.password_link_token(secret, observer),
        "portal_password_token": portal_password_token,
    }
    return world


__all__ = ["BOGUS_TOKEN", "NOWHERE", "ROLES", "World", "build_world"]

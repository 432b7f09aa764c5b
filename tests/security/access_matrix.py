"""The access matrix as data: every route of the app (pattern and method) with the outcome each role gets.

Roles (see ``world.ROLES``): ``anonymous``; ``applicant`` (holds the confirmation link of a registration);
``partner`` (holds a status link); ``employer_a`` and ``employer_b`` (member contacts with a portal session; A also
holds the employer link of the profile circulated to A only; each holds the RSVP and unsubscribe links of their
own mails); ``observer`` (read-only staff); ``coordinator``.

Each role calls every route twice: with its own ids and with foreign ones (B's for A, A's for B, another profile's
referral for the partner, ids of nothing for staff). Roles that own nothing of a kind use real ids of A or a
never-issued token. A foreign id must answer 404 (410 for a link), never 200 or 500.

A route added to the app and missing here fails ``test_every_route_is_in_the_matrix``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from tests.security.world import ROLES


class Outcome(StrEnum):
    """What a request must answer."""

    OK = "ok"
    """GET: 200. POST: the request passed the access check (200, 303 not to a login page, 400 or 409)."""
    LOGIN = "login"
    """303 to the coordinator login."""
    PORTAL_LOGIN = "portal-login"
    """303 to the portal login."""
    FORBIDDEN = "403"
    NOT_FOUND = "404"
    GONE = "410"
    """A mailed link that is unknown, expired, used or not this one's."""
    REDIRECT = "redirect"
    """303 elsewhere (e.g. a login page for somebody logged in already, a login step without its first step)."""


OK, LOGIN, PORTAL_LOGIN, FORBIDDEN, NOT_FOUND, GONE, REDIRECT = Outcome


@dataclass(frozen=True)
class Access:
    """Outcomes per role with own ids, and (for routes with ids) with foreign ids."""

    own: dict[str, Outcome]
    foreign: dict[str, Outcome] = field(default_factory=dict)

    def expect(self, role: str, *, foreign: bool) -> Outcome:
        """The outcome for ``role``; a foreign id turns an allowed request into 404 unless stated otherwise."""
        if foreign:
            if role in self.foreign:
                return self.foreign[role]
            return NOT_FOUND if self.own[role] == OK else self.own[role]
        return self.own[role]


def _roles(default: Outcome, **by_role: Outcome) -> dict[str, Outcome]:
    unknown = set(by_role) - set(ROLES)
    assert not unknown, unknown
    return {role: by_role.get(role, default) for role in ROLES}


def public(**foreign: Outcome) -> Access:
    """Everybody may."""
    return Access(_roles(OK), dict(foreign))


def staff(**foreign: Outcome) -> Access:
    """Coordinators only; the observer gets 403, everybody else the login page."""
    return Access(_roles(LOGIN, observer=FORBIDDEN, coordinator=OK), dict(foreign))


def viewer() -> Access:
    """Any staff member (figures and anonymised lists)."""
    return Access(_roles(LOGIN, observer=OK, coordinator=OK))


def member(**foreign: Outcome) -> Access:
    """A member contact with a portal session, for the own member's things."""
    return Access(_roles(PORTAL_LOGIN, employer_a=OK, employer_b=OK), dict(foreign))


def link(*holders: str) -> Access:
    """A capability link: its holders may; anybody else's token is unknown (410)."""
    return Access(_roles(GONE, **dict.fromkeys(holders, OK)), dict.fromkeys(holders, GONE))


def link_with_ids(*holders: str) -> Access:
    """A capability link with an id of a thing under it: a foreign thing under a live link is 404."""
    return Access(_roles(GONE, **dict.fromkeys(holders, OK)))


LOGIN_STEP = Access(_roles(REDIRECT))
"""A second login step (code, set-up of the app) without the first step done: back to the login."""

ROUTES: dict[tuple[str, str], Access] = {
    # public pages
    ("GET", "/"): public(),
    ("GET", "/privacy"): public(),
    ("GET", "/imprint"): public(),
    ("GET", "/barrierefreiheit"): public(),
    ("POST", "/barrierefreiheit"): public(),
    ("GET", "/healthz"): public(),
    ("GET", "/sprache/{code:str}"): Access(_roles(REDIRECT)),
    ("GET", "/occupations/suggest"): public(),
    ("GET", "/register"): public(),
    ("POST", "/register"): public(),
    ("GET", "/register/thanks"): public(),
    ("GET", "/join"): public(),
    ("POST", "/join"): public(),
    ("GET", "/join/thanks"): public(),
    ("GET", "/angebote"): public(),
    ("GET", "/angebote/{offer_id:uuid}"): public(),
    ("GET", "/static/{file_path:path}"): public(),
    ("HEAD", "/static/{file_path:path}"): public(),
    # the OpenAPI schema: JSON only (app.py); no YAML (seconds of CPU per request) and no viewer pages
    ("GET", "/schema"): public(),
    ("GET", "/schema/openapi.json"): public(),
    ("GET", "/schema/{path:str}"): Access(_roles(NOT_FOUND)),
    # coordinator login
    ("GET", "/coordinator/login"): public(),
    ("POST", "/coordinator/login"): public(),
    ("GET", "/coordinator/login/code"): LOGIN_STEP,
    ("POST", "/coordinator/login/code"): LOGIN_STEP,
    ("GET", "/coordinator/login/setup"): LOGIN_STEP,
    ("POST", "/coordinator/login/setup"): LOGIN_STEP,
    ("POST", "/coordinator/logout"): Access(_roles(REDIRECT)),
    ("GET", "/coordinator/password/{token:str}"): link("observer"),
    ("POST", "/coordinator/password/{token:str}"): link("observer"),
    # partner: confirmation and status links
    ("GET", "/confirm/{token:str}"): link("applicant"),
    ("POST", "/confirm/{token:str}"): link("applicant"),
    ("GET", "/status/{token:str}"): link("partner"),
    ("GET", "/status/{token:str}/cv"): link("partner"),
    ("POST", "/status/{token:str}/language"): link("partner"),
    ("GET", "/status/{token:str}/delete"): link("partner"),
    ("POST", "/status/{token:str}/delete"): link("partner"),
    ("GET", "/status/{token:str}/edit"): link("partner"),
    ("POST", "/status/{token:str}/edit"): link("partner"),
    ("GET", "/status/{token:str}/export"): link("partner"),
    ("POST", "/status/{token:str}/keep"): link("partner"),
    ("POST", "/status/{token:str}/members/{member_id:uuid}"): link_with_ids("partner"),
    ("POST", "/status/{token:str}/pause"): link("partner"),
    ("POST", "/status/{token:str}/referrals/{referral_id:uuid}/contact"): link_with_ids("partner"),
    ("POST", "/status/{token:str}/resume"): link("partner"),
    ("POST", "/status/{token:str}/withdraw"): link("partner"),
    # employer links (circulated to A only)
    ("GET", "/e/{token:str}"): link("employer_a"),
    ("GET", "/e/{token:str}/answer/{answer:str}"): link_with_ids("employer_a"),
    ("POST", "/e/{token:str}/answer/{answer:str}"): link_with_ids("employer_a"),
    ("GET", "/e/{token:str}/cv"): link("employer_a"),
    ("GET", "/e/{token:str}/referral"): link("employer_a"),
    ("POST", "/e/{token:str}/referral"): link("employer_a"),
    # mailed member links: RSVP and unsubscribe (HMAC of the id; another member's id with one's own signature: 410)
    ("GET", "/rsvp/{invitation_id:uuid}/{sig:str}"): link("employer_a", "employer_b"),
    ("POST", "/rsvp/{invitation_id:uuid}/{sig:str}"): link("employer_a", "employer_b"),
    ("GET", "/rsvp/{invitation_id:uuid}/{sig:str}/termin.ics"): link("employer_a", "employer_b"),
    ("GET", "/mail/unsubscribe/{contact_id:uuid}/{sig:str}"): link("employer_a", "employer_b"),
    ("POST", "/mail/unsubscribe/{contact_id:uuid}/{sig:str}"): link("employer_a", "employer_b"),
    # portal login
    ("GET", "/portal/login"): Access(_roles(OK, employer_a=REDIRECT, employer_b=REDIRECT)),
    ("POST", "/portal/login"): public(),
    ("GET", "/portal/login/code"): Access(_roles(REDIRECT)),
    ("POST", "/portal/login/code"): Access(_roles(REDIRECT)),
    ("POST", "/portal/logout"): Access(_roles(REDIRECT)),
    ("GET", "/portal/password/forgot"): public(),
    ("POST", "/portal/password/forgot"): public(),
    ("GET", "/portal/password/{token:str}"): link("employer_a"),
    ("POST", "/portal/password/{token:str}"): link("employer_a"),
    # portal: the member's own things
    ("GET", "/portal"): member(),
    ("GET", "/portal/contacts"): member(),
    ("POST", "/portal/contacts"): member(),
    ("POST", "/portal/contacts/{contact_id:uuid}/remove"): member(),
    ("GET", "/portal/mail"): member(),
    ("POST", "/portal/mail"): member(),
    ("GET", "/portal/member"): member(),
    ("POST", "/portal/member"): member(),
    ("GET", "/portal/member/leave"): member(),
    ("POST", "/portal/member/leave"): member(),
    ("POST", "/portal/member/pause"): member(),
    ("POST", "/portal/member/resume"): member(),
    ("GET", "/portal/offers"): member(),
    ("GET", "/portal/offers/new"): member(),
    ("POST", "/portal/offers/new"): member(),
    ("GET", "/portal/offers/{offer_id:uuid}/edit"): member(),
    ("POST", "/portal/offers/{offer_id:uuid}/edit"): member(),
    ("POST", "/portal/offers/{offer_id:uuid}/withdraw"): member(),
    ("GET", "/portal/positions"): member(),
    ("GET", "/portal/positions/new"): member(),
    ("POST", "/portal/positions/new"): member(),
    ("POST", "/portal/positions/{position_id:uuid}/close"): member(),
    ("GET", "/portal/positions/{position_id:uuid}/edit"): member(),
    ("POST", "/portal/positions/{position_id:uuid}/edit"): member(),
    ("POST", "/portal/positions/{position_id:uuid}/reopen"): member(),
    ("GET", "/portal/profiles/{recipient_id:uuid}"): member(),
    ("POST", "/portal/profiles/{recipient_id:uuid}/answer/{answer:str}"): member(),
    ("GET", "/portal/profiles/{recipient_id:uuid}/cv"): member(),
    ("GET", "/portal/referrals"): member(),
    ("POST", "/portal/referrals/{referral_id:uuid}/move"): member(),
    ("GET", "/portal/security"): member(),
    ("POST", "/portal/security/password"): member(),
    ("POST", "/portal/security/totp/confirm"): member(),
    ("POST", "/portal/security/totp/disable"): member(),
    ("POST", "/portal/security/totp/start"): member(),
    ("GET", "/portal/transfers"): member(),
    ("GET", "/portal/transfers/import"): member(),
    ("POST", "/portal/transfers/import"): member(),
    ("POST", "/portal/transfers/import/confirm"): member(),
    ("GET", "/portal/transfers/new"): member(),
    ("POST", "/portal/transfers/new"): member(),
    # results: any staff member
    ("GET", "/coordinator/results"): viewer(),
    ("GET", "/coordinator/results/chart/{name:str}"): viewer(),
    ("GET", "/coordinator/results/export/{filename:str}"): viewer(),
    ("GET", "/coordinator/results/members"): viewer(),
    ("GET", "/coordinator/results/profiles"): viewer(),
    ("GET", "/coordinator/results/referrals"): viewer(),
    ("GET", "/coordinator/results/report"): Access(_roles(LOGIN, observer=REDIRECT, coordinator=REDIRECT)),
    ("GET", "/coordinator/results/report/{year:int}"): viewer(),
    # coordinator only
    ("GET", "/coordinator"): staff(),
    ("GET", "/coordinator/applications"): staff(),
    ("GET", "/coordinator/applications/{application_id:uuid}"): staff(),
    ("POST", "/coordinator/applications/{application_id:uuid}/approve"): staff(),
    ("POST", "/coordinator/applications/{application_id:uuid}/decline"): staff(),
    ("GET", "/coordinator/audit"): staff(),
    ("GET", "/coordinator/circulations/{circulation_id:uuid}"): staff(),
    ("GET", "/coordinator/circulations/{circulation_id:uuid}/progress"): staff(),
    ("POST", "/coordinator/circulations/{circulation_id:uuid}/recipients/{recipient_id:uuid}/revoke"): staff(),
    ("POST", "/coordinator/contacts/{contact_id:uuid}/invite"): staff(),
    ("POST", "/coordinator/contacts/{contact_id:uuid}/language"): staff(),
    ("GET", "/coordinator/coverage"): staff(),
    ("GET", "/coordinator/coverage.csv"): staff(),
    ("GET", "/coordinator/events"): staff(),
    ("GET", "/coordinator/events/new"): staff(),
    ("POST", "/coordinator/events/new"): staff(),
    ("GET", "/coordinator/events/{event_id:uuid}"): staff(),
    ("GET", "/coordinator/events/{event_id:uuid}/attendees.csv"): staff(),
    ("GET", "/coordinator/events/{event_id:uuid}/attendees.xlsx"): staff(),
    ("GET", "/coordinator/events/{event_id:uuid}/cancel"): staff(),
    ("POST", "/coordinator/events/{event_id:uuid}/cancel"): staff(),
    ("GET", "/coordinator/events/{event_id:uuid}/edit"): staff(),
    ("POST", "/coordinator/events/{event_id:uuid}/edit"): staff(),
    ("GET", "/coordinator/events/{event_id:uuid}/invite"): staff(),
    ("POST", "/coordinator/events/{event_id:uuid}/invite"): staff(),
    ("GET", "/coordinator/mails"): staff(),
    # the local mail sink runs in dev mode only: without it every key is unknown
    ("GET", "/coordinator/mails/sink/{key:str}"): Access(_roles(LOGIN, observer=FORBIDDEN, coordinator=NOT_FOUND)),
    ("POST", "/coordinator/mails/{message_id:uuid}/retry"): staff(),
    ("GET", "/coordinator/members"): staff(),
    ("GET", "/coordinator/members/new"): staff(),
    ("POST", "/coordinator/members/new"): staff(),
    ("GET", "/coordinator/members/{member_id:uuid}/edit"): staff(),
    ("POST", "/coordinator/members/{member_id:uuid}/edit"): staff(),
    ("GET", "/coordinator/members/{member_id:uuid}/positions/new"): staff(),
    ("POST", "/coordinator/members/{member_id:uuid}/positions/new"): staff(),
    ("GET", "/coordinator/offers"): staff(),
    ("GET", "/coordinator/offers/new"): staff(),
    ("POST", "/coordinator/offers/new"): staff(),
    ("GET", "/coordinator/offers/{offer_id:uuid}"): staff(),
    ("POST", "/coordinator/offers/{offer_id:uuid}/archive"): staff(),
    ("GET", "/coordinator/offers/{offer_id:uuid}/edit"): staff(),
    ("POST", "/coordinator/offers/{offer_id:uuid}/edit"): staff(),
    ("POST", "/coordinator/offers/{offer_id:uuid}/publish"): staff(),
    ("POST", "/coordinator/offers/{offer_id:uuid}/reject"): staff(),
    ("POST", "/coordinator/positions/{position_id:uuid}/close"): staff(),
    ("GET", "/coordinator/positions/{position_id:uuid}/edit"): staff(),
    ("POST", "/coordinator/positions/{position_id:uuid}/edit"): staff(),
    ("GET", "/coordinator/positions/{position_id:uuid}/matches"): staff(),
    ("POST", "/coordinator/positions/{position_id:uuid}/reopen"): staff(),
    ("GET", "/coordinator/profiles"): staff(),
    ("GET", "/coordinator/profiles/{profile_id:uuid}"): staff(),
    ("POST", "/coordinator/profiles/{profile_id:uuid}/approve"): staff(),
    ("GET", "/coordinator/profiles/{profile_id:uuid}/circulate"): staff(),
    ("POST", "/coordinator/profiles/{profile_id:uuid}/circulate"): staff(),
    ("GET", "/coordinator/profiles/{profile_id:uuid}/cv"): staff(),
    ("GET", "/coordinator/profiles/{profile_id:uuid}/edit"): staff(),
    ("POST", "/coordinator/profiles/{profile_id:uuid}/edit"): staff(),
    ("POST", "/coordinator/profiles/{profile_id:uuid}/merge"): staff(),
    ("POST", "/coordinator/profiles/{profile_id:uuid}/reject"): staff(),
    ("GET", "/coordinator/records"): staff(),
    ("GET", "/coordinator/referrals"): staff(),
    ("GET", "/coordinator/referrals/{referral_id:uuid}"): staff(),
    ("POST", "/coordinator/referrals/{referral_id:uuid}/move"): staff(),
    ("GET", "/coordinator/staff"): staff(),
    ("POST", "/coordinator/staff"): staff(),
    ("POST", "/coordinator/staff/{staff_id:uuid}/active"): staff(),
    ("POST", "/coordinator/staff/{staff_id:uuid}/password-link"): staff(),
    ("POST", "/coordinator/staff/{staff_id:uuid}/reset-totp"): staff(),
    ("POST", "/coordinator/staff/{staff_id:uuid}/role"): staff(),
}

POST_DATA: dict[str, dict[str, str]] = {
    "/status/{token:str}/members/{member_id:uuid}": {"decision": "deny"},
    "/status/{token:str}/referrals/{referral_id:uuid}/contact": {"decision": "grant"},
    "/coordinator/staff/{staff_id:uuid}/role": {"role": "observer"},
    "/coordinator/staff/{staff_id:uuid}/active": {"active": "0"},
    "/coordinator/profiles/{profile_id:uuid}/merge": {"other_id": "{other_profile}"},
}
"""Form fields a POST needs to get past its validation to the lookup (all others get the CSRF token only);
``{name}`` is filled from the world."""

SESSION_ENDING = (
    "/portal/member/leave",
    "/status/{token:str}/withdraw",
    "/status/{token:str}/delete",
    "/coordinator/logout",
    "/portal/logout",
)
"""POSTs that end the caller's session or link; they run last in a role's walk."""

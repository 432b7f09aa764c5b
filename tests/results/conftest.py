"""Results fixtures: a small network with hand-computed figures, and an observer login.

The coordinator fixtures (``staff_user``, ``logged_in_client``) and helpers come from ``tests.coordinator.conftest``;
every login goes through its ``login`` helper, so the tests follow whatever the login form needs (second factor).

The network (all times UTC, at noon unless noted, so no Berlin day boundary is near):

Members: A "Alpha & Söhne <Technik>" (Maschinenbau), B "Beta Pflege gGmbH" (Pflege), C "Gamma Werke AG" (Maschinenbau).

Profiles (created → approved → placed, days approval→hire):
  P1 partner, recruited by A, 2025-01-05 → 01-10 → placed 03-12 (61 days), hired by C
  P2 partner, recruited by B, 2025-02-01 → 02-03 → placed 04-14 (70 days), hired by B
  P3 job-to-job, released by C, 2025-02-10 → 02-12 → placed 03-24 (40 days), hired by A
  P4 partner, recruited by A, 2025-03-01 → 03-02, approved
  P5 partner, no member, 2025-06-01, confirmed
  P6 partner, no member, 2025-06-02, unconfirmed (counted, never listed)

Circulations (sent → answers, days after sending):
  C1 P1 2025-01-11: A no_fit 1.0, B interested 2.0, C interested 0.5
  C2 P2 2025-02-04: A none, B interested 3.0, C no_fit 4.0
  C3 P3 2025-02-13: A interested 1.5, B none
  C4 P4 2025-03-03: B interested 5.0, C none
  → 4 rounds, 10 recipients, 7 answers (70 %), 5 interested; median answer time 2.0 days
  → A 2/3 (median 1.25), B 3/4 (median 3.0, 3 interested), C 2/3 (median 2.25)

Referrals (opened; events):
  R1 P1×B 2025-01-13: interested, in_contact, closed (employer declined)      reached 2
  R2 P1×C 2025-01-11 (+0.5 d): interested … offer, hired 03-12                  reached 5
  R3 P2×B 2025-02-07: interested, hired (the coordinator jumped)               reached 5
  R4 P3×A 2025-02-15: interested … offer, hired 03-24                          reached 5
  R5 P4×B 2025-03-08: interested, in_contact, interview                         reached 3
  → funnel 5, 5, 4, 3, 3; now: interview 1, hired 3, closed 1
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.circulation.models import Answer, Circulation, CirculationRecipient
from jobfuerzwei.employers.models import Member
from jobfuerzwei.profiles.models import Profile, ProfileKind, ProfileStatus
from jobfuerzwei.referrals.models import Actor, CloseReason, Referral, ReferralEvent, ReferralState, stage_of
from jobfuerzwei.staff.models import StaffRole
from jobfuerzwei.staff.services import create_staff
from tests.coordinator.conftest import (
    STAFF_EMAIL,
    STAFF_PASSWORD,
    logged_in_client,
    login,
    make_member,
    make_profile,
    post_form,
    staff_user,
)

__all__ = [
    "OBSERVER_EMAIL",
    "OBSERVER_PASSWORD",
    "STAFF_EMAIL",
    "STAFF_PASSWORD",
    "Network",
    "at",
    "logged_in_client",
    "login",
    "make_member",
    "make_profile",
    "network",
    "observer_client",
    "observer_user",
    "post_form",
    "staff_user",
]

OBSERVER_EMAIL = "beobachtung@arbeitsagentur.example"
OBSERVER_PASSWORD = "auch-ein-langes-passwort"


def at(day: str, hour: float = 12.0) -> dt.datetime:
    """``2025-01-11`` at ``hour`` (UTC)."""
    return dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC) + dt.timedelta(hours=hour)


@pytest.fixture
async def observer_user(db_session: AsyncSession) -> UUID:
    """A committed read-only observer account."""
    user = await create_staff(db_session, OBSERVER_EMAIL, OBSERVER_PASSWORD, name="Agentur für Arbeit")
    user.role = StaffRole.OBSERVER
    await db_session.commit()
    return user.id


@pytest.fixture
async def observer_client(client: AsyncTestClient[Litestar], observer_user: UUID) -> AsyncTestClient[Litestar]:
    """The ``client`` logged in as the observer (through the real login)."""
    response: httpx.Response = await login(client, OBSERVER_EMAIL, OBSERVER_PASSWORD)
    assert response.status_code == 303, response.text
    return client


@dataclass
class Network:
    """The fixture network's rows by short name (see the module docstring)."""

    members: dict[str, Member] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    referrals: dict[str, Referral] = field(default_factory=dict)


async def _profile(session: AsyncSession, created: str, **values: Any) -> Profile:
    created_at = at(created)
    fields: dict[str, Any] = {"created_at": created_at, "updated_at": created_at, "confirmed_at": created_at}
    return await make_profile(session, **{**fields, **values})


def _circulate(
    session: AsyncSession, profile: Profile, sent: str, answers: list[tuple[Member, Answer | None, float]]
) -> None:
    sent_at = at(sent)
    circulation = Circulation(
        profile_id=profile.id, recipient_count=len(answers), created_at=sent_at, updated_at=sent_at
    )
    session.add(circulation)
    for member, answer, days in answers:
        session.add(
            CirculationRecipient(
                circulation=circulation,
                profile_id=profile.id,
                member_id=member.id,
                score=80.0,
                answer=answer,
                answered_at=sent_at + dt.timedelta(days=days) if answer else None,
                created_at=sent_at,
                updated_at=sent_at,
            )
        )


def _refer(
    session: AsyncSession,
    profile: Profile,
    member: Member,
    steps: list[tuple[ReferralState, dt.datetime]],
    close_reason: CloseReason | None = None,
) -> Referral:
    opened, last = steps[0][1], steps[-1][1]
    referral = Referral(
        profile_id=profile.id,
        member_id=member.id,
        state=steps[-1][0],
        reached_stage=max(1, *(stage_of(state) for state, _ in steps)),
        close_reason=close_reason,
        created_at=opened,
        updated_at=last,
        events=[],
    )
    previous: ReferralState | None = None
    for state, when in steps:
        referral.events.append(
            ReferralEvent(
                from_state=previous,
                to_state=state,
                actor=Actor.COORDINATOR,
                note="Interne Notiz: Frau Muster angerufen",
                close_reason=close_reason if state == ReferralState.CLOSED else None,
                created_at=when,
                updated_at=when,
            )
        )
        previous = state
    session.add(referral)
    return referral


@pytest.fixture
async def network(db_session: AsyncSession) -> Network:
    """The committed fixture network."""
    s = db_session
    net = Network()
    a = await make_member(s, "Alpha & Söhne <Technik>", sector="Maschinenbau", email="personal@alpha.example")
    b = await make_member(s, "Beta Pflege gGmbH", sector="Pflege", email="bewerbung@beta.example")
    c = await make_member(s, "Gamma Werke AG", sector="Maschinenbau", email="hr@gamma.example")
    net.members = {"A": a, "B": b, "C": c}
    placed, approved = ProfileStatus.PLACED, ProfileStatus.APPROVED
    p1 = await _profile(
        s,
        "2025-01-05",
        status=placed,
        recruiting_member_id=a.id,
        approved_at=at("2025-01-10"),
        placed_at=at("2025-03-12"),
        partner_name="Paula Eins",
        partner_email="paula@example.org",
        partner_phone="0711 111",
        occupations=["Industriemechanikerin"],
        residence="Jena",
        work_municipalities=["Aalen"],
        notes="Vertraulich: Umzug wegen Krankheit",
    )
    p2 = await _profile(
        s,
        "2025-02-01",
        status=placed,
        recruiting_member_id=b.id,
        approved_at=at("2025-02-03"),
        placed_at=at("2025-04-14"),
        occupations=["Pflegefachmann"],
        residence="Leipzig",
    )
    p3 = await _profile(
        s,
        "2025-02-10",
        status=placed,
        kind=ProfileKind.JOB_TO_JOB,
        releasing_member_id=c.id,
        approved_at=at("2025-02-12"),
        placed_at=at("2025-03-24"),
        occupations=["Elektroniker"],
        residence="Heidenheim",
    )
    p4 = await _profile(
        s,
        "2025-03-01",
        status=approved,
        recruiting_member_id=a.id,
        approved_at=at("2025-03-02"),
        occupations=['=HYPERLINK("http://evil.example","klick")'],
        residence="+49 Dorf",
    )
    p5 = await _profile(s, "2025-06-01", status=ProfileStatus.CONFIRMED, occupations=["Erzieherin"])
    p6 = await _profile(
        s,
        "2025-06-02",
        status=ProfileStatus.UNCONFIRMED,
        confirmed_at=None,
        occupations=["Geheim"],
        partner_name="Ungefragt Unbestätigt",
    )
    net.profiles = {"P1": p1, "P2": p2, "P3": p3, "P4": p4, "P5": p5, "P6": p6}

    yes, no = Answer.INTERESTED, Answer.NO_FIT
    _circulate(s, p1, "2025-01-11", [(a, no, 1.0), (b, yes, 2.0), (c, yes, 0.5)])
    _circulate(s, p2, "2025-02-04", [(a, None, 0), (b, yes, 3.0), (c, no, 4.0)])
    _circulate(s, p3, "2025-02-13", [(a, yes, 1.5), (b, None, 0)])
    _circulate(s, p4, "2025-03-03", [(b, yes, 5.0), (c, None, 0)])

    st = ReferralState
    net.referrals["R1"] = _refer(
        s,
        p1,
        b,
        [(st.INTERESTED, at("2025-01-13")), (st.IN_CONTACT, at("2025-01-20")), (st.CLOSED, at("2025-02-01"))],
        CloseReason.EMPLOYER_DECLINED,
    )
    net.referrals["R2"] = _refer(
        s,
        p1,
        c,
        [
            (st.INTERESTED, at("2025-01-12", 0)),
            (st.IN_CONTACT, at("2025-01-15")),
            (st.INTERVIEW, at("2025-02-01")),
            (st.OFFER, at("2025-03-01")),
            (st.HIRED, at("2025-03-12")),
        ],
    )
    net.referrals["R3"] = _refer(s, p2, b, [(st.INTERESTED, at("2025-02-07")), (st.HIRED, at("2025-04-14"))])
    net.referrals["R4"] = _refer(
        s,
        p3,
        a,
        [
            (st.INTERESTED, at("2025-02-15", 0)),
            (st.IN_CONTACT, at("2025-02-20")),
            (st.INTERVIEW, at("2025-03-01")),
            (st.OFFER, at("2025-03-10")),
            (st.HIRED, at("2025-03-24")),
        ],
    )
    net.referrals["R5"] = _refer(
        s,
        p4,
        b,
        [(st.INTERESTED, at("2025-03-08")), (st.IN_CONTACT, at("2025-03-10")), (st.INTERVIEW, at("2025-03-20"))],
    )
    await s.commit()
    return net

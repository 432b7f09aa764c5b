"""Demo network: members, partner profiles and offers from ``fixtures/*.json``, loaded into an empty database.

The embedded default calls ``load_demo`` on every start; it loads only when the members table is empty, so a
second start (or a database with real members) loads nothing. Models are written directly, in one transaction,
and every time in the fixtures is relative to the moment of loading, so the demo always looks current.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import mailbox
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.models import (
    Actor,
    Answer,
    Circulation,
    CirculationRecipient,
    CloseReason,
    Consent,
    ConsentKind,
    ContactRelease,
    LinkToken,
    Member,
    MemberContact,
    OutboxMessage,
    OutboxStatus,
    Position,
    Profile,
    ProfileKind,
    ProfilePermission,
    ProfileStatus,
    Qualification,
    Referral,
    ReferralEvent,
    ReferralState,
    StaffUser,
    TokenPurpose,
    WorkingTime,
)
from jobfuerzwei.events.fixtures import demo_events, read_events
from jobfuerzwei.mail.messages import build_mime, new_message_id
from jobfuerzwei.offers.fixtures import demo_offers, read_offers
from jobfuerzwei.referrals.models import stage_of
from jobfuerzwei.tokens.services import hash_token

log = logging.getLogger("jobfuerzwei.demo")

FIXTURES_DIR = Path(__file__).resolve().parents[1] / "fixtures"


class FixtureError(ValueError):
    """The demo fixtures contradict themselves (e.g. a circulation to a member the partner excluded)."""


def read_fixtures(directory: Path = FIXTURES_DIR) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The raw member and profile records of the demo network."""
    members = json.loads((directory / "members.json").read_text(encoding="utf-8"))["members"]
    profiles = json.loads((directory / "profiles.json").read_text(encoding="utf-8"))["profiles"]
    return members, profiles


async def load_demo(session_maker: async_sessionmaker[AsyncSession], settings: Settings) -> bool:
    """Load the demo network in one transaction if the members table is empty; ``True`` when something was loaded."""
    members, profiles = read_fixtures()
    async with session_maker() as session, session.begin():
        if await session.scalar(select(func.count()).select_from(Member)):
            return False
        staff_id = await session.scalar(select(StaffUser.id).order_by(StaffUser.created_at).limit(1))
        loader = _Loader(settings, utcnow(), staff_id)
        loader.add_members(members)
        for data in sorted(profiles, key=lambda p: int(p["number"])):
            loader.add_profile(data)
        loader.link_merged(profiles)
        # Rows carry their foreign keys as plain ids (no relationships), so the unit of work cannot order the
        # inserts by itself: add them table by table, parents first.
        for model in _INSERT_ORDER:
            session.add_all(loader.rows.pop(model, []))
            await session.flush()
        if loader.rows:
            raise FixtureError(f"no insert order for {sorted(m.__name__ for m in loader.rows)}")
        contacts = {c.email: c for c in await session.scalars(select(MemberContact))}
        session.add_all(demo_offers(read_offers(), loader.members, contacts, loader.now))
        domain = settings.mail.message_id_domain
        session.add_all(demo_events(read_events(), loader.members, contacts, loader.now, domain))
    if settings.mail.dev_sink and loader.sent_mails:
        _copy_to_sink(settings.sink_dir, loader.sent_mails)
    log.info("demo network loaded: %d members, %d profiles", len(members), len(profiles))
    return True


def _copy_to_sink(directory: Path, mails: list[bytes]) -> None:
    # The demo's "already sent" mails also appear on the coordinator's mail page, so their links can be tried.
    # Maildir creates its tmp/new/cur folders only when it creates the folder itself.
    for sub in ("tmp", "new", "cur"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(directory, create=False)
    for raw in mails:
        box.add(raw)


@dataclass
class _Loader:
    settings: Settings
    now: dt.datetime
    staff_id: UUID | None
    members: dict[str, Member] = field(default_factory=dict)
    contact_emails: dict[str, list[str]] = field(default_factory=dict)
    profiles: dict[int, Profile] = field(default_factory=dict)
    sent_mails: list[bytes] = field(default_factory=list)
    event_times: list[dt.datetime] = field(default_factory=list)
    """Moments of the profile being loaded, for its ``last_activity_at``."""
    rows: dict[type[Any], list[Any]] = field(default_factory=dict)
    """New rows by model, inserted table by table in ``_INSERT_ORDER``."""

    def ago(self, days: float | None) -> dt.datetime:
        """A moment ``days`` before loading."""
        return self.now - dt.timedelta(days=days or 0)

    def in_days(self, days: int | None) -> dt.date | None:
        """A date ``days`` after loading (negative: in the past), or none."""
        return None if days is None else (self.now + dt.timedelta(days=days)).date()

    def member(self, name: str) -> Member:
        """Member by name; a typo in the fixtures fails loudly."""
        try:
            return self.members[name]
        except KeyError:
            raise FixtureError(f"unknown member {name!r} in the demo fixtures") from None

    def add(self, row: Any, at: dt.datetime) -> None:
        """Collect a row, back-dated to ``at``."""
        row.created_at = at
        row.updated_at = at
        self.rows.setdefault(type(row), []).append(row)

    def add_members(self, records: list[dict[str, Any]]) -> None:
        """Members and their contacts."""
        for data in records:
            joined = self.ago(data["joined_days_ago"])
            member = Member(
                id=uuid4(),
                name=data["name"],
                sector=data["sector"],
                municipality=data["municipality"],
                postcode=data["postcode"],
                interests="\n".join(data["interests"]),
                is_active=data.get("is_active", True),
                joined_at=joined,
            )
            self.add(member, joined)
            for item in data["open_positions"]:
                spec: dict[str, Any] = {"title": item} if isinstance(item, str) else item
                position = Position(
                    member_id=member.id,
                    title=spec["title"],
                    skills=spec.get("skills", []),
                    languages=spec.get("languages", []),
                    working_time=spec.get("working_time", "either"),
                    start_date=self.in_days(spec.get("start_in_days")),
                    postcode=spec.get("postcode", member.postcode),
                    municipality=spec.get("municipality", member.municipality),
                    is_open=True,
                )
                self.add(position, joined)
            for contact in data["contacts"]:
                self.add(MemberContact(member_id=member.id, email=contact["email"], name=contact["name"]), joined)
            self.members[member.name] = member
            self.contact_emails[member.name] = [c["email"] for c in data["contacts"]]

    def add_profile(self, data: dict[str, Any]) -> None:
        """A profile with its consents, permissions, circulations, referrals and mails."""
        status = ProfileStatus(data["status"])
        registered = self.ago(data["registered_days_ago"])
        confirmed = self.ago(data["confirmed_days_ago"]) if "confirmed_days_ago" in data else None
        if (confirmed is None) != (status == ProfileStatus.UNCONFIRMED):
            raise FixtureError(f"profile {data['number']}: only unconfirmed profiles lack confirmed_days_ago")
        recruiting = data.get("recruiting_member")
        profile = Profile(
            id=uuid4(),
            number=int(data["number"]),
            kind=ProfileKind(data.get("kind", ProfileKind.PARTNER)),
            status=status,
            applicant_name=data["applicant_name"],
            applicant_email=data["applicant_email"],
            recruiting_member_id=self.member(recruiting).id if recruiting else None,
            partner_name=data["partner_name"],
            partner_email=data["partner_email"],
            partner_phone=data.get("partner_phone", ""),
            residence=data["residence"],
            move_date=self.in_days(data.get("move_in_days")),
            occupations=data["occupations"],
            qualification=Qualification(data["qualification"]),
            experience_years=data["experience_years"],
            summary=data["summary"],
            skills=data["skills"],
            languages=data["languages"],
            working_time=WorkingTime(data["working_time"]),
            earliest_start=self.in_days(data.get("start_in_days")),
            work_municipalities=data.get("work_municipalities", []),
            work_postcode=data.get("work_postcode", ""),
            work_radius_km=data.get("work_radius_km"),
            notes=data.get("notes", ""),
            cv_file=None,
            cv_size=None,
            applicant_consented_at=registered,
            confirmed_at=confirmed,
            approved_at=self.ago(data["approved_days_ago"]) if "approved_days_ago" in data else None,
            rejected_reason=data.get("rejected_reason", ""),
            placed_at=self.ago(data["placed_days_ago"]) if "placed_days_ago" in data else None,
            last_activity_at=registered,
        )
        self.add(profile, registered)
        self.profiles[profile.number] = profile
        self.event_times = []
        self.add(
            Consent(
                profile_id=profile.id,
                kind=ConsentKind.APPLICANT,
                text_version=self.settings.privacy_version,
                recipients=[],
                given_at=registered,
            ),
            registered,
        )
        allowed = self._permissions(profile, data, confirmed)
        recipients = self._circulations(profile, data, allowed)
        self._referrals(profile, data, recipients)
        self._mails(profile, data, recipients)
        times = [profile.created_at, confirmed, profile.approved_at, profile.placed_at, *self.event_times]
        profile.last_activity_at = max(t for t in times if t is not None)
        profile.updated_at = profile.last_activity_at

    def _permissions(self, profile: Profile, data: dict[str, Any], confirmed: dt.datetime | None) -> set[str]:
        """The partner's decisions per member and the consent records; returns the names of allowed members."""
        if confirmed is None:
            return set()
        excluded = set(data.get("excluded", []))
        for name in excluded:
            self.member(name)
        shown = [m for m in self.members.values() if m.is_active and m.joined_at <= confirmed]
        allowed = {m.name for m in shown if m.name not in excluded}
        for member in shown:
            self.add(
                ProfilePermission(
                    profile_id=profile.id, member_id=member.id, is_allowed=member.name in allowed, decided_at=confirmed
                ),
                confirmed,
            )
        self.add(
            Consent(
                profile_id=profile.id,
                kind=ConsentKind.PARTNER,
                text_version=self.settings.privacy_version,
                recipients=[{"id": str(m.id), "name": m.name} for m in shown if m.name in allowed],
                given_at=confirmed,
            ),
            confirmed,
        )
        for later in data.get("member_added", []):
            member = self.member(later["member"])
            decided = self.ago(later["days_ago"])
            if member.joined_at <= confirmed or decided < member.joined_at:
                raise FixtureError(f"profile {profile.number}: {member.name} did not join after the confirmation")
            self.add(
                ProfilePermission(
                    profile_id=profile.id, member_id=member.id, is_allowed=later["allowed"], decided_at=decided
                ),
                decided,
            )
            if later["allowed"]:
                allowed.add(member.name)
                self.add(
                    Consent(
                        profile_id=profile.id,
                        kind=ConsentKind.MEMBER_ADDED,
                        text_version=self.settings.privacy_version,
                        recipients=[{"id": str(member.id), "name": member.name}],
                        given_at=decided,
                    ),
                    decided,
                )
            self.event_times.append(decided)
        return allowed

    def _circulations(
        self, profile: Profile, data: dict[str, Any], allowed: set[str]
    ) -> dict[str, CirculationRecipient]:
        """Sending rounds; a member receives a profile only if the partner allowed it, and at most once."""
        recipients: dict[str, CirculationRecipient] = {}
        for round_ in data.get("circulations", []):
            sent = self.ago(round_["days_ago"])
            if profile.approved_at is None or sent < profile.approved_at:
                raise FixtureError(f"profile {profile.number}: circulated before it was approved")
            circulation = Circulation(
                id=uuid4(), profile_id=profile.id, staff_id=self.staff_id, recipient_count=len(round_["recipients"])
            )
            self.add(circulation, sent)
            self.event_times.append(sent)
            for item in round_["recipients"]:
                member = self.member(item["member"])
                if member.name not in allowed or member.name in recipients:
                    raise FixtureError(f"profile {profile.number}: {member.name} may not receive it (again)")
                answer = Answer(item["answer"]) if item.get("answer") else None
                answered = self.ago(item["answered_days_ago"]) if answer else None
                recipient = CirculationRecipient(
                    id=uuid4(),
                    circulation_id=circulation.id,
                    profile_id=profile.id,
                    member_id=member.id,
                    score=float(item["score"]),
                    matched_terms=item["terms"],
                    answer=answer,
                    answered_at=answered,
                )
                self.add(recipient, sent)
                recipients[member.name] = recipient
                for address in self.contact_emails[member.name]:
                    # the delivery log of the round (progress "sent" on the overview); the demo keeps no body
                    note = "Demodaten: beim Laden der Demodaten als versendet eingetragen."
                    delivered = OutboxMessage(
                        message_id=new_message_id(self.settings.mail.message_id_domain),
                        template="profile_circulated",
                        batch_id=circulation.id,
                        profile_id=profile.id,
                        to_addr=address,
                        subject=f"Neues Profil {profile.reference} aus dem Netzwerk Job für Zwei",
                        body_text=note,
                        body_html=f"<p>{note}</p>",
                        headers="",
                        status=OutboxStatus.SENT,
                        attempts=1,
                        next_attempt_at=sent,
                        sent_at=sent,
                    )
                    self.add(delivered, sent)
                if answered is not None:
                    self.event_times.append(answered)
        return recipients

    def _referrals(self, profile: Profile, data: dict[str, Any], recipients: dict[str, CirculationRecipient]) -> None:
        """Referrals with their full history; the state is the last event's target."""
        for item in data.get("referrals", []):
            member = self.member(item["member"])
            recipient = recipients.get(member.name)
            if recipient is None or recipient.answer != Answer.INTERESTED:
                raise FixtureError(f"profile {profile.number}: {member.name} did not answer 'Interesse'")
            events = item["events"]
            if not events or events[0]["to"] != ReferralState.INTERESTED:
                raise FixtureError(f"profile {profile.number}: a referral starts as 'interested'")
            release = ContactRelease(item.get("contact_release", ContactRelease.PENDING))
            released = self.ago(item["released_days_ago"]) if release == ContactRelease.GRANTED else None
            last = events[-1]
            referral = Referral(
                id=uuid4(),
                profile_id=profile.id,
                member_id=member.id,
                recipient_id=recipient.id,
                state=ReferralState(last["to"]),
                reached_stage=max(1, *(stage_of(ReferralState(e["to"])) for e in events)),
                close_reason=CloseReason(last["close_reason"]) if last.get("close_reason") else None,
                contact_release=release,
                contact_released_at=released,
            )
            start = self.ago(events[0]["days_ago"])
            self.add(referral, start)
            previous: ReferralState | None = None
            for step, event in enumerate(events):
                # Same-day steps keep their order: one minute apart.
                at = self.ago(event["days_ago"]) + dt.timedelta(minutes=step)
                to_state = ReferralState(event["to"])
                self.add(
                    ReferralEvent(
                        referral_id=referral.id,
                        from_state=previous,
                        to_state=to_state,
                        close_reason=CloseReason(event["close_reason"]) if event.get("close_reason") else None,
                        actor=Actor(event["actor"]),
                        note=event.get("note", ""),
                    ),
                    at,
                )
                previous = to_state
                self.event_times.append(at)
            referral.updated_at = self.event_times[-1]
            if referral.state == ReferralState.HIRED and profile.status != ProfileStatus.PLACED:
                raise FixtureError(f"profile {profile.number}: a hire marks the profile placed")
            if released is not None:
                self.add(
                    Consent(
                        profile_id=profile.id,
                        kind=ConsentKind.CONTACT_RELEASE,
                        text_version=self.settings.privacy_version,
                        recipients=[{"id": str(member.id), "name": member.name}],
                        given_at=released,
                    ),
                    released,
                )
                self.event_times.append(released)

    def _mails(self, profile: Profile, data: dict[str, Any], recipients: dict[str, CirculationRecipient]) -> None:
        """Mails already sent, with live links (tokens) so a newcomer can follow them."""
        for item in data.get("mails", []):
            at = self.ago(item["days_ago"])
            links = {"reference": profile.reference, "base_url": self.settings.base_url}
            text: str = item["text"]
            if "{confirm_url}" in text:
                links["confirm_url"] = self._link("confirm", TokenPurpose.CONFIRM, profile, at)
            if "{status_url}" in text:
                links["status_url"] = self._link("status", TokenPurpose.STATUS, profile, at)
            target: str = item["to"]
            if target.startswith("member:"):
                member = self.member(target.removeprefix("member:"))
                recipient = recipients.get(member.name)
                if recipient is None:
                    raise FixtureError(f"profile {profile.number}: no circulation to {member.name}")
                links["employer_url"] = self._link("e", TokenPurpose.EMPLOYER, profile, at, recipient.id)
                to_addr = self.contact_emails[member.name][0]
            else:
                to_addr = profile.partner_email if target == "partner" else profile.applicant_email
            subject = item["subject"].format_map(links)
            body = text.format_map(links)
            row = OutboxMessage(
                message_id=new_message_id(self.settings.mail.message_id_domain),
                template=item["template"],
                profile_id=profile.id,
                to_addr=to_addr,
                subject=subject,
                body_text=body,
                body_html=_text_to_html(body),
                headers="",
                status=OutboxStatus.SENT,
                attempts=1,
                next_attempt_at=at,
                sent_at=at,
            )
            self.add(row, at)
            self.sent_mails.append(
                build_mime(
                    sender=self.settings.mail.sender,
                    to=to_addr,
                    subject=subject,
                    text=body,
                    html=row.body_html,
                    message_id=row.message_id,
                    date=at,
                    reply_to=self.settings.mail.reply_to,
                )
            )

    def _link(
        self, path: str, purpose: TokenPurpose, profile: Profile, at: dt.datetime, recipient_id: UUID | None = None
    ) -> str:
        days = {
            TokenPurpose.CONFIRM: self.settings.security.confirm_token_days,
            TokenPurpose.STATUS: self.settings.security.status_token_days,
            TokenPurpose.EMPLOYER: self.settings.security.employer_token_days,
        }[purpose]
        token = secrets.token_urlsafe(32)
        self.add(
            LinkToken(
                token_hash=hash_token(token),
                purpose=purpose,
                profile_id=profile.id,
                recipient_id=recipient_id,
                expires_at=at + dt.timedelta(days=days),
            ),
            at,
        )
        return f"{self.settings.base_url}/{path}/{token}"

    def link_merged(self, records: list[dict[str, Any]]) -> None:
        """Point merged duplicates at the profile they were folded into (after both rows exist)."""
        for data in records:
            if data["status"] != ProfileStatus.MERGED:
                continue
            target = self.profiles.get(int(data.get("merged_into") or 0))
            if target is None:
                raise FixtureError(f"profile {data['number']}: merged_into must name another demo profile")
            profile = self.profiles[int(data["number"])]
            profile.merged_into_id = target.id
            profile.updated_at = profile.last_activity_at


_INSERT_ORDER: tuple[type[Any], ...] = (
    Member,
    MemberContact,
    Position,
    Profile,
    Consent,
    ProfilePermission,
    Circulation,
    CirculationRecipient,
    Referral,
    ReferralEvent,
    LinkToken,
    OutboxMessage,
)

_URL = re.compile(r"https?://[^\s<>\"]+")


def _text_to_html(text: str) -> str:
    """A plain HTML rendering of a text mail: paragraphs, line breaks and clickable links."""
    paragraphs = []
    for block in text.split("\n\n"):
        escaped = html.escape(block)
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return '<!doctype html>\n<html lang="de"><body>\n' + "\n".join(paragraphs) + "\n</body></html>\n"

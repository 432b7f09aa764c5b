"""Partner profiles, their consents and the partner's per-member permissions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jobfuerzwei.db.base import DateTimeUTC, UUIDAuditBase
from jobfuerzwei.matching.codes import best_uris
from jobfuerzwei.profiles.matchkeys import normalize_email, normalize_phone, normalize_place


class ProfileStatus(StrEnum):
    """Where a profile stands."""

    UNCONFIRMED = "unconfirmed"
    """Registered; the partner has not yet consented. Nobody but the system sees it."""
    CONFIRMED = "confirmed"
    """The partner consented; waiting for the coordinator's review."""
    APPROVED = "approved"
    """Released by the coordinator; may be circulated."""
    REJECTED = "rejected"
    PAUSED = "paused"
    WITHDRAWN = "withdrawn"
    PLACED = "placed"
    MERGED = "merged"
    """Folded into another profile (duplicate)."""


class ProfileKind(StrEnum):
    """Partner of a recruit (Job für Zwei) or an employee offered by a releasing member (Jobdrehscheibe)."""

    PARTNER = "partner"
    JOB_TO_JOB = "job_to_job"


class Qualification(StrEnum):
    """Highest qualification."""

    NONE = "none"
    APPRENTICESHIP = "apprenticeship"
    MASTER_CRAFTSMAN = "master_craftsman"
    TECHNICIAN = "technician"
    BACHELOR = "bachelor"
    MASTER = "master"
    DOCTORATE = "doctorate"
    OTHER = "other"


class WorkingTime(StrEnum):
    """Wanted working time."""

    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    EITHER = "either"


class Profile(UUIDAuditBase):
    """A partner's profile as registered by the applicant and confirmed by the partner."""

    __tablename__ = "profiles"

    number: Mapped[int] = mapped_column(Integer, unique=True)
    """Public profile number shown to employers instead of the name (``JFZ-0042``)."""
    kind: Mapped[ProfileKind] = mapped_column(String(20), default=ProfileKind.PARTNER, index=True)
    status: Mapped[ProfileStatus] = mapped_column(String(20), default=ProfileStatus.UNCONFIRMED, index=True)
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_email: Mapped[str] = mapped_column(String(254))
    recruiting_member_id: Mapped[UUID | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    releasing_member_id: Mapped[UUID | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    """Job-to-job profiles: the member that must let the person go. It never receives the profile."""
    partner_name: Mapped[str] = mapped_column(String(200))
    partner_email: Mapped[str] = mapped_column(String(254), index=True)
    partner_phone: Mapped[str] = mapped_column(String(40), default="")
    residence: Mapped[str] = mapped_column(String(200))
    move_date: Mapped[dt.date | None] = mapped_column(Date)
    occupations: Mapped[list[str]] = mapped_column(JSON, default=list)
    occupation_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    """ESCO URI per desired occupation ("" where the classifier found none), same order as ``occupations``."""
    qualification: Mapped[Qualification] = mapped_column(String(30))
    experience_years: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text, default="")
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    """``[{"language": "Deutsch", "level": "C1"}, ...]`` with CEFR levels A1-C2 (or "Muttersprache")."""
    working_time: Mapped[WorkingTime] = mapped_column(String(20))
    earliest_start: Mapped[dt.date | None] = mapped_column(Date)
    work_municipalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    work_postcode: Mapped[str] = mapped_column(String(10), default="")
    work_radius_km: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    cv_file: Mapped[str | None] = mapped_column(String(80))
    """Generated file name under the upload folder; never the name the applicant uploaded."""
    cv_size: Mapped[int | None] = mapped_column(Integer)
    applicant_consented_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    rejected_reason: Mapped[str] = mapped_column(Text, default="")
    placed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    merged_into_id: Mapped[UUID | None] = mapped_column(ForeignKey("profiles.id", ondelete="SET NULL"))
    last_activity_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    """The partner's, the coordinator's or an employer's last step with the profile; starts the retention clock."""
    retention_asked_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    """When the partner was last asked whether to keep the profile; an answer of this cycle when not before
    ``last_activity_at`` (see ``dataprotection.retention``)."""
    language: Mapped[str] = mapped_column(String(5), default="de", server_default="de")
    """Language of the mails the partner gets (``i18n.LANGUAGES``):
    the language of the registration form, changeable on the status page."""
    email_key: Mapped[str] = mapped_column(String(254), default="", server_default="", index=True)
    """``partner_email`` as duplicate detection compares it (``profiles.matchkeys``); set on every flush."""
    phone_key: Mapped[str] = mapped_column(String(40), default="", server_default="", index=True)
    """``partner_phone`` as duplicate detection compares it; empty when too short to compare."""
    place_key: Mapped[str] = mapped_column(String(200), default="", server_default="", index=True)
    """``residence`` as duplicate detection compares it."""

    permissions: Mapped[list[ProfilePermission]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", lazy="selectin"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", lazy="selectin", order_by="Consent.given_at"
    )

    @property
    def reference(self) -> str:
        """Profile number as shown to employers."""
        return f"JFZ-{self.number:04d}"

    @property
    def is_circulable(self) -> bool:
        """Only approved profiles go out to members."""
        return self.status == ProfileStatus.APPROVED

    def allowed_member_ids(self) -> set[UUID]:
        """Members the partner agreed may receive the profile."""
        return {p.member_id for p in self.permissions if p.is_allowed}


class ProfilePermission(UUIDAuditBase):
    """The partner's decision for one member: may it receive the profile? No row means not asked yet."""

    __tablename__ = "profile_permissions"
    __table_args__ = (UniqueConstraint("profile_id", "member_id"),)

    profile_id: Mapped[UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[UUID] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    is_allowed: Mapped[bool] = mapped_column(Boolean)
    decided_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    profile: Mapped[Profile] = relationship(back_populates="permissions", lazy="raise")


class ConsentKind(StrEnum):
    """What a consent record covers."""

    APPLICANT = "applicant"
    """The applicant agreed to the processing of their own data."""
    PARTNER = "partner"
    """The partner's double opt-in, with the recipient list as consented."""
    MEMBER_ADDED = "member_added"
    """The partner later allowed a member that joined after the opt-in."""
    CONTACT_RELEASE = "contact_release"
    """The partner released name and contact details to one interested member."""


class Consent(UUIDAuditBase):
    """An immutable record of a consent: text version, recipients as consented, time."""

    __tablename__ = "consents"

    profile_id: Mapped[UUID] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ConsentKind] = mapped_column(String(30))
    text_version: Mapped[str] = mapped_column(String(20))
    recipients: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """``[{"id": "...", "name": "..."}]`` as shown to the partner at that moment."""
    given_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    profile: Mapped[Profile] = relationship(back_populates="consents", lazy="raise")


@event.listens_for(Profile.occupations, "set")
def _classify_occupations(target: Profile, value: list[str], _old: object, _initiator: object) -> None:
    """Desired occupations are classified whenever they are set (forms, demo data, merges)."""
    target.occupation_uris = best_uris(list(value or []))


@event.listens_for(Profile, "before_insert")
@event.listens_for(Profile, "before_update")
def _set_match_keys(_mapper: object, _connection: object, target: Profile) -> None:
    """Keep the duplicate-detection keys in step with the partner's email, phone and residence."""
    target.email_key = normalize_email(target.partner_email or "")
    target.phone_key = normalize_phone(target.partner_phone or "")
    target.place_key = normalize_place(target.residence or "")

"""The filter of the results (period, member sector, profile type) and the SQL conditions it means per figure.

- profiles: registered in the period; sector of the recruiting member (partner profiles) or of the releasing member
  (job-to-job profiles);
- circulations, answers: profile sent in the period; sector of the receiving member;
- referrals: interest shown in the period; sector of the interested member;
- placements: placed in the period; sector of the hiring member.

Period dates are calendar days in Berlin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.circulation.models import Circulation, CirculationRecipient
from jobfuerzwei.employers.models import Member
from jobfuerzwei.i18n import format_date
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.profiles.models import Profile, ProfileKind
from jobfuerzwei.referrals.models import Referral, ReferralState

BERLIN = ZoneInfo("Europe/Berlin")
"""Period dates are calendar days in the network's time zone."""

FIRST_YEAR = 2000
LAST_YEAR = 2100


# --- filter -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """One selection of the figures; empty fields do not filter."""

    start: dt.date | None = None
    end: dt.date | None = None
    """Inclusive."""
    sector: str = ""
    kind: ProfileKind | None = None

    @classmethod
    def year(cls, year: int, *, sector: str = "", kind: ProfileKind | None = None) -> Filters:
        """The calendar year ``year``."""
        return cls(start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), sector=sector, kind=kind)

    @property
    def since(self) -> dt.datetime | None:
        """Start of the period as an aware UTC instant (midnight in Berlin)."""
        return _midnight(self.start) if self.start else None

    @property
    def until(self) -> dt.datetime | None:
        """End of the period, exclusive: midnight in Berlin after the last day."""
        return _midnight(self.end + dt.timedelta(days=1)) if self.end else None

    def query(self) -> dict[str, str]:
        """The filter as query parameters (for links to charts, lists and exports)."""
        values = {
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
            "sector": self.sector,
            "kind": self.kind.value if self.kind else "",
        }
        return {k: v for k, v in values.items() if v}

    def describe(self) -> str:
        """The filter in words of the current language, for chart descriptions, page headings and export headers."""
        parts = []
        if self.start and self.end:
            parts.append(_("%(start)s bis %(end)s") % {"start": format_date(self.start), "end": format_date(self.end)})
        elif self.start:
            parts.append(_("ab %(start)s") % {"start": format_date(self.start)})
        elif self.end:
            parts.append(_("bis %(end)s") % {"end": format_date(self.end)})
        else:
            parts.append(_("gesamter Zeitraum"))
        if self.sector:
            parts.append(_("Branche %(sector)s") % {"sector": self.sector})
        if self.kind is not None:
            parts.append(_("Partnerprofile") if self.kind == ProfileKind.PARTNER else _("Wechselprofile"))
        return ", ".join(parts)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=BERLIN).astimezone(dt.UTC)


def parse_date(text: str) -> dt.date:
    """``2026-03-01`` (a date field) or ``01.03.2026`` (typed); ``ValueError`` otherwise or outside 2000-2100."""
    text = text.strip()
    if "." in text:
        day, month, year = (int(p) for p in text.split("."))
        value = dt.date(year, month, day)
    else:
        value = dt.date.fromisoformat(text)
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(text)
    return value


def parse_filters(values: Mapping[str, str], sectors: Sequence[str]) -> tuple[Filters, dict[str, str]]:
    """The filter from query values (``from``, ``to``, ``sector``, ``kind``) and a message per bad field."""
    errors: dict[str, str] = {}
    dates: dict[str, dt.date | None] = {}
    for key in ("from", "to"):
        raw = values.get(key, "").strip()[:20]
        dates[key] = None
        if raw:
            try:
                dates[key] = parse_date(raw)
            except ValueError:
                errors[key] = _("Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ), zwischen 2000 und 2100.")
    start, end = dates["from"], dates["to"]
    if start and end and start > end:
        errors["to"] = _("Das Enddatum liegt vor dem Startdatum.")
    sector = values.get("sector", "").strip()
    if sector and sector not in sectors:
        errors["sector"] = _("Diese Branche gibt es unter den Mitgliedern nicht.")
    kind: ProfileKind | None = None
    raw_kind = values.get("kind", "").strip()
    if raw_kind:
        try:
            kind = ProfileKind(raw_kind)
        except ValueError:
            errors["kind"] = _("Unbekannte Profilart.")
    if errors:
        return Filters(), errors
    return Filters(start=start, end=end, sector=sector, kind=kind), {}


async def sectors(session: AsyncSession) -> list[str]:
    """The members' sectors, alphabetically (the choices of the sector filter)."""
    rows = await session.scalars(select(distinct(Member.sector)).where(Member.sector != "").order_by(Member.sector))
    return list(rows)


# --- conditions -------------------------------------------------------------------------------------------------


def _in_period(column: Any, f: Filters) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.since is not None:
        conds.append(column >= f.since)
    if f.until is not None:
        conds.append(column < f.until)
    return conds


def _sector_members(sector: str) -> Select[tuple[UUID]]:
    return select(Member.id).where(Member.sector == sector)


def _of_kind(profile_id: Any, f: Filters) -> list[ColumnElement[bool]]:
    if f.kind is None:
        return []
    return [profile_id.in_(select(Profile.id).where(Profile.kind == f.kind))]


def profile_conditions(f: Filters) -> list[ColumnElement[bool]]:
    """Profiles registered in the period, of the type, whose recruiting (or releasing) member is of the sector."""
    conds = _in_period(Profile.created_at, f)
    if f.kind is not None:
        conds.append(Profile.kind == f.kind)
    if f.sector:
        owner = func.coalesce(Profile.releasing_member_id, Profile.recruiting_member_id)
        conds.append(owner.in_(_sector_members(f.sector)))
    return conds


def recipient_conditions(f: Filters) -> list[ColumnElement[bool]]:
    """Profiles sent in the period (needs ``Circulation`` joined) to members of the sector, of the type."""
    conds = _in_period(Circulation.created_at, f) + _of_kind(CirculationRecipient.profile_id, f)
    if f.sector:
        conds.append(CirculationRecipient.member_id.in_(_sector_members(f.sector)))
    return conds


def referral_conditions(f: Filters) -> list[ColumnElement[bool]]:
    """Referrals opened in the period by members of the sector, for profiles of the type."""
    conds = _in_period(Referral.created_at, f) + _of_kind(Referral.profile_id, f)
    if f.sector:
        conds.append(Referral.member_id.in_(_sector_members(f.sector)))
    return conds


def placement_conditions(f: Filters) -> list[ColumnElement[bool]]:
    """Profiles placed in the period, of the type, hired by a member of the sector."""
    conds = [Profile.placed_at.is_not(None), *_in_period(Profile.placed_at, f)]
    if f.kind is not None:
        conds.append(Profile.kind == f.kind)
    if f.sector:
        hired = select(Referral.profile_id).where(
            Referral.state == ReferralState.HIRED, Referral.member_id.in_(_sector_members(f.sector))
        )
        conds.append(Profile.id.in_(hired))
    return conds

"""The coverage form: which members' positions, which profiles, which minimum score (read from the query)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from jobfuerzwei.employers.models import Member
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.profiles.models import ProfileKind


@dataclass(frozen=True)
class CoverageQuery:
    """Clean values of the coverage form."""

    member_ids: list[UUID] = field(default_factory=list)
    """Members whose open positions are the needs; empty means all active members."""
    kind: ProfileKind | None = None
    """Profile type of the pool; ``None`` means all active profiles."""
    threshold: float = 50.0
    run: bool = False
    releasing_member_id: UUID | None = None
    """Job-to-job "Modellrechnung": the pool is this member's staff, the needs are the other members' positions."""

    def as_query_string(self) -> str:
        """The same query for the CSV export link."""
        pairs: list[tuple[str, str]] = [("member_id", str(m)) for m in self.member_ids]
        if self.kind is not None:
            pairs.append(("kind", str(self.kind)))
        if self.releasing_member_id is not None:
            pairs.append(("releasing", str(self.releasing_member_id)))
        pairs += [("threshold", f"{self.threshold:g}"), ("run", "1")]
        return urlencode(pairs)


def _values(params: Any, name: str) -> list[str]:
    if hasattr(params, "getall"):
        return [str(v) for v in params.getall(name, [])]
    value = params.get(name)
    return [] if value is None else [str(value)]


def parse_coverage_query(
    params: Mapping[str, Any], members: Iterable[Member], default_threshold: float
) -> tuple[CoverageQuery, dict[str, str]]:
    """Read the form from the query string; unknown members, types or thresholds give messages (translated)."""
    errors: dict[str, str] = {}
    known = {str(m.id): m.id for m in members}
    member_ids: list[UUID] = []
    for raw in _values(params, "member_id"):
        if raw in known:
            member_ids.append(known[raw])
        else:
            errors["member_id"] = _("Bitte wählen Sie Mitglieder aus der Liste.")
    kind_raw = (_values(params, "kind") or [""])[0]
    kind: ProfileKind | None = None
    if kind_raw:
        try:
            kind = ProfileKind(kind_raw)
        except ValueError:
            errors["kind"] = _("Bitte wählen Sie eine Profilart aus der Liste.")
    threshold = default_threshold
    threshold_raw = (_values(params, "threshold") or [""])[0].strip().replace(",", ".")
    if threshold_raw:
        try:
            threshold = float(threshold_raw)
        except ValueError:
            errors["threshold"] = _("Bitte geben Sie eine Zahl zwischen 1 und 100 an.")
        else:
            if not 1 <= threshold <= 100:
                errors["threshold"] = _("Bitte geben Sie eine Zahl zwischen 1 und 100 an.")
    run = (_values(params, "run") or [""])[0] == "1"
    releasing_raw = (_values(params, "releasing") or [""])[0]
    releasing = known.get(releasing_raw) if releasing_raw else None
    if releasing_raw and releasing is None:
        errors["releasing"] = _("Bitte wählen Sie ein Mitglied aus der Liste.")
    query = CoverageQuery(
        member_ids=[m for m in dict.fromkeys(member_ids) if m != releasing],
        kind=kind,
        threshold=threshold,
        run=run,
        releasing_member_id=releasing,
    )
    return query, errors

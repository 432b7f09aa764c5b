"""Occupation suggestions for the forms, profiles for a position, and the coverage model (Modellrechnung)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.employers import services as employer_services
from jobfuerzwei.matches import charts, services
from jobfuerzwei.matches.schemas import CoverageQuery, parse_coverage_query
from jobfuerzwei.matching.coverage_io import coverage_csv
from jobfuerzwei.matching.occupations import default_classifier
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.web.auth import provide_staff
from jobfuerzwei.web.pages import page

SUGGEST_MAX_QUERY = 100


class SuggestController(Controller):
    """Catalogue entries as the user types (public: the applicant's form uses it; catalogue data only)."""

    path = "/occupations"

    @get("/suggest", cache_control=CacheControlHeader(max_age=3600, private=False))
    async def suggest_occupations(self, q: FromQuery[str] = "") -> list[dict[str, str]]:
        """Up to 8 ESCO occupations for the typed text: label, URI and ISCO unit group."""
        text = " ".join(q.split())[:SUGGEST_MAX_QUERY]
        if len(text) < 2:
            return []
        return [
            {"label": m.label, "esco_uri": m.esco_uri, "isco_group": m.isco_group}
            for m in default_classifier().suggest(text, limit=8)
        ]


class MatchesController(Controller):
    """Coordinator: the other direction of the ranking and the coverage model."""

    path = "/coordinator"
    dependencies = {"staff": Provide(provide_staff)}  # noqa: RUF012  # Litestar's class attribute

    @get("/positions/{position_id:uuid}/matches")
    async def show_position_matches(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
        position_id: FromPath[UUID],
    ) -> Template:
        """Active profiles ranked for one open position, with the parts of each score."""
        position = await employer_services.get_position(db_session, position_id)
        member = await employer_services.get_member(db_session, position.member_id)
        matches = await services.rank_profiles_for_position(db_session, settings, position)
        return page(request, "coordinator/position_matches.html", position=position, member=member, matches=matches)

    @get("/coverage")
    async def show_coverage(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
    ) -> Template:
        """The form; with ``run=1`` also the result: share filled, chart, assignment and what is left over."""
        members = await employer_services.list_members(db_session, active_only=True)
        query, errors = parse_coverage_query(request.query_params, members, settings.matching.coverage_threshold)
        result = None
        if query.run and not errors:
            result = await _compute(db_session, settings, query)
        return page(
            request,
            "coordinator/coverage.html",
            status_code=400 if errors else 200,
            members=members,
            query=query,
            errors=errors,
            result=result,
            chart=charts.coverage_chart(result.per_member(), result.coverage.share) if result else "",
            export_query=query.as_query_string(),
        )

    @get("/coverage.csv")
    async def export_coverage(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        staff: NamedDependency[StaffUser],
    ) -> Response[str]:
        """The assignment as CSV (one row per need), for Excel."""
        members = await employer_services.list_members(db_session, active_only=True)
        query, errors = parse_coverage_query(request.query_params, members, settings.matching.coverage_threshold)
        if errors:
            return Response("\n".join(errors.values()), status_code=400, media_type="text/plain; charset=utf-8")
        result = await _compute(db_session, settings, query)
        return Response(
            # BOM: Excel opens UTF-8 CSV files with umlauts correctly only with it
            "\ufeff" + coverage_csv(result.coverage, result.people, result.needs),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="modellrechnung.csv"',
                "Cache-Control": "no-store",
            },
        )


async def _compute(session: AsyncSession, settings: Settings, query: CoverageQuery) -> services.CoverageResult:
    return await services.coverage(
        session,
        settings,
        member_ids=query.member_ids or None,
        kind=query.kind,
        threshold=query.threshold,
        releasing_member_id=query.releasing_member_id,
    )


controllers: list[type[Controller]] = [SuggestController, MatchesController]

"""Auswertung: dashboard, charts, yearly report, anonymised lists and exports.

Every page is open to any staff member (``viewer``: coordinator or read-only observer). Observers see figures and
anonymised lists only: exports with contact data (profiles' names, addresses and phone; members' contact addresses)
are the coordinator's, and every export is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, cast
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.audit.models import AuditAction
from jobfuerzwei.audit.services import Actor, record, record_many
from jobfuerzwei.db.paging import ListPage
from jobfuerzwei.errors import DomainError, NotAllowed, NotFound
from jobfuerzwei.i18n import current_language
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.profiles.models import ProfileStatus
from jobfuerzwei.referrals.models import ReferralState
from jobfuerzwei.results import charts, exports, filters, lists, services
from jobfuerzwei.results.filters import BERLIN, FIRST_YEAR, LAST_YEAR, Filters
from jobfuerzwei.results.services import Figures
from jobfuerzwei.staff.models import StaffUser
from jobfuerzwei.web.auth import OBSERVER_FORBIDDEN, provide_viewer, provide_viewer_reading
from jobfuerzwei.web.pagecache import Content, kept_page
from jobfuerzwei.web.pages import page

HOME = "/coordinator/results"
FILTER_KEYS = ("from", "to", "sector", "kind")
PER_PAGE = 50
EXPORTS = ("profiles", "referrals", "members", "figures")
EXPORT_NAMES = {"profiles": "Profile", "referrals": "Vermittlungen", "members": "Mitglieder", "figures": "Kennzahlen"}
CHARTS = ("placements", "funnel", "answers")


class Selection:
    """The filter of a request: the parsed ``Filters``, the typed values (to refill the form) and the errors."""

    def __init__(self, chosen: Filters, values: dict[str, str], errors: dict[str, str], sectors: list[str]) -> None:
        self.filters = chosen
        self.values = values
        self.errors = errors
        self.sectors = sectors

    @property
    def query(self) -> str:
        """The valid filter as a query string (empty when nothing is filtered)."""
        return urlencode(self.filters.query())

    def raise_for_errors(self) -> None:
        """Pages without the filter form answer a bad filter with a 400 error page."""
        if self.errors:
            raise DomainError(" ".join(dict.fromkeys(self.errors.values())))


async def _selection(request: Request[Any, Any, Any], session: AsyncSession) -> Selection:
    sectors = await services.cached_sectors(session)
    values = {key: str(request.query_params.get(key) or "")[:200] for key in FILTER_KEYS}
    chosen, errors = filters.parse_filters(values, sectors)
    if not errors:  # refill the form in the date fields' own format (a typed 01.03.2025 comes back as 2025-03-01)
        values = {key: chosen.query().get(key, "") for key in FILTER_KEYS}
    return Selection(chosen, values, errors, sectors)


def _charts(figures: Figures) -> dict[str, Markup]:
    """The three charts in the current language, made once per language while the figures are cached."""
    key = ("charts", current_language())
    made: dict[str, Markup] | None = figures.memo.get(key)
    if made is None:
        scope = figures.filters.describe()
        made = figures.memo[key] = {
            "placements": charts.placements_chart(figures.placements_by_month, scope),
            "funnel": charts.funnel_chart(figures.funnel, scope),
            "answers": charts.answer_rates_chart(figures.members, scope),
        }
    return made


def _figures_html(request: Request[Any, Any, Any], figures: Figures) -> Markup:
    """The figures' tables and charts (``results/_figures.html``), rendered once per language while cached.

    At national size they are hundreds of table rows, and the dashboard would otherwise spend most of its time
    rendering the same markup again.
    """
    key = ("html", current_language())
    made: Markup | None = figures.memo.get(key)
    if made is None:
        engine = cast("JinjaTemplateEngine", request.app.template_engine)
        made = figures.memo[key] = Markup(  # noqa: S704  # rendered by the autoescaping page environment
            engine.engine.get_template("results/_figures.html").render(
                figures=figures, charts=_charts(figures), de=charts.number, pct=charts.percent
            )
        )
    return made


def _this_year() -> int:
    return dt.datetime.now(BERLIN).year


def _common(selection: Selection, viewer: StaffUser) -> dict[str, Any]:
    return {
        "form": selection.values,
        "errors": selection.errors,
        "sector_options": [(s, s) for s in selection.sectors],
        "query": selection.query,
        "is_coordinator": viewer.is_coordinator,
        "de": charts.number,
        "pct": charts.percent,
    }


class ResultsController(Controller):
    """Figures, charts and anonymised lists for coordinators and observers."""

    path = HOME
    dependencies = {"viewer": Provide(provide_viewer)}  # noqa: RUF012  # Litestar's class attribute

    @get("/", dependencies={"viewer": Provide(provide_viewer_reading)})
    async def show_results(
        self,
        request: Request[Any, Any, Any],
        session_maker: NamedDependency[async_sessionmaker[AsyncSession]],
        viewer: NamedDependency[StaffUser],
    ) -> Response[bytes] | Template:
        """The dashboard; a bad filter comes back with the typed values and a message (400).

        The whole page is kept until the data changes (``web.pagecache``): at national size it is the network's
        most requested page, and the same for every coordinator.
        """
        years = list(range(_this_year(), FIRST_YEAR - 1, -1))[:10]

        async def build(session: AsyncSession) -> Content:
            selection = await _selection(request, session)
            context = _common(selection, viewer)
            if selection.errors:
                return Content({"figures": None, "years": years, **context}, status_code=400)
            figures = await services.cached_figures(session, selection.filters)
            return Content(
                {"figures": figures, "figures_html": _figures_html(request, figures), "years": years, **context}
            )

        return await kept_page(
            request, session_maker, "results/dashboard.html", key=(viewer.is_coordinator, years[0]), build=build
        )

    @get("/chart/{name:str}")
    async def show_chart(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        viewer: NamedDependency[StaffUser],
        name: FromPath[str],
    ) -> Response[str]:
        """One chart as an SVG file (``placements.svg``, ``funnel.svg``, ``answers.svg``) for the current filter."""
        stem, _dot, ext = name.partition(".")
        if stem not in CHARTS or ext != "svg":
            raise NotFound(_("Dieses Diagramm gibt es nicht."))
        selection = await _selection(request, db_session)
        selection.raise_for_errors()
        figures = await services.cached_figures(db_session, selection.filters)
        return Response(
            content=str(_charts(figures)[stem]),
            media_type="image/svg+xml",
            headers={"Cache-Control": "no-store"},
        )

    @get("/report")
    async def choose_report(
        self,
        viewer: NamedDependency[StaffUser],
        year: Annotated[str, QueryParameter(name="year")] = "",
    ) -> Redirect:
        """The year picker's target: on to that year's report (this year's without a valid choice)."""
        chosen = (
            int(year) if year.isascii() and year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR else _this_year()
        )
        return Redirect(path=f"{HOME}/report/{chosen}", status_code=303)

    @get("/report/{year:int}")
    async def show_report(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        viewer: NamedDependency[StaffUser],
        year: FromPath[int],
    ) -> Template:
        """The yearly report: all figures of one calendar year, twelve months of placements; it prints well."""
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise NotFound(_("Für dieses Jahr gibt es keinen Bericht."))
        figures = await services.cached_figures(db_session, Filters.year(year))
        return page(
            request,
            "results/report.html",
            year=year,
            figures=figures,
            figures_html=_figures_html(request, figures),
            generated_at=dt.datetime.now(BERLIN),
            de=charts.number,
            pct=charts.percent,
            is_coordinator=viewer.is_coordinator,
        )

    @get("/profiles")
    async def list_profiles(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        viewer: NamedDependency[StaffUser],
        *,
        status: Annotated[str, QueryParameter(name="status")] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
    ) -> Template:
        """Profiles without names, contact data or free text, filtered like the dashboard."""
        selection = await _selection(request, db_session)
        listable = [s for s in ProfileStatus if s != ProfileStatus.UNCONFIRMED]
        if status and status not in {s.value for s in listable}:
            selection.errors["status"] = _("Unbekannter Status.")
        selection.raise_for_errors()
        rows = await lists.profile_rows(
            db_session,
            selection.filters,
            status=ProfileStatus(status) if status else None,
            page=page_number,
            per_page=PER_PAGE,
        )
        return page(
            request,
            "results/profiles.html",
            rows=rows,
            status=status,
            statuses=listable,
            **_common(selection, viewer),
        )

    @get("/referrals")
    async def list_referrals(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        viewer: NamedDependency[StaffUser],
        *,
        state_value: Annotated[str, QueryParameter(name="state")] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
    ) -> Template:
        """Referrals with profile number, member, stage and dates; no notes, no contact data."""
        selection = await _selection(request, db_session)
        if state_value and state_value not in {s.value for s in ReferralState}:
            selection.errors["state"] = _("Unbekannter Stand.")
        selection.raise_for_errors()
        rows = await lists.referral_rows(
            db_session,
            selection.filters,
            state=ReferralState(state_value) if state_value else None,
            page=page_number,
            per_page=PER_PAGE,
        )
        return page(
            request,
            "results/referrals.html",
            rows=rows,
            state=state_value,
            states=list(ReferralState),
            **_common(selection, viewer),
        )

    @get("/members")
    async def list_members(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        viewer: NamedDependency[StaffUser],
        *,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100_000)] = 1,
    ) -> Template:
        """Every member's answers in the selection, by name, a page at a time (the dashboard shows the busiest)."""
        selection = await _selection(request, db_session)
        selection.raise_for_errors()
        figures = await services.cached_figures(db_session, selection.filters)
        start = (page_number - 1) * PER_PAGE
        rows = ListPage(
            items=figures.members[start : start + PER_PAGE],
            total=len(figures.members),
            page=page_number,
            per_page=PER_PAGE,
        )
        return page(request, "results/members.html", rows=rows, **_common(selection, viewer))

    @get("/export/{filename:str}")
    async def export(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        viewer: NamedDependency[StaffUser],
        filename: FromPath[str],
        contacts: Annotated[str, QueryParameter(name="contacts")] = "",
    ) -> Response[bytes]:
        """``{profiles|referrals|members|figures}.{csv|xlsx}`` for the current filter, recorded in the audit log.

        ``contacts=1`` adds contact data (profiles: names, addresses, phone; members: contact addresses) and is the
        coordinator's only. Observers' profile exports carry the anonymised columns of their list.
        """
        what, _dot, fmt = filename.partition(".")
        if what not in EXPORTS or fmt not in exports.FORMATS:
            raise NotFound(_("Diesen Export gibt es nicht."))
        with_contacts = contacts == "1" and what in {"profiles", "members"}
        if with_contacts and not viewer.is_coordinator:
            raise NotAllowed(OBSERVER_FORBIDDEN)
        selection = await _selection(request, db_session)
        selection.raise_for_errors()
        table = await _export_table(db_session, viewer, selection.filters, what, fmt, with_contacts=with_contacts)
        stamp = dt.datetime.now(BERLIN).date().isoformat()
        suffix = "-kontaktdaten" if with_contacts else ""
        return Response(
            content=exports.render(table, fmt),
            media_type=exports.MEDIA_TYPES[fmt],
            headers={
                "Content-Disposition": f'attachment; filename="jobfuerzwei-{what}{suffix}-{stamp}.{fmt}"',
                "Cache-Control": "no-store",
            },
        )


async def _export_table(
    session: AsyncSession, viewer: StaffUser, f: Filters, what: str, fmt: str, *, with_contacts: bool
) -> exports.Table:
    """Build one export and write its audit entries (one per exported profile, else one for the list)."""
    actor = Actor.staff(viewer)
    detail = f"Export {EXPORT_NAMES[what]} {fmt.upper()}" + (" mit Kontaktdaten" if with_contacts else "")
    if what == "profiles":
        if viewer.is_coordinator:
            details = await lists.profile_details(session, f, with_contacts=with_contacts)
            record_many(session, actor, AuditAction.EXPORTED, [(d.row.id, d.row.number) for d in details], detail)
            return exports.profiles_table(details, with_contacts=with_contacts)
        rows = await lists.all_profile_rows(session, f)
        record_many(session, actor, AuditAction.EXPORTED, [(r.id, r.number) for r in rows], detail)
        return exports.anonymous_profiles_table(rows)
    if what == "referrals":
        referrals = await lists.all_referral_rows(session, f)
        profiles = dict.fromkeys((r.profile_id, r.number) for r in referrals)
        record_many(session, actor, AuditAction.EXPORTED, list(profiles), detail)
        return exports.referrals_table(referrals)
    record(session, actor, AuditAction.EXPORTED, detail=detail)
    if what == "members":
        return exports.members_table(
            await lists.member_rows(session, f, with_contacts=with_contacts), with_contacts=with_contacts
        )
    return exports.figures_table(await services.cached_figures(session, f))


controllers: list[type[Controller]] = [ResultsController]

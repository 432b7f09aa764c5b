"""The pages over HTTP: dashboard and filters, yearly report, anonymised lists, and who may open what."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.db.base import utcnow
from jobfuerzwei.profiles.models import Profile
from tests.results.conftest import Network

FIGURE_ROUTES = [
    "/coordinator/results",
    "/coordinator/results?from=2025-01-01&to=2025-12-31&sector=Pflege&kind=partner",
    "/coordinator/results/chart/placements.svg",
    "/coordinator/results/chart/funnel.svg",
    "/coordinator/results/chart/answers.svg",
    "/coordinator/results/report/2025",
    "/coordinator/results/profiles",
    "/coordinator/results/profiles?status=placed&kind=job_to_job",
    "/coordinator/results/referrals",
    "/coordinator/results/referrals?state=hired",
    "/coordinator/results/members",
    "/coordinator/results/export/figures.csv",
    "/coordinator/results/export/figures.xlsx",
    "/coordinator/results/export/profiles.csv",
    "/coordinator/results/export/profiles.xlsx",
    "/coordinator/results/export/referrals.csv",
    "/coordinator/results/export/referrals.xlsx",
    "/coordinator/results/export/members.csv",
    "/coordinator/results/export/members.xlsx",
]
CONTACT_ROUTES = [
    "/coordinator/results/export/profiles.csv?contacts=1",
    "/coordinator/results/export/profiles.xlsx?contacts=1",
    "/coordinator/results/export/members.csv?contacts=1",
    "/coordinator/results/export/members.xlsx?contacts=1",
]
COORDINATOR_ONLY_PAGES = ["/coordinator", "/coordinator/profiles", "/coordinator/referrals", "/coordinator/members"]


@pytest.mark.usefixtures("network")
async def test_role_matrix_observer(observer_client: AsyncTestClient[Litestar]) -> None:
    for path in FIGURE_ROUTES:
        response = await observer_client.get(path, follow_redirects=False)
        assert response.status_code == 200, path
    for path in [*CONTACT_ROUTES, *COORDINATOR_ONLY_PAGES]:
        response = await observer_client.get(path, follow_redirects=False)
        assert response.status_code == 403, path
        assert "nur lesend" in response.text


@pytest.mark.usefixtures("network")
async def test_role_matrix_coordinator(logged_in_client: AsyncTestClient[Litestar]) -> None:
    for path in [*FIGURE_ROUTES, *CONTACT_ROUTES]:
        response = await logged_in_client.get(path, follow_redirects=False)
        assert response.status_code == 200, path


async def test_results_need_a_login(client: AsyncTestClient[Litestar]) -> None:
    for path in [*FIGURE_ROUTES, *CONTACT_ROUTES]:
        response = await client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/coordinator/login?next=")


@pytest.mark.usefixtures("network")
async def test_dashboard_shows_the_figures_and_the_nav_link(logged_in_client: AsyncTestClient[Litestar]) -> None:
    response = await logged_in_client.get("/coordinator/results")
    assert response.status_code == 200
    text = response.text
    assert '<a href="/coordinator/results">Auswertung</a>' in text
    assert 'id="card-profiles">6<' in text
    assert 'id="card-circulations">4<' in text
    assert 'id="card-answer-rate">70,0\u00a0%<' in text
    assert 'id="card-answer-days">2,0<' in text
    assert 'id="card-referrals">5<' in text
    assert 'id="card-placements">3<' in text
    assert 'id="card-days-to-hire">61,0<' in text
    assert "Alpha &amp; Söhne &lt;Technik&gt;" in text
    assert "<Technik>" not in text
    assert "mit Kontaktdaten" in text  # the coordinator's export form


@pytest.mark.usefixtures("network")
async def test_dashboard_filters_narrow_the_figures(logged_in_client: AsyncTestClient[Litestar]) -> None:
    response = await logged_in_client.get("/coordinator/results?from=01.03.2025&to=2025-03-31")
    assert response.status_code == 200
    assert 'id="card-placements">2<' in response.text
    assert 'id="card-days-to-hire">50,5<' in response.text
    assert 'value="2025-03-01"' in response.text  # refilled in the date field's format
    assert "export/profiles.csv?from=2025-03-01&amp;to=2025-03-31" in response.text


@pytest.mark.usefixtures("network")
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=31.02.2025", "gültiges Datum"),
        ("from=2025-03-02&to=2025-03-01", "Enddatum liegt vor dem Startdatum"),
        ("sector=%3Cscript%3E", "Diese Branche gibt es"),
        ("kind=robot", "Unbekannte Profilart"),
    ],
)
async def test_bad_filter_is_a_400_with_the_form_and_values_kept(
    logged_in_client: AsyncTestClient[Litestar], query: str, message: str
) -> None:
    response = await logged_in_client.get(f"/coordinator/results?{query}")
    assert response.status_code == 400
    assert message in response.text
    assert "Bitte prüfen Sie Ihre Angaben" in response.text
    assert "<script>" not in response.text
    if "from=31.02.2025" in query:
        assert 'value="31.02.2025"' in response.text


@pytest.mark.usefixtures("network")
async def test_bad_filter_on_lists_exports_and_charts_is_a_400(logged_in_client: AsyncTestClient[Litestar]) -> None:
    for path in [
        "/coordinator/results/profiles?kind=x",
        "/coordinator/results/profiles?status=unconfirmed",
        "/coordinator/results/referrals?state=x",
        "/coordinator/results/export/figures.csv?from=x",
        "/coordinator/results/chart/funnel.svg?to=x",
    ]:
        response = await logged_in_client.get(path)
        assert response.status_code == 400, path
    for path in [
        "/coordinator/results/export/staff.csv",
        "/coordinator/results/export/profiles.pdf",
        "/coordinator/results/chart/pie.svg",
        "/coordinator/results/report/1850",
    ]:
        assert (await logged_in_client.get(path)).status_code == 404, path


@pytest.mark.usefixtures("network")
async def test_observer_lists_are_anonymous(observer_client: AsyncTestClient[Litestar], network: Network) -> None:
    profiles = (await observer_client.get("/coordinator/results/profiles")).text
    assert network.profiles["P1"].reference in profiles
    assert "Industriemechanikerin" in profiles
    assert "Jena" in profiles
    for secret in ["Paula", "paula@example.org", "0711 111", "Anna Anwerbung", "Vertraulich", "Geheim"]:
        assert secret not in profiles
    assert "/coordinator/profiles/" not in profiles  # no links into the coordinator's pages

    referrals = (await observer_client.get("/coordinator/results/referrals")).text
    assert network.profiles["P2"].reference in referrals
    assert "Beta Pflege gGmbH" in referrals
    assert "Interne Notiz" not in referrals
    assert "mit Kontaktdaten" not in (await observer_client.get("/coordinator/results")).text
    nav = (await observer_client.get("/coordinator/results")).text
    assert 'href="/coordinator/profiles"' not in nav


@pytest.mark.usefixtures("network")
async def test_lists_filter_and_page(logged_in_client: AsyncTestClient[Litestar], network: Network) -> None:
    response = await logged_in_client.get("/coordinator/results/profiles?kind=job_to_job")
    assert "1 Profil," in response.text
    assert network.profiles["P3"].reference in response.text
    assert network.profiles["P1"].reference not in response.text

    response = await logged_in_client.get("/coordinator/results/referrals?sector=Pflege&state=hired")
    assert "1 Vermittlung," in response.text
    assert network.profiles["P2"].reference in response.text


@pytest.mark.usefixtures("network")
async def test_yearly_report_prints(observer_client: AsyncTestClient[Litestar]) -> None:
    response = await observer_client.get("/coordinator/results/report/2025")
    assert response.status_code == 200
    assert "Jahresbericht 2025" in response.text
    assert response.text.count("<svg") == 3
    assert 'id="table-placements"' in response.text

    redirect = await observer_client.get("/coordinator/results/report?year=2025", follow_redirects=False)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == "/coordinator/results/report/2025"

    css = (await observer_client.get("/static/site.css")).text
    assert "@media print" in css
    assert ".no-print" in css


@pytest.mark.usefixtures("network")
async def test_dashboard_lists_the_busiest_members_and_links_all_of_them(
    logged_in_client: AsyncTestClient[Litestar], monkeypatch: pytest.MonkeyPatch
) -> None:
    from jobfuerzwei.results import controllers, services

    monkeypatch.setattr(services, "MEMBERS_SHOWN", 2)
    monkeypatch.setattr(controllers, "PER_PAGE", 2)
    everyone = await logged_in_client.get("/coordinator/results/members")
    names = re.findall(r'<tr><th scope="row">([^<]+)</th>', everyone.text.split('id="member-list"')[1])
    assert len(names) == 2
    assert "Seite 1 von 2" in everyone.text
    rest = await logged_in_client.get("/coordinator/results/members?page=2")
    more = re.findall(r'<tr><th scope="row">([^<]+)</th>', rest.text.split('id="member-list"')[1])
    assert len(more) == 1
    assert sorted(names + more) == names + more  # by name across the pages

    dashboard = (await logged_in_client.get("/coordinator/results")).text
    table = dashboard.split('id="table-answers"')[1].split("</table>")[0]
    assert table.count('<tr><th scope="row">') == 2
    assert "Antwortquote der 2 Mitglieder mit den meisten erhaltenen Profilen" in table
    assert '<a href="/coordinator/results/members">Alle 3 Mitglieder mit ihrer Antwortquote</a>' in dashboard


async def test_the_cached_dashboard_shows_a_change_at_once(
    logged_in_client: AsyncTestClient[Litestar], network: Network, db_session: AsyncSession
) -> None:
    def placed(html: str) -> str:
        found = re.search(r'<span id="placements-total">(\d+)</span>', html)
        assert found
        return found.group(1)

    before = placed((await logged_in_client.get("/coordinator/results")).text)
    assert placed((await logged_in_client.get("/coordinator/results")).text) == before  # served from the cache
    profile = network.profiles[next(iter(network.profiles))]
    await db_session.execute(  # another process (a second app server, a script) records a placement
        update(Profile).where(Profile.id != profile.id, Profile.placed_at.is_(None)).values(placed_at=utcnow())
    )
    await db_session.commit()
    after = placed((await logged_in_client.get("/coordinator/results")).text)
    assert int(after) > int(before)

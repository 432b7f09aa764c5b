"""The SVG charts parse as XML, are labelled for screen readers and contain their numbers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from jobfuerzwei.referrals.models import ReferralState
from jobfuerzwei.results import charts
from jobfuerzwei.results.services import FunnelStep, MemberAnswers, MonthCount

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314  # our own output, parsed to prove it is well-formed
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def _desc(root: ET.Element) -> str:
    desc = root.find(f"{SVG}desc")
    assert desc is not None
    return desc.text or ""


def test_placements_chart_shows_each_month_and_count() -> None:
    import datetime as dt

    months = [
        MonthCount(dt.date(2025, 3, 1), 2),
        MonthCount(dt.date(2025, 4, 1), 0),
        MonthCount(dt.date(2025, 5, 1), 7),
    ]
    root = _parse(str(charts.placements_chart(months, "2025")))
    texts = _texts(root)
    assert {"03/2025", "04/2025", "05/2025", "2", "0", "7"} <= set(texts)
    assert "03/2025: 2; 04/2025: 0; 05/2025: 7" in _desc(root)
    assert len(root.findall(f"{SVG}rect")) == 3


def test_funnel_chart_names_stages_and_shares() -> None:
    steps = [FunnelStep(ReferralState.INTERESTED, 4, 1.0), FunnelStep(ReferralState.HIRED, 1, 0.25)]
    root = _parse(str(charts.funnel_chart(steps, "2025")))
    assert "Interesse bekundet" in _texts(root)
    assert "1 (25,0\u00a0%)" in _texts(root)
    assert "Eingestellt: 1 (25,0\u00a0%)" in _desc(root)


def test_answer_chart_escapes_member_names() -> None:
    from uuid import uuid4

    evil = 'Böse & Co. <script>alert("x")</script>'
    members = [MemberAnswers(uuid4(), evil, "", 3, 2, 1, 1.0), MemberAnswers(uuid4(), "Leer AG", "", 0, 0, 0, None)]
    svg = str(charts.answer_rates_chart(members, "alle"))
    assert "<script>" not in svg
    root = _parse(svg)
    assert any(t.startswith("Böse & Co. <script>") for t in _texts(root))  # the parser gets the text back
    assert "66,7\u00a0% (2/3)" in _texts(root)
    assert f"{evil}: 66,7\u00a0% (2 von 3 beantwortet)" in _desc(root)


@pytest.mark.usefixtures("network")
async def test_dashboard_charts_parse_and_match_their_tables(logged_in_client: AsyncTestClient[Litestar]) -> None:
    html = (await logged_in_client.get("/coordinator/results")).text
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.DOTALL)
    assert len(svgs) == 3
    roots = {_parse(svg).find(f"{SVG}title").get("id"): _parse(svg) for svg in svgs}  # type: ignore[union-attr]

    answers = roots["answers-title"]
    assert "75,0\u00a0% (3/4)" in _texts(answers)
    assert "Alpha & Söhne <Technik>" in _texts(answers)
    funnel = roots["funnel-title"]
    assert [t for t in _texts(funnel) if t[:1].isdigit()] == [
        "5 (100,0\u00a0%)",
        "5 (100,0\u00a0%)",
        "4 (80,0\u00a0%)",
        "3 (60,0\u00a0%)",
        "3 (60,0\u00a0%)",
    ]
    placements = roots["placements-title"]
    assert "03/2025: 2; 04/2025: 1" in _desc(placements)
    # the same numbers in the table beside the chart
    assert '<th scope="row">03/2025</th><td class="num">2</td>' in html


@pytest.mark.usefixtures("network")
async def test_chart_download_is_svg(observer_client: AsyncTestClient[Litestar]) -> None:
    response = await observer_client.get("/coordinator/results/chart/funnel.svg?kind=job_to_job")
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = _parse(response.text)
    assert "Wechselprofile" in (root.find(f"{SVG}title").text or "")  # type: ignore[union-attr]
    assert "Eingestellt: 1 (100,0\u00a0%)" in _desc(root)

"""Coordinator pages of the matching: profiles for a position, the coverage model with its chart and CSV, and the
public occupation suggestions of the forms."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.employers.models import Member, Position
from jobfuerzwei.profiles.models import Profile, ProfileStatus
from tests.circulation.helpers import make_member, make_profile

Client = AsyncTestClient[Litestar]


async def _position(session: AsyncSession, member: Member, title: str, **values: Any) -> Position:
    position = Position(member_id=member.id, title=title, **values)
    session.add(position)
    await session.commit()
    return position


async def _nurse_and_mechanic(session: AsyncSession) -> tuple[Profile, Profile]:
    nurse = await make_profile(session, occupations=["Pflegefachkraft"], skills=["Intensivpflege"])
    mechanic = await make_profile(
        session,
        occupations=["Industriemechaniker"],
        skills=["CNC"],
        languages=[{"language": "Deutsch", "level": "B1"}],
        work_postcode="89073",  # Ulm, about 60 km from Aalen
        work_radius_km=20,
    )
    return nurse, mechanic


async def test_position_page_ranks_the_fitting_profile_first_with_parts_and_missing_terms(
    coordinator: Client, db_session: AsyncSession
) -> None:
    clinic = await make_member(db_session, "Kliniken Ostalb")
    position = await _position(
        db_session,
        clinic,
        "Pflegefachkraft Intensivstation (m/w/d)",
        skills=["Intensivpflege", "Beatmung"],
        languages=[{"language": "Deutsch", "level": "C1"}],
        postcode="73430",
    )
    nurse, mechanic = await _nurse_and_mechanic(db_session)
    await make_profile(db_session, occupations=["Pflegefachkraft"], status=ProfileStatus.PAUSED)

    response = await coordinator.get(f"/coordinator/positions/{position.id}/matches")

    assert response.status_code == 200
    html = response.text
    assert nurse.reference in html
    assert mechanic.reference not in html  # unrelated occupation: left out
    assert html.count("JFZ-") == 1  # the paused profile is not in the pool
    assert "fehlt: Beatmung" in html
    assert "1 von 2" in html  # skills part
    assert "Ort: 100 %" in html  # the nurse wants to work in Aalen, where the position is


async def test_coverage_page_fills_the_needs_optimally_and_shows_chart_table_and_export(
    coordinator: Client, db_session: AsyncSession
) -> None:
    clinic = await make_member(db_session, "Kliniken Ostalb")
    works = await make_member(db_session, "Maschinenbau Aalen")
    await _position(db_session, clinic, "Pflegefachkraft", postcode="73430")
    await _position(db_session, works, "Industriemechaniker (m/w/d)", postcode="73430")
    await _position(db_session, works, "Koch", postcode="73430")
    nurse, mechanic = await _nurse_and_mechanic(db_session)

    response = await coordinator.get("/coordinator/coverage?run=1&threshold=40")

    assert response.status_code == 200
    html = response.text
    assert "2 von 3 offenen Stellen (67 %)" in html
    assert nurse.reference in html
    assert mechanic.reference in html
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    root = ET.fromstring(svg)  # noqa: S314  # our own page, parsed in a test
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert root.get("role") == "img"
    title = root.find("svg:title", ns)
    assert title is not None
    assert title.text == "Modellrechnung: 67 % der offenen Stellen besetzbar"
    texts = [t.text for t in root.findall("svg:text", ns)]
    assert "1/2" in texts  # Maschinenbau Aalen: one of two positions fillable
    assert "1/1" in texts
    assert "<td>Maschinenbau Aalen</td><td>2</td><td>1</td>" in html.replace("\n", "")

    export = await coordinator.get("/coordinator/coverage.csv?run=1&threshold=40")
    assert export.status_code == 200
    assert export.headers["content-disposition"].startswith("attachment")
    assert export.text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert len(rows) == 3
    assert sorted(r["filled"] for r in rows) == ["no", "yes", "yes"]


async def test_coverage_limited_to_chosen_members_and_bad_threshold_gets_a_german_message(
    coordinator: Client, db_session: AsyncSession
) -> None:
    clinic = await make_member(db_session, "Kliniken Ostalb")
    works = await make_member(db_session, "Maschinenbau Aalen")
    await _position(db_session, clinic, "Pflegefachkraft")
    await _position(db_session, works, "Koch")
    await _nurse_and_mechanic(db_session)

    only_works = await coordinator.get(f"/coordinator/coverage?run=1&member_id={works.id}")
    assert "0 von 1 offenen Stellen (0 %)" in only_works.text

    bad = await coordinator.get("/coordinator/coverage?run=1&threshold=abc")
    assert bad.status_code == 400
    assert "Bitte geben Sie eine Zahl zwischen 1 und 100 an." in bad.text
    assert "Ergebnis" not in bad.text
    assert (await coordinator.get("/coordinator/coverage.csv?threshold=500")).status_code == 400


async def test_occupation_suggestions_are_public_json_and_need_two_letters(client: Client) -> None:
    response = await client.get("/occupations/suggest", params={"q": "Erzieh"})
    assert response.status_code == 200
    found = response.json()
    assert 1 <= len(found) <= 8
    assert all(set(item) == {"label", "esco_uri", "isco_group"} for item in found)
    assert any("Vorschulerziehung" in item["label"] for item in found)  # ESCO's concept for "Erzieher"
    assert (await client.get("/occupations/suggest", params={"q": "E"})).json() == []
    assert (await client.get("/occupations/suggest")).json() == []
    long = await client.get("/occupations/suggest", params={"q": "x" * 5000})
    assert long.status_code == 200

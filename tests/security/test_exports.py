"""CSV and XLSX exports never hand a spreadsheet a formula, and odd text never breaks them (formula injection)."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.config import Settings
from jobfuerzwei.employers.models import Member, MemberContact
from jobfuerzwei.profiles.models import Profile
from jobfuerzwei.results.exports import Table, to_csv, to_xlsx
from jobfuerzwei.spreadsheets import is_formula_like
from tests.security.world import build_world

FORMULAS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    '\x01=HYPERLINK("http://evil.example")',
    "=cmd|' /C calc'!A0",
]
cell_text = st.one_of(st.sampled_from(FORMULAS), st.text(max_size=30))


def csv_cells(data: bytes) -> list[str]:
    text = data.decode("utf-8").removeprefix("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]


def xlsx_formula_cells(data: bytes) -> list[str]:
    """Cells an office program would evaluate: formula cells, and text cells stored as formulas."""
    workbook = load_workbook(io.BytesIO(data))
    return [
        f"{sheet.title}!{cell.coordinate}={cell.value!r}"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


@settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(values=st.lists(cell_text, min_size=1, max_size=6))
def test_result_tables_keep_every_text_cell_plain(values: list[str]) -> None:
    table = Table(name="Profile", header=[f"Spalte {i}" for i in range(len(values))], rows=[list(values)])
    assert not [c for c in csv_cells(to_csv(table)) if is_formula_like(c)]
    assert not xlsx_formula_cells(to_xlsx(table))


async def test_every_export_route_guards_hostile_names(
    client: AsyncTestClient[Litestar], db_session: AsyncSession, settings: Settings
) -> None:
    world = await build_world(db_session, settings)
    member = await db_session.get(Member, world.member_a)
    contact = await db_session.get(MemberContact, world.contact_a)
    profile = await db_session.get(Profile, world.profile)
    assert member is not None
    assert contact is not None
    assert profile is not None
    member.name = FORMULAS[0]
    contact.name = FORMULAS[6]  # a control character before the formula (old data, imports)
    profile.residence = FORMULAS[3]
    profile.occupations = [FORMULAS[1]]
    await db_session.commit()
    for name, value in world.cookies["coordinator"].items():
        client.cookies.set(name, value)
    paths = [
        f"/coordinator/results/export/{what}.{fmt}"
        for what in ("profiles", "referrals", "members", "figures")
        for fmt in ("csv", "xlsx")
    ]
    paths += [f"/coordinator/events/{world.event}/attendees.csv", f"/coordinator/events/{world.event}/attendees.xlsx"]
    paths += ["/coordinator/coverage.csv"]
    for path in paths:
        response = await client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert response.headers["content-disposition"].startswith("attachment"), path
        assert response.headers["x-content-type-options"] == "nosniff"
        if path.endswith(".xlsx"):
            assert not xlsx_formula_cells(response.content), path
        else:
            formula_like = [c for c in csv_cells(response.content) if is_formula_like(c)]
            assert not formula_like, (path, formula_like)

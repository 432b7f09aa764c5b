"""Exports: CSV for German Excel, XLSX through openpyxl, no formulas, contact data only when asked, audit entries."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.audit.models import AuditAction, AuditEntry
from tests.results.conftest import STAFF_EMAIL, Network

BASE = "/coordinator/results/export"


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    text = content.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _xlsx(content: bytes) -> list[list[object]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet is not None
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


async def _audit(db_session: AsyncSession) -> list[AuditEntry]:
    return list(await db_session.scalars(select(AuditEntry).order_by(AuditEntry.profile_number)))


async def test_profile_csv_without_contact_data(
    logged_in_client: AsyncTestClient[Litestar], network: Network, db_session: AsyncSession
) -> None:
    response = await logged_in_client.get(f"{BASE}/profiles.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="jobfuerzwei-profiles-')
    rows = _csv(response.content)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Profil", "Profilart", "Status"]
    assert "E-Mail Partner/in" not in header
    assert [r[0] for r in body] == [network.profiles[k].reference for k in ("P1", "P2", "P3", "P4", "P5")]
    p1 = dict(zip(header, body[0], strict=True))
    assert p1["Status"] == "Vermittelt"
    assert p1["Angemeldet am"] == "05.01.2025"
    assert p1["Vermittelt am"] == "12.03.2025"
    assert p1["Anwerbendes / abgebendes Mitglied"] == "Alpha & Söhne <Technik>"
    assert "paula@example.org" not in response.text
    assert "Vertraulich" not in response.text

    entries = await _audit(db_session)
    assert [e.profile_number for e in entries] == [network.profiles[k].number for k in ("P1", "P2", "P3", "P4", "P5")]
    assert {(e.action, e.detail, e.actor_label) for e in entries} == {
        (AuditAction.EXPORTED, "Export Profile CSV", STAFF_EMAIL)
    }


async def test_profile_xlsx_with_contact_data_is_audited(
    logged_in_client: AsyncTestClient[Litestar], network: Network, db_session: AsyncSession
) -> None:
    response = await logged_in_client.get(f"{BASE}/profiles.xlsx?contacts=1&kind=partner")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "kontaktdaten" in response.headers["content-disposition"]
    rows = _xlsx(response.content)
    header = rows[0]
    assert len(rows) == 5  # header + P1, P2, P4, P5 (partner profiles, not the unconfirmed P6)
    p1 = dict(zip(header, rows[1], strict=True))
    assert p1["Partner/in"] == "Paula Eins"
    assert p1["E-Mail Partner/in"] == "paula@example.org"
    assert p1["Telefon Partner/in"] == "0711 111"
    assert p1["Angemeldet am"] == dt.datetime(2025, 1, 5)  # noqa: DTZ001  # Excel dates carry no zone
    assert p1["Berufserfahrung (Jahre)"] == 5

    entries = await _audit(db_session)
    assert len(entries) == 4
    assert {e.detail for e in entries} == {"Export Profile XLSX mit Kontaktdaten"}


async def test_formula_injection_is_neutralised(logged_in_client: AsyncTestClient[Litestar], network: Network) -> None:
    ref = network.profiles["P4"].reference
    rows = _csv((await logged_in_client.get(f"{BASE}/profiles.csv")).content)
    p4 = dict(zip(rows[0], next(r for r in rows if r[0] == ref), strict=True))
    assert p4["Wunschberufe"] == '\'=HYPERLINK("http://evil.example","klick")'
    assert p4["Wohnort"] == "'+49 Dorf"

    response = await logged_in_client.get(f"{BASE}/profiles.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    formula = cells['=HYPERLINK("http://evil.example","klick")']
    assert formula.data_type == "s"  # stored as text, not as a formula
    assert cells["+49 Dorf"].data_type == "s"


async def test_observer_profile_export_is_anonymous(
    observer_client: AsyncTestClient[Litestar], network: Network, db_session: AsyncSession
) -> None:
    response = await observer_client.get(f"{BASE}/profiles.xlsx")
    rows = _xlsx(response.content)
    assert rows[0] == [
        "Profil",
        "Profilart",
        "Status",
        "Wunschberufe",
        "Wohnort",
        "Gewünschte Arbeitsorte",
        "Angemeldet am",
        "Freigegeben am",
        "Vermittelt am",
    ]
    assert len(rows) == 6
    flat = " ".join(str(v) for row in rows for v in row)
    assert "Alpha" not in flat  # no recruiting member either
    assert len(await _audit(db_session)) == 5


async def test_referral_exports(
    logged_in_client: AsyncTestClient[Litestar], network: Network, db_session: AsyncSession
) -> None:
    rows = _csv((await logged_in_client.get(f"{BASE}/referrals.csv?sector=Pflege")).content)
    assert rows[0][:5] == ["Profil", "Profilart", "Mitglied", "Branche", "Stand"]
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [(r["Profil"], r["Stand"], r["Abschlussgrund"]) for r in body] == [
        (network.profiles["P1"].reference, "Abgeschlossen", "Arbeitgeber hat abgesagt"),
        (network.profiles["P2"].reference, "Eingestellt", ""),
        (network.profiles["P4"].reference, "Vorstellungsgespräch", ""),
    ]
    assert body[1]["Eingestellt am"] == "14.04.2025"
    assert "Interne Notiz" not in str(rows)
    entries = await _audit(db_session)
    assert {e.profile_number for e in entries} == {network.profiles[k].number for k in ("P1", "P2", "P4")}

    xrows = _xlsx((await logged_in_client.get(f"{BASE}/referrals.xlsx")).content)
    assert len(xrows) == 6


async def test_member_exports_show_contacts_only_when_asked(
    logged_in_client: AsyncTestClient[Litestar], network: Network, db_session: AsyncSession
) -> None:
    rows = _csv((await logged_in_client.get(f"{BASE}/members.csv")).content)
    body = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert list(body) == ["Alpha & Söhne <Technik>", "Beta Pflege gGmbH", "Gamma Werke AG"]
    beta = body["Beta Pflege gGmbH"]
    assert (beta["Profile erhalten"], beta["Beantwortet"], beta["Interesse"]) == ("4", "3", "3")
    assert beta["Antwortquote (%)"] == "75,0"
    assert beta["Antwortzeit Median (Tage)"] == "3,0"
    assert (beta["Vermittlungen"], beta["Einstellungen"]) == ("3", "1")
    assert "Kontakte" not in rows[0]

    xrows = _xlsx((await logged_in_client.get(f"{BASE}/members.xlsx?contacts=1")).content)
    assert xrows[0][-1] == "Kontakte"
    assert xrows[2][0] == "Beta Pflege gGmbH"
    assert xrows[2][-1] == "bewerbung@beta.example"
    assert xrows[2][10] == 75.0
    details = [e.detail for e in await _audit(db_session)]
    assert sorted(details) == ["Export Mitglieder CSV", "Export Mitglieder XLSX mit Kontaktdaten"]
    assert all(e.profile_id is None for e in await _audit(db_session))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_figures_export_has_the_dashboard_numbers(
    observer_client: AsyncTestClient[Litestar], network: Network, fmt: str
) -> None:
    response = await observer_client.get(f"{BASE}/figures.{fmt}?from=2025-03-01&to=2025-03-31")
    assert response.status_code == 200
    rows = _csv(response.content) if fmt == "csv" else [[str(v) for v in r] for r in _xlsx(response.content)]
    assert rows[0] == ["Bereich", "Kennzahl", "Wert"]
    values = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert values[("Auswahl", "Filter")] == "01.03.2025 bis 31.03.2025"
    assert values[("Versand", "Versandrunden")] == "1"
    assert values[("Einstellungen", "Vermittelte Profile")] == "2"
    median = values[("Einstellungen", "Freigabe bis Einstellung, Median (Tage)")]
    assert median == ("50,5" if fmt == "csv" else "50.5")
    assert values[("Einstellungen pro Monat", "03/2025")] == "2"
    assert values[("Vermittlungen (erreichte Stufe)", "Vorstellungsgespräch")] == "1"

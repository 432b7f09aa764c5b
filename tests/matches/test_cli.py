"""Command line: ``occupations classify`` (stdin → JSON lines), ``coverage`` on CSV files, ``reclassify``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.employers.models import Position
from jobfuerzwei.matches.reclassify import reclassify_all
from jobfuerzwei.matching.catalogue import load_catalogue
from jobfuerzwei.profiles.models import Profile
from tests.circulation.helpers import make_member, make_profile


def _run(args: list[str], stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JFZ_DATA_DIR": str(cwd or Path.cwd())}
    return subprocess.run(
        [sys.executable, "-m", "jobfuerzwei", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_classify_prints_one_json_object_per_title(tmp_path: Path) -> None:
    result = _run(["occupations", "classify"], "Erzieher/in (m/w/d)\n\nSoftware Developer\n", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["input"] for line in lines] == ["Erzieher/in (m/w/d)", "Software Developer"]
    for line in lines:
        assert 1 <= len(line["matches"]) <= 5
        assert set(line["matches"][0]) >= {"esco_uri", "label", "isco_group", "score"}
        scores = [m["score"] for m in line["matches"]]
        assert scores == sorted(scores, reverse=True)
    assert lines[0]["matches"][0]["isco_group"] == "C2342"  # pre-school teachers
    assert lines[1]["matches"][0]["isco_group"].startswith("C251")  # software developers


def test_coverage_command_reads_csv_files_and_prints_the_share(tmp_path: Path) -> None:
    needs = tmp_path / "needs.csv"
    pool = tmp_path / "pool.csv"
    needs.write_text(
        "id,member,title,skills,postcode\n"
        "n1,Kliniken Ostalb,Pflegefachkraft,Intensivpflege,73430\n"
        "n2,Maschinenbau Aalen,Industriemechaniker (m/w/d),CNC,73430\n"
        "n3,Gasthof Adler,Koch,,73430\n",
        encoding="utf-8",
    )
    pool.write_text(
        "id,occupations,skills,postcode,radius_km\n"
        "p1,Pflegefachkraft,Intensivpflege,73430,30\n"
        "p2,Industriemechanikerin,CNC,73447,30\n",
        encoding="utf-8",
    )

    summary = _run(["coverage", "--needs", str(needs), "--pool", str(pool), "--threshold", "50"], cwd=tmp_path)
    assert summary.returncode == 0, summary.stderr
    assert summary.stdout.startswith("2 of 3 needs (66.7 %) can be filled")

    as_csv = _run(["coverage", "--needs", str(needs), "--pool", str(pool), "--csv"], cwd=tmp_path)
    assert as_csv.returncode == 0, as_csv.stderr
    assert as_csv.stdout.splitlines()[0].startswith("need_id,member,title,filled")

    pool.write_text("id,occupations,radius_km\np1,Pflegefachkraft,dreißig\n", encoding="utf-8")
    bad = _run(["coverage", "--needs", str(needs), "--pool", str(pool)], cwd=tmp_path)
    assert bad.returncode == 2
    assert "line 2" in bad.stderr


async def test_reclassify_fills_the_codes_of_stored_titles(db_session: AsyncSession) -> None:
    member = await make_member(db_session, "Kliniken Ostalb")
    db_session.add(Position(member_id=member.id, title="Koch (m/w/d)"))
    profile = await make_profile(db_session, occupations=["Pflegefachkraft", "Quatschberuf xyz"])
    await db_session.commit()
    # as after the upgrade that introduced the codes: nothing classified yet
    await db_session.execute(update(Profile).values(occupation_uris=[]))
    await db_session.execute(update(Position).values(esco_uri=None))
    await db_session.commit()

    count = await reclassify_all(db_session)
    await db_session.commit()

    assert count == 3
    stored = await db_session.scalar(
        select(Profile).where(Profile.id == profile.id).execution_options(populate_existing=True)
    )
    assert stored is not None
    assert len(stored.occupation_uris) == 2
    assert stored.occupation_uris[0]  # Pflegefachkraft: a catalogue occupation
    assert stored.occupation_uris[1] == ""  # nonsense stays unclassified (matched by text)
    position = await db_session.scalar(select(Position).execution_options(populate_existing=True))
    assert position is not None
    koch = load_catalogue().get(position.esco_uri)
    assert koch is not None
    assert "Koch" in koch.label

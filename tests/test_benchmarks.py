"""The benchmarks still run: each one at a tiny size, as a process of its own, printing its figures.

Speed is not asserted here (that is what ``scripts/bench`` is for); these only keep the benchmarks from rotting
when the app changes under them (a login that needs a second factor broke the circulation benchmark once). They
build their own SQLite databases, so the PostgreSQL run of the suite skips them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    os.environ.get("JFZ_TEST_DB", "sqlite") != "sqlite", reason="the benchmarks use SQLite of their own"
)


@pytest.mark.parametrize(
    ("module", "args", "figures"),
    [
        ("circulate", ["--members", "20", "--rounds", "1"], ["mails/s", "ratio app / bare"]),
        ("circulate", ["--members", "20", "--rounds", "1", "--worker", "process"], ["ratio app / bare"]),
        ("ranking", ["--positions", "500", "--profiles", "3", "--matrix", "50"], ["speed-up", "score_matrix"]),
        ("coverage", ["--needs", "50", "--people", "50", "--rounds", "1"], ["needs filled"]),
        (
            "occupations",
            ["--titles", "100", "--baseline-titles", "20", "--rows", "60"],
            ["titles/s", "ratio classifier / baseline"],
        ),
    ],
)
def test_benchmark_runs_and_prints_its_figures(module: str, args: list[str], figures: list[str]) -> None:
    stdout = _run(module, args)
    for figure in figures:
        assert figure in stdout, stdout


def test_loop_benchmark_runs_every_flow_without_errors() -> None:
    # "--mix test" spreads the rarer flows evenly (CVs always, a third of the decisions rejections), so each
    # of them happens a few times in 15 s, not by luck
    args = ["--database", "sqlite", "--users", "4", "--seconds", "15", "--think", "0.1", "0.3", "--mix", "test"]
    stdout = _run("loop", args)
    for figure in ["loops completed", "POST /register", "p99 ms", "errors: 0"]:
        assert figure in stdout, stdout
    for counter in [
        r"registered \d+ \(with a CV (\d+)\)",  # the report's counts, and the sink's count of rejection mails
        r", rejected (\d+),",
        r"CVs downloaded in the portal (\d+)",
        r"by members in the portal (\d+)\)",
        r"rejection to the partner (\d+)[,)]",
    ]:
        found = re.search(counter, stdout)
        assert found, f"{counter!r} missing\n{stdout}"
        assert int(found.group(1)) > 0, f"{counter!r} is 0\n{stdout}"


def _run(module: str, args: list[str]) -> str:
    result = subprocess.run(  # our own interpreter and module
        [sys.executable, "-m", f"benchmarks.{module}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout

"""Benchmark: a national-size network on PostgreSQL, and page load from a second process.

Run: ``scripts/bench scale`` (generator and load; ``--scale 0.05`` for a quick look, ``--skip-generate`` to reuse
the data). Needs PostgreSQL (``JFZ_BENCH_PG_URL``, default the test server's ``jfz`` role) and ``wrk``
(``apt-get install wrk``; ``scripts/bench`` installs it when run as root).

1. **Generate** (``--scale 1``): 10,000 members with 20,000 contacts, 100,000 profiles in every status, a sending
   round for each circulated profile (about 750,000 recipients with their mail links and answers), about 250,000
   referrals with 1,000,000 referral events, and 2,000,000 outbox rows. Rows go in with ``COPY`` (asyncpg), then ``ANALYZE``.
2. **Load**: the app runs as production runs it (uvicorn, one process, no in-app worker); ``wrk`` from a second
   process on 127.0.0.1 opens 32 connections and requests one page kind at a time: the coordinator's results
   dashboard, the employer inbox, a coordinator profile page (random profiles). Each request carries what a browser
   sends after its first page: the login cookie, the CSRF cookie that page set, and ``Accept-Encoding: gzip, …``
   (the dashboard is measured once more without compression). The first request of each kind (nothing kept yet)
   is timed apart and reported below the table. In the same run, the same ``wrk``
   measures a bare Litestar app that renders a Jinja page of the same layout without a database: the framework's
   raw page rate on this machine. Printed: requests/s, p50/p95/p99, errors, and each page's share of the raw rate.
   Targets (issue 6): dashboard and inbox at least 0.5 of the raw rate, p99 under 100 ms, no errors.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import asyncpg

from jobfuerzwei.db.engine import migrate
from jobfuerzwei.tokens.services import hash_token

PG_URL = os.environ.get("JFZ_BENCH_PG_URL", "postgresql://jfz:jfz@127.0.0.1:5432/jfz_scale")
SECTORS = ("Maschinenbau", "Gesundheit", "Handel", "Logistik", "IT", "Öffentlicher Dienst", "Bau", "Bildung")
TOWNS = tuple(f"Stadt {i:03d}" for i in range(300))
OCCUPATIONS = (
    "Industriemechaniker",
    "Pflegefachkraft",
    "Softwareentwickler",
    "Erzieherin",
    "Elektroniker",
    "Kaufmann im Einzelhandel",
    "Fachkraft für Lagerlogistik",
    "Bauingenieurin",
    "Steuerfachangestellte",
)
STATUSES = (
    ("approved", 0.55),
    ("placed", 0.10),
    ("confirmed", 0.10),
    ("paused", 0.05),
    ("withdrawn", 0.05),
    ("rejected", 0.05),
    ("unconfirmed", 0.05),
    ("merged", 0.05),
)
_FIRST = (
    "Anna Bernd Clara David Emine Felix Greta Hakan Ines Jonas Katrin Lukas Maria Nils Olga Paul Rana Sven Tanja Uwe"
    " Vera Wim Yusuf Zoe Ahmet Birgit Carlos Dana Erik Fatma Georg Hanna Ivan Julia Kemal Lea Marek Nina Oskar Petra"
)
_LAST = (
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf Schröder"
    " Neumann Schwarz Braun Zimmermann Krüger Hofmann Hartmann Lange Schmitt Werner Krause Meier Lehmann Yilmaz Kaya"
    " Demir Nowak Kowalski Popescu Rossi Garcia Novak Horvat Ivanova Petrov"
)
FIRST_NAMES, LAST_NAMES = tuple(_FIRST.split()), tuple(_LAST.split())
"""1,600 names: a few partners share a name and a place, as in a real network (duplicate hints)."""
STAGES = ("interested", "in_contact", "interview", "offer", "hired")
NOW = dt.datetime.now(dt.UTC)
LINK_DAYS = dt.timedelta(days=30)


def _ts(days_ago: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days_ago)


def _chunks(rows: Iterator[tuple[Any, ...]], size: int = 100_000) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def _copy(conn: asyncpg.Connection, table: str, columns: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> int:
    count = 0
    for chunk in _chunks(rows):
        await conn.copy_records_to_table(table, records=chunk, columns=list(columns))
        count += len(chunk)
    return count


class World:
    """Ids shared between the tables, and the sessions the load test logs in with."""

    def __init__(self, scale: float, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.members = [uuid.uuid4() for _ in range(max(20, int(10_000 * scale)))]
        self.contacts = {m: (uuid.uuid4(), uuid.uuid4()) for m in self.members}
        self.profiles = max(100, int(100_000 * scale))
        self.profile_ids = [uuid.uuid4() for _ in range(self.profiles)]
        self.outbox_rows = max(1_000, int(2_000_000 * scale))
        self.target_events = max(1_000, int(1_000_000 * scale))
        self.busy_member = self.members[0]
        """The member whose contact the load test logs in as (it receives many profiles)."""
        self.staff_token = secrets.token_urlsafe(32)
        self.portal_token = secrets.token_urlsafe(32)


async def generate(url: str, scale: float) -> World:
    """Fill an empty, migrated database; returns the world with its login tokens."""
    world = World(scale)
    conn = await asyncpg.connect(url)
    started = time.monotonic()
    try:
        await conn.execute("SET synchronous_commit = off")
        staff_id = await _people(conn, world)
        profile_status = await _profiles(conn, world)
        await _activity(conn, world, staff_id, profile_status)
        await _outbox(conn, world)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    print(f"generated in {time.monotonic() - started:.0f} s", flush=True)
    return world


async def _people(conn: asyncpg.Connection, world: World) -> uuid.UUID:
    """A coordinator and a portal contact with live sessions, the members and their contacts."""
    staff_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO staff_users (id, email, name, password_hash, is_active, role, created_at, updated_at) "
        "VALUES ($1, 'last@ihk.example', 'Last', '!', true, 'coordinator', now(), now())",
        staff_id,
    )
    await conn.execute(
        "INSERT INTO staff_sessions (id, token_hash, staff_id, expires_at, verified, created_at, updated_at) "
        "VALUES ($1, $2, $3, now() + interval '1 day', true, now(), now())",
        uuid.uuid4(),
        hash_token(world.staff_token),
        staff_id,
    )
    n = await _copy(
        conn,
        "members",
        (
            "id",
            "name",
            "sector",
            "municipality",
            "postcode",
            "interests",
            "open_positions",
            "is_active",
            "joined_at",
            "created_at",
            "updated_at",
        ),
        (
            (
                m,
                f"Mitglied {i:05d} GmbH",
                SECTORS[i % len(SECTORS)],
                TOWNS[i % len(TOWNS)],
                f"{70000 + i % 9999}",
                "",
                "",
                True,
                _ts(900),
                _ts(900),
                _ts(900),
            )
            for i, m in enumerate(world.members)
        ),
    )
    print(f"members {n:,}", flush=True)
    await _copy(
        conn,
        "member_contacts",
        ("id", "member_id", "email", "name", "mail_mode", "password_hash", "created_at", "updated_at"),
        (
            (c, m, f"kontakt{j}-{i}@mitglied.example", "Personal", "each", "!", _ts(900), _ts(900))
            for i, m in enumerate(world.members)
            for j, c in enumerate(world.contacts[m])
        ),
    )
    await conn.execute(
        "INSERT INTO employer_sessions (id, token_hash, contact_id, expires_at, is_verified, created_at, updated_at)"
        " VALUES ($1, $2, $3, now() + interval '1 day', true, now(), now())",
        uuid.uuid4(),
        hash_token(world.portal_token),
        world.contacts[world.busy_member][0],
    )
    return staff_id


async def _profiles(conn: asyncpg.Connection, world: World) -> list[str]:
    """The profiles in every status; returns each one's status (by index)."""
    rng = world.rng
    statuses = [s for s, share in STATUSES for _ in range(int(share * 100))]
    profile_status = [statuses[i % len(statuses)] for i in range(world.profiles)]
    rng.shuffle(profile_status)

    def profiles() -> Iterator[tuple[Any, ...]]:
        for i, pid in enumerate(world.profile_ids):
            status = profile_status[i]
            residence = rng.choice(TOWNS)
            created = _ts(rng.uniform(1, 1000))
            occupations = json.dumps([rng.choice(OCCUPATIONS)])
            approved = created + dt.timedelta(days=3) if status in {"approved", "placed", "paused"} else None
            placed = approved + dt.timedelta(days=rng.uniform(20, 120)) if status == "placed" and approved else None
            yield (
                pid,
                i + 1,
                "partner" if i % 10 else "job_to_job",
                status,
                "Anna Anwerbung",
                f"anwerbung{i}@example.org",
                rng.choice(world.members),
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                f"partner{i}@example.org",
                "",
                residence,
                occupations,
                "[]",
                "apprenticeship",
                5,
                "",
                json.dumps(["CNC", "SAP"]),
                json.dumps([{"language": "Deutsch", "level": "C1"}]),
                "either",
                "[]",
                "",
                "",
                "",
                created,
                created,
                approved,
                placed,
                created,
                created,
                created,
                f"partner{i}@example.org",  # the duplicate-detection keys the app sets on every flush
                residence.casefold(),
            )

    n = await _copy(
        conn,
        "profiles",
        (
            "id",
            "number",
            "kind",
            "status",
            "applicant_name",
            "applicant_email",
            "recruiting_member_id",
            "partner_name",
            "partner_email",
            "partner_phone",
            "residence",
            "occupations",
            "occupation_uris",
            "qualification",
            "experience_years",
            "summary",
            "skills",
            "languages",
            "working_time",
            "work_municipalities",
            "work_postcode",
            "notes",
            "rejected_reason",
            "applicant_consented_at",
            "confirmed_at",
            "approved_at",
            "placed_at",
            "last_activity_at",
            "created_at",
            "updated_at",
            "email_key",
            "place_key",
        ),
        profiles(),
    )
    print(f"profiles {n:,}", flush=True)
    return profile_status


async def _activity(conn: asyncpg.Connection, world: World, staff_id: uuid.UUID, profile_status: list[str]) -> None:
    """A sending round per circulated profile with ten recipients and their answers; referrals with events."""
    rng = world.rng
    circulated = [
        (pid, i) for i, pid in enumerate(world.profile_ids) if profile_status[i] in {"approved", "placed", "paused"}
    ]
    circulations = [(uuid.uuid4(), pid, i) for pid, i in circulated]
    await _copy(
        conn,
        "circulations",
        ("id", "profile_id", "staff_id", "recipient_count", "created_at", "updated_at"),
        ((cid, pid, staff_id, 10, _ts(300), _ts(300)) for cid, pid, _ in circulations),
    )
    interested: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]] = []
    links: list[tuple[Any, ...]] = []

    def recipients() -> Iterator[tuple[Any, ...]]:
        for cid, pid, _ in circulations:
            chosen = {world.busy_member} if rng.random() < 0.02 else set()
            while len(chosen) < 10:
                chosen.add(rng.choice(world.members))
            sent = _ts(rng.uniform(5, 600))
            for member in chosen:
                rid = uuid.uuid4()
                roll = rng.random()
                answer = "interested" if roll < 0.33 else ("no_fit" if roll < 0.7 else None)
                answered = sent + dt.timedelta(hours=rng.uniform(2, 200)) if answer else None
                if answer == "interested":
                    interested.append((rid, pid, member))
                # the mail link of each recipient: 30 days to answer (the portal keeps the same window)
                links.append((uuid.uuid4(), secrets.token_hex(32), "employer", pid, rid, sent + LINK_DAYS, sent, sent))
                yield (rid, cid, pid, member, 55.0, "[]", answer, answered, sent, sent)

    n = await _copy(
        conn,
        "circulation_recipients",
        (
            "id",
            "circulation_id",
            "profile_id",
            "member_id",
            "score",
            "matched_terms",
            "answer",
            "answered_at",
            "created_at",
            "updated_at",
        ),
        recipients(),
    )
    print(f"circulation recipients {n:,}", flush=True)
    n = await _copy(
        conn,
        "link_tokens",
        ("id", "token_hash", "purpose", "profile_id", "recipient_id", "expires_at", "created_at", "updated_at"),
        iter(links),
    )
    print(f"employer links {n:,}", flush=True)
    events_per_referral = max(1, round(world.target_events / max(1, len(interested))))
    referral_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    for rid, pid, member in interested:
        ref = uuid.uuid4()
        depth = min(len(STAGES), 1 + rng.randrange(events_per_referral + 2))
        start = _ts(rng.uniform(5, 500))
        state = STAGES[depth - 1]
        referral_rows.append((ref, pid, member, rid, state, depth, "pending", start, start))
        previous = None
        for k in range(max(depth, events_per_referral)):
            to_state = STAGES[min(k, depth - 1)]
            at = start + dt.timedelta(days=k * 3)
            event_rows.append((uuid.uuid4(), ref, previous, to_state, "employer", "", at, at))
            previous = to_state
    n = await _copy(
        conn,
        "referrals",
        (
            "id",
            "profile_id",
            "member_id",
            "recipient_id",
            "state",
            "reached_stage",
            "contact_release",
            "created_at",
            "updated_at",
        ),
        iter(referral_rows),
    )
    print(f"referrals {n:,}", flush=True)
    n = await _copy(
        conn,
        "referral_events",
        ("id", "referral_id", "from_state", "to_state", "actor", "note", "created_at", "updated_at"),
        iter(event_rows),
    )
    print(f"referral events {n:,}", flush=True)


async def _outbox(conn: asyncpg.Connection, world: World) -> None:
    """Sent mails (small bodies): the outbox of a few years."""
    rng = world.rng

    def outbox() -> Iterator[tuple[Any, ...]]:
        for i in range(world.outbox_rows):
            at = _ts(rng.uniform(1, 700))
            yield (
                uuid.uuid4(),
                f"<{uuid.uuid4().hex}@jobfuerzwei.example>",
                "profile_circulated",
                rng.choice(world.profile_ids),
                f"kontakt0-{i % 9999}@mitglied.example",
                "Profil JFZ",
                "Guten Tag, ein Profil.",
                "<p>Guten Tag, ein Profil.</p>",
                "{}",
                "",
                "sent",
                1,
                at,
                at,
                "",
                at,
                at,
            )

    n = await _copy(
        conn,
        "outbox",
        (
            "id",
            "message_id",
            "template",
            "profile_id",
            "to_addr",
            "subject",
            "body_text",
            "body_html",
            "fill",
            "headers",
            "status",
            "attempts",
            "next_attempt_at",
            "sent_at",
            "last_error",
            "created_at",
            "updated_at",
        ),
        outbox(),
    )
    print(f"outbox {n:,}", flush=True)


# --- load ------------------------------------------------------------------------------------------------------------

LUA = """
local paths = {}
for line in io.lines(os.getenv("JFZ_PATHS")) do paths[#paths + 1] = line end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f %d\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.duration))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(app: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(  # our own interpreter and module
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310  # loopback
                return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(log.read_text()[-2000:])


def _probe(url: str, cookie: str) -> tuple[int, float, str]:
    """Status, milliseconds and CSRF cookie of one request: the first of a page kind, before anything is kept.

    A browser sends the CSRF cookie of its first page back with every later request; the load does the same.
    """
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310  # loopback
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            status, headers = int(response.status), response.headers
    except urllib.error.HTTPError as exc:
        status, headers = int(exc.code), exc.headers
    elapsed = (time.perf_counter() - started) * 1000
    jar = SimpleCookie()
    for header in headers.get_all("Set-Cookie") or []:
        jar.load(header)
    csrf = jar.get("csrftoken")
    return status, elapsed, f"csrftoken={csrf.value}" if csrf else ""


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


BROWSER = "gzip, deflate, br, zstd"
"""The ``Accept-Encoding`` a browser sends (Chromium, Firefox): every request of the load has it, the raw page's too."""


def _wrk(
    base: str,
    paths: list[str],
    *,
    cookie: str,
    seconds: int,
    connections: int,
    tmp: Path,
    accept_encoding: str = BROWSER,
) -> dict[str, float]:
    script = tmp / "paths.lua"
    script.write_text(LUA)
    listing = tmp / "paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    # warm-up, then the measured run
    for duration in (3, seconds):
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout",
                "5s",
                "-s",
                str(script),
                "-H",
                f"Cookie: {cookie}",
                "-H",
                f"Accept-Encoding: {accept_encoding}",
                base,
            ],  # wrk from the PATH
            env={**os.environ, "JFZ_PATHS": str(listing)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    if os.environ.get("JFZ_BENCH_DEBUG"):
        print(out)
    found = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", out)
    if found is None:
        raise RuntimeError(out)
    requests, errors, p50, p95, p99, micros = found.groups()
    return {
        "rps": int(requests) / (int(micros) / 1e6),
        "errors": int(errors),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
    }


def load(url: str, world_tokens: dict[str, str], seconds: int, connections: int) -> None:
    """Start the app and the raw baseline and measure each page kind."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (scripts/bench does it when run as root)")
    profile_ids = asyncio.run(_some_profiles(url))
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = {
            **os.environ,
            "JFZ_ENV": "production",
            "JFZ_DATABASE_URL": url.replace("postgresql://", "postgresql+asyncpg://"),
            "JFZ_SECRET_KEY": "b" * 48,
            "JFZ_BASE_URL": "http://127.0.0.1",
            "JFZ_ALLOWED_HOSTS": "127.0.0.1",
            "JFZ_SMTP_HOST": "127.0.0.1",
            "JFZ_WORKER_IN_APP": "false",
            "JFZ_DATA_DIR": str(tmp / "data"),
        }
        raw, raw_base = _serve("benchmarks.raw_page:create_raw_app", env, tmp / "raw.log")
        try:
            csrf = _probe(raw_base + "/", "")[2]
            baseline = _wrk(raw_base, ["/"], cookie=csrf, seconds=seconds, connections=connections, tmp=tmp)
        finally:
            _stop(raw)
        app, base = _serve("jobfuerzwei.app:create_app", env, tmp / "app.log")
        cookie = f"jfz_session={world_tokens['staff']}; jfz_portal={world_tokens['portal']}"
        kinds: dict[str, tuple[list[str], str]] = {
            "dashboard (/coordinator/results)": (["/coordinator/results"], BROWSER),
            "dashboard, not compressed": (["/coordinator/results"], "identity"),
            "employer inbox (/portal)": (["/portal"], BROWSER),
            "profile page (/coordinator/profiles/…)": ([f"/coordinator/profiles/{p}" for p in profile_ids], BROWSER),
        }
        results = {}
        first: dict[str, float] = {}
        for name, (paths, _encoding) in kinds.items():
            status, first[name], csrf = _probe(base + paths[0], cookie)
            if status != 200:
                _stop(app)
                raise SystemExit(f"{name}: GET {paths[0]} answered {status}; see {tmp / 'app.log'}")
            cookie = f"{cookie}; {csrf}" if csrf and "csrftoken=" not in cookie else cookie
        try:
            for name, (paths, encoding) in kinds.items():
                results[name] = _wrk(
                    base,
                    paths,
                    cookie=cookie,
                    seconds=seconds,
                    connections=connections,
                    tmp=tmp,
                    accept_encoding=encoding,
                )
        finally:
            _stop(app)
    print(f"\nwrk: {connections} connections, {seconds} s per page kind, one app process, 127.0.0.1")
    row = "{:<40} {:>9} {:>8} {:>8} {:>8} {:>7} {:>9}"
    print(row.format("page", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "of raw"))
    for name, r in [("raw Jinja page (no database)", baseline), *results.items()]:
        print(
            row.format(
                name,
                f"{r['rps']:.0f}",
                f"{r['p50']:.1f}",
                f"{r['p95']:.1f}",
                f"{r['p99']:.1f}",
                int(r["errors"]),
                f"{r['rps'] / baseline['rps']:.2f}",
            )
        )
    print("targets: dashboard and inbox >= 0.50 of raw, p99 < 100 ms, 0 errors")
    print("first request of each kind (nothing kept yet; not in the figures above):")
    for name, ms in first.items():
        if name == "dashboard, not compressed":
            continue
        print(f"  {name:<38} {ms:8.0f} ms")


async def _some_profiles(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT id FROM profiles WHERE status = 'approved' ORDER BY number LIMIT 500")
    finally:
        await conn.close()
    return [str(r["id"]) for r in rows]


async def _recreate(url: str) -> None:
    admin, name = url.rsplit("/", 1)
    conn = await asyncpg.connect(f"{admin}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _tokens(url: str) -> dict[str, str]:
    """Fresh login sessions in existing data (``--skip-generate``)."""
    staff, portal = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO staff_sessions (id, token_hash, staff_id, expires_at, verified, created_at, updated_at) "
            "SELECT $1, $2, id, now() + interval '1 day', true, now(), now() FROM staff_users LIMIT 1",
            uuid.uuid4(),
            hash_token(staff),
        )
        await conn.execute(
            "INSERT INTO employer_sessions (id, token_hash, contact_id, expires_at, is_verified, created_at, updated_at)"
            " SELECT $1, $2, c.id, now() + interval '1 day', true, now(), now() FROM member_contacts c"
            " JOIN members m ON m.id = c.member_id ORDER BY m.name, c.email LIMIT 1",
            uuid.uuid4(),
            hash_token(portal),
        )
    finally:
        await conn.close()
    return {"staff": staff, "portal": portal}


def main(argv: Sequence[str] | None = None) -> None:
    """Generate (unless skipped) and load."""
    parser = argparse.ArgumentParser(prog="benchmarks.scale")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100,000 profiles (default)")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the data of an earlier run")
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per page kind")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args(argv)
    url = PG_URL
    if args.skip_generate:
        tokens = asyncio.run(_tokens(url))
    else:
        asyncio.run(_recreate(url))
        migrate(url.replace("postgresql://", "postgresql+asyncpg://"))
        world = asyncio.run(generate(url, args.scale))
        tokens = {"staff": world.staff_token, "portal": world.portal_token}
    load(url, tokens, args.seconds, args.connections)


if __name__ == "__main__":
    main()

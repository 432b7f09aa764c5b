"""Benchmark: circulate one profile to N members through a real aiosmtpd sink, against a bare aiosmtplib loop.

Run: ``scripts/bench`` (or ``.venv/bin/python -m benchmarks.circulate [--members 1000] [--rounds 3]``).

Timed window for the app: from the coordinator's POST "Senden" (ranking page already loaded) to the sink accepting
the last mail; it covers the request (recipients, tokens, rendering, outbox rows, commit) and the in-app outbox
worker (claim, build MIME, SMTP over reused connections, marking each row sent). The baseline, in the same run and
against the same sink, sends N pre-built messages over the same number of reused aiosmtplib connections.

The baseline's messages are the app's own: an untimed warm-up circulation runs first and the sink keeps the bytes
it received. A profile mail is about 5 KB in 113 lines; the sink (aiosmtpd) reads a message line by line, so a
smaller synthetic message would make the sink, not the app, the difference. The synthetic 2.9 KB loop is printed
too, for comparison with earlier runs.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.controller import Controller
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import async_sessionmaker

from jobfuerzwei.app import create_app
from jobfuerzwei.config import DatabaseSettings, MailSettings, SecuritySettings, Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.engine import create_engine, migrate
from jobfuerzwei.db.models import Member, MemberContact, Position, Profile, ProfilePermission, ProfileStatus
from jobfuerzwei.heap import tune_gc
from jobfuerzwei.mail.messages import build_mime
from jobfuerzwei.mail.sink import quiet_aiosmtpd
from jobfuerzwei.staff.services import create_staff, start_session
from jobfuerzwei.web.auth import SESSION_COOKIE


class _Handler:
    def __init__(self, counter: Any, capture: Any, captured: Any) -> None:
        self.counter = counter
        self.capture = capture
        self.captured = captured

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.capture.value:
            self.captured.put(bytes(envelope.original_content))
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 OK"


def _serve_sink(port: int, counter: Any, capture: Any, captured: Any, ready: Any) -> None:
    quiet_aiosmtpd()
    controller = Controller(_Handler(counter, capture, captured), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    threading.Event().wait()


class CountingSink:
    """An aiosmtpd sink in a process of its own (like a real mail server: it must not share our GIL).

    ``wait_for(n)`` returns the time at which the n-th message was accepted (polled every 2 ms). Between
    ``start_capture`` and ``stop_capture`` it keeps the bytes of the messages it accepts.
    """

    def __init__(self, port: int) -> None:
        ctx = multiprocessing.get_context("fork")
        self.counter = ctx.Value("i", 0)
        self.capture = ctx.Value("b", 0)
        self.captured = ctx.Queue()
        ready = ctx.Event()
        self.process = ctx.Process(
            target=_serve_sink, args=(port, self.counter, self.capture, self.captured, ready), daemon=True
        )
        self.process.start()
        if not ready.wait(30):
            raise RuntimeError("sink did not start")

    def reset(self) -> None:
        with self.counter.get_lock():
            self.counter.value = 0

    def wait_for(self, n: int, timeout: float = 300) -> float:
        deadline = time.perf_counter() + timeout
        while self.counter.value < n:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"only {self.counter.value} of {n} mails arrived")
            time.sleep(0.002)
        return time.perf_counter()

    def start_capture(self) -> None:
        self.capture.value = 1

    def stop_capture(self, n: int) -> list[bytes]:
        """Stop keeping messages; the ``n`` kept ones."""
        self.capture.value = 0
        return [self.captured.get(timeout=60) for _ in range(n)]

    def stop(self) -> None:
        self.process.kill()
        self.process.join()


request_times: list[float] = []


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def seed(maker: async_sessionmaker[Any], members: int, profiles: int) -> tuple[list[Any], str]:
    now = utcnow()
    async with maker() as session, session.begin():
        staff = await create_staff(session, "bench@example.org", "bench-password-123")
        rows = []
        for i in range(members):
            m = Member(
                name=f"Mitglied {i:04d} GmbH",
                sector="Industrie",
                municipality="Aalen",
                postcode="73430",
                interests="Pflegefachkraft\nIndustriemechaniker\nSachbearbeitung Lohnbuchhaltung",
                positions=[Position(title="Elektroniker für Betriebstechnik")],
                joined_at=now,
            )
            m.contacts = [MemberContact(email=f"kontakt{i}@member{i}.example")]
            rows.append(m)
        session.add_all(rows)
        await session.flush()
        profile_ids = []
        for p in range(profiles):
            profile = Profile(
                number=p + 1,
                status=ProfileStatus.APPROVED,
                applicant_name="Bench Applicant",
                applicant_email="applicant@example.org",
                partner_name="Bench Partner",
                partner_email=f"partner{p}@example.org",
                residence="Aalen",
                occupations=["Pflegefachkraft"],
                qualification="apprenticeship",
                experience_years=5,
                summary="Erfahrene Pflegefachkraft.",
                skills=["Intensivpflege", "Dokumentation"],
                languages=[{"language": "Deutsch", "level": "C1"}],
                working_time="either",
                applicant_consented_at=now,
                confirmed_at=now,
                approved_at=now,
                last_activity_at=now,
            )
            profile.permissions = [ProfilePermission(member_id=m.id, is_allowed=True, decided_at=now) for m in rows]
            session.add(profile)
            await session.flush()
            profile_ids.append(profile.id)
        token = await start_session(session, staff, hours=2, verified=True)
    return profile_ids, token


async def app_round(client: AsyncTestClient[Any], sink: CountingSink, profile_id: Any, members: int) -> float:
    page = await client.get(f"/coordinator/profiles/{profile_id}/circulate")
    page.raise_for_status()
    csrf = client.cookies.get("csrftoken") or re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    ids = re.findall(r'name="member_id" value="([0-9a-f-]{36})"', page.text)
    assert len(ids) == members, f"circulation page lists {len(ids)} selectable members"
    body = {"_csrf_token": csrf, "member_id": ids}
    sink.reset()
    t0 = time.perf_counter()
    response = await client.post(f"/coordinator/profiles/{profile_id}/circulate", data=body, follow_redirects=False)
    assert response.status_code in (200, 303), response.status_code
    request_times.append(time.perf_counter() - t0)
    t1 = await asyncio.to_thread(sink.wait_for, members)
    return t1 - t0


def synthetic_messages(n: int) -> list[bytes]:
    """The earlier baseline's messages: 2.9 KB in 50 lines each."""
    now = dt.datetime.now(dt.UTC)
    return [
        build_mime(
            sender="noreply@jobfuerzwei.example",
            to=f"kontakt{i}@member{i}.example",
            subject=f"Neues Profil JFZ-{i:04d}",
            text="Guten Tag,\n" + "Profiltext " * 80,
            html="<p>Guten Tag,</p>" + "<p>Profiltext</p>" * 80,
            message_id=f"<bench{i}@example.org>",
            date=now,
        )
        for i in range(n)
    ]


async def bare_round(port: int, sink: CountingSink, messages: list[bytes], connections: int) -> float:
    n = len(messages)
    clients = [aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False) for _ in range(connections)]
    for c in clients:
        await c.connect()
    sink.reset()
    t0 = time.perf_counter()

    async def lane(c: aiosmtplib.SMTP, part: list[bytes]) -> None:
        for i, raw in enumerate(part):
            await c.sendmail("noreply@jobfuerzwei.example", [f"x{i}@example.org"], raw)

    await asyncio.gather(*(lane(c, messages[k::connections]) for k, c in enumerate(clients)))
    t1 = await asyncio.to_thread(sink.wait_for, n)
    for c in clients:
        await c.quit()
    return t1 - t0


def start_worker_process(url: str, port: int, connections: int) -> subprocess.Popen[bytes]:
    """``jobfuerzwei worker`` as production runs it, polling every 20 ms."""
    env = {
        **os.environ,
        "JFZ_DATABASE_URL": url,
        "JFZ_SECRET_KEY": "b" * 48,
        "JFZ_BASE_URL": "http://testserver.local",
        "JFZ_SMTP_HOST": "127.0.0.1",
        "JFZ_SMTP_PORT": str(port),
        "JFZ_SMTP_STARTTLS": "false",
        "JFZ_SMTP_CONNECTIONS": str(connections),
        "JFZ_MAIL_BATCH_SIZE": "100",
        "JFZ_MAIL_POLL_SECONDS": "0.02",
    }
    return subprocess.Popen([sys.executable, "-m", "jobfuerzwei", "worker"], env=env, stderr=subprocess.DEVNULL)


async def main(members: int, rounds: int, connections: int, worker: str) -> None:
    quiet_aiosmtpd()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        await asyncio.to_thread(migrate, url)
        engine = create_engine(url)
        maker = async_sessionmaker(engine, expire_on_commit=False)
        profile_ids, token = await seed(maker, members, rounds + 1)  # the first one for the warm-up
        await engine.dispose()
        port = free_port()
        sink = CountingSink(port)
        settings = Settings(
            db=DatabaseSettings(url=url),
            mail=MailSettings(
                port=port,
                connections=connections,
                run_worker_in_app=worker == "app",
                poll_seconds=0.05,
                batch_size=100,
            ),
            security=SecuritySettings(secret_key="b" * 48, cookie_secure=False, rate_limit_per_minute=100_000),
            data_dir=Path(tmp),
            base_url="http://testserver.local",
        )
        app_times, bare_times, synthetic_times = [], [], []
        synthetic = synthetic_messages(members)
        process = start_worker_process(url, port, connections) if worker == "process" else None
        tune_gc()  # as `jobfuerzwei serve` does before it serves
        try:
            async with AsyncTestClient(app=create_app(settings), base_url="http://testserver.local") as client:
                client.cookies.set(SESSION_COOKIE, token)
                sink.start_capture()
                await app_round(client, sink, profile_ids[0], members)  # warm-up, untimed: the app's own mails
                own = sink.stop_capture(members)
                request_times.clear()
                for r in range(rounds):
                    synthetic_times.append(await bare_round(port, sink, synthetic, connections))
                    bare_times.append(await bare_round(port, sink, own, connections))
                    app_times.append(await app_round(client, sink, profile_ids[r + 1], members))
        finally:
            if process is not None:
                process.terminate()
                process.wait(10)
            sink.stop()
    app_rate = members / statistics.median(app_times)
    bare_rate = members / statistics.median(bare_times)
    where = "in-app worker task" if worker == "app" else "separate `jobfuerzwei worker` process"
    print(f"circulate {members} members, {connections} SMTP connections, {where}, SQLite, {rounds} rounds (median)")
    print(
        f"  app: POST 'Senden' -> last mail accepted: {statistics.median(app_times) * 1000:8.1f} ms  {app_rate:8.0f} mails/s"
    )
    print(
        f"  bare aiosmtplib loop, the app's mails pre-built: {statistics.median(bare_times) * 1000:8.1f} ms  "
        f"{bare_rate:8.0f} mails/s  ({statistics.median(len(m) for m in own):.0f} bytes each)"
    )
    synthetic_rate = members / statistics.median(synthetic_times)
    print(
        f"  bare loop, synthetic 2.9 KB messages (earlier baseline, for comparison): "
        f"{statistics.median(synthetic_times) * 1000:8.1f} ms  {synthetic_rate:8.0f} mails/s"
    )
    print(f"  of which the POST request itself: {statistics.median(request_times) * 1000:8.1f} ms")
    paired = statistics.median(b / a for a, b in zip(app_times, bare_times, strict=True))
    print(f"  ratio app / bare: {app_rate / bare_rate:.2f} of the medians, {paired:.2f} median of the rounds' ratios")
    print(f"  (against the synthetic loop: {app_rate / synthetic_rate:.2f})")
    print("  (target >= 0.70; each round times the bare loop and then the app back to back, so the rounds' ratio")
    print("   is robust against the machine's speed drifting between rounds)")
    print(
        f"  all rounds app ms: {[round(t * 1000) for t in app_times]}  bare ms: {[round(t * 1000) for t in bare_times]}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--worker", choices=["app", "process"], default="app", help="embedded default or production")
    args = parser.parse_args()
    asyncio.run(main(args.members, args.rounds, args.connections, args.worker))

"""Benchmark: simulated people run the whole loop against the served app for a while; every error is reported.

Run: ``scripts/bench loop`` (PostgreSQL, 50 users, 10 minutes) or
``.venv/bin/python -m benchmarks.loop --database sqlite --users 4 --seconds 20`` for a quick look.

The app runs as production runs it (uvicorn in a process of its own, ``JFZ_ENV=production``, the in-app outbox
worker sending over SMTP); the mail server is aiosmtpd in a third process writing each message into a Maildir,
which the load driver reads. Each simulated user is an asyncio task with its own ``httpx.AsyncClient`` (cookies,
CSRF token, its own address in ``X-Forwarded-For``: the app trusts 127.0.0.1 as its reverse proxy, so the
per-address rate limit of the public form and the logins applies per simulated person, as behind a real proxy).

- **Applicants** (about 60 %): register a partner profile (form with CSRF token; one in four attaches a small PDF
  CV, a multipart form); the partner waits for the confirmation mail, opens the link and consents; later, when a
  member's "Interesse" mail arrives for one of the partner's profiles, the partner opens the status page from the
  mail and releases the contact details.
- **Employers** (about 30 %, one contact per seeded member, with a portal password): answer new profile mails
  through the links in the mail ("Interesse" or "kein passendes Angebot", confirmation page, then the POST), and
  every third loop work in the portal instead: answer from the inbox, and move one of their referrals a step on
  with a note on the referral board. When a "Kontaktdaten freigegeben" mail came, they open half of those profiles
  in the portal and download the CV if there is one. They read the inbox and the referral board.
- **Coordinators** (about 10 %, password and second factor): approve confirmed profiles and circulate them to the
  members the ranking ticks in advance, or reject about one in eight with a reason; move referrals a step on (up
  to "hired"), read the dashboards.

``--mix test`` makes the rarer flows (rejections, CVs, portal moves) frequent enough to appear in a tiny run.

Every request is timed per kind. Errors are: any 5xx, any other unexpected status, timeouts, connection errors,
a mail that did not arrive within ``--mail-timeout`` (confirmation, profile mail to each chosen member, the
partner's "Interesse" mail, the member's "Kontaktdaten freigegeben" mail, the partner's rejection mail), a CV
download that is not the uploaded PDF as an attachment, a released profile with a CV whose portal page offers
none, records with ERROR or a traceback in the app's (or the sink's) log, and an app process that died. Outcomes
that races between users make legitimate are counted separately as domain outcomes: two coordinators deciding on
the same profile (approve or reject: 409, or both approvals pass and the second circulation gets 409), a referral
moved or closed by someone else meanwhile (by a coordinator or a member: 409), a mail link of a profile placed
meanwhile (410). A 5xx never is. Nothing is retried. The output holds counts and timings
only, no personal data (the data is generated anyway). Exit status 1 when there were errors.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import email.utils
import itertools
import logging
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
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pyotp
from sqlalchemy.ext.asyncio import async_sessionmaker

from benchmarks.scale import _free_port, _recreate, _serve, _stop
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.db.engine import create_engine, migrate
from jobfuerzwei.db.models import Member, MemberContact, Position
from jobfuerzwei.staff.services import create_staff, hash_password
from jobfuerzwei.web.twofactor import new_secret

if TYPE_CHECKING:
    from litestar import Litestar

PG_URL = os.environ.get("JFZ_BENCH_LOOP_PG_URL", "postgresql://jfz:jfz@127.0.0.1:5432/jfz_loop")
BASE_URL = "http://jobfuerzwei.loop.example"
"""``JFZ_BASE_URL`` of the served app: links in mails start with it; the driver turns them into paths."""
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
REF_RE = re.compile(r"JFZ-\d+")
LINK_RE = re.compile(r"https?://[^\s\"<>]+")
GROUPS = (
    # occupation the partners name, sector, the members' open position, the members' interests, skills
    ("Pflegefachkraft", "Gesundheit", "Pflegefachkraft Intensivstation", "Pflegefachkraft\nKrankenpfleger", "Pflege"),
    ("Industriemechaniker", "Maschinenbau", "Industriemechaniker Instandhaltung", "Industriemechaniker", "CNC"),
    ("Softwareentwickler", "IT", "Softwareentwickler Java", "Softwareentwickler\nFachinformatiker", "Java, SQL"),
    ("Erzieher", "Bildung", "Erzieher Kindertagesstätte", "Erzieher\nKinderpfleger", "Sprachförderung"),
    ("Elektroniker", "Handwerk", "Elektroniker für Betriebstechnik", "Elektroniker\nMechatroniker", "SPS"),
)
NEXT_STATE = {"interested": "in_contact", "in_contact": "interview", "interview": "offer", "offer": "hired"}
STATE_WEIGHTS = {"offer": 4, "interview": 3, "in_contact": 2, "interested": 1}
"""Coordinators look at later stages more often, so referrals reach "hired" within a run."""
REJECT_REASONS = (
    "Die Angaben zur Berufserfahrung reichen für eine Vermittlung nicht aus. Bitte melden Sie sich erneut an.",
    "Für den gewünschten Beruf haben unsere Mitglieder derzeit keinen Bedarf.",
    "Das Profil ist doppelt angemeldet; wir führen das ältere weiter.",
)
MOVE_NOTES = (
    "Telefonat geführt.",
    "Termin vereinbart.",
    "Rückmeldung an die Bewerberin geschickt.",
    "Gespräch lief gut.",
)


def tiny_pdf(size: int = 4096) -> bytes:
    """A valid one-page PDF of about ``size`` bytes (a comment pads it), with a correct cross-reference table."""
    stream = b"BT /F1 12 Tf 72 770 Td (Lebenslauf) Tj ET"
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    out += b"%" + b"x" * max(0, size - 700) + b"\n"
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


CV_PDF = tiny_pdf()
"""The CV some applicants attach: the app checks the ``%PDF-`` magic bytes and the size cap (5 MB)."""


@dataclass(frozen=True)
class Mix:
    """How often the rarer flows happen (shares of their occasions); the tiny test raises them to see each one."""

    interest_share: float = 0.6
    """Employers' answers that are "Interesse" (the others: "kein passendes Angebot")."""
    reject_share: float = 0.125
    """Coordinators' decisions that are a rejection with a reason instead of an approval."""
    cv_share: float = 0.25
    """Registrations that attach a PDF CV."""
    cv_download_share: float = 0.5
    """Profiles released to a member that the member opens in the portal to download the CV."""
    portal_every: int = 3
    """Employers work in the portal every n-th loop (answer there, move a referral)."""


MIXES = {
    "default": Mix(),
    # every flow within a dozen seconds: CVs always, a third rejected, more interest, the portal every other loop
    "test": Mix(interest_share=0.75, reject_share=1 / 3, cv_share=1.0, cv_download_share=1.0, portal_every=2),
}


class Share:
    """Picks ``share`` of the occasions, spread evenly: of any ``1 / share`` in a row, exactly one.

    The phase is random per user, so users do not all pick the same occasion; the count does not depend on luck,
    which keeps the tiny test's "each flow at least once" reliable.
    """

    def __init__(self, share: float, rng: random.Random) -> None:
        self.share = share
        self.level = rng.random()

    def pick(self) -> bool:
        before = self.level
        self.level += self.share
        return int(self.level) > int(before)


# --- measurements ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """One error: when (seconds into the run), which user role, which request kind, what happened."""

    at: float
    role: str
    kind: str
    detail: str


@dataclass
class Metrics:
    """Latencies per request kind, domain outcomes, errors and the loop's counters."""

    started: float = field(default_factory=time.monotonic)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    domain: Counter[tuple[str, int]] = field(default_factory=Counter)
    errors: list[Failure] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def fail(self, role: str, kind: str, detail: str) -> None:
        self.errors.append(Failure(time.monotonic() - self.started, role, kind, detail))


@dataclass
class Mail:
    """A received message: only what the driver needs."""

    to: str
    subject: str
    links: list[str]
    arrived: float
    is_taken: bool = False


def _path(link: str) -> str:
    """A mailed link as a path on the served app."""
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Mailbox:
    """The sink's Maildir, read every 100 ms; messages by recipient and by profile reference."""

    def __init__(self, directory: Path) -> None:
        self.new = directory / "new"
        self.cur = directory / "cur"
        for sub in (self.new, self.cur, directory / "tmp"):
            sub.mkdir(parents=True, exist_ok=True)
        self.by_to: dict[str, list[Mail]] = defaultdict(list)
        self.by_ref: dict[str, list[Mail]] = defaultdict(list)
        self.kinds: Counter[str] = Counter()
        self.unreadable = 0

    def _read(self) -> list[tuple[str, bytes]]:
        found = []
        for entry in os.scandir(self.new):
            raw = Path(entry.path).read_bytes()
            Path(entry.path).rename(self.cur / entry.name)
            found.append((entry.name, raw))
        return found

    def _add(self, raw: bytes, arrived: float) -> None:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        if body is None:
            self.unreadable += 1
            return
        text = str(body.get_content())
        to = email.utils.parseaddr(str(message["To"] or ""))[1].lower()
        mail = Mail(to=to, subject=str(message["Subject"] or ""), links=LINK_RE.findall(text), arrived=arrived)
        self.by_to[to].append(mail)
        ref = REF_RE.search(mail.subject)
        if ref:
            self.by_ref[ref.group(0)].append(mail)
        self.kinds[_mail_kind(mail.subject)] += 1

    async def poll(self) -> None:
        for _name, raw in await asyncio.to_thread(self._read):
            self._add(raw, time.monotonic())

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.poll()
            await asyncio.sleep(0.1)

    def take(self, to: str, subject_part: str) -> list[Mail]:
        """Mails to ``to`` with ``subject_part`` in the subject that nobody has taken yet (now taken)."""
        found = [m for m in self.by_to.get(to, []) if not m.is_taken and subject_part in m.subject]
        for mail in found:
            mail.is_taken = True
        return found

    async def wait(self, to: str, subject_part: str, seconds: float) -> Mail | None:
        deadline = time.monotonic() + seconds
        while True:
            found = self.take(to, subject_part)
            if found:
                return found[0]
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(0.1)

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


MAIL_KINDS = (
    ("Bitte bestätigen", "partner confirmation"),
    ("Neues Profil", "profile to a member"),
    ("Interesse an Ihrem Profil", "interest to the partner"),
    ("Kontaktdaten zu Profil", "contact release to the member"),
    ("Ihr Profil", "rejection to the partner"),
    ("Job für Zwei: Wochenübersicht", "coordinators' weekly digest"),
)
"""Subject prefix → kind of mail, for the sink's counts."""


def _mail_kind(subject: str) -> str:
    return next((kind for prefix, kind in MAIL_KINDS if subject.startswith(prefix)), "other")


@dataclass(frozen=True)
class Expectation:
    """A mail the app must send: to ``to`` (or anyone), its subject starting with ``prefix`` and naming ``ref``."""

    kind: str
    ref: str
    prefix: str
    to: str | None
    since: float


# --- the simulated users ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accounts:
    """What the seeding created: logins and the members' contact addresses."""

    coordinators: list[tuple[str, str, str]]
    """E-mail, password, second-factor secret."""
    employers: list[tuple[str, str]]
    """Contact e-mail, portal password."""
    member_contact: dict[str, str]
    """Member id → its contact's address."""
    occupations: list[str]


@dataclass
class Run:
    """State shared by all users of one run."""

    base: str
    accounts: Accounts
    mailbox: Mailbox
    metrics: Metrics
    deadline: float
    think: tuple[float, float]
    mail_timeout: float
    request_timeout: float
    mix: Mix = field(default_factory=Mix)
    expectations: list[Expectation] = field(default_factory=list)
    with_cv: set[str] = field(default_factory=set)
    """References of the profiles registered with a CV."""
    addresses: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def is_over(self) -> bool:
        return time.monotonic() >= self.deadline

    def expect(self, kind: str, ref: str, prefix: str, to: str | None = None) -> None:
        self.expectations.append(Expectation(kind, ref, prefix, to, time.monotonic()))

    def new_address(self) -> str:
        n = next(self.addresses)
        return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


class User:
    """One simulated person: a client with its own cookies and address, timed requests, think times."""

    role = "user"

    def __init__(self, run: Run, number: int) -> None:
        self.run = run
        self.number = number
        self.rng = random.Random(number)
        self.client = httpx.AsyncClient(
            base_url=run.base, timeout=run.request_timeout, headers={"X-Forwarded-For": run.new_address()}
        )
        self.loops = 0

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(*self.run.think))

    def fail(self, kind: str, detail: str) -> None:
        self.run.metrics.fail(self.role, kind, detail)

    async def call(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        ok: Sequence[int] = (200,),
        domain: Sequence[int] = (),
        data: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> httpx.Response | None:
        """One request, timed under ``kind``; ``None`` (and an error recorded) unless its status is expected.

        ``domain`` statuses are legitimate outcomes of races between users: counted, returned, no error.
        With ``files`` the form goes as ``multipart/form-data`` (the CSRF token then travels in the form too).
        """
        if data is not None:
            data = {"_csrf_token": self.csrf(), **data}
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, data=data, files=files, follow_redirects=False)
        except httpx.TimeoutException as exc:
            self.fail(kind, f"timeout ({type(exc).__name__})")
            return None
        except httpx.TransportError as exc:
            self.fail(kind, f"connection error ({type(exc).__name__})")
            return None
        self.run.metrics.latencies[kind].append(time.perf_counter() - started)
        if response.status_code in ok:
            return response
        if response.status_code in domain:
            self.run.metrics.domain[(kind, response.status_code)] += 1
            return response
        self.fail(kind, f"status {response.status_code}")
        return None

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken") or ""

    async def loop(self) -> None:
        while not self.run.is_over():
            await self.step()
            self.loops += 1
            self.run.metrics.counts[f"loops {self.role}"] += 1
            await self.think()

    async def step(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        await self.client.aclose()


class Applicant(User):
    """Registers a couple per loop; as the partner, confirms and later releases contact details to interested members."""

    role = "applicant"

    def __init__(self, run: Run, number: int) -> None:
        super().__init__(run, number)
        self.partners: list[str] = []
        self.couples = itertools.count(1)
        self.cv = Share(run.mix.cv_share, self.rng)

    async def step(self) -> None:
        await self.answer_interest()
        if await self.register_and_confirm():
            self.run.metrics.counts["confirmed"] += 1

    async def register_and_confirm(self) -> bool:
        couple = next(self.couples)
        partner = f"partner-{self.number}-{couple}@partner.example"
        self.client.headers["X-Forwarded-For"] = self.run.new_address()  # a new couple, a new device
        with_cv = self.cv.pick()
        posted = await self.register(couple, partner, with_cv=with_cv)
        if posted is None:
            return False
        mail = await self.run.mailbox.wait(partner, "Bitte bestätigen", self.run.mail_timeout)
        if mail is None:
            self.fail("mail partner confirmation", f"not received within {self.run.mail_timeout:.0f} s")
            return False
        self.run.metrics.latencies["mail: request → partner confirmation"].append(mail.arrived - posted)
        confirm = next((_path(link) for link in mail.links if "/confirm/" in link), None)
        if confirm is None:
            self.fail("mail partner confirmation", "no confirmation link")
            return False
        await self.think()
        ref = await self.confirm(confirm)
        if ref is None:
            return False
        if with_cv:
            if not ref:
                self.fail("GET /status/{token}", "no profile reference on the status page")
                return False
            self.run.with_cv.add(ref)
        self.partners.append(partner)
        return True

    async def register(self, couple: int, partner: str, *, with_cv: bool) -> float | None:
        """The applicant fills in the form, with the CV chosen in its file field or not; returns when it was sent."""
        if await self.call("GET /register", "GET", "/register") is None:
            return None
        await self.think()
        occupation = self.rng.choice(self.run.accounts.occupations)
        form = {
            "applicant_name": f"Bewerber {self.number}-{couple}",
            "applicant_email": f"bewerber-{self.number}-{couple}@bewerber.example",
            "applicant_consent": "on",
            "recruiting_member_id": "",
            "partner_name": f"Partnerin {self.number}-{couple}",
            "partner_email": partner,
            "partner_phone": "",
            "residence": "Leipzig",
            "occupations": occupation,
            "qualification": "apprenticeship",
            "experience_years": str(self.rng.randint(1, 20)),
            "summary": f"Mehrere Jahre Erfahrung als {occupation}.",
            "skills": "Teamarbeit, Dokumentation",
            "language_0": "Deutsch",
            "level_0": "native",
            "working_time": "either",
            "work_municipalities": "Aalen",
            "work_postcode": "73430",
            "work_radius_km": "30",
            "notes": "",
        }
        # a browser sends this multipart form with an empty file part when no file was chosen; the app treats that
        # like a urlencoded form without the field, so only registrations with a CV pay for the multipart encoding
        files = {"cv": ("Lebenslauf.pdf", CV_PDF, "application/pdf")} if with_cv else None
        posted = time.monotonic()
        if await self.call("POST /register", "POST", "/register", ok=(303,), data=form, files=files) is None:
            return None
        self.run.metrics.counts["registered"] += 1
        if with_cv:
            self.run.metrics.counts["registered with a CV"] += 1
        if await self.call("GET /register/thanks", "GET", "/register/thanks") is None:
            return None
        return posted

    async def confirm(self, link: str) -> str | None:
        """The partner opens the mailed link, keeps every member ticked and consents.

        Returns the profile's reference as the status page shows it ("" if it shows none), ``None`` on an error.
        """
        page = await self.call("GET /confirm/{token}", "GET", link)
        if page is None:
            return None
        shown = re.findall(rf'name="shown" value="({UUID_RE})"', page.text)
        await self.think()
        done = await self.call("POST /confirm/{token}", "POST", link, ok=(303,), data={"shown": shown, "allow": shown})
        if done is None:
            return None
        status = await self.call("GET /status/{token}", "GET", done.headers["location"])
        if status is None:
            return None
        ref = REF_RE.search(status.text)
        return ref.group(0) if ref else ""

    async def answer_interest(self) -> None:
        """The partner reads each "Interesse" mail and releases name and contact to the member."""
        for partner in self.partners:
            for mail in self.run.mailbox.take(partner, "Interesse an Ihrem Profil"):
                ref = REF_RE.search(mail.subject)
                status = next((_path(link) for link in mail.links if "/status/" in link), None)
                if status is None:
                    self.fail("mail interest to the partner", "no status link")
                    continue
                page = await self.call("GET /status/{token}", "GET", status)
                if page is None:
                    continue
                await self.think()
                for action in re.findall(rf'action="(/status/[^"/]+/referrals/{UUID_RE}/contact)"', page.text):
                    released = await self.call(
                        "POST /status/{token}/referrals/{id}/contact",
                        "POST",
                        action,
                        ok=(303,),
                        domain=(409,),
                        data={"decision": "grant"},
                    )
                    if released is not None and released.status_code == 303:
                        self.run.metrics.counts["contact released"] += 1
                        if ref:
                            self.run.expect("contact release to the member", ref.group(0), "Kontaktdaten zu Profil")


class Employer(User):
    """A member's contact: answers profile mails by their links, or in the portal; moves referrals, downloads CVs."""

    role = "employer"

    def __init__(self, run: Run, number: int, address: str, password: str) -> None:
        super().__init__(run, number)
        self.address = address
        self.password = password
        self.answered: set[str] = set()
        self.pending: list[Mail] = []
        self.released: list[str] = []
        """References whose contact details were released to this member (the mail came), not yet looked at."""
        self.interest = Share(run.mix.interest_share, self.rng)
        self.cv_downloads = Share(run.mix.cv_download_share, self.rng)

    async def login(self) -> bool:
        if await self.call("GET /portal/login", "GET", "/portal/login") is None:
            return False
        form = {"email": self.address, "password": self.password, "next": "/portal"}
        return await self.call("POST /portal/login", "POST", "/portal/login", ok=(303,), data=form) is not None

    def choose(self) -> str:
        return "interested" if self.interest.pick() else "no_fit"

    async def step(self) -> None:
        self.pending.extend(self.run.mailbox.take(self.address, "Neues Profil"))
        for mail in self.run.mailbox.take(self.address, "Kontaktdaten zu Profil"):
            found = REF_RE.search(mail.subject)
            if found:
                self.released.append(found.group(0))
        every = self.run.mix.portal_every
        in_portal = self.loops % every == every - 1  # by default every third loop in the portal, the others by mail
        if in_portal:
            await self.answer_in_portal()
        else:
            await self.answer_by_mail()
        await self.think()
        board = await self.call("GET /portal/referrals", "GET", "/portal/referrals")
        if board is None:
            return
        rows = _board_rows(board.text)
        if in_portal:
            await self.move_on_board(rows)
        await self.look_at_released(rows)  # after a "Kontaktdaten freigegeben" mail, whatever the loop

    def answered_now(self, ref: str, answer: str, channel: str) -> None:
        self.answered.add(ref)
        self.run.metrics.counts[f"answered {answer}"] += 1
        self.run.metrics.counts[f"answered {channel}"] += 1
        if answer == "interested":
            self.run.expect("interest to the partner", ref, "Interesse an Ihrem Profil")

    async def answer_by_mail(self) -> None:
        mail, ref = None, ""
        while self.pending and mail is None:
            candidate = self.pending.pop(0)
            found = REF_RE.search(candidate.subject)
            if found and found.group(0) not in self.answered:
                mail, ref = candidate, found.group(0)
        if mail is None:
            await self.call("GET /portal", "GET", "/portal")
            return
        link = next((_path(link) for link in mail.links if re.search(r"/e/[^/]+$", link)), None)
        if link is None:
            self.fail("mail profile to a member", "no profile link")
            return
        profile = await self.call("GET /e/{token}", "GET", link, domain=(410,))
        if profile is None or profile.status_code != 200:
            return
        await self.think()
        answer = self.choose()
        path = f"{link}/answer/{answer}"
        if await self.call("GET /e/{token}/answer/{answer}", "GET", path, domain=(410,)) is None:
            return
        await self.think()
        done = await self.call(
            "POST /e/{token}/answer/{answer}", "POST", path, ok=(303,), domain=(200, 409, 410), data={}
        )
        if done is not None and done.status_code == 303:
            self.answered_now(ref, answer, "by mail")
            await self.call("GET /e/{token}", "GET", link, domain=(410,))

    async def answer_in_portal(self) -> None:
        inbox = await self.call("GET /portal?state=new", "GET", "/portal?state=new")
        if inbox is None:
            return
        rows = [
            (rid, ref)
            for rid, ref in re.findall(rf'href="/portal/profiles/({UUID_RE})">(JFZ-\d+)<', inbox.text)
            if ref not in self.answered
        ]
        if not rows:
            return
        recipient, ref = self.rng.choice(rows)
        await self.think()
        if await self.call("GET /portal/profiles/{id}", "GET", f"/portal/profiles/{recipient}") is None:
            return
        await self.think()
        answer = self.choose()
        done = await self.call(
            "POST /portal/profiles/{id}/answer/{answer}",
            "POST",
            f"/portal/profiles/{recipient}/answer/{answer}",
            ok=(303,),
            domain=(409, 410),
            data={},
        )
        if done is not None and done.status_code == 303:
            self.answered_now(ref, answer, "in the portal")

    async def move_on_board(self, rows: list[BoardRow]) -> None:
        """Move one of the member's open referrals a step on, with a note (the board offers the next steps)."""
        movable = [row for row in rows if row.next_state]
        if not movable:
            return
        row = self.rng.choice(movable)
        await self.think()
        moved = await self.call(
            "POST /portal/referrals/{id}/move",
            "POST",
            f"/portal/referrals/{row.referral_id}/move",
            ok=(303,),
            domain=(409,),  # the board again, "gerade geändert": a coordinator (or a hire elsewhere) moved it
            data={"to_state": row.next_state, "close_reason": "", "note": self.rng.choice(MOVE_NOTES)},
        )
        if moved is not None and moved.status_code == 303:
            self.run.metrics.counts["referral moves"] += 1
            self.run.metrics.counts["referral moves in the portal"] += 1
            if row.next_state == "hired":
                self.run.metrics.counts["hired"] += 1
            await self.call("GET /portal/referrals", "GET", moved.headers["location"])

    async def look_at_released(self, rows: list[BoardRow]) -> None:
        """Open some profiles released to the member in the portal and download their CV where there is one."""
        recipients = {row.ref: row.recipient_id for row in rows if row.recipient_id}
        released, self.released = self.released, []
        for ref in released:
            recipient = recipients.get(ref)
            if recipient is None:
                self.fail("GET /portal/referrals", "a profile released to the member is not on its board")
                continue
            if not self.cv_downloads.pick():
                continue
            await self.think()
            page = await self.call("GET /portal/profiles/{id}", "GET", f"/portal/profiles/{recipient}")
            if page is None:
                continue
            link = f"/portal/profiles/{recipient}/cv"
            if f'href="{link}"' not in page.text:
                if ref in self.run.with_cv:
                    self.fail("GET /portal/profiles/{id}", "released profile with a CV shows no CV link")
                continue
            await self.think()
            cv = await self.call("GET /portal/profiles/{id}/cv", "GET", link)
            if cv is None:
                continue
            disposition = cv.headers.get("content-disposition", "")
            if (
                not cv.headers.get("content-type", "").startswith("application/pdf")
                or not disposition.startswith("attachment")
                or cv.content != CV_PDF
            ):
                self.fail("GET /portal/profiles/{id}/cv", "not the uploaded PDF as an attachment")
                continue
            self.run.metrics.counts["CV downloads"] += 1


@dataclass(frozen=True)
class BoardRow:
    """One referral on the portal board: its profile, the recipient (the inbox entry) and the next forward step."""

    referral_id: str
    ref: str
    recipient_id: str | None
    next_state: str | None


def _board_rows(html: str) -> list[BoardRow]:
    """The referrals on ``/portal/referrals``: one table row each, its move form offering the allowed next steps."""
    rows = []
    for chunk in re.split(r'<tr id="referral-', html)[1:]:
        referral_id = re.match(UUID_RE, chunk)
        ref = REF_RE.search(chunk)
        if referral_id is None or ref is None:
            continue
        recipient = re.search(rf'href="/portal/profiles/({UUID_RE})">JFZ-', chunk)
        select = re.search(r'name="to_state".*?</select>', chunk, re.DOTALL)
        offered = re.findall(r'<option value="(\w+)"', select.group(0)) if select else []
        forward = [state for state in offered if state in NEXT_STATE.values()]  # one step on, never "closed"
        rows.append(
            BoardRow(
                referral_id.group(0), ref.group(0), recipient.group(1) if recipient else None, next(iter(forward), None)
            )
        )
    return rows


class Coordinator(User):
    """Approves and circulates confirmed profiles (or rejects some), moves referrals on, reads the dashboards."""

    role = "coordinator"
    batch = 3

    def __init__(self, run: Run, number: int, address: str, password: str, secret: str) -> None:
        super().__init__(run, number)
        self.address = address
        self.password = password
        self.secret = secret
        self.rejects = Share(run.mix.reject_share, self.rng)

    async def login(self) -> bool:
        if await self.call("GET /coordinator/login", "GET", "/coordinator/login") is None:
            return False
        form = {"email": self.address, "password": self.password}
        first = await self.call("POST /coordinator/login", "POST", "/coordinator/login", ok=(303,), data=form)
        if first is None:
            return False
        step = first.headers["location"]
        if not step.startswith("/coordinator/login/code"):
            self.fail("POST /coordinator/login", "no second-factor step")
            return False
        page = await self.call("GET /coordinator/login/code", "GET", step)
        if page is None:
            return False
        target = re.search(r'name="next" value="([^"]*)"', page.text)
        form = {"next": target.group(1) if target else "", "code": pyotp.TOTP(self.secret).now()}
        return (
            await self.call("POST /coordinator/login/code", "POST", "/coordinator/login/code", ok=(303,), data=form)
            is not None
        )

    async def step(self) -> None:
        await self.call("GET /coordinator", "GET", "/coordinator")
        await self.think()
        queue = await self.call("GET /coordinator/profiles", "GET", "/coordinator/profiles")
        if queue is not None:
            found = re.findall(rf'<td><a href="/coordinator/profiles/({UUID_RE})">(JFZ-\d+)</a>', queue.text)
            for profile_id, ref in self.rng.sample(found, min(self.batch, len(found))):
                await self.think()
                await self.decide(profile_id, ref)
        await self.think()
        await self.move_a_referral()
        await self.think()
        await self.call("GET /coordinator/results", "GET", "/coordinator/results")

    async def decide(self, profile_id: str, ref: str) -> None:
        """Read the profile, then approve and circulate it, or (now and then, ``Mix.reject_share``) reject it."""
        base = f"/coordinator/profiles/{profile_id}"
        if await self.call("GET /coordinator/profiles/{id}", "GET", base) is None:
            return
        await self.think()
        if self.rejects.pick():
            await self.reject(base, ref)
        else:
            await self.approve_and_circulate(base, ref)

    async def reject(self, base: str, ref: str) -> None:
        """The profile page's reject form; the partner gets the reason by mail."""
        rejected = await self.call(
            "POST /coordinator/profiles/{id}/reject",
            "POST",
            f"{base}/reject",
            ok=(303,),
            domain=(409,),  # another coordinator decided on it meanwhile
            data={"reason": self.rng.choice(REJECT_REASONS)},
        )
        if rejected is None or rejected.status_code != 303:
            return
        self.run.metrics.counts["rejected"] += 1
        self.run.expect("rejection to the partner", ref, "Ihr Profil")
        await self.call("GET /coordinator/profiles/{id}", "GET", rejected.headers["location"])

    async def approve_and_circulate(self, base: str, ref: str) -> None:
        approved = await self.call(
            "POST /coordinator/profiles/{id}/approve", "POST", f"{base}/approve", ok=(303,), domain=(409,), data={}
        )
        if approved is None or approved.status_code != 303:
            return
        self.run.metrics.counts["approved"] += 1
        page = await self.call("GET /coordinator/profiles/{id}/circulate", "GET", f"{base}/circulate")
        if page is None:
            return
        boxes = re.findall(rf'name="member_id" value="({UUID_RE})"( checked)?', page.text)
        chosen = [member for member, checked in boxes if checked] or [member for member, _ in boxes[:2]]
        if not chosen:
            self.run.metrics.counts["approved, no member to send to"] += 1
            return
        await self.think()
        sent = await self.call(
            "POST /coordinator/profiles/{id}/circulate",
            "POST",
            f"{base}/circulate",
            ok=(303,),
            domain=(409,),  # "gerade an diese Mitglieder verschickt": another coordinator approved and sent it too
            data={"member_id": chosen},
        )
        if sent is None or sent.status_code != 303:
            return
        self.run.metrics.counts["circulated"] += 1
        self.run.metrics.counts["profile mails (recipients)"] += len(chosen)
        for member in chosen:
            self.run.expect("profile to a member", ref, "Neues Profil", self.run.accounts.member_contact[member])
        await self.call("GET /coordinator/circulations/{id}", "GET", sent.headers["location"])

    async def move_a_referral(self) -> None:
        """Pick an open stage that has referrals (later stages more often), one referral in it, one step on."""
        overview = await self.call("GET /coordinator/referrals", "GET", "/coordinator/referrals")
        if overview is None:
            return
        counts = dict(re.findall(r'href="/coordinator/referrals\?state=(\w+)"[^>]*>[^<]*\((\d+)\)', overview.text))
        states = [s for s in STATE_WEIGHTS if int(counts.get(s, 0))]
        if not states:
            return
        state = self.rng.choices(states, weights=[STATE_WEIGHTS[s] for s in states])[0]
        await self.think()
        listing = await self.call("GET /coordinator/referrals?state=…", "GET", f"/coordinator/referrals?state={state}")
        if listing is None:
            return
        ids = re.findall(rf'href="/coordinator/referrals/({UUID_RE})"', listing.text)
        if not ids:
            return
        referral = self.rng.choice(ids[:20])
        await self.think()
        if await self.call("GET /coordinator/referrals/{id}", "GET", f"/coordinator/referrals/{referral}") is None:
            return
        await self.think()
        to_state = NEXT_STATE[state]
        moved = await self.call(
            "POST /coordinator/referrals/{id}/move",
            "POST",
            f"/coordinator/referrals/{referral}/move",
            ok=(303,),
            domain=(409,),
            data={"to_state": to_state, "note": ""},
        )
        if moved is not None and moved.status_code == 303:
            self.run.metrics.counts["referral moves"] += 1
            self.run.metrics.counts["referral moves by coordinators"] += 1
            if to_state == "hired":
                self.run.metrics.counts["hired"] += 1


# --- set-up: database, seed data, mail sink, app ---------------------------------------------------------------------


def split_users(users: int, coordinators: int | None, employers: int | None) -> tuple[int, int, int]:
    """Applicants, employers, coordinators: about 60/30/10 %, at least one of each."""
    n_coord = coordinators if coordinators is not None else max(1, round(users * 0.1))
    n_emp = employers if employers is not None else max(1, round(users * 0.3))
    n_app = users - n_coord - n_emp
    if n_app < 1 or n_coord < 1 or n_emp < 1:
        raise SystemExit("need at least one applicant, one employer and one coordinator")
    return n_app, n_emp, n_coord


async def seed(url: str, employers: int, coordinators: int) -> Accounts:
    """Coordinators with a second factor; one member per employer (matching positions and interests) and its contact."""
    engine = create_engine(url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    groups = GROUPS[: min(len(GROUPS), employers)]
    staff: list[tuple[str, str, str]] = []
    contacts: list[tuple[str, str]] = []
    members: list[Member] = []
    try:
        async with maker() as session, session.begin():
            for i in range(coordinators):
                login = (f"koordination{i}@ihk.example", secrets.token_urlsafe(16), new_secret())
                await create_staff(session, login[0], login[1], name=f"Koordination {i}", totp_secret=login[2])
                staff.append(login)
            now = utcnow()
            for i in range(employers):
                _occupation, sector, position, interests, skills = groups[i % len(groups)]
                address, password = f"kontakt{i}@mitglied{i}.example", secrets.token_urlsafe(16)
                members.append(
                    Member(
                        name=f"Lastmitglied {i:03d} GmbH",
                        sector=sector,
                        municipality="Aalen",
                        postcode="73430",
                        interests=interests,
                        positions=[Position(title=position, skills=skills.split(", "))],
                        joined_at=now,
                        contacts=[MemberContact(email=address, name="Personal", password_hash=hash_password(password))],
                    )
                )
                contacts.append((address, password))
            session.add_all(members)
            await session.flush()
            member_contact = {str(m.id): m.contacts[0].email for m in members}
    finally:
        await engine.dispose()
    return Accounts(staff, contacts, member_contact, [g[0] for g in groups])


def served_app() -> Litestar:
    """The app as ``jobfuerzwei serve`` builds it: the CLI's log format (levels in the log), collector tuning."""
    from jobfuerzwei.app import create_app  # in the server process only; the driver does not need it
    from jobfuerzwei.heap import tune_gc

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    tune_gc()
    return create_app()


def start_sink(directory: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Aiosmtpd in a process of its own, storing each message in a Maildir (``aiosmtpd.handlers.Mailbox``)."""
    port = _free_port()
    proc = subprocess.Popen(  # our own interpreter, aiosmtpd's command line
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(directory),
        ],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(log.read_text()[-2000:])


def app_env(url: str, smtp_port: int, data_dir: Path) -> dict[str, str]:
    """Production settings, mails to the sink by the in-app worker, 127.0.0.1 trusted as the reverse proxy."""
    return {
        **os.environ,
        "JFZ_ENV": "production",
        "JFZ_DATABASE_URL": url,
        "JFZ_SECRET_KEY": secrets.token_urlsafe(48),
        "JFZ_BASE_URL": BASE_URL,
        "JFZ_SMTP_HOST": "127.0.0.1",
        "JFZ_SMTP_PORT": str(smtp_port),
        "JFZ_SMTP_STARTTLS": "false",
        "JFZ_WORKER_IN_APP": "true",
        "JFZ_COOKIE_SECURE": "false",  # plain http on loopback
        "JFZ_TRUSTED_PROXIES": "127.0.0.1",
        "JFZ_DATA_DIR": str(data_dir),
    }


# --- the run ---------------------------------------------------------------------------------------------------------


async def drive(run: Run, counts: tuple[int, int, int]) -> float:
    """Start every user, let them loop until the deadline; then wait for the mails still due. Returns the seconds run."""
    n_app, n_emp, n_coord = counts
    stop = asyncio.Event()
    reader = asyncio.create_task(run.mailbox.run(stop))
    numbers = itertools.count(1)
    users: list[User] = [Applicant(run, next(numbers)) for _ in range(n_app)]
    users += [Employer(run, next(numbers), *run.accounts.employers[i]) for i in range(n_emp)]
    users += [Coordinator(run, next(numbers), *run.accounts.coordinators[i]) for i in range(n_coord)]

    async def start(user: User, login: Callable[[], Awaitable[bool]] | None) -> None:
        await asyncio.sleep(user.rng.uniform(0, 2))  # people do not all arrive in the same millisecond
        if login is not None and not await login():
            return
        await user.loop()

    started = time.monotonic()
    tasks = [asyncio.create_task(start(u, getattr(u, "login", None))) for u in users]
    hard_stop = run.deadline - time.monotonic() + run.mail_timeout + 60
    done, pending = await asyncio.wait(tasks, timeout=hard_stop)
    for task in pending:
        task.cancel()
        run.metrics.fail("driver", "user task", "did not finish its loop in time (cancelled)")
    for task in done:
        if task.exception() is not None:
            exc = task.exception()
            run.metrics.fail("driver", "user task", f"crashed: {type(exc).__name__}: {exc}")
    elapsed = time.monotonic() - started
    await _await_mails(run)
    stop.set()
    await reader
    for user in users:
        await user.close()
    return elapsed


async def _await_mails(run: Run) -> None:
    """Give the mails expected last their full timeout, then record every missing or late one as an error."""
    latencies = run.metrics.latencies
    pending = list(run.expectations)
    used: set[int] = set()
    while pending:
        await run.mailbox.poll()
        still = []
        for e in pending:
            mail = _match(run.mailbox, e, used)
            if mail is not None:
                waited = mail.arrived - e.since
                latencies[f"mail: request → {e.kind}"].append(max(0.0, waited))
                if waited > run.mail_timeout:
                    run.metrics.fail("mail", e.kind, f"arrived late ({waited:.1f} s)")
            elif time.monotonic() - e.since > run.mail_timeout:
                run.metrics.fail("mail", e.kind, f"not received within {run.mail_timeout:.0f} s")
            else:
                still.append(e)
        pending = still
        if pending:
            await asyncio.sleep(0.2)


def _match(mailbox: Mailbox, e: Expectation, used: set[int]) -> Mail | None:
    """The first mail that meets ``e`` and has not met another expectation (two interested members: two mails)."""
    for mail in mailbox.by_ref.get(e.ref, []):
        if id(mail) not in used and mail.subject.startswith(e.prefix) and (e.to is None or mail.to == e.to):
            used.add(id(mail))
            return mail
    return None


RECORD_START = re.compile(r"^(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\b|^\d{4}-\d\d-\d\d")
"""A line that begins a log record (the CLI's format, uvicorn's ``ERROR:``); others continue the record."""
EXCEPTION_LINE = re.compile(r"^[\w.]+(?:Error|Exception|Exit|Interrupt|Warning)\b")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T][\d:,.]+")


def scan_log(path: Path, source: str, metrics: Metrics) -> list[str]:
    """Each log record with ERROR or a traceback is an error (one per record, grouped without its timestamp).

    Returns one excerpt per distinct error: the record's first line, the app's own frames, the final exception.
    """
    if not path.exists():
        return []
    records: list[list[str]] = []
    for line in path.read_text(errors="replace").splitlines():
        if RECORD_START.match(line) or not records:
            records.append([line])
        else:
            records[-1].append(line)
    excerpts: dict[str, str] = {}
    for record in records:
        if not any("ERROR" in line or "Traceback" in line or "CRITICAL" in line for line in record):
            continue
        last = next((line for line in reversed(record) if EXCEPTION_LINE.match(line)), "")
        detail = _mask(
            TIMESTAMP.sub("", record[0]).replace(" -  - ", " - ").strip(" -") + (f" | {last}" if last else "")
        )[:300]
        metrics.fail(source, "log", detail)
        if detail not in excerpts:
            own = [
                f"{line}\n{record[i + 1] if i + 1 < len(record) else ''}"
                for i, line in enumerate(record)
                if "/jobfuerzwei/" in line and line.lstrip().startswith("File")
            ]
            excerpts[detail] = "\n".join(_mask(x)[:240] for x in [record[0], *own, last])
    return list(excerpts.values())


def _mask(text: str) -> str:
    return re.sub(r"[\w.+-]+@[\w.-]+", "<address>", re.sub(r"/(confirm|status|e)/[\w-]{16,}", r"/\1/<token>", text))


def _pct(share: float) -> str:
    return f"{share * 100:.3g} %"


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report(run: Run, args: argparse.Namespace, counts: tuple[int, int, int], elapsed: float) -> None:
    m = run.metrics
    c = m.counts
    n_app, n_emp, n_coord = counts
    database = "PostgreSQL" if args.database == "postgres" else "SQLite"
    print(
        f"\nloop benchmark: {args.users} users ({n_app} applicants, {n_emp} employers, {n_coord} coordinators), "
        f"{elapsed:.0f} s, {database}, think {args.think[0]}-{args.think[1]} s, one app process (uvicorn), "
        "in-app mail worker, SMTP sink in its own process"
    )
    mix = run.mix
    print(
        f"mix {args.mix}: answers interested {_pct(mix.interest_share)}, decisions rejected "
        f"{_pct(mix.reject_share)}, registrations with a CV {_pct(mix.cv_share)}, released CVs downloaded "
        f"{_pct(mix.cv_download_share)}, employers in the portal every {mix.portal_every} loops"
    )
    loops = {role: c[f"loops {role}"] for role in ("applicant", "employer", "coordinator")}
    print(
        "loops completed: " + ", ".join(f"{role}s {n}" for role, n in loops.items()) + f", total {sum(loops.values())}"
    )
    print(
        f"profiles: registered {c['registered']} (with a CV {c['registered with a CV']}), confirmed "
        f"{c['confirmed']}, approved {c['approved']}, rejected {c['rejected']}, "
        f"circulated {c['circulated']} (to {c['profile mails (recipients)']} members), answered "
        f"{c['answered interested'] + c['answered no_fit']} (interested {c['answered interested']}, no fit "
        f"{c['answered no_fit']}; by mail {c['answered by mail']}, in the portal {c['answered in the portal']}), "
        f"contact released {c['contact released']}, CVs downloaded in the portal {c['CV downloads']}, "
        f"referral moves {c['referral moves']} (by coordinators {c['referral moves by coordinators']}, by members "
        f"in the portal {c['referral moves in the portal']}), hired {c['hired']}"
    )
    if c["approved, no member to send to"]:
        print(f"approved without a member to send to: {c['approved, no member to send to']}")
    box = run.mailbox
    print(
        f"mails received by the sink: {box.total} ("
        + ", ".join(f"{kind} {n}" for kind, n in sorted(box.kinds.items()))
        + f"); checked for arrival: {len(run.expectations)} plus each confirmation"
    )
    requests = sum(len(v) for k, v in m.latencies.items() if not k.startswith("mail:"))
    print(f"requests: {requests} in {elapsed:.0f} s ({requests / max(elapsed, 1):.1f}/s)")
    row = "{:<48} {:>7} {:>8} {:>8} {:>8} {:>8}"
    print(row.format("request kind", "count", "p50 ms", "p95 ms", "p99 ms", "max ms"))
    for kind in sorted(m.latencies, key=lambda k: (k.startswith("mail:"), k.split(" ", 1)[-1], k)):
        values = m.latencies[kind]
        if values:
            print(
                row.format(
                    kind[:48],
                    len(values),
                    f"{_ms(values, 0.5):.0f}",
                    f"{_ms(values, 0.95):.0f}",
                    f"{_ms(values, 0.99):.0f}",
                    f"{max(values) * 1000:.0f}",
                )
            )
    if m.domain:
        print("domain outcomes (legitimate results of races between users; not errors):")
        for (kind, status), n in sorted(m.domain.items()):
            print(f"  {kind} -> {status}: {n}")
    print(f"errors: {len(m.errors)}")
    grouped = Counter((e.role, e.kind, e.detail) for e in m.errors)
    for (role, kind, detail), n in grouped.most_common(40):
        first = min(e.at for e in m.errors if (e.role, e.kind, e.detail) == (role, kind, detail))
        print(f"  {n:>5} x  {role}: {kind}: {detail}  (first at {first:.0f} s)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="benchmarks.loop", description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--coordinators", type=int, default=None, help="default: 10 %% of the users")
    parser.add_argument("--employers", type=int, default=None, help="default: 30 %% of the users")
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 2.0), metavar=("MIN", "MAX"))
    parser.add_argument("--mail-timeout", type=float, default=30.0, help="seconds a mail may take (default 30)")
    parser.add_argument("--request-timeout", type=float, default=30.0)
    parser.add_argument("--keep-db", action="store_true", help="leave the PostgreSQL database jfz_loop")
    parser.add_argument(
        "--mix",
        choices=sorted(MIXES),
        default="default",
        help="how often the rarer flows happen (rejections, CVs); 'test' makes each one happen in a tiny run",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Prepare the database, seed, start sink and app, drive the users, report; 1 when there were errors."""
    parser = _parser()
    args = parser.parse_args(argv)
    counts = split_users(args.users, args.coordinators, args.employers)
    folder = Path(tempfile.mkdtemp(prefix="jfz-loop-"))
    if args.database == "postgres":
        if PG_URL.rsplit("/", 1)[1] != "jfz_loop" and "JFZ_BENCH_LOOP_PG_URL" not in os.environ:
            raise SystemExit("refusing to recreate a database other than jfz_loop")
        asyncio.run(_recreate(PG_URL))
        url = PG_URL.replace("postgresql://", "postgresql+asyncpg://")
    else:
        url = f"sqlite+aiosqlite:///{folder / 'loop.sqlite3'}"
    migrate(url)
    accounts = asyncio.run(seed(url, counts[1], counts[2]))
    sink, smtp_port = start_sink(folder / "mail", folder / "sink.log")
    app = None
    try:
        app, base = _serve("benchmarks.loop:served_app", app_env(url, smtp_port, folder / "data"), folder / "app.log")
        metrics = Metrics()
        run = Run(
            base=base,
            accounts=accounts,
            mailbox=Mailbox(folder / "mail"),
            metrics=metrics,
            deadline=time.monotonic() + args.seconds,
            think=(args.think[0], args.think[1]),
            mail_timeout=args.mail_timeout,
            request_timeout=args.request_timeout,
            mix=MIXES[args.mix],
        )
        elapsed = asyncio.run(drive(run, counts))
        if app.poll() is not None:
            metrics.fail("app", "process", f"exited with {app.returncode} during the run")
    finally:
        if app is not None:
            _stop(app)
        _stop(sink)
    excerpts = scan_log(folder / "app.log", "app", metrics) + scan_log(folder / "sink.log", "sink", metrics)
    report(run, args, counts, elapsed)
    for excerpt in excerpts[:5]:
        print("---- log excerpt (addresses and tokens masked)\n" + excerpt)
    if args.database == "postgres" and not args.keep_db:
        asyncio.run(_drop(PG_URL))
    if metrics.errors:
        print(f"logs and mails kept in {folder}")
        return 1
    shutil.rmtree(folder, ignore_errors=True)
    return 0


async def _drop(url: str) -> None:
    admin, name = url.rsplit("/", 1)
    conn = await asyncpg.connect(f"{admin}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


if __name__ == "__main__":
    sys.exit(main())

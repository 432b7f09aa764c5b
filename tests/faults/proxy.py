"""A small SMTP-aware TCP proxy that injects faults between the outbox worker and the SMTP sink.

It relays one command at a time (the worker does not pipeline) and knows where a session stands, so it can cut a
connection at a chosen point with a TCP reset (``SO_LINGER`` 0), and it records what the server really got.

Modes: ``healthy`` relays; ``down`` resets every new connection before the greeting; ``flaky`` gives each new
connection a plan drawn from a seeded RNG: with probability ``reset_share`` it is reset at one point of one of its
first transactions (see ``CUTS``), otherwise the proxy closes it after a few mails with a ``421`` (as a busy
server does), so new connections, and new draws, keep coming. After ``flaky_connections`` flaky connections the
proxy turns healthy by itself. A flaky connection carries at most four mails, so the flaky stretch ends before
the mail does when there is more than four times as much mail as flaky connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from collections import Counter
from dataclasses import dataclass, field

CUTS = ("greeting", "mail", "rcpt", "data", "body", "answer")
"""Where a reset connection is cut: before the greeting; after forwarding MAIL, RCPT or DATA but before the
server's reply; after the message's headers, in the body (the server never sees the final dot); or after the server
answered the final dot with 250, withholding that answer (the server has the mail, the client never hears so)."""


@dataclass(frozen=True)
class Plan:
    """What happens to one connection."""

    cut: str | None
    """One of ``CUTS``, or None: the connection is closed cleanly with a 421 before transaction ``at``."""
    at: int
    """Index of the transaction (mail) on this connection where the cut or the 421 happens."""


@dataclass
class Record:
    """What the proxy saw and did (for the test's accounting)."""

    connections: Counter[str] = field(default_factory=Counter)
    """Connections by what happened to them: refused, reset:<cut>, closed-421, open/ended."""
    delivered_unanswered: list[str] = field(default_factory=list)
    """Message-IDs the server accepted (250 to the final dot) whose answer the proxy withheld before resetting."""
    cut_in_body: list[str] = field(default_factory=list)
    """Message-IDs whose body was cut before the final dot reached the server."""


class SmtpFaultProxy:
    """Listens on 127.0.0.1 (a free port) and relays to ``upstream_port``."""

    def __init__(self, upstream_port: int, *, seed: int, reset_share: float = 0.3, flaky_connections: int = 40) -> None:
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.reset_share = reset_share
        self.flaky_connections = flaky_connections
        self.mode = "healthy"
        self.record = Record()
        self.flaky_seen = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            _reset(writer)  # the relay tasks then end on their own
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def _plan(self) -> Plan | None:
        if self.mode != "flaky":
            return None
        self.flaky_seen += 1
        if self.flaky_seen >= self.flaky_connections:
            self.mode = "healthy"
        at = self.rng.randrange(0, 4)
        if self.rng.random() < self.reset_share:
            cut = self.rng.choice(CUTS)
            return Plan(cut=cut, at=0 if cut == "greeting" else at)  # there is one greeting, before transaction 0
        return Plan(cut=None, at=at + 1)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            if self.mode == "down":
                self.record.connections["refused"] += 1
                _reset(writer)
                return
            plan = self._plan()
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
            except OSError:
                _reset(writer)
                return
            self._writers.add(up_writer)
            try:
                outcome = await self._relay(reader, writer, up_reader, up_writer, plan)
            except (ConnectionError, asyncio.IncompleteReadError):
                outcome = "ended"
            self.record.connections[outcome] += 1
            _reset(writer)
            up_writer.close()
            with contextlib.suppress(ConnectionError):
                await up_writer.wait_closed()
            self._writers.discard(up_writer)
        finally:
            self._writers.discard(writer)
            self._tasks.discard(task)

    async def _relay(  # noqa: PLR0911  # one branch per cut point
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
        plan: Plan | None,
    ) -> str:
        def cut_here(point: str) -> bool:
            return plan is not None and plan.cut == point and transaction == plan.at

        transaction = 0
        greeting = await _response(up_reader)
        if cut_here("greeting"):
            return "reset:greeting"
        writer.write(greeting)
        while True:
            line = await reader.readline()
            if not line:
                return "ended"
            verb = line[:4].upper()
            if verb == b"MAIL" and plan is not None and plan.cut is None and transaction == plan.at:
                writer.write(b"421 4.3.2 Too many messages on this connection, closing\r\n")
                await writer.drain()
                return "closed-421"
            up_writer.write(line)
            await up_writer.drain()
            if verb == b"MAIL" and cut_here("mail"):
                return "reset:mail"
            if verb == b"RCPT" and cut_here("rcpt"):
                return "reset:rcpt"
            if verb == b"DATA" and cut_here("data"):
                return "reset:data"
            answer = await _response(up_reader)
            if verb == b"DATA" and answer.startswith(b"354"):
                writer.write(answer)
                await writer.drain()
                message_id, cut = await self._relay_body(reader, up_writer, cut_body=cut_here("body"))
                if cut:
                    self.record.cut_in_body.append(message_id)
                    return "reset:body"
                answer = await _response(up_reader)
                if cut_here("answer") and answer.startswith(b"250"):
                    self.record.delivered_unanswered.append(message_id)
                    return "reset:answer"
                transaction += 1
            writer.write(answer)
            await writer.drain()
            if verb == b"QUIT":
                return "quit"

    async def _relay_body(
        self, reader: asyncio.StreamReader, up_writer: asyncio.StreamWriter, *, cut_body: bool
    ) -> tuple[str, bool]:
        """Forward the message up to and including the final dot; with ``cut_body``, stop after the headers."""
        message_id = ""
        in_headers = True
        while True:
            line = await reader.readline()
            if not line:
                raise ConnectionResetError
            if in_headers and line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
            if in_headers and line == b"\r\n":
                in_headers = False
                if cut_body:
                    await up_writer.drain()
                    return message_id, True
            up_writer.write(line)
            if line == b".\r\n":
                await up_writer.drain()
                return message_id, False


async def _response(reader: asyncio.StreamReader) -> bytes:
    """One SMTP reply, possibly multi-line (``250-…`` lines, then ``250 …``)."""
    lines = []
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionResetError
        lines.append(line)
        if len(line) < 4 or line[3:4] != b"-":
            return b"".join(lines)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (RST) instead of a FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()

"""SMTP delivery over a reused aiosmtplib connection, with the outbox row marked *releasing* before the final dot.

No mail twice, none lost silently: the worker writes the message body after ``DATA`` but holds back the final
``.``; it commits ``status = releasing``; only then does it send the terminator, and after the server's ``250`` it
commits ``status = sent``. A crash before the first commit leaves an unterminated message, which the server
discards when the connection drops (RFC 5321 §4.1.1.4): the row is still ``sending`` and is sent again. A crash
after it leaves the row ``releasing``: the server may or may not have the mail. Such rows (at most one per SMTP
connection per crash) are never sent again automatically; they become ``failed`` with "delivery uncertain", and
the coordinator decides. Sending on after a ``250`` whose commit was lost would be the classic duplicate. A
connection found closed when the dot is due (it dropped while "releasing" was committed) never carried the dot:
that row is retried, not flagged.
"""

from __future__ import annotations

import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiosmtplib
from aiosmtplib.protocol import PERIOD_REGEX, SMTPProtocol, normalize_message_line_endings

from jobfuerzwei.config import MailSettings


class PermanentMailError(Exception):
    """The server refused the message for good (5xx); retrying will not help."""


class TransientMailError(Exception):
    """The message may succeed later (4xx, connection trouble)."""


class UncertainDeliveryError(Exception):
    """The message was released but the server's answer never came: it may or may not have been accepted."""


class SupersededError(Exception):
    """The row was taken over by another worker before release; the message was not released."""


@dataclass
class SmtpConnection:
    """One reused SMTP connection."""

    settings: MailSettings
    client: aiosmtplib.SMTP | None = None

    async def ensure(self) -> aiosmtplib.SMTP:
        """Connect (and authenticate) if not connected."""
        if self.client is not None and self.client.is_connected:
            return self.client
        client = aiosmtplib.SMTP(
            hostname=self.settings.host,
            port=self.settings.port,
            use_tls=self.settings.use_tls,
            start_tls=self.settings.starttls,
            timeout=30,
            tls_context=ssl.create_default_context() if (self.settings.use_tls or self.settings.starttls) else None,
        )
        try:
            await client.connect()
            if self.settings.username and self.settings.password:
                await client.login(self.settings.username, self.settings.password)
        except (aiosmtplib.SMTPException, OSError) as exc:
            client.close()
            raise TransientMailError(f"connect failed: {type(exc).__name__}") from exc
        self.client = client
        return client

    def close(self) -> None:
        """Drop the connection without QUIT (used after errors and to abort an unreleased message)."""
        if self.client is not None:
            self.client.close()
            self.client = None

    async def quit(self) -> None:
        """Close politely."""
        if self.client is not None and self.client.is_connected:
            try:
                await self.client.quit()
            except aiosmtplib.SMTPException:
                self.client.close()
        self.client = None

    async def send(
        self, sender: str, recipient: str, raw: bytes, before_release: Callable[[], Awaitable[bool]]
    ) -> None:
        """Send ``raw``; ``before_release`` commits the row as sent and returns False if the row was taken over."""
        client = await self.ensure()
        try:
            await client.mail(sender)
            await client.rcpt(recipient)
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset()
            raise _classify(exc.code, exc.message) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            self.close()
            raise TransientMailError(type(exc).__name__) from exc
        protocol = client.protocol
        if protocol is None:
            self.close()
            raise TransientMailError("connection lost")
        body = PERIOD_REGEX.sub(b"..", normalize_message_line_endings(raw))
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        # aiosmtplib's data() writes body and terminator in one go; we need the commit in between (see module doc),
        # so this repeats its steps on the protocol object (aiosmtplib is pinned; tests/mail covers this path).
        async with protocol._command_lock:  # type: ignore[union-attr]
            try:
                protocol._response_pending = True
                protocol.write(b"DATA\r\n")
                start = await protocol.read_response(timeout=30)
                if start.code != 354:
                    raise _classify(start.code, start.message)
                protocol.write(body)
            except (aiosmtplib.SMTPException, OSError) as exc:
                self.close()
                raise TransientMailError(type(exc).__name__) from exc
            if not await before_release():
                self.close()  # the server discards the unterminated message
                raise SupersededError
            try:
                protocol._response_pending = True
                protocol.write(b".\r\n")
            except (aiosmtplib.SMTPException, OSError) as exc:
                # The connection dropped while "releasing" was committed: the final dot never left this process, so
                # the server discards the message. Safe to send again (the row is still held by this worker).
                _retrieve_lost_response(protocol)
                self.close()
                raise TransientMailError(f"connection lost before release: {type(exc).__name__}") from exc
            try:
                response = await protocol.read_response(timeout=60)
            except (aiosmtplib.SMTPException, OSError) as exc:
                self.close()
                raise UncertainDeliveryError(f"no answer after release: {type(exc).__name__}") from exc
        if response.code != 250:
            raise _classify(response.code, response.message)

    async def _reset(self) -> None:
        if self.client is None:
            return
        try:
            await self.client.rset()
        except (aiosmtplib.SMTPException, OSError):
            self.close()


def _retrieve_lost_response(protocol: SMTPProtocol) -> None:
    # aiosmtplib stores the connection loss on the pending response future; nobody reads it after we give up,
    # and asyncio would log "Future exception was never retrieved".
    waiter = protocol._response_waiter
    if waiter is not None and waiter.done() and not waiter.cancelled():
        waiter.exception()


def _classify(code: int, message: str) -> Exception:
    text = f"{code} {message}"[:300]
    if 500 <= code < 600:
        return PermanentMailError(text)
    return TransientMailError(text)

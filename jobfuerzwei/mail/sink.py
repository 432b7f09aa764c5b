"""Dev-mode mail sink: an aiosmtpd server on 127.0.0.1 that stores every mail in a Maildir the app can show."""

from __future__ import annotations

import email
import email.policy
import logging
import mailbox
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


def quiet_aiosmtpd() -> None:
    """Aiosmtpd logs every SMTP command at INFO, addresses included: personal data, and slow."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)


class _MaildirHandler:
    def __init__(self, directory: Path) -> None:
        for sub in ("tmp", "new", "cur"):  # Maildir(create=True) makes these only when it creates the folder itself
            (directory / sub).mkdir(parents=True, exist_ok=True)
        self.maildir = mailbox.Maildir(directory, create=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  # aiosmtpd's hook name
        self.maildir.add(envelope.content)
        return "250 Message accepted for delivery"


def start_sink(directory: Path, port: int) -> Controller:
    """Start the sink in its own thread; call ``.stop()`` on the result to end it."""
    quiet_aiosmtpd()
    controller = Controller(_MaildirHandler(directory), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


@dataclass(frozen=True)
class SinkMail:
    """One captured mail for the coordinator's mail page."""

    key: str
    message: EmailMessage

    @property
    def subject(self) -> str:
        """Decoded subject."""
        return str(self.message["Subject"] or "")

    @property
    def to(self) -> str:
        """Recipient."""
        return str(self.message["To"] or "")

    @property
    def date(self) -> str:
        """Date header as sent."""
        return str(self.message["Date"] or "")

    def part(self, subtype: str) -> str:
        """The text or HTML body."""
        body = self.message.get_body(preferencelist=(subtype,))
        return "" if body is None else str(body.get_content())


def read_sink(directory: Path, limit: int = 200) -> list[SinkMail]:
    """Captured mails, newest first."""
    if not directory.exists():
        return []
    box = mailbox.Maildir(directory, create=False)
    items: list[tuple[float, SinkMail]] = []
    for key in box.iterkeys():
        path = directory / "new" / key
        if not path.exists():
            path = next((directory / "cur").glob(f"{key}*"), path)
        mtime = path.stat().st_mtime if path.exists() else 0.0
        msg = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
        items.append((mtime, SinkMail(key=key, message=msg)))
    items.sort(key=lambda pair: pair[0], reverse=True)
    return [m for _, m in items[:limit]]

"""Render mails from ``templates/email/<name>/{subject.txt, body.txt, body.html}`` and build raw MIME bytes.

Raw bytes are built by hand instead of with ``email.message.EmailMessage``: building and flattening an
``EmailMessage`` costs about 0.9 ms, which would cap a circulation far below what the SMTP connection can carry.
The structure is fixed (multipart/alternative with a text and an HTML part, quoted-printable UTF-8), so a few
lines of string work produce the same bytes; ``tests/mail/test_messages.py`` parses the result with ``email``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import secrets
from dataclasses import dataclass
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from jobfuerzwei import i18n

EMAIL_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"
_HEADER_VALUE = re.compile(r"^[^\r\n\x00]*$")


@dataclass(frozen=True)
class RenderedEmail:
    """A rendered mail before addressing."""

    subject: str
    text: str
    html: str


@lru_cache(maxsize=1)
def mail_environment() -> Environment:
    """Jinja environment for mails: HTML bodies are escaped, plain-text bodies are not."""
    env = Environment(
        loader=FileSystemLoader(EMAIL_TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    i18n.install(env)
    env.filters["date_de"] = i18n.format_day  # mails show days only
    return env


def render_email(name: str, context: dict[str, Any], language: str = i18n.DEFAULT) -> RenderedEmail:
    """Render the three parts of mail ``name`` in the recipient's ``language``; the subject is one line.

    Never in the language of the request that causes the mail: a coordinator reading English sends German mails to
    German recipients.
    """
    with i18n.use_language(language):
        return _render(name, context)


def _render(name: str, context: dict[str, Any]) -> RenderedEmail:
    env = mail_environment()
    subject = env.get_template(f"{name}/subject.txt").render(context)
    subject = " ".join(subject.split())
    text = env.get_template(f"{name}/body.txt").render(context)
    html = env.get_template(f"{name}/body.html").render(context)
    return RenderedEmail(subject=subject, text=text, html=html)


_FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")


@dataclass(frozen=True)
class Attachment:
    """A text attachment (stored on the outbox row as JSON, sent base64-encoded)."""

    filename: str
    """ASCII file name shown to the recipient, e.g. ``einladung.ics``."""
    content_type: str
    """MIME type with parameters, e.g. ``text/calendar; method=REQUEST``."""
    content: str

    def __post_init__(self) -> None:
        if not _FILENAME.match(self.filename):
            raise ValueError("attachment file name must be plain ASCII")
        check_header_value(self.content_type)

    def as_json(self) -> dict[str, str]:
        """The value of ``OutboxMessage.attachment``."""
        return {"filename": self.filename, "content_type": self.content_type, "content": self.content}

    @classmethod
    def from_json(cls, value: dict[str, str]) -> Attachment:
        """Read ``OutboxMessage.attachment`` back."""
        return cls(filename=value["filename"], content_type=value["content_type"], content=value["content"])

    @property
    def is_calendar(self) -> bool:
        """An iCalendar object (invitation, update, cancellation)."""
        return self.content_type.split(";", 1)[0].strip().lower() == "text/calendar"


def new_message_id(domain: str) -> str:
    """A unique, stable Message-ID for one outbox row."""
    return f"<{secrets.token_hex(16)}@{domain}>"


def check_header_value(value: str) -> str:
    """Reject CR, LF and NUL in a header value (mail header injection)."""
    if not _HEADER_VALUE.match(value):
        raise ValueError("header value contains a line break")
    return value


@lru_cache(maxsize=4096)
def _encode_header(value: str) -> str:
    """RFC 2047 base64 encoded words for non-ASCII values (cached: a batch repeats its subjects and sender)."""
    check_header_value(value)
    if value.isascii():
        return value
    words, chunk = [], ""
    for char in value:
        # 45 bytes of UTF-8 give 60 base64 characters: the encoded word stays under 76 characters
        if len((chunk + char).encode()) > 45:
            words.append(chunk)
            chunk = ""
        chunk += char
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w.encode()).decode()}?=" for w in words)


@lru_cache(maxsize=4096)
def _encode_address(value: str) -> str:
    check_header_value(value)
    name, addr = parseaddr(value)
    return formataddr((name, addr), charset="utf-8") if name else addr


def _qp(text: str) -> bytes:
    body = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    return binascii.b2a_qp(body, istext=True).replace(b"\n", b"\r\n")


def build_mime(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    date: dt.datetime,
    extra_headers: str = "",
    reply_to: str | None = None,
    attachment: Attachment | None = None,
) -> bytes:
    """Raw RFC 5322 bytes: multipart/alternative (text, HTML) or a single text part when ``html`` is empty.

    With ``attachment`` the mail is multipart/mixed: the text (and HTML) alternative plus the attached file.
    """
    head = [
        f"From: {_encode_address(sender)}",
        f"To: {_encode_address(to)}",
        f"Subject: {_encode_header(subject)}",
        f"Date: {format_datetime(date)}",
        f"Message-ID: {check_header_value(message_id)}",
        "MIME-Version: 1.0",
        "Auto-Submitted: auto-generated",
    ]
    if reply_to:
        head.append(f"Reply-To: {_encode_address(reply_to)}")
    for line in extra_headers.splitlines():
        if line.strip():
            name, _, value = line.partition(":")
            head.append(f"{name.strip()}: {_encode_header(value.strip())}")
    text_part = b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    if attachment is not None:
        return _with_attachment(head, text_part + _qp(text), html, attachment)
    if not html:
        return "\r\n".join(head).encode() + b"\r\n" + text_part + _qp(text) + b"\r\n"
    boundary = f"=_jfz_{secrets.token_hex(12)}"
    head.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    b = boundary.encode()
    html_part = b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    return b"".join(
        [
            "\r\n".join(head).encode(),
            b"\r\n\r\n--",
            b,
            b"\r\n",
            text_part,
            _qp(text),
            b"\r\n--",
            b,
            b"\r\n",
            html_part,
            _qp(html),
            b"\r\n--",
            b,
            b"--\r\n",
        ]
    )


def _multipart(subtype: str, parts: list[bytes]) -> tuple[str, bytes]:
    """A multipart body from complete parts (headers, blank line, content): its Content-Type and its bytes."""
    boundary = f"=_jfz_{secrets.token_hex(12)}"
    b = boundary.encode()
    body = b"".join(b"--" + b + b"\r\n" + part + b"\r\n" for part in parts) + b"--" + b + b"--\r\n"
    return f'multipart/{subtype}; boundary="{boundary}"', body


def _base64_lines(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _with_attachment(head: list[str], text_part: bytes, html: str, attachment: Attachment) -> bytes:
    html_head = b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    alternatives = [text_part] + ([html_head + _qp(html)] if html else [])
    content = _base64_lines(attachment.content.encode("utf-8"))
    ctype = attachment.content_type
    if attachment.is_calendar:
        # Outlook shows a meeting request only for a text/calendar part inside the alternative; other clients offer
        # the attached file. The attached copy is application/ics, so no client handles the invitation twice
        # (the layout calendar services use for their own invitations).
        inline = f"Content-Type: {ctype}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        alternatives.append(inline.encode() + content)
        ctype = "application/ics"
    alt_type, alt_body = _multipart("alternative", alternatives)
    name = attachment.filename
    file_head = (
        f'Content-Type: {ctype}; name="{name}"\r\n'
        f'Content-Disposition: attachment; filename="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    )
    mixed_type, mixed_body = _multipart(
        "mixed", [f"Content-Type: {alt_type}\r\n\r\n".encode() + alt_body, file_head.encode() + content]
    )
    head = [*head, f"Content-Type: {mixed_type}"]
    return "\r\n".join(head).encode() + b"\r\n\r\n" + mixed_body

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest

from jobfuerzwei.mail.messages import build_mime, check_header_value, render_email


def _parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def test_build_mime_gives_multipart_alternative_with_text_and_html() -> None:
    raw = build_mime(
        sender="Job für Zwei <noreply@example.org>",
        to="anna@example.org",
        subject="Profil JFZ-0001 – Pflegefachkraft",
        text="Guten Tag,\nÄrztin gesucht – „Zitat“\n" + "x" * 200 + "\n",
        html="<p>Guten Tag, <b>Ärztin</b></p>",
        message_id="<abc@example.org>",
        date=dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC),
        extra_headers="List-Id: <profiles.jobfuerzwei.example>",
    )
    msg = _parse(raw)
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == "Profil JFZ-0001 – Pflegefachkraft"
    assert msg["From"].addresses[0].display_name == "Job für Zwei"
    assert msg["Message-ID"] == "<abc@example.org>"
    assert msg["List-Id"] == "<profiles.jobfuerzwei.example>"
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert "Ärztin gesucht – „Zitat“" in text.get_content()
    assert "x" * 200 in text.get_content()  # soft line breaks are undone
    assert "<b>Ärztin</b>" in html.get_content()
    assert not list(msg.iter_attachments())
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


def test_build_mime_without_html_is_a_single_text_part() -> None:
    raw = build_mime(
        sender="noreply@example.org",
        to="a@example.org",
        subject="Hallo",
        text="Nur Text",
        html="",
        message_id="<x@example.org>",
        date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    msg = _parse(raw)
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content().strip() == "Nur Text"


@pytest.mark.parametrize("value", ["a\r\nBcc: x@example.org", "a\nb", "a\rb", "a\x00b"])
def test_header_values_with_line_breaks_are_rejected(value: str) -> None:
    with pytest.raises(ValueError, match="line break"):
        check_header_value(value)
    with pytest.raises(ValueError, match="line break"):
        build_mime(
            sender="noreply@example.org",
            to="a@example.org",
            subject=value,
            text="t",
            html="",
            message_id="<x@example.org>",
            date=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )


def test_render_email_escapes_html_but_not_text() -> None:
    rendered = render_email("smtp_check", {"name": "<script>x</script> & Co", "base_url": "http://h"})
    assert "<script>x</script> & Co" in rendered.text
    assert "&lt;script&gt;" in rendered.html
    assert "<script>" not in rendered.html
    assert "\n" not in rendered.subject

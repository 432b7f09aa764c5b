"""Mails with an attachment (the ``.ics`` of event invitations): structure and exact round trip of the file."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest

from jobfuerzwei.mail.messages import Attachment, build_mime

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nSUMMARY:Fachkräfte\r\nEND:VCALENDAR\r\n"


def _build(attachment: Attachment, html: str = "<p>Hallo</p>") -> email.message.EmailMessage:
    raw = build_mime(
        sender="Job für Zwei <noreply@jfz.example>",
        to="a@b.example",
        subject="Einladung",
        text="Hallo\n",
        html=html,
        message_id="<1@jfz.example>",
        date=dt.datetime(2026, 11, 27, tzinfo=dt.UTC),
        attachment=attachment,
    )
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_calendar_attachment_is_an_alternative_and_a_file() -> None:
    message = _build(Attachment("einladung.ics", "text/calendar; method=REQUEST", ICS))

    assert message.get_content_type() == "multipart/mixed"
    assert str(message["Message-ID"]) == "<1@jfz.example>"
    types = [p.get_content_type() for p in message.walk()]
    assert types == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
        "application/ics",
    ]
    files = list(message.iter_attachments())
    assert [f.get_filename() for f in files] == ["einladung.ics"]
    assert files[0].get_payload(decode=True) == ICS.encode()
    inline = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert inline.get_param("method") == "REQUEST"
    assert inline.get_payload(decode=True) == ICS.encode()
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().strip() == "Hallo"


def test_other_attachments_are_only_a_file_and_text_only_mails_work() -> None:
    message = _build(Attachment("liste.csv", "text/csv", "a;b\r\n"), html="")

    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/csv",
    ]
    assert next(message.iter_attachments()).get_payload(decode=True) == b"a;b\r\n"


@pytest.mark.parametrize("name", ["", "../x.ics", 'a".ics', "einladung\r\n.ics", "ä.ics"])
def test_attachment_file_names_are_plain_ascii(name: str) -> None:
    with pytest.raises(ValueError, match="file name"):
        Attachment(name, "text/calendar", ICS)


def test_attachment_survives_the_json_column() -> None:
    attachment = Attachment("einladung.ics", "text/calendar; method=CANCEL", ICS)
    assert Attachment.from_json(attachment.as_json()) == attachment

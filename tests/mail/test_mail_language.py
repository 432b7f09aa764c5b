"""Every mail template in English: it differs from the German one and leaves no German behind.

The contexts follow what the services pass to ``enqueue`` (and ``circulation.services`` to ``render_email``) for each
template, with ``base_url`` as ``enqueue`` adds it; the variants reach the other branches of the templates. A new
mail template needs a context here (``test_every_mail_template_has_a_context``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from jobfuerzwei.mail.messages import EMAIL_TEMPLATES, render_email

BASE = "https://jfz.example"
GERMAN_WORDS = (" und ", " Sie ", " Ihr", "Bitte", " der ", " die ", " das ")


def _stale(reference: str, label: str, days: int, escalated: bool) -> SimpleNamespace:
    return SimpleNamespace(reference=reference, state_label=label, days=days, escalated=escalated)


def _figures(**overrides: Any) -> SimpleNamespace:
    figures = {
        "waiting_review": ["JFZ-0001", "JFZ-0002"],
        "confirmed": 3,
        "circulations": 2,
        "recipients": 17,
        "interested": 4,
        "no_fit": 5,
        "stale": [_stale("JFZ-0003", "Contact requested", 21, True), _stale("JFZ-0004", "Interview", 15, False)],
        "placements": ["JFZ-0005"],
        "failed_mails": 1,
    }
    return SimpleNamespace(**{**figures, **overrides})


_EVENT: dict[str, Any] = {
    "contact_name": "Chris Example",
    "member_name": "Acme Ltd",
    "title": "Network breakfast",
    "kind": "Meeting",
    "when": "15 Jan 2027, 09:00–11:00",
    "date": "15 Jan 2027",
    "place": "Town hall",
    "online_url": "https://meet.example/x",
    "agenda": "Welcome\nTalks",
    "status": "invited",
    "rsvp_url": f"{BASE}/rsvp/tok",
    "reason": "The speaker is ill.",
}
_EVENT_BARE = {"contact_name": None, "kind": "", "place": None, "online_url": None, "agenda": None, "reason": None}

CONTEXTS: dict[str, dict[str, Any]] = {
    "accessibility_feedback": {
        "name": "Alex Example",
        "email": "alex@example.org",
        "page": "/register",
        "message": "The form is hard to read.\nSecond line.",
    },
    "contact_released": {"reference": "JFZ-0042", "member_name": "Acme Ltd", "url": f"{BASE}/e/tok"},
    "coordinator_digest": {
        "f": _figures(),
        "since": dt.date(2026, 11, 16),
        "until": dt.date(2026, 11, 23),
        "stale_days": 14,
        "overview_url": f"{BASE}/coordinator",
    },
    "employer_digest": {
        "contact_name": "Chris Example",
        "entries": [
            SimpleNamespace(reference="JFZ-0001", occupations=["Nurse", "Carer"]),
            SimpleNamespace(reference="JFZ-0002", occupations=["Baker"]),
        ],
        "portal_url": f"{BASE}/portal",
        "unsubscribe_url": f"{BASE}/u/x",
        "preferences_url": f"{BASE}/portal/mail",
    },
    "employer_interest_partner": {
        "partner_name": "Robin Example",
        "reference": "JFZ-0042",
        "member_name": "Acme Ltd",
        "member_municipality": "Springfield",
        "status_url": f"{BASE}/status/tok",
    },
    "employer_invite": {
        "contact_name": "Chris Example",
        "member_name": "Acme Ltd",
        "inviter": "Kim Example",
        "invite_url": f"{BASE}/portal/password/tok",
        "login_url": f"{BASE}/portal/login",
        "security_url": f"{BASE}/portal/security",
        "valid_days": 7,
        "min_length": 12,
    },
    "event_cancelled": dict(_EVENT),
    "event_invitation": dict(_EVENT),
    "event_moved_up": dict(_EVENT),
    "event_reminder": dict(_EVENT),
    "event_update": dict(_EVENT),
    "membership_approved": {
        "contact_name": "Chris Example",
        "organisation": "Acme Ltd",
        "password_url": f"{BASE}/portal/password/tok",
        "invite_days": 7,
    },
    "membership_declined": {
        "contact_name": "Chris Example",
        "organisation": "Acme Ltd",
        "reason": "Outside our region.\nSecond line.",
    },
    "membership_received": {"contact_name": "Chris Example", "organisation": "Acme Ltd"},
    "offer_rejected": {
        "contact_name": "Chris Example",
        "provider_name": "Acme Ltd",
        "title": "Language course",
        "reason": "Too vague.\nSecond line.",
        "edit_url": f"{BASE}/portal/offers/1/edit",
    },
    "partner_confirm": {
        "partner_name": "Robin Example",
        "applicant_name": "Sam Example",
        "confirm_url": f"{BASE}/confirm/tok",
        "status_url": f"{BASE}/status/tok",
        "retention_days": 30,
        "confirm_days": 14,
    },
    "password_reset": {
        "contact_name": "Chris Example",
        "reset_url": f"{BASE}/portal/password/tok",
        "forgot_url": f"{BASE}/portal/forgot",
        "valid_minutes": 60,
    },
    "profile_circulated": {
        "reference": "JFZ-0042",
        "is_partner_profile": True,
        "occupations": ["Nurse", "Carer"],
        "qualification": "Bachelor",
        "experience_years": 5,
        "skills": ["Python", "SQL"],
        "languages": ["English (C1)"],
        "working_time": "Full time",
        "earliest_start": dt.date(2027, 1, 15),
        "places": "Springfield; 20 km around 12345",
        "token": "TOKENSLOT",
        "unsubscribe_url": "UNSUBSCRIBESLOT",
        "valid_days": 30,
    },
    "profile_rejected": {
        "partner_name": "Robin Example",
        "reference": "JFZ-0042",
        "reason": "Incomplete.\nSecond line.",
        "status_url": f"{BASE}/status/tok",
    },
    "referral_reminder": {
        "contact_name": "Chris Example",
        "reference": "JFZ-0042",
        "state_label": "Interview",
        "days": 14,
        "url": f"{BASE}/e/tok",
        "unsubscribe_url": f"{BASE}/u/x",
    },
    "referral_stale": {
        "entries": [
            SimpleNamespace(
                reference="JFZ-0003", state_label="Interview", days=30, url=f"{BASE}/coordinator/referrals/1"
            ),
            SimpleNamespace(
                reference="JFZ-0004", state_label="Contact requested", days=28, url=f"{BASE}/coordinator/referrals/2"
            ),
        ],
        "days": 14,
    },
    "retention_ask": {
        "partner_name": "Robin Example",
        "reference": "JFZ-0042",
        "last_activity_on": dt.date(2025, 5, 1),
        "delete_on": dt.date(2026, 12, 1),
        "status_url": f"{BASE}/status/tok",
    },
    "smtp_check": {"name": "Test"},
    "staff_invite": {
        "name": "Kim Example",
        "invite": True,
        "role_label": "Coordinator",
        "password_url": f"{BASE}/coordinator/password/tok",
        "valid_hours": 48,
    },
    "transfer_confirm": {
        "partner_name": "Robin Example",
        "applicant_name": "Sam Example",
        "member_name": "Acme Ltd",
        "confirm_url": f"{BASE}/confirm/tok",
        "status_url": f"{BASE}/status/tok",
        "retention_days": 30,
        "confirm_days": 14,
    },
}

VARIANTS: dict[str, list[dict[str, Any]]] = {
    "accessibility_feedback": [{"name": None, "email": None, "page": None}],
    "coordinator_digest": [
        {"f": _figures(waiting_review=[], confirmed=0, circulations=1, recipients=1, stale=[], placements=[])},
        {"f": _figures(waiting_review=["JFZ-0001"], circulations=0, placements=["JFZ-0005", "JFZ-0006"])},
    ],
    "employer_digest": [
        {"contact_name": None, "entries": [SimpleNamespace(reference="JFZ-0001", occupations=["Nurse"])]}
    ],
    "employer_interest_partner": [{"member_municipality": None}],
    "employer_invite": [{"contact_name": None, "inviter": None}],
    "event_cancelled": [_EVENT_BARE],
    "event_invitation": [_EVENT_BARE],
    "event_moved_up": [_EVENT_BARE],
    "event_reminder": [_EVENT_BARE],
    "event_update": [{"status": "attending"}, {"status": "waiting"}, _EVENT_BARE],
    "offer_rejected": [{"contact_name": None}],
    "password_reset": [{"contact_name": None}],
    "profile_circulated": [
        {
            "is_partner_profile": False,
            "experience_years": 1,
            "skills": [],
            "languages": [],
            "earliest_start": None,
            "places": "",
        }
    ],
    "profile_rejected": [{"status_url": None}],
    "referral_reminder": [{"contact_name": None}],
    "referral_stale": [{"entries": CONTEXTS["referral_stale"]["entries"][:1]}],
    "staff_invite": [{"invite": False, "name": None}],
}


def _cases() -> Iterator[Any]:
    for name, context in CONTEXTS.items():
        yield pytest.param(name, {**context, "base_url": BASE}, id=name)
        for i, override in enumerate(VARIANTS.get(name, []), 1):
            yield pytest.param(name, {**context, **override, "base_url": BASE}, id=f"{name}-{i}")


def _values(value: Any) -> Iterator[str]:
    """Every text in a context (what the mail shows as data, not as its own words)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _values(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _values(item)
    elif isinstance(value, SimpleNamespace):
        yield from _values(vars(value))


def _own_words(text: str, context: dict[str, Any]) -> str:
    for value in sorted(_values(context), key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    return text


def test_every_mail_template_has_a_context() -> None:
    names = {p.parent.name for p in EMAIL_TEMPLATES.glob("*/subject.txt")}
    assert names == set(CONTEXTS)


@pytest.mark.parametrize(("name", "context"), list(_cases()))
def test_the_english_mail_differs_and_has_no_german_left(name: str, context: dict[str, Any]) -> None:
    german = render_email(name, context, "de")
    english = render_email(name, context, "en")
    assert english.subject != german.subject
    assert english.text != german.text
    assert english.html != german.html
    assert '<html lang="de">' not in english.html
    html_text = re.sub(r"<[^>]+>", " ", english.html)
    for part, text in (("subject", english.subject), ("text", english.text), ("html", html_text)):
        own = _own_words(text, context)
        left = [word for word in GERMAN_WORDS if word in own]
        assert not left, f"{name} ({part}): German {left} in {own!r}"

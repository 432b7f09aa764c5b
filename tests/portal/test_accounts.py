"""Employer portal accounts: invitation, password links, login with lock, two-factor, reset, and the line between
portal logins and the capability links of circulation mails."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import httpx
import pyotp
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jobfuerzwei.circulation import services as circulation_services
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.accounts import issue_account_token, login_for_session, start_session
from jobfuerzwei.employers.models import AccountToken, AccountTokenPurpose, Member, MemberContact
from jobfuerzwei.mail.models import OutboxMessage
from jobfuerzwei.staff.services import hash_password
from jobfuerzwei.web.auth import PORTAL_COOKIE
from tests.circulation.helpers import make_profile, path_of, session_cookie
from tests.conftest import BASE_URL, Sink, csrf_token, links_in
from tests.coordinator.conftest import make_member

Client = AsyncTestClient[Litestar]

ACCT_EMAIL = "personal@beispiel.example"
ACCT_PASSWORD = "korrekt-pferd-batterie-42"
LOGIN_FAILED = "E-Mail-Adresse oder Passwort ist falsch."
RESET_ANSWER = "Falls es zu dieser Adresse einen Zugang gibt, haben wir eine E-Mail geschickt."


async def acct_member(
    session: AsyncSession, name: str = "Beispiel GmbH", email: str = ACCT_EMAIL, password: str | None = ACCT_PASSWORD
) -> tuple[Member, MemberContact]:
    """A committed member whose one contact has a portal login (or none with ``password=None``)."""
    member = await make_member(session, name, email=email)
    contact = member.contacts[0]
    if password is not None:
        contact.password_hash = hash_password(password)
        await session.commit()
    return member, contact


async def acct_contact(session: AsyncSession, contact_id: UUID) -> MemberContact:
    """The committed state of a contact."""
    contact = await session.scalar(
        select(MemberContact).where(MemberContact.id == contact_id).execution_options(populate_existing=True)
    )
    assert contact is not None
    return contact


async def acct_post(client: Client, path: str, data: dict[str, Any] | None = None) -> httpx.Response:
    """POST a form with the CSRF token (redirects not followed)."""
    token = client.cookies.get("csrftoken") or await csrf_token(client, "/portal/login")
    return await client.post(path, data={"_csrf_token": token, **(data or {})}, follow_redirects=False)


async def acct_login(
    client: Client, email: str = ACCT_EMAIL, password: str = ACCT_PASSWORD, next_path: str = ""
) -> httpx.Response:
    """Log in through the portal's form."""
    token = await csrf_token(client, "/portal/login")
    data = {"_csrf_token": token, "email": email, "password": password}
    if next_path:
        data["next"] = next_path
    return await client.post("/portal/login", data=data, follow_redirects=False)


def acct_portal_cookie(response: httpx.Response) -> str:
    """The ``Set-Cookie`` header of the portal session."""
    (header,) = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{PORTAL_COOKIE}=")]
    return header


def acct_error(response: httpx.Response) -> str:
    """The login page's error paragraph."""
    match = re.search(r'<p class="error-summary" role="alert">([^<]*)</p>', response.text)
    assert match, response.text
    return match.group(1)


def acct_link(sink: Sink, address: str) -> str:
    """The one password link mailed to ``address``, as a path."""
    (message,) = sink.to(address)
    (link,) = links_in(message, rf"{re.escape(BASE_URL)}/portal/password/[A-Za-z0-9_-]{{20,}}")
    return path_of(link)


async def acct_other_device(session: AsyncSession, contact: MemberContact) -> str:
    """A verified portal session of ``contact`` on another device (its cookie value)."""
    token = await start_session(session, contact, is_verified=True)
    await session.commit()
    return token


async def acct_is_logged_in(client: Client) -> bool:
    """Does the client's portal cookie open a portal page?"""
    response = await client.get("/portal/security", follow_redirects=False)
    if response.status_code == 200:
        return True
    assert response.status_code == 303
    assert response.headers["location"].startswith("/portal/login?next=")
    return False


# --- invitation and setting the first password ---------------------------------------------------------------------


async def test_invitation_link_sets_the_password_once_then_the_contact_logs_in(
    client: Client, db_session: AsyncSession, settings: Settings, deliver: Callable[..., Any]
) -> None:
    member, contact = await acct_member(db_session, password=None)
    await session_cookie(client, db_session, settings)
    edit = await client.get(f"/coordinator/members/{member.id}/edit")
    assert "kein Zugang" in edit.text
    assert "Zum Portal einladen" in edit.text

    invited = await acct_post(client, f"/coordinator/contacts/{contact.id}/invite")

    assert invited.status_code == 303
    assert invited.headers["location"] == f"/coordinator/members/{member.id}/edit"
    edit = await client.get(f"/coordinator/members/{member.id}/edit")
    assert "Die Einladung zum Portal wurde verschickt." in edit.text
    assert "eingeladen" in edit.text
    assert "Einladung erneut senden" in edit.text
    sink = await deliver()
    (message,) = sink.to(ACCT_EMAIL)
    assert "Einladung zum Arbeitgeberportal" in str(message["Subject"])
    text = str(message.get_body(preferencelist=("plain",)).get_content())
    html = str(message.get_body(preferencelist=("html",)).get_content())
    assert "Koordination" in text
    assert "Beispiel GmbH" in text
    assert "7 Tage gültig" in text
    link = acct_link(sink, ACCT_EMAIL)
    assert link in html

    form = await client.get(link)

    assert form.status_code == 200
    assert "Passwort festlegen" in form.text
    assert (await acct_contact(db_session, contact.id)).password_hash is None  # the GET changed nothing
    assert (await db_session.scalar(select(AccountToken.used_at))) is None

    done = await acct_post(client, link, {"password": ACCT_PASSWORD, "password_repeat": ACCT_PASSWORD})

    assert done.status_code == 303
    assert done.headers["location"] == "/portal/login"
    assert (await acct_contact(db_session, contact.id)).password_hash is not None
    again = await acct_post(
        client, link, {"password": "ein-anderes-passwort", "password_repeat": "ein-anderes-passwort"}
    )
    assert again.status_code == 410
    assert "bereits verwendet" in again.text
    assert 'href="/portal/password/forgot"' in again.text
    assert (await client.get(link)).status_code == 410

    login = await acct_login(client)

    assert login.status_code == 303
    assert login.headers["location"] == "/portal"
    cookie = acct_portal_cookie(login).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/" in cookie
    assert await acct_is_logged_in(client)
    edit = await client.get(f"/coordinator/members/{member.id}/edit")
    assert "Zugang aktiv" in edit.text
    assert "Zum Portal einladen" not in edit.text


async def test_password_link_rejects_short_and_different_passwords_and_keeps_the_link(
    client: Client, db_session: AsyncSession
) -> None:
    _, contact = await acct_member(db_session, password=None)
    token = await issue_account_token(db_session, contact, AccountTokenPurpose.INVITE)
    await db_session.commit()
    link = f"/portal/password/{token}"

    short = await acct_post(client, link, {"password": "zu-kurz", "password_repeat": "zu-kurz"})
    different = await acct_post(client, link, {"password": ACCT_PASSWORD, "password_repeat": ACCT_PASSWORD + "x"})

    assert short.status_code == different.status_code == 400
    assert "mindestens 12 Zeichen" in short.text
    assert "stimmen nicht überein" in different.text
    assert ACCT_PASSWORD not in different.text
    assert (await acct_contact(db_session, contact.id)).password_hash is None
    assert (await client.get(link)).status_code == 200  # still usable


async def test_invitation_is_refused_when_the_address_has_a_login_at_another_member(
    client: Client, db_session: AsyncSession, settings: Settings
) -> None:
    await acct_member(db_session, "Erste GmbH")
    _, second_contact = await acct_member(db_session, "Zweite GmbH", password=None)
    _, own = await acct_member(db_session, "Dritte GmbH", email="hr@dritte.example")
    await session_cookie(client, db_session, settings)

    refused = await acct_post(client, f"/coordinator/contacts/{second_contact.id}/invite")

    assert refused.status_code == 409
    assert "bereits einen Portalzugang bei einem anderen Mitglied" in refused.text
    assert "Zweite GmbH" in refused.text
    has_login = await acct_post(client, f"/coordinator/contacts/{own.id}/invite")
    assert has_login.status_code == 409
    assert "bereits einen Zugang" in has_login.text
    assert (await acct_post(client, f"/coordinator/contacts/{uuid4()}/invite")).status_code == 404
    assert await db_session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert await db_session.scalar(select(func.count()).select_from(AccountToken)) == 0


async def test_the_coordinator_sets_a_contacts_mail_language_and_the_invitation_uses_it(
    client: Client, db_session: AsyncSession, settings: Settings, deliver: Callable[..., Any]
) -> None:
    member, contact = await acct_member(db_session, password=None)  # no portal login: only the coordinator can
    await session_cookie(client, db_session, settings)
    edit = (await client.get(f"/coordinator/members/{member.id}/edit")).text
    assert '<option value="de" lang="de" selected>Deutsch</option>' in edit
    assert f'<label for="language-{contact.id}" class="visually-hidden">Sprache der E-Mails an {ACCT_EMAIL}' in edit

    saved = await acct_post(client, f"/coordinator/contacts/{contact.id}/language", {"language": "en"})

    assert saved.status_code == 303
    assert saved.headers["location"] == f"/coordinator/members/{member.id}/edit"
    edit = (await client.get(f"/coordinator/members/{member.id}/edit")).text
    assert "Die Sprache der E-Mails an diesen Kontakt ist gespeichert." in edit
    assert '<option value="en" lang="en" selected>English</option>' in edit
    assert (await acct_contact(db_session, contact.id)).language == "en"
    await acct_post(client, f"/coordinator/contacts/{contact.id}/invite")
    (message,) = (await deliver()).to(ACCT_EMAIL)
    assert str(message["Subject"]) == "Invitation to the “Job für Zwei” employer portal"

    refused = await acct_post(client, f"/coordinator/contacts/{contact.id}/language", {"language": "fr"})
    assert refused.status_code == 400
    assert "Bitte wählen Sie eine der angebotenen Sprachen." in refused.text
    assert (await acct_contact(db_session, contact.id)).language == "en"
    missing = await acct_post(client, f"/coordinator/contacts/{uuid4()}/language", {"language": "de"})
    assert missing.status_code == 404


async def test_invitation_needs_a_coordinator(client: Client, db_session: AsyncSession) -> None:
    _, contact = await acct_member(db_session, password=None)
    response = await acct_post(client, f"/coordinator/contacts/{contact.id}/invite")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/coordinator/login")
    assert await db_session.scalar(select(func.count()).select_from(AccountToken)) == 0


# --- login ----------------------------------------------------------------------------------------------------------


async def test_wrong_password_and_unknown_address_get_the_same_answer(client: Client, db_session: AsyncSession) -> None:
    await acct_member(db_session)
    await acct_member(db_session, "Ohne Zugang GmbH", email="ohne@zugang.example", password=None)

    wrong = await acct_login(client, password="falsches-passwort-123")
    unknown = await acct_login(client, email="niemand@example.org")
    no_account = await acct_login(client, email="ohne@zugang.example", password=ACCT_PASSWORD)

    assert wrong.status_code == unknown.status_code == no_account.status_code == 400
    assert acct_error(wrong) == acct_error(unknown) == acct_error(no_account) == LOGIN_FAILED
    assert f'value="{ACCT_EMAIL}"' in wrong.text  # the address is kept, the password never
    assert "falsches-passwort-123" not in wrong.text
    assert PORTAL_COOKIE not in client.cookies


async def test_login_locks_the_account_after_repeated_failures(
    client: Client, db_session: AsyncSession, settings: Settings
) -> None:
    await acct_member(db_session)
    for _ in range(settings.security.login_failures_per_account):
        assert (await acct_login(client, password="falsches-passwort-123")).status_code == 400

    locked = await acct_login(client)

    assert locked.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldungen" in acct_error(locked)
    assert PORTAL_COOKIE not in client.cookies
    # An unknown address locks the same way, so the lock does not reveal which addresses have an account.
    for _ in range(settings.security.login_failures_per_account):
        await acct_login(client, email="niemand@example.org")
    assert (await acct_login(client, email="niemand@example.org")).status_code == 429


async def test_login_goes_back_to_a_portal_path_only(client: Client, db_session: AsyncSession) -> None:
    await acct_member(db_session)
    response = await acct_login(client, next_path="//evil.example/portal")
    assert response.headers["location"] == "/portal"
    await acct_post(client, "/portal/logout")
    response = await acct_login(client, next_path="/portal/security")
    assert response.headers["location"] == "/portal/security"


async def test_logout_ends_the_session(client: Client, db_session: AsyncSession) -> None:
    await acct_member(db_session)
    await acct_login(client)
    token = client.cookies.get(PORTAL_COOKIE)

    response = await acct_post(client, "/portal/logout")

    assert response.status_code == 303
    assert response.headers["location"] == "/portal/login"
    assert await login_for_session(db_session, token) is None
    client.cookies.set(PORTAL_COOKIE, token or "")
    assert not await acct_is_logged_in(client)


# --- two-factor -----------------------------------------------------------------------------------------------------


async def test_two_factor_enable_then_login_needs_a_fresh_code_and_rotates_the_session(
    client: Client, db_session: AsyncSession
) -> None:
    _, contact = await acct_member(db_session)
    await acct_login(client)
    security = await client.get("/portal/security")
    assert "ausgeschaltet" in security.text

    started = await acct_post(client, "/portal/security/totp/start")

    assert started.status_code == 303
    assert (await acct_contact(db_session, contact.id)).totp_secret is None  # pending, not active
    security = await client.get("/portal/security")
    match = re.search(r"otpauth://totp/[^\s<]*secret=([A-Z2-7]+)", security.text)
    assert match, security.text
    secret = match.group(1)
    assert "Job%20f%C3%BCr%20Zwei" in security.text or "Job f" in security.text
    totp = pyotp.TOTP(secret)
    wrong = await acct_post(client, "/portal/security/totp/confirm", {"code": totp.at(time.time() + 600)})
    assert wrong.status_code == 400
    assert "Der Code stimmt nicht" in wrong.text
    assert (await acct_contact(db_session, contact.id)).totp_secret is None
    before = client.cookies.get(PORTAL_COOKIE)
    confirm_code = totp.now()

    confirmed = await acct_post(client, "/portal/security/totp/confirm", {"code": confirm_code})

    assert confirmed.status_code == 303
    assert (await acct_contact(db_session, contact.id)).totp_secret == secret
    assert client.cookies.get(PORTAL_COOKIE) != before  # other sessions ended, this one renewed
    assert "eingeschaltet" in (await client.get("/portal/security")).text

    await acct_post(client, "/portal/logout")
    login = await acct_login(client, next_path="/portal/security")
    assert login.status_code == 303
    assert login.headers["location"] == "/portal/login/code?next=/portal/security"
    half_open = client.cookies.get(PORTAL_COOKIE)
    assert not await acct_is_logged_in(client)  # the password alone opens nothing
    assert (await client.get("/portal", follow_redirects=False)).headers["location"].startswith("/portal/login")
    assert "sechsstelligen Code" in (await client.get("/portal/login/code")).text

    wrong = await acct_post(
        client, "/portal/login/code", {"code": totp.at(time.time() + 600), "next": "/portal/security"}
    )
    assert wrong.status_code == 400
    assert "Der Code stimmt nicht" in wrong.text
    replayed = await acct_post(client, "/portal/login/code", {"code": confirm_code})
    assert replayed.status_code == 400  # a code works once
    right = await acct_post(
        client, "/portal/login/code", {"code": totp.at(time.time() + 30), "next": "/portal/security"}
    )

    assert right.status_code == 303
    assert right.headers["location"] == "/portal/security"
    assert client.cookies.get(PORTAL_COOKIE) != half_open
    assert await login_for_session(db_session, half_open) is None
    assert "httponly" in acct_portal_cookie(right).lower()
    assert await acct_is_logged_in(client)


async def test_two_factor_code_failures_count_towards_the_lock(
    client: Client, db_session: AsyncSession, settings: Settings
) -> None:
    _, contact = await acct_member(db_session)
    secret = pyotp.random_base32()
    contact.totp_secret = secret
    await db_session.commit()
    await acct_login(client)
    wrong = pyotp.TOTP(secret).at(time.time() + 600)
    for _ in range(settings.security.login_failures_per_account):
        assert (await acct_post(client, "/portal/login/code", {"code": wrong})).status_code == 400

    locked = await acct_post(client, "/portal/login/code", {"code": pyotp.TOTP(secret).now()})

    assert locked.status_code == 303
    assert locked.headers["location"] == "/portal/login"
    assert not await acct_is_logged_in(client)
    assert (await acct_login(client)).status_code == 429


async def test_two_factor_disable_needs_the_password(client: Client, db_session: AsyncSession) -> None:
    _, contact = await acct_member(db_session)
    contact.totp_secret = pyotp.random_base32()
    await db_session.commit()
    await acct_login(client)
    await acct_post(client, "/portal/login/code", {"code": pyotp.TOTP(contact.totp_secret).now()})

    refused = await acct_post(client, "/portal/security/totp/disable", {"disable_password": "falsch-falsch-falsch"})

    assert refused.status_code == 400
    assert "Das Passwort ist falsch." in refused.text
    assert (await acct_contact(db_session, contact.id)).totp_secret is not None
    done = await acct_post(client, "/portal/security/totp/disable", {"disable_password": ACCT_PASSWORD})
    assert done.status_code == 303
    assert (await acct_contact(db_session, contact.id)).totp_secret is None


async def test_change_password_needs_the_current_one_and_ends_other_sessions(
    client: Client, db_session: AsyncSession
) -> None:
    _, contact = await acct_member(db_session)
    other_device = await acct_other_device(db_session, contact)
    await acct_login(client)
    new = "ein-ganz-neues-passwort"

    wrong = await acct_post(
        client,
        "/portal/security/password",
        {"current_password": "falsch-falsch-falsch", "new_password": new, "new_password_repeat": new},
    )
    assert wrong.status_code == 400
    assert "Das Passwort ist falsch." in wrong.text
    changed = await acct_post(
        client,
        "/portal/security/password",
        {"current_password": ACCT_PASSWORD, "new_password": new, "new_password_repeat": new},
    )

    assert changed.status_code == 303
    assert await acct_is_logged_in(client)
    assert await login_for_session(db_session, other_device) is None
    await acct_post(client, "/portal/logout")
    assert (await acct_login(client)).status_code == 400
    assert (await acct_login(client, password=new)).status_code == 303


# --- password reset -------------------------------------------------------------------------------------------------


async def test_reset_mails_only_accounts_and_answers_the_same_for_every_address(
    client: Client, db_session: AsyncSession, deliver: Callable[..., Any]
) -> None:
    await acct_member(db_session)
    await acct_member(db_session, "Ohne Zugang GmbH", email="ohne@zugang.example", password=None)

    answers = [
        await acct_post(client, "/portal/password/forgot", {"email": address})
        for address in (ACCT_EMAIL, "ohne@zugang.example", "niemand@example.org")
    ]

    assert {(a.status_code, a.headers["location"]) for a in answers} == {(303, "/portal/password/forgot")}
    assert RESET_ANSWER in (await client.get("/portal/password/forgot")).text
    sink = await deliver()
    assert [str(m["To"]) for m in sink.messages] == [ACCT_EMAIL]
    assert "30 Minuten gültig" in str(sink.messages[0].get_body(preferencelist=("plain",)).get_content())
    row = await db_session.scalar(select(AccountToken))
    assert row is not None
    assert row.purpose == AccountTokenPurpose.RESET
    assert dt.timedelta(minutes=29) < row.expires_at - utcnow() <= dt.timedelta(minutes=30)
    invalid = await acct_post(client, "/portal/password/forgot", {"email": "keine-adresse"})
    assert invalid.status_code == 400
    assert 'value="keine-adresse"' in invalid.text


async def test_reset_link_is_consumed_by_post_and_ends_old_sessions(
    client: Client, db_session: AsyncSession, deliver: Callable[..., Any]
) -> None:
    _, contact = await acct_member(db_session)
    old_device = await acct_other_device(db_session, contact)
    await acct_post(client, "/portal/password/forgot", {"email": ACCT_EMAIL})
    link = acct_link(await deliver(), ACCT_EMAIL)
    before = (await acct_contact(db_session, contact.id)).password_hash

    assert (await client.get(link)).status_code == 200
    assert (await client.get(link)).status_code == 200  # a mail scanner's GET uses nothing up
    assert (await acct_contact(db_session, contact.id)).password_hash == before
    assert await login_for_session(db_session, old_device) is not None
    new = "mein-neues-passwort-2026"
    done = await acct_post(client, link, {"password": new, "password_repeat": new})

    assert done.status_code == 303
    assert done.headers["location"] == "/portal/login"
    assert await login_for_session(db_session, old_device) is None
    assert (await acct_post(client, link, {"password": new, "password_repeat": new})).status_code == 410
    assert (await acct_login(client)).status_code == 400
    assert (await acct_login(client, password=new)).status_code == 303


async def test_expired_reset_link_is_refused_with_a_way_to_a_new_one(
    client: Client, db_session: AsyncSession, deliver: Callable[..., Any]
) -> None:
    _, contact = await acct_member(db_session)
    await acct_post(client, "/portal/password/forgot", {"email": ACCT_EMAIL})
    link = acct_link(await deliver(), ACCT_EMAIL)
    await db_session.execute(update(AccountToken).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    await db_session.commit()

    page = await client.get(link)
    post = await acct_post(client, link, {"password": "mein-neues-passwort", "password_repeat": "mein-neues-passwort"})

    for response in (page, post):
        assert response.status_code == 410
        assert "abgelaufen" in response.text
        assert 'href="/portal/password/forgot"' in response.text
    assert (await acct_contact(db_session, contact.id)).password_hash is not None
    assert (await acct_login(client)).status_code == 303  # the old password still works
    assert (await client.get("/portal/password/unbekannt")).status_code == 410


# --- circulation links stay capabilities ----------------------------------------------------------------------------


async def test_a_circulation_mail_link_never_logs_anyone_in(
    client: Client, db_session: AsyncSession, settings: Settings, deliver: Callable[..., Any]
) -> None:
    member, _ = await acct_member(db_session, "Kliniken Ostalb", email="personal@kliniken-ostalb.example")
    member.interests = "Pflege"
    await db_session.commit()
    profile = await make_profile(db_session, allowed=[member])
    await circulation_services.circulate(db_session, settings, profile.id, [member.id], staff_id=None)
    await db_session.commit()
    (message,) = (await deliver()).to("personal@kliniken-ostalb.example")
    link = path_of(links_in(message)[0])
    assert link.startswith("/e/")

    shown = await client.get(link)

    assert shown.status_code == 200
    assert profile.reference in shown.text
    assert all(not h.startswith(f"{PORTAL_COOKIE}=") for h in shown.headers.get_list("set-cookie"))
    inbox = await client.get("/portal", follow_redirects=False)
    assert inbox.status_code == 303
    assert inbox.headers["location"].startswith("/portal/login")
    assert not await acct_is_logged_in(client)


# --- CSRF -----------------------------------------------------------------------------------------------------------

PORTAL_POSTS = [
    "/portal/login",
    "/portal/login/code",
    "/portal/logout",
    "/portal/password/forgot",
    "/portal/password/some-token",
    "/portal/security/totp/start",
    "/portal/security/totp/confirm",
    "/portal/security/totp/disable",
    "/portal/security/password",
    "/coordinator/contacts/00000000-0000-4000-8000-000000000001/invite",  # fixed id: same on every xdist worker
]


@pytest.mark.parametrize("path", PORTAL_POSTS)
async def test_every_post_without_csrf_token_is_rejected(client: Client, db_session: AsyncSession, path: str) -> None:
    await acct_member(db_session)
    await acct_login(client)
    assert client.cookies.get("csrftoken")

    response = await client.post(path, data={"email": ACCT_EMAIL, "password": ACCT_PASSWORD}, follow_redirects=False)

    assert response.status_code == 403
    assert await acct_is_logged_in(client)

"""Mail preferences of member contacts: RFC 8058 one-click unsubscribe without login or cookie, the portal setting
(each profile or a weekly digest, and the language of the mails), and the digest itself."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from markupsafe import escape
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.circulation.models import CirculationRecipient
from jobfuerzwei.config import Settings
from jobfuerzwei.db.base import utcnow
from jobfuerzwei.employers.mail_prefs import send_digests, unsubscribe_url
from jobfuerzwei.employers.models import MemberContact
from jobfuerzwei.i18n import COOKIE, gettext, use_language
from tests.circulation.helpers import circulate, make_member, make_profile
from tests.conftest import csrf_token, links_in
from tests.portal.helpers_member import portal_login

Client = AsyncTestClient[Litestar]


async def _contact(session: AsyncSession, contact_id: uuid.UUID) -> MemberContact:
    found = await session.scalar(
        select(MemberContact).where(MemberContact.id == contact_id).execution_options(populate_existing=True)
    )
    assert found is not None
    return found


async def test_one_click_unsubscribe_needs_no_login_and_no_cookie(
    client: Client, db_session: AsyncSession, settings: Settings
) -> None:
    member = await make_member(db_session, "Kochertal Maschinenbau GmbH")
    contact = member.contacts[0]
    url = unsubscribe_url(settings, contact.id).removeprefix(settings.base_url)

    page = await client.get(url)
    assert page.status_code == 200
    assert contact.email in page.text
    assert (await _contact(db_session, contact.id)).unsubscribed_at is None  # GET changes nothing

    client.cookies.clear()
    response = await client.post(
        url, content=b"List-Unsubscribe=One-Click", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 200
    assert "Sie sind abgemeldet" in response.text
    first = (await _contact(db_session, contact.id)).unsubscribed_at
    assert first is not None
    again = await client.post(url, content=b"List-Unsubscribe=One-Click")
    assert again.status_code == 200
    assert (await _contact(db_session, contact.id)).unsubscribed_at == first

    forged = url.rsplit("/", 1)[0] + "/AAAAAAAAAAAAAAAAAAAAAA"
    assert (await client.post(forged)).status_code == 410
    other = f"/mail/unsubscribe/{uuid.uuid4()}/{url.rsplit('/', 1)[1]}"
    assert (await client.post(other)).status_code == 410


async def test_portal_setting_switches_to_the_digest_and_subscribes_again(
    client: Client, db_session: AsyncSession
) -> None:
    member = await make_member(db_session, "Kochertal Maschinenbau GmbH")
    contact = await portal_login(client, db_session, member)
    contact.unsubscribed_at = utcnow()
    await db_session.commit()

    page = await client.get("/portal/mail")
    assert "abbestellt" in page.text
    token = client.cookies.get("csrftoken") or await csrf_token(client, "/portal/mail")
    bad = await client.post("/portal/mail", data={"_csrf_token": token, "mail_mode": "hourly"}, follow_redirects=False)
    assert bad.status_code == 400
    saved = await client.post(
        "/portal/mail", data={"_csrf_token": token, "mail_mode": "digest"}, follow_redirects=False
    )
    assert saved.status_code == 303
    stored = await _contact(db_session, contact.id)
    assert stored.mail_mode == "digest"
    assert stored.unsubscribed_at is None


async def test_portal_setting_stores_the_language_of_the_mails_and_refuses_others(
    client: Client, db_session: AsyncSession
) -> None:
    member = await make_member(db_session, "Kochertal Maschinenbau GmbH")
    contact = await portal_login(client, db_session, member)
    assert contact.language == "de"

    page = await client.get("/portal/mail")
    assert "Sprache Ihrer E-Mails" in page.text
    assert '<option value="de" lang="de" selected>Deutsch</option>' in page.text
    assert '<option value="en" lang="en">English</option>' in page.text
    token = client.cookies.get("csrftoken") or await csrf_token(client, "/portal/mail")
    saved = await client.post(
        "/portal/mail", data={"_csrf_token": token, "mail_mode": "immediate", "language": "en"}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert (await _contact(db_session, contact.id)).language == "en"
    assert '<option value="en" lang="en" selected>English</option>' in (await client.get("/portal/mail")).text

    german = "Bitte wählen Sie eine der angebotenen Sprachen."
    bad = await client.post(
        "/portal/mail", data={"_csrf_token": token, "mail_mode": "digest", "language": "fr"}, follow_redirects=False
    )
    assert bad.status_code == 400
    assert german in bad.text
    stored = await _contact(db_session, contact.id)
    assert (stored.language, stored.mail_mode) == ("en", "immediate")  # nothing of the refused form is saved

    client.cookies.set(COOKIE, "en")
    in_english = await client.post(
        "/portal/mail", data={"_csrf_token": token, "mail_mode": "digest", "language": "fr"}, follow_redirects=False
    )
    with use_language("en"):
        english = gettext(german)
    assert in_english.status_code == 400
    assert "Which emails would you like to receive?" in in_english.text
    assert english != german
    assert str(escape(english)) in in_english.text
    assert (await _contact(db_session, contact.id)).language == "en"


async def test_weekly_digest_lists_the_weeks_profiles_once_with_list_headers(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    deliver: Callable[..., Any],
) -> None:
    member = await make_member(db_session, "Kliniken Ostalb", "Pflege")
    quiet = await make_member(db_session, "Metallbau Schmid", "Metallbau")
    contact = await portal_login(coordinator, db_session, member)  # one browser, both logins
    contact.mail_mode = "digest"
    await db_session.commit()
    profile = await make_profile(db_session, allowed=[member, quiet])
    assert (await circulate(coordinator, profile, [member])).status_code == 303

    async with session_maker() as session, session.begin():
        assert await send_digests(session, settings) == 1
    async with session_maker() as session, session.begin():
        assert await send_digests(session, settings) == 0  # not due again within the week
    async with session_maker() as session, session.begin():
        later = utcnow() + dt.timedelta(days=8)
        assert await send_digests(session, settings, now=later) == 0  # due, but nothing new

    sink = await deliver()
    digests = [m for m in sink.to(contact.email) if "diese Woche" in str(m["Subject"])]
    assert len(digests) == 1
    digest = digests[0]
    assert profile.reference in str(digest.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    assert digest["List-Unsubscribe"] == f"<{unsubscribe_url(settings, contact.id)}>"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{settings.base_url}/portal" in links_in(digest)


async def test_profile_mails_carry_the_contacts_own_unsubscribe_and_skip_digest_and_unsubscribed_contacts(
    coordinator: Client, db_session: AsyncSession, settings: Settings, deliver: Callable[..., Any]
) -> None:
    member = await make_member(
        db_session,
        "Kliniken Ostalb",
        "Pflege",
        emails=["a@kliniken.example", "b@kliniken.example", "c@kliniken.example"],
    )
    by_mail = {c.email: c for c in member.contacts}
    by_mail["b@kliniken.example"].mail_mode = "digest"
    by_mail["c@kliniken.example"].unsubscribed_at = utcnow()
    await db_session.commit()
    profile = await make_profile(db_session, allowed=[member])

    assert (await circulate(coordinator, profile, [member])).status_code == 303

    sink = await deliver()
    assert sorted(str(m["To"]) for m in sink.messages) == ["a@kliniken.example"]
    [mail] = sink.messages
    own = unsubscribe_url(settings, by_mail["a@kliniken.example"].id)
    assert mail["List-Unsubscribe"] == f"<{own}>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert own in links_in(mail)  # also in the footer, for readers whose client shows no button
    rows = await db_session.scalar(
        select(func.count()).select_from(CirculationRecipient).where(CirculationRecipient.member_id == member.id)
    )
    assert rows == 1  # the member received the profile (portal inbox, digest) even though two contacts get no mail

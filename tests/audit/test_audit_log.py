"""The audit log: staff and employer access to profiles is recorded, shown per profile and on the audit page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.audit.controllers import parse_reference
from jobfuerzwei.audit.models import AuditEntry
from jobfuerzwei.config import Settings
from jobfuerzwei.coordinator.controllers import AUDIT_ON_PAGE
from jobfuerzwei.profiles.models import ProfileStatus
from tests.circulation.helpers import (
    STAFF_EMAIL,
    add_cv,
    circulate,
    make_member,
    make_profile,
    path_of,
    post,
    recipients,
)
from tests.conftest import links_in
from tests.portal.helpers_member import portal_login
from tests.retention.helpers import status_path

Client = AsyncTestClient[Litestar]
PORTAL_LOGIN = "personal@kliniken-ostalb.example"


async def _entries(session: AsyncSession) -> list[tuple[str, str, str, int | None, str]]:
    rows = await session.execute(
        select(
            AuditEntry.actor_kind,
            AuditEntry.actor_label,
            AuditEntry.action,
            AuditEntry.profile_number,
            AuditEntry.detail,
        ).order_by(AuditEntry.created_at, AuditEntry.action)
    )
    return [tuple(row) for row in rows.tuples()]


async def test_coordinator_views_changes_and_circulation_are_logged_with_who_and_which_profile(
    coordinator: Client, db_session: AsyncSession, settings: Settings
) -> None:
    member = await make_member(db_session, "Kliniken Ostalb")
    profile = await make_profile(db_session, allowed=[member])
    await add_cv(db_session, settings, profile)
    assert (await coordinator.get(f"/coordinator/profiles/{profile.id}")).status_code == 200
    assert (await coordinator.get(f"/coordinator/profiles/{profile.id}/cv")).status_code == 200
    assert (await circulate(coordinator, profile, [member])).status_code == 303
    entries = await _entries(db_session)
    assert entries == [
        ("staff", STAFF_EMAIL, "viewed", profile.number, "Profilseite"),
        ("staff", STAFF_EMAIL, "viewed", profile.number, "Lebenslauf heruntergeladen"),
        ("staff", STAFF_EMAIL, "circulated", profile.number, "An 1 Mitglieder versendet"),
    ]
    # The profile page lists them (newest first), without any of the profile's data in the entries.
    page = await coordinator.get(f"/coordinator/profiles/{profile.id}")
    assert "Protokoll der Zugriffe" in page.text
    assert page.text.index("Versendet") < page.text.index("Lebenslauf heruntergeladen")


async def test_the_profile_page_shows_the_newest_entries_and_links_to_all(
    coordinator: Client, db_session: AsyncSession
) -> None:
    profile = await make_profile(db_session, status=ProfileStatus.APPROVED)
    for _ in range(AUDIT_ON_PAGE + 4):  # each look adds an entry
        assert (await coordinator.get(f"/coordinator/profiles/{profile.id}")).status_code == 200
    page = await coordinator.get(f"/coordinator/profiles/{profile.id}")
    table = page.text[page.text.index('aria-labelledby="audit-heading"') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == 1 + AUDIT_ON_PAGE  # the header and the newest 20 of 25
    assert f"/coordinator/audit?profile={profile.number}" in page.text  # all of them on the audit page
    assert len(await _entries(db_session)) == AUDIT_ON_PAGE + 5


async def test_approve_and_correct_are_logged_as_changes(coordinator: Client, db_session: AsyncSession) -> None:
    profile = await make_profile(db_session, status=ProfileStatus.CONFIRMED)
    other = await make_profile(db_session, status=ProfileStatus.CONFIRMED)
    assert (await post(coordinator, f"/coordinator/profiles/{profile.id}/approve")).status_code == 303
    # A refused change (no reason given) is not logged: nothing changed.
    assert (await post(coordinator, f"/coordinator/profiles/{other.id}/reject", {"reason": ""})).status_code == 400
    assert (
        await post(coordinator, f"/coordinator/profiles/{other.id}/reject", {"reason": "Unvollständig"})
    ).status_code == 303
    actions = [(n, a, d) for _, _, a, n, d in await _entries(db_session) if a == "changed"]
    assert actions == [(profile.number, "changed", "Freigegeben"), (other.number, "changed", "Abgelehnt")]


async def test_employer_access_by_mail_link_and_portal_is_logged_with_the_member(
    coordinator: Client,
    db_session: AsyncSession,
    session_maker: async_sessionmaker[AsyncSession],
    deliver: Callable[..., Any],
) -> None:
    member = await make_member(db_session, "Kliniken Ostalb")
    profile = await make_profile(db_session, allowed=[member])
    assert (await circulate(coordinator, profile, [member])).status_code == 303
    (mail,) = (await deliver()).to("personal@kliniken-ostalb.example")
    assert (await coordinator.get(path_of(links_in(mail)[0]))).status_code == 200
    await portal_login(coordinator, db_session, member)
    (recipient,) = await recipients(session_maker, profile.id)
    assert (await coordinator.get(f"/portal/profiles/{recipient.id}")).status_code == 200
    employer = [e for e in await _entries(db_session) if e[0] == "employer"]
    assert employer == [
        ("employer", "Kliniken Ostalb", "viewed", profile.number, "Profil über den Link in der E-Mail"),
        (
            "employer",
            "Kliniken Ostalb (personal@kliniken-ostalb.example)",
            "viewed",
            profile.number,
            "Profil im Portal",
        ),
    ]


async def test_audit_page_filters_by_action_and_profile_and_refuses_bad_filters(
    coordinator: Client, db_session: AsyncSession
) -> None:
    first = await make_profile(db_session)
    second = await make_profile(db_session)
    for profile in (first, second, first):
        assert (await coordinator.get(f"/coordinator/profiles/{profile.id}")).status_code == 200
    page = await coordinator.get("/coordinator/audit", params={"profile": first.reference.lower()})
    assert page.status_code == 200
    assert "2 Einträge" in page.text
    assert second.reference not in page.text
    page = await coordinator.get("/coordinator/audit", params={"action": "deleted"})
    assert "0 Einträge" in page.text
    bad = await coordinator.get("/coordinator/audit", params={"action": "<script>", "profile": "x1"})
    assert bad.status_code == 400
    assert "Unbekannte Aktion" in bad.text
    assert "JFZ-0012" in bad.text
    assert "<script>" not in bad.text


def test_profile_references_parse_in_every_usual_spelling() -> None:
    assert [parse_reference(v) for v in ("JFZ-0012", "jfz-12", "12", " 0042 ", "JFZ-", "12a", "")] == [
        12,
        12,
        12,
        42,
        None,
        None,
        None,
    ]


async def test_the_partners_export_lists_every_access_and_their_own_actions_are_logged(
    coordinator: Client,
    db_session: AsyncSession,
    settings: Settings,
    deliver: Callable[..., Any],
) -> None:
    member = await make_member(db_session, "Kliniken Ostalb")
    profile = await make_profile(db_session, allowed=[member])
    assert (await coordinator.get(f"/coordinator/profiles/{profile.id}")).status_code == 200
    assert (await circulate(coordinator, profile, [member])).status_code == 303
    (mail,) = (await deliver()).to("personal@kliniken-ostalb.example")
    assert (await coordinator.get(path_of(links_in(mail)[0]))).status_code == 200
    status = await status_path(db_session, settings, profile)
    export = (await coordinator.get(f"{status}/export")).json()
    assert [(a["who"], a["action"]) for a in reversed(export["accesses"])] == [
        ("Koordination", "viewed"),
        ("Koordination", "circulated"),
        ("Mitglied: Kliniken Ostalb", "viewed"),
        ("Sie selbst", "exported"),
    ]
    assert STAFF_EMAIL not in str(export["accesses"])  # the partner learns the role, not the staff member
    assert [c["member"] for c in export["circulations"]] == ["Kliniken Ostalb"]
    assert (await post(coordinator, f"{status}/delete")).status_code == 200
    # The entries outlive the profile: the deletion itself is the last one.
    kinds = [(kind, action) for kind, _, action, number, _ in await _entries(db_session) if number == profile.number]
    assert kinds[-1] == ("partner", "deleted")
    assert len(kinds) == 5

from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jobfuerzwei.config import Settings
from jobfuerzwei.coordinator.review import (
    DuplicateKey,
    _alike_in_place,
    find_duplicates,
    normalize_email,
    normalize_phone,
    normalize_place,
)
from jobfuerzwei.profiles.models import ProfileStatus
from jobfuerzwei.web.auth import safe_next


def _key(number: int, name: str, email: str = "", phone: str = "", residence: str = "") -> DuplicateKey:
    return DuplicateKey(
        id=uuid.uuid4(),
        number=number,
        status=ProfileStatus.CONFIRMED,
        name=name,
        email=normalize_email(email),
        phone=normalize_phone(phone),
        residence=normalize_place(residence),
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("07361 12345", "0736112345"),
        ("+49 (7361) 12345", "0736112345"),
        ("0049 7361 12345", "0736112345"),
        ("+43 1 234567", "00431234567"),
        ("123", ""),
        ("", ""),
    ],
)
def test_normalize_phone(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        (("Anna Alt", "a@x.de", "", "Aalen"), ("Berta Bunt", "A@X.de", "", "Ulm"), "gleiche E-Mail-Adresse"),
        (
            ("Anna Alt", "a@x.de", "0171 1234567", "Aalen"),
            ("B", "b@x.de", "+49 171 1234567", "Ulm"),
            "gleiche Telefonnummer",
        ),
        (("Jürgen Maier", "j@x.de", "", "Aalen"), ("Maier, Jürgen", "m@x.de", "", " aalen "), "fast gleicher Name"),
        (("Jürgen Maier", "j@x.de", "", "Aalen"), ("Jürgen Meier", "m@x.de", "", "AALEN"), "fast gleicher Name"),
    ],
)
def test_find_duplicates_flags_pairs(a: tuple[str, ...], b: tuple[str, ...], reason: str) -> None:
    first, second = _key(1, *a), _key(2, *b)
    hits = find_duplicates([first, second], [first, second])
    assert [h.id for h in hits[first.id]] == [second.id]
    assert any(r.startswith(reason) for r in hits[first.id][0].reasons)
    assert [h.id for h in hits[second.id]] == [first.id]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("Jürgen Maier", "j@x.de", "", "Aalen"), ("Jürgen Maier", "m@x.de", "", "Heidenheim")),
        (("Jürgen Maier", "j@x.de", "", "Aalen"), ("Julia Mahler", "m@x.de", "", "Aalen")),
        (("Jürgen Maier", "j@x.de", "", ""), ("Jürgen Maier", "m@x.de", "", "")),
        (("A", "", "12", "Aalen"), ("B", "", "12", "Ulm")),
    ],
)
def test_find_duplicates_leaves_different_people_alone(a: tuple[str, ...], b: tuple[str, ...]) -> None:
    first, second = _key(1, *a), _key(2, *b)
    assert find_duplicates([first, second], [first, second]) == {}


_NAMES = ("Jürgen Maier", "Maier, Jürgen", "Jürgen Meier", "Julia Mahler", "Anna Alt", "Alt Anna", "Berta Bunt", "")


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(_NAMES),
            st.sampled_from(("", "a@x.de", "b@x.de")),
            st.sampled_from(("", "0171 1234567", "0171 7654321")),
            st.sampled_from(("", "Aalen", "Ulm")),
        ),
        max_size=30,
    ),
    targets=st.lists(st.integers(min_value=0, max_value=29), min_size=1, max_size=4),
)
def test_of_a_place_only_the_near_identical_names_are_read_whole(
    rows: list[tuple[str, str, str, str]], targets: list[int]
) -> None:
    """What ``_alike_in_place`` leaves out of a place, ``find_duplicates`` finds nothing in."""
    keys = [_key(i + 1, *row) for i, row in enumerate(rows)]
    chosen = [keys[i] for i in sorted(set(targets)) if i < len(keys)]
    places = {t.residence for t in chosen if t.residence}
    alike = set(_alike_in_place([(k.number, k.name, k.residence) for k in keys if k.residence in places], chosen))
    emails = {t.email for t in chosen if t.email}
    phones = {t.phone for t in chosen if t.phone}
    read = [k for k in keys if k.email in emails or k.phone in phones or k.number in alike]
    assert find_duplicates(chosen, read) == find_duplicates(chosen, keys)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/coordinator/members", "/coordinator/members"),
        ("/coordinator/profiles?status=approved", "/coordinator/profiles?status=approved"),
        ("", "/coordinator"),
        ("//evil.example", "/coordinator"),
        ("/\\evil.example", "/coordinator"),
        ("https://evil.example/", "/coordinator"),
        ("coordinator", "/coordinator"),
        ("/x\r\nSet-Cookie: a=b", "/coordinator"),
    ],
)
def test_safe_next_accepts_local_paths_only(value: str, expected: str) -> None:
    assert safe_next(value) == expected


async def test_duplicate_keys_follow_every_edit_and_find_candidates_by_index(db_session: AsyncSession) -> None:
    from jobfuerzwei.coordinator import review
    from tests.coordinator.conftest import make_profile

    first = await make_profile(db_session, partner_email=" Bernd@Example.ORG ", partner_phone="+49 (7361) 12345")
    assert (first.email_key, first.phone_key, first.place_key) == ("bernd@example.org", "0736112345", "stuttgart")
    other = await make_profile(db_session, partner_email="someone@example.org", residence="Jena")
    assert await review.duplicates_for(db_session, [other]) == {}

    other.partner_email = "BERND@example.org"  # an edit through the ORM keeps the key in step
    await db_session.commit()
    assert other.email_key == "bernd@example.org"
    hits = await review.duplicates_for(db_session, [other])
    assert [(h.id, h.reasons) for h in hits[other.id]] == [(first.id, ("gleiche E-Mail-Adresse",))]


@pytest.mark.skipif(os.environ.get("JFZ_TEST_DB", "sqlite") != "postgres", reason="SQLite has one writer at a time")
async def test_two_coordinators_deciding_at_once_one_wins(
    session_maker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    import asyncio

    from jobfuerzwei.coordinator import review
    from jobfuerzwei.errors import InvalidTransition
    from tests.coordinator.conftest import make_profile

    async with session_maker() as session:
        profile_id = (await make_profile(session)).id
    async with session_maker() as first, session_maker() as second:
        await review.approve_profile(first, profile_id)  # written, not committed: the row is locked
        rejecting = asyncio.create_task(review.reject_profile(second, settings, profile_id, "Passt nicht"))
        await asyncio.sleep(0.2)  # the rejection has read "confirmed" and waits for the row
        await first.commit()
        with pytest.raises(InvalidTransition):
            await rejecting
        await second.rollback()
    async with session_maker() as session:
        assert (await review.reviewable_profile(session, profile_id)).status == ProfileStatus.APPROVED

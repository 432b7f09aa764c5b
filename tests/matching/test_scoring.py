from __future__ import annotations

import time
import uuid

import pytest

from jobfuerzwei.matching.scoring import Match, MemberTerms, TermKind, rank_members, split_terms

CUTOFF = 55.0


def member(name: str, *terms: str) -> MemberTerms:
    return MemberTerms(member_id=uuid.uuid5(uuid.NAMESPACE_URL, name), name=name, terms=split_terms(*terms))


def rank(occupations: list[str], skills: list[str], members: list[MemberTerms]) -> list[Match]:
    return rank_members(occupations, skills, members, cutoff=CUTOFF, occupation_weight=0.7, skills_weight=0.3)


CLINIC = member("Kliniken Ostalb", "Pflege, Krankenpflege")
METAL = member("Metallbau Schmid", "Zerspanungsmechaniker\nCNC-Fräser", "Metallbau")
TOWN = member("Stadt Aalen", "Verwaltung\nErzieher/in Kita")
SOFTWARE = member("Software GmbH", "Softwareentwicklung, IT-Administration")
IT_ONLY = member("Systemhaus", "IT")


@pytest.mark.parametrize(
    ("occupations", "skills", "members", "expected_order"),
    [
        (["Pflegefachkraft"], [], [METAL, CLINIC], ["Kliniken Ostalb", "Metallbau Schmid"]),
        (["Pflgefachkraft"], [], [METAL, CLINIC], ["Kliniken Ostalb", "Metallbau Schmid"]),  # typo
        (["Industriemechaniker"], ["CNC"], [CLINIC, METAL], ["Metallbau Schmid", "Kliniken Ostalb"]),
        (["Verwaltungsfachangestellte"], [], [SOFTWARE, TOWN, CLINIC], ["Stadt Aalen"]),
        (["Softwareentwickler"], ["Java"], [TOWN, SOFTWARE], ["Software GmbH", "Stadt Aalen"]),
    ],
    ids=["nurse-above-metal", "typo-in-occupation", "metal-above-clinic", "compound-stem", "developer"],
)
def test_rank_members_puts_the_best_fit_first(
    occupations: list[str], skills: list[str], members: list[MemberTerms], expected_order: list[str]
) -> None:
    ranked = rank(occupations, skills, members)
    assert [m.name for m in ranked][: len(expected_order)] == expected_order
    assert ranked[0].score > ranked[-1].score


@pytest.mark.parametrize(
    ("occupations", "skills", "members"),
    [
        ([], [], [CLINIC]),
        (["Pflegefachkraft"], ["Wundversorgung"], [member("Leer")]),
        (["Pflegefachkraft"], [], [METAL]),
        (["Mitarbeiterin Verwaltung"], [], [IT_ONLY]),  # "IT" inside a word is no match
        (["  "], [""], [CLINIC]),
    ],
    ids=["no-profile-terms", "member-without-terms", "unrelated", "short-term-no-substring", "blank-terms"],
)
def test_rank_members_scores_zero_without_a_matching_term(
    occupations: list[str], skills: list[str], members: list[MemberTerms]
) -> None:
    ranked = rank(occupations, skills, members)
    assert [(m.score, m.matched) for m in ranked] == [(0.0, ())] * len(members)


def test_short_terms_match_only_near_exactly() -> None:
    (match,) = rank(["IT"], [], [IT_ONLY])
    assert match.score == 100.0
    assert match.matched_terms == ["IT ↔ IT"]


def test_match_reports_which_member_term_matched_which_profile_term() -> None:
    (match,) = rank(["Pflegefachkraft"], ["Krankenpflege", "Buchhaltung"], [CLINIC])
    by_profile_term = {t.profile_term: t for t in match.matched}
    assert by_profile_term["Pflegefachkraft"].member_term == "Pflege"
    assert by_profile_term["Pflegefachkraft"].kind is TermKind.OCCUPATION
    assert by_profile_term["Krankenpflege"].member_term == "Krankenpflege"
    assert by_profile_term["Krankenpflege"].kind is TermKind.SKILL
    assert "Buchhaltung" not in by_profile_term
    assert match.matched_terms[0] == "Pflege ↔ Pflegefachkraft"  # occupations first


def test_occupation_match_weighs_more_than_skill_match() -> None:
    by_occupation = member("Pflegedienst", "Altenpflege")
    by_skill = member("Praxis", "Wundversorgung")
    ranked = rank(["Altenpflege"], ["Wundversorgung"], [by_skill, by_occupation])
    assert [m.name for m in ranked] == ["Pflegedienst", "Praxis"]
    assert ranked[0].score == pytest.approx(70.0)
    assert ranked[1].score == pytest.approx(30.0)


def test_score_is_within_0_and_100_and_full_match_is_100() -> None:
    perfect = member("Perfekt", "Elektroniker", "Löten")
    (match,) = rank(["Elektroniker"], ["Löten"], [perfect])
    assert match.score == 100.0


def test_more_matching_skills_score_higher() -> None:
    one = member("Eins", "Pflege", "Wundversorgung")
    two = member("Zwei", "Pflege", "Wundversorgung", "Dokumentation")
    ranked = rank(["Pflegefachkraft"], ["Wundversorgung", "Dokumentation"], [one, two])
    assert [m.name for m in ranked] == ["Zwei", "Eins"]


def test_ties_are_ordered_by_name() -> None:
    ranked = rank(["Pflege"], [], [member("b-Klinik", "Pflege"), member("A-Klinik", "Pflege")])
    assert [m.name for m in ranked] == ["A-Klinik", "b-Klinik"]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("Pflege, Krankenpflege",), ("Pflege", "Krankenpflege")),
        (("Pflege\r\nAltenpflege;  Intensiv  pflege ", "pflege"), ("Pflege", "Altenpflege", "Intensiv pflege")),
        (("", "\n,;"), ()),
    ],
)
def test_split_terms_splits_lines_commas_and_semicolons(texts: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert split_terms(*texts) == expected


def test_ranking_1000_members_is_fast() -> None:
    vocab = ["Pflege", "Metallbau", "Buchhaltung", "Softwareentwicklung", "Logistik", "Vertrieb", "Erzieher/in"]
    members = [
        member(f"Firma {i}", f"{vocab[i % len(vocab)]} Standort {i}\n{vocab[(i * 3) % len(vocab)]}")
        for i in range(1000)
    ]
    start = time.perf_counter()
    ranked = rank(["Pflegefachkraft", "Altenpflegerin"], ["Wundversorgung", "Excel", "Deutsch"], members)
    assert time.perf_counter() - start < 1.0
    assert len(ranked) == 1000
    assert "Pflege" in ranked[0].matched[0].member_term


@pytest.mark.parametrize(
    ("skill", "member_term", "matches"),
    [
        ("CNC", "CNC-Fräser", True),
        ("SAP", "SAP Berater", True),
        ("IT", "Mitarbeiter IT-Support", True),
        ("IT", "Kita", False),
        ("SQL", "Soziale Arbeit", False),
    ],
)
def test_short_terms_match_as_whole_words(skill: str, member_term: str, matches: bool) -> None:
    (match,) = rank([], [skill], [member("M", member_term)])
    assert bool(match.matched) is matches

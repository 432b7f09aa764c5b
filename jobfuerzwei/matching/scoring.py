"""Rank member employers for a profile: rapidfuzz over the members' terms against the profile's occupations and skills.

Pure functions: no database, no I/O. The circulation service loads members and passes plain values in.

Scorer choice: ``fuzz.WRatio``. German job titles are compounds ("Pflegefachkraft", "Verwaltungsfachangestellte"),
and a member often lists only the stem ("Pflege", "Verwaltung"). ``token_set_ratio`` sees one token on each side and
scores such pairs like any two unrelated words of that length (57 and 56); ``WRatio`` takes the partial ratio of the
shorter string inside the longer one (90 for both) and still handles word order, extra words ("(m/w/d)") and typos.
Its weak spot is very short terms: "IT" occurs inside "Mitarbeiterin" and "Kita". For pairs where the shorter side
has fewer than ``SHORT_TERM`` characters we therefore only accept it as a whole word of the other side ("CNC" in
"CNC-Fräser", "IT" in "IT-Support"); with two or three letters, one letter off is another word. WRatio is about
four times slower than token_set_ratio; distinct terms are scored once (members share many terms), which keeps a
1,000-member ranking well below 100 ms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from rapidfuzz import fuzz, process, utils

SHORT_TERM = 4
"""Processed terms shorter than this match only as a whole word (see module docstring)."""

_SPLIT = re.compile(r"[\n\r,;]+")

_FILLER = frozenset(
    [
        "für",
        "fuer",
        "und",
        "oder",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "in",
        "im",
        "am",
        "an",
        "auf",
        "mit",
        "von",
        "vom",
        "zur",
        "zum",
        "bei",
        "als",
        "m",
        "w",
        "d",
        "r",
        "e",
        "n",
        "in",
        "innen",
        "mwd",
    ]
)
"""Words that carry no meaning in a job title; left in, "für" alone makes unrelated titles look 60 % alike."""


def process_term(text: str) -> str:
    """``utils.default_process`` without filler words and gender endings ("Technologe/-in (m/w/d)")."""
    return " ".join(w for w in utils.default_process(text).split() if w not in _FILLER)


class TermKind(StrEnum):
    """Which profile field a member term matched."""

    OCCUPATION = "occupation"
    SKILL = "skill"


@dataclass(frozen=True)
class MemberTerms:
    """A member as the ranking sees it: its fields of interest and open positions as separate terms."""

    member_id: UUID
    name: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class TermMatch:
    """One reason for a score: ``member_term`` matched ``profile_term`` with ``similarity`` (0-100)."""

    member_term: str
    profile_term: str
    kind: TermKind
    similarity: float

    @property
    def label(self) -> str:
        """Short text for pages and for ``CirculationRecipient.matched_terms``."""
        return f"{self.member_term} ↔ {self.profile_term}"


@dataclass(frozen=True)
class Match:
    """A member's fit for a profile."""

    member_id: UUID
    name: str
    score: float
    """0-100; occupations weigh more than skills."""
    matched: tuple[TermMatch, ...]

    @property
    def matched_terms(self) -> list[str]:
        """The reasons as short texts, best first."""
        return [m.label for m in self.matched]


def split_terms(*texts: str) -> tuple[str, ...]:
    """Split free text (lines, commas, semicolons) into distinct, stripped terms in their first order."""
    seen: dict[str, str] = {}
    for text in texts:
        for part in _SPLIT.split(text or ""):
            term = " ".join(part.split())
            key = term.casefold()
            if term and key not in seen:
                seen[key] = term
    return tuple(seen.values())


def _short_score(short: str, other: str) -> float:
    """A short term matches only as a whole word of the other side ("CNC" in "CNC-Fräser", "IT" in "IT-Support")."""
    return 100.0 if short in other.split() else 0.0


def _similarities(queries: Sequence[str], choices: Sequence[str], cutoff: float) -> list[dict[int, float]]:
    """For each query: choice index → similarity, only pairs at or above ``cutoff``."""
    processed = [process_term(c) for c in choices]
    result: list[dict[int, float]] = []
    for query in queries:
        q = process_term(query)
        found: dict[int, float] = {}
        if len(q) >= SHORT_TERM:
            for _choice, score, index in process.extract(
                q, processed, scorer=fuzz.WRatio, processor=None, limit=None, score_cutoff=cutoff
            ):
                if len(processed[index]) < SHORT_TERM:
                    score = _short_score(processed[index], q)  # noqa: PLW2901
                if score >= cutoff:
                    found[index] = float(score)
        elif q:
            for index, choice in enumerate(processed):
                score = _short_score(q, choice) if choice else 0.0
                if score >= cutoff:
                    found[index] = score
        result.append(found)
    return result


def _best(
    profile_terms: Sequence[str],
    sims: list[dict[int, float]],
    member_idx: Iterable[int],
    choices: Sequence[str],
    kind: TermKind,
) -> list[TermMatch]:
    """For each profile term, the member term that fits it best (if any reached the cutoff)."""
    indices = list(member_idx)
    out: list[TermMatch] = []
    for term, found in zip(profile_terms, sims, strict=True):
        best_index, best_score = -1, 0.0
        for i in indices:
            s = found.get(i, 0.0)
            if s > best_score:
                best_index, best_score = i, s
        if best_index >= 0:
            out.append(TermMatch(member_term=choices[best_index], profile_term=term, kind=kind, similarity=best_score))
    return out


def rank_members(
    occupations: Sequence[str],
    skills: Sequence[str],
    members: Sequence[MemberTerms],
    *,
    cutoff: float,
    occupation_weight: float,
    skills_weight: float,
) -> list[Match]:
    """Score every member for a profile and return them best first (ties by name).

    The occupation part is the best similarity of any desired occupation (one fitting occupation is enough); the skills
    part is the mean over the profile's skills (more matching skills, more points). Both are combined with the given
    weights; a part the profile has no terms for drops out of the weighting. Pairs below ``cutoff`` count as 0.
    """
    occupations = [o for o in occupations if o.strip()]
    skills = [s for s in skills if s.strip()]
    # distinct member terms, scored once for all members
    choice_index: dict[str, int] = {}
    member_indices: list[list[int]] = []
    for m in members:
        idx = []
        for term in m.terms:
            key = term.strip()
            if key:
                idx.append(choice_index.setdefault(key, len(choice_index)))
        member_indices.append(idx)
    choices = list(choice_index)
    occ_sims = _similarities(occupations, choices, cutoff) if choices else [{} for _ in occupations]
    skill_sims = _similarities(skills, choices, cutoff) if choices else [{} for _ in skills]
    weight_total = (occupation_weight if occupations else 0.0) + (skills_weight if skills else 0.0)

    matches: list[Match] = []
    for m, idx in zip(members, member_indices, strict=True):
        occ = _best(occupations, occ_sims, idx, choices, TermKind.OCCUPATION)
        sk = _best(skills, skill_sims, idx, choices, TermKind.SKILL)
        score = 0.0
        if weight_total > 0:
            occ_part = max((t.similarity for t in occ), default=0.0)
            skill_part = sum(t.similarity for t in sk) / len(skills) if skills else 0.0
            weighted = (occupation_weight if occupations else 0.0) * occ_part
            weighted += (skills_weight if skills else 0.0) * skill_part
            score = round(weighted / weight_total, 1)
        reasons = tuple(sorted((*occ, *sk), key=lambda t: (t.kind != TermKind.OCCUPATION, -t.similarity)))
        matches.append(Match(member_id=m.member_id, name=m.name, score=score, matched=reasons))
    matches.sort(key=lambda x: (-x.score, x.name.casefold()))
    return matches

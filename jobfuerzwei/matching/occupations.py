"""Classify free-text German job titles to ESCO occupations, and suggest occupations while a form field is typed.

Pure: reads only the catalogue (``catalogue.py``) and the curated synonyms (``fixtures/occupation_synonyms.csv``);
``default_classifier()`` builds the index once per process (about a second).

How a title is matched:

1. Labels (preferred, alternative, curated synonyms) and queries go through the same ``Normaliser``: gender
   markers ("Erzieher/in", "*in", ":in", "ErzieherIn", "(m/w/d)"), case, umlauts (ä → ae, ß → ss), dotted
   abbreviations ("Kfm.", "Dipl.-Ing."), compound prefixes ("Kfz-", "Kita-"), filler words ("für", "der") and
   female or gender-neutral forms ("Erzieherin", "Teamleitung") become one canonical token tuple. Female → male
   word pairs are learned from the catalogue itself ("Chefkoch/Chefköchin"), not from a hand-written list.
   Queries also lose job-ad noise ("Teilzeit", "Senior"); labels keep every word.
2. Each label yields a few normalised forms ("keys"): the whole label, each alternative of a coordination
   ("Lohn- und Gehaltsbuchhalter" is a "Lohnbuchhalter" too) and the label without a bracketed qualifier.
3. A query is read in several ways (the whole title, its part before "(m/w/d)" or a dash, its first specific
   words, a German reading of English words, "-leiter" as "-manager"), each with a penalty. For each reading:
   exact lookup of the compacted form (tokens joined: "Software-Developer" = "Software Developer"), including
   compound reorderings ("Leiter Produktion" → "Produktionsleiter"); then character-trigram retrieval, which sees
   through compounds and word order and survives typos; the few dozen best keys are re-scored with rapidfuzz
   and two rules: a label that contains every query word ("Omnibusfahrer" for "Busfahrer"), and a label that is
   the query with a typo.
4. Scores are aggregated per occupation (best key wins). Occupations that share a label (ESCO gives "Erzieher"
   to three) are ordered by: curated synonym, preferred label, and how much the preferred label and the ISCO
   group's label resemble the query.

Scores are 0-100: 100 is an exact match after normalisation; 90-99 a reordered or trimmed exact match; 70-90 a
strong partial match; below ``MIN_SCORE`` nothing is returned.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import math
import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import TextIO

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from jobfuerzwei.matching.catalogue import Catalogue, load_catalogue

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "occupation_synonyms.csv"

MAX_QUERY = 200
"""Characters of a query that are looked at: job titles are short, a pasted ad text is cut off."""

MIN_SCORE = 40.0
"""Occupations scoring below this are not returned: below it, matches are mostly shared word endings."""

CANDIDATES = 40
"""Keys the trigram retrieval hands to the re-scoring, per reading of the query."""

# Re-scoring of a candidate key (0-100 before penalties).
QUERY_COVER = 0.65
KEY_COVER = 0.35
"""Weights of the shares of trigram mass: of the query found in the key, and of the key found in the query.
A key should cover what was typed more than the reverse: "Landschaftsgärtner" is a fair answer to "Gärtner",
"Engineer" a poor one to "DevOps Engineer"."""
WHOLE = 0.6
"""Weight of rapidfuzz's ratio of the whole compacted strings, against 1.0 for the trigram coverage."""
CONTAINED_BASE = 72.0
CONTAINED_SPAN = 24.0
SUFFIX_PENALTY = 4.0
MIN_HEAD = 4
"""A key containing every query word scores CONTAINED_BASE plus CONTAINED_SPAN times the share of the key the
query makes up, less SUFFIX_PENALTY when a word only ends a compound of the key; words under MIN_HEAD letters
must match whole words."""
TYPO_COST = 8.0
MIN_TYPO = 5
MAX_TYPOS = 3
"""A key that is the query with one typo scores 96 less TYPO_COST (less still for short words); see
``_typo_score`` for how many typos a word may have (MAX_TYPOS at most)."""

# Readings of a query, each with the score it loses.
CORE_PENALTY = 1.0
"""The title before the gender marker or a dash ("Koch (m/w/d) Vollzeit für Landgasthof ...")."""
PREFIX_PENALTY = 6.0
PREFIX_SPAN = 24.0
"""The title's first word(s) alone: PREFIX_PENALTY plus PREFIX_SPAN times the share of the title left out."""
GENERIC_FREQUENCY = 12
"""Words in more keys than this ("Leiter", "Sachbearbeiter", "Mitarbeiter") are too generic to be read alone."""
HEAD_PENALTY = 20.0
MIN_BACKOFF = 6
"""An unknown compound read as its known head ("LKW-Disponent" → "Disponent"), exact matches only; heads under
MIN_BACKOFF letters mislead ("Kälteanlagenbauer" → "Bauer", the farmer)."""
ENGLISH_PENALTY = 3.0
"""The word-by-word German reading of an English title."""
SWAP_PENALTY = 3.0
"""Reading "-leiter" as "-manager" and back, "-direktor" as "-leiter"."""
QUALIFIER_PENALTY = 4.0
"""A label without its bracketed qualifier ("Zahnarzthelfer (Assistenz am Behandlungsstuhl)") is more general
than the label, so it matches with this much less."""
ACRONYM_SCORE = 75.0
ACRONYM_SPAN = 20.0
MIN_ACRONYM = 3
"""A label that an abbreviation of MIN_ACRONYM+ letters spells out part by part ("NotSan" → Notfallsanitäter)
scores ACRONYM_SCORE less ACRONYM_SPAN times the share of the title besides it; such abbreviations are
ambiguous ("StB" fits Steuerberater and Steinbohrer), so the score stays modest."""

# Ties between occupations that share a label.
GROUP_WEIGHT = 0.5
"""Weight of the ISCO group label's resemblance to the query, against 1.0 for the preferred label's."""
TIE_WINDOW = 30
"""Leading occupations whose order the resemblance may change (it moves an occupation by 2.5 points at most)."""

# As-you-type suggestions.
MIN_PREFIX = 2
SHORT_PREFIX = 4
SHORT_BUCKET = 100
SUGGEST_SCAN = 1000
WORD_PREFIX_FACTOR = 0.85
PREFIX_BOOST = 20.0
KIND_BOOST = 5.0
"""Shortest input; up to SHORT_PREFIX letters, the best SHORT_BUCKET index entries kept per prefix, beyond
it at most SUGGEST_SCAN entries read; score factor when only a later word of a label starts with the input;
ordering bonus of completions, and of synonyms (twice) and preferred labels (once)."""


@dataclass(frozen=True, slots=True)
class Synonym:
    """A curated extra label for an occupation, with the reason ESCO's own labels don't cover it."""

    term: str
    esco_uri: str
    reason: str


@dataclass(frozen=True, slots=True)
class OccupationMatch:
    """One ranked occupation for a query."""

    esco_uri: str
    label: str
    """The occupation's preferred label (what to show)."""
    isco_group: str
    score: float
    """0-100; 100 is an exact match of a label after normalisation."""
    matched_label: str
    """The label that matched best: preferred, alternative or curated synonym (e.g. "Erzieher")."""


class LabelKind(IntEnum):
    """Where a label comes from; higher wins ties between occupations that share a label."""

    ALTERNATIVE = 0
    PREFERRED = 1
    SYNONYM = 2


# --- normalisation -----------------------------------------------------------------------------------------------

_GENDER_ITEM = r"(?:m|w|d|f|x|i|div|divers|diverse)"
_GENDER_BRACKET = re.compile(
    rf"\(\s*(?:{_GENDER_ITEM}\s*[/|,;.]?\s*){{1,4}}\)"  # (m/w/d), (w/m/d), (m|w|d), (m,w,d), (w/m/div.)
    rf"|\(\s*(?:gn\*?|mwd|wmd|dmw|all genders|alle geschlechter|genderneutral)\s*\)"
    rf"|\b{_GENDER_ITEM}\s*/\s*{_GENDER_ITEM}\s*/\s*{_GENDER_ITEM}\b",  # m/w/d without brackets
    re.IGNORECASE,
)
_GENDER_SUFFIX = re.compile(
    r"(?<=[^\W\d_])(?:[/*:_]-?|\(|/\s?-|-)(?:in|innen)\b\)?"  # Erzieher/in, *in, :in, _in, /-in, (in), -innen
    r"|(?<=[a-zäöüß])In(?:nen)?\b"  # ErzieherIn: the capital I, so this runs before casefolding
)
_GENDER_ADJECTIVE = re.compile(r"(?<=[a-zäöü])e(?:/r|\(r\)|/-r)(?=\W|$)")  # Angestellte/r → Angestellter
_GENDER_MANN_FRAU = re.compile(r"/\s?-?\s?(?:frau|mann|fachfrau|fachmann)\b", re.IGNORECASE)  # Kaufmann/-frau
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "–": "-", "—": "-", "‐": "-", "\xa0": " "})

_ABBREVIATIONS = {
    "dipl.-ing.": "ingenieur",
    "dipl. ing.": "ingenieur",
    "dipl.ing.": "ingenieur",
    "ing.": "ingenieur",
    "kfm.": "kaufmann",
    "kffr.": "kauffrau",
    "kauffr.": "kauffrau",
    "kaufm.": "kaufmaennischer",
    "techn.": "technischer",
    "med.": "medizinischer",
    "sachb.": "sachbearbeiter",
    "sachbearb.": "sachbearbeiter",
    "mitarb.": "mitarbeiter",
    "angest.": "angestellter",
    "ang.": "angestellter",
    "fachang.": "fachangestellter",
    "verw.": "verwaltung",
    "ltg.": "leitung",
    "assist.": "assistent",
    "ass.": "assistent",
    "betriebsw.": "betriebswirt",
    "elektr.": "elektro",
    "prof.": "professor",
    "dipl.": "",
    "dr.": "",
    "stv.": "",
    "stellv.": "",
    "staatl.": "",
    "gepr.": "",
}
"""Dotted abbreviations in folded form (lower case, umlauts written out). Degrees and ranks name no occupation."""
_ABBREVIATION = re.compile(
    r"(?<![\w.])(" + "|".join(re.escape(k) for k in sorted(_ABBREVIATIONS, key=len, reverse=True)) + r")"
)
_COMPOUND_ABBREVIATION = re.compile(r"(?<=[a-z])(?:kfm|kffr)\.")  # "Speditionskfm.", "Bankkffr."

_WORD_PREFIXES = {
    "kfz": "kraftfahrzeug",
    "lkw": "lastkraftwagen",
    "pkw": "personenkraftwagen",
    "kita": "kindertagesstaette",
}
"""Abbreviations that start compounds ("Kfz-Elektriker", "Kita-Leitung"); ESCO writes both forms."""
_WORD_PREFIX = re.compile("^(?:" + "|".join(_WORD_PREFIXES) + ")")

_COMPOUND_DASH = re.compile(r"(?<=\w)-(?=\w)")
_ELLIPSIS_DASH = re.compile(r"(?<=\w)-(?!\w)")
_WORD = re.compile(r"\w+-?")
_BRACKETS = re.compile(r"\([^)]*\)")

_NEUTRAL_ENDINGS = {
    "leitung": "leiter",
    "lehrkraft": "lehrer",
    "assistenz": "assistent",
    "sachbearbeitung": "sachbearbeiter",
    "frau": "mann",
    "leute": "mann",
}
"""Gender-neutral or female endings of person nouns ("Teamleitung", "Kauffrau") → the male ending in the labels."""
_NEUTRAL_ENDING = re.compile("(?:" + "|".join(_NEUTRAL_ENDINGS) + ")$")

_STOPWORDS = frozenset(
    (
        *("fuer", "und", "oder", "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines", "einem"),
        *("im", "in", "am", "an", "auf", "mit", "von", "vom", "zur", "zum", "bei", "als", "bzw", "sowie", "nach"),
        *("aus", "ueber", "unter", "ab", "bis", "zu", "unser", "unsere", "unseren", "unserem", "ihr", "ihre"),
        *("dein", "deine", "ich", "suche", "einen", "the", "of", "and", "for", "a", "at", "our"),
    )
)
"""Filler words: left in, "für" alone makes unrelated titles look alike."""

_NOISE = frozenset(
    (
        *("teilzeit", "vollzeit", "minijob", "midijob", "aushilfe", "nebenjob", "nebenberuflich", "saisonal"),
        *("festanstellung", "befristet", "unbefristet", "sofort", "neu", "dringend"),
        *("senior", "junior", "sr", "jr", "lead", "principal", "erfahrener", "erfahrene", "berufserfahren"),
        *("stellvertretender", "stellvertretende", "stellvertretung", "geselle", "gesellin"),
        *("quereinsteiger", "quereinsteigerin", "quereinstieg", "azubi", "auszubildender", "auszubildende"),
        *("ausbildung", "praktikant", "praktikum", "werkstudent", "trainee", "volontaer"),
        *("staatlich", "gepruefter", "gepruefte", "anerkannter", "anerkannte", "examinierter", "examinierte"),
        *("gelernter", "gelernte", "fh", "tu", "uni", "bsc", "msc", "ba", "ma", "mba", "bachelor", "master"),
        *("diplom", "m", "w", "d", "f", "x", "gn", "mwd", "wmd", "div", "divers", "all", "genders"),
        *("job", "jobs", "stelle", "stellen", "stellenangebot", "gesucht", "wir", "suchen", "dich", "sie"),
        *("std", "stunden", "h", "wochenstunden", "prozent", "euro", "eur", "remote", "hybrid", "homeoffice"),
        *("home", "mobil", "wochenende", "wochenendarbeit", "basis", "minijobbasis", "teilzeitbasis"),
        *("vollzeitbasis", "schicht", "schichtdienst", "fruehschicht", "spaetschicht", "nachtschicht"),
        *("wechselschicht",),
    )
)
"""Job-ad noise: work time, shifts, seniority, training status, degrees. Says nothing about the occupation."""
_SHIFT = re.compile(r"\d*(?:schicht|schichtbetrieb|schichtdienst|schichtsystem)")  # "3-Schicht-Betrieb"

_ENGLISH = {
    **{"engineer": "ingenieur", "engineering": "ingenieurwesen", "developer": "entwickler"},
    **{"development": "entwicklung", "consultant": "berater", "advisor": "berater", "specialist": "spezialist"},
    **{"expert": "experte", "assistant": "assistent", "technician": "techniker", "mechanic": "mechaniker"},
    **{"electrician": "elektriker", "architect": "architekt", "analyst": "analytiker"},
    **{"scientist": "wissenschaftler", "researcher": "forscher", "teacher": "lehrer", "trainer": "trainer"},
    **{"nurse": "krankenpfleger", "carer": "pflegehelfer", "caregiver": "pflegehelfer", "doctor": "arzt"},
    **{"physician": "arzt", "driver": "fahrer", "delivery": "auslieferung", "truck": "lkw", "worker": "arbeiter"},
    **{"helper": "helfer", "operator": "bediener", "cleaner": "reiniger", "cook": "koch", "kitchen": "kuechen"},
    **{"waiter": "kellner", "bartender": "barkeeper", "cashier": "kassierer", "clerk": "sachbearbeiter"},
    **{"officer": "beauftragter", "head": "leiter", "director": "direktor", "sales": "vertrieb"},
    **{"purchasing": "einkauf", "procurement": "einkauf", "buyer": "einkaeufer", "accountant": "buchhalter"},
    **{"accounting": "buchhaltung", "bookkeeper": "buchhalter", "payroll": "lohnbuchhaltung"},
    **{"finance": "finanz", "financial": "finanz", "tax": "steuer", "legal": "rechts", "lawyer": "rechtsanwalt"},
    **{"hr": "personal", "recruiting": "personalbeschaffung", "office": "buero", "quality": "qualitaets"},
    **{"production": "produktion", "process": "prozess", "maintenance": "instandhaltung", "construction": "bau"},
    **{"civil": "bau", "mechanical": "maschinenbau", "electrical": "elektrotechnik", "warehouse": "lager"},
    **{"logistics": "logistik", "customer": "kunden", "security": "sicherheit", "network": "netzwerk"},
    **{"data": "daten", "project": "projekt", "product": "produkt", "welder": "schweisser"},
    **{"carpenter": "tischler", "painter": "maler", "plumber": "installateur", "translator": "uebersetzer"},
    **{"editor": "redakteur", "writer": "autor", "photographer": "fotograf", "graphic": "grafik"},
    **{"supervisor": "vorarbeiter", "foreman": "vorarbeiter", "installer": "installateur", "fitter": "monteur"},
    **{"packer": "verpacker", "janitor": "hausmeister", "caretaker": "hausmeister", "gardener": "gaertner"},
    **{"baker": "baecker", "butcher": "fleischer", "hairdresser": "friseur", "tailor": "schneider"},
    **{"dentist": "zahnarzt", "vet": "tierarzt", "veterinarian": "tierarzt", "surgeon": "chirurg"},
    **{
        "midwife": "hebamme",
        "paramedic": "notfallsanitaeter",
        "firefighter": "feuerwehrmann",
        "tutor": "nachhilfelehrer",
    },
    **{"lecturer": "dozent", "therapist": "therapeut", "physiotherapist": "physiotherapeut"},
    **{"psychologist": "psychologe", "receptionist": "rezeptionist", "housekeeper": "hauswirtschafter"},
}
"""Common English job-title words in German firms → the word ESCO's German labels use (read in a second pass)."""

_SWAP = {"leiter": "manager", "manager": "leiter", "direktor": "leiter"}
_SWAP_ENDING = re.compile("(?:" + "|".join(_SWAP) + ")$")

_CORE_END = re.compile(rf"\(\s*{_GENDER_ITEM}\s*[/|,]|\(\s*(?:gn|all genders)|\s[-–—|/]\s|[,;|]", re.IGNORECASE)
"""Where the occupation part of a job ad's title ends: at the gender marker or at a separator."""

_ACRONYM = re.compile(r"\b[A-ZÄÖÜ][a-zäöü]{0,2}(?:[A-ZÄÖÜ][a-zäöü]{0,2}){1,5}\b")
"""Abbreviations whose capitals start the parts: "StB", "ReFa", "NotSan", "MTRA" (two to six parts)."""
_ACRONYM_CHUNK = re.compile(r"[A-ZÄÖÜ][a-zäöü]*")

_PARTIAL_FEMALE = ("innen", "inne", "inn", "in", "i")
"""What may have been typed so far of a female ending ("Erzieheri", "Erzieherinn")."""


def _fold(text: str) -> str:
    """Casefold, write umlauts as ae/oe/ue and ß as ss, drop other accents (Sommelière → sommeliere)."""
    text = text.casefold().translate(_FOLD)
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _strip_gender(text: str) -> str:
    """Remove gender markers that would otherwise become words: "(m/w/d)", "/in", "*innen", "ErzieherIn"."""
    text = _GENDER_BRACKET.sub(" ", text)
    text = _GENDER_MANN_FRAU.sub(" ", text)
    text = _GENDER_ADJECTIVE.sub("er", text)
    return _GENDER_SUFFIX.sub("", text)


@functools.lru_cache(maxsize=32_768)
def _raw_words(text: str) -> tuple[str, ...]:
    """Folded words after gender markers and abbreviations; "Lohn-" keeps its dash for ellipsis resolution.

    Cached: every label passes here several times while the index is built.
    """
    text = _fold(_strip_gender(unicodedata.normalize("NFC", text)))
    text = _ABBREVIATION.sub(lambda m: f" {_ABBREVIATIONS[m.group(1)]} ", text)
    text = _COMPOUND_ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group()], text)
    text = _COMPOUND_DASH.sub("", text)  # "Kfz-Mechatroniker" is one compound word
    text = _ELLIPSIS_DASH.sub("- ", text)
    return tuple(_WORD_PREFIX.sub(lambda m: _WORD_PREFIXES[m.group()], w) for w in _WORD.findall(text))


def _without_umlaut(word: str) -> list[str]:
    """The word with one written-out umlaut turned back into its plain vowel ("aerzt" → "arzt"), last one first."""
    spots = [m.start() for m in re.finditer("ae|oe|ue", word)]
    return [word[:i] + word[i] + word[i + 2 :] for i in reversed(spots)]


class Normaliser:
    """Turns labels and queries into canonical token tuples; learns its word lists from the catalogue's labels."""

    def __init__(self, labels: Iterable[str], preferred_labels: Iterable[str]) -> None:
        """Build the vocabulary (for compound heads) and the female → male word map."""
        self.vocabulary = frozenset(
            w for label in labels for w in _raw_words(label) if not w.endswith("-") and len(w) >= 3
        )
        self.female_to_male = self._learn_gender_pairs(preferred_labels)
        self._label_words: dict[str, str] = {}

    def _learn_gender_pairs(self, preferred_labels: Iterable[str]) -> dict[str, str]:
        """Female → male words, as the catalogue spells them.

        From "Male/Female" preferred labels aligned word by word ("Medizinischer Fachangestellter/Medizinische
        Fachangestellte", "Chefkoch/Chefköchin"), and from label words that are another label word plus "in",
        umlauted or not ("Erzieher"/"Erzieherin", "Arzt"/"Ärztin").
        """
        pairs: dict[str, str] = {}
        for label in preferred_labels:
            halves = re.split(r"(?<!-)/\s*(?=[A-ZÄÖÜ])", label)
            if len(halves) != 2:
                continue
            male_words, female_words = (_raw_words(h) for h in halves)
            if len(male_words) != len(female_words):
                continue
            for m, f in zip(male_words, female_words, strict=True):
                if m != f and len(f) >= 4 and not m.endswith("-") and not f.endswith("-"):
                    pairs.setdefault(f, m)
        for word in self.vocabulary:
            if len(word) < 6 or not word.endswith("in"):
                continue
            stem = word[:-2]
            for candidate in (stem, stem + "e", *_without_umlaut(stem)):
                if candidate in self.vocabulary:
                    pairs.setdefault(word, candidate)
                    break
        for female, male in list(pairs.items()):
            if female.endswith("in"):
                pairs.setdefault(female + "nen", male)  # plural "Erzieherinnen"
        return pairs

    def head(self, word: str) -> str | None:
        """The longest known word that ends ``word`` ("gehaltsbuchhalter" → "buchhalter"), if any."""
        for i in range(2, len(word) - 2):
            if word[i:] in self.vocabulary:
                return word[i:]
        return None

    def parts(self, word: str) -> list[str]:
        """A compound split into known words, found from its end ("notfallsanitaeter" → not, fall, sanitaeter)."""
        out: list[str] = []
        while head := self.head(word):
            out.append(head)
            word = word[: -len(head)]
            if word.endswith("s") and word not in self.vocabulary and word[:-1] in self.vocabulary:
                word = word[:-1]  # linking "s": "Rechtsanwalts|fachangestellte"
        out.append(word)
        return out[::-1]

    def _male(self, word: str) -> str:
        """The male form the labels use: known pair, compound ending in one ("kitaerzieherin"), neutral ending."""
        if male := self.female_to_male.get(word):
            return male
        # The longest known female ending first; endings under 6 letters ("frau", "in") would be guesses.
        for i in range(1, len(word) - 5):
            if male := self.female_to_male.get(word[i:]):
                return word[:i] + male
        if match := _NEUTRAL_ENDING.search(word):
            return word[: match.start()] + _NEUTRAL_ENDINGS[match.group()]
        return word

    def _resolve_ellipses(self, words: Sequence[str]) -> list[str]:
        """Complete "Lohn-" in "Lohn- und Gehaltsbuchhalter" with the head of the word that completes it."""
        out = list(words)
        for i, word in enumerate(out):
            if not word.endswith("-"):
                continue
            full = next((w for w in out[i + 1 :] if not w.endswith("-") and w not in ("und", "oder", "bzw")), None)
            head = self.head(full) if full else None
            out[i] = word[:-1] + head if head else word[:-1]
        return out

    def tokens(self, text: str, *, query: bool = True) -> tuple[str, ...]:
        """Canonical tokens of a query, or of a label with ``query=False`` (order kept, duplicates dropped).

        Job-ad noise ("Senior", "Teilzeit") is dropped from queries only: in a catalogue label such a word is
        part of the title ("stellvertretender Schulleiter", "F&B Manager").
        """
        seen: dict[str, None] = {}
        for word in self._resolve_ellipses(_raw_words(text)):
            if word in _STOPWORDS or word.isdigit() or (query and (word in _NOISE or _SHIFT.fullmatch(word))):
                continue
            if query:
                seen.setdefault(self._male(word), None)
            else:  # label words repeat a lot while the index is built; query words are not kept
                male = self._label_words.get(word) or self._label_words.setdefault(word, self._male(word))
                seen.setdefault(male, None)
        return tuple(seen)

    def variants(self, text: str) -> dict[tuple[str, ...], float]:
        """A label's normalised forms, each with its penalty (0 for the label itself).

        Besides the whole label: each alternative of a coordination ("Lohn- und Gehaltsbuchhalter" is also a
        "Lohnbuchhalter" and a "Gehaltsbuchhalter"; "Import-/Exportsachbearbeiter" an "Exportsachbearbeiter"),
        and the label without a bracketed qualifier, which is more general and so loses QUALIFIER_PENALTY.
        """
        out = {self.tokens(text, query=False): 0.0}
        raw = _raw_words(text)
        for i, word in enumerate(raw):
            if not word.endswith("-") or i + 1 >= len(raw):
                continue
            skip = 2 if raw[i + 1] in ("und", "oder") else 1  # a slash leaves no word behind
            if i + skip >= len(raw) or raw[i + skip].endswith("-"):
                continue  # "Sanitär-, Heizungs- und Klimatechnik": the last of the series is handled
            if head := self.head(raw[i + skip]):
                first = (*raw[:i], word[:-1] + head, *raw[i + skip + 1 :])
                second = raw[:i] + raw[i + skip :]
                for alternative in (first, second):
                    out.setdefault(self.tokens(" ".join(alternative), query=False), 0.0)
            break
        if "(" in text:
            for tokens, penalty in self.variants(_BRACKETS.sub(" ", text)).items():
                out.setdefault(tokens, penalty + QUALIFIER_PENALTY)
        return {tokens: penalty for tokens, penalty in out.items() if tokens}


# --- small helpers -----------------------------------------------------------------------------------------------


def _compact(tokens: Iterable[str]) -> str:
    return "".join(tokens)


def _trigrams(tokens: Sequence[str]) -> set[str]:
    """Character trigrams of each token, padded so that word starts and ends count."""
    grams: set[str] = set()
    for token in tokens:
        padded = f"<{token}>"
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def _typo_score(query: str, key: str) -> float:
    """Score for a key that is the query with a typo or two ("Fahlrehrer"), else 0.

    Allowed: one edit up to 12 letters, two up to 20, three beyond (a transposition counts as one edit); none
    under MIN_TYPO letters ("Mita" is no typo of "MTA"). The first letter must agree: a different first letter
    mostly means a different compound ("Kita-Leiter" / "IT-Leiter").
    """
    allowed = 1 if len(query) <= 12 else 2 if len(query) <= 20 else 3
    if len(query) < MIN_TYPO or abs(len(query) - len(key)) > allowed or query[0] != key[0]:
        return 0.0
    distance = OSA.distance(query, key, score_cutoff=allowed)
    return 0.0 if distance > allowed else 96.0 - TYPO_COST * distance * 10 / max(len(query), 10)


def _abbreviates(chunks: Sequence[str], parts: Sequence[str]) -> bool:
    """Whether the chunks, in order, each start a run of consecutive parts, the runs covering all parts."""
    reachable = [True] + [False] * len(parts)  # reachable[j]: the chunks so far cover exactly parts[:j]
    for chunk in chunks:
        following = [False] * (len(parts) + 1)
        for j, part in enumerate(parts):
            if reachable[j] and part.startswith(chunk):
                following[j + 1 :] = [True] * (len(parts) - j)
        reachable = following
    return reachable[-1]


def read_synonyms(path: Path = SYNONYMS_FILE) -> list[Synonym]:
    """The curated synonyms (CSV ``term,esco_uri,reason``), in file order."""
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Synonym(term=row["term"].strip(), esco_uri=row["esco_uri"].strip(), reason=row["reason"].strip())
            for row in csv.DictReader(f)
            if (row["term"] or "").strip()
        ]


# --- classifier --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Label:
    occupation: int
    text: str
    kind: LabelKind


@dataclass(frozen=True, slots=True)
class _Form:
    """One label as one of the keys it produces, with that form's penalty."""

    label: _Label
    penalty: float

    def better_than(self, other: _Form) -> bool:
        return (-self.penalty, self.label.kind) > (-other.penalty, other.label.kind)


_Scored = tuple[int, float, _Label]
"""(occupation index, score, best label)."""


class Classifier:
    """Ranks ESCO occupations for free-text job titles; build once (``default_classifier``), query often."""

    def __init__(self, catalogue: Catalogue, synonyms: Sequence[Synonym]) -> None:
        """Index every normalised form of every label (preferred, alternative, curated synonyms)."""
        self.occupations = catalogue.occupations
        index_of = {o.esco_uri: i for i, o in enumerate(self.occupations)}
        labels: list[_Label] = []
        for i, occupation in enumerate(self.occupations):
            labels.append(_Label(i, occupation.label, LabelKind.PREFERRED))
            labels.extend(_Label(i, alt, LabelKind.ALTERNATIVE) for alt in occupation.alt_labels)
        for synonym in synonyms:
            if synonym.esco_uri not in index_of:
                raise ValueError(f"synonym {synonym.term!r}: unknown ESCO URI {synonym.esco_uri}")
            labels.append(_Label(index_of[synonym.esco_uri], synonym.term, LabelKind.SYNONYM))
        self.normaliser = Normaliser((label.text for label in labels), (o.label for o in self.occupations))

        # Distinct normalised forms ("keys"); per key and occupation, the best label that produces it.
        key_index: dict[tuple[str, ...], int] = {}
        self.keys: list[tuple[str, ...]] = []
        forms: list[dict[int, _Form]] = []
        for label in labels:
            for tokens, penalty in self.normaliser.variants(label.text).items():
                k = key_index.setdefault(tokens, len(self.keys))
                if k == len(self.keys):
                    self.keys.append(tokens)
                    forms.append({})
                form = _Form(label, penalty)
                current = forms[k].get(label.occupation)
                if current is None or form.better_than(current):
                    forms[k][label.occupation] = form
        self.key_forms = [tuple(f.values()) for f in forms]
        self.key_compact = [_compact(key) for key in self.keys]
        self.exact: dict[str, list[int]] = defaultdict(list)
        for k, compact in enumerate(self.key_compact):
            self.exact[compact].append(k)
        self.token_frequency: dict[str, int] = defaultdict(int)
        for key in self.keys:
            for token in key:
                self.token_frequency[token] += 1
        self.preferred_strings = [" ".join(self.normaliser.tokens(o.label, query=False)) for o in self.occupations]
        self.group_strings = [
            " ".join(self.normaliser.tokens(catalogue.group_label(o.isco_group), query=False)) for o in self.occupations
        ]
        self._build_trigram_index()
        self._build_part_indexes()

    def _build_trigram_index(self) -> None:
        """Posting lists trigram → keys, trigram weights (squared idf) and each key's trigram mass."""
        grams_per_key = [_trigrams(key) for key in self.keys]
        postings: dict[str, list[int]] = defaultdict(list)
        for k, grams in enumerate(grams_per_key):
            for gram in grams:
                postings[gram].append(k)
        n = len(self.keys)
        # Squared idf: a trigram found in few labels says more than "er>" found in thousands.
        self.weight = {g: (math.log((1 + n) / (1 + len(ks))) + 1.0) ** 2 for g, ks in postings.items()}
        self.unknown_weight = (math.log(1 + n) + 1.0) ** 2
        self.key_mass = np.array([sum(self.weight[g] for g in grams) for grams in grams_per_key])
        self.postings = {g: np.array(ks, dtype=np.int32) for g, ks in postings.items()}

    def _build_part_indexes(self) -> None:
        """Indexes by compound parts: for abbreviations ("StB" → steuer|berater) and for ``suggest`` prefixes.

        ``suggest`` finds a key by its compact form, by each later word and by each later part of a compound
        ("lagerverwalter" in "warenlagerverwalter"), so typing "Lag" finds the Warenlagerverwalter too.
        """
        token_parts = {t: self.normaliser.parts(t) for key in self.keys for t in key}
        self.key_parts = [tuple(p for t in key for p in token_parts[t]) for key in self.keys]
        self.acronym_starts = sorted((parts[0], k) for k, parts in enumerate(self.key_parts) if len(parts) <= 8)
        self.acronym_first = [first for first, _ in self.acronym_starts]
        entries = {(compact, k) for k, compact in enumerate(self.key_compact)}
        for k, key in enumerate(self.keys):
            for i, token in enumerate(key):
                if i:
                    entries.add((token, k))
                parts = token_parts[token]
                for j in range(1, len(parts)):
                    rest = _compact(parts[j:])
                    if len(rest) >= MIN_HEAD and token.endswith(rest):
                        entries.add((rest, k))
        self.prefixes = sorted(entries)
        self.prefix_words = [word for word, _ in self.prefixes]
        # Two to four letters start thousands of entries ("fach..."): keep the best few per such prefix, whole
        # labels before later words, shorter before longer, as suggest() would rank them (a stable sort of the
        # sorted list: the same buckets in every process, whatever the string hash seed).
        short: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for word, k in sorted(
            self.prefixes, key=lambda e: (e[0] != self.key_compact[e[1]], len(self.key_compact[e[1]]))
        ):
            for n in range(MIN_PREFIX, SHORT_PREFIX + 1):
                bucket = short[word[:n]]
                if len(word) >= n and len(bucket) < SHORT_BUCKET:
                    bucket.append((word, k))
        self.short_prefixes = dict(short)

    # --- reading a query ---------------------------------------------------------------------------------------

    def _is_generic(self, tokens: Sequence[str]) -> bool:
        """Whether all words are generic heads ("Mitarbeiter", "Leiter") that say little on their own."""
        return all(self.token_frequency.get(t, 0) > GENERIC_FREQUENCY for t in tokens)

    def _query_forms(self, text: str, tokens: tuple[str, ...]) -> list[tuple[tuple[str, ...], float, bool]]:
        """Readings of a query: (tokens, penalty, whether only exact label matches count).

        - The whole query.
        - The title before the gender marker or a dash ("Koch (m/w/d) Vollzeit für Landgasthof bei Ellwangen").
        - Its first words alone, when they are specific ("Berufsberaterin Agentur für Arbeit"), losing more the
          more of the title they leave out; generic heads such as "Sachbearbeiter" alone say too little.
        - An unknown compound's head, when specific ("LKW-Disponent" → "Disponent").
        """
        forms = [(tokens, 0.0, False)]
        core = self.normaliser.tokens(_CORE_END.split(text, maxsplit=1)[0])
        if core and self._is_generic(core):
            core = ()  # "Mitarbeiter (m/w/d) Vertriebsinnendienst": the part after the marker matters
        if core and core != tokens:
            forms.append((core, CORE_PENALTY, False))
        main = core or tokens
        length = len(_compact(main))
        for n in range(1, min(len(main), 3)):
            if not any(self.token_frequency.get(t, 0) > GENERIC_FREQUENCY for t in main[:n]):
                dropped = 1.0 - len(_compact(main[:n])) / length
                forms.append((main[:n], PREFIX_PENALTY + PREFIX_SPAN * dropped, False))
        if len(main) <= 2:
            for i, token in enumerate(main):
                head = None if token in self.normaliser.vocabulary else self.normaliser.head(token)
                if head and len(head) >= MIN_BACKOFF and self.token_frequency.get(head, 0) <= GENERIC_FREQUENCY:
                    forms.append(((*main[:i], head, *main[i + 1 :]), HEAD_PENALTY, True))
        return forms

    def _compounds(self, tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The query plus the compounds German writes for the same title.

        "Ingenieur Maschinenbau" ~ "Maschinenbauingenieur", "Leitung Lager und Versand" ~ "Lagerleiter" (the
        first word as the head of a compound, with or without the linking "s"), and "Sachbearbeiter
        Lohnbuchhaltung" ~ "Sachbearbeiter Lohnbuchhalter" (the field's agent noun, when the catalogue knows it).
        """
        out = [tokens]
        if len(tokens) >= 2:
            rest = _compact(tokens[1:])
            out.extend([(rest + tokens[0],), (rest + "s" + tokens[0],)])
        if len(tokens) >= 3:
            out.extend([(tokens[1] + tokens[0],), (tokens[1] + "s" + tokens[0],)])
        vocabulary = self.normaliser.vocabulary
        agents = tuple(t[:-3] + "er" if t.endswith("ung") and t[:-3] + "er" in vocabulary else t for t in tokens)
        if agents != tokens:
            out.append(agents)
        return out

    # --- scoring -----------------------------------------------------------------------------------------------

    def _coverage(self, tokens: tuple[str, ...]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Per key: the share of the query's trigram mass found in the key, and of the key's found in the query."""
        grams = _trigrams(tokens)
        known = [g for g in grams if g in self.postings]
        if not known:
            zeros = np.zeros(len(self.keys))
            return zeros, zeros
        query_mass = sum(self.weight[g] for g in known) + self.unknown_weight * (len(grams) - len(known))
        lists = [self.postings[g] for g in known]
        weights = np.repeat([self.weight[g] for g in known], [len(ks) for ks in lists])
        shared = np.bincount(np.concatenate(lists), weights=weights, minlength=len(self.keys))
        return shared / query_mass, shared / self.key_mass

    def _contained(self, tokens: tuple[str, ...], k: int) -> float:
        """Score when every query word is a word of the key or ends one of its compounds, else 0.

        "Mediengestalter" in "Mediengestalter Digital und Print", "Busfahrer" in "Omnibusfahrer": the label says
        everything the query says, and more; the more it adds, the lower the score. (The caller skips queries
        of generic words only: "Mitarbeiter" ends "Parteimitarbeiter" and a hundred others.)
        """
        key, compact = self.keys[k], self.key_compact[k]
        base = CONTAINED_BASE
        for token in tokens:
            if token not in compact:
                return 0.0  # cheap test first: most candidates fail here
            if token in key:
                continue
            if len(token) < MIN_HEAD or not any(w.endswith(token) for w in key):
                return 0.0
            base = CONTAINED_BASE - SUFFIX_PENALTY  # the key's extra first part may change the meaning
        return base + CONTAINED_SPAN * len(_compact(tokens)) / len(compact)

    def _score_keys(
        self,
        tokens: tuple[str, ...],
        penalty: float,
        scored: dict[int, float],
        *,
        compound: bool = False,
        exact_only: bool = False,
    ) -> None:
        """Score the keys that fit one reading into ``scored`` (the best reading wins per key).

        ``compound``: the words may also be read as one compound in their order ("Quality Engineer" →
        "Qualitätsingenieur"). ``exact_only``: only keys that are exactly a form of these words count.
        """
        variants = self._compounds(tokens)
        if compound and len(tokens) > 1:
            variants.append((_compact(tokens),))
        compacts = [_compact(v) for v in variants]
        for variant, compact in zip(variants, compacts, strict=True):
            for k in self.exact.get(compact, ()):
                scored[k] = max(scored.get(k, 0.0), (100.0 if variant is tokens else 98.0) - penalty)
        if exact_only:
            return
        query_cover, key_cover = self._coverage(tokens)
        retrieval = QUERY_COVER * query_cover + KEY_COVER * key_cover
        candidates = [k for k in np.argpartition(-retrieval, CANDIDATES)[:CANDIDATES].tolist() if retrieval[k] > 0]
        if not candidates:
            return
        key_compacts = [self.key_compact[k] for k in candidates]
        wholes = process.cdist(compacts, key_compacts, scorer=fuzz.ratio).max(axis=0)
        contains = not self._is_generic(tokens)
        query = compacts[0]
        for k, key_compact, whole in zip(candidates, key_compacts, wholes.tolist(), strict=True):
            score = (100.0 * float(retrieval[k]) + WHOLE * whole) / (1.0 + WHOLE)
            if contains:
                score = max(score, self._contained(tokens, k))
            if abs(len(query) - len(key_compact)) <= MAX_TYPOS:
                score = max(score, _typo_score(query, key_compact))
            scored[k] = max(scored.get(k, 0.0), min(97.0, score) - penalty)

    def _acronym_keys(self, chunks: Sequence[str]) -> list[int]:
        """Keys whose compound parts the chunks abbreviate ("St"+"B" → steuer|berater, "Re"+"Fa" → ...).

        Each chunk starts a run of parts ("Re" → rechtsanwalt, "Fa" → fach|angestellte); the runs cover the key.
        """
        found = []
        for part, k in self.acronym_starts[bisect_left(self.acronym_first, chunks[0]) :]:
            if not part.startswith(chunks[0]):
                break
            if _abbreviates(chunks, self.key_parts[k]):
                found.append(k)
        return found

    def _score_acronyms(self, text: str, tokens: tuple[str, ...], scored: dict[int, float]) -> None:
        """Abbreviations written with a capital per part ("StB", "ReFa", "NotSan", "MTRA") → labels they spell."""
        length = len(_compact(tokens))
        for match in _ACRONYM.finditer(text):
            word = _fold(match.group())
            # Three capitals alone ("SAP", "PTA") fit too many labels; the common ones are curated synonyms.
            minimum = MIN_ACRONYM + 1 if match.group().isupper() else MIN_ACRONYM
            if len(word) < minimum or word in self.normaliser.vocabulary or word in self.exact:
                continue
            score = ACRONYM_SCORE - ACRONYM_SPAN * max(0.0, 1.0 - len(word) / length)
            for k in self._acronym_keys([_fold(c) for c in _ACRONYM_CHUNK.findall(match.group())]):
                scored[k] = max(scored.get(k, 0.0), score)

    def _scored(self, text: str) -> list[_Scored]:
        """Every occupation scoring at least MIN_SCORE for the query, best first."""
        tokens = self.normaliser.tokens(text)
        if not tokens:
            return []
        scored: dict[int, float] = {}
        self._score_acronyms(text, tokens, scored)
        for form, penalty, exact_only in self._query_forms(text, tokens):
            self._score_keys(form, penalty, scored, exact_only=exact_only)
            # English titles ("Quality Engineer", "Head of Sales") read word by word in German as well.
            german = tuple(w for t in form for w in _ENGLISH.get(t, t).split())
            english = german != form
            if english:
                self._score_keys(german, penalty + ENGLISH_PENALTY, scored, compound=True, exact_only=exact_only)
            # German titles use "-leiter" and "-manager" for the same job ("Projektleiter", "Projektmanager").
            swapped = tuple(_SWAP_ENDING.sub(lambda m: _SWAP[m.group()], t) for t in german)
            if swapped != german and not exact_only:
                extra = ENGLISH_PENALTY if english else 0.0
                self._score_keys(swapped, penalty + extra + SWAP_PENALTY, scored, compound=english)
        return self._by_occupation(" ".join(tokens), scored)

    def _by_occupation(self, query: str, scored: dict[int, float]) -> list[_Scored]:
        """Aggregate key scores per occupation (its best label wins) and order them, ties broken.

        Ties (ESCO gives a label to several occupations): curated synonym, then preferred label, then the
        occupation whose preferred label or ISCO group resembles the query most ("Rezeptionist Hotel": three
        occupations say "Rezeptionist", one is in the group "Hotelrezeptionisten"). The resemblance only
        decides between close scores, so it is computed for the leading occupations only.
        """
        best: dict[int, tuple[float, int, _Label]] = {}
        for k, key_score in scored.items():
            for form in self.key_forms[k]:
                label = form.label
                score = key_score - form.penalty
                current = best.get(label.occupation)
                if current is None or (score, label.kind) > current[:2]:
                    best[label.occupation] = (score, label.kind, label)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
        ranked = [item for item in ranked if item[1][0] >= MIN_SCORE]
        lead = ranked[:TIE_WINDOW]
        ties = {
            i: 0.5 * kind
            + fuzz.token_set_ratio(query, self.preferred_strings[i]) / 100
            + GROUP_WEIGHT * fuzz.partial_ratio(query, self.group_strings[i]) / 100
            for i, (_score, kind, _label) in lead
        }
        lead.sort(key=lambda item: (-(item[1][0] + ties[item[0]]), item[0]))
        return [(i, score, label) for i, (score, _kind, label) in lead + ranked[TIE_WINDOW:]]

    def _match(self, occupation: int, score: float, label: _Label) -> OccupationMatch:
        found = self.occupations[occupation]
        return OccupationMatch(
            esco_uri=found.esco_uri,
            label=found.label,
            isco_group=found.isco_group,
            score=round(float(min(score, 100.0)), 1),
            matched_label=label.text,
        )

    # --- public ------------------------------------------------------------------------------------------------

    def classify(self, text: str, limit: int = 5) -> list[OccupationMatch]:
        """The best ``limit`` occupations for a job title, best first ([] when nothing fits).

        Scores never rise down the list: when the tie-break moved an occupation above one that scored a little
        higher, the latter shows the former's score (a reader takes the list as ordered by its numbers).
        """
        matches = [self._match(*found) for found in self._scored(text[:MAX_QUERY])[:limit]]
        for i in range(1, len(matches)):
            if matches[i].score > matches[i - 1].score:
                matches[i] = dataclasses.replace(matches[i], score=matches[i - 1].score)
        return matches

    def suggest(self, text: str, limit: int = 8) -> list[OccupationMatch]:
        """As-you-type suggestions, best first: labels that start with the input, then ``classify``'s matches.

        A label that starts with the input ("Erzie" → Erzieher) scores 50-100 by how much of it was typed and
        comes before fuzzy matches (typos, word order); a label whose later word or compound part starts with it
        ("Montessori-Erzieher", "Warenlagerverwalter") scores a little less. Curated synonyms and preferred
        labels are everyday words and come first among equals. The order, not the score, is what to show.
        """
        text = text[:MAX_QUERY]
        # A filler word may be the start of a title ("Mit" → "Mitarbeiter"); noise ("(m/w/d)") is not.
        prefix = _compact(self.normaliser.tokens(text)) or _compact(w for w in _raw_words(text) if w in _STOPWORDS)
        if len(prefix) < MIN_PREFIX:
            return []
        best: dict[int, tuple[float, float, _Label]] = {}

        def offer(occupation: int, score: float, order: float, label: _Label) -> None:
            if occupation not in best or order > best[occupation][1]:
                best[occupation] = (score, order, label)

        # While a female form is being typed ("Erzieheri"), the labels start with its male stem.
        stems = [prefix, *(prefix[: -len(e)] for e in _PARTIAL_FEMALE if prefix.endswith(e) and len(prefix) > 4)]
        for stem in stems:
            if len(stem) <= SHORT_PREFIX:
                entries = self.short_prefixes.get(stem, [])
            else:
                start = bisect_left(self.prefix_words, stem)
                entries = self.prefixes[start : start + SUGGEST_SCAN]
            for word, k in entries:
                if not word.startswith(stem):
                    break
                whole = word == self.key_compact[k]
                score = (50.0 + 50.0 * len(stem) / len(self.key_compact[k])) * (1.0 if whole else WORD_PREFIX_FACTOR)
                for form in self.key_forms[k]:
                    order = score + (PREFIX_BOOST if whole else 0.0) + KIND_BOOST * form.label.kind - form.penalty
                    offer(form.label.occupation, score, order, form.label)
        for occupation, score, label in self._scored(text)[:limit]:
            offer(occupation, score, score, label)
        ranked = sorted(best.items(), key=lambda item: (-item[1][1], item[0]))[:limit]
        return [self._match(i, score, label) for i, (score, _order, label) in ranked]


@functools.cache
def default_classifier() -> Classifier:
    """The classifier over the shipped catalogue and curated synonyms, built once per process."""
    return Classifier(load_catalogue(), read_synonyms())


def classify_lines(lines: Iterable[str], out: TextIO, *, classifier: Classifier | None = None, limit: int = 5) -> int:
    """Classify one title per non-empty line, write one JSON object per title to ``out``; return the count.

    Each object: ``{"input": ..., "matches": [{"esco_uri", "label", "isco_group", "score"}, ...]}``, best first.
    """
    classifier = classifier or default_classifier()
    count = 0
    for line in lines:
        title = line.strip()
        if not title:
            continue
        matches = [
            {"esco_uri": m.esco_uri, "label": m.label, "isco_group": m.isco_group, "score": m.score}
            for m in classifier.classify(title, limit)
        ]
        out.write(json.dumps({"input": title, "matches": matches}, ensure_ascii=False) + "\n")
        count += 1
    return count

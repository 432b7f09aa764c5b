"""Normalise German job titles and occupation labels into canonical token tuples, for the occupation classifier.

Labels and queries go through the same ``Normaliser``: gender markers ("Erzieher/in", "*in", ":in", "ErzieherIn",
"(m/w/d)"), case, umlauts (ä → ae, ß → ss), dotted abbreviations ("Kfm.", "Dipl.-Ing."), compound prefixes ("Kfz-",
"Kita-"), filler words ("für", "der") and female or gender-neutral forms ("Erzieherin", "Teamleitung") become one
canonical token tuple. Female → male word pairs are learned from the catalogue itself ("Chefkoch/Chefköchin"), not
from a hand-written list. Queries also lose job-ad noise ("Teilzeit", "Senior"); labels keep every word. The word
tables and patterns the classifier reads queries with (English words, "-leiter"/"-manager", where a job ad's title
ends, abbreviations such as "StB") live here too. Pure: no I/O.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence

QUALIFIER_PENALTY = 4.0
"""A label without its bracketed qualifier ("Zahnarzthelfer (Assistenz am Behandlungsstuhl)") is more general
than the label, so it matches with this much less."""

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

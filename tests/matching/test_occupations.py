from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from jobfuerzwei.matching.catalogue import Occupation, load_catalogue
from jobfuerzwei.matching.labels import SYNONYMS_FILE, Synonym, read_synonyms
from jobfuerzwei.matching.occupations import Classifier, OccupationMatch, classify_lines, default_classifier

# Our own examples (not taken from fixtures/occupation_titles.csv): expected occupations by preferred label.
EARLY_YEARS = "Lehrkraft für Vorschulerziehung"
SHK = "Anlagenmechaniker Sanitär-, Heizungs- und Klimatechnik/Anlagenmechanikerin Sanitär-, Heizungs- und Klimatechnik"
CAR_MECHATRONICS = (
    "Kraftfahrzeugmechatroniker Schwerpunkt Personenkraftwagentechnik/"
    "Kraftfahrzeugmechatronikerin Schwerpunkt Personenkraftwagentechnik"
)
PAYROLL = "Lohn- und Gehaltsbuchhalter/Lohn- und Gehaltsbuchhalterin"
SOFTWARE = "Softwareentwickler/Softwareentwicklerin"


def occupation(preferred_label: str) -> Occupation:
    found = [o for o in load_catalogue().occupations if o.label == preferred_label]
    assert len(found) == 1, preferred_label
    return found[0]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return default_classifier()


def top(classifier: Classifier, title: str, n: int = 3) -> list[str]:
    return [m.label for m in classifier.classify(title)[:n]]


@pytest.mark.parametrize(
    "title",
    [
        "Erzieher",
        "Erzieherin",
        "Erzieher/in",
        "Erzieher/-in",
        "Erzieher*in",
        "Erzieher:in",
        "Erzieher_in",
        "ErzieherIn",
        "Erzieher(in)",
        "Erzieher*innen",
        "Erzieherinnen",
        "Erzieher (m/w/d)",
        "Erzieher (w/m/d)",
        "Erzieherin (m/w/x)",
        "Erzieher:in (all genders)",
        "erzieher m/w/d",
        "ERZIEHER/IN",
    ],
)
def test_every_gender_form_of_erzieher_finds_the_early_years_educator_first(classifier: Classifier, title: str) -> None:
    matches = classifier.classify(title)
    assert matches[0].label == EARLY_YEARS
    assert matches[0].isco_group == "C2342"
    assert matches[0].score == 100.0


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # job-ad noise: work time, seniority, brackets, shifts, employer context
        (
            "Elektriker (m/w/d) in Teilzeit",
            "Elektroniker für Energie- und Gebäudetechnik/Elektronikerin für Energie- und Gebäudetechnik",
        ),
        ("Senior Softwareentwickler (w/m/d)", SOFTWARE),
        ("Junior Projektmanager (m/w/d) Vollzeit", "Projektmanager/Projektmanagerin"),
        ("Koch (m/w/d) für unser Restaurant am See", "Koch/Köchin"),
        ("Staplerfahrer Frühschicht", "Gabelstaplerfahrer/Gabelstaplerfahrerin"),
        ("Reinigungskraft Minijob", "Raumpfleger/Raumpflegerin"),
        ("Stellv. Filialleiter (m/w/d)", "Verkaufsaufsichtskraft"),
        ("Leitung Einkauf (m/w/d)", "Einkaufsleiter/Einkaufsleiterin"),
        ("Teamleitung Buchhaltung", "Leiter der Buchhaltung/Leiterin der Buchhaltung"),
        # abbreviations
        ("Industriekfm.", "Bürokaufmann/Bürokauffrau"),
        ("Kfm. Angestellter", "Bürokaufmann/Bürokauffrau"),
        ("Dipl.-Ing. Elektrotechnik", "Ingenieur Elektrotechnik/Ingenieurin Elektrotechnik"),
        ("Sachb. Personal", "Personalsachbearbeiter/Personalsachbearbeiterin"),
        ("MFA", "Medizinischer Fachangestellter/Medizinische Fachangestellte"),
        ("ZFA in Teilzeit", "Zahnmedizinischer Fachangestellter/Zahnmedizinische Fachangestellte"),
        ("Anlagenmechaniker SHK", SHK),
        ("KFZ-Elektriker", "Kraftfahrzeugelektriker/Kraftfahrzeugelektrikerin"),
        # compounds and word order
        ("Sachbearbeiter Lohnbuchhaltung", PAYROLL),
        ("Lohnbuchhalterin", PAYROLL),
        ("Gehaltsbuchhalter", PAYROLL),
        ("Ingenieur Maschinenbau", "Maschinenbauingenieur/Maschinenbauingenieurin"),
        ("Monteur Küchen", "Küchenbauer/Küchenbauerin"),
        ("Exportsachbearbeiter", "Import-/Exportsachbearbeiter/Import-/Exportsachbearbeiterin"),
        # umlauts written out
        ("Gaertner", "Landschaftsgärtner/Landschaftsgärtnerin"),
        ("Baecker", "Bäcker/Bäckerin"),
        ("Strassenbahnfahrer", "Straßenbahnfahrer/Straßenbahnfahrerin"),
        ("Buerokauffrau", "Bürokaufmann/Bürokauffrau"),
        # English titles
        ("Software Developer", SOFTWARE),
        ("Data Scientist (m/w/d)", "Datenwissenschaftler/Datenwissenschaftlerin"),
        ("Project Manager", "Projektmanager/Projektmanagerin"),
        ("Quality Engineer", "Qualitätsingenieur/Qualitätsingenieurin"),
        ("Head of Marketing", "Marketingleiter/Marketingleiterin"),
        # typos
        ("Erzeiher", EARLY_YEARS),
        ("Elektronicker", "Elektroniker/Elektronikerin"),
        ("Physiotherapheut", "Physiotherapeut/Physiotherapeutin"),
        ("Tischlr", "Tischler/Tischlerin"),
        # everyday terms ESCO files oddly or not at all (curated synonyms)
        ("Pflegefachkraft", "Krankenpfleger Allgemeine Krankenpflege/Krankenschwester Allgemeine Krankenpflege"),
        ("Altenpfleger", "Krankenpfleger Allgemeine Krankenpflege/Krankenschwester Allgemeine Krankenpflege"),
        ("Kinderpfleger", "Kinderbetreuer (Tagesbetreuung)/Kinderbetreuerin (Tagesbetreuung)"),
        ("Fachkraft für Lagerlogistik", "Warenlagerverwalter/Warenlagerverwalterin"),
        ("Busfahrer/in im Linienverkehr", "Omnibusfahrer/Omnibusfahrerin"),
    ],
)
def test_hard_cases_find_the_occupation_in_the_top_three_and_its_isco_group_first(
    classifier: Classifier, title: str, expected: str
) -> None:
    matches = classifier.classify(title)
    assert expected in [m.label for m in matches[:3]], (title, top(classifier, title))
    assert matches[0].isco_group == occupation(expected).isco_group, (title, top(classifier, title))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Sachbearbeiter Lohnbuchhaltung", "Lohnbuchhalter"),
        ("Software Developer", "Software-Developer"),
        ("Gärtnerin", "Gaertnerin"),
        ("Bürokauffrau", "Bürokaufmann"),
        ("Kauffrau im Einzelhandel", "Kaufmann im Einzelhandel"),
        ("Chefköchin", "Chefkoch"),
    ],
)
def test_spellings_of_the_same_title_agree_on_the_first_occupation(
    classifier: Classifier, first: str, second: str
) -> None:
    assert classifier.classify(first)[0].esco_uri == classifier.classify(second)[0].esco_uri


def test_an_exact_label_beats_a_long_label_that_contains_it(classifier: Classifier) -> None:
    labels = top(classifier, "Friseur", 5)
    assert labels[0] == "Friseur/Friseurin"
    assert labels.index("Friseur/Friseurin") < labels.index("Tierfriseur/Tierfriseurin")


def test_matches_are_sorted_scored_and_limited(classifier: Classifier) -> None:
    matches = classifier.classify("Elektroniker Betriebstechnik", limit=4)
    assert 1 <= len(matches) <= 4
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)
    assert len({m.esco_uri for m in matches}) == len(matches)
    assert all(isinstance(m, OccupationMatch) and m.matched_label for m in matches)


def test_the_matched_label_names_the_synonym_that_matched(classifier: Classifier) -> None:
    match = classifier.classify("Pflegefachkraft (m/w/d)")[0]
    assert match.matched_label == "Pflegefachkraft"
    assert match.label.startswith("Krankenpfleger Allgemeine Krankenpflege")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Erz", EARLY_YEARS),
        ("Erzie", EARLY_YEARS),
        ("Erzieheri", EARLY_YEARS),
        ("Gaert", "Landschaftsgärtner/Landschaftsgärtnerin"),
        ("Lohn", PAYROLL),
        ("Koch", "Koch/Köchin"),
        ("Mechat", "Elektronikmechaniker/Elektronikmechanikerin"),
        ("Kfz-Mech", CAR_MECHATRONICS),
        ("Software Dev", SOFTWARE),
        ("Erzeiher", EARLY_YEARS),  # a typo: fuzzy matches fill in
    ],
)
def test_suggest_completes_what_was_typed(classifier: Classifier, typed: str, expected: str) -> None:
    labels = [m.label for m in classifier.suggest(typed)]
    assert expected in labels[:5], (typed, labels)


@pytest.mark.parametrize("typed", ["Pfl", "Elek", "Büro", "Lag", "Verk", "Kfz"])
def test_suggest_offers_several_occupations_for_three_or_four_letters(classifier: Classifier, typed: str) -> None:
    matches = classifier.suggest(typed, limit=8)
    assert 5 <= len(matches) <= 8
    assert len({m.esco_uri for m in matches}) == len(matches)
    assert all(0 < m.score <= 100 for m in matches)


def test_suggest_puts_the_curated_everyday_word_first(classifier: Classifier) -> None:
    assert classifier.suggest("Erzie")[0].label == EARLY_YEARS
    assert classifier.suggest("Gaert")[0].label == "Landschaftsgärtner/Landschaftsgärtnerin"


@pytest.mark.parametrize(
    "text", ["", "   ", "(m/w/d)", "Teilzeit", "Senior (w/m/d) Vollzeit", "asdfgh", "xyz123", "!!!", "12345", "qwrtzp"]
)
def test_empty_noise_and_garbage_give_no_occupation(classifier: Classifier, text: str) -> None:
    assert classifier.classify(text) == []
    assert classifier.suggest(text) == []


def test_suggest_waits_for_two_letters(classifier: Classifier) -> None:
    assert classifier.suggest("E") == []


def test_very_long_input_is_cut_and_stays_fast(classifier: Classifier) -> None:
    text = "Erzieher (m/w/d) " + "für unsere Kita mit Garten und viel Platz zum Spielen " * 500
    started = time.perf_counter()
    matches = classifier.classify(text)
    suggestions = classifier.suggest(text)
    assert time.perf_counter() - started < 0.5
    assert matches[0].label == EARLY_YEARS
    assert suggestions


def test_classify_lines_writes_one_json_object_per_title(classifier: Classifier) -> None:
    out = io.StringIO()
    count = classify_lines(["Erzieherin\n", "\n", "  ", "Gärtner (m/w/d)\n", "asdfgh\n"], out, classifier=classifier)
    assert count == 3
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["input"] for r in rows] == ["Erzieherin", "Gärtner (m/w/d)", "asdfgh"]
    first = rows[0]["matches"][0]
    assert set(first) == {"esco_uri", "label", "isco_group", "score"}
    assert first["label"] == EARLY_YEARS
    assert 1 <= len(rows[0]["matches"]) <= 5
    assert rows[2]["matches"] == []
    assert "Gärtner" in out.getvalue()  # ensure_ascii=False


def test_classify_lines_limits_the_matches() -> None:
    out = io.StringIO()
    classify_lines(["Elektriker"], out, limit=2)
    assert len(json.loads(out.getvalue())["matches"]) == 2


def test_every_synonym_points_at_an_occupation_with_a_reason() -> None:
    catalogue = load_catalogue()
    synonyms = read_synonyms()
    # small next to ESCO's 15,690 labels: everyday terms, abbreviations and English titles it lacks
    assert 40 <= len(synonyms) <= 500
    for synonym in synonyms:
        assert catalogue.get(synonym.esco_uri) is not None, synonym
        assert synonym.term, synonym
        assert synonym.term.strip() == synonym.term, synonym
        assert len(synonym.reason) >= 10, synonym
    terms = [s.term.casefold() for s in synonyms]
    assert len(terms) == len(set(terms))


def test_synonyms_file_is_the_repository_fixture() -> None:
    assert Path(__file__).resolve().parents[2] / "fixtures" / "occupation_synonyms.csv" == SYNONYMS_FILE
    assert SYNONYMS_FILE.is_file()


def test_read_synonyms_and_an_unknown_uri_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.csv"
    path.write_text(
        "term,esco_uri,reason\nFooberater,http://data.europa.eu/esco/occupation/unknown,made up\n\n", encoding="utf-8"
    )
    assert read_synonyms(path) == [Synonym("Fooberater", "http://data.europa.eu/esco/occupation/unknown", "made up")]
    with pytest.raises(ValueError, match="unknown ESCO URI"):
        Classifier(load_catalogue(), read_synonyms(path))


def test_a_classifier_without_synonyms_still_knows_the_catalogue() -> None:
    plain = Classifier(load_catalogue(), [])
    assert plain.classify("Friseurin")[0].label == "Friseur/Friseurin"
    assert plain.classify("Lohnbuchhalter")[0].label == PAYROLL

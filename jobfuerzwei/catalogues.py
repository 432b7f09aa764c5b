"""The message catalogues against the source: what is translatable, what lacks a translation, what is stale.

Used by ``scripts/i18n`` (for developers and translators) and by ``tests/test_i18n.py`` (which fails on any gap).
The German source text is the message id; ``jobfuerzwei/locale/<lang>/LC_MESSAGES/*.po`` hold the translations,
one file per area, merged when loaded (``i18n.translations``).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from jobfuerzwei.i18n import DEFAULT, LANGUAGES, LOCALE_DIR

ROOT = LOCALE_DIR.parents[1]
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w*)\}|%[sdif]")

MsgId = str | tuple[str, ...]


@dataclass
class Source:
    """Every message the code and the templates use, with where."""

    messages: dict[MsgId, list[str]] = field(default_factory=dict)


def extract(root: Path = ROOT) -> Source:
    """Run Babel's extractors over the source as ``babel.cfg`` maps it."""
    with (root / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)  # type: ignore[no-untyped-call]
    source = Source()
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(root),
        method_map,
        options_map,
        keywords=KEYWORDS,
        strip_comment_tags=True,
        directory_filter=_searched,
    ):
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        key: MsgId = message if isinstance(message, str) else tuple(m for m in message if m)
        source.messages.setdefault(key, []).append(f"{filename}:{lineno}")
    return source


def _searched(dirpath: str) -> bool:
    # Babel's default skips folders starting with "_" too, which would hide templates/_macros.
    name = Path(dirpath).name
    return not name.startswith(".") and name not in ("__pycache__", "node_modules")


def catalogue_files(language: str) -> list[Path]:
    """The ``.po`` files of a language, in the order they are merged."""
    return sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po"))


def load(language: str) -> dict[MsgId, tuple[Message, Path]]:
    """Every entry of a language's catalogues with the file it is in (the first file wins, as when loading)."""
    entries: dict[MsgId, tuple[Message, Path]] = {}
    for path in catalogue_files(language):
        with path.open("rb") as f:
            for message in read_po(f, locale=language):
                if message.id:
                    key = message.id if isinstance(message.id, str) else tuple(message.id)
                    entries.setdefault(key, (message, path))
    return entries


def _translated(message: Message) -> bool:
    if message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(s for s in strings)


def placeholders(text: str) -> list[str]:
    """The ``%(name)s`` / ``{name}`` / ``%s`` placeholders of a message, sorted."""
    return sorted(m.group(0) for m in _PLACEHOLDER.finditer(text))


@dataclass
class Report:
    """What a language lacks against the source."""

    missing: dict[MsgId, list[str]]
    untranslated: dict[MsgId, Path]
    stale: dict[MsgId, Path]
    bad_placeholders: dict[MsgId, str]

    @property
    def ok(self) -> bool:
        """Nothing missing, untranslated, stale or mismatched."""
        return not (self.missing or self.untranslated or self.stale or self.bad_placeholders)


def check(language: str, source: Source | None = None) -> Report:
    """Compare a language's catalogues with the source."""
    source = source or extract()
    entries = load(language)
    missing = {mid: where for mid, where in source.messages.items() if mid not in entries}
    untranslated = {mid: path for mid, (m, path) in entries.items() if mid in source.messages and not _translated(m)}
    stale = {mid: path for mid, (_m, path) in entries.items() if mid not in source.messages}
    bad: dict[MsgId, str] = {}
    for mid, (message, _path) in entries.items():
        if mid not in source.messages or not _translated(message):
            continue
        ids = mid if isinstance(mid, tuple) else (mid,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = placeholders(str(ids[-1]))
        for text in strings:
            if placeholders(str(text)) != expected:
                bad[mid] = str(text)
    return Report(missing=missing, untranslated=untranslated, stale=stale, bad_placeholders=bad)


def only(source: Source, prefixes: Iterable[str]) -> Source:
    """The messages used in files under ``prefixes`` (e.g. ``templates/portal``, ``jobfuerzwei/portal/``)."""
    wanted = tuple(prefixes)
    if not wanted:
        return source
    return Source({mid: where for mid, where in source.messages.items() if any(w.startswith(wanted) for w in where)})


def add_missing(language: str, area: str, source: Source | None = None, prefixes: Iterable[str] = ()) -> int:
    """Append the messages a language lacks (used under ``prefixes``, default all) to ``<area>.po``, untranslated."""
    source = source or extract()
    report = check(language, source)
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{area}.po"
    catalog = _read(path, language)
    added = 0
    used_here = only(source, prefixes).messages
    for mid, where in report.missing.items():
        if mid not in used_here:
            continue
        catalog.add(mid, string=("", "") if isinstance(mid, tuple) else "", locations=_locations(where))
        added += 1
    _write(path, catalog)
    return added


def _locations(where: Iterable[str]) -> list[tuple[str, int]]:
    result = []
    for item in where:
        name, _, line = item.rpartition(":")
        result.append((name, int(line)))
    return result[:3]


def _read(path: Path, language: str) -> Catalog:
    if path.exists():
        with path.open("rb") as f:
            return read_po(f, locale=language)
    return Catalog(locale=language, project="jobfuerzwei", fuzzy=False)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=120, omit_header=False, sort_output=False)


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")


def main(argv: list[str] | None = None) -> int:
    """``scripts/i18n check|add AREA|pot``."""
    parser = argparse.ArgumentParser(prog="scripts/i18n")
    sub = parser.add_subparsers(dest="command", required=True)
    check_cmd = sub.add_parser("check", help="list what each language lacks; exit 1 if anything")
    check_cmd.add_argument("--only", nargs="*", default=[], help="only messages used under these path prefixes")
    add = sub.add_parser("add", help="append the missing messages to LANG/<AREA>.po with empty translations")
    add.add_argument("area")
    add.add_argument("--language", default="en")
    add.add_argument("--only", nargs="*", default=[], help="only messages used under these path prefixes")
    sub.add_parser("pot", help="write jobfuerzwei/locale/messages.pot (for translation tools)")
    args = parser.parse_args(argv)
    source = extract()
    if args.command == "add":
        _say(f"{add_missing(args.language, args.area, source, args.only)} messages added")
        return 0
    if args.command == "pot":
        catalog = Catalog(project="jobfuerzwei", fuzzy=False)
        for mid, where in source.messages.items():
            catalog.add(mid, locations=_locations(where))
        _write(LOCALE_DIR / "messages.pot", catalog)
        _say(f"{len(source.messages)} messages")
        return 0
    failed = False
    full = source
    source = only(source, args.only)
    for language in LANGUAGES:
        if language == DEFAULT:
            continue
        report = check(language, full)
        if args.only:  # a part of the source: what it uses, nothing about the rest
            report = Report(
                missing={k: v for k, v in report.missing.items() if k in source.messages},
                untranslated={k: v for k, v in report.untranslated.items() if k in source.messages},
                stale={},
                bad_placeholders={k: v for k, v in report.bad_placeholders.items() if k in source.messages},
            )
        for title, items in (
            ("missing", {k: ", ".join(v[:2]) for k, v in report.missing.items()}),
            ("untranslated or fuzzy", report.untranslated),
            ("stale (no longer in the source)", report.stale),
            ("placeholders differ", report.bad_placeholders),
        ):
            for mid, detail in items.items():
                failed = True
                _say(f"{language}: {title}: {mid!r} ({detail})")
        _say(f"{language}: {len(source.messages)} messages, {'complete' if report.ok else 'NOT complete'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

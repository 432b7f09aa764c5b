"""Languages: German (the source text and the default) and English, from Babel message catalogues.

The German text in the code and the templates is the message id; ``jobfuerzwei/locale/<lang>/LC_MESSAGES/*.po``
hold the translations (several files per language, one per area, merged on load; ``scripts/i18n`` extracts the
messages and lists what lacks a translation, and ``tests/test_i18n.py`` fails on any). The language of a request
comes from the ``jfz_lang`` cookie that the switch at the foot of every page sets (``web.language``); a mail is
rendered in its recipient's stored language (``use_language``). Text is translated when it is used, never when a
module is imported: module-level tables mark their text with ``N_`` and translate it at lookup.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext as _gettext
import io
from collections.abc import Iterator
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel import dates as babel_dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy
from jinja2 import Environment

LANGUAGES: dict[str, str] = {"de": "Deutsch", "en": "English"}
"""Codes and their names in their own language (the switch shows these)."""
DEFAULT = "de"
COOKIE = "jfz_lang"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_current: ContextVar[str] = ContextVar("jfz_language", default=DEFAULT)


def normalise(code: str | None) -> str:
    """A supported language code for ``code`` (``en-GB`` → ``en``); the default for anything else."""
    if not code:
        return DEFAULT
    base = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LANGUAGES else DEFAULT


def current_language() -> str:
    """The language of what is being rendered now."""
    return _current.get()


@contextlib.contextmanager
def use_language(code: str | None) -> Iterator[str]:
    """Render in ``code`` inside the block (a mail in its recipient's language, a request in the user's)."""
    language = normalise(code)
    token = _current.set(language)
    try:
        yield language
    finally:
        _current.reset(token)


def set_language(code: str | None) -> None:
    """Set the language for the rest of the current context (a request; see ``web.language``)."""
    _current.set(normalise(code))


@lru_cache(maxsize=len(LANGUAGES))
def translations(code: str) -> _gettext.NullTranslations:
    """The catalogues of one language, each file a fallback of the one before (German: the source text itself).

    Not merged into one Babel catalogue: that keys a plural entry by its singular, so a plain "Tage" in one file and
    the plural "Tage" of another would replace each other.
    """
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    files = sorted(folder.glob("*.po")) if code != DEFAULT else []
    chain: _gettext.NullTranslations = _gettext.NullTranslations()
    for path in reversed(files):
        with path.open("rb") as f:
            catalog = read_po(f, locale=code)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)  # fuzzy entries are left out, as gettext would
        buffer.seek(0)
        translated = _gettext.GNUTranslations(buffer)
        translated.add_fallback(chain)
        chain = translated
    return chain


def gettext(message: str) -> str:
    """``message`` in the current language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Singular or plural of a message in the current language."""
    return translations(_current.get()).ngettext(singular, plural, n)


def lazy_gettext(message: str) -> LazyProxy:
    """A message translated each time it is turned into text (for values made before the language is known)."""
    return LazyProxy(gettext, message, enable_cache=False)


def N_(message: str) -> str:  # noqa: N802  # the gettext convention, so the extractor finds it
    """Mark ``message`` for translation without translating it now (module-level tables)."""
    return message


def install(env: Environment) -> None:
    """Gettext in templates (``{% trans %}`` and ``_()``, whitespace trimmed), dates and the language switch's data.

    Shared by the page and the mail environments: both render in ``current_language()``.
    """
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.policies["ext.i18n.trimmed"] = True
    env.filters["date_de"] = format_date  # the name predates English; it follows the current language
    env.globals["current_language"] = current_language
    env.globals["languages"] = LANGUAGES


def format_date(value: dt.date | dt.datetime | None) -> str:
    """A date, or a datetime with its time in Germany, as people write it in the current language."""
    if value is None:
        return ""
    english = _current.get() == "en"
    if isinstance(value, dt.datetime):
        local = value.astimezone(BERLIN) if value.tzinfo else value
        if english:
            return babel_dates.format_datetime(local, "d MMM yyyy, HH:mm", locale="en")
        return local.strftime("%d.%m.%Y, %H:%M")
    return babel_dates.format_date(value, "d MMM yyyy", locale="en") if english else value.strftime("%d.%m.%Y")


def format_day(value: dt.date | dt.datetime | None) -> str:
    """Only the day (of a datetime: the day in Germany), as people write it in the current language."""
    if isinstance(value, dt.datetime):
        value = (value.astimezone(BERLIN) if value.tzinfo else value).date()
    return format_date(value)


try:
    from zoneinfo import ZoneInfo

    BERLIN: dt.tzinfo = ZoneInfo("Europe/Berlin")
except Exception:  # pragma: no cover - tzdata missing
    BERLIN = dt.UTC

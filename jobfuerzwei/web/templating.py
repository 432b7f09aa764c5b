"""Jinja environment for pages: autoescape, StrictUndefined, German date filters and label lookups."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar.plugins.jinja import JinjaTemplateEngine

from jobfuerzwei.matching.catalogue import load_catalogue
from jobfuerzwei.web import labels

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _date_de(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        local = value.astimezone(_BERLIN) if value.tzinfo else value
        return local.strftime("%d.%m.%Y, %H:%M")
    return value.strftime("%d.%m.%Y")


def _label(value: Any, group: str) -> str:
    return labels.label(group, value)


def occupation_label(esco_uri: str | None) -> str:
    """The German preferred label of an ESCO occupation ("" when unknown or not classified)."""
    occupation = load_catalogue().get(esco_uri)
    return occupation.label if occupation else ""


try:
    from zoneinfo import ZoneInfo

    _BERLIN: dt.tzinfo = ZoneInfo("Europe/Berlin")
except Exception:  # pragma: no cover - tzdata missing
    _BERLIN = dt.UTC


def build_environment() -> Environment:
    """The page environment (mails have their own, see ``jobfuerzwei.mail.messages``)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["date_de"] = _date_de
    env.filters["label"] = _label
    env.globals["labels"] = labels
    env.globals["occupation_label"] = occupation_label
    return env


def template_engine() -> JinjaTemplateEngine:
    """Litestar engine over ``build_environment``."""
    return JinjaTemplateEngine.from_environment(build_environment())

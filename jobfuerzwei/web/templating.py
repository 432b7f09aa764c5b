"""Jinja environment for pages: autoescape, StrictUndefined, gettext (``jobfuerzwei.i18n``), dates, labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from litestar.plugins.jinja import JinjaTemplateEngine

from jobfuerzwei import i18n
from jobfuerzwei.matching.catalogue import load_catalogue
from jobfuerzwei.web import labels

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _label(value: Any, group: str) -> str:
    return labels.label(group, value)


def occupation_label(esco_uri: str | None) -> str:
    """The German preferred label of an ESCO occupation ("" when unknown or not classified)."""
    occupation = load_catalogue().get(esco_uri)
    return occupation.label if occupation else ""


def build_environment(*, auto_reload: bool = False) -> Environment:
    """The page environment (mails have their own, see ``jobfuerzwei.mail.messages``).

    ``auto_reload`` (dev mode) checks each template file for changes on every use: a ``stat`` per template and page.
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        auto_reload=auto_reload,
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(env)
    env.filters["label"] = _label
    env.globals["labels"] = labels
    env.globals["occupation_label"] = occupation_label
    return env


def template_engine(*, auto_reload: bool = False) -> JinjaTemplateEngine:
    """Litestar engine over ``build_environment``."""
    return JinjaTemplateEngine.from_environment(build_environment(auto_reload=auto_reload))

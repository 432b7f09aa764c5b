"""Every template parses in the environment that renders it (as WH tests/functional/test_templates.py does),
references only templates that exist, and keeps to the page rules: CSRF token in every POST form, nothing
inline that the CSP (script-src 'self', style-src 'self') would block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import meta

from jobfuerzwei.mail.messages import EMAIL_TEMPLATES, mail_environment
from jobfuerzwei.web.templating import TEMPLATES_DIR, build_environment

EMAIL_PARTS = ("subject.txt", "body.txt", "body.html")


def _page_templates() -> list[str]:
    return sorted(
        p.relative_to(TEMPLATES_DIR).as_posix()
        for p in TEMPLATES_DIR.rglob("*")
        if p.is_file() and EMAIL_TEMPLATES not in p.parents
    )


def _email_folders() -> list[str]:
    return sorted(p.name for p in EMAIL_TEMPLATES.iterdir() if p.is_dir())


def _email_templates() -> list[str]:
    return sorted(p.relative_to(EMAIL_TEMPLATES).as_posix() for p in EMAIL_TEMPLATES.rglob("*") if p.is_file())


PAGES = _page_templates()
EMAILS = _email_templates()


def _source(name: str, root: Path = TEMPLATES_DIR) -> str:
    return (root / name).read_text(encoding="utf-8")


def test_there_are_page_and_email_templates() -> None:
    assert "base.html" in PAGES
    assert _email_folders()


@pytest.mark.parametrize("name", PAGES)
def test_page_template_parses(name: str) -> None:
    env = build_environment()
    env.get_template(name)
    for ref in meta.find_referenced_templates(env.parse(_source(name))):
        if ref is not None:
            assert (TEMPLATES_DIR / ref).is_file(), f"{name} references missing template {ref}"


@pytest.mark.parametrize("name", EMAILS)
def test_email_template_parses(name: str) -> None:
    env = mail_environment()
    env.get_template(name)
    for ref in meta.find_referenced_templates(env.parse(_source(name, EMAIL_TEMPLATES))):
        if ref is not None:
            assert (EMAIL_TEMPLATES / ref).is_file(), f"{name} references missing template {ref}"


@pytest.mark.parametrize("folder", _email_folders())
def test_email_folder_has_subject_text_and_html(folder: str) -> None:
    present = {p.name for p in (EMAIL_TEMPLATES / folder).iterdir()}
    assert set(EMAIL_PARTS) <= present, f"email/{folder} lacks {sorted(set(EMAIL_PARTS) - present)}"


_POST_FORM = re.compile(r"<form\b[^>]*\bmethod\s*=\s*[\"']?post\b[^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
_INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("name", PAGES)
def test_every_post_form_carries_the_csrf_token(name: str) -> None:
    for body in _POST_FORM.findall(_source(name)):
        assert "csrf_input" in body, f"a POST form in {name} lacks {{{{ csrf_input | safe }}}}"


@pytest.mark.parametrize("name", PAGES)
def test_pages_have_nothing_inline_that_the_csp_blocks(name: str) -> None:
    source = _source(name)
    assert not _INLINE_SCRIPT.search(source), f"inline <script> in {name}: move it to web/static/*.js"
    assert not _INLINE_STYLE.search(source), f"inline style in {name}: use a class in site.css"
    assert not _EVENT_HANDLER.search(source), f"inline event handler (on...=) in {name}"

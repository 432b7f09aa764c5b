"""The baseline of the load benchmark: a bare Litestar app that renders a Jinja page without a database.

Same template engine, same base layout (``templates/base.html``), same CSRF middleware and security headers as
the app; the page is a table of 25 rows like the app's list pages. Started by ``benchmarks.scale`` with uvicorn.
"""

from __future__ import annotations

from jinja2 import ChoiceLoader, DictLoader, FileSystemLoader
from litestar import Litestar, get
from litestar.config.csrf import CSRFConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from jobfuerzwei.web.security import security_headers
from jobfuerzwei.web.templating import TEMPLATES_DIR, build_environment

PAGE = """{% extends "base.html" %}
{% block title %}Liste{% endblock %}
{% block content %}
<h1>Liste</h1>
<table><thead><tr><th scope="col">Nr.</th><th scope="col">Beruf</th><th scope="col">Ort</th><th scope="col">Stand</th></tr></thead>
<tbody>{% for row in rows %}<tr><td>JFZ-{{ "%04d" | format(row.number) }}</td><td>{{ row.occupation }}</td>
<td>{{ row.place }}</td><td>{{ row.state }}</td></tr>{% endfor %}</tbody></table>
{% endblock %}"""

ROWS = [
    {"number": i, "occupation": "Industriemechaniker/in", "place": "Aalen", "state": "Freigegeben"} for i in range(25)
]


@get("/", sync_to_thread=False)
def raw_page() -> Template:
    """The page, rendered from the same layout as every app page."""
    return Template(
        template_name="raw.html", context={"rows": ROWS, "staff": None, "contact": None, "flash_message": None}
    )


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    """Ready."""
    return {"status": "ok"}


def create_raw_app() -> Litestar:
    """The baseline app (uvicorn ``--factory``); the page is compiled once and cached like the app's templates."""
    environment = build_environment()
    environment.loader = ChoiceLoader([DictLoader({"raw.html": PAGE}), FileSystemLoader(TEMPLATES_DIR)])
    return Litestar(
        route_handlers=[raw_page, healthz],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment)),
        csrf_config=CSRFConfig(secret="b" * 48, cookie_secure=False),
        response_headers=security_headers(),
        debug=False,
    )

"""Server-side SVG charts of the results: no script, ``role="img"`` with a title and a description naming every number.

The pages show each chart next to a table of the same numbers. Every text is escaped (member names may hold ``<`` or
``&``), so the SVG is well-formed XML that can also be downloaded on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from jobfuerzwei.i18n import current_language
from jobfuerzwei.i18n import gettext as _
from jobfuerzwei.results.services import FunnelStep, MemberAnswers, MonthCount
from jobfuerzwei.web.labels import label

BAR = "#1d4e89"
TRACK = "#e4eaf2"
TEXT = "#1b1b1b"
FONT = 'font-family="system-ui, sans-serif" font-size="13"'


def de_number(value: float | None, digits: int = 1) -> str:
    """German decimal comma (``2,5``); an en dash when there is no value. The exports use it in every language."""
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


def de_percent(share: float | None) -> str:
    """A share 0-1 as ``66,7 %``; an en dash when there is no value."""
    return "–" if share is None else f"{de_number(share * 100)}\u00a0%"  # no-break space: "70,0 %" stays together


def number(value: float | None, digits: int = 1) -> str:
    """A decimal as the current language writes it: ``2,5`` in German, ``2.5`` in English (pages and charts)."""
    if value is None or current_language() != "en":
        return de_number(value, digits)
    return f"{value:.{digits}f}"


def percent(share: float | None) -> str:
    """A share 0-1 as the current language writes it: ``66,7 %`` in German, ``66.7%`` in English."""
    if share is None or current_language() != "en":
        return de_percent(share)
    return f"{number(share * 100)}%"


def _whole_percent(n: int) -> str:
    """An axis label: ``100 %`` in German (no-break space), ``100%`` in English."""
    return f"{n}%" if current_language() == "en" else f"{n}\u00a0%"


def _svg(key: str, title: str, desc: str, *, width: int, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{key}-title {key}-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" class="chart" {FONT}>'
        f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704  # every text is escaped above and by the callers


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def placements_chart(months: Sequence[MonthCount], scope: str, key: str = "placements") -> Markup:
    """Vertical bars: placements per month, each bar with its number above it."""
    total = sum(m.count for m in months)
    title = _("Vermittlungen pro Monat (%(scope)s): %(total)s insgesamt") % {"scope": scope, "total": total}
    desc = "; ".join(f"{m.label}: {m.count}" for m in months) or _("Keine Vermittlungen im gewählten Zeitraum.")
    step = 40 if len(months) <= 24 else 16
    left, top, plot = 36, 24, 160
    width = max(320, left + step * len(months) + 16)
    height = top + plot + 64
    most = max((m.count for m in months), default=0) or 1
    body = [
        f'<line x1="{left}" y1="{top + plot}" x2="{width - 8}" y2="{top + plot}" stroke="{TEXT}"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" fill="{TEXT}">{most}</text>',
        f'<text x="{left - 6}" y="{top + plot}" text-anchor="end" fill="{TEXT}">0</text>',
    ]
    every = 1 if len(months) <= 24 else 3
    for i, m in enumerate(months):
        x = left + i * step + 4
        h = plot * m.count / most
        y = top + plot - h
        body.append(f'<rect x="{x}" y="{y:.1f}" width="{step - 8}" height="{h:.1f}" fill="{BAR}"/>')
        if m.count or len(months) <= 24:
            cx = x + (step - 8) / 2
            body.append(f'<text x="{cx:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="{TEXT}">{m.count}</text>')
        if i % every == 0:
            lx = x + (step - 8) / 2
            body.append(
                f'<text x="{lx:.1f}" y="{top + plot + 16}" text-anchor="end" font-size="11" fill="{TEXT}" '
                f'transform="rotate(-45 {lx:.1f} {top + plot + 16})">{escape(m.label)}</text>'
            )
    return _svg(key, title, desc, width=width, height=height, body=body)


def funnel_chart(steps: Sequence[FunnelStep], scope: str, key: str = "funnel") -> Markup:
    """Centred bars narrowing from "Interesse bekundet" to "Eingestellt", each with its number and share."""
    title = _("Vermittlungen: wie viele welche Stufe erreicht haben (%(scope)s)") % {"scope": scope}
    desc = "; ".join(
        f"{label('referral_state', s.state)}: {s.reached}" + (f" ({percent(s.share)})" if s.share is not None else "")
        for s in steps
    )
    label_w, bar_w, row = 160, 240, 30
    width = label_w + bar_w + 110
    height = 12 + row * len(steps)
    first = steps[0].reached if steps else 0
    body = []
    for i, s in enumerate(steps):
        y = 8 + i * row
        w = bar_w * s.reached / first if first else 0
        x = label_w + (bar_w - w) / 2
        text = f"{s.reached}" + (f" ({percent(s.share)})" if s.share is not None else "")
        body += [
            f'<text x="{label_w - 8}" y="{y + 20}" text-anchor="end" fill="{TEXT}">'
            f"{escape(label('referral_state', s.state))}</text>",
            f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="{row - 8}" fill="{TRACK}"/>',
            f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{BAR}"/>',
            f'<text x="{label_w + bar_w + 8}" y="{y + 20}" fill="{TEXT}">{escape(text)}</text>',
        ]
    return _svg(key, title, desc, width=width, height=height, body=body)


def answer_rates_chart(
    members: Sequence[MemberAnswers], scope: str, key: str = "answers", max_rows: int = 30
) -> Markup:
    """Horizontal bars 0-100 %: the share of received profiles each member answered (highest first)."""
    ranked = sorted(members, key=lambda m: (-(m.rate or 0.0), -m.received, m.name))
    shown = ranked[:max_rows]
    if len(ranked) > len(shown):
        title = _("Antwortquote nach Mitglied (%(scope)s), die %(n)s mit der höchsten Quote") % {
            "scope": scope,
            "n": len(shown),
        }
    else:
        title = _("Antwortquote nach Mitglied (%(scope)s)") % {"scope": scope}
    desc = "; ".join(
        _("%(name)s: %(rate)s (%(answered)s von %(received)s beantwortet)")
        % {"name": m.name, "rate": percent(m.rate), "answered": m.answered, "received": m.received}
        for m in shown
    )
    label_w, bar_w, row = 260, 300, 24
    width = label_w + bar_w + 170
    height = 30 + row * len(shown)
    body = [
        f'<text x="{label_w}" y="16" fill="{TEXT}">{_whole_percent(0)}</text>',
        f'<text x="{label_w + bar_w}" y="16" text-anchor="end" fill="{TEXT}">{_whole_percent(100)}</text>',
    ]
    for i, m in enumerate(shown):
        y = 24 + i * row
        w = bar_w * (m.rate or 0.0)
        body += [
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" fill="{TEXT}">{escape(_clip(m.name, 36))}</text>',
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row - 6}" fill="{TRACK}"/>',
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{BAR}"/>',
            f'<text x="{label_w + bar_w + 8}" y="{y + 15}" fill="{TEXT}">'
            f"{escape(f'{percent(m.rate)} ({m.answered}/{m.received})')}</text>",
        ]
    desc = desc or _("Im gewählten Zeitraum wurden keine Profile versandt.")
    return _svg(key, title, desc, width=width, height=height, body=body)

"""Server-side SVG charts: accessible (title, description), no script, and the numbers also given as a table."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from jobfuerzwei.i18n import gettext as _

BAR_HEIGHT = 22
LABEL_WIDTH = 260
BAR_WIDTH = 360


def coverage_chart(rows: list[tuple[str, int, int]], share: float, *, max_rows: int = 25) -> Markup:
    """Horizontal bars per member: open positions (outline) and how many the pool can fill (filled part)."""
    shown = rows[:max_rows]
    most = max((n for _, n, _ in shown), default=1) or 1
    height = 40 + BAR_HEIGHT * len(shown)
    width = LABEL_WIDTH + BAR_WIDTH + 80
    title = _("Modellrechnung: %(share)s %% der offenen Stellen besetzbar") % {"share": f"{share * 100:.0f}"}
    each = _("%(member)s: %(filled)s von %(needs)s Stellen besetzbar")
    desc = "; ".join(each % {"member": name, "filled": filled, "needs": needs} for name, needs, filled in shown)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="cov-title cov-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" class="chart">',
        f'<title id="cov-title">{escape(title)}</title>',
        f'<desc id="cov-desc">{escape(desc)}</desc>',
    ]
    for i, (name, needs, filled) in enumerate(shown):
        y = 30 + i * BAR_HEIGHT
        full = BAR_WIDTH * needs / most
        part = BAR_WIDTH * filled / most
        label = name if len(name) <= 38 else name[:37] + "…"
        parts += [
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" font-size="13">{escape(label)}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{full:.1f}" height="{BAR_HEIGHT - 6}" '
            'fill="#fff" stroke="#1d4e89"/>',
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{part:.1f}" height="{BAR_HEIGHT - 6}" fill="#1d4e89"/>',
            f'<text x="{LABEL_WIDTH + full + 6:.1f}" y="{y + 15}" font-size="13">{filled}/{needs}</text>',
        ]
    legend = escape(_("gefüllt: besetzbar · Rahmen: offene Stellen"))
    parts.append(f'<text x="{LABEL_WIDTH}" y="18" font-size="13">{legend}</text></svg>')
    return Markup("".join(parts))  # noqa: S704  # every text above is escaped

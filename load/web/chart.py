"""Charts drawn on the server as inline SVG: nothing to fetch, so the page works offline.

The page must work with no network (and Datasette ships no charting library), so the charts are
plain SVG elements written here, with every text escaped.  Colour is never the only carrier of
meaning: status bars have a text count beside them and a declared priority is also marked ★.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from markupsafe import Markup

STATUS_COLOURS = {"completed": "#2e7d32", "in_progress": "#1565c0", "not_started": "#9e9e9e",
                  "delayed": "#e65100", "unknown": "#cfd8dc"}
DECLARED = "#00695c"
NOT_DECLARED = "#90a4ae"
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif"


def status_bar(counts: dict[str, int], width: int = 200, height: int = 12) -> Markup:
    """A bar split by status (completed, in progress, …), each part as wide as its share of the actions."""
    total = sum(counts.values())
    if not total:
        return Markup("")
    parts, x = [], 0.0
    for status, n in counts.items():
        if not n:
            continue
        w = width * n / total
        label = f"{n} {status.replace('_', ' ')}"
        parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" '
                     f'fill="{STATUS_COLOURS.get(status, "#999")}"><title>{escape(label)}</title></rect>')
        x += w
    summary = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in counts.items() if n)
    return Markup(f'<svg class="status-bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
                  f'role="img" aria-label="{escape(summary)}">{"".join(parts)}</svg>')


def priorities_chart(boards: Sequence[str], rows: Sequence[dict[str, Any]],
                     link: Callable[[str], str] | None = None) -> Markup:
    """Themes (rows) × boards (columns): a dot per board and theme, its area the number of actions.

    A dark green dot and ★ mark a theme the board declares a priority, a grey dot a theme it acts
    on without declaring it; a ring is a declared priority with no action.  The count is printed
    beside each dot, and each theme's label links to its compare view.
    """
    label_w, col_w, row_h, top = 190, 120, 26, 58
    width = max(label_w + col_w * max(len(boards), 1) + 10, 600)  # at least the legend's width
    height = top + row_h * len(rows) + 10
    biggest = max((c["actions"] for r in rows for c in r["cells"].values()), default=0) or 1
    r_max = row_h / 2 - 2
    out = [f'<svg class="priorities-chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc" style="{FONT}">',
           '<title id="chart-title">Declared priorities and actions per theme and board</title>',
           '<desc id="chart-desc">One row per theme, one column per board. A dot\'s area is the number of '
           'actions on the theme in the board\'s current plan; green with a star = declared a priority, '
           'grey = not declared; a ring = declared with no action.</desc>']
    # legend
    out.append(f'<g font-size="12" fill="#333" transform="translate({label_w - 180},4)">'
               f'<circle cx="6" cy="8" r="6" fill="{DECLARED}"/><text x="16" y="12">★ declared a priority</text>'
               f'<circle cx="176" cy="8" r="6" fill="{NOT_DECLARED}"/><text x="186" y="12">not declared</text>'
               f'<circle cx="286" cy="8" r="5" fill="none" stroke="{DECLARED}" stroke-width="2"/>'
               f'<text x="296" y="12">declared, no action</text>'
               f'<text x="436" y="12">dot area = number of actions</text></g>')
    for j, board in enumerate(boards):
        x = label_w + col_w * j + col_w / 2
        out.append(f'<text x="{x:.0f}" y="{top - 10}" text-anchor="middle" font-size="13" font-weight="600" '
                   f'fill="#222">{escape(board)}</text>')
    out.append(f'<line x1="{label_w - 180}" x2="{width - 10}" y1="{top - 4}" y2="{top - 4}" stroke="#999"/>')
    for i, row in enumerate(rows):
        y = top + row_h * i
        cy = y + row_h / 2
        if i % 2 == 0:
            out.append(f'<rect x="{label_w - 180}" y="{y}" width="{width - label_w + 170}" height="{row_h}" '
                       f'fill="#f3f6f8"/>')
        theme = escape(row["theme"])
        text = (f'<text x="{label_w - 10}" y="{cy + 4:.0f}" text-anchor="end" font-size="13" fill="#0b5394">'
                f'{theme}<title>{escape(row.get("what") or row["theme"])}</title></text>')
        out.append(f'<a href="{escape(link(row["theme"]))}">{text}</a>' if link else text)
        for j, board in enumerate(boards):
            cell = row["cells"][board]
            n, declared = cell["actions"], cell["declared"]
            cx = label_w + col_w * j + col_w / 2 - 12
            tip = f'{board}, {row["theme"]}: {n} action{"s" if n != 1 else ""}'
            if declared:
                tip += " (declared: " + "; ".join(cell["priorities"]) + ")"
            if n:
                r = max(3.0, r_max * math.sqrt(n / biggest))
                out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}" '
                           f'fill="{DECLARED if declared else NOT_DECLARED}"><title>{escape(tip)}</title></circle>')
            elif declared:
                out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="none" stroke="{DECLARED}" '
                           f'stroke-width="2"><title>{escape(tip)}</title></circle>')
            if n or declared:
                mark = ("★ " if declared else "") + str(n)
                style = f'fill="{DECLARED}" font-weight="600"' if declared else 'fill="#555"'
                out.append(f'<text x="{cx + r_max + 4:.1f}" y="{cy + 4:.1f}" font-size="12" {style}>{mark}</text>')
    out.append("</svg>")
    return Markup("".join(out))

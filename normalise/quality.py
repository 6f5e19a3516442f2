"""Quality checks: a plan read wrong says so.

An analyst importing a hundred and fifty boards' plans cannot read each one
again.  So every table and every document is checked for the signs of a
wrong reading, and each sign becomes one human-readable warning in the
document's ``warnings`` (the JSON, the database, ``extract``'s stderr):

- a document with tables and no actions;
- a table whose actions mostly have no action text;
- a long-text column mapped to nothing (its text only in ``extra``);
- a table whose actions mostly have neither lead nor timescale;
- a table read as ``other`` that holds many rows of long text;
- a column whose cells contradict its header ('Lead' over dates).

The thresholds are set so that no fixture plan raises any of them; each is
tested on a made-up table that should.
"""

from __future__ import annotations

import statistics

from models.records import Action
from normalise.layout import Layout, row_texts
from normalise.stitch import StitchedTable
from normalise.text import one_line

#: a column of text this long (median characters) holds content, not labels
LONG_TEXT = 60
#: at least this many body rows before a share of them means anything
MIN_ROWS = 3


def where(index: int, st: StitchedTable, paged: bool = True) -> str:
    """'table 3 (page 5)': the table's number in the document and its first page, when it has pages."""
    page = st.table.page if paged else None
    return f"table {index}" + (f" (page {page})" if page is not None else "")


def table_checks(index: int, st: StitchedTable, layout: Layout, actions: list[Action],
                 paged: bool = True) -> list[str]:
    """Warnings for one analysed table and the actions read from it (``paged``: the document has
    pages; a rendering's table parts are numbered, not paged)."""
    at = where(index, st, paged)
    out: list[str] = []
    if layout.kind == "other":
        return _other_checks(at, st)
    if layout.kind != "actions":
        return out
    n = len(actions)
    if n >= 2:
        blank = sum(1 for a in actions if not (a.action or "").strip())
        if blank * 2 > n:
            out.append(f"{at}: {blank} of {n} actions have no action text")
    if n >= MIN_ROWS:
        lost = sum(1 for a in actions if not a.lead and not a.timescale)
        if lost * 3 > 2 * n:
            out.append(f"{at}: {lost} of {n} actions have neither lead nor timescale")
    for cm in layout.columns:
        if cm.evidence is not None and cm.evidence.questioned:
            out.append(f"{at}: column '{cm.header}': {cm.evidence.questioned}; read as {cm.field or 'extra'}")
    out.extend(_unmapped_text(at, st, layout))
    return out


def _unmapped_text(at: str, st: StitchedTable, layout: Layout) -> list[str]:
    """Columns of long text that no field took while the text reads like an action, a progress
    report or a measure: a field's text going to extra."""
    grid = st.table.grid()
    out = []
    for c, cm in enumerate(layout.columns):
        if cm.field is not None or cm.how.startswith(("user mapping", "sub-column")) or cm.evidence is None:
            continue
        best = max(((s, f) for f, (s, _) in cm.evidence.content.items()), default=(0.0, None))
        if best[1] not in ("action", "progress", "outcome") or best[0] < 0.4:
            continue  # names, dates or labels kept aside ('Links to other Plans'), not a field's text
        vals = [one_line(row_texts(grid, r)[c]) for r in range(layout.body_start, st.table.n_rows)]
        vals = [v for v in dict.fromkeys(vals) if v]
        if len(vals) >= MIN_ROWS and statistics.median(len(v) for v in vals) >= LONG_TEXT:
            name = f"'{cm.header}'" if cm.header else f"{c + 1}"
            out.append(f"{at}: column {name} holds long text ({len(vals)} cells) but maps to no field")
    return out


def _other_checks(at: str, st: StitchedTable) -> list[str]:
    """A table read as 'other' whose rows are long text: perhaps actions under a header not understood."""
    grid = st.table.grid()
    rows = [row_texts(grid, r) for r in range(st.table.n_rows)]
    long_rows = sum(1 for row in rows if any(len(one_line(t)) >= 80 for t in row))
    if long_rows >= 5 and long_rows * 2 >= len(rows):
        return [f"{at}: read as 'other' but {long_rows} of {len(rows)} rows hold long text"]
    return []


def document_checks(n_tables: int, n_actions: int) -> list[str]:
    """Warnings for the whole document."""
    if n_tables and not n_actions:
        return [f"{n_tables} table{'s' if n_tables != 1 else ''} but no actions read"]
    return []

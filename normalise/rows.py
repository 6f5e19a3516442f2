"""Turning an analysed table's body rows into action records.

Rules (GOLD_RULES.md), each in one place:
- a row the page break split (first row of a continuation fragment whose key
  cells are empty, or whose action text carries on a sentence) joins the
  action above, field by field;
- a row whose action cell is merged with the row above adds its activity,
  progress and timescale to that action, joined with ``; ``;
- a row with its own action text under vertically merged priority/aim cells
  is its own action, the merged values filled down (the grid gives them);
- a divider row (one short text across the table) is no action: it sets
  ``extra.category`` for the rows below;
- a matrix (groups x priority areas) gives one action per non-empty cell.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from models.document import Cell
from models.records import Action
from normalise.layout import Layout, own
from normalise.roles import is_neutral
from normalise.stitch import StitchedTable
from normalise.text import clean, is_ref, join_continuation, one_line, split_ref

TEXT_FIELDS = ("section", "priority", "objective", "ref", "action", "lead", "progress", "outcome")
SUB_ROW_FIELDS = ("progress", "timescale", "outcome", "status")


@dataclass
class RowValues:
    """One body row read through the column map."""

    values: dict[str, str] = field(default_factory=dict)      # field -> text (own or filled down)
    owned: dict[str, bool] = field(default_factory=dict)      # field -> text is the row's own
    extra: dict[str, str] = field(default_factory=dict)
    page: int | None = None


def _timescale(layout: Layout, grid, r: int, cols: list[int]) -> tuple[str, bool]:
    parts, owned = [], False
    for c in cols:
        cell = grid[r][c]
        if cell is None or cell.col != c:
            continue
        text = one_line(cell.text)
        if not text:
            continue
        owned = owned or cell.row == r
        header = layout.headers[c]
        sub = header.split(":", 1)[1].strip() if ":" in header else ""
        sub = "" if is_neutral(sub) else sub  # 'Column 6' says nothing of start or end
        spans_all = cell.colspan >= len(cols)  # one text across Start and End: as written
        parts.append(f"{sub}: {text}" if sub and len(cols) > 1 and not spans_all else text)
    return "; ".join(parts), owned


def read_row(layout: Layout, grid, r: int, page: int | None) -> RowValues:
    rv = RowValues(page=page)
    fields = layout.fields()
    for name, cols in fields.items():
        if name == "timescale":
            text, owned = _timescale(layout, grid, r, cols)
        else:
            texts, owned = [], False
            for c in cols:
                cell = grid[r][c]
                if cell is None or cell.col != c:
                    continue
                t = clean(cell.text)
                if t:
                    texts.append(t)
                    owned = owned or cell.row == r
            text = "\n".join(texts)
        if text:
            rv.values[name] = text
            rv.owned[name] = owned
    for c, cm in enumerate(layout.columns):
        if cm.field is None:
            cell = grid[r][c]
            if cell is not None and cell.col == c and clean(cell.text):
                key = layout.headers[c] or f"column {c + 1}"
                rv.extra[key] = clean(cell.text)
    return rv


def _divider(layout: Layout, grid, r: int, n_cols: int) -> str | None:
    """The label of a divider row ('Business Fundamentals', '2.4 Change Priorities'), else None."""
    cells = [own(grid, r, c) for c in range(n_cols)]
    texted = [c for c in cells if c is not None and c.text.strip()]
    if not texted:
        return None
    ref_cols = set(layout.fields().get("ref", []))
    body = [c for c in texted if c.col not in ref_cols or not is_ref(one_line(c.text))]
    if len(body) != 1:
        return None
    cell = body[0]
    if cell.colspan < max(2, (n_cols + 1) // 2):
        return None
    text = one_line(cell.text)
    return text if len(text) <= 80 and "\n" not in clean(cell.text) else ""


def _is_split_tail(rv: RowValues, prev: Action, layout: Layout) -> bool:
    """A continuation fragment's first row that carries on the row above."""
    fields = layout.fields()
    action = rv.values.get("action", "") if rv.owned.get("action") else ""
    if "ref" in fields and not rv.owned.get("ref"):
        return True
    if not action:
        return True
    if action[:1].islower() or action.startswith(("and ", "or ", "(")):
        return True
    if "timescale" in fields and prev.timescale and not rv.owned.get("timescale"):
        return True  # dates are short and never split: a row without its own is a tail
    keys = [f for f in ("timescale", "lead") if f in fields]
    return bool(keys) and not any(rv.owned.get(f) for f in keys) and any(
        getattr(prev, f) for f in keys)


def _own_row(rv: RowValues, prev: Action) -> bool:
    """A row with its own new reference and other texts of its own is an action even when its action
    cell is empty (the text was lost, or carries on after a page break): not a sub-row of the one above."""
    ref = rv.values.get("ref", "") if rv.owned.get("ref") else ""
    return bool(ref) and is_ref(ref) and ref.rstrip(")") != (prev.ref or "") and any(
        rv.owned.get(f) for f in ("lead", "timescale", "outcome"))


def _merge_split(prev: Action, rv: RowValues) -> None:
    for name, text in rv.values.items():
        if not rv.owned.get(name):
            continue
        if name == "timescale":   # 'July 12 –' + 'June 13' is one range the break cut
            sep = " " if prev.timescale and prev.timescale.rstrip()[-1:] in "-\u2013\u2014" else "; "
            prev.timescale = f"{prev.timescale}{sep}{text}" if prev.timescale else text
        elif name in TEXT_FIELDS:
            setattr(prev, name, join_continuation(getattr(prev, name), text))
    for k, v in rv.extra.items():
        prev.extra[k] = join_continuation(prev.extra.get(k), v)


def _merge_sub_row(prev: Action, rv: RowValues) -> None:
    for name in SUB_ROW_FIELDS:
        text = rv.values.get(name)
        if not text or not rv.owned.get(name) or name == "status":
            continue
        current = getattr(prev, name)
        setattr(prev, name, f"{current}; {text}" if current else text)
    for k, v in rv.extra.items():
        if k not in prev.extra:
            prev.extra[k] = v


MERGED_FIELDS = ("priority", "objective", "outcome", "section")


def _carry_merged_text(rv: RowValues, actions: list[Action], repairs: dict[tuple[str, str], str]) -> None:
    """Complete merged cells that a page break cut: a new row at the top of a page whose merged
    Priority/Aim/Outcome cell starts mid-sentence holds the rest of the text above."""
    prev = actions[-1]
    for name in MERGED_FIELDS:
        text = rv.values.get(name)
        old = getattr(prev, name)
        if not (rv.owned.get(name) and text and old and text[:1].islower()):
            continue
        full = join_continuation(old, text)
        for a in reversed(actions):
            if getattr(a, name) != old:
                break
            setattr(a, name, full)
        repairs[(name, text)] = full
        rv.values[name] = full


def _new_action(rv: RowValues, category: str | None) -> Action:
    a = Action(page=rv.page)
    for name, text in rv.values.items():
        if name == "status":
            a.extra["status_source"] = text
        elif hasattr(a, name):
            setattr(a, name, text)
    if a.ref is None and a.action:
        ref, rest = split_ref(a.action)
        if ref and rest:
            a.ref, a.action = ref, rest
    if a.ref:
        a.ref = a.ref.rstrip(")").strip()
    a.extra.update(rv.extra)
    if category:
        a.extra["category"] = category
    return a


def action_rows(st: StitchedTable, layout: Layout) -> list[Action]:
    """Actions of an 'actions' table."""
    table = st.table
    grid = table.grid()
    pages = table.row_pages or [table.page] * table.n_rows
    actions: list[Action] = []
    category: str | None = None
    repairs: dict[tuple[str, str], str] = {}
    for r in range(layout.body_start, table.n_rows):
        divider = _divider(layout, grid, r, table.n_cols)
        if divider is not None:
            if divider:
                category = divider
            continue
        rv = read_row(layout, grid, r, pages[r])
        for name in MERGED_FIELDS:
            if (name, rv.values.get(name, "")) in repairs:
                rv.values[name] = repairs[(name, rv.values[name])]
        if not any(rv.owned.values()) and not rv.extra:
            continue
        prev = actions[-1] if actions else None
        if prev is not None and r in st.fragment_starts:
            if _is_split_tail(rv, prev, layout):
                for name in MERGED_FIELDS:  # rows below share the merged cell's tail: give them the whole
                    if rv.owned.get(name) and rv.values.get(name) and getattr(prev, name):
                        repairs[(name, rv.values[name])] = join_continuation(getattr(prev, name),
                                                                             rv.values[name])
                _merge_split(prev, rv)
                continue
            _carry_merged_text(rv, actions, repairs)
        action_cell: Cell | None = None
        for c in layout.fields().get("action", []):
            action_cell = grid[r][c]
        if prev is not None and action_cell is not None and action_cell.row < r:
            _merge_sub_row(prev, rv)
            continue
        if not rv.values.get("action") or not rv.owned.get("action"):
            if prev is not None and not _own_row(rv, prev):
                _merge_sub_row(prev, rv)
                continue
        actions.append(_new_action(rv, category))
    return actions


def matrix_rows(st: StitchedTable, layout: Layout, is_focus) -> tuple[list[Action], dict[str, str]]:
    """Actions of a matrix (lead = row label, priority = column header) and the focus texts."""
    table = st.table
    grid = table.grid()
    pages = table.row_pages or [table.page] * table.n_rows
    actions: list[Action] = []
    focus: dict[str, str] = {}
    last_by_col: dict[int, Action] = {}
    last_label: str | None = None
    for r in range(layout.body_start, table.n_rows):
        label_cell = own(grid, r, 0)
        label = one_line(label_cell.text) if label_cell is not None else ""
        tail = r in st.fragment_starts and not label
        if label and is_focus(label):
            for c in range(1, table.n_cols):
                cell = own(grid, r, c)
                if cell is not None and clean(cell.text):
                    focus[layout.headers[c]] = clean(cell.text)
            continue
        if not label and not tail:
            label = last_label or ""
        for c in range(1, table.n_cols):
            cell = own(grid, r, c)
            text = clean(cell.text) if cell is not None else ""
            if not text:
                continue
            if tail and c in last_by_col:
                last_by_col[c].action = join_continuation(last_by_col[c].action, text)
                continue
            spans_all = cell.colspan >= table.n_cols - 1 and table.n_cols > 2
            a = Action(priority=None if spans_all else layout.headers[c] or None,
                       action=text, lead=label or None, page=pages[r])
            actions.append(a)
            last_by_col[c] = a
        if label:
            last_label = label
    return actions, focus


def canonical_categories(actions: list[Action]) -> None:
    """Divider labels a conversion garbled ('Duc Susiness Fundamentais') read as the label the same
    document spells right more often ('Business Fundamentals'): close in letters, same numbers."""
    counts = Counter(a.extra["category"] for a in actions if a.extra.get("category"))
    fixed: dict[str, str] = {}
    for label, n in counts.items():
        digits = re.findall(r"\d+", label)
        better = [(fuzz.ratio(label.lower(), other.lower()), other) for other, m in counts.items()
                  if m > n and re.findall(r"\d+", other) == digits]
        best = max(better, default=(0.0, ""))
        if best[0] >= 80:
            fixed[label] = best[1]
    for a in actions:
        if a.extra.get("category") in fixed:
            a.extra["category"] = fixed[a.extra["category"]]

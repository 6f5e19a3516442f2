"""Responsibility matrices: groups on one axis, priorities on the other, what each group will do in the cells.

Boards lay these out every way: groups down the side and priorities across
(Shropshire), or transposed; the corner cell holding 'Priority area', some
other words or nothing; priority headers numbered or not; a description row
or column ('Focus', 'Why') giving each priority's text; a cell spanning every
priority for work that serves them all.  So the table is recognised from its
structure and content, never from the corner's words:

- one axis holds short labels that read like leads (a group, panel, forum,
  agency or role per ``data/leads.toml``);
- the other holds labels that read like priorities (numbered, 'Priority 2',
  a declared priority of the plan, or a theme name per ``data/themes.toml``);
- the cells hold longer texts than the labels.

Each non-empty cell is then one action (a bulleted cell is one action), lead
= the group, priority = the priority label (:func:`transposed_rows` here,
``normalise.rows.matrix_rows`` for groups down the side).
"""

from __future__ import annotations

import re
from functools import lru_cache

from models.document import Cell
from models.records import Action
from normalise.columns import ColumnMap, is_focus_row, map_header
from normalise.leads import lead_kind
from normalise.lexicon import load
from normalise.text import clean, join_continuation, norm_key, one_line
from normalise.themes import themes_for_text

#: Fields whose header, found on the label axis, says the table is an action table, not a matrix.
_ACTION_FIELDS = {"ref", "action", "lead", "timescale", "progress", "outcome", "status"}
#: A header longer than this many words is a sentence (a priority's text), not the name of a field.
_FIELD_WORDS = 8
_NUMBERED = re.compile(r"^\(?\d{1,2}[.):]?\s+\S|^[a-h][.)]\s+\S", re.I)
PRIORITY_WORDS = re.compile(
    r"^(?:\d+[.)]\s*)?(?:(?:targeted|strategic|service|business|overarching|key|board|our|change)\s+)?"
    r"(?:priority|objective|aim|theme|outcome)\s*(?:area\s*)?\d+(?:\.\d+)*[a-z]?\b", re.I)
MAX_LABEL = 100
_PRIORITY_TITLE = re.compile(
    r"^(?:\d+[.)]\s*)?(?:(?:targeted|strategic|service|business|overarching|key|change)\s+)?"
    r"priority\s*(?:area\s*)?\d+[a-z]?\b", re.I)
_OBJECTIVE_TITLE = re.compile(r"^(?:\d+[.)]\s*)?(?:strategic\s+|key\s+)?objective\s*\d+(?:\.\d+)*[a-z]?\b", re.I)


def priority_key(text: str) -> str:
    """A priority's name as compared across its mentions: numbering and 'Priority N:' dropped, so
    '1. Neglect', 'Priority 1: Neglect' and 'Neglect' meet."""
    return norm_key(re.sub(r"^\s*\(?\d+[.)]?\s*|^priority\s*\d+\s*[-–—:.]?\s*", "", text, flags=re.I))


def declared_keys(priorities: list) -> set[str]:
    """Match keys of declared priorities: each label and short text, numbering dropped."""
    keys = set()
    for p in priorities or []:
        for text in (p.label, p.text):
            if text and len(text) <= MAX_LABEL:
                keys.add(priority_key(text))
        m = re.match(r"^(?:priority\s*\d+|\d+[.)])\s*[-–—:.]?\s*(.+)$", p.label or "", re.I)
        if m:
            keys.add(priority_key(m.group(1)))
    keys.discard("")
    return keys


def priority_like(text: str, declared: set[str]) -> bool:
    """A label that names a priority: numbered, 'Priority 2 …', a declared priority, or a theme
    name that is not also a group ('Neglect' yes; 'Health Forum' is a group).  A sentence that
    merely mentions an agency ('Develop a multi-agency strategy to …') is no group: only a short
    label (:func:`lead_like`) is."""
    text = one_line(text)
    if not text or len(text) > MAX_LABEL:
        return False
    if PRIORITY_WORDS.match(text) or priority_key(text) in declared:
        return True
    if _NUMBERED.match(text) and not lead_like(re.sub(r"^\S+\s+", "", text)):
        return True
    return bool(themes_for_text(text)) and not lead_like(text)


def lead_like(text: str) -> bool:
    """A short label naming a group, agency or role ('Training sub group', 'Police', 'Health')."""
    text = one_line(text)
    return bool(text) and len(text) <= 60 and len(text.split()) <= 8 and lead_kind(text) != "other"


def _own(grid: list[list[Cell | None]], r: int, c: int) -> Cell | None:
    cell = grid[r][c]
    return cell if cell is not None and cell.row == r and cell.col == c else None


def _text(grid, r: int, c: int) -> str:
    cell = _own(grid, r, c)
    return one_line(cell.text) if cell is not None else ""


def _frac(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def detect(grid: list[list[Cell | None]], n_rows: int, n_cols: int, lexicon: dict | None = None,
           priorities: list | None = None) -> tuple[int, bool] | None:
    """``(header row, transposed)`` when the table is a responsibility matrix, else None.

    The header row is the first row with two or more texts of its own (rows above it are the
    table's title).  Not transposed: labels down column 0 are the groups and the header row's
    texts the priorities; transposed: the other way round.  The axis that reads more like
    groups on one side and priorities on the other wins; each must read so for at least half
    of its labels, and the cells must be longer than the labels.
    """
    if n_cols < 3 or n_rows < 3:
        return None
    hr = next((r for r in range(min(3, n_rows - 2))
               if sum(1 for c in range(n_cols) if _text(grid, r, c)) >= 2), None)
    if hr is None:
        return None
    heads = [_text(grid, hr, c) for c in range(1, n_cols)]
    if not all(heads) or any(len(h) > MAX_LABEL for h in heads):
        return None
    # An action table: its headers are the lexicon's fields.  The corner is left out, since in a
    # matrix it may well name the label axis ('Who', 'Lead agency'), and so is a header that is
    # a sentence: a field's name is a few words, a priority's text may merely contain 'review'.
    mapped = {map_header(h, lexicon).field for h in heads if len(h.split()) <= _FIELD_WORDS}
    if len(mapped & _ACTION_FIELDS) >= 2:
        return None
    body = range(hr + 1, n_rows)
    labels = [_text(grid, r, 0) for r in body]
    named = [t for t in labels if t]
    if len(named) < 2 or any(len(t) > MAX_LABEL for t in named):
        return None
    cells = [one_line(cell.text) for r in body for c in range(1, n_cols)
             if (cell := _own(grid, r, c)) is not None and cell.text.strip()]
    if len(cells) < 2:
        return None
    mean = sum(len(t) for t in cells) / len(cells)
    if mean <= sum(len(t) for t in named + heads) / len(named + heads):
        return None
    declared = declared_keys(priorities or [])
    row_labels = [t for t in named if not is_focus_row(t, lexicon)]
    col_heads = [h for h in heads if not is_focus_row(h, lexicon)]
    lead_rows, prio_heads = _frac([lead_like(t) for t in row_labels]), _frac([priority_like(h, declared)
                                                                               for h in heads])
    lead_heads, prio_rows = _frac([lead_like(h) for h in col_heads]), _frac([priority_like(t, declared)
                                                                               for t in named])
    across = (lead_rows + prio_heads) if lead_rows >= 0.5 and prio_heads >= 0.5 else 0.0
    down = (lead_heads + prio_rows) if lead_heads >= 0.5 and prio_rows >= 0.5 else 0.0
    if not across and not down:
        return None
    return hr, down > across


def columns(headers: list[str], transposed: bool, lexicon: dict | None = None) -> list[ColumnMap]:
    """Column meanings of a matrix, for ``explain`` and the row readers."""
    if not transposed:
        return [ColumnMap(headers[0], "lead", "matrix: row labels are the leads")] + [
            ColumnMap(h, "priority", "matrix column: its header is the priority, cells are actions")
            for h in headers[1:]]
    out = [ColumnMap(headers[0], "priority", "transposed matrix: row labels are the priorities")]
    for h in headers[1:]:
        if is_focus_row(h, lexicon):
            out.append(ColumnMap(h, None, "transposed matrix: describes each priority (its text)"))
        else:
            out.append(ColumnMap(h, "lead", "transposed matrix column: its header is the lead, cells are actions"))
    return out


def transposed_rows(grid: list[list[Cell | None]], n_rows: int, headers: list[str], cols: list[ColumnMap],
                    body_start: int, fragment_starts: set[int], pages: list[int | None]
                    ) -> tuple[list[Action], dict[str, str]]:
    """Actions of a matrix with priorities down the side and groups across, and each priority's text.

    Read row by row, left to right; a cell merged down over every priority row is work across
    all priorities (priority null); a row that a page break split (no label of its own at the
    top of a page) carries on the cells above.
    """
    actions: list[Action] = []
    focus: dict[str, str] = {}
    last_by_col: dict[int, Action] = {}
    prio_rows = [r for r in range(body_start, n_rows) if _text(grid, r, 0)]
    for r in range(body_start, n_rows):
        label = _text(grid, r, 0)
        tail = not label and r in fragment_starts
        if label:
            focus.setdefault(label, "")
        for c in range(1, len(cols)):
            cell = _own(grid, r, c)
            text = clean(cell.text) if cell is not None else ""
            if not text:
                continue
            if cols[c].field is None:
                if label:
                    focus[label] = text
                continue
            if tail and c in last_by_col:
                last_by_col[c].action = join_continuation(last_by_col[c].action, text)
                continue
            spans_all = len(prio_rows) > 1 and sum(r <= pr < r + cell.rowspan for pr in prio_rows) == len(prio_rows)
            a = Action(priority=None if spans_all or not label else label, action=text,
                       lead=headers[c] or None, page=pages[r])
            actions.append(a)
            last_by_col[c] = a
    return actions, focus



@lru_cache(maxsize=1)
def _theme_names() -> frozenset[str]:
    """Theme ids, descriptions and cue phrases of ``data/themes.toml`` as match keys."""
    names = set()
    for tid, spec in load("themes").items():
        if isinstance(spec, dict):
            names.update(norm_key(x) for x in [tid.replace("_", " "), spec.get("what", ""), *spec.get("cues", [])])
    names.discard("")
    return frozenset(names)


def title_role(text: str, declared: set[str]) -> str | None:
    """'priority' or 'objective' when a title (a divider row, a heading or bold paragraph over a
    table) names one: 'Priority 3 – …', 'Strategic objective 2: …', a declared priority of the
    plan, or a theme's name ('Neglect'); else None (it stays a section or category)."""
    text = one_line(text)
    if not text or len(text) > 200:
        return None
    if _OBJECTIVE_TITLE.match(text):
        return "objective"
    if _PRIORITY_TITLE.match(text):
        return "priority"
    key = priority_key(text)
    if key and (key in declared or key in _theme_names()):
        return "priority"
    return None

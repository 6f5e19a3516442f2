"""Conversion damage in text renderings of PDF tables, undone where the evidence is clear.

A rendering made from a PDF's text layer (``shared/seeds/003_*.txt``) loses what
the grid held: where the converter guessed the columns badly it

- writes each *line* of a row as its own row ('Conduct an audit of' /
  'awareness of' / ...), the row's reference on the first line only;
- drops empty columns and slides a row's texts left, or merges the reference
  into the action ('3.5 Receive regular ...') on some pages but not others;
- cuts a text at a column edge ('Bus | iness Fundamentals', 'PROGRES | S TO
  DATE') and slides the header row one column left of the body;
- writes page numbers and the next row's first words into cells
  ('domestic abuse. Support the ...' opens row 1.9 but ends row 1.8).

Each repair here is a small pure function over rows of cell texts, so the
reader in :mod:`extract.text` applies them per part or per table and the PDF
and DOCX readers never see them.  The column profiles (references, dates,
words) that decide where a stray text belongs are shared by all of them.
"""

from __future__ import annotations

import re
from collections import Counter

from models.document import BULLET

REF_START = re.compile(r"^(?:[A-Z]{1,3}\s?)?\d+(?:\.\d+)+[a-z]?\)?(?:\s|$)")
_REF_SPLIT = re.compile(r"^((?:[A-Z]{1,3}\s?)?\d+(?:\.\d+)+[a-z]?)\)?\s+(\S.*)$", re.S)
_DATEISH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b\.?[\s'-]*\d{2,4}\b|"
                      r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b(?:19|20)\d{2}\b|\b(?:quarterly|annually|monthly|"
                      r"ongoing|bi-monthly)\b", re.I)
_REF_LABEL = re.compile(r"^(?:ref\b|no\b|number\b|item\b|id\b|#|action\s+(?:no|ref)\b)", re.I)
_PAGE_NO = re.compile(r"^\d{1,3}$")
_ENDS_CLAUSE = re.compile(r"[.;:!?)]$")
_OPEN_END = re.compile(r"(?:\b(?:the|of|and|to|in|for|a|an|with|on|at|by|from|or)|[-\u2013\u2014/])$", re.I)
_LINE_MAX = 70          # a line of a narrow column; a flattened cell is longer

Profile = list  # [cells, refs, dates, words Counter] of one column


# --------------------------------------------------------------------------- column profiles


def _features(text: str) -> tuple[int, int, set[str]]:
    return (int(bool(REF_START.match(text))), int(len(text) <= 40 and bool(_DATEISH.search(text))),
            set(re.findall(r"[a-z]{4,}", text.lower())))


def column_profiles(rows: list[list[str]], n_cols: int) -> list[Profile]:
    """What each column holds: how many texts, how many are references or dates, which words."""
    cols: list[Profile] = [[0, 0, 0, Counter()] for _ in range(n_cols)]
    for row in rows:
        for c, text in ((c, t) for c, t in enumerate(row[:n_cols]) if t.strip()):
            ref, date, words = _features(text)
            cols[c][0] += 1
            cols[c][1] += ref
            cols[c][2] += date
            cols[c][3].update(words)
    return cols


def cell_cost(text: str, col: Profile, own: bool, n_rows: int) -> float:
    """How badly ``text`` fits a column profile (0: like its other cells); ``own``: the text is one of
    those cells, so it does not count as evidence for itself."""
    ref, date, words = _features(text)
    n = col[0] - own
    if n <= 0:
        return 3.0
    cost = abs(ref - (col[1] - own * ref) / n) + abs(date - (col[2] - own * date) / n)
    cost += 1 - sum(1 for w in words if col[3][w] - own > 0) / len(words) if words else 0.5
    return cost + (1.0 if n < 0.15 * n_rows else 0.0)   # a mostly empty column rarely holds the stray text


def _best_placement(cost: list[list[float]], n_cols: int) -> tuple[float, list[int]]:
    """Cheapest order-keeping placement of ``len(cost)`` texts into ``n_cols`` columns."""
    best = [(cost[0][c], [c]) for c in range(n_cols)]   # best[c]: cheapest placement ending at column c
    for i in range(1, len(cost)):
        best = [(float("inf"), [])] * i + [
            min((best[p][0] + cost[i][c], best[p][1] + [c]) for p in range(i - 1, c)) for c in range(i, n_cols)]
    return min(best)


def label_row(row: list[str], n_cols: int) -> bool:
    """A title or label row: a text in the first cell, at most one more, the rest of a wide row empty."""
    filled = [c for c, t in enumerate(row) if t.strip()]
    return bool(filled) and filled[0] == 0 and filled[-1] <= 1 and n_cols - 1 - filled[-1] >= 2


def realign_rows(rows: list[list[str]], n_cols: int) -> list[int]:
    """Re-place the cells of rows that slid left (the rendering lost an empty cell); returns their indexes.

    A row starting with a text and with empty cells gets the best order-keeping
    placement of its texts by the columns' profiles (references, dates, words)
    when that fits clearly better.  Rows with one text, and label rows, stay.
    """
    if n_cols < 4 or len(rows) < 6:
        return []
    cols = column_profiles(rows, n_cols)
    moved = []
    for r, row in enumerate(rows):
        filled = [(c, t) for c, t in enumerate(row) if t.strip()]
        if len(filled) < 2 or not row[0].strip() or len(filled) == n_cols or label_row(row, n_cols):
            continue
        cost = [[cell_cost(t, cols[c], c == c0, len(rows)) for c in range(n_cols)] for c0, t in filled]
        total, placement = _best_placement(cost, n_cols)
        if total < sum(cost[i][c] for i, (c, _) in enumerate(filled)) - 0.6 and placement != [c for c, _ in filled]:
            rows[r] = [""] * n_cols
            for (_, t), c in zip(filled, placement, strict=True):
                rows[r][c] = t
            moved.append(r)
    return moved


# --------------------------------------------------------------------------- page furniture and cut labels


def page_number_row(row: list[str]) -> bool:
    """A row holding nothing but a page number ('7', '10'), which the converter put in some cell."""
    texts = [t.strip() for t in row if t.strip()]
    return len(texts) == 1 and bool(_PAGE_NO.match(texts[0]))


def clear_stray_numbers(rows: list[list[str]], n_cols: int) -> None:
    """A lone page number in a column that holds nothing else is furniture, not a value."""
    for c in range(n_cols):
        texts = [r for r, row in enumerate(rows) if c < len(row) and row[c].strip()]
        if len(texts) == 1 and _PAGE_NO.match(rows[texts[0]][c].strip()) and len(rows) >= 4:
            rows[texts[0]][c] = ""


def join_cut_label(row: list[str], n_cols: int) -> list[str] | None:
    """A divider label cut at a column edge ('Bus | iness Fundamentals', 'Cha | nge Priorities') as one
    text in the first cell, else None.  The first piece is a short word fragment, the second a label."""
    filled = [c for c, t in enumerate(row) if t.strip()]
    if filled != [0, 1] or n_cols < 3:
        return None
    head, tail = row[0].strip(), row[1].strip()
    if not re.fullmatch(r"[A-Za-z]{1,4}", head) or "\n" in tail or len(tail.split()) > 6 \
            or not re.match(r"[A-Za-z]", tail) or _ENDS_CLAUSE.search(tail):
        return None
    return [head + tail if tail[0].islower() else f"{head} {tail}"] + [""] * (len(row) - 1)


# --------------------------------------------------------------------------- references and columns


def ref_column(rows: list[list[str]], n_cols: int) -> bool:
    """The first column holds the rows' references (bare, or opening the action text)."""
    texts = [row[0].strip() for row in rows if row and row[0].strip() and not label_row(row, n_cols)]
    return len(texts) >= 3 and sum(bool(REF_START.match(t)) for t in texts) >= 0.6 * len(texts)


def next_ref(ref: str, other: str) -> bool:
    """``other`` is the reference after ``ref`` ('1.2' then '1.3' or '1.2.a'; 'TP 1.3' then 'TP 1.4')."""
    a, b = re.split(r"[.\s]+", ref.strip()), re.split(r"[.\s]+", other.strip())
    if len(b) == len(a) and a[:-1] == b[:-1]:
        return a[-1].isdigit() and b[-1].isdigit() and int(b[-1]) == int(a[-1]) + 1
    return len(b) == len(a) + 1 and a == b[:-1]


def split_ref(text: str) -> tuple[str, str] | None:
    """``('3.5', 'Receive regular ...')`` for a reference the rendering merged into the text."""
    m = _REF_SPLIT.match(text.strip())
    return (m.group(1), m.group(2)) if m else None


def split_merged_refs(row: list[str], width: int) -> list[str]:
    """A row one cell short whose first cell is 'reference + action' gets the two cells back."""
    if len(row) >= width or not row or (parts := split_ref(row[0])) is None:
        return row
    return [*parts, *row[1:]]


def header_slid_left(header: list[str], body: list[list[str]], n_cols: int) -> bool:
    """The header row starts over the reference column with a label that is not a reference's ('ACTION'
    above '1.1', '1.2', ...): the converter dropped the empty corner cell and slid the header left."""
    first = header[0].strip() if header else ""
    return bool(first) and not _REF_LABEL.match(first) and not REF_START.match(first) and ref_column(body, n_cols)


def _label(text: str) -> bool:
    """A divider label ('Change Priorities'): a few capitalised words, no sentence end."""
    return bool(re.match(r"[A-Z]", text)) and len(text.split()) <= 6 and not _ENDS_CLAUSE.search(text)


def continuation_bonus(above: str, text: str) -> float:
    """How surely ``text``, the first text after a page break, carries on ``above`` (the cell of the
    same column on the row before the break): 'Influence the' / 'development of ...' surely does."""
    last = above.strip().split("\n")[-1] if above.strip() else ""
    if not last or not text.strip() or _ENDS_CLAUSE.search(last):
        return 0.0
    open_end, lower = bool(_OPEN_END.search(last)), text.strip()[:1].islower()
    return 2.0 if open_end and lower else 1.0 if open_end else 0.5 if lower else 0.0


def place_columns(rows: list[list[str]], profiles: list[Profile], n_rows: int,
                  above: list[str] | None = None) -> list[list[str]]:
    """Rows of a part the converter wrote with fewer columns than its table, placed into the table's
    columns: one order-keeping placement for the whole part (its columns are the table's, some dropped),
    chosen by the table's column profiles and, for the part's first row, by which cells of the row
    before the break (``above``) it carries on.  A reference merged into the first cell is split out
    first when the table has a reference column (a lone divider label stays in the first cell)."""
    width = len(profiles)
    ref_first = profiles[0][0] > 0 and profiles[0][1] >= 0.6 * profiles[0][0]
    if ref_first and any(split_ref(r[0]) for r in rows if r) and not any(
            re.fullmatch(r"\S+", r[0].strip()) and REF_START.match(r[0]) for r in rows if r):
        rows = [r if not r or (_label(r[0].strip()) and not any(t.strip() for t in r[1:]))
                else [*(split_ref(r[0]) or ("", r[0])), *r[1:]] for r in rows]
        widest = max(len(r) for r in rows)
        rows = [r + [""] if r and len(r) < widest and not split_ref(r[0]) else r for r in rows]
    k = max((len(r) for r in rows), default=0)
    if k >= width or k == 0:
        return [r + [""] * (width - len(r)) for r in rows]
    cost = [[sum(cell_cost(r[j], profiles[c], False, n_rows) for r in rows if j < len(r) and r[j].strip())
             - (continuation_bonus(above[c], rows[0][j]) if above and j < len(rows[0]) else 0.0)
             for c in range(width)] for j in range(k)]
    _, placement = _best_placement(cost, width)
    out = []
    for r in rows:
        new = [""] * width
        for j, text in enumerate(r):
            new[placement[j]] = text
        out.append(new)
    return out


# --------------------------------------------------------------------------- lines written as rows


def _lines_short(row: list[str]) -> bool:
    return all(len(line) <= _LINE_MAX for t in row for line in t.split("\n"))


def _carries_on(prev: list[str], row: list[str], grown: bool) -> bool:
    """Some text of ``row`` continues the text above it.  Surely: it starts in lower case, or the line
    above ends on an open word ('the', 'of', a dash).  Once a row has taken a line, its next lines need
    only follow an unfinished line (no sentence end): 'measures across 3 rd' / 'Sector'."""
    for a, b in zip(prev, row, strict=False):
        a, b = a.strip().split("\n")[-1] if a.strip() else "", b.strip()
        if not a or not b or b.startswith(BULLET):
            continue
        if b[0].islower() or _OPEN_END.search(a) and not _ENDS_CLAUSE.search(a) \
                or grown and not _ENDS_CLAUSE.search(a):
            return True
    return False


def join_line(above: str, line: str) -> str:
    """A cell's next line: a bullet item starts a new line, a word hyphenated at the edge is rejoined."""
    above, line = above.strip(), line.strip()
    if not above or not line:
        return above or line
    if line.startswith((BULLET, "- ", "•")):
        return f"{above}\n{line}"
    return f"{above}{line}" if above.endswith("-") and line[:1].islower() else f"{above} {line}"


def join_cut_header(head: list[str], sub: list[str]) -> list[str]:
    """A header cell spanning two sub-headers that the converter cut at the column edge between them
    ('PRO | GRESS TO DATE' over 'TIMESCALE | ACTION') joined back into the first cell; the spans are then
    inferred as for any two-level header.  A cut piece is one word fragment with no space after it."""
    head = list(head)
    subs = [c for c, t in enumerate(sub) if t.strip()]
    for c in range(len(head) - 1):
        a, b = head[c].strip(), head[c + 1].strip()
        if a and b and re.fullmatch(r"[A-Za-z]+", a) and b[:1].isalpha() and c in subs and c + 1 in subs \
                and not any(s in (c - 1, c + 2) for s in subs) and (a.isupper() == b.split()[0].isupper()):
            head[c], head[c + 1] = a + b, ""
    return head


def merge_wrapped_lines(rows: list[list[str]], n_cols: int) -> list[list[str]]:
    """Rows that are the lines of one row joined into it.

    Only in a table with a reference column: a row with no reference, all of
    whose texts are single short lines, joins the row above when that row was
    written line by line too (its last lines are short) and some text carries
    on from it.  A row with its own reference, a label row, or a flattened
    (long) row stays a row.
    """
    out: list[list[str]] = []
    lines = grown = False       # the row above was written line by line / has taken lines
    for row in rows:
        single = all("\n" not in t for t in row) and _lines_short(row)
        prev = out[-1] if out else None
        if prev is not None and lines and single and not row[0].strip() and not label_row(prev, n_cols) \
                and not label_row(row, n_cols) and _carries_on(prev, row, grown):
            out[-1] = [join_line(a, b) for a, b in zip(prev, row, strict=True)]
            grown = True
        else:
            out.append(list(row))
            lines, grown = single, False
    return out


def move_carried_words(prev: list[str], row: list[str]) -> None:
    """The first row after a page break holds the end of the row before it ahead of its own text
    ('domestic abuse. Support the ...' after '... people living with'): each such head moves up.

    A head moves when the cell above is unfinished and this cell starts in lower
    case with a short clause that ends a sentence or closes a parenthesis the
    cell above opened.
    """
    for c, (a, b) in enumerate(zip(prev, row, strict=False)):
        a_last, b = a.strip().split("\n")[-1] if a.strip() else "", b.strip()
        if not a_last or not b[:1].islower() or _ENDS_CLAUSE.search(a_last):
            continue
        m = re.match(r"^([^\n]{1,60}?[.)])\s+(?=[A-Z\u2022])", b)
        if m is None or (m.group(1).endswith(")") and a.count("(") <= a.count(")")):
            continue
        prev[c] = join_line(a, m.group(1))
        row[c] = b[m.end():]

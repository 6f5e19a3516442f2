"""Table layouts generated from the fixtures' expected records, with the records each must give.

The layout benchmark (``bench/layouts.py``) asks whether the normaliser reads a
plan laid out the way *another* board would lay it out.  Each layout here is
drawn, from a seed, out of the hand-read records of one fixture
(``fixtures/expected/*.json``): a window of its actions is written back into a
table under other header wording (``bench/wordings.toml``), another column
order, with columns left out or unrelated ones added, priorities shown as a
column, a heading before each table or a full-width row inside it, two-level
headers, neutral "Column N" labels, no borders, or as a groups × priorities
matrix.  The same draw gives the records a careful reader would take from that
document: the source records with every field the layout does not show set to
null, and the fields it shows set to the text written into its cells.

A layout is a :class:`Layout`: its blocks (in the source format of
``fixtures/build.py``, which renders them to DOCX), its expected records, the
fields it shows (only those are scored, see ``bench/layouts.py``) and its tags
(one per axis value, for the per-axis means).
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "fixtures" / "expected"
WORDINGS = Path(__file__).resolve().parent / "wordings.toml"
#: Bump when the rendering of a layout changes, so cached documents are rebuilt.
GENERATOR_VERSION = 2

#: Fields a table layout may show as columns (canonical left-to-right order).
COLUMN_FIELDS = ("ref", "priority", "objective", "action", "lead", "timescale", "progress", "outcome", "status")
#: Fields a layout may leave out (action never: without it there is no action to read).
OPTIONAL = ("ref", "lead", "timescale", "progress", "outcome")
#: Relative column widths by field (the action and report columns are the wide ones).
WIDTHS = {"ref": 1.0, "priority": 3.0, "objective": 3.0, "action": 6.0, "lead": 3.0, "timescale": 2.2,
          "progress": 6.0, "outcome": 4.0, "status": 1.6, "extra": 2.4}
#: Fields the contract's records carry as text (the rest: dates, status, themes, extra).
TEXT_FIELDS = ("section", "priority", "objective", "ref", "action", "lead", "timescale", "progress", "outcome")
MAX_ROWS = 12
MIN_ROWS = 5
_NUMBERING = re.compile(
    r"^\s*(?:(?:theme|priority|strategic objective|objective|tp)\s*)?\d+(?:\.\d+)*[.:)\-–]?\s*[-–:]?\s*", re.I)
#: RAG fills of a colour-only status column (Word's standard red, amber-orange, green), by record status.
RAG_FILLS = {"completed": "00B050", "in_progress": "FFC000", "not_started": "FF0000", "delayed": "FF0000"}
RAG_KEY = "Key to the status column: Green = completed; Amber = in progress; Red = not started or delayed."
_TIMESCALE_SPLITS = (
    re.compile(r"^\s*start:\s*(?P<a>.+?);\s*end:\s*(?P<b>.+?)\s*$", re.I),
    re.compile(r"^\s*(?P<a>[^;–]+?)\s+[–-]\s+(?P<b>[^;–]+?)\s*$"),
    re.compile(r"^\s*(?P<a>[^;]+?);\s*(?P<b>[^;]+?)\s*$"),
)


@cache
def wordings() -> dict[str, Any]:
    """The wording bank (``bench/wordings.toml``)."""
    with open(WORDINGS, "rb") as fh:
        return tomllib.load(fh)


@cache
def plans() -> dict[str, list[dict[str, Any]]]:
    """Each fixture's expected actions, by plan name (only actions with action text)."""
    out = {}
    for path in sorted(EXPECTED.glob("*.json")):
        actions = json.loads(path.read_text(encoding="utf-8"))["actions"]
        out[path.stem] = [a for a in actions if (a.get("action") or "").strip()]
    return out


@dataclass
class Layout:
    """One generated plan document: what to write and what a careful reader takes from it."""

    id: str
    plan: str
    blocks: list[dict[str, Any]]
    expected: list[dict[str, Any]]
    shown: list[str]                     # fields the layout shows (scored)
    tags: list[str]                      # axis:value, for the per-axis means
    headers: dict[str, str] = field(default_factory=dict)   # field -> header text written
    borders: str = "grid"                # grid | rule (no borders but a rule under the header) | none
    header_rows: int = 1                 # the rule under the header goes under these (none when 0)
    priorities: list[dict[str, Any]] = field(default_factory=list)   # declared priorities written as prose

    @property
    def borderless(self) -> bool:
        return self.borders != "grid"

    def key(self) -> str:
        """Content hash of the document to write (the cache key of its files)."""
        blob = json.dumps([GENERATOR_VERSION, self.blocks, self.borders, self.header_rows], sort_keys=True)
        return hashlib.sha1(blob.encode()).hexdigest()[:12]

    def spec(self) -> dict[str, Any]:
        """The ``fixtures/build.py`` source of the document."""
        return {"title": f"Safeguarding Children Board Business Plan (layout {self.id})", "font_size": 10,
                "orientation": "landscape", "blocks": self.blocks}

    def gold(self) -> dict[str, Any]:
        """The expected document in the contract's shape, as ``shared/tools/score.py`` reads it."""
        return {"actions": self.expected, "priorities": self.priorities}


# ---------------------------------------------------------------- helpers


def group_label(rec: dict[str, Any], plan: str) -> str:
    """The text that groups a record: its priority where the plan has several, else its section."""
    multi_priority = len({a.get("priority") for a in plans()[plan]}) > 2
    if multi_priority:  # a record of no priority is work across them all (Shropshire's spanning rows)
        return rec.get("priority") or "All priorities"
    return rec.get("section") or rec.get("priority") or ""


def core_label(label: str) -> str:
    """A group label without its own numbering ('Theme 1: People' -> 'People')."""
    return _NUMBERING.sub("", label).strip() or label.strip()


def split_timescale(text: str | None) -> tuple[str, str] | None:
    """A timescale as its start and end texts, when it is written as a range or a pair."""
    if not text:
        return None
    for pat in _TIMESCALE_SPLITS:
        m = pat.match(text)
        if m and m["a"].strip() and m["b"].strip():
            return m["a"].strip(), m["b"].strip()
    return None


def apply_case(text: str, case: str) -> str:
    return {"upper": text.upper(), "lower": text.lower()}.get(case, text)


def _blank_record(rec: dict[str, Any]) -> dict[str, Any]:
    """The record with every text field null (filled back by what the layout shows)."""
    out = copy.deepcopy(rec)
    for f in TEXT_FIELDS:
        out[f] = None
    out["start"] = out["end"] = None
    out["extra"] = {}
    return out


def _window(rng: random.Random, recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A run of consecutive records (a stretch of the plan, so its groups stay together)."""
    k = min(len(recs), rng.randint(MIN_ROWS, MAX_ROWS))
    start = rng.randint(0, len(recs) - k)
    return recs[start:start + k]


# ---------------------------------------------------------------- action tables


@dataclass
class TableDraw:
    """The structural choices of a table layout (shared by a seen/held-out pair)."""

    plan: str
    records: list[dict[str, Any]]
    columns: list[str]                   # fields and 'extra:<kind>' in order
    group: str                           # none | column | heading | title_row
    group_field: str                     # priority | objective
    two_level: str                       # none | timescale | grouped
    borders: str                         # grid | rule | none
    order: str                           # canonical | shuffled
    case: str                            # as_is | upper | lower
    missing: list[str]
    extras: list[str]
    title_formats: list[str] = field(default_factory=list)
    status_words: dict[int, str] = field(default_factory=dict)
    extra_values: dict[tuple[int, str], str] = field(default_factory=dict)
    subs: tuple[str, str] = ("Start", "End")
    parent: str = ""
    status_style: str = "words"          # words | colour (a RAG fill and no text, a key above the table)
    priorities_list: str = "none"        # none | bullets | numbered | paragraphs (declared before the tables)


def draw_table(rng: random.Random, plan: str) -> TableDraw:
    """Draw the structure of one action-table layout from one plan's records."""
    recs = _window(rng, plans()[plan])
    has = [f for f in COLUMN_FIELDS if f not in ("priority", "objective", "status")
           and any(r.get(f) for r in recs)]
    missing = []
    for f in OPTIONAL:
        if f in has and rng.random() < 0.22 and len(has) > 2:
            has.remove(f)
            missing.append(f)
    group = rng.choices(["none", "column", "heading", "title_row"], weights=[4, 3, 2, 2])[0]
    group_field = rng.choice(["priority", "priority", "objective"])
    if len({group_label(r, plan) for r in recs}) < 2 and group in ("heading", "title_row"):
        group = "column"
    cols = list(has)
    if group == "column":
        cols.insert(1 if cols[0] == "ref" else 0, group_field)
    if any(r.get("status") not in (None, "unknown") for r in recs) and rng.random() < 0.25:
        cols.append("status")
    extras = rng.sample(list(wordings()["extras"]), k=rng.choices([0, 1, 2], weights=[5, 3, 2])[0])
    two_level = "none"
    if "timescale" in cols and rng.random() < 0.45:
        splittable = sum(split_timescale(r.get("timescale")) is not None for r in recs if r.get("timescale"))
        if splittable >= 0.6 * sum(bool(r.get("timescale")) for r in recs):
            two_level = "timescale"
    if two_level == "none" and {"lead", "timescale"} <= set(cols) and rng.random() < 0.15:
        two_level = "grouped"
    order = "shuffled" if rng.random() < 0.35 else "canonical"
    units: list[list[str]] = []
    for c in cols:
        if two_level == "grouped" and c == "timescale":
            continue
        units.append(["lead", "timescale"] if two_level == "grouped" and c == "lead" else [c])
    if order == "shuffled":
        rng.shuffle(units)
    for kind in extras:
        units.insert(rng.randint(1, len(units)), [f"extra:{kind}"])
    columns = [c for u in units for c in u]
    borders = rng.choices(["grid", "rule", "none"], weights=[7, 2, 1])[0]
    draw = TableDraw(plan, recs, columns, group, group_field, two_level, borders, order,
                     rng.choice(["as_is", "as_is", "upper", "lower"]), missing, extras)
    draw.status_style = rng.choice(["words", "colour"])
    if len({group_label(r, plan) for r in recs}) >= 2 and rng.random() < 0.3:
        draw.priorities_list = rng.choice(["bullets", "numbered", "paragraphs"])
    bank = wordings()
    draw.title_formats = [rng.choice(bank["group_titles"][group_field]) for _ in range(8)]
    for i, r in enumerate(recs):
        draw.status_words[i] = rng.choice(bank["status_words"][r.get("status") or "unknown"])
        for kind in extras:
            draw.extra_values[(i, kind)] = rng.choice(bank["extras"][kind]["values"])
    draw.subs = tuple(rng.choice(bank["two_level"]["timescale_subs"]))  # type: ignore[assignment]
    draw.parent = rng.choice(bank["two_level"]["group_parents"])
    return draw


def _header_words(rng: random.Random, draw: TableDraw, mode: str) -> dict[str, str]:
    """The header text of each column: from one half of the bank, or neutral labels (header-blind).

    ``canonical`` heads each column with its field's own name ('Lead', 'Timescale'), every one an
    exact lexicon synonym: the control the tests use to check that the expected records are right.
    """
    bank = wordings()
    out = {}
    if mode == "canonical":
        return {c: (c.split(":", 1)[1].title() if c.startswith("extra:") else c.title()) for c in draw.columns}
    if mode == "blind":
        label = rng.choice(bank["blind"]["labels"])
        for i, c in enumerate(draw.columns):
            out[c] = label.format(n=i + 1, a=chr(ord("A") + i)) if label else ""
        return out
    for c in draw.columns:
        if c.startswith("extra:"):
            out[c] = rng.choice(bank["extras"][c.split(":", 1)[1]]["headers"])
        else:
            out[c] = apply_case(rng.choice(bank[mode][c]), draw.case)
    return out


def _group_title(draw: TableDraw, n: int, label: str) -> str:
    fmt = draw.title_formats[(n - 1) % len(draw.title_formats)]
    return fmt.format(n=n, label=core_label(label))


def render_table(draw: TableDraw, mode: str, rng: random.Random, layout_id: str) -> Layout:
    """Write a drawn table layout under one header mode (seen, held_out, blind, canonical) with its records."""
    headers = _header_words(rng, draw, mode)
    ncols = len(draw.columns)
    widths = [WIDTHS["extra" if c.startswith("extra:") else c] for c in draw.columns]
    no_header = mode == "blind" and not any(headers.values())
    # header rows
    head: list[list[Any]] = []
    if not no_header:
        if draw.two_level == "none":
            head = [[headers[c] for c in draw.columns]]
        else:
            pair = ("timescale",) if draw.two_level == "timescale" else ("lead", "timescale")
            top, sub = [], []
            for c in draw.columns:
                if c not in pair:
                    top.append(headers[c])
                    sub.append("^")
                elif draw.two_level == "timescale":
                    top += [headers[c], "<"]
                    sub += list(draw.subs)
                elif c == "lead":
                    top += [draw.parent, "<"]
                    sub += [headers["lead"], headers["timescale"]]
            head = [top, sub]
    if draw.two_level == "timescale":
        i = draw.columns.index("timescale")
        widths[i:i + 1] = [WIDTHS["timescale"] / 1.4] * 2
        ncols += 1
    # body rows, grouped
    groups: list[tuple[str, list[int]]] = []
    for i, r in enumerate(draw.records):
        lab = group_label(r, draw.plan)
        if not groups or groups[-1][0] != lab:
            groups.append((lab, []))
        groups[-1][1].append(i)
    expected: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    rows: list[list[Any]] = list(head)
    shown = [c for c in draw.columns if not c.startswith("extra:")]
    for gn, (lab, idx) in enumerate(groups, start=1):
        title = _group_title(draw, gn, lab) if draw.group in ("heading", "title_row") else None
        if draw.group == "heading":
            if rows[len(head):]:
                blocks.append(_table_block(rows, widths, len(head)))
            blocks.append({"heading": title, "level": 2})
            rows = [list(h) for h in head]
        elif draw.group == "title_row":
            rows.append([{"text": title, "bold": True, "shade": "EAF1DD"}] + ["<"] * (ncols - 1))
        for i in idx:
            rec = draw.records[i]
            exp = _blank_record(rec)
            exp["action"] = rec["action"]
            row: list[Any] = []
            for c in draw.columns:
                if c.startswith("extra:"):
                    row.append(draw.extra_values[(i, c.split(":", 1)[1])])
                elif c in ("priority", "objective"):
                    value = rec.get(c) or lab
                    row.append(value)
                    exp[c] = value
                elif c == "status" and draw.status_style == "colour":
                    fill = RAG_FILLS.get(rec.get("status") or "unknown")
                    row.append({"text": "", "shade": fill} if fill else "")
                elif c == "status":
                    row.append(draw.status_words[i])
                elif c == "timescale" and draw.two_level == "timescale":
                    parts = split_timescale(rec.get("timescale")) or ("", rec.get("timescale") or "")
                    row += list(parts)
                    exp["timescale"] = "; ".join(f"{s}: {p}" for s, p in zip(draw.subs, parts, strict=True)
                                                 if p) or None
                else:
                    row.append(rec.get(c) or "")
                    exp[c] = rec.get(c) or None
            if title is not None:
                exp[draw.group_field] = title
            if "timescale" in shown:
                exp["start"], exp["end"] = rec.get("start"), rec.get("end")
            if "progress" not in shown and "status" not in shown:
                exp["status"] = "unknown"
            rows.append(row)
            expected.append(exp)
    blocks.append(_table_block(rows, widths, len(head)))
    if "status" in draw.columns and draw.status_style == "colour":
        blocks.insert(0, {"para": RAG_KEY})
    declared = []
    if draw.priorities_list != "none":
        labels = [core_label(lab) for lab, _ in groups if lab.lower() != "all priorities"]
        declared = [{"label": f"Priority {n}", "text": lab} for n, lab in enumerate(labels, start=1)]
        intro = [{"para": "The Board has agreed these priorities for the period of this plan:"}]
        if draw.priorities_list == "bullets":
            intro.append({"bullets": [f"**Priority {n} –** {lab}" for n, lab in enumerate(labels, start=1)]})
        elif draw.priorities_list == "numbered":
            intro.append({"numbered": labels})
        else:
            intro += [{"para": f"**Priority {n}:** {lab}"} for n, lab in enumerate(labels, start=1)]
        blocks[:0] = intro
    if draw.group in ("heading", "title_row"):
        shown.append(draw.group_field)
    tags = [f"plan:{draw.plan}", "structure:table", f"header:{mode}", f"group:{draw.group}",
            f"two_level:{draw.two_level}", f"order:{draw.order}",
            f"borders:{draw.borders}", f"priorities_list:{draw.priorities_list}"]
    if mode != "blind":
        tags.append(f"case:{draw.case}")
    elif no_header:
        tags.append("header:blind_no_header_row")
    if draw.group == "column":
        tags.append(f"group:column_{draw.group_field}")
    elif draw.group != "none":
        tags.append(f"group:{draw.group}_{draw.group_field}")
    tags += [f"missing:{f}" for f in draw.missing] or ["missing:none"]
    tags += [f"extra:{k}" for k in draw.extras] or ["extra:none"]
    tags.append(f"status_column:{draw.status_style if 'status' in shown else 'none'}")
    return Layout(layout_id, draw.plan, blocks, expected, shown, tags,
                  {c: headers.get(c, "") for c in draw.columns}, draw.borders, len(head), declared)


def _table_block(rows: list[list[Any]], widths: list[float], header_rows: int) -> dict[str, Any]:
    return {"table": {"widths": widths, "header_rows": header_rows, "font_size": 9, "rows": rows}}


# ---------------------------------------------------------------- matrices


def _matrix_cells(rng: random.Random, plan: str) -> tuple[list[str], list[str], dict[tuple[str, str], dict]]:
    """Groups (leads), priorities and the one record of each cell, from one plan's records."""
    recs = plans()[plan]
    cells: dict[tuple[str, str], dict] = {}
    spanning: dict[str, dict] = {}
    for r in recs:
        lead = (r.get("lead") or "").strip()
        if not lead or len(lead) > 60 or "\n" in lead:
            continue
        lab = r.get("priority") if plan == "shropshire-2016-18" else group_label(r, plan)
        if not lab:
            if plan == "shropshire-2016-18":  # its work across all priorities: one row spanning them
                spanning.setdefault(lead, r)
            continue
        if len(lab) <= 90:
            cells.setdefault((lead, lab), r)
    leads = list(dict.fromkeys(k[0] for k in cells))
    prios = list(dict.fromkeys(k[1] for k in cells))
    if len(prios) > 4:
        prios = sorted(rng.sample(prios, 4), key=prios.index)
    leads = [g for g in leads if any((g, p) in cells for p in prios)]
    if len(leads) > 6:
        leads = sorted(rng.sample(leads, 6), key=leads.index)
    cells = {k: v for k, v in cells.items() if k[0] in leads and k[1] in prios}
    for lead, r in spanning.items():
        cells[(lead, "*")] = r
        if lead not in leads:
            leads.append(lead)
    return leads, prios, cells


def render_matrix(rng: random.Random, plan: str, base: str, fallback: str) -> Layout:
    """A groups × priorities matrix (or transposed), each non-empty cell one action of that group."""
    leads, prios, cells = _matrix_cells(rng, plan)
    if len(prios) < 2 or sum(k[1] != "*" for k in cells) < 4:
        plan = fallback
        leads, prios, cells = _matrix_cells(rng, plan)
    bank = wordings()["matrix"]
    transposed = rng.random() < 0.4
    corner = "" if rng.random() < 0.3 else rng.choice([c for c in bank["corners"] if c])
    numbered = rng.random() < 0.6
    focus = rng.random() < 0.4
    borders = rng.choices(["grid", "rule", "none"], weights=[7, 2, 1])[0]
    heads = {p: (p if numbered else core_label(p)) for p in prios}
    if numbered and not re.match(r"^\s*\d", heads[prios[0]]):
        heads = {p: f"{n}. {core_label(p)}" for n, p in enumerate(prios, start=1)}
    if transposed:  # a spanning row becomes a column cell merged down: dropped to keep it simple
        cells = {k: v for k, v in cells.items() if k[1] != "*"}
        leads = [g for g in leads if any((g, p) in cells for p in prios)]
    expected = []
    rows: list[list[Any]] = []
    if not transposed:
        rows.append([corner] + [heads[p] for p in prios])
        if focus:
            rows.append([rng.choice(bank["focus_labels"])]
                        + [{"text": f"Children and families are safer from {core_label(p).lower()}.", "italic": True}
                           for p in prios])
        for g in leads:
            if (g, "*") in cells:
                rec = cells[(g, "*")]
                rows.append([g, rec["action"]] + ["<"] * (len(prios) - 1))
                expected.append(_matrix_record(rec, g, None))
                continue
            row = [g]
            for p in prios:
                rec = cells.get((g, p))
                row.append(rec["action"] if rec else "")
                if rec:
                    expected.append(_matrix_record(rec, g, heads[p]))
            rows.append(row)
    else:
        rows.append([corner] + leads)
        if focus:  # description column would be odd transposed: a focus row of the groups instead
            focus = False
        for p in prios:
            row = [heads[p]]
            for g in leads:
                rec = cells.get((g, p))
                row.append(rec["action"] if rec else "")
                if rec:
                    expected.append(_matrix_record(rec, g, heads[p]))
            rows.append(row)
    ncols = len(rows[0])
    widths = [2.0] + [5.0] * (ncols - 1)
    blocks = [{"para": "The table sets out what each group will do on each of the Board's priorities."},
              _table_block(rows, widths, 1)]
    tags = [f"plan:{plan}", "structure:matrix", "header:matrix",
            f"matrix:{'transposed' if transposed else 'groups_by_rows'}",
            f"matrix_corner:{'empty' if not corner else 'text'}", f"matrix_numbered:{'yes' if numbered else 'no'}",
            f"matrix_focus_row:{'yes' if focus else 'no'}",
            f"matrix_spanning_row:{'yes' if any(k[1] == '*' for k in cells) and not transposed else 'no'}",
            f"borders:{borders}"]
    layout_id = f"{base}-matrix-{plan.split('-')[0]}"
    return Layout(layout_id, plan, blocks, expected, ["action", "lead", "priority"], tags,
                  {"corner": corner}, borders, 1)


def _matrix_record(rec: dict[str, Any], group: str, priority: str | None) -> dict[str, Any]:
    exp = _blank_record(rec)
    exp["action"], exp["lead"], exp["priority"] = rec["action"], group, priority
    exp["status"] = "unknown"
    return exp


# ---------------------------------------------------------------- the whole set


def generate(n: int = 200, seed: int = 1) -> list[Layout]:
    """``n`` layouts (at least), deterministic for a seed.

    About three quarters are worded action tables drawn in pairs: the same structure once
    under ``seen`` wordings and once under ``held_out`` wordings, so the two halves are
    compared on equal layouts; about 14 % are header-blind tables and 11 % matrices.  Plans are
    taken in turn, so each fixture gives about as many layouts.
    """
    names = list(plans())
    out: list[Layout] = []
    k = 0
    while len(out) < n:
        rng = random.Random(f"{seed}:{k}")
        plan = names[k % len(names)]
        kind = rng.choices(["pair", "blind", "matrix"], weights=[50, 18, 18])[0]
        base = f"L{len(out):03d}"
        if kind == "matrix":
            out.append(render_matrix(rng, plan, base, "shropshire-2016-18"))
        else:
            draw = draw_table(rng, plan)
            short = plan.split("-")[0]
            if kind == "blind":
                draw.two_level = "none"  # neutral labels: no sub-headers to say Start/End either
                out.append(render_table(draw, "blind", random.Random(f"{seed}:{k}:blind"), f"{base}-blind-{short}"))
            else:
                for mode in ("seen", "held_out"):
                    lid = f"L{len(out):03d}-{mode}-{short}"
                    out.append(render_table(draw, mode, random.Random(f"{seed}:{k}:words"), lid))
        k += 1
    return out

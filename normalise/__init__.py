"""Normalisation: a neutral :class:`models.document.Document` in, contract records out.

Knows nothing of PDF or DOCX.  Order of work: stitch page fragments, read each
table's layout, turn rows into actions under the heading context they sit in,
then derive dates, status and themes, and the document's board, period,
priorities and indicators.
"""

from __future__ import annotations

import re

from models.document import Document, Heading, Paragraph
from models.records import Action, Indicator, PlanDocument, Priority, TableRecord
from normalise import dates, meta, quality, rag, status, themes
from normalise.columns import is_focus_row
from normalise.layout import Layout, analyse, families, row_texts
from normalise.leads import lead_parts
from normalise.lexicon import load
from normalise.matrix import declared_keys, priority_key, title_role
from normalise.repeats import stitch_and_split
from normalise.rows import action_rows, canonical_categories, matrix_rows
from normalise.stitch import StitchedTable
from normalise.text import clean, one_line

__all__ = ["explain", "normalise"]


#: A heading naming a priority is the tables' priority when it stands over them: at most this many
#: prose blocks between it (or the table before) and the table.
MAX_PROSE_UNDER_TITLE = 4


class _Context:
    """The heading context a table sits under: its section and who-headings (chair, sub-group)."""

    def __init__(self) -> None:
        data = load("headings")
        self.extra_rules = {k: [re.compile(p, re.I) for p in v] for k, v in data["extra"].items()}
        self.ignore = [re.compile(p, re.I) for p in data["ignore"]["patterns"]]
        self.section: str | None = None
        self.titled: dict[str, str] = {}  # priority/objective named by a heading over the tables
        self.prose = 0  # prose blocks since the last heading or table
        self.extra: dict[str, str] = {}
        self.last_text: str | None = None

    def see(self, text: str, heading_like: bool, declared: set[str] | None = None) -> None:
        text = one_line(text)
        if not text:
            return
        self.last_text = text
        if not heading_like:
            self.prose += 1
            if self.prose > MAX_PROSE_UNDER_TITLE:  # a long text under it: the title was no table's
                self.titled = {}
            return
        self.prose = 0
        for key, pats in self.extra_rules.items():
            for pat in pats:
                m = pat.match(text)
                if m:
                    self.extra[key] = m.group(1).strip()
                    if key == "sub_group":
                        self.extra.pop("chair", None)
                    return
        role = title_role(text, declared or set())
        if role == "priority":
            self.titled = {"priority": text}
        elif role == "objective":
            self.titled["objective"] = text
        else:  # a new section naming neither ends the priority above
            self.titled = {}
        if any(p.search(text) for p in self.ignore):
            self.section = None  # a part title ('SSCB Business Plan 2017 - 2019') ends the section above
            return
        self.section = text


def _heading_like(block) -> bool:
    if isinstance(block, Heading):
        return block.level >= 1
    return isinstance(block, Paragraph) and block.bold and len(block.text) < 250


def _finish(a: Action, section: str | None, ctx_extra: dict[str, str], from_column: bool = False) -> Action:
    """Clean texts and derive dates, status and themes; ``from_column``: the table has its own
    section column, so an empty cell there means no section rather than the heading above."""
    for name in ("section", "priority", "objective", "ref", "action", "lead", "progress", "outcome"):
        value = getattr(a, name)
        if isinstance(value, str):
            value = clean(value) or None
            if name in ("ref", "section") and value:
                value = one_line(value)
            setattr(a, name, value)
    if a.timescale:
        a.timescale = one_line(a.timescale) or None
    if not a.section and not from_column:
        a.section = section
    a.start, a.end = dates.parse_timescale(a.timescale)
    a.status = status.judge(a.progress, a.extra.get(rag.SOURCE_KEY))  # a code or colour: rag.apply
    a.themes = themes.themes_for_action(a.action, a.progress, a.outcome, a.priority, a.objective, a.section)
    for k, v in ctx_extra.items():
        a.extra.setdefault(k, v)
    if a.lead:
        a.extra["lead_parts"] = lead_parts(a.lead)
    return a


def _table_record(st: StitchedTable, layout: Layout) -> TableRecord:
    """The table as extracted: flattened header, and every other row (title rows included)."""
    grid = st.table.grid()
    header = set(layout.header_rows)
    rows = [row_texts(grid, r) for r in range(st.table.n_rows) if r not in header]
    return TableRecord(page=st.table.page, kind=layout.kind if layout.kind != "heading" else "other",
                       header=layout.headers, rows=rows)


def normalise(doc: Document, sha256: str | None = None, lexicon: dict | None = None) -> PlanDocument:
    """Contract records for one extracted document (``lexicon``: the column lexicon to use,
    see ``normalise.columns.with_user_mapping``)."""
    blocks = stitch_and_split(doc.blocks, lexicon)
    plain = [b for b in blocks if not isinstance(b, StitchedTable)]
    title = meta.plan_title(plain, doc.title)
    out = PlanDocument(source=doc.source, sha256=sha256, format=doc.format, title=title,
                       board=meta.board_name(plain, title), pages=doc.pages,
                       warnings=list(doc.warnings))
    out.period = meta.plan_period(title, plain)
    plan_date = meta.version_date(title, plain)
    out.dates = {**({"plan": plan_date} if plan_date else {}), **doc.dates}
    out.priorities = meta.declared_priorities(plain)
    ctx = _Context()
    n_table = 0
    tables = [b for b in blocks if isinstance(b, StitchedTable)]
    readings: dict = {}  # each table read once: families' reading serves analyse
    family = families(tables, lexicon, out.priorities, readings)  # tables under one header row read together
    read_with = list(out.priorities)  # the priorities families read with (a table may add some)
    declared, n_declared = declared_keys(out.priorities), len(out.priorities)
    for block in blocks:
        if len(out.priorities) != n_declared:  # a table added priorities
            declared, n_declared = declared_keys(out.priorities), len(out.priorities)
        if not isinstance(block, StitchedTable):
            ctx.see(block.text, _heading_like(block), declared)
            continue
        ctx.prose = 0
        same = len(out.priorities) == len(read_with) and all(
            a is b for a, b in zip(out.priorities, read_with, strict=True))
        layout = analyse(block, lexicon, out.priorities, family.get(n_table),
                         readings.pop(n_table, None) if same else None)
        out.tables.append(_table_record(block, layout))
        n_table += 1
        first = len(out.actions)
        if layout.kind == "other":  # a table of the plan's priorities
            out.priorities.extend(p for p in meta.table_priorities(st_rows(block))
                                  if priority_key(p.label) not in declared)
        if layout.kind == "heading":
            if layout.title:
                ctx.section = layout.title
            continue
        section = layout.title or ctx.section
        if layout.kind == "actions":
            has_section = "section" in layout.fields()
            for a in action_rows(block, layout, declared):
                for name, text in ctx.titled.items():  # a heading's priority/objective, where no column gives it
                    if name not in layout.fields() and not getattr(a, name):
                        setattr(a, name, text)
                out.actions.append(_finish(a, section, ctx.extra, has_section))
        elif layout.kind == "matrix":
            acts, focus = matrix_rows(block, layout, lambda label: is_focus_row(label, lexicon))
            for a in acts:
                out.actions.append(_finish(a, section, ctx.extra))
            known = {p.text.lower() for p in out.priorities}
            for label, text in focus.items():
                if label and (text or label).lower() not in known and priority_key(label) not in declared:
                    out.priorities.append(Priority(label=label, text=text or label,
                                                   themes=themes.themes_for_text(text, label)))
        elif layout.kind == "indicators":
            group = ctx.section or ctx.last_text
            for row in st_rows(block):
                cells = [one_line(t) for t in row if t.strip()]
                if len(cells) >= 2:
                    out.indicators.append(Indicator(group=group, ref=cells[0], name=" ".join(cells[1:])))
        out.warnings.extend(quality.table_checks(n_table, block, layout, out.actions[first:],
                                                  doc.pages is not None))
    out.warnings.extend(quality.document_checks(sum(t.kind != "heading" for t in out.tables), len(out.actions)))
    rag.apply(out.actions, rag.Legend.of(blocks))
    canonical_categories(out.actions)
    if doc.pages is None:  # renderings number their table parts to stitch them; those are no pages
        for a in out.actions:
            a.page = None
        for t in out.tables:
            t.page = None
    if not out.actions and not out.tables:
        out.warnings.append("no tables found")
    return out


def st_rows(st: StitchedTable) -> list[list[str]]:
    grid = st.table.grid()
    return [row_texts(grid, r) for r in range(st.table.n_rows)]


def _column_explained(header: str, cm) -> dict:
    """One column's reading: the field, why, the evidence per field from the header, the cells and
    the column's place, and the runner-up field with its score."""
    out = {"header": header, "field": cm.field or "extra", "why": cm.how}
    ev = cm.evidence
    if ev is None:
        return out
    pick = lambda part: {f: {"score": s, "why": w} for f, (s, w) in part.items()}  # noqa: E731
    out.update(header_evidence=pick(ev.header), content_evidence=pick(ev.content), position=pick(ev.prior),
               score=round(ev.total(cm.field), 2) if cm.field else None,
               runner_up={"field": cm.runner_up, "score": round(ev.total(cm.runner_up), 2)} if cm.runner_up else None)
    if ev.questioned:
        out["questioned"] = ev.questioned
    return out


def explain(doc: Document, lexicon: dict | None = None) -> list[dict]:
    """For each (stitched) table: its page, kind, title and how each column was mapped, and why:
    the header and content evidence with their scores, and the runner-up."""
    out = []
    tables = [b for b in stitch_and_split(doc.blocks, lexicon) if isinstance(b, StitchedTable)]
    readings: dict = {}
    family = families(tables, lexicon, readings=readings)
    for i, block in enumerate(tables):
        layout = analyse(block, lexicon, family=family.get(i), read=readings.pop(i, None))
        out.append({
            "page": block.table.page, "kind": layout.kind, "title": layout.title,
            "rows": block.table.n_rows - layout.body_start,
            "columns": [_column_explained(h, cm) for h, cm in zip(layout.headers, layout.columns, strict=False)],
        })
    return out

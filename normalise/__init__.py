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
from normalise import dates, meta, quality, status, themes
from normalise.columns import is_focus_row
from normalise.layout import Layout, analyse, row_texts
from normalise.leads import lead_parts
from normalise.lexicon import load
from normalise.rows import action_rows, canonical_categories, matrix_rows
from normalise.stitch import StitchedTable, stitch
from normalise.text import clean, one_line

__all__ = ["explain", "normalise"]


class _Context:
    """The heading context a table sits under: its section and who-headings (chair, sub-group)."""

    def __init__(self) -> None:
        data = load("headings")
        self.extra_rules = {k: [re.compile(p, re.I) for p in v] for k, v in data["extra"].items()}
        self.ignore = [re.compile(p, re.I) for p in data["ignore"]["patterns"]]
        self.section: str | None = None
        self.extra: dict[str, str] = {}
        self.last_text: str | None = None

    def see(self, text: str, heading_like: bool) -> None:
        text = one_line(text)
        if not text:
            return
        self.last_text = text
        if not heading_like:
            return
        for key, pats in self.extra_rules.items():
            for pat in pats:
                m = pat.match(text)
                if m:
                    self.extra[key] = m.group(1).strip()
                    if key == "sub_group":
                        self.extra.pop("chair", None)
                    return
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
    a.status = status.judge(a.progress, a.extra.pop("status_source", None))
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
    blocks = stitch(doc.blocks)
    plain = [b for b in blocks if not isinstance(b, StitchedTable)]
    title = meta.plan_title(plain, doc.title)
    out = PlanDocument(source=doc.source, sha256=sha256, format=doc.format, title=title,
                       board=meta.board_name(plain, title), pages=doc.pages,
                       warnings=list(doc.warnings))
    out.period = meta.plan_period(title, plain)
    out.priorities = meta.declared_priorities(plain)
    ctx = _Context()
    n_table = 0
    for block in blocks:
        if not isinstance(block, StitchedTable):
            ctx.see(block.text, _heading_like(block))
            continue
        layout = analyse(block, lexicon)
        out.tables.append(_table_record(block, layout))
        n_table += 1
        first = len(out.actions)
        if layout.kind == "heading":
            if layout.title:
                ctx.section = layout.title
            continue
        section = layout.title or ctx.section
        if layout.kind == "actions":
            has_section = "section" in layout.fields()
            for a in action_rows(block, layout):
                out.actions.append(_finish(a, section, ctx.extra, has_section))
        elif layout.kind == "matrix":
            acts, focus = matrix_rows(block, layout, lambda label: is_focus_row(label, lexicon))
            for a in acts:
                out.actions.append(_finish(a, section, ctx.extra))
            known = {p.text.lower() for p in out.priorities}
            for label in layout.headers[1:]:
                text = focus.get(label, "")
                if label and (text or label).lower() not in known:
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
    for block in stitch(doc.blocks):
        if not isinstance(block, StitchedTable):
            continue
        layout = analyse(block, lexicon)
        out.append({
            "page": block.table.page, "kind": layout.kind, "title": layout.title,
            "rows": block.table.n_rows - layout.body_start,
            "columns": [_column_explained(h, cm) for h, cm in zip(layout.headers, layout.columns, strict=False)],
        })
    return out

"""Text renderings of plans (.txt, .md, .html) read into the neutral document model.

A rendering (``shared/seeds/*.txt``) is a plan after a text conversion: markdown
prose, tables as tab-separated or ``| pipe |`` rows with HTML fragments in the
cells, or real HTML ``<table>`` markup.  It has no pages, but keeps the page
breaks' traces: a table the PDF split is written as blank-line-separated parts,
each repeating the header rows (title rows split into cells differently) and
often preceded by the page's repeated running headings.  So the reader rebuilds
what the PDF reader would have seen:

1. ``scan_text`` / ``scan_html``: prose blocks and table *parts*;
2. ``assemble``: a part continues the table before it when it has the same
   column count, only blank lines or that table's running headings stand
   between them, and it repeats the header (or has none).  A continuation gets
   the next synthetic page number, so the format-neutral stitcher joins the
   parts and the rows a break split; its repeated rows are rewritten as the
   first part's rows exactly, and the running headings between are dropped;
3. ``repair``: what a rendering loses and a bordered grid keeps: rows slid one
   column left, labels merged down over a group of rows, spans written as
   empty cells.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html.parser import HTMLParser
from pathlib import Path

from extract.text_damage import (
    REF_START,
    clear_stray_numbers,
    column_profiles,
    continuation_bonus,
    header_slid_left,
    join_cut_header,
    join_cut_label,
    label_row,
    merge_wrapped_lines,
    move_carried_words,
    next_ref,
    page_number_row,
    place_columns,
    realign_rows,
    ref_column,
    split_merged_refs,
)
from models.document import BULLET, Block, Cell, Document, Heading, Paragraph, Table
from models.errors import ExtractError

_BLOCK_TAGS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol"}
_BOLD_TAGS = {"b", "strong", "th"}
_MD_EMPHASIS = re.compile(r"(\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*]))")
_BULLET_GLYPH = re.compile(r"^\s*[•\uf0b7\u25aa\u25cf\u25e6]\s*")
_WS = re.compile(r"[ \t\u00a0\r\f\v]+")
_PARA_GAP = re.compile(r"(?<=\S)[ \u00a0]{2,}(?=\S)")  # renderings join a cell's paragraphs with two spaces


class _Fragment(HTMLParser):
    """Lines of an HTML fragment: block elements and ``<br>`` break lines, ``<li>`` are list items."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.lists: list[list] = []          # [tag, item counter] of the open lists
        self.bold_depth = self.chars = self.bold_chars = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        if tag == "li":
            ordered = bool(self.lists) and self.lists[-1][0] == "ol"
            if ordered:
                self.lists[-1][1] += 1
            self.lines.append(f"{self.lists[-1][1]}. " if ordered else BULLET)
        elif tag == "br" or tag in _BLOCK_TAGS:
            self.lines.append("")
        elif tag == "sup" and self.lines and re.search(r"\d\s+$", self.lines[-1]):
            self.lines[-1] = self.lines[-1].rstrip()   # '17 <sup>th</sup>' is '17th'
        self.bold_depth += tag in _BOLD_TAGS

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag in _BLOCK_TAGS:
            self.lines.append("")
        if tag in _BOLD_TAGS and self.bold_depth:
            self.bold_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.lines:
            self.lines.append("")
        self.lines[-1] += _PARA_GAP.sub("\n", data)
        self.chars += len(data.strip())
        self.bold_chars += len(data.strip()) if self.bold_depth else 0


def fragment_lines(raw: str) -> tuple[list[str], bool]:
    """A cell's (or prose line's) text as lines, list items as ``• `` lines, and whether all is bold.

    A list flattened to ``• a • b`` (no ``<li>``) is split at the bullet
    glyphs, so each item is its own line as in the other readers.
    """
    if "<" in raw or "&" in raw:
        parser = _Fragment()
        parser.feed(raw)
        parser.close()
        chunks, bold = parser.lines, parser.chars > 0 and parser.bold_chars == parser.chars
    else:
        chunks, bold = [_PARA_GAP.sub("\n", raw)], False
    lines: list[str] = []
    for text in (t for chunk in chunks for t in chunk.split("\n")):
        text = _WS.sub(" ", text).strip()
        starts_bullet = text.startswith(BULLET) or bool(_BULLET_GLYPH.match(text))
        for k, item in enumerate(re.split(r"\s*[•\uf0b7]\s*", text)):
            if item.strip():
                lines.append(BULLET + item.strip() if (k > 0 or starts_bullet) else item.strip())
    return lines, bold


def strip_markdown(text: str) -> str:
    """Inline markdown emphasis removed (``**bold**``, ``*italic*``, ``__x__``)."""
    return _WS.sub(" ", _MD_EMPHASIS.sub("", text)).strip()


def cell_text(raw: str) -> tuple[str, bool]:
    """Cell text in the model's form (paragraphs joined by ``\\n``) and whether it is all bold."""
    raw = raw.strip()
    lines, bold = fragment_lines(raw)
    md_bold = len(raw) > 4 and raw.startswith("**") and raw.endswith("**")
    return "\n".join(strip_markdown(ln) for ln in lines), bold or md_bold


@dataclass
class Part:
    """One table part as the rendering wrote it: cell texts (``rows``), or an HTML table's grid."""

    rows: list[list[str]]
    bold: list[list[bool]]
    table: Table | None = None                         # HTML: the grid with its explicit spans
    gap: list[Block] = field(default_factory=list)     # prose between the previous part and this one
    page: int = 1
    first: Part | None = None                          # the first part of this part's table
    repeated: int = 0                                  # leading rows that repeat the first part's rows
    inherited: set[str] = field(default_factory=set)   # running headings of the previous table's pages
    label_cols: set[int] = field(default_factory=set)  # columns of labels merged down over row groups

    @property
    def n_cols(self) -> int:
        return self.table.n_cols if self.table else max((len(r) for r in self.rows), default=0)


Item = Block | Part | None  # None: a blank line
_SEP_CELL = re.compile(r"^\s*:?-{2,}:?\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^\s*[-*+]\s+(.*)$")
_LOST_GLYPH = re.compile(r"^ [A-Za-z(]")


def row_cells(line: str) -> list[str] | None:
    """Cells of a table line (tab-separated or ``| pipe |``), else None."""
    if "\t" in line:
        return line.rstrip("\r\n").split("\t")
    s = line.strip()
    if s.startswith("|") and s.count("|") >= 2:
        body = s[1:-1] if s.endswith("|") else s[1:]
        return [c.replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]
    return None


def _prose_block(text: str, indent: int = 0) -> Block | None:
    """A heading or paragraph from one prose line (``indent``: its leading spaces, a list item's nesting)."""
    m = _HEADING.match(text)
    if m:
        body = strip_markdown(" ".join(fragment_lines(m.group(2))[0]))
        return Heading(body, level=len(m.group(1))) if body else None
    item = _LIST_ITEM.match(text)
    text = (item.group(1) if item else text).strip()
    lines, html_bold = fragment_lines(text)
    body = "\n".join(strip_markdown(ln) for ln in lines)
    body = _BULLET_GLYPH.sub("", body) if item else body
    md_bold = text.startswith(("**", "__")) and text.endswith(("**", "__")) and len(text) > 4
    level = min((indent + 1) // 2, 3) if item else 0  # ' - sub' under '- item': nested by indenting
    lead = re.match(r"^(?:\*\*|__)(.+?)(?:\*\*|__)\s*\S", text) if not md_bold else None
    return Paragraph(BULLET + body if item else body, bold=md_bold or html_bold, level=level,
                     bold_lead=strip_markdown(lead.group(1)).strip() if lead else "") if body else None


def scan_text(text: str) -> list[Item]:
    """Prose blocks and table parts of a markdown/tab rendering (a ``<table>`` in it is read as HTML)."""
    items: list[Item] = []
    lines = text.splitlines()
    i, part = 0, None
    while i < len(lines):
        line = lines[i]
        if re.match(r"^\s*<table\b", line, re.I):
            end = next((j for j in range(i, len(lines)) if re.search(r"</table\s*>", lines[j], re.I)), len(lines))
            items.extend(scan_html("\n".join(lines[i:end + 1])))
            part, i = None, end + 1
            continue
        cells = row_cells(line)
        if cells is not None:
            if not (any(_SEP_CELL.match(c) for c in cells) and all(_SEP_CELL.match(c) or not c.strip()
                                                                   for c in cells)):
                if part is None:
                    part = Part([], [])
                    items.append(part)
                texts = [cell_text(c) for c in cells]
                if "\t" in line:   # ' Audit commenced ': a bullet glyph the converter dropped, its space kept;
                    texts = [(BULLET + t if _LOST_GLYPH.match(c) and not t.startswith(BULLET)   # '- Written report':
                              else BULLET + t[2:] if t.startswith("- ") else t, b)             # a dash item
                             for c, (t, b) in zip(cells, texts, strict=True)]
                part.rows.append([t for t, _ in texts])
                part.bold.append([b for _, b in texts])
            i += 1          # a '---' separator row is markdown syntax, not a row
            continue
        part = None
        if not line.strip():
            items.append(None)
            i += 1
            continue
        chunk = [line]      # a bold run opened and not closed on this line ends on a later line
        if line.lstrip().startswith("**") and line.count("**") % 2 == 1:
            j = next((j for j in range(i + 1, min(i + 6, len(lines))) if "**" in lines[j] or not lines[j].strip()),
                     None)
            if j is not None and lines[j].count("**") % 2 == 1:
                chunk, i = lines[i:j + 1], j
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())
        block = _prose_block("\u2028".join(s.strip() for s in chunk), indent)
        if block is not None:
            block.text = block.text.replace("\u2028", "\n")
            items.append(block)
        i += 1
    return promote_headings(items)


def promote_headings(items: list[Item]) -> list[Item]:
    """A short line alone between blank lines, without sentence punctuation at its end, is a heading
    whose style the rendering lost ('Business plan Priority areas 2016-18'); the DOCX has a Heading."""
    for k, it in enumerate(items):
        if not isinstance(it, Paragraph) or it.text.startswith(BULLET) or "\n" in it.text:
            continue
        alone = (k == 0 or items[k - 1] is None) and (k + 1 == len(items) or items[k + 1] is None)
        text = it.text.strip()
        if alone and len(text) <= 80 and re.match(r"^[A-Z0-9]", text) and not re.search(r"[.:;,!?)]$", text) \
                and re.search(r"[a-z]{3}", text, re.I):
            items[k] = Heading(text, level=2)
    return items


def _html_table(el, inner) -> Part:
    """A ``<table>`` element as a part with its explicit row and column spans (nested tables are text)."""
    rows = [tr for tr in el.iter("tr") if next(tr.iterancestors("table"), None) is el]
    cells, taken, n_cols = [], set(), 0
    for r, tr in enumerate(rows):
        c = 0
        for td in (td for td in tr if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")):
            while (r, c) in taken:
                c += 1
            rs, cs = (max(1, int(v)) if (v := str(td.get(a, "1")).strip()).isdigit() else 1
                      for a in ("rowspan", "colspan"))
            rs = min(rs, len(rows) - r)
            text, bold = cell_text(inner(td))
            cells.append(Cell(r, c, text, rs, cs, bold=bold or td.tag.lower() == "th"))
            taken |= {(r + dr, c + dc) for dr in range(rs) for dc in range(cs)}
            c += cs
        n_cols = max(n_cols, c)
    table = Table(n_rows=len(rows), n_cols=n_cols, cells=cells)
    return Part(table.text_rows(), [[False] * n_cols for _ in rows], table=table)


def _is_block(el) -> bool:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    return tag in _BLOCK_TAGS or bool(el.xpath("|".join(f".//{t}" for t in _BLOCK_TAGS)))


def _li_level(el) -> int:
    """A list item's nesting: the lists around it, less one (0 for a top-level item or no item)."""
    if not isinstance(el.tag, str) or el.tag.lower() != "li":
        return 0
    return max(0, sum(1 for a in el.iterancestors() if isinstance(a.tag, str) and a.tag.lower() in ("ul", "ol")) - 1)


def scan_html(text: str) -> list[Item]:
    """Prose blocks (headings, paragraphs, list items) and table parts of an HTML document."""
    import lxml.html

    try:
        root = lxml.html.fromstring(text)
    except Exception:  # lxml raises ParserError on a document with no elements
        return []

    def inner(el) -> str:
        return (el.text or "") + "".join(lxml.html.tostring(ch, encoding="unicode") for ch in el)

    items: list[Item] = []

    def loose(text: str | None) -> None:
        if text and text.strip():
            items.append(Paragraph(strip_markdown(text)))

    def walk(el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in ("script", "style", "head", "title", ""):
            return
        if tag == "table":
            items.extend([_html_table(el, inner), None])
        elif re.fullmatch(r"h[1-6]", tag):
            body = strip_markdown(" ".join(fragment_lines(inner(el))[0]))
            items.append(Heading(body, level=int(tag[1])) if body else None)
        elif tag not in ("html", "body") and not el.xpath("|".join(f".//{t}" for t in _BLOCK_TAGS)):
            lines, bold = fragment_lines(inner(el))   # a block with inline content only: one paragraph
            body = "\n".join(strip_markdown(ln) for ln in lines)
            bullet = BULLET if tag == "li" and not body.startswith(BULLET) else ""
            items.append(Paragraph(bullet + body, bold=bold, level=_li_level(el)) if body else None)
        else:
            children = list(el)
            if tag == "li":  # an item with a list nested in it: its own inline text is the item
                k = next((k for k, ch in enumerate(children) if _is_block(ch)), len(children))
                own = (el.text or "") + "".join(lxml.html.tostring(ch, encoding="unicode") for ch in children[:k])
                lines, bold = fragment_lines(own)
                body = " ".join(strip_markdown(ln) for ln in lines).strip()
                if body:
                    items.append(Paragraph(BULLET + body, bold=bold, level=_li_level(el)))
                children = children[k:]
            else:
                loose(el.text if tag not in ("html", "body") else None)
            for ch in children:
                walk(ch)
                loose(ch.tail)

    body = root.find(".//body")
    walk(body if body is not None else root)
    return items


def _tokens(texts) -> list[str]:
    return re.sub(r"[^0-9a-z]+", " ", " ".join(texts).lower()).split()


def key(text: str) -> str:
    """The form running headings and repeated rows are compared in: letters and digits only."""
    return " ".join(_tokens([text]))


def same_row(a: list[str], b: list[str]) -> bool:
    """Rows with the same words (cells split differently), or nearly (a header wrapped differently)."""
    ta, tb = _tokens(a), _tokens(b)
    return bool(ta and tb) and (ta == tb or SequenceMatcher(None, ta, tb, autojunk=False).ratio() >= 0.85)


def header_like(row: list[str]) -> bool:
    """Two or more short labels: a header row, not a body row."""
    texts = [t for t in row if t.strip()]
    return len(texts) >= 2 and all(len(t) <= 40 and len(t.split()) <= 6 for t in texts)


def repeats_header(head: list[str], row: list[str]) -> bool:
    """``row`` is the header ``head`` again: same words, or the same cells plus one label the rendering
    wrote on the header line ('Theme 4: Neglect | Project | Lead PB ...')."""
    if same_row(head, row):
        return True
    both = [c for c in range(min(len(head), len(row))) if head[c].strip() and row[c].strip()]
    extra = [c for c in range(len(row)) if row[c].strip() and (c >= len(head) or not head[c].strip())]
    return (len(both) >= 2 and len(extra) <= 1 and len(both) >= 0.75 * sum(1 for t in head if t.strip())
            and all(_tokens([head[c]]) == _tokens([row[c]]) for c in both))


def leading_repeat(first: list[list[str]], rows: list[list[str]],
                   context: set[str]) -> tuple[int, int, dict[int, str]] | None:
    """``(i, m, labels)`` when a part's first ``i`` rows repeat the first ``m`` rows of its table's first
    part; ``labels``: texts its header line holds beyond the header (column -> text).  Title rows before
    the header count as repeats when their words are the first part's title or running-heading words
    (they may be split into cells or rows differently, or written as a running heading instead).
    """
    head = first[:4]
    heads = [j for j, row in enumerate(head) if header_like(row)]
    if not heads:
        return None
    title_words = set(_tokens(t for row in head[:heads[0]] for t in row)) | {w for c in context for w in c.split()}
    i, m, matched, labels = 0, 0, False, {}
    while i < min(len(rows), 6):
        row = rows[i]
        j = next((j for j in range(m, len(head)) if repeats_header(head[j], row)), None)
        if j is not None and (matched or j <= heads[0] or header_like(row)):
            if not same_row(head[j], row):
                labels.update({c: t for c, t in enumerate(row) if t.strip() and not (head[j] + [""] * c)[c].strip()})
            m, matched = j + 1, True
        elif not (not any(t.strip() for t in row) or not matched and 0 < sum(1 for t in row if t.strip()) <= 2
                  and set(_tokens(row)) <= title_words):
            break
        i += 1
    return (i, m, labels) if matched and any(j < m for j in heads) else None


def _context(first: Part) -> set[str]:
    """Texts that may stand between the parts of a table: its opening headings and title rows, and the
    running headings of the pages before it (a page header carries on over a new table)."""
    keys = {key(b.text) for b in first.gap if isinstance(b, (Heading, Paragraph))} | first.inherited
    for row in first.rows[:3]:
        if header_like(row):
            break
        keys |= {key(t) for t in row if t.strip()} | {key(" ".join(row))}
    return keys


def _split_repeated_headers(part: Part, first: Part, context: set[str]) -> list[Part]:
    """A part that repeats its table's header after body rows is two parts (a page break the rendering
    wrote without a blank line)."""
    if part.table is not None:
        return [part]
    heads: list[list[str]] = []  # the header rows the table opens with (a short body row is no header)
    for row in first.rows[:4]:
        if header_like(row):
            heads.append(row)
        elif heads:
            break

    def is_head(row: list[str]) -> bool:
        return header_like(row) and any(repeats_header(h, row) for h in heads)

    rows = part.rows
    if part is first:
        start = next((k + 1 for k, row in enumerate(rows[:4]) if header_like(row)), 1)
        while start < len(rows) and is_head(rows[start]):
            start += 1
    else:
        rep = leading_repeat(first.rows, rows, context)
        start = max(rep[0] if rep else 1, 1)
    r = next((r for r in range(start, len(rows)) if is_head(rows[r])), None)
    if r is None:
        return [part]
    tail = Part(rows[r:], part.bold[r:])
    return [Part(rows[:r], part.bold[:r], gap=part.gap), *_split_repeated_headers(tail, first, context)]


def _rewrite(part: Part, first: Part, i: int, m: int, labels: dict[int, str]) -> None:
    """Make the part's ``i`` repeated rows exactly the first part's ``m`` rows (so the stitcher drops
    them); a label written on the header line moves down to the first body row, where labels live."""
    if part.table is not None and first.table is not None:
        cells = [c for c in first.table.cells if c.row < m] + [
            Cell(c.row - i + m, c.col, c.text, c.rowspan, c.colspan, c.bold, c.shaded)
            for c in part.table.cells if c.row >= i]
        part.table = Table(part.table.n_rows - i + m, max(part.table.n_cols, first.table.n_cols), cells)
        part.rows = part.table.text_rows()
    else:
        part.rows = [list(r) for r in first.rows[:m]] + part.rows[i:]
        part.bold = [list(b) for b in first.bold[:m]] + part.bold[i:]
        if len(part.rows) > m and labels:
            body = part.rows[m] + [""] * (part.n_cols - len(part.rows[m]))
            part.rows[m] = [t if t.strip() else labels.get(c, t) for c, t in enumerate(body)]
            part.bold[m] = part.bold[m] + [False] * (len(body) - len(part.bold[m]))
    part.repeated = m


def _furniture(blocks: list[Block]) -> bool:
    """Blocks that can stand between two pages of one table: a footer ('FINAL 24.8.12'), a page's
    running label ('Business Fundamentals') -- at most two short lines, nothing that reads as prose."""
    return len(blocks) <= 2 and all(
        isinstance(b, (Heading, Paragraph)) and "\n" not in b.text and len(b.text) <= 30
        and not b.text.rstrip().endswith(":") and not (isinstance(b, Heading) and b.level <= 1) for b in blocks)


def _last_ref(part: Part, before: str | None) -> str | None:
    refs = [m.group(0).strip().rstrip(")") for r in part.rows if r and (m := REF_START.match(r[0].strip()))]
    return refs[-1] if refs else before


def _damaged_continuation(part: Part, prev: Part, first: Part, last_ref: str | None) -> bool:
    """A part the converter wrote with fewer columns, or after a footer, that carries on its table.

    Its table has a header, and either the page before held only that header
    (so this part is its body), or this part has no header of its own and its
    first row carries on the row above: it has no first cell (no reference, no
    label), or starts in lower case, or the row above ends on an open word
    ('Receive regular reports from the' / 'CYPTB on progress made ...').
    """
    if part.table is not None or first.table is not None or not part.rows or not _furniture(part.gap):
        return False
    if not 3 <= part.n_cols <= max(first.n_cols, prev.n_cols) or not any(header_like(r) for r in first.rows[:4]):
        return False
    rows = [r for r in part.rows if not page_number_row(r)]
    if not rows:
        return False
    body = [r for r in prev.rows[_body_start(prev):] if not page_number_row(r) and any(t.strip() for t in r)]
    while body and prev is first and header_like(body[0]) and len(body[0][0].strip()) == 0:
        body.pop(0)   # the sub-header row of a two-level header
    if not body:
        return True
    texts = [t.strip() for t in rows[0] if t.strip()]
    if len(texts) >= 3 and header_like(rows[0]) and not REF_START.match(rows[0][0]) and texts[0][:1].isupper() \
            and not any(t.startswith(BULLET) for t in texts):
        return False   # a header of its own: a new table
    numbered = rows[1] if label_row(rows[0], part.n_cols) and len(rows) > 1 else rows[0]  # a divider, then 1.4
    own = REF_START.match(numbered[0].strip())
    return not rows[0][0].strip() or texts[0][:1].islower() or any(
        continuation_bonus(a, "x") >= 1.0 for a in body[-1]) or bool(
        last_ref and own and next_ref(last_ref, own.group(0).strip().rstrip(")")))


def assemble(items: list[Item]) -> list[Block | Part]:
    """Decide which parts continue the table before them; number pages; drop running headings."""
    parts: list[Part] = []
    gap: list[Block] = []
    for it in items:
        if isinstance(it, Part):
            it.gap, gap = gap, []
            parts.append(it)
        elif it is not None:
            gap.append(it)
    seen = Counter(k for p in parts for k in {key(b.text) for b in p.gap})
    running = {k for k, n in seen.items() if n >= 2}   # lines repeated before several parts
    out: list[Block | Part] = []
    page, prev, page_heads, queue = 1, None, set(), list(parts)
    last_refs: dict[int, str | None] = {}   # table (its first part) -> the last reference in it so far
    while queue:
        part = queue.pop(0)
        first = prev.first if prev is not None else None
        gap_keys = [key(b.text) for b in part.gap]
        rep, cont = None, False
        if first is not None and part.n_cols == prev.n_cols and part.rows:
            context = _context(first)
            if all(k in running and k in context for k in gap_keys) and (part.table is None) == (first.table is None):
                rep = leading_repeat(first.rows, part.rows, context)
            cont = rep is not None or (not gap_keys and not header_like(part.rows[0])
                                       and not label_row(part.rows[0], part.n_cols))
        if first is not None and not cont and rep is None:
            cont = _damaged_continuation(part, prev, first, last_refs.get(id(first)))
        owner = first if cont and first is not None else part
        part, *rest = _split_repeated_headers(part, owner, _context(owner))
        queue = rest + queue
        if rep is not None:
            _rewrite(part, owner, *rep)
            if len(part.rows) <= part.repeated:
                continue  # a header with nothing under it (the rest of its page was prose)
        if cont:
            page += 1
            part.gap = []
        else:
            part.inherited, page_heads = set(page_heads), set()
        part.first = owner
        last_refs[id(owner)] = _last_ref(part, last_refs.get(id(owner)))
        page_heads |= {k for k in gap_keys if k in running}
        part.page = page
        for b in part.gap:
            b.page = page
        out.extend([*part.gap, part])
        prev = part
    for b in gap:
        b.page = page
    return out + gap


def infer_spans(rows: list[list[str]], n_cols: int) -> dict[tuple[int, int], int]:
    """Column spans a rendering wrote as empty cells: ``{(row, col): colspan}``.

    - a label row (texts only in the first one or two cells) spans its last
      text to the right edge ('Executive Group | Review the business plans
      ...' across all priority columns; a section title);
    - a two-level header: a header cell followed by an empty cell, over a row
      with two sub-headers under them ('Timescale' over 'Start', 'End').
    """
    spans: dict[tuple[int, int], int] = {}
    if n_cols < 3:
        return spans
    for r, row in enumerate(rows):
        if label_row(row, n_cols):
            last = max(c for c, t in enumerate(row) if t.strip())
            spans[(r, last)] = n_cols - last
    for r in range(min(len(rows) - 1, 4)):
        head, sub = rows[r], rows[r + 1]
        subs = [c for c, t in enumerate(sub) if t.strip()]
        if not header_like(head) or (r, 0) in spans or not subs or any(len(sub[c]) > 25 for c in subs):
            continue
        pairs = [c for c in subs if head[c].strip() and c + 1 < n_cols and not head[c + 1].strip() and sub[c + 1]]
        if pairs and set(subs) <= {c for p in pairs for c in (p, p + 1)}:
            spans.update({(r, c): 2 for c in pairs})
    return spans


def label_columns(header: list[str], body: list[list[str]]) -> set[int]:
    """Columns with no header whose few, short texts label groups of rows ('Theme 1: People'): in the
    source each is a cell merged down over its group, which a rendering writes once."""
    out = set()
    for c, head in enumerate(header):
        vals = [row[c] for row in body if c < len(row) and row[c].strip()]
        if not head.strip() and 2 <= len(vals) <= 0.35 * len(body) and \
                all(len(v) <= 60 and not REF_START.match(v) and "\n" not in v for v in vals):
            out.add(c)
    return out


def _body_start(part: Part) -> int:
    if part.first is not part:
        return part.repeated
    return next((k + 1 for k, row in enumerate(part.rows[:4]) if header_like(row)), 0)


def _header_block(part: Part) -> int:
    """Rows of the first part that are its header: the header row and the sub-header rows under it."""
    k = _body_start(part)
    while 0 < k < len(part.rows) and header_like(part.rows[k]) and not part.rows[k][0].strip():
        k += 1
    return k


def _set_body(part: Part, start: int, rows: list[list[str]]) -> None:
    part.rows = part.rows[:start] + rows
    part.bold = part.bold[:start] + [[False] * len(r) for r in rows]


def undo_damage(group: list[Part]) -> None:
    """The repairs of :mod:`extract.text_damage` over one table's tab-separated parts, in the order the
    evidence needs: furniture out and cut labels whole; the header back over its columns; narrow parts
    placed into the table's columns; lines written as rows joined; a row's words carried over a page
    break moved back; stray page numbers cleared."""
    first = group[0]
    head = _header_block(first)
    starts = {id(p): head if p is first else p.repeated for p in group}
    for p in group:
        s = starts[id(p)]
        body = [r for r in p.rows[s:] if not page_number_row(r)]
        _set_body(p, s, [join_cut_label(r, max(len(r), 3)) or r for r in body])
    if 1 < head:
        for p in group:
            if (p is first or p.repeated >= 2) and header_like(p.rows[0]):
                p.rows[0] = join_cut_header(p.rows[0], p.rows[1])
    bodies = [r for p in group for r in p.rows[starts[id(p)]:]]
    width = max((len(r) for r in bodies), default=0)
    if head and width and header_slid_left(first.rows[0], bodies, width):
        for p in group:
            n = head if p is first else min(p.repeated, head)
            p.rows[:n] = [[""] + r for r in p.rows[:n]]
            p.bold[:n] = [[False] + b for b in p.bold[:n]]
    for p in group:
        _set_body(p, starts[id(p)], [split_merged_refs(r, p.n_cols) for r in p.rows[starts[id(p)]:]])
    full = [r for p in group for r in p.rows[starts[id(p)]:] if len(r) >= width and not label_row(r, width)]
    profiles = column_profiles(full, width)
    above = None
    for p in group:
        body = p.rows[starts[id(p)]:]
        if body and max(len(r) for r in body) < width and full:
            _set_body(p, starts[id(p)], place_columns(body, profiles, len(full), above))
        above = p.rows[-1] if len(p.rows) > starts[id(p)] else above
    if ref_column([r for p in group for r in p.rows[starts[id(p)]:]], width):
        for p in group:
            _set_body(p, starts[id(p)], merge_wrapped_lines(p.rows[starts[id(p)]:], width))
        for a, b in zip(group, group[1:], strict=False):
            if len(a.rows) > starts[id(a)] and len(b.rows) > starts[id(b)] and b.rows[starts[id(b)]][0].strip():
                move_carried_words(a.rows[-1], b.rows[starts[id(b)]])
        clear_stray_numbers([r for p in group for r in p.rows[starts[id(p)]:]], width)
    width = max(p.n_cols for p in group)
    if any(p.n_cols != width for p in group):   # one grid width for the whole table, so its pages stitch
        for p in group:
            p.rows = [r + [""] * (width - len(r)) for r in p.rows]
            p.bold = [b + [False] * (width - len(b)) for b in p.bold]


def repair(parts: list[Part]) -> None:
    """Undo conversion damage, realign slid rows and find label columns over each whole table (all its
    parts give evidence)."""
    tables: dict[int, list[Part]] = {}
    for p in parts:
        if p.table is None:
            tables.setdefault(id(p.first), []).append(p)
    for group in tables.values():
        undo_damage(group)
        n_cols = max(p.n_cols for p in group)
        where = [(p, r) for p in group for r in range(_body_start(p), len(p.rows))]
        rows = [p.rows[r] + [""] * (n_cols - len(p.rows[r])) for p, r in where]
        for k in realign_rows(rows, n_cols):
            p, r = where[k]
            p.rows[r], p.bold[r] = rows[k], [False] * n_cols
        header = next((row for row in group[0].rows[:4] if header_like(row)), None)
        if header is not None:
            labels = label_columns(header + [""] * (n_cols - len(header)),
                                   [row for row in rows if not label_row(row, n_cols)])
            for p in group:
                p.label_cols = labels


def _tab_table(part: Part) -> Table:
    """The part as a grid: inferred column spans, and label cells merged down to the next label (an
    empty top of a continuation carries the label of the part before over the break)."""
    n_cols = part.n_cols
    rows = [r + [""] * (n_cols - len(r)) for r in part.rows]
    bold = [b + [False] * (n_cols - len(b)) for b in part.bold]
    spans = infer_spans(rows, n_cols)
    rowspans: dict[tuple[int, int], int] = {}
    for c in part.label_cols:
        start = _body_start(part)
        tops = sorted({start} | {r for r in range(start, len(rows)) if rows[r][c].strip()})
        rowspans.update({(r, c): nxt - r for r, nxt in zip(tops, tops[1:] + [len(rows)], strict=False)})
    covered = {(r + k, c) for (r, c), n in rowspans.items() for k in range(1, n)}
    cells: list[Cell] = []
    for r, row in enumerate(rows):
        c = 0
        while c < n_cols:
            if (r, c) not in covered:
                cells.append(Cell(r, c, row[c], rowspans.get((r, c), 1), spans.get((r, c), 1), bold[r][c],
                                  page=part.page))
            c += spans.get((r, c), 1)
    return Table(n_rows=len(rows), n_cols=n_cols, cells=cells, page=part.page, row_pages=[part.page] * len(rows))


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")  # a BOM can front a truncated file (fuzzed)
    if b"\x00" in data[:4096]:
        raise ExtractError("not a text file (binary content)", file=str(path))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_text(path: Path) -> Document:
    """Read a .txt/.md/.html rendering: headings, paragraphs and tables with synthetic page numbers."""
    text = _decode(path)
    html = path.suffix.lower() in (".html", ".htm") or bool(re.match(r"\s*(<!doctype html|<html)", text, re.I))
    assembled = assemble(scan_html(text) if html else scan_text(text))
    repair([b for b in assembled if isinstance(b, Part)])
    blocks: list[Block] = []
    for b in assembled:
        if not isinstance(b, Part):
            blocks.append(b)
        elif b.table is not None:
            t = b.table
            t.cells = [Cell(c.row, c.col, c.text, c.rowspan, c.colspan, c.bold, c.shaded, b.page) for c in t.cells]
            t.page, t.row_pages = b.page, [b.page] * t.n_rows
            blocks.append(t)
        elif b.rows:
            blocks.append(_tab_table(b))
    title = next((b.text.replace("\n", " ").strip() for b in blocks[:5] if isinstance(b, (Heading, Paragraph))), None)
    fmt = {".md": "md", ".html": "html", ".htm": "html"}.get(path.suffix.lower(), "txt")
    return Document(source=str(path), format=fmt, blocks=blocks, title=title)

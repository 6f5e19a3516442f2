"""Document-level facts: board name, title, plan period, declared priorities.

Read from the prose blocks around the tables, so they work for any reader.
"""

from __future__ import annotations

import re

from models.document import Block, Heading, Paragraph
from models.records import Priority
from normalise import dates
from normalise.dates import parse_period
from normalise.lexicon import load
from normalise.text import clean, one_line
from normalise.themes import themes_for_text

_BOARD = re.compile(
    r"\b((?:[A-Z][\w'&-]+\s){1,4}?)(Local\s+)?Safeguarding\s+Children(?:'s)?\s+(?:Board|Partnership)", re.U)
_BOARD_STOP = {"The", "A", "An", "Of", "All", "Each", "Every", "This", "Our", "Local"}
_PRIORITY_LABEL = re.compile(
    r"^(?:\d+[.)]\s*)?(?P<label>(?:(?:Targeted|Strategic|Service|Step Change|Business|Overarching|Key)\s+)?"
    r"Priority(?:\s+(?:area\s+)?\d+)?)\s*(?:[-–:.]\s*|$)(?P<text>.*)$", re.I)
_PRIORITY_INTRO = re.compile(
    r"^(?:(?:strategic|service|targeted|business|step change|key|our)\s+)+priorities:?$|"
    r"priorities (?:have been|were|are) (?:agreed|identified|set)|priorities are:$|"
    r"^(?=.{0,200}$).*\bpriorities(?:\s+(?:for|of|in|from)\s+[^:]{1,60}?)?(?:\s+(?:are|will be|include|were))?:$",
    re.I)
_DASH_ITEM = re.compile(r"^(?P<label>[^–—:]{2,80}?)\s+[–—]\s+(?P<text>.+)$")
#: 'Neglect – we will …' or 'Neglect: we will …' inside a list item: a short label, then its text
_LABELLED = re.compile(r"^(?P<label>[^–—:;,.]{2,60}?)\s*(?:\s[–—-]|:)\s+(?P<text>\S.*)$")
_NUMBER = re.compile(r"^(?P<num>\d+[.)])\s+(?P<rest>\S.*)$")
_NUMBERED = re.compile(r"^\d+[.)]\s+\S")
_SUB_ITEM = re.compile(r"^[◆◇❖➢►▪◦o]\s*")
_GLYPH = re.compile(r"^[◆◇❖➢►▪◦o]\s+")  # a sub-item's own glyph after the bullet marker


def board_name(blocks: list[Block], title: str | None) -> str | None:
    """The board's full name as the plan first writes it."""
    texts = ([title] if title else []) + [b.text for b in blocks[:40] if isinstance(b, (Heading, Paragraph))]
    for text in texts:
        for m in _BOARD.finditer(one_line(text)):
            words = m.group(1).split()
            while words and words[0] in _BOARD_STOP:
                words.pop(0)
            if not words:
                continue
            place = " ".join(words)
            kind = "Partnership" if m.group(0).endswith("Partnership") else "Board"
            return f"{place} {'Local ' if m.group(2) else ''}Safeguarding Children {kind}"
    return None


def plan_title(blocks: list[Block], fallback: str | None) -> str | None:
    for b in blocks[:10]:
        if isinstance(b, Heading) and b.level <= 1:
            return one_line(b.text)
    return fallback


def plan_period(title: str | None, blocks: list[Block]) -> dict[str, str | None]:
    """An explicit month range from the title, else from the prose."""
    for text in [title] + [b.text for b in blocks if isinstance(b, (Heading, Paragraph))]:
        start, end = parse_period(one_line(text or ""))
        if start:
            return {"start": start, "end": end}
    return {"start": None, "end": None}


def version_date(title: str | None, blocks: list[Block]) -> str | None:
    """The plan's own date for this version (title, or opening prose after a review word); see
    ``normalise.dates.version_date`` and ``data/versions.toml``."""
    rules = load("versions")["plan_date"]
    prose = [one_line(b.text) for b in blocks[:int(rules.get("blocks", 15))] if isinstance(b, (Heading, Paragraph))]
    return dates.version_date(title, prose, list(rules["words"]), int(rules.get("reach", 40)))


def _text(b: Block) -> str:
    return one_line(b.text) if isinstance(b, (Heading, Paragraph)) else ""


def _is_bullet(b: Block) -> bool:
    return isinstance(b, Paragraph) and clean(b.text).startswith("• ")


def _following(blocks: list[Block], i: int) -> str:
    """Text that belongs to a priority heading: the bullets under it (after at most a short
    'Why?' line), else the first sentence of the next paragraph."""
    j = i
    while j < len(blocks) and isinstance(blocks[j], Paragraph) and not _is_bullet(blocks[j]) \
            and len(_text(blocks[j]).split()) <= 3 and j - i < 2:
        j += 1
    bullets = []
    while j < len(blocks) and _is_bullet(blocks[j]):
        bullets.append(clean(blocks[j].text))
        j += 1
    if bullets:
        return "\n".join(bullets)
    if i < len(blocks) and isinstance(blocks[i], Paragraph):
        first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", _text(blocks[i]))[0]
        return first
    return ""


class _Priorities:
    """Collects priorities once per label, in document order."""

    def __init__(self) -> None:
        self.items: list[Priority] = []
        self.labels: set[str] = set()

    def add(self, label: str, text: str) -> None:
        label, text = label.strip(), clean(text)
        key = re.sub(r"^\d+[.)]\s*", "", label.lower())  # '1. Neglect' and 'Neglect' are one priority
        if not text or label.lower() in self.labels or key in self.labels:
            return
        self.labels.update({label.lower(), key})
        self.items.append(Priority(label=label, text=text, themes=[]))

    def extend_last(self, lines: list[str]) -> None:
        if self.items:
            self.items[-1].text += "\n" + "\n".join(lines)


def declared_priorities(blocks: list[Block]) -> list[Priority]:
    """A board's declared priorities, in document order.

    - a labelled item: 'Targeted Priority 1- To work with ...' (label and text);
    - a priority heading: 'Priority 1: Neglect' or '1. Overarching Priority:' (text: the bullets
      under it, or the first sentence of the next paragraph);
    - a list under a priorities heading or intro ('Strategic Priorities', 'the following
      priorities have been agreed:'): 'Name – this means ...' paragraphs, numbered headings with
      their bullets, or bullets (with '◆' sub-items kept in their parent's text).
    """
    found = _Priorities()
    i, n = 0, len(blocks)
    while i < n:
        text = _text(blocks[i])
        m = _PRIORITY_LABEL.match(text) if text and len(text) < 400 else None
        if m:
            body = m.group("text").strip()
            named = _labelled(body)
            if named and len(body.split()) > 5:  # 'Priority 1: Neglect – children living with …'
                found.add(f"{m.group('label')}: {named[0]}", named[1])
            elif len(body.split()) > 5:
                found.add(m.group("label"), body)
            else:
                # '1. Overarching Priority' is labelled 'Overarching Priority'; 'Priority 1: Neglect' keeps its name
                label = text.rstrip(":").strip() if body else m.group("label")
                found.add(label, _following(blocks, i + 1) or body or text)
            i += 1
        elif text and _PRIORITY_INTRO.search(text) and len(text) < 600:
            i = _collect_list(blocks, i + 1, found)
        else:
            i += 1
    for p in found.items:
        p.themes = themes_for_text(p.text, p.label)
    return found.items


def _labelled(text: str, bold_lead: str = "") -> tuple[str, str] | None:
    """A list item's label and text when it reads 'Label – text' or 'Label: text', or opens with a
    bold run ('**Neglect** we will …', ``bold_lead``); the label at most six words; else None."""
    m = _LABELLED.match(text)
    if m and len(m.group("label").split()) <= 6:
        return m.group("label").strip(), m.group("text").strip()
    lead = bold_lead.strip(" –—-:")
    if lead and text.startswith(lead) and len(lead.split()) <= 6 and text[len(lead):].strip(" –—-:"):
        return lead, text[len(lead):].strip(" –—-:")
    return None


def _is_sub(blocks: list[Block], i: int, parent: Paragraph, labelled: bool) -> bool:
    """Block ``i`` is a sub-item of the bullet ``parent``: nested under it, a '◆' item, or (where the
    list shows no nesting) an unlabelled bullet under a labelled one."""
    b = blocks[i]
    if _SUB_ITEM.match(_text(b)):
        return True
    if not _is_bullet(b):
        return False
    if b.level > parent.level:
        return True
    if b.level < parent.level or not labelled or _labelled(clean(b.text)[2:], b.bold_lead):
        return False
    j = i  # same level, unlabelled: a sub-item only if no bullet of this list is nested
    while j < len(blocks) and isinstance(blocks[j], Paragraph) and _is_bullet(blocks[j]):
        if blocks[j].level != parent.level:
            return False
        j += 1
    return True


def _heading_item(blocks: list[Block], i: int) -> bool:
    """A short heading with prose under it (not a table, not another heading): one priority."""
    b = blocks[i]
    return (isinstance(b, Heading) and len(_text(b).split()) <= 8 and i + 1 < len(blocks)
            and isinstance(blocks[i + 1], Paragraph) and not _PRIORITY_INTRO.search(_text(b)))


def _numbered_item(blocks: list[Block], i: int) -> bool:
    b, text = blocks[i], _text(blocks[i])
    if not _NUMBERED.match(text):
        return False
    return isinstance(b, Heading) or (i + 1 < len(blocks) and _is_bullet(blocks[i + 1]))


def _collect_list(blocks: list[Block], i: int, found: _Priorities) -> int:
    """Items of a priorities list starting at ``i``; returns the index after the list."""
    n, started, count = len(blocks), False, 0
    kinds: set[str] = set()  # the forms of item met: a list keeps to one form
    while i < n:
        b, text = blocks[i], _text(blocks[i])
        if not isinstance(b, (Heading, Paragraph)) or _PRIORITY_LABEL.match(text):
            break
        if _numbered_item(blocks, i):
            kinds.add("numbered")
            found.add(text, _following(blocks, i + 1))
            i += 1
            while i < n and _is_bullet(blocks[i]):
                i += 1
            started = True
        elif _heading_item(blocks, i) and kinds <= {"heading"}:
            # 'Neglect' (a heading) with a paragraph under it: the paragraphs are its text
            i += 1
            texts = []
            while i < n and isinstance(blocks[i], Paragraph):
                texts.append(_text(blocks[i]))
                i += 1
            found.add(text, "\n".join(texts))
            started = True
            kinds.add("heading")
        elif isinstance(b, Heading):
            break
        elif _is_bullet(b):
            # one bullet per priority: '• Neglect – we will …' (label and text) or '• To reduce …';
            # the bullets nested under it (or '◆' items) are sub-items of its text
            named = _labelled(clean(b.text)[2:], b.bold_lead)
            i += 1
            subs = []
            while i < n and isinstance(blocks[i], Paragraph) and _is_sub(blocks, i, b, named is not None):
                sub = clean(blocks[i].text)[2:] if _is_bullet(blocks[i]) else _SUB_ITEM.sub("", _text(blocks[i]))
                subs.append("• " + _GLYPH.sub("", sub))
                i += 1
            if named:
                found.add(named[0], "\n".join([named[1].rstrip(";").strip()] + subs))
            else:
                count += 1
                found.add(f"Priority {count}", "\n".join([clean(b.text)[2:].rstrip(";").strip()] + subs))
            started = True
            kinds.add("item")
        elif _NUMBER.match(text) and isinstance(b, Paragraph):
            # '1. Neglect: children …' (a numbered list item): label with its number, and text
            items = _split_numbered(text)
            for item in items:
                num, rest = _NUMBER.match(item).group("num", "rest")
                named = _labelled(rest, b.bold_lead if len(items) == 1 else "")
                count += 1
                found.add(f"{num} {named[0]}" if named else f"Priority {count}", named[1] if named else rest)
            started = True
            kinds.add("item")
            i += 1
        elif _DASH_ITEM.match(text):
            m = _DASH_ITEM.match(text)
            found.add(m.group("label"), m.group("text"))
            started = True
            i += 1
        elif started:
            break
        else:
            i += 1  # an intro sentence before the items ('These are:')
    return i


def _split_numbered(text: str) -> list[str]:
    """'1. A … 2. B … 3. C …' (a numbered list a PDF line-joined into one paragraph) as its items:
    split only where the numbers run on in order."""
    items, expect, start = [], 2, 0
    for m in re.finditer(r"(?<=[.;!?])\s+(\d+)[.)]\s+(?=\S)", text):
        if int(m.group(1)) == expect:
            items.append(text[start:m.start()].strip())
            start, expect = m.start() + 1, expect + 1
    items.append(text[start:].strip())
    return items


def table_priorities(rows: list[list[str]]) -> list[Priority]:
    """Priorities declared in a table of their own: two or three columns, the first headed
    'Priority'/'Priorities' (or every first cell reading 'Priority 1 …'); each row below is one
    priority, label the first cell, text the next one with any."""
    rows = [[clean(t) for t in r] for r in rows if any(t.strip() for t in r)]
    if len(rows) < 2 or not 2 <= len(rows[0]) <= 3:
        return []
    head = one_line(rows[0][0])
    body = rows[1:]
    if not (re.fullmatch(r"(?:our\s+|key\s+|strategic\s+)?priorit(?:y|ies)(?:\s+areas?)?:?", head, re.I)):
        if not all(_PRIORITY_LABEL.match(one_line(r[0])) for r in rows):
            return []
        body = rows
    out = []
    for r in body:
        label, text = one_line(r[0]), next((t for t in r[1:] if t), "")
        if label and text and len(label) <= 120:
            out.append(Priority(label=label, text=text, themes=themes_for_text(text, label)))
    return out

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
    r"priorities (?:have been|were|are) (?:agreed|identified|set)|priorities are:$", re.I)
_DASH_ITEM = re.compile(r"^(?P<label>[^–—:]{2,80}?)\s+[–—]\s+(?P<text>.+)$")
_NUMBERED = re.compile(r"^\d+[.)]\s+\S")
_SUB_ITEM = re.compile(r"^[◆◇❖➢►▪◦o]\s*")


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
        if not text or label.lower() in self.labels:
            return
        self.labels.add(label.lower())
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
            if len(body.split()) > 5:
                found.add(m.group("label"), body)
            else:
                found.add(text.rstrip(":").strip(), _following(blocks, i + 1) or body or text)
            i += 1
        elif text and _PRIORITY_INTRO.search(text) and len(text) < 600:
            i = _collect_list(blocks, i + 1, found)
        else:
            i += 1
    for p in found.items:
        p.themes = themes_for_text(p.text, p.label)
    return found.items


def _numbered_item(blocks: list[Block], i: int) -> bool:
    b, text = blocks[i], _text(blocks[i])
    if not _NUMBERED.match(text):
        return False
    return isinstance(b, Heading) or (i + 1 < len(blocks) and _is_bullet(blocks[i + 1]))


def _collect_list(blocks: list[Block], i: int, found: _Priorities) -> int:
    """Items of a priorities list starting at ``i``; returns the index after the list."""
    n, started, count = len(blocks), False, 0
    while i < n:
        b, text = blocks[i], _text(blocks[i])
        if not isinstance(b, (Heading, Paragraph)) or _PRIORITY_LABEL.match(text):
            break
        if _numbered_item(blocks, i):
            found.add(text, _following(blocks, i + 1))
            i += 1
            while i < n and _is_bullet(blocks[i]):
                i += 1
            started = True
        elif isinstance(b, Heading):
            break
        elif _is_bullet(b):
            count += 1
            found.add(f"Priority {count}", clean(b.text)[2:].rstrip(";").strip())
            i += 1
            subs = []
            while i < n and isinstance(blocks[i], Paragraph) and _SUB_ITEM.match(_text(blocks[i])):
                subs.append("• " + _SUB_ITEM.sub("", _text(blocks[i])))
                i += 1
            if subs:  # '◆' sub-items belong to the bullet above
                found.extend_last(subs)
            started = True
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

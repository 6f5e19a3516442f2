"""Document-level facts: board name, title, plan period, declared priorities.

Read from the prose blocks around the tables, so they work for any reader.
"""

from __future__ import annotations

import re

from models.document import Block, Heading, Paragraph
from models.records import Priority
from normalise.dates import parse_period
from normalise.text import clean, one_line
from normalise.themes import themes_for_text

_BOARD = re.compile(
    r"\b((?:[A-Z][\w'&-]+\s){1,4}?)(Local\s+)?Safeguarding\s+Children(?:'s)?\s+(?:Board|Partnership)", re.U)
_BOARD_STOP = {"The", "A", "An", "Of", "All", "Each", "Every", "This", "Our", "Local"}
_PRIORITY_LABEL = re.compile(
    r"^(?P<label>(?:(?:Targeted|Strategic|Service|Step Change|Business|Overarching|Key)\s+)?Priority"
    r"(?:\s+(?:area\s+)?\d+)?)\s*(?:[-–:.]\s*)(?P<text>.*)$", re.I)
_PRIORITY_LIST_HEAD = re.compile(
    r"(?:strategic|service|targeted|business|step change)?\s*priorities\b.*(?:are|:)|"
    r"priorities have been agreed|^(?:strategic|service) priorities$", re.I)


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


def declared_priorities(blocks: list[Block]) -> list[Priority]:
    """'Targeted Priority 1- ...', 'Priority 1: Neglect', and lists under a priorities heading."""
    out: list[Priority] = []
    seen: set[str] = set()

    def add(label: str, text: str) -> None:
        text = clean(text)
        key = (label + text).lower()
        if text and key not in seen:
            seen.add(key)
            out.append(Priority(label=label, text=text, themes=themes_for_text(f"{label} {text}")))

    in_list = False
    for b in blocks:
        if not isinstance(b, (Heading, Paragraph)):
            in_list = False
            continue
        text = one_line(b.text)
        m = _PRIORITY_LABEL.match(text)
        if m and len(text) < 400:
            body = m.group("text").strip()
            if not body:  # "Priority 1: Neglect" as a heading with the text as its label
                body = text
            add(m.group("label").strip(), body)
            continue
        if _PRIORITY_LIST_HEAD.search(text) and len(text) < 300:
            in_list = True
            continue
        if in_list:
            if isinstance(b, Paragraph) and clean(b.text).startswith("• "):
                add(f"Priority {len(out) + 1}", text)
            elif isinstance(b, Heading) or len(text) > 300:
                in_list = False
    return out

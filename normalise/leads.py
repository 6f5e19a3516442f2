"""Splitting a lead cell into who leads: people with their roles, groups, and agencies.

Lead cells run several leads together ('Liz Murphy, Safeguarding Children
Business Manager', 'SSCB QA Officer/QA and E Group /Area Groups', 'Training
sub-group and Area Groups').  Splitting them lets researchers ask 'who leads on
what' across boards.  Word lists live in ``data/leads.toml``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from normalise.alternation import any_word
from normalise.lexicon import load
from normalise.text import text_cache

_PARTS = re.compile(r"\s*[/;]\s*|\s+[-–]\s+")
_AND = re.compile(r"\s+(?:and|&)\s+")
#: what every match of ``_NAME`` holds: a capitalised word, white space, a capital
_NAME_IN = re.compile(r"[A-Z][a-z'’-]+\s+[A-Z]")
_NAME = re.compile(r"^(?:(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.?\s+)?[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2}$")


@lru_cache(maxsize=1)
def _words() -> dict[str, re.Pattern]:
    data = load("leads")  # prefix trees (normalise/alternation.py): searched in many cells, only ever tested
    return {kind: any_word(sorted(data[kind]), re.I) for kind in ("roles", "groups", "agencies")}


@lru_cache(maxsize=1)
def _any_word() -> re.Pattern:
    """Any role, group or agency word: one pattern, one pass (a prefix tree: it is searched in
    every cell of a table, see ``normalise/alternation.py``)."""
    data = load("leads")
    return any_word(sorted({w for kind in ("roles", "groups", "agencies") for w in data[kind]}), re.I)


def _kind(text: str) -> str:
    """Role, group or agency: the last word decides ('SSCB Partnership Mgr' is a role), then any word."""
    w = _words()
    last = text.split()[-1] if text.split() else ""
    for kind, label in (("roles", "role"), ("groups", "group"), ("agencies", "agency")):
        if w[kind].fullmatch(last):
            return label
    if w["groups"].search(text):
        return "group"
    if w["roles"].search(text):
        return "role"
    if w["agencies"].search(text):
        return "agency"
    return "other"


def lead_kind(text: str) -> str:
    """'role', 'group', 'agency' or 'other': what a short label names (a matrix axis reads as groups
    when its labels do)."""
    return _kind(text) if text.strip() else "other"


def _pieces(text: str) -> list[str]:
    """Lines, then '/' and ';' separated parts; ' and ' splits only between two complete leads."""
    out = []
    for line in text.split("\n"):
        for part in _PARTS.split(line):
            part = part.strip(" ,.-–")
            if not part:
                continue
            halves = _AND.split(part)
            named = " & " not in part  # 'X & Y Officer' is one role; 'Lynne Thomas and PB Officer' two leads
            if len(halves) > 1 and all((_kind(h) != "other" or (named and _NAME.match(h))) and len(h.split()) >= 2
                                       for h in halves):
                out.extend(h.strip(" ,.") for h in halves)
            else:
                out.append(part)
    return out


def lead_parts(lead: str | None) -> list[dict[str, str]]:
    """The parts of a lead cell, each ``{"text", "kind"}`` (person parts add ``name``/``role``).

    Read once per distinct lead text (a board's leads come back on many rows); each call gets
    dicts of its own.
    """
    if not lead:
        return []
    return [dict(p) for p in _lead_parts(lead)]


@text_cache()
def _lead_parts(lead: str) -> tuple[dict[str, str], ...]:
    """:func:`lead_parts`, once per text (the dicts kept here are only ever copied)."""
    parts = []
    for piece in _pieces(lead):
        name, _, rest = piece.partition(",")
        if rest.strip() and _NAME.match(name.strip()) and not _words()["groups"].search(name):
            parts.append({"text": piece, "kind": "person", "name": name.strip(), "role": rest.strip()})
        elif _NAME.match(piece) and _kind(piece) == "other":
            parts.append({"text": piece, "kind": "person", "name": piece})
        else:
            parts.append({"text": piece, "kind": _kind(piece)})
    return tuple(parts)


def names_a_lead(text: str) -> bool:
    """Whether a short text names who leads: a role, a group or an agency, or one of its parts is
    a person's name (the content evidence of a lead column, see ``normalise/roles.py``)."""
    if _any_word().search(text):
        return True
    if _NAME_IN.search(text) is None:  # no part can be a name: a part is a piece of the text
        return False
    return any(_NAME.match(p.partition(",")[0].strip()) for p in _pieces(text))

"""Mapping table headers onto the common fields of the contract.

A header is normalised (case, punctuation, list numbering, dates such as
'Progress to 31 May 2014' or 'Review (November 2011)'), then looked up in the
column lexicon (``data/columns.toml``): exact synonyms first, then key words,
then a fuzzy match.  Unmatched headers stay unmapped and their columns go to
``extra`` under the header text, so nothing is dropped.  Every decision keeps
its reason, for ``explain``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import lru_cache
from typing import Any

from normalise.alternation import any_word
from normalise.lexicon import load
from normalise.text import norm_key, text_cache

_MONTHS = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?")
_DATE_BITS = [
    re.compile(rf"\b(?:to|at|as at|as of|until|by)?\s*\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\s+\d{{2,4}}", re.I),
    re.compile(rf"\b(?:to|at|as at|as of|until|by)?\s*(?:{_MONTHS})\s+\d{{2,4}}", re.I),
    re.compile(r"\b(?:q[1-4])\b", re.I),
    re.compile(r"\b\d{4}(?:\s*[-/]\s*\d{2,4})?\b"),
]


@dataclass(frozen=True)
class ColumnMap:
    """The field a column maps to (None: unmapped, goes to extra) and why.

    ``evidence`` (a :class:`normalise.roles.Evidence`) and ``runner_up`` are set when the
    field was chosen from the weighed evidence, for ``explain`` and the quality checks.
    """

    header: str
    field: str | None
    how: str
    evidence: Any = dc_field(default=None, compare=False, repr=False)
    runner_up: str | None = dc_field(default=None, compare=False)


@text_cache()
def header_key(header: str) -> str:
    """Normalised header: dates, numbering and punctuation removed (cached: the same header
    texts come back for every table of a plan and every row tried as a header row)."""
    text = header
    for pat in _DATE_BITS:
        text = pat.sub(" ", text)
    text = re.sub(r"^\s*\(?\d+[.)]\s*", "", text)
    return norm_key(text)


#: exact synonyms by key, per lexicon object: id -> (the lexicon, its synonyms); a few recent ones
_EXACT: dict[int, tuple[dict, dict[str, str]]] = {}


def _exact_synonyms(lex: dict) -> dict[str, str]:
    """The lexicon's exact synonyms by header key, field as value, in lexicon order.

    Built once per lexicon rather than for every header cell (a plan's
    tables try each cell of their first rows as a header).  The few most
    recent lexicons are kept, by identity; a lexicon is not changed once it
    is in use (``with_user_mapping`` builds a new one).
    """
    hit = _EXACT.get(id(lex))
    if hit is not None and hit[0] is lex:
        return hit[1]
    exact = {norm_key(x): name for name in lex["order"] for x in lex["fields"][name]["exact"]}
    if len(_EXACT) >= 8:
        _EXACT.pop(next(iter(_EXACT)))
    _EXACT[id(lex)] = (lex, exact)
    return exact


@lru_cache(maxsize=1 << 12)
def _word_pattern(word: str) -> re.Pattern[str]:
    """A lexicon key word as a whole-word pattern over header keys (compiled once per word)."""
    return re.compile(rf"\b{re.escape(norm_key(word))}\b")


#: the key words' alternation per lexicon object, as _EXACT keeps the synonyms
_WORDS: dict[int, tuple[dict, re.Pattern[str] | None]] = {}


def _key_words(lex: dict) -> re.Pattern[str] | None:
    """One pattern finding a key word of any field in a header key exactly where one of
    :func:`_word_pattern`'s does (``None``: a word keys to nothing, and its pattern would find a
    bare word boundary): most header texts tried (every cell of a table's first rows) hold none,
    and are then not searched once per word (``tests/test_fast_paths.py``)."""
    hit = _WORDS.get(id(lex))
    if hit is not None and hit[0] is lex:
        return hit[1]
    keys = [norm_key(w) for name in lex["order"] for w in lex["fields"][name]["words"]]
    found = any_word(keys) if keys and all(keys) else None
    if len(_WORDS) >= 8:
        _WORDS.pop(next(iter(_WORDS)))
    _WORDS[id(lex)] = (lex, found)
    return found


def _fuzzy(key: str, candidates: dict[str, str]) -> tuple[str, str, float] | None:
    try:
        from rapidfuzz import fuzz, process
    except ImportError:  # optional: exact/word matching still works
        return None
    hit = process.extractOne(key, list(candidates), scorer=fuzz.ratio)
    if hit and hit[1] >= 88:
        return candidates[hit[0]], hit[0], hit[1]
    return None


def with_user_mapping(user: dict) -> dict:
    """The built-in lexicon with a user's mapping file laid over it.

    A user file may name headers directly (``[columns]`` table: ``"Accountable body" = "lead"``,
    a field of ``extra`` keeps the column out of every field) and add synonyms per field
    (``[fields.lead] exact = [...]``, ``words = [...]``); the user's entries win.
    """
    base = load("columns")
    lex = {k: v for k, v in base.items() if k != "fields"}
    lex["fields"] = {name: {"exact": list(spec.get("exact", [])), "words": list(spec.get("words", []))}
                     for name, spec in base["fields"].items()}
    for name, spec in user.get("fields", {}).items():
        if name not in lex["fields"]:
            raise ValueError(f"unknown field '{name}' in mapping (fields: {', '.join(lex['order'])})")
        for kind in ("exact", "words"):
            lex["fields"][name][kind] = list(spec.get(kind, [])) + lex["fields"][name][kind]
    user_cols = {}
    for header, field in user.get("columns", {}).items():
        if field not in lex["fields"] and field != "extra":
            raise ValueError(f"unknown field '{field}' for header '{header}' in mapping")
        user_cols[header_key(header)] = field
    lex["user_columns"] = user_cols
    return lex


_ROLE = re.compile(r"\b(officer|manager|chair|director|head of|lead|coordinator|co-ordinator|nurse|doctor|"
                   r"administrator|group|sub-group|subgroup|board|panel|team|partners?|agenc(y|ies)|members?|"
                   r"services?|police|council|trust|ccg|lscb|sscb|executive)\b", re.I)


def content_field(values: list[str]) -> tuple[str, str] | None:
    """A field read from a column's values when its header says nothing: dates mean a
    timescale, people and groups mean a lead."""
    from normalise.dates import find_months

    vals = [v for v in values if v.strip()]
    if len(vals) < 2:
        return None
    dated = sum(bool(find_months(v)) or bool(re.search(r"\b(quarterly|annually|monthly|ongoing)\b", v, re.I))
                for v in vals)
    if dated >= 0.6 * len(vals) and all(len(v) < 80 for v in vals):
        return "timescale", f"content: {dated}/{len(vals)} values are dates"
    roles = sum(bool(_ROLE.search(v)) and len(v) < 150 for v in vals)
    if roles >= 0.6 * len(vals):
        return "lead", f"content: {roles}/{len(vals)} values name people, roles or groups"
    return None


def map_header(header: str, lexicon: dict | None = None) -> ColumnMap:
    """Map one (flattened) header text to a field.

    With the built-in lexicon the answer is cached per header text (:func:`_builtin_map`): every
    cell of a table's first rows is tried as a header, by the header search, the matrix test and
    the column roles, and a plan's tables bring the same texts back.  A user's lexicon (rare, and
    a dict) is read afresh each time.
    """
    if lexicon is None or lexicon is load("columns"):
        return _builtin_map(header)
    return _map_header(header, lexicon)


@text_cache()
def _builtin_map(header: str) -> ColumnMap:
    """:func:`map_header` with the built-in lexicon (a ``ColumnMap`` is frozen: sharing it is safe)."""
    return _map_header(header, load("columns"))


def _map_header(header: str, lexicon: dict | None = None) -> ColumnMap:
    """:func:`map_header`, uncached."""
    lex = lexicon or load("columns")
    fields = lex["fields"]
    key = header_key(header)
    if not key:
        return ColumnMap(header, None, "empty header")
    user = lex.get("user_columns", {})
    if key in user:
        field = user[key]
        return ColumnMap(header, None if field == "extra" else field, "user mapping file")
    if key in {norm_key(x) for x in lex.get("subcolumns", {}).get("extra", [])}:
        return ColumnMap(header, None, "sub-column kept as extra")
    # a two-level header: "Timescale: Start" maps by its parent first
    parent, _, child = header.partition(":")
    if child.strip():
        pk, ck = header_key(parent), header_key(child)
        for name in lex["order"]:
            if pk in {norm_key(x) for x in fields[name]["exact"]}:
                return ColumnMap(header, name, f"parent '{parent.strip()}' is a synonym of {name}")
        for name in lex["order"]:
            if ck in {norm_key(x) for x in fields[name]["exact"]}:
                return ColumnMap(header, name, f"'{child.strip()}' is a synonym of {name}")
    exact = _exact_synonyms(lex)
    if key in exact:
        return ColumnMap(header, exact[key], f"exact synonym '{key}'")
    any_word_of = _key_words(lex)
    if any_word_of is None or any_word_of.search(key):
        for name in lex["order"]:
            for word in fields[name]["words"]:
                if _word_pattern(word).search(key):
                    return ColumnMap(header, name, f"contains '{word}'")
    hit = _fuzzy(key, exact)
    if hit:
        return ColumnMap(header, hit[0], f"fuzzy match to '{hit[1]}' ({hit[2]:.0f})")
    return ColumnMap(header, None, "no synonym: kept in extra")


def is_matrix_corner(header: str, lexicon: dict | None = None) -> bool:
    return header_key(header) in _matrix_keys(lexicon, "corner")


def is_focus_row(label: str, lexicon: dict | None = None) -> bool:
    return header_key(label) in _matrix_keys(lexicon, "focus_rows")


@lru_cache(maxsize=2)
def _builtin_matrix_keys(kind: str) -> frozenset[str]:
    return frozenset(norm_key(x) for x in load("columns")["matrix"][kind])


def _matrix_keys(lexicon: dict | None, kind: str) -> frozenset[str]:
    """The keys of a matrix word list (``corner``, ``focus_rows``): the built-in lexicon's keyed once."""
    if lexicon is None or lexicon is load("columns"):
        return _builtin_matrix_keys(kind)
    return frozenset(norm_key(x) for x in lexicon["matrix"][kind])

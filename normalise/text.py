"""Text clean-up shared by all normalisation steps: whitespace, bullets, markup, joins."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from models.document import BULLET

T = TypeVar("T")
C = TypeVar("C")

_TEXT_CACHES: list[Any] = []


def text_cache(maxsize: int = 1 << 14) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """``functools.lru_cache`` for a pure function of document text, bounded, and registered
    so that :func:`forget_texts` empties it with the others.

    A plan repeats its texts (every row of a table is cleaned three times
    during analysis, an objective or section heading comes back with each of
    its actions, 'Ongoing' in every progress cell), and the functions of them
    are pure.  What such a function returns must not be changed by callers.
    """
    def wrap(fn: Callable[..., T]) -> Callable[..., T]:
        cached = lru_cache(maxsize=maxsize)(fn)
        _TEXT_CACHES.append(cached)
        return cached
    return wrap


def register_cache(cache: C) -> C:
    """Have :func:`forget_texts` empty ``cache`` too (anything with a ``cache_clear()``): a memo
    of document words kept outside ``text_cache`` (``normalise.nlp``'s lemmas)."""
    _TEXT_CACHES.append(cache)
    return cache


def forget_texts() -> None:
    """Empty every :func:`text_cache`: what ``bench/speed.py`` does between documents, so a
    fixture read again in a later round is timed as a new document, not served from memory."""
    for cached in _TEXT_CACHES:
        cached.cache_clear()


_SPACES = re.compile(r"\s+")
_BULLET_AT_START = re.compile(r"^\s*[•\uf0b7\u25aa\u25cf\u25e6\u25a0\uf0a7\u2219]\s*")
_TAGS = re.compile(r"</?(?:b|i|u|p|ul|ol|li|sup|sub|span|strong|em)(?:\s[^>]*)?>", re.I)
_MD = re.compile(r"(\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w))")
#: what :func:`clean` may change besides the ends: markup ('<', '*', '__'), '&amp;', a no-break space,
#: bullet glyphs, a new line, a run of spaces or any other white space; a text with none of them is clean
#: once stripped (``tests/test_fast_paths.py`` holds it to the full path)
_PLAIN_AS_IS = re.compile(r"[<&*_\u00a0•\uf0b7\u25aa\u25cf\u25e6\u25a0\uf0a7\u2219]|[^\S ]|  ")
_REF = re.compile(r"^(?:[A-Z]{1,3}\s?)?\d+(?:\.\d+)*(?:\.?[a-z])?\)?\.?$")
_REF_PREFIX = re.compile(r"^((?:[A-Z]{1,3}\s?)?\d+(?:\.\d+)+(?:\.?[a-z])?)[\s)]+(?=\S)")


@text_cache()
def clean(text: str | None) -> str:
    """Collapse whitespace inside lines, drop empty lines, normalise bullet glyphs and markup.

    Cached (:func:`text_cache`): table analysis reads every cell of a table
    several times (header search, indicator-list test, the table record), and
    each reading cleans it.
    """
    if not text:
        return ""
    if _PLAIN_AS_IS.search(text) is None:  # one line, single spaces, no markup, entity or bullet
        return text.strip()  # what the full clean-up leaves of it
    return _clean_full(text)


def _clean_full(text: str) -> str:
    """:func:`clean` step by step (the plain path, for any text)."""
    if not text:
        return ""
    text = _TAGS.sub(" ", text).replace("&amp;", "&").replace("\u00a0", " ")
    lines = []
    for raw in text.split("\n"):
        line = _MD.sub("", raw)
        m = _BULLET_AT_START.match(line)
        line = _SPACES.sub(" ", line[m.end():] if m else line).strip()
        if line:
            lines.append(BULLET + line if m else line)
        elif m:
            lines.append(BULLET.strip())
    # a lone bullet followed by its text on the next line is one item
    out: list[str] = []
    for line in lines:
        if out and out[-1] == BULLET.strip() and not line.startswith(BULLET):
            out[-1] = BULLET + line
        else:
            out.append(line)
    return "\n".join(ln for ln in out if ln != BULLET.strip())


def or_none(text: str | None) -> str | None:
    t = clean(text)
    return t or None


@text_cache()
def one_line(text: str | None) -> str:
    cleaned = clean(text)
    if _PLAIN_AS_IS.search(cleaned) is None:  # one stripped line: nothing below changes it
        return cleaned
    return _SPACES.sub(" ", cleaned.replace(BULLET, "")).strip()


def join_continuation(first: str | None, rest: str | None) -> str | None:
    """Join the two halves of a text a page break split: new line before a bullet, else a space."""
    if not rest:
        return first
    if not first:
        return rest
    if rest.startswith(BULLET):
        return f"{first}\n{rest}"
    if first.endswith("-") and rest[:1].islower():
        return first + rest
    return f"{first} {rest}"


def is_ref(text: str) -> bool:
    """A row reference such as ``1.1.a``, ``TP 2.3``, ``4.10``, ``1.3c``."""
    return bool(_REF.match(text.strip())) and len(text.strip()) <= 12


def split_ref(text: str) -> tuple[str | None, str]:
    """Split a leading dotted reference off a text ('1.1 Development of ...')."""
    m = _REF_PREFIX.match(text)
    if not m:
        return None, text
    return m.group(1), text[m.end():].lstrip()


_NOT_KEY = re.compile(r"[^0-9a-z]+")


@text_cache(maxsize=1 << 16)
def norm_key(text: str) -> str:
    """Lower-case letters and digits only, single spaces: the form headers are compared in.

    Cached: header mapping compares every header cell with the whole column
    lexicon, so the same few hundred synonyms are keyed again for every cell.
    """
    return _NOT_KEY.sub(" ", text.lower()).strip()

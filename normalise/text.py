"""Text clean-up shared by all normalisation steps: whitespace, bullets, markup, joins."""

from __future__ import annotations

import re

from models.document import BULLET

_BULLET_AT_START = re.compile(r"^\s*[•\uf0b7\u25aa\u25cf\u25e6\u25a0\uf0a7\u2219]\s*")
_TAGS = re.compile(r"</?(?:b|i|u|p|ul|ol|li|sup|sub|span|strong|em)(?:\s[^>]*)?>", re.I)
_MD = re.compile(r"(\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w))")
_REF = re.compile(r"^(?:[A-Z]{1,3}\s?)?\d+(?:\.\d+)*(?:\.?[a-z])?\)?\.?$")
_REF_PREFIX = re.compile(r"^((?:[A-Z]{1,3}\s?)?\d+(?:\.\d+)+(?:\.?[a-z])?)[\s)]+(?=\S)")


def clean(text: str | None) -> str:
    """Collapse whitespace inside lines, drop empty lines, normalise bullet glyphs and markup."""
    if not text:
        return ""
    text = _TAGS.sub(" ", text).replace("&amp;", "&").replace("\u00a0", " ")
    lines = []
    for raw in text.split("\n"):
        line = _MD.sub("", raw)
        m = _BULLET_AT_START.match(line)
        line = re.sub(r"\s+", " ", line[m.end():] if m else line).strip()
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


def one_line(text: str | None) -> str:
    return re.sub(r"\s+", " ", clean(text).replace(BULLET, "")).strip()


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


def norm_key(text: str) -> str:
    """Lower-case letters and digits only, single spaces: the form headers are compared in."""
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).strip()

"""An action's status from its RAG column or, failing that, its progress text.

Cues live in ``data/status.toml``.  Negated completion ('not yet in place',
'yet to be agreed') is removed before completion cues are looked for, so it
reads as not started rather than done.
"""

from __future__ import annotations

import re
from functools import lru_cache

from normalise.lexicon import load
from normalise.text import norm_key


@lru_cache(maxsize=1)
def _patterns() -> dict[str, list[re.Pattern]]:
    data = load("status")["text"]
    return {k: [re.compile(p, re.I) for p in v] for k, v in data.items()}


def from_rag(value: str | None) -> str | None:
    if not value:
        return None
    key = norm_key(value)
    for status, words in load("status")["rag"].items():
        if key in {norm_key(w) for w in words}:
            return status
    return None


def from_progress(text: str | None) -> str:
    """Judge status from progress text: delayed > not started > completed > in progress."""
    if not text or not text.strip():
        return "unknown"
    pats = _patterns()
    if any(p.search(text) for p in pats["delayed"]):
        return "delayed"
    negated = text
    hits_not = False
    for p in pats["not_started"]:
        if p.search(negated):
            hits_not = True
            negated = p.sub(" ", negated)
    done = any(p.search(negated) for p in pats["completed"])
    going = any(p.search(negated) for p in pats["in_progress"])
    if hits_not and not done:
        return "not_started"
    if hits_not:
        return "in_progress"
    if done and not going:
        return "completed"
    return "in_progress"


def judge(progress: str | None, rag: str | None = None) -> str:
    return from_rag(rag) or from_progress(progress)

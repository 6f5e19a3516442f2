"""An action's status from its RAG column or, failing that, its progress text.

Progress cells mix finished and unfinished work ('Strategy published; an
implementation plan will be presented in June').  So the text is split into
statements, each statement is classed (done, ongoing, future, not yet, delayed,
a bare reference such as 'See plan') by spaCy token patterns over lemmas from
``data/status.toml``, and the classes decide together.  Negation is a class of
its own ('not yet in place' is not 'in place'), checked before completion.
"""

from __future__ import annotations

import re
from functools import lru_cache

from normalise.lexicon import load
from normalise.nlp import TokenPatterns, lemma_doc, pipeline
from normalise.text import norm_key, text_cache

_SPLIT = re.compile(r"\n|;\s+|(?<=[a-z0-9)\]])\.\s+(?=[A-Z•])")


@lru_cache(maxsize=1)
def _matcher():
    """``(nlp, match)``: ``match(doc)`` gives the ``(cue group, start, end)`` of every cue in a doc.

    spaCy's ``Matcher`` tries every pattern at every token (~0.1 ms a
    statement, most of the status step); ``normalise.nlp.TokenPatterns`` gives
    the same matches trying each pattern only where its first word is, and is
    used whenever it knows every pattern.
    """
    nlp, attr = pipeline()  # first: it imports spaCy without its command line (normalise.nlp)
    from spacy.matcher import Matcher

    cues = {label: [[{(attr if k == "LEMMA" else k): v for k, v in tok.items()} for tok in pat] for pat in patterns]
            for label, patterns in load("status")["cues"].items()}
    fast = TokenPatterns.build(cues, nlp.vocab.strings)
    if fast is not None:
        return nlp, fast
    matcher = Matcher(nlp.vocab)
    for label, patterns in cues.items():
        matcher.add(label, patterns)
    return nlp, lambda doc: [(nlp.vocab.strings[mid], start, end) for mid, start, end in matcher(doc)]


def statements(text: str) -> list[str]:
    """Bullets, lines, sentences and '; '-joined activities of a progress text."""
    parts = [p.strip(" •-–\t") for p in _SPLIT.split(text)]
    return [p for p in parts if re.search(r"[A-Za-z]", p)]


def classify(statement: str) -> set[str]:
    """The cue groups of one statement ('not yet' cancels 'done'; no cue at all means done)."""
    return set(_classify(statement))


@text_cache()
def _classify(statement: str) -> frozenset[str]:
    """:func:`classify`, cached: progress cells repeat their statements ('Ongoing', 'Complete')."""
    _, match = _matcher()
    matches = match(lemma_doc(statement))
    # a cue inside a 'not yet' cue is negated by it: 'started' in 'not started' is no progress
    negated = [(s, e) for name, s, e in matches if name == "not_yet"]
    found = {name for name, s, e in matches
             if name == "not_yet" or not any(ns <= s and e <= ne for ns, ne in negated)}
    if "not_yet" in found:
        found.discard("done")
    if "reference" in found and len(found) > 1:
        found.discard("reference")
    return frozenset(found or {"done"})


def from_rag(value: str | None) -> str | None:
    if not value:
        return None
    key = norm_key(value)
    for status, words in load("status")["rag"].items():
        if key in {norm_key(w) for w in words}:
            return status
    return None


def from_progress(text: str | None, timescale: str | None = None) -> str:
    """Judge status from progress text (and a 'delayed' note in the timescale)."""
    if timescale and "delayed" in classify(timescale):
        return "delayed"
    if not text or not text.strip():
        return "unknown"
    per_statement = [classify(s) for s in statements(text)]
    classes = set().union(*per_statement) if per_statement else set()
    if not classes:
        return "unknown"
    if "delayed" in classes:
        return "delayed"
    if "final" in classes:
        return "completed"
    informative = classes - {"reference"}
    if not informative:
        return "unknown"
    if "ongoing" in informative:
        return "in_progress"
    done = "done" in informative
    open_ = bool(informative & {"future", "not_yet"})
    if done and not open_:
        return "completed"
    if open_ and not done:
        return "not_started"
    return "in_progress"


def judge(progress: str | None, rag: str | None = None, timescale: str | None = None) -> str:
    return from_rag(rag) or from_progress(progress, timescale)

"""The one spaCy pipeline the normaliser shares: blank English plus the lookup lemmatizer.

No statistical model is needed or downloaded: the lookup tables come from the
``spacy-lookups-data`` package.  If they are missing, matching falls back to
lower-case forms (the tagging still works, with fewer inflections matched).

Two fast paths keep spaCy's cost in proportion to the words of a document
rather than to the calls made on its cells (``docs/profiling.md``, "Where
normalise time goes"); each gives exactly what the plain spaCy call gives
(``tests/test_fast_paths.py``):

- :func:`lemma_doc` is ``nlp(text)``: the tokenizer, then each token's lookup
  lemma, looked up once per distinct word (``Language.__call__`` and the
  lemmatizer's per-token Python cost most of the time otherwise);
- :class:`TokenPatterns` is spaCy's ``Matcher`` for the token patterns the
  status cues are written in (``LOWER``/``LEMMA`` equal, ``IN`` a list or
  ``REGEX``, ``IS_SENT_START``, ``OP: "?"``): each pattern is tried only where
  its first token's word is, instead of every pattern at every token.
"""

from __future__ import annotations

import re
import sys
import types
from functools import lru_cache
from typing import Any

from normalise.text import register_cache


def _import_spacy() -> Any:
    """``import spacy`` without its command line.

    ``spacy/__init__.py`` imports ``spacy.cli`` for one name (``spacy.info``),
    and the command line pulls in weasel, typer, requests, httpx and jinja2:
    about 40 % of spaCy's import time, which every ``extract`` of one small
    plan paid.  The blank pipeline, the lemmatizer and the matchers never use
    it.  So while spaCy is first imported, ``spacy.cli`` is a stand-in; it is
    then taken out again, so a later ``import spacy.cli`` (or ``spacy.info()``)
    loads the real one.
    """
    if "spacy" in sys.modules or "spacy.cli" in sys.modules:
        import spacy
        return spacy
    cli = types.ModuleType("spacy.cli")
    cli.__path__ = []  # a package, so that ``spacy.cli.info`` can be a submodule of it
    info = types.ModuleType("spacy.cli.info")

    def lazy_info(*args: Any, **kwargs: Any) -> Any:
        from spacy.cli.info import info as real
        return real(*args, **kwargs)

    info.info = lazy_info  # type: ignore[attr-defined]
    sys.modules["spacy.cli"], sys.modules["spacy.cli.info"] = cli, info
    try:
        import spacy
    finally:
        for name in ("spacy.cli.info", "spacy.cli"):
            if sys.modules.get(name) in (cli, info):
                del sys.modules[name]
        parent = sys.modules.get("spacy")
        if parent is not None and getattr(parent, "cli", None) is cli:
            delattr(parent, "cli")
    return spacy


@lru_cache(maxsize=1)
def pipeline():
    """``(nlp, lemma_attr)``: the shared pipeline and the attribute lemma patterns should use.

    The pipeline is ``spacy.blank("en")`` with the lookup lemmatizer, as
    ``nlp.add_pipe("lemmatizer", config={"mode": "lookup"})`` then
    ``nlp.initialize()`` make it, but set up without ``initialize``: that
    copied the 41,582-word table into a spaCy ``Table`` keyed by word hash,
    about a tenth of a second of every command's start-up.  The lemmatizer
    reads the table as it comes from spacy-lookups-data instead, by the
    token's text (:class:`LookupByText`); the lemmas are the same
    (``tests/test_fast_paths.py`` holds the pipeline and :func:`lemma_doc`
    to one built the plain way).
    """
    return _without_collections(_build_pipeline)


def _without_collections(build):
    """``build()`` with Python's cyclic garbage collector paused, then what is alive exempted from it.

    Importing spaCy (thinc, numpy, pydantic's schemas) and building the pipeline allocate about a
    million objects that live as long as the process; the collector scanned them again and again
    while they were made (177 collections, 0.07-0.15 s of a one-plan ``extract``), and would go on
    scanning them in every later full collection.  So the collector is off while they are made,
    and ``gc.freeze()`` then moves everything alive into the permanent generation (the use
    ``gc.freeze`` is meant for, before a fork too: the import's workers share these pages).  Objects
    are still freed as their last reference goes; only cyclic garbage that exists at this moment
    (one-time garbage of the imports) is never collected.  Called once per process, early: by the
    first document's normalising, or ``batch.importer.preload`` before the workers fork.
    """
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        return build()
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _build_pipeline():
    """``pipeline()``'s work: the blank English pipeline and the lookup lemmatizer."""
    spacy = _import_spacy()

    nlp = spacy.blank("en")
    try:
        table = _lemma_lookup_data()
        from spacy.lookups import Lookups

        pipe = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        lookups = Lookups()
        lookups.add_table("lemma_lookup", {})  # what the lemmatizer checks it has; its words are in ``table``
        pipe.initialize(lookups=lookups)
        pipe.lemmatize = LookupByText(table)
        return nlp, "LEMMA"
    except Exception:  # spacy-lookups-data missing: lower-case matching only
        return spacy.blank("en"), "LOWER"


def _lemma_lookup_data() -> dict:
    """English ``lemma_lookup`` from spacy-lookups-data, word -> lemma (or lemmas), read as
    ``spacy.lookups.load_lookups("en", ["lemma_lookup"])`` reads it (``ValueError`` without it)."""
    from spacy.util import load_language_data, registry

    if "en" not in registry.lookups:
        raise ValueError("no spaCy lookups data for English (pip install spacy-lookups-data)")
    tables = registry.lookups.get("en")
    if "lemma_lookup" not in tables:
        raise ValueError("no English lemma_lookup table in spacy-lookups-data")
    table = load_language_data(tables["lemma_lookup"])
    if not isinstance(table, dict):
        raise ValueError("spacy-lookups-data's English lemma_lookup is not a table")
    return table


class LookupByText:
    """The lookup lemmatizer's ``lookup_lemmatize`` on the table as loaded, by the token's text.

    spaCy's ``Table`` keys a word by ``get_string_id(word)`` and looks a token
    up by ``get_string_id(token.text)``: the same word gives the same key, so a
    plain dict by word answers the same (``tests/test_fast_paths.py`` checks
    every word of the table both ways).
    """

    def __init__(self, table: dict) -> None:
        self.table = table

    def __call__(self, token) -> list[str]:
        text = token.text
        result = self.table.get(text, text)
        return [result] if isinstance(result, str) else result


#: a word memo is emptied when it holds this many words (a process reading thousands of plans stays flat)
MAX_WORDS = 1 << 17


class _Lemmas(dict):
    """Lemma hash per word hash: the lookup lemmatizer's answer, asked once per distinct word.

    A lookup lemma is a function of the token's text alone; emptied by
    ``normalise.text.forget_texts`` with the text caches, and past ``MAX_WORDS`` words.
    """

    def cache_clear(self) -> None:
        self.clear()

    def bounded(self) -> _Lemmas:
        if len(self) >= MAX_WORDS:
            self.clear()
        return self


_LEMMAS = register_cache(_Lemmas())


@lru_cache(maxsize=1)
def _lemma_table() -> tuple[dict, bool] | None:
    """The lookup lemmatizer's table (a dict by word) and its ``overwrite`` flag, when
    :func:`lemma_doc` may stand for ``nlp(text)``: the lemmatizer the only pipe, in lookup mode,
    reading the table by text (:class:`LookupByText`)."""
    nlp, attr = pipeline()
    if attr != "LEMMA" or nlp.pipe_names != ["lemmatizer"]:
        return None
    pipe = nlp.get_pipe("lemmatizer")
    if pipe.mode != "lookup" or type(pipe.lemmatize) is not LookupByText:
        return None
    return pipe.lemmatize.table, bool(pipe.overwrite)


_NONE = object()


def lemma_doc(text: str):
    """``nlp(text)``: the same tokens and lemmas, each distinct word's lemma looked up once.

    The lookup lemmatizer gives a token ``table.get(token.text, token.text)``
    (the first of a list); the token's text is the string of its ``orth``, so
    the lemma is a function of ``orth``.
    """
    nlp, _ = pipeline()
    found = _lemma_table()
    if found is None:
        return nlp(text)
    table, overwrite = found
    doc = nlp.make_doc(text)
    memo, strings, get = _LEMMAS, nlp.vocab.strings, table.get
    for tok in doc:
        if overwrite or tok.lemma == 0:  # as the lemmatizer: a lemma the tokenizer set is kept
            orth = tok.orth
            lemma = memo.get(orth)
            if lemma is None:
                memo = memo.bounded()
                value = get(strings[orth], _NONE)
                if value is _NONE:
                    lemma = orth  # no entry: the word is its own lemma
                else:
                    lemma = strings.add(value if isinstance(value, str) else value[0])
                memo[orth] = lemma
            tok.lemma = lemma
    return doc


# --- token patterns ------------------------------------------------------------------------------------------

_EQ, _IN, _RE, _SENT = range(4)
_ATTRS = ("LOWER", "LEMMA", "ORTH")


def _checks(spec: dict, strings) -> list[tuple[int, str, Any]] | None:
    """One token spec as checks ``(kind, attribute, value)`` on word hashes (``None``: unsupported)."""
    out: list[tuple[int, str, Any]] = []
    for key, value in spec.items():
        if key == "OP":
            continue
        if key == "IS_SENT_START" and isinstance(value, bool):
            out.append((_SENT, "SENT", value))
        elif key not in _ATTRS:
            return None
        elif isinstance(value, str):
            out.append((_EQ, key, strings.add(value)))
        elif isinstance(value, dict) and list(value) == ["IN"] and all(isinstance(x, str) for x in value["IN"]):
            out.append((_IN, key, frozenset(strings.add(x) for x in value["IN"])))
        elif isinstance(value, dict) and list(value) == ["REGEX"] and isinstance(value["REGEX"], str):
            out.append((_RE, key, re.compile(value["REGEX"])))
        else:
            return None
    return out


class TokenPatterns:
    """spaCy's ``Matcher`` for plain token patterns: ``__call__(doc)`` gives every ``(label,
    start, end)`` the Matcher gives (as a set: the Matcher's order and repeats carry no meaning
    here).  :meth:`build` returns ``None`` for a pattern it does not know, and the caller keeps
    spaCy's ``Matcher``.

    Words are compared as the hashes spaCy keeps them by (``Doc.to_array``, no ``Token``
    objects); each pattern is tried only at the words its first token may be (a regular
    expression there is run once per distinct word; the memo is emptied with the text caches).
    """

    def __init__(self, strings) -> None:
        self.strings = strings
        self.by_word: dict[tuple[str, int], list[tuple[str, list]]] = {}  # (attr, first word) -> patterns
        self.by_regex: list[tuple[str, re.Pattern, str, list]] = []     # first word by a regex
        self.anywhere: list[tuple[str, list]] = []                       # first token optional, or no word
        self.attrs: set[str] = set()
        self._by_attr: dict[str, _Lemmas] = {}  # see _memo
        self._regexes: dict[str, tuple[Any, list[tuple[str, re.Pattern, list]]]] = {}  # see _starting

    @classmethod
    def build(cls, patterns: dict[str, list[list[dict]]], strings) -> TokenPatterns | None:
        self = cls(strings)
        for label, pats in patterns.items():
            for pat in pats:
                steps = []
                for spec in pat:
                    checks = _checks(spec, strings)
                    if checks is None or spec.get("OP") not in (None, "?"):
                        return None
                    steps.append((checks, spec.get("OP") == "?"))
                    self.attrs |= {k for _, k, _ in checks if k != "SENT"}
                if not steps:
                    return None
                first, optional = steps[0]
                eq = next(((k, v) for kind, k, v in first if kind == _EQ), None)
                within = next(((k, v) for kind, k, v in first if kind == _IN), None)
                regex = next(((k, v) for kind, k, v in first if kind == _RE), None)
                if optional or (eq, within, regex) == (None, None, None):
                    self.anywhere.append((label, steps))
                elif eq is not None:
                    self.by_word.setdefault(eq, []).append((label, steps))
                elif within is not None:
                    for v in within[1]:
                        self.by_word.setdefault((within[0], v), []).append((label, steps))
                elif regex is not None:
                    self.by_regex.append((label, regex[1], regex[0], steps))
        return self

    def _starting(self, k: str, word: int) -> tuple[tuple[str, list], ...]:
        """The patterns whose first token may be this word (by ``k``); :meth:`__call__` asks once
        per word (:meth:`_memo`).  The first-token regexes of ``k`` are tried one by one only where
        their alternation (:meth:`_regexes_of`) finds something: most words start none."""
        found = tuple(self.by_word.get((k, word), ()))
        either, regexes = self._regexes.get(k) or self._regexes_of(k)
        if not regexes:
            return found
        text = self.strings[word]
        if either is not None and either.search(text) is None:
            return found
        return found + tuple((label, steps) for label, regex, steps in regexes if regex.search(text))

    def _regexes_of(self, k: str) -> tuple[Any, list[tuple[str, re.Pattern, list]]]:
        """The first-token regexes of attribute ``k`` in pattern order, and one alternation of them
        all (``normalise.alternation.any_of``): it finds something in a word exactly when one of
        them does (``None`` where the alternation could read differently: a back-reference, a
        group name, an inline flag)."""
        from normalise.alternation import any_of

        regexes = [(label, regex, steps) for label, regex, attr, steps in self.by_regex if attr == k]
        either = None
        sources = [regex.pattern for _, regex, _ in regexes]
        flags = {regex.flags for _, regex, _ in regexes}
        if len(regexes) > 1 and len(flags) == 1 and not any(
                re.search(r"\\[1-9]|\(\?", src) for src in sources):
            either = any_of(sources, flags.pop())
        self._regexes[k] = found = (either, regexes)
        return found

    def _memo(self, k: str) -> _Lemmas:
        """:meth:`_starting`'s answers for attribute ``k`` by word (one memo per attribute: no key
        tuple per token; emptied with the text caches)."""
        memo = self._by_attr.get(k)
        if memo is None:
            memo = self._by_attr[k] = register_cache(_Lemmas())
        return memo.bounded()

    def __call__(self, doc) -> set[tuple[str, int, int]]:
        from spacy.attrs import IDS

        n = len(doc)
        if not n:
            return set()
        names = sorted(self.attrs)
        cols = doc.to_array([IDS[k] for k in names] + [IDS["SENT_START"]]).T.tolist()
        words: dict[str, list] = dict(zip(names, cols, strict=False))
        words["SENT"] = [x == 1 for x in cols[-1]]  # the Matcher's IS_SENT_START: sent_start == 1
        out: set[tuple[str, int, int]] = set()
        strings, anywhere = self.strings, self.anywhere
        for k in names:
            memo = self._memo(k)
            get = memo.get
            for i, word in enumerate(words[k]):
                pats = get(word)
                if pats is None:
                    pats = memo[word] = self._starting(k, word)
                if not pats:  # most words start no pattern
                    continue
                for label, steps in pats:
                    for end in _ends(steps, 0, words, i, n, strings):
                        out.add((label, i, end))
        for i in range(n) if anywhere else ():
            for label, steps in anywhere:
                for end in _ends(steps, 0, words, i, n, strings):
                    if end > i:  # the Matcher gives no empty match
                        out.add((label, i, end))
        return out


def _ok(checks: list[tuple[int, str, Any]], words: dict[str, list], i: int, strings) -> bool:
    for kind, k, v in checks:
        x = words[k][i]
        if kind == _EQ:
            if x != v:
                return False
        elif kind == _IN:
            if x not in v:
                return False
        elif kind == _RE:
            if v.search(strings[x]) is None:
                return False
        elif x is not v:
            return False
    return True


def _ends(steps: list, k: int, words: dict, i: int, n: int, strings) -> list[int]:
    """Where a pattern's steps from ``k`` on, matched from token ``i``, can end."""
    while k < len(steps):
        checks, optional = steps[k]
        if optional:
            ends = _ends(steps, k + 1, words, i, n, strings)
            if i < n and _ok(checks, words, i, strings):
                ends += _ends(steps, k + 1, words, i + 1, n, strings)
            return ends
        if i >= n or not _ok(checks, words, i, strings):
            return []
        k, i = k + 1, i + 1
    return [i]

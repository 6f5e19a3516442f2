"""The one spaCy pipeline the normaliser shares: blank English plus the lookup lemmatizer.

No statistical model is needed or downloaded: the lookup tables come from the
``spacy-lookups-data`` package.  If they are missing, matching falls back to
lower-case forms (the tagging still works, with fewer inflections matched).
"""

from __future__ import annotations

import sys
import types
from functools import lru_cache
from typing import Any


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
    """``(nlp, lemma_attr)``: the shared pipeline and the attribute lemma patterns should use."""
    spacy = _import_spacy()

    nlp = spacy.blank("en")
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        return nlp, "LEMMA"
    except Exception:  # spacy-lookups-data missing: lower-case matching only
        return spacy.blank("en"), "LOWER"

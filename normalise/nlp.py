"""The one spaCy pipeline the normaliser shares: blank English plus the lookup lemmatizer.

No statistical model is needed or downloaded: the lookup tables come from the
``spacy-lookups-data`` package.  If they are missing, matching falls back to
lower-case forms (the tagging still works, with fewer inflections matched).
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def pipeline():
    """``(nlp, lemma_attr)``: the shared pipeline and the attribute lemma patterns should use."""
    import spacy

    nlp = spacy.blank("en")
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
        return nlp, "LEMMA"
    except Exception:  # spacy-lookups-data missing: lower-case matching only
        return spacy.blank("en"), "LOWER"

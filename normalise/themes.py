"""Theme tagging: safeguarding theme ids for actions and priorities, on spaCy rules.

A blank English pipeline with the lookup lemmatizer (from spacy-lookups-data,
installed as a package, so nothing is downloaded) lets one cue phrase match
its inflections ('audit' / 'audits' / 'audited').  Cue phrases come from
``data/themes.toml``; abbreviations match case-sensitively as whole tokens so
'DA' (domestic abuse) does not fire on 'da' inside a name.  Themes are ranked
by weighted hits, the action text counting more than the progress text.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from normalise.lexicon import load
from normalise.nlp import pipeline
from normalise.text import text_cache

MAX_THEMES = 3


@lru_cache(maxsize=1)
def _matchers():
    nlp, attr = pipeline()  # first: it imports spaCy without its command line (normalise.nlp)
    from spacy.matcher import PhraseMatcher

    lemma_matcher = PhraseMatcher(nlp.vocab, attr=attr)
    lower_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    abbrev_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    for theme, spec in load("themes").items():
        cues = [c.lower() for c in spec.get("cues", [])]
        lemma_matcher.add(theme, list(nlp.pipe(cues)))
        lower_matcher.add(theme, [nlp.make_doc(c) for c in cues])
        abbrev_matcher.add(theme, [nlp.make_doc(a) for a in spec.get("abbrev", [])])
    return nlp, (lemma_matcher, lower_matcher, abbrev_matcher)


def theme_hits(text: str | None) -> Counter[str]:
    """Per theme, the number of lines of ``text`` that mention it (a list of five bullets on
    five subjects is five subjects, not one subject five times)."""
    if not text:
        return Counter()
    hits: Counter[str] = Counter()
    for line in text.split("\n"):
        hits.update(_line_themes(line))
    return hits


@text_cache()
def _line_themes(line: str) -> frozenset[str]:
    """The themes one line mentions (cached: an objective or section heading comes back with
    every one of its actions, and spaCy's pipeline is most of the normaliser's time)."""
    nlp, (lemma_matcher, lower_matcher, abbrev_matcher) = _matchers()
    line = line.replace("/", " / ")
    lowered, cased = nlp(line.lower()), nlp.make_doc(line)  # lookup lemmas are lower-case
    found = {nlp.vocab.strings[m] for m, _, _ in lemma_matcher(lowered)}
    found |= {nlp.vocab.strings[m] for m, _, _ in lower_matcher(lowered)}
    found |= {nlp.vocab.strings[m] for m, _, _ in abbrev_matcher(cased)}
    return frozenset(found)


def rank(weighted: list[tuple[str | None, float]], limit: int = MAX_THEMES, share: float = 0.5) -> list[str]:
    """Themes of several texts, each with its weight, best first (ties by name); a theme must
    score at least ``share`` of the best one."""
    score: Counter[str] = Counter()
    for text, weight in weighted:
        for theme, n in theme_hits(text).items():
            score[theme] += weight * n
    if not score:
        return []
    top = max(score.values())
    ranked = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))
    return [t for t, s in ranked if s >= share * top][:limit]


def themes_for_action(action: str | None, progress: str | None = None, outcome: str | None = None,
                      priority: str | None = None, objective: str | None = None,
                      section: str | None = None) -> list[str]:
    """The action text decides; its aim, priority and outcome confirm; progress and the
    section heading only break ties (a CDOP sub-group's 'annual report' is about child deaths)."""
    return rank([(action, 3.0), (objective, 1.0), (priority, 1.0), (outcome, 1.0), (progress, 0.5),
                 (section, 0.6)])


def themes_for_text(text: str | None, label: str | None = None) -> list[str]:
    """Themes of a priority: its label names the subject, its text details it."""
    return rank([(label, 2.0), (text, 1.0)], share=0.3)

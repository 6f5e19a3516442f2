"""Theme tagging: safeguarding theme ids for actions and priorities, on spaCy rules.

A blank English pipeline with the lookup lemmatizer (from spacy-lookups-data,
installed as a package, so nothing is downloaded) lets one cue phrase match
its inflections ('audit' / 'audits' / 'audited').  Cue phrases come from
``data/themes.toml``; abbreviations match case-sensitively as whole tokens so
'DA' (domestic abuse) does not fire on 'da' inside a name.  Themes are ranked
by weighted hits, the action text counting more than the progress text.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from normalise.lexicon import load
from normalise.nlp import lemma_doc, pipeline
from normalise.text import text_cache

MAX_THEMES = 3


@lru_cache(maxsize=1)
def _matchers():
    nlp, attr = pipeline()  # first: it imports spaCy without its command line (normalise.nlp)
    from spacy.matcher import PhraseMatcher

    lemma_matcher = PhraseMatcher(nlp.vocab, attr=attr)
    lower_matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    abbrev_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
    firsts = set()  # the first word of every abbreviation
    for theme, spec in load("themes").items():
        cues = [c.lower() for c in spec.get("cues", [])]
        lemma_matcher.add(theme, list(nlp.pipe(cues)))
        lower_matcher.add(theme, [nlp.make_doc(c) for c in cues])
        abbrevs = [nlp.make_doc(a) for a in spec.get("abbrev", [])]
        abbrev_matcher.add(theme, abbrevs)
        firsts |= {d[0].text for d in abbrevs if len(d)}
    # an abbreviation matches whole tokens, so its first word is somewhere in the line's text: a line
    # holding none of them (most lines) is not tokenized a second time, in its own case, for nothing
    may_abbrev = re.compile("|".join(re.escape(w) for w in sorted(firsts, key=len, reverse=True))) if firsts else None
    return nlp, (lemma_matcher, lower_matcher, abbrev_matcher), may_abbrev


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
    nlp, (lemma_matcher, lower_matcher, abbrev_matcher), may_abbrev = _matchers()
    line = line.replace("/", " / ")
    lowered = lemma_doc(line.lower())  # lookup lemmas are lower-case
    found = {nlp.vocab.strings[m] for m, _, _ in lemma_matcher(lowered)}
    found |= {nlp.vocab.strings[m] for m, _, _ in lower_matcher(lowered)}
    if may_abbrev is not None and may_abbrev.search(line):
        found |= {nlp.vocab.strings[m] for m, _, _ in abbrev_matcher(nlp.make_doc(line))}
    return frozenset(found)


def rank(weighted: list[tuple[str | None, float]], limit: int = MAX_THEMES, share: float = 0.5) -> list[str]:
    """Themes of several texts, each with its weight, best first (ties by name); a theme must
    score at least ``share`` of the best one."""
    score: dict[str, float] = {}
    for text, weight in weighted:
        if not text:
            continue
        if "\n" not in text:  # one line (most texts): each of its themes once, as theme_hits counts it
            for theme in _line_themes(text):
                score[theme] = score.get(theme, 0) + weight * 1
            continue
        for theme, n in theme_hits(text).items():
            score[theme] = score.get(theme, 0) + weight * n
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
    """Themes of a declared priority: the subjects its label and text are about, with no fixed cap
    (Staffordshire's 'vulnerable groups, with a focus on: hidden harm; domestic violence; resistant
    families; mosques and madrassahs; sexual exploitation' declares five).

    - Themes the label names come first: when it names one ('Priority 1: Neglect'), the text
      details that subject, and a theme of the text joins it where the text declares it:
      a list item opening with it ('• Early Help', '• Substance Abuse'); a need, harm or service
      (a theme not of ``kind = "practice"``) named in a sentence of what the board will do
      ('response at the early stage of indicators of neglect through early help': a researcher
      asking which boards made early help a priority expects this one); or any theme its own
      sentences mention as often as the most mentioned one.  A practice theme named less often
      gives way (it is how the subject is worked on), and so does a theme cited in evidence — a
      list item not opening with it (a 'Why?' bullet citing child protection plan figures or a
      serious case review) or a sentence citing figures or a source ('45% in 2009', '(Brandon
      et al 2012)', '(SCIE Case Review).').
    - When the label names none ('Targeted Priority 4', 'People'), every line of the text counts,
      and a theme is kept at half the score of the best one (a list of five items on five
      subjects is five subjects).
    - In one line, a practice theme (``kind = "practice"`` in ``data/themes.toml``: guidance,
      awareness, audit, training…) gives way to a need or harm named beside it: 'practice guidance
      and greater awareness about working with highly resistant families' is about those families.

    Cues overlapping in a line are read as the longest ('emotional health' is mental health, not
    health).  Ties go to the cue that comes first.  At most ``MAX_THEMES`` themes, or one per line
    of text (plus those of the label) where the text has more lines: the count scales with the text.
    """
    lines = [line for line in (text or "").split("\n") if line.strip()]
    named = [theme for theme, _, _ in _cue_spans(label or "")]
    named = list(dict.fromkeys(named))
    score: Counter[str] = Counter()
    first: dict[str, tuple[int, int]] = {}
    if named:
        statement: Counter[str] = Counter()
        declared: set[str] = set()
        for i, line in enumerate(lines):
            spans = _line_subjects(line)
            for theme, start, _ in spans:
                first.setdefault(theme, (i, start))
            if _BULLET.match(line):  # a sub-item: it names a sub-area only by opening with it
                opening = _opening(line)
                score.update({t: 1 for t, s, _ in spans if s == opening})
            else:
                statement.update(t for t, _, _ in spans)
                declared.update(t for sentence in _SENTENCE.split(line) if not _EVIDENCE.search(sentence)
                                for t, _, _ in _line_subjects(sentence) if t not in _practice())
        if statement:
            top = max(statement.values())
            score.update({t: n for t, n in statement.items() if n >= top or t in declared})
        kept = [t for t in score if t not in named]
    else:
        for i, line in enumerate(lines):
            for theme, start, _ in _line_subjects(line):
                first.setdefault(theme, (i, start))
                score[theme] += 1
        top = max(score.values(), default=0)
        kept = [t for t, n in score.items() if n >= 0.5 * top]
    kept.sort(key=lambda t: (-score[t], first[t]))
    limit = max(MAX_THEMES, len(named) + len(lines))
    return (named + kept)[:limit]


#: Sentences of one line: a paragraph may give the reason ('Why?') beside what the board will do.
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\W])")
#: A sentence citing figures or a source ('45% in 2009', '(Brandon et al 2012)', '(SCIE Case
#: Review).' closing it) is evidence for a priority, not what the priority is about.
_EVIDENCE = re.compile(r"\d\s?%|\bper\s?cent\b|\([^()]*\b(?:19|20)\d\d\b[^()]*\)"
                       r"|\([A-Z][^\s()]*(?:\s+(?:of|and|for|the|&|[A-Z][^\s()]*))+\)\W*$")
_BULLET = re.compile(r"^\s*(?:[•◆◇❖➢►▪◦]|[-*](?=\s))\s*")
_LEAD_IN = re.compile(r"^(?:\s*[•◆◇❖➢►▪◦\-*]\s*|\s*(?:\d+[.)]|[a-z][.)])\s+|\s*(?:the|a|an)\s+)+", re.I)


def _opening(line: str) -> int:
    """Where a list item's first word starts, past its bullet, number and article."""
    return len(_LEAD_IN.match(line).group(0)) if _LEAD_IN.match(line) else len(line) - len(line.lstrip())


@lru_cache(maxsize=1)
def _practice() -> frozenset[str]:
    return frozenset(t for t, spec in load("themes").items() if spec.get("kind") == "practice")


def _line_subjects(line: str) -> tuple[tuple[str, int, int], ...]:
    """The cues of one line, with practice themes dropped where the line names a need or harm."""
    spans = _cue_spans(line)
    practice = _practice()
    if any(t not in practice for t, _, _ in spans):
        spans = tuple(s for s in spans if s[0] not in practice)
    return spans


@text_cache()
def _cue_spans(line: str) -> tuple[tuple[str, int, int], ...]:
    """Every cue of ``line`` as (theme, start, end) (character offsets, a '/' spaced out as the
    matcher reads it: 'CSE / Missing'), in order.  Of cues that overlap the longest is kept, so one
    stretch counts once ('child protection plan': 'child protection' and 'protection plan'), and a
    name with its abbreviation beside it is one mention ('Serious Case Reviews [SCRs]')."""
    if not line.strip():
        return ()
    nlp, (lemma_matcher, lower_matcher, abbrev_matcher), _ = _matchers()
    spaced = line.replace("/", " / ")
    lowered, cased = lemma_doc(spaced.lower()), nlp.make_doc(spaced)
    found = set()
    for doc, matchers in ((lowered, (lemma_matcher, lower_matcher)), (cased, (abbrev_matcher,))):
        for matcher in matchers:
            for m, start, end in matcher(doc):
                found.add((nlp.vocab.strings[m], doc[start].idx, doc[end - 1].idx + len(doc[end - 1])))
    kept: list[tuple[str, int, int]] = []
    for theme, start, end in sorted(found, key=lambda s: (-(s[2] - s[1]), s[1])):
        if not any(k[1] < end and start < k[2] for k in kept):
            kept.append((theme, start, end))
    merged: list[tuple[str, int, int]] = []
    for theme, start, end in sorted(kept, key=lambda s: s[1]):
        if merged and merged[-1][0] == theme and _JOINER.fullmatch(spaced[merged[-1][2]:start]):
            merged[-1] = (theme, merged[-1][1], end)  # 'Serious Case Reviews [SCRs]': one mention
        else:
            merged.append((theme, start, end))
    return tuple(merged)


_JOINER = re.compile(r"[\s\[\](){}/,:–-]*")

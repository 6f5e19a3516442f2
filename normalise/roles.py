"""Column roles from evidence: the header, the cells and the column's place, weighed together.

Every board words its headers its own way, so a header is evidence, never the
verdict.  For each column of a table this module scores every field from

- the header: the column lexicon (``data/columns.toml``: exact, key words,
  fuzzy) and general header forms (``data/roles.toml``: questions such as
  'Who is responsible?', verb phrases, the words headers of a field are made
  of), any case, numbering, dates and bracketed units stripped;
- the cells: dates and quarters mean a timescale, people, roles, groups and
  agencies a lead, short codes a reference, long instruction text an action,
  reports in the past or present tense a progress note, measures an outcome,
  RAG words a status; cheap regular expressions per distinct cell text;
- the column's place, a weak prior: a reference comes first, the action is the
  widest text column before the lead and timescale.

A header the cells contradict ('Lead' over a column of dates) is questioned:
its weight drops and the contradiction is kept for the quality checks.  Then
fields are assigned to columns jointly (each field at most once, a
Start/End pair under one header counting as one unit; a column may stay
``extra``) by an exact search maximising the total evidence.  A user mapping
file still wins.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import repeat

from normalise.alternation import any_of
from normalise.columns import ColumnMap, header_key, map_header
from normalise.dates import find_months
from normalise.leads import names_a_lead
from normalise.lexicon import load
from normalise.text import is_ref, norm_key, text_cache

FIELDS = ("ref", "priority", "objective", "action", "lead", "timescale", "progress", "outcome", "status",
          "section")
#: fields the cells can vouch for or against by their form (dates, names, codes, RAG words)
CHECKABLE = ("lead", "timescale", "ref", "status")
#: evidence below which a column stays extra (header and content added)
THRESHOLD = 0.5
#: header evidence by how the lexicon matched
_LEXICON_SCORE = (("user mapping", 10.0), ("exact synonym", 1.0), ("parent", 1.0), ("is a synonym", 0.9),
                  ("contains", 0.85), ("fuzzy", 0.7))
_FORM_SCORE = 0.7


@dataclass(frozen=True)
class ColumnFacts:
    """What the layout reader knows of a column: its body cells and how they sit."""

    values: tuple[str, ...]     # one-line texts of the column's own single-column body cells
    rows: int                   # body rows with any text
    tall: bool                  # some of its cells span several rows (labels of row groups)
    spanned: float = 0.0        # share of body rows inside such multi-row cells


@dataclass(frozen=True)
class Evidence:
    """The scores behind a column's role, per field, each with its reason."""

    header: dict[str, tuple[float, str]]
    content: dict[str, tuple[float, str]]
    prior: dict[str, tuple[float, str]]
    questioned: str | None = None       # the header field the cells contradict, and why

    def total(self, name: str) -> float:
        return self.totals.get(name, 0.0)

    @cached_property
    def totals(self) -> dict[str, float]:
        """Header, content and place added up per field (once: the search asks many times)."""
        out: dict[str, float] = {}
        for part in (self.header, self.content, self.prior):
            for name, (score, _) in part.items():
                out[name] = out.get(name, 0.0) + score
        return out

    def ranked(self) -> list[tuple[str, float]]:
        scores = [(f, round(self.total(f), 2)) for f in FIELDS if self.total(f) > 0]
        return sorted(scores, key=lambda x: -x[1])


@lru_cache(maxsize=1)
def _data() -> dict:
    data = load("roles")
    comp = lambda pats: [re.compile(p, re.I) for p in pats]  # noqa: E731
    content = data["content"]
    one = any_of  # one pass, lower case (normalise/alternation.py: searches as the plain alternation)
    return {
        "neutral": comp(data["header"]["neutral"]),
        "header": {f: comp(p) for f, p in data["header"]["fields"].items()},
        "verbs": frozenset(content["imperatives"]), "nominals": frozenset(content["nominals"]),
        "progress": one(content["progress"]), "outcome": one(content["outcome"]),
        "states": one(content["states"], prefilter=False),
        "done": one(content["done"]),
        "times": one(content["times"]), "status": one(content["status"]),
    }


_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@text_cache()
def _form_key(header: str) -> str:
    """A header as the general forms see it: bracketed units and a trailing '?' gone, then keyed."""
    return header_key(_BRACKETS.sub(" ", header))


@text_cache()
def is_neutral(header: str) -> bool:
    """A label that names nothing ('Column 3', 'B', '4'): no evidence either way."""
    key = _form_key(header)
    return not key or any(p.fullmatch(key) for p in _data()["neutral"])


def header_evidence(header: str, lexicon: dict | None = None) -> tuple[ColumnMap, dict[str, tuple[float, str]]]:
    """The lexicon's reading of a header and the evidence for each field it gives."""
    cm = map_header(header, lexicon) if header else ColumnMap(header, None, "empty header")
    ev: dict[str, tuple[float, str]] = {}
    if cm.field:
        score = next((s for k, s in _LEXICON_SCORE if k in cm.how), 0.8)
        ev[cm.field] = (score, cm.how)
    if not header or is_neutral(header) or cm.how.startswith(("sub-column", "user mapping")):
        return cm, ev
    for name, pattern in _forms(_form_key(header)):
        if name not in ev:
            ev[name] = (_FORM_SCORE, f"header form /{pattern}/")
    return cm, ev


@text_cache()
def _forms(key: str) -> tuple[tuple[str, str], ...]:
    """The general header forms a header key shows: (field, pattern) for each field that has one
    (cached: every row tried as a header, and every table of a plan, brings the same texts back)."""
    out = []
    for name, pats in _data()["header"].items():
        hit = next((pat.pattern for pat in pats if pat.search(key)), None)
        if hit:
            out.append((name, hit))
    return tuple(out)


# --- the cells ---------------------------------------------------------------------------------------------

_LEAD_STRIP = re.compile(r"^[\s•\-–*]*(?:(?:[A-Z]{1,3}\s?)?\d+(?:\.\d+)*(?:\.?[a-z])?[.)]?\s+)?(?:to\s+)?", re.I)


_PAST = re.compile(r"\b(?:[a-z]{3,}ed|made|sent|given|taken|done|written|seen|begun|shown|held|met|run|"
                   r"built|set up|brought)\b")


_PLANNED = re.compile(r"^[^.;:]{0,60}\bto be\s+\w+(?:ed|en)\b", re.I)  # 'Report to be submitted'

# A month in a sentence, the date of an update ('held in September', 'on 14th November'); a deadline
# ('by March') is an instruction's, so 'by' is not among the words before it.
_DATED = re.compile(r"\b(?:in|on|since|during|from|until|early|late|mid|\d{1,2}(?:st|nd|rd|th)?)[\s-]+(?:jan(?:uary)?|"
                    r"feb(?:ruary)?|march|april|may|june|july|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|"
                    r"nov(?:ember)?|dec(?:ember)?)\b")

# A first word that could be an instruction ('Review', 'Lead', 'Audit') followed at once by a verb in
# the past that ends a phrase (punctuation, the end, a new capitalised note, a preposition): a noun
# and what was done to it, the telegraphic report ('Audit commenced.', 'Lead established Task and
# Finish Group established', 'Review completed in May'), not an instruction; 'Implement revised
# procedures' (a participle before its noun) stays an instruction.
_NOTED = re.compile(r"^\S+ (?:[a-z]{3,}ed|made|sent|given|taken|done|written|seen|begun|shown|held|met|built)"
                    r"(?:$|[.;:,•]| (?:[A-Z(•\d]|(?:by|in|on|for|at|with|and|to|from|during|within|across|"
                    r"following|but|as|via|through|after|before|since)\b))")


@text_cache()
def _cell(v: str, full: bool = True) -> frozenset[str]:
    """The cues one cell text shows (cached: cells repeat across rows and tables); its first 300
    characters are enough to tell."""
    d = _data()
    v = v[:300]
    low = v.lower()
    cues = set()
    n = len(v)
    if n < 80 and (find_months(v) or n < 40 and d["times"].search(low)):
        cues.add("date")
    if is_ref(v) or (n < 15 and is_ref(v.split(" ")[0])):
        cues.add("ref")
    if n <= 20 and (norm_key(v) in _rag_words() or d["status"].search(low)):
        cues.add("rag")
    rest = _LEAD_STRIP.sub("", v, count=1)
    words = rest.split(" ", 2)
    first = words[0].lower().strip(",.:;") if words else ""
    if (first in d["verbs"] and not _NOTED.match(rest)
            or first in d["nominals"] and len(words) > 1 and words[1].lower() == "of"):
        cues.add("imperative")
    if not full:  # the header named a text field: only the cells' form is checked
        if not cues & {"imperative", "date"} and _lead_like(v):
            cues.add("lead")
        return frozenset(cues)
    if "imperative" not in cues and _PLANNED.search(v):  # 'Report to be submitted to the Board'
        cues.add("planned")
    if "imperative" not in cues:
        head = low[:160]  # the cues of a report or a measure show early; long cells are read in part
        state = d["states"].search(head) is not None  # searched once, used twice
        if n >= 40 and (find_months(v[:160]) or _DATED.search(head)):  # a dated update
            cues.update(("progress", "dated"))
        elif d["progress"].search(head) or d["done"].search(head) and not state:
            cues.add("progress")  # a report in the perfect or the past, work under way or done
        elif _PAST.search(v.split(" ", 1)[1] if " " in v else ""):  # a verb in the past, not first
            cues.add("reported")
        if d["outcome"].search(head):
            cues.add("outcome")
        if state:  # where things stand, or what success looks like: half of each
            cues.add("state")
    if not cues & {"imperative", "planned", "progress", "reported", "state", "date"} and _lead_like(v):
        cues.add("lead")
    return frozenset(cues)


#: cells read per column: an evenly spread sample is evidence enough, and keeps long tables cheap
SAMPLE = 16


def _sample(vals: list[str]) -> list[str]:
    if len(vals) <= SAMPLE:
        return vals
    step = len(vals) / SAMPLE
    return [vals[int(i * step)] for i in range(SAMPLE)]


@lru_cache(maxsize=1)
def _rag_words() -> frozenset[str]:
    """The RAG values of ``data/status.toml``, keyed once."""
    return frozenset(norm_key(w) for words in load("status")["rag"].values() for w in words)


_ACRONYMS = re.compile(r"^(?:[A-Z][A-Za-z]?[&/]?[A-Z][A-Za-z&]{0,5})(?:\s*[/,&]\s*[A-Z][A-Za-z&]{1,6})*$")


def _lead_like(v: str) -> bool:
    """Names who leads: a role, group, agency or person, or the acronyms boards write for their
    groups and agencies ('P&P', 'CCG / LA')."""
    return len(v) < 150 and (names_a_lead(v) or bool(_ACRONYMS.match(v)) and sum(ch.isupper() for ch in v) >= 2)


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def content_evidence(facts: ColumnFacts, full: bool = True) -> dict[str, tuple[float, str]]:
    """Evidence for each field from the column's cells (``full``: the cues of text as well as of
    form; a header the lexicon names outright as a field of form -- lead, timescale, ref, status --
    needs only the form checked: dates, names, codes; a text field's cells add to its header)."""
    filled = [v for v in facts.values if v]
    vals = _sample(filled)
    if not vals:
        return {}
    n = len(vals)
    # cells showing each cue, counted in one pass over the cells' cue sets
    count = dict.fromkeys(("date", "ref", "rag", "lead", "imperative", "progress", "outcome", "dated"), 0)
    reported = stated = planned = 0
    for x in map(_cell, vals, repeat(full)):
        for c in x:
            if c in count:
                count[c] += 1
        if "progress" not in x and ("reported" in x or "state" in x):
            reported += 1
        if "state" in x and "outcome" not in x:
            stated += 1
        if "planned" in x and "imperative" not in x:
            planned += 1
    frac = {c: count[c] / n for c in ("date", "ref", "rag", "lead", "imperative", "progress", "outcome")}
    frac["progress"] += 0.5 * reported / n
    frac["outcome"] += 0.5 * stated / n
    dated = count["dated"] / n  # updates that say when: a report's mark, no measure's
    frac["imperative"] += planned / n
    med = statistics.median(len(v) for v in vals)
    long = _clamp((med - 25) / 35)
    own = _clamp(len(filled) / facts.rows) if facts.rows else 0.0  # rows it fills: counted before the sample
    short = _clamp((120 - med) / 60)
    ev: dict[str, tuple[float, str]] = {}

    def put(name: str, score: float, why: str) -> None:
        if score >= 0.05:
            ev[name] = (round(score, 2), why)

    put("timescale", frac["date"] * (1.0 if med < 60 else 0.3), f"{frac['date']:.0%} of cells are dates or times")
    put("ref", frac["ref"], f"{frac['ref']:.0%} of cells are short codes")
    put("status", frac["rag"], f"{frac['rag']:.0%} of cells are RAG words")
    put("lead", frac["lead"] * short * (1 - frac["ref"]),
        f"{frac['lead']:.0%} of cells name people, roles, groups or agencies")
    distinct = len(set(vals)) / n  # an action column says something new on each row
    put("action", long * min(own, 1 - 0.5 * facts.spanned) * (0.3 + 0.7 * distinct)
        * (0.35 + 0.65 * frac["imperative"]),
        f"long text (median {med:.0f} chars), {frac['imperative']:.0%} instructions")
    per_row = _clamp(1.5 * own)  # a label spanning many rows is no row's report or measure
    put("progress", long * per_row * min(1.2, frac["progress"] + 0.3 * dated),
        f"{frac['progress']:.0%} of cells report progress" + (f", {dated:.0%} dated" if dated >= 0.05 else ""))
    put("outcome", _clamp((med - 10) / 30) * per_row * frac["outcome"] * 0.8,
        f"{frac['outcome']:.0%} of cells state measures")
    if (facts.tall or len(filled) <= facts.rows / 2) and med < 150 and frac["ref"] < 0.6 and n >= 1:
        why = "labels spanning groups of rows" if facts.tall else "labels on some rows only"
        put("section", 0.45, why)
        put("priority", 0.3, why)
        put("objective", 0.3, why)
    return ev


def _question(header: dict[str, tuple[float, str]], content: dict[str, tuple[float, str]],
              med: float, labels: bool = False) -> tuple[dict[str, tuple[float, str]], str | None]:
    """Header evidence the cells contradict, weakened: 'Lead' over dates, 'Action' over codes, or a
    general header form read as 'action' over short labels (``labels``: see ``_short_labels``)."""
    if not header:
        return header, None
    named, (score, how) = max(header.items(), key=lambda x: x[1][0])
    if score >= 10:  # the user's mapping is not questioned
        return header, None
    if named == "action" and score < 0.85 and labels and content.get("action", (0.0,))[0] < 0.15:
        # only a general form ('What we want to achieve') or a near spelling over short labels: what a
        # plan does is written in sentences; short labels name what it works towards (a priority, an aim)
        note = "header reads as action but the cells are short labels"
        out = dict(header)
        out[named] = (round(score * 0.3, 2), f"{how}; questioned: {note}")
        return out, note
    if not content:
        return header, None
    strong = [(f, s) for f, (s, _) in content.items() if f in CHECKABLE + ("action",) and f != named and s >= 0.6]
    if not strong:
        return header, None
    weak = content.get(named, (0.0, ""))[0] < 0.15
    if named in ("progress", "outcome"):  # short dated notes ('Done May 2015') are progress all the same
        strong = [(f, sc) for f, sc in strong if f in ("ref", "status")]
    if named == "status":  # a status may be written as a code ('1', '2', '3' under a key)
        strong = [(f, sc) for f, sc in strong if f != "ref"]
    if strong and (named in CHECKABLE and weak or named not in CHECKABLE and med < 25 and weak):
        other = max(strong, key=lambda x: x[1])[0]
        note = f"header says {named} but the cells look like {other}"
        out = dict(header)
        out[named] = (round(score * 0.3, 2), f"{how}; questioned: {note}")
        return out, note
    return header, None


def evidence(headers: list[str], facts: list[ColumnFacts], lexicon: dict | None = None
             ) -> tuple[list[ColumnMap], list[Evidence]]:
    """The lexicon's reading and the weighed evidence of every column of a table."""
    maps, evs = [], []
    for h, f in zip(headers, facts, strict=True):
        cm, hev = header_evidence(h, lexicon)
        named = max(hev.items(), key=lambda x: x[1][0]) if hev else None
        cev = content_evidence(f, full=not (named and named[1][0] >= 0.85 and named[0] in CHECKABLE))
        if not is_neutral(h):  # a named column is not the table's section labels
            cev.pop("section", None)
        med = statistics.median(len(v) for v in f.values) if f.values else 0
        hev, note = _question(hev, cev, med, _short_labels(f.values))
        maps.append(cm)
        evs.append(Evidence(hev, cev, {}, note))
    return maps, _with_priors(evs, facts)


def _short_labels(values: tuple[str, ...]) -> bool:
    """Short texts, none of them an instruction, a date or a name: labels (of priorities, aims,
    groups of rows), not the sentences that say what a plan does."""
    vals = [v for v in values if v]
    if len(vals) < 2 or statistics.median(len(v) for v in vals) >= 25:
        return False
    return sum(bool(_cell(v) & {"imperative", "planned", "date", "lead", "ref"}) for v in vals) <= len(vals) / 4


def _with_priors(evs: list[Evidence], facts: list[ColumnFacts]) -> list[Evidence]:
    """Weak priors from position: a reference first; the action the widest text column before
    the first column of names or dates; after the action, the last text column a progress report
    and the ones between measures."""
    out = [Evidence(e.header, e.content, dict(e.prior), e.questioned) for e in evs]
    if out:
        out[0].prior["ref"] = (0.1, "first column")
    for e in out[:2]:
        if "section" in e.content:
            e.prior["section"] = (0.15, "labels at the left of the table")
    first_who = next((i for i, e in enumerate(evs)
                      if max(e.content.get("lead", (0,))[0], e.content.get("timescale", (0,))[0]) >= 0.5), len(evs))
    width = [statistics.median(len(v) for v in f.values) * (1 - f.spanned) if f.values else 0 for f in facts]
    texts = [i for i, e in enumerate(evs[:first_who]) if e.content.get("action", (0,))[0] >= 0.3]
    if not texts:
        return out
    action = texts[-1]
    widest = max(texts, key=lambda i: width[i])
    out[action].prior["action"] = (0.2, "the text column before the lead and timescale")
    if action + 1 < len(out):
        out[action + 1].prior["lead"] = (0.1, "the column after the action")
    if widest != action:
        out[widest].prior["action"] = (0.1, "widest text column before the lead and timescale")
    later = [i for i in range(action + 1, len(evs)) if width[i] >= 40 and i != first_who]
    # the last text column reports progress, unless columns left empty follow it (a progress
    # column not yet filled in): then every text column after the action is a measure
    last = later[-1] if later and all(facts[i].values for i in range(later[-1] + 1, len(facts))) else None
    for i in later:
        if i == last:
            out[i].prior["progress"] = (0.15, "last text column after the action")
        else:
            out[i].prior["outcome"] = (0.1, "text column after the action, before the last")
    return out


# --- assignment ---------------------------------------------------------------------------------------------

def _units(headers: list[str], maps: list[ColumnMap], evs: list[Evidence]) -> list[list[int]]:
    """Columns that take one field together: neighbouring timescale columns ('Start', 'End'),
    neighbouring progress or outcome columns ('Progress Q1', 'Progress Q2'), a two-level header's
    sub-columns of one field, or a pair of neighbouring date columns no header tells apart (neutral
    labels, or one header text over both)."""
    def parent(i: int) -> str | None:
        h = headers[i]
        if ":" in h:
            return h.split(":", 1)[0].strip()
        if i + 1 < len(headers) and headers[i + 1].startswith(h + ":") and h:
            return h
        return None

    def named(i: int) -> str | None:  # the field the lexicon reads in the header, unless questioned
        f = maps[i].field
        return f if f and "questioned" not in evs[i].header[f][1] else None

    def timed(i: int) -> bool:
        return named(i) == "timescale"

    def timed_cells(i: int) -> bool:
        return evs[i].content.get("timescale", (0,))[0] >= 0.6

    def dates(i: int) -> bool:  # dates under a header that names nothing
        return timed_cells(i) and not evs[i].header

    units: list[list[int]] = []
    for i in range(len(headers)):
        last = units[-1] if units else []
        if last and last[-1] == i - 1:
            j = last[0]
            same_parent = parent(i) is not None and all(parent(k) == parent(i) for k in last)
            by_header = all(timed(k) for k in last + [i]) or bool(named(i)) and all(
                named(k) == named(i) for k in last) and (same_parent or named(i) in ("progress", "outcome"))
            twin = bool(headers[i].strip()) and headers[i] == headers[j]  # one header over both (a merged cell)
            by_cells = len(last) == 1 and (
                dates(i) and dates(j) and (same_parent or all(is_neutral(headers[k]) for k in (i, j)))
                or twin and timed_cells(i) and timed_cells(j))
            if by_header or by_cells:
                last.append(i)
                continue
        units.append([i])
    return units


def _unit_scores(unit: list[int], maps: list[ColumnMap], evs: list[Evidence]) -> dict[str, float] | str | None:
    """Field scores of a unit, or the one field (None: extra) a user mapping or the lexicon fixes."""
    for i in unit:
        if maps[i].how == "user mapping file" or maps[i].how.startswith("sub-column"):
            return maps[i].field
    return {f: sum(evs[i].total(f) for i in unit) / len(unit) for f in FIELDS}


def assign(headers: list[str], facts: list[ColumnFacts], lexicon: dict | None = None) -> list[ColumnMap]:
    """One field (or extra) per column, chosen together for the most total evidence.

    With the built-in lexicon, cached per headers and column facts (:func:`_assign_builtin`): the small
    tables of one family (``normalise.layout.families``) are read from the same pooled facts under the
    same header row, so a plan split into a table per priority assigned the same columns again for
    each of them.
    """
    if lexicon is None or lexicon is load("columns"):
        return list(_assign_builtin(tuple(headers), tuple(facts)))
    return _assign(headers, facts, lexicon)


@text_cache(maxsize=1 << 10)
def _assign_builtin(headers: tuple[str, ...], facts: tuple[ColumnFacts, ...]) -> tuple[ColumnMap, ...]:
    """:func:`assign` with the built-in lexicon (a tuple: callers get a list of their own; the
    ``ColumnMap`` s and their evidence are not changed once made)."""
    return tuple(_assign(list(headers), list(facts), None))


def _assign(headers: list[str], facts: list[ColumnFacts], lexicon: dict | None = None) -> list[ColumnMap]:
    """:func:`assign`, uncached."""
    maps, evs = evidence(headers, facts, lexicon)
    units = _units(headers, maps, evs)
    scores = [_unit_scores(unit, maps, evs) for unit in units]
    fixed_fields = {sc for sc in scores if isinstance(sc, str)}
    options: list[list[tuple[float, str | None]]] = []
    for sc in scores:
        if sc is None or isinstance(sc, str):
            options.append([(0.0, sc)])
            continue
        opts = [(0.0, None)] + [(s - THRESHOLD, f) for f, s in sc.items() if s >= THRESHOLD and f not in fixed_fields]
        options.append(opts)
    choice = _only_text_is_action(_search(options), units, facts, evs)
    out = []
    for unit, field in zip(units, choice, strict=True):
        for i in unit:
            out.append(_explained(headers[i], field, maps[i], evs[i], len(unit) > 1))
    return out


def _only_text_is_action(choice: list[str | None], units: list[list[int]], facts: list[ColumnFacts],
                         evs: list[Evidence]) -> list[str | None]:
    """A table with no action column but one column of long text read as a report or measure from
    its cells alone, beside a lead or timescale: that text is what the table plans, its action
    (plans written as achievements: 'Score card developed ...')."""
    if "action" in choice or not {"lead", "timescale"} & set(choice):
        return choice
    long = [k for k, unit in enumerate(units)
            if any(facts[i].values and statistics.median(len(v) for v in facts[i].values) >= 40 for i in unit)]
    if len(long) != 1:
        return choice
    k = long[0]
    if choice[k] in ("progress", "outcome", None) and not any(evs[i].header for i in units[k]):
        choice = list(choice)
        choice[k] = "action"
    return choice


def _search(options: list[list[tuple[float, str | None]]]) -> list[str | None]:
    """Exact search: the choice per unit with the highest total, each field at most once.

    When every unit's best option is a different field, that is the optimum.  Otherwise
    dynamic programming over the set of fields used (a bit mask; a dozen columns and ten
    fields make a few thousand states at most) finds the true optimum; ties go to the
    earlier option.
    """
    best = [max(opts, key=lambda o: o[0]) for opts in options]
    taken = [f for _, f in best if f is not None]
    if len(taken) == len(set(taken)):
        return [f for _, f in best]
    bit = {f: 1 << i for i, f in enumerate(FIELDS)}
    states: dict[int, tuple[float, tuple]] = {0: (0.0, ())}
    for opts in options:
        nxt: dict[int, tuple[float, tuple]] = {}
        for used, (total, picks) in states.items():
            for gain, field in opts:
                b = bit[field] if field is not None else 0
                if b & used and len(opts) > 1:
                    continue
                key = used | b
                score = total + gain
                if key not in nxt or score > nxt[key][0] + 1e-9:
                    nxt[key] = (score, (field, picks))
        states = nxt
    chain = max(states.values(), key=lambda x: x[0])[1]
    out: list[str | None] = []
    while chain:
        field, chain = chain
        out.append(field)
    return out[::-1]


def _explained(header: str, field: str | None, cm: ColumnMap, ev: Evidence, grouped: bool) -> ColumnMap:
    """The chosen field with the reason in words, the evidence kept for ``explain`` and the checks."""
    if cm.how == "user mapping file" or cm.how.startswith("sub-column"):
        how = cm.how
    elif field is None:
        how = cm.how if not ev.header and not ev.content else "no field has enough evidence: kept in extra"
        if not header and not ev.content:
            how = "empty column"
    elif field in ev.header and ev.header[field][0] >= ev.content.get(field, (0,))[0]:
        how = ev.header[field][1]
    elif field in ev.content:
        how = f"content: {ev.content[field][1]}"
    else:
        how = ev.header.get(field, ev.prior.get(field, (0, "evidence")))[1]
    if grouped and field:
        how += " (one of a pair under one field)"
    ranked = [f for f, _ in ev.ranked() if f != field]
    return ColumnMap(header, field, how, evidence=ev, runner_up=ranked[0] if ranked else None)

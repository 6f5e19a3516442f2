"""Timescale text to ``start``/``end`` months (YYYY-MM), and a plan's period.

Rules from GOLD_RULES.md: a range gives both ends; a single date or deadline
gives ``end``; 'onwards'/'commencing' gives ``start`` only; several dates give
the earliest start and the latest end; 'Quarterly', '4x per annum', 'To be
determined' give neither.  Two-digit years are read as 20xx.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from normalise.text import text_cache

MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
          "sep": 9, "oct": 10, "nov": 11, "dec": 12}
_MONTH = (r"(?P<{n}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?"
# "Apr 2011", "July 12", "Jun-18", "Sept-18", "1st July 2012"
_MONTH_YEAR = re.compile(rf"\b{_DAY}{_MONTH.format(n='m')}\.?[\s\-']*(?P<y>\d{{4}}|\d{{2}})\b", re.I)
# "1.4.13", "16.12.11", "01/04/2013"
_NUMERIC = re.compile(r"\b(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4}|\d{2})\b")
_DIGIT = re.compile(r"\d")
_RANGE_SEP = re.compile(r"\s*(?:–|—|-|to|until|till)\s*$", re.I)
_START_WORDS = re.compile(r"\b(onwards|commenc\w*|from|starting|start)\b", re.I)
_BY_WORDS = re.compile(r"\b(by|before|end of|deadline)\b", re.I)


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    pos: int
    endpos: int

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def _year(text: str) -> int:
    y = int(text)
    return 2000 + y if y < 100 else y


#: what a month name begins with: an ASCII text holding none of them (in any case) names no month
_MONTH_HEADS = tuple(MONTHS)


def find_months(text: str) -> list[Month]:
    """Every month-with-year mention in reading order (a list of the caller's own)."""
    if not _DIGIT.search(text):  # both forms end in a year's digits: most action texts have none
        return []
    return list(_find_months(text))


@text_cache()
def _find_months(text: str) -> tuple[Month, ...]:
    """:func:`find_months` of a text with a digit (cached: a cell is read for dates by the layout,
    the column roles and the timescale, and a progress date comes back on many rows)."""
    found: list[Month] = []
    # the month-year form needs a month name; under re.I a non-ASCII letter may fold to an ASCII one
    # ('ſ' to 's'), so only an ASCII text is passed over when its lower case holds no month's head,
    # and a found name is case-folded (not lower-cased) to key its month: 'ſept' is September
    low = text.lower()
    if not text.isascii() or any(h in low for h in _MONTH_HEADS):
        for m in _MONTH_YEAR.finditer(text):
            found.append(Month(_year(m.group("y")), MONTHS[m.group("m")[:3].casefold()], m.start(), m.end()))
    for m in _NUMERIC.finditer(text) if "." in text or "/" in text else ():  # '1.4.13', '01/04/2013'
        month = int(m.group("m"))
        if 1 <= month <= 12 and not any(f.pos <= m.start() < f.endpos for f in found):
            found.append(Month(_year(m.group("y")), month, m.start(), m.end()))
    return tuple(sorted(found, key=lambda f: f.pos))


@text_cache()
def parse_timescale(text: str | None) -> tuple[str | None, str | None]:
    """``(start, end)`` months from a timescale text (cached: 'Ongoing', 'March 2017' on many rows)."""
    if not text:
        return None, None
    if "Start:" in text and "End:" in text:
        s_part, _, e_part = text.partition("End:")
        s = find_months(s_part.replace("Start:", ""))
        e = find_months(e_part)
        return (str(min(s, key=lambda m: (m.year, m.month))) if s else None,
                str(max(e, key=lambda m: (m.year, m.month))) if e else None)
    months = find_months(text)
    if not months:
        return None, None
    starts, ends = [], []
    i = 0
    while i < len(months):
        m = months[i]
        nxt = months[i + 1] if i + 1 < len(months) else None
        between = text[m.endpos:nxt.pos] if nxt else ""
        after = text[m.endpos:nxt.pos if nxt else len(text)]
        before = text[max(0, m.pos - 25):m.pos]
        if nxt and _RANGE_SEP.match(between) and len(between) < 8:
            starts.append(m)
            ends.append(nxt)
            i += 2
            continue
        if _START_WORDS.search(after.split(")")[0][:30]) or re.search(r"commenc\w*\s*(in\s*)?$|from\s*$",
                                                                     before, re.I):
            starts.append(m)
        else:
            ends.append(m)
        i += 1
    key = lambda x: (x.year, x.month)  # noqa: E731
    return (str(min(starts, key=key)) if starts else None, str(max(ends, key=key)) if ends else None)


_YEARS = re.compile(r"\b(?P<a>(?:19|20)\d{2})\s*[-–/]\s*(?P<b>(?:19|20)?\d{2})\b")


def parse_period(text: str | None, financial_years: bool = False) -> tuple[str | None, str | None]:
    """A plan period from an explicit month range ('April 2012 to March 2015', '1st July 2012 –
    30th June 2013').  Year-only forms ('2011-12', '2016-18') name no months; with
    ``financial_years`` they are read as April to March, as English public bodies plan."""
    if not text:
        return None, None
    months = find_months(text)
    for a, b in zip(months, months[1:], strict=False):
        between = text[a.endpos:b.pos]
        if re.fullmatch(r"\s*(?:–|—|-|to|until)\s*", between, re.I) and (b.year, b.month) > (a.year, a.month):
            return str(a), str(b)
    if financial_years:
        m = _YEARS.search(text)
        if m:
            start = int(m.group("a"))
            end = int(m.group("b")) if len(m.group("b")) == 4 else start // 100 * 100 + int(m.group("b"))
            if end > start:
                return f"{start:04d}-04", f"{end:04d}-03"
    return None, None


def range_months(text: str) -> set[int]:
    """Positions of the months in ``text`` that are ends of a range ('April 2012 to March 2015')."""
    months = find_months(text)
    out: set[int] = set()
    for a, b in zip(months, months[1:], strict=False):
        if re.fullmatch(r"\s*(?:–|—|-|to|until)\s*", text[a.endpos:b.pos], re.I):
            out |= {a.pos, b.pos}
    return out


def version_date(title: str | None, prose: list[str], words: list[str], reach: int = 40) -> str | None:
    """The date a version of a plan gives itself (``YYYY-MM``): the latest month-year of the title
    that is not a period's end ('... Business Plan Review May 2014'), else the latest of the prose
    that follows a review word ('Updated: 3rd March 2014'); None when the plan gives none."""
    def latest(found: list[Month]) -> str | None:
        return str(max(found, key=lambda m: (m.year, m.month))) if found else None

    if title:
        in_range = range_months(title)
        own = latest([m for m in find_months(title) if m.pos not in in_range])
        if own:
            return own
    cue = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I)
    found: list[Month] = []
    for text in prose:
        in_range = range_months(text)
        cues = [m.end() for m in cue.finditer(text)]
        found += [m for m in find_months(text) if m.pos not in in_range
                  and any(0 <= m.pos - c <= reach for c in cues)]
    return latest(found)

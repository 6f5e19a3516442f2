"""The speed-ups of issue 7 decide exactly as the plain code they replaced.

Each fast path (the word-in-cell matrix, bisection for the nearest grid edge,
cached line geometry, the normaliser's text caches) is checked here against
the straightforward version on random or real inputs, so a later change to
either shows up as a difference, not as a drifted record.
"""

from __future__ import annotations

import random

import pytest
from conftest import FIXTURES, ROOT

from extract.layout import Line, Word, index_of, words_to_lines
from extract.pdf import DEFAULT, _shared_cells, box_fill, box_fills, fill_cells
from normalise.text import clean, forget_texts, norm_key


def _random_words(rng: random.Random, n: int) -> list[Word]:
    out = []
    for k in range(n):
        x0, top = rng.uniform(0, 500), rng.choice([rng.uniform(0, 700), round(rng.uniform(0, 700))])
        out.append(Word(f"w{k}", x0, top, x0 + rng.uniform(1, 40), top + rng.uniform(4, 12), bold=k % 3 == 0,
                        size=rng.choice([9.0, 10.0, 12.0])))
    return out


def _random_boxes(rng: random.Random, n: int) -> list[tuple[float, float, float, float]]:
    boxes = []
    for _ in range(n):
        x0, top = rng.choice([rng.uniform(0, 450), float(rng.randrange(0, 450, 50))]), rng.uniform(0, 650)
        boxes.append((x0, top, x0 + rng.choice([50.0, rng.uniform(5, 200)]), top + rng.uniform(5, 80)))
    return boxes


def _fill_cells_loop(boxes, words):
    """The loop ``fill_cells`` ran before: each word to the first box holding its centre."""
    members: list[list[Word]] = [[] for _ in boxes]
    used = set()
    for i, w in enumerate(words):
        cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
        for j, (x0, top, x1, bottom) in enumerate(boxes):
            if x0 <= cx <= x1 and top <= cy <= bottom:
                members[j].append(w)
                used.add(i)
                break
    return members, used


@pytest.mark.parametrize("seed", range(40))
def test_word_in_cell_matrix_is_the_loop(seed):
    rng = random.Random(seed)
    words, boxes = _random_words(rng, rng.randrange(0, 120)), _random_boxes(rng, rng.randrange(1, 30))
    # a word centred exactly on a shared edge goes to the first box, as the loop has it
    if words:
        b = boxes[0]
        words.append(Word("edge", b[2] - 3, b[1], b[2] + 3, b[1] + 2))
    spans = [(0, j, 1, 1) for j in range(len(boxes))]
    cells, used = fill_cells(boxes, spans, words, 1, DEFAULT)
    members, want_used = _fill_cells_loop(boxes, words)
    assert used == want_used
    for cell, ws, box in zip(cells, members, boxes, strict=True):
        ref, _ = fill_cells([box], [(0, 0, 1, 1)], ws, 1, DEFAULT)  # one box: no membership question
        assert cell.text == ref[0].text


def _shared_cells_loop(boxes, words, settings=DEFAULT) -> bool:
    from extract import borderless

    if not words:
        return False
    lines = words_to_lines(words, settings.line_tolerance)
    gap = borderless.column_gap(borderless.word_space(lines), settings.borderless, lines)
    seen = 0
    for x0, top, x1, bottom in boxes:
        inside = [w for w in words if x0 <= (w.x0 + w.x1) / 2 <= x1 and top <= (w.top + w.bottom) / 2 <= bottom]
        for ln in words_to_lines(inside, settings.line_tolerance):
            if len(borderless.segments(ln, gap)) >= 2:
                seen += 1
        if seen >= 2:
            return True
    return False


@pytest.mark.parametrize("seed", range(60))
def test_shared_cells_is_the_loop(seed):
    rng = random.Random(1000 + seed)
    words, boxes = _random_words(rng, rng.randrange(0, 150)), _random_boxes(rng, rng.randrange(1, 12))
    assert _shared_cells(boxes, words, DEFAULT) == _shared_cells_loop(boxes, words)
    # with the boxes' lines fill_cells grouped (as ruled_tables passes them): the same answer
    box_lines: list = []
    _, used = fill_cells(boxes, [(0, j, 1, 1) for j in range(len(boxes))], words, 1, DEFAULT, box_lines=box_lines)
    held = [words[i] for i in sorted(used)]
    assert _shared_cells(boxes, held, DEFAULT, box_lines) == _shared_cells_loop(boxes, held)


@pytest.mark.parametrize("seed", range(30))
def test_cell_colours_as_one_matrix_are_the_loop(seed):
    """Each cell's background, the topmost fill covering 60 % of it, as the per-cell loop finds it:
    fills stacked on one cell, touching it at an edge, covering exactly 60 %, none at all."""
    rng = random.Random(500 + seed)
    boxes = _random_boxes(rng, rng.randrange(0, 40))
    colours = ["#FF0000", "#00FF00", "#0000FF", "#FFFF00"]
    fills = [(b, rng.choice(colours)) for b in _random_boxes(rng, rng.randrange(0, 60))]
    for b in boxes[:5]:  # fills drawn on cells: the same box, a box sharing an edge, 60 % of it exactly
        x0, top, x1, bottom = b
        fills += [(b, rng.choice(colours)), ((x1, top, x1 + 20, bottom), rng.choice(colours)),
                  ((x0, top, x0 + 0.6 * (x1 - x0), bottom), rng.choice(colours))]
    rng.shuffle(fills)
    assert box_fills(boxes, fills) == [box_fill(b, fills) for b in boxes]


def test_nearest_edge_by_bisection_is_the_scan():
    rng = random.Random(7)
    for _ in range(20000):
        edges = sorted(rng.choice([round(rng.uniform(0, 100), rng.randrange(0, 3)), rng.randrange(0, 10)])
                       for _ in range(rng.randrange(1, 9)))
        value = rng.choice([rng.uniform(-10, 110), rng.choice(edges), rng.choice(edges) + 0.5])
        assert index_of(edges, value) == min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def test_line_geometry_is_kept_and_right():
    words = [Word("b", 30, 10.5, 40, 20, bold=True, size=10), Word("•", 5, 11, 8, 19, size=12),
             Word("a", 10, 10, 25, 21, bold=True, size=9)]
    line = Line(words)
    assert (line.x0, line.top, line.bottom, line.text, line.bold, line.size) == (30, 10, 21, "b • a", True, 12)
    assert line.top is line.top and "top" in line.__dict__  # computed once


def test_text_caches_give_what_the_functions_give_and_forget():
    text = " •  Review   the\u00a0plan \n\n<b>annually</b> "
    first = clean(text)
    assert clean(text) == first == "• Review the plan\nannually"
    assert norm_key("Lead Officer(s)") == "lead officer s"
    assert clean.cache_info().currsize > 0
    forget_texts()
    assert clean.cache_info().currsize == 0 and norm_key.cache_info().currsize == 0
    assert clean(text) == first


def test_records_are_the_same_read_twice():
    """The second reading of a plan is served partly from the text caches: same records."""
    from pipeline import extract_file

    path = FIXTURES / "shropshire-2016-18.pdf"
    forget_texts()
    first = extract_file(path).to_dict()
    again = extract_file(path).to_dict()
    forget_texts()
    assert first == again == extract_file(path).to_dict()


def test_path_fills_in_one_map_are_the_per_path_calls():
    """The pdfium engine's fill colours of a page's paths, batched, as one call per path gives them
    (a plan whose RAG column is shaded cells, and a fixture)."""
    import ctypes

    import pypdfium2 as pdfium

    from extract.pdfium import PageSpace, _mediabox, _Walk

    seen = 0
    for path in (ROOT / "tests" / "data" / "rag" / "westmoor-2015-16.pdf",
                 FIXTURES / "surrey-2012-15.pdf"):
        doc = pdfium.PdfDocument(str(path))
        try:
            for i in range(len(doc)):
                page = doc[i]
                raw = ctypes.cast(page.raw, ctypes.c_void_p).value
                walk = _Walk(PageSpace(_mediabox(raw), 0)).run(raw)
                objs = [obj for obj, _ in walk._paths]
                fills = walk._fills_of(objs)
                assert fills == [walk._fill_of(obj) for obj in objs]
                seen += sum(f is not None for f in fills)
                page.close()
        finally:
            doc.close()
    assert seen > 0  # some paths are filled: the comparison is not of Nones only


# --- the normaliser's spaCy fast paths (issue 16: normalisation in proportion to the text) ---------------------

_TRICKY = ["Not started.", "not yet started", "Not yet begun", "See plan", "see above", "Completed", "Action completed",
           "Work complete", "This action has been completed", "is being developed", "are to be agreed",
           "Awaiting sign off", "awaited", "Began in May", "begun", "Delays", "Postponed to June", "on - going",
           "on-going", "drafts", "DA and CSE", "LAC/CP", "CDOP's report", "can't", "Don't", "U.K.", "e.g. ISSUES",
           "", " ", "\t•", "won't be completed until 2016/17", "NEGLECT strategy & MARAC", "Gonna"]


def _fixture_texts() -> tuple[set[str], set[str]]:
    """Every line and every progress statement of the fixture DOCXs' cells, headings and paragraphs."""
    from extract import read
    from normalise.status import statements

    texts: set[str] = set(_TRICKY)
    for path in sorted(FIXTURES.glob("*.docx")):
        for block in read(path).blocks:
            texts.update(c.text for c in block.cells) if hasattr(block, "cells") else texts.add(block.text)
    lines = {line for t in texts for line in t.split("\n")} | set(_TRICKY)
    return lines, {s for t in texts for s in statements(t)} | set(_TRICKY)


@pytest.fixture(scope="module")
def fixture_texts():
    return _fixture_texts()


def test_lemma_doc_is_the_pipeline(fixture_texts):
    """``normalise.nlp.lemma_doc`` gives the tokens and lookup lemmas ``nlp(text)`` gives, with its word
    memo empty or full."""
    from normalise.nlp import lemma_doc, pipeline

    nlp, _ = pipeline()
    lines, statements = fixture_texts
    texts = sorted(lines | {t.lower() for t in lines} | statements)
    assert len(texts) > 500
    for memo in ("empty", "full"):
        if memo == "empty":
            forget_texts()
        for t in texts:
            want = [(tok.text, tok.whitespace_, tok.lemma_) for tok in nlp(t)]
            assert [(tok.text, tok.whitespace_, tok.lemma_) for tok in lemma_doc(t)] == want, (memo, t)


@pytest.fixture(scope="module")
def plain_pipeline():
    """The pipeline built the documented way, apart from ``normalise.nlp``: blank English, the lookup
    lemmatizer, ``nlp.initialize()`` (its table a spaCy ``Table`` keyed by word hash)."""
    from normalise.nlp import _import_spacy

    nlp = _import_spacy().blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def test_the_lemma_table_by_text_is_spacys_table_by_hash(plain_pipeline):
    """Every word of spacy-lookups-data's table gives the same lemma from the plain dict the pipeline
    reads by text as from spaCy's ``Table`` by hash, and no two words share a key there."""
    from normalise.nlp import _lemma_lookup_data

    table = plain_pipeline.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    by_text = _lemma_lookup_data()
    assert len(by_text) == len(table) > 40000
    assert all(table.get(word, word) == lemma for word, lemma in by_text.items())
    assert table.get("boardplans-not-a-word", "x") == "x" and "boardplans-not-a-word" not in by_text


_TOKEN_ATTRS = ["ORTH", "LOWER", "NORM", "SHAPE", "PREFIX", "SUFFIX", "LEMMA", "IS_ALPHA", "IS_DIGIT", "IS_PUNCT",
                "IS_STOP", "LIKE_NUM", "LIKE_URL", "IS_SPACE", "SENT_START", "SPACY"]


def test_the_pipeline_is_the_plain_pipeline(fixture_texts, plain_pipeline):
    """``normalise.nlp.pipeline`` (lemmatizer set up without ``initialize``) and ``lemma_doc`` give the
    tokens, attributes and lemmas the plainly built pipeline gives, one text at a time and piped."""
    from spacy.attrs import IDS

    from normalise.nlp import lemma_doc, pipeline

    nlp, attr = pipeline()
    assert attr == "LEMMA" and nlp.pipe_names == plain_pipeline.pipe_names == ["lemmatizer"]
    lines, statements = fixture_texts
    texts = sorted(lines | {t.lower() for t in lines} | statements)
    ids = [IDS[a] for a in _TOKEN_ATTRS]

    def seen(doc):
        return [(t.text, t.whitespace_, t.lemma_) for t in doc], doc.to_array(ids).tolist()

    for t, piped, want in zip(texts, nlp.pipe(texts), plain_pipeline.pipe(texts), strict=True):
        assert seen(nlp(t)) == seen(piped) == seen(lemma_doc(t)) == seen(want), t


def test_status_patterns_match_as_spacys_matcher(fixture_texts):
    """The status cues' token patterns find exactly the matches spaCy's ``Matcher`` finds."""
    from spacy.matcher import Matcher

    from normalise.lexicon import load
    from normalise.nlp import TokenPatterns, pipeline
    from normalise.status import _matcher

    nlp, attr = pipeline()
    _, fast = _matcher()
    assert isinstance(fast, TokenPatterns)
    plain = Matcher(nlp.vocab)
    for label, patterns in load("status")["cues"].items():
        plain.add(label, [[{(attr if k == "LEMMA" else k): v for k, v in tok.items()} for tok in pat]
                          for pat in patterns])
    lines, statements = fixture_texts
    found = 0
    for text in sorted(lines | statements):
        doc = nlp(text)
        want = {(nlp.vocab.strings[m], s, e) for m, s, e in plain(doc)}
        assert fast(doc) == want, text
        found += bool(want)
    assert found > 100
    # a pattern it does not know leaves spaCy's Matcher in charge
    assert TokenPatterns.build({"x": [[{"LOWER": "a", "OP": "+"}]]}, nlp.vocab.strings) is None
    assert TokenPatterns.build({"x": [[{"POS": "VERB"}]]}, nlp.vocab.strings) is None


def test_line_themes_are_the_plain_matchers(fixture_texts):
    """A line's themes, with one tokenization of the lower-cased line and the cased one only where an
    abbreviation may be, are what the three matchers give on both docs."""
    from normalise.nlp import pipeline
    from normalise.themes import _line_themes, _matchers

    nlp, _ = pipeline()
    _, (lemma_matcher, lower_matcher, abbrev_matcher), _ = _matchers()
    lines, _ = fixture_texts
    tagged = 0
    for line in sorted(lines):
        spaced = line.replace("/", " / ")
        lowered, cased = nlp(spaced.lower()), nlp.make_doc(spaced)
        want = {nlp.vocab.strings[m] for matcher, doc in ((lemma_matcher, lowered), (lower_matcher, lowered),
                                                          (abbrev_matcher, cased)) for m, _, _ in matcher(doc)}
        assert _line_themes(line) == want, line
        tagged += bool(want)
    assert tagged > 50


def test_clean_of_a_plain_text_is_the_full_clean_up(fixture_texts):
    """``clean`` and ``one_line`` take a text with no markup, bullet, new line or run of white space as it
    is (stripped): the same as the full clean-up of every fixture cell, line and statement."""
    from normalise.text import _SPACES, BULLET, _clean_full, clean, one_line

    lines, statements = fixture_texts
    odd = ["  a  b ", "a\tb", "<b>x</b> y", "x &amp; y", "\u00a0x", "**bold**", "a__b", "• a", "\uf0b7 x", "a\u2003b",
           "a\u2028b", "x\r", " ", "•", "a *b*", " lead ", "Q1 2016"]
    ordered = sorted(lines)
    texts = sorted(lines | statements | set(odd) | {"\n".join(ordered[i:i + 3]) for i in range(0, 600, 3)})
    plain = 0
    for t in texts:
        forget_texts()
        assert clean(t) == _clean_full(t), t
        assert one_line(t) == _SPACES.sub(" ", _clean_full(t).replace(BULLET, "")).strip(), t
        plain += "\n" not in t and "  " not in t
    assert plain > 100


def test_fast_alternations_search_as_the_plain_ones(fixture_texts):
    """The roles step's cue patterns and the lead words, written to search fast
    (``normalise/alternation.py``), find a match in exactly the texts the plain alternations do."""
    import re

    from normalise.alternation import any_of, any_word
    from normalise.lexicon import load

    lines, statements = fixture_texts
    texts = sorted(lines | statements | {t.lower() for t in lines} | {"Q3 2016", "% of staff", "not started",
                                                                       "g", "CCG / LA", "the LSCB Chair"})
    content = load("roles")["content"]
    for name in ("progress", "outcome", "times", "status"):
        plain = re.compile("|".join(f"(?:{p})" for p in content[name]))
        fast = any_of(content[name])
        hits = [bool(fast.search(t)) for t in texts]
        assert hits == [bool(plain.search(t)) for t in texts], name
        assert 0 < sum(hits) < len(texts), name
    leads = load("leads")
    words = sorted({w for kind in ("roles", "groups", "agencies") for w in leads[kind]}, key=len, reverse=True)
    plain = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I)
    fast = any_word(words, re.I)
    hits = [bool(fast.search(t)) for t in texts]
    assert hits == [bool(plain.search(t)) for t in texts]
    assert 0 < sum(hits) < len(texts)
    lasts = sorted({t.split()[-1] for t in texts if t.split()})
    for kind in ("roles", "groups", "agencies"):  # leads._words: searched in texts, fullmatched on last words
        plain = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(leads[kind], key=len, reverse=True))
                           + r")\b", re.I)
        fast = any_word(sorted(leads[kind]), re.I)
        assert [bool(fast.search(t)) for t in texts] == [bool(plain.search(t)) for t in texts], kind
        assert [bool(fast.fullmatch(t)) for t in lasts] == [bool(plain.fullmatch(t)) for t in lasts], kind
        assert any(fast.fullmatch(t) for t in lasts), kind
    # a leading \b is shared only by a sequence: '\bx|y' keeps its own alternation
    assert bool(any_of([r"\bab|cd", r"\bef"]).search("xcd")) and not any_of([r"\bab", r"\bef"]).search("xab")
    # the literal heads' prefilter is in use for the cues that have them, and knows '^' and folded case
    from normalise.alternation import Heads, heads

    assert all(isinstance(any_of(content[name]), Heads) for name in ("progress", "outcome", "done", "status"))
    assert heads([r"^(?:q[1-4]|update)\b", r"\bsee (?:plan|report)s?"]) == (("see plan", "see report"), ("q", "update"))
    assert heads([r"\d+ months"]) is None and heads(["ab"], re.I) is None and heads(["(?i)ab"]) is None
    for pats, text in (([r"^ab", r"cd"], "xab"), ([r"^ab", r"cd"], "abx"), ([r"\bab|cd"], "xcd"), (["%"], "5 %")):
        assert bool(any_of(pats).search(text)) == bool(re.compile("|".join(f"(?:{p})" for p in pats)).search(text))


def test_table_grid_is_kept_until_the_table_changes():
    """``Table.grid()`` is built once, and anew when a cell is replaced or added or the shape changes
    (page stitching does all three), as the plain build gives it."""
    import pickle
    from dataclasses import replace

    from models.document import Cell, Table

    table = Table(2, 2, [Cell(0, 0, "a", colspan=2), Cell(1, 0, "b"), Cell(1, 1, "c")])
    first = table.grid()
    assert table.grid() is first and first[0][1].text == "a"
    table.cells[1] = replace(table.cells[1], text="B")
    assert table.grid() is not first and table.grid()[1][0].text == "B"
    table.cells.append(Cell(2, 0, "d", colspan=2))
    table.n_rows = 3
    assert [[c.text for c in row] for row in table.grid()] == [["a", "a"], ["B", "c"], ["d", "d"]]
    again = pickle.loads(pickle.dumps(table))
    assert "_grid" not in again.__dict__ and again == table and again.grid() == table.grid()


def test_row_keys_read_once_are_the_keys_read_again():
    """``normalise.repeats``: a table's row keys and repeat test, kept by its cells for the copy the
    stitcher makes, give the cut each table gets read afresh (on every fixture table, and on a copy)."""
    from extract import read
    from models.document import Table
    from normalise.repeats import _KEY_WORD, _pieces, _Seen

    seen, cut = _Seen(), 0
    odd = [["İstanbul \u212a-9", "ΑΣ", "x_y"], ["Straße", "", "A&B/C"], ["ﬁnal", "\u00a0Lead ", "Q1-2016"]]
    paths = [*sorted(FIXTURES.glob("*.docx")), *sorted(FIXTURES.glob("*.pdf")),
             *sorted((ROOT / "tests" / "data" / "borderless").glob("s*-20*.pdf"))]  # Sunderland, Surrey: cut
    for path in paths:
        for t in (b for b in read(path).blocks if isinstance(b, Table)):
            copy = Table(t.n_rows, t.n_cols, list(t.cells), t.page, t.header_rows, t.col_edges, t.bbox, t.row_pages)
            for table, marked in ((t, t.header_rows), (copy, 0), (copy, t.header_rows)):
                forget_texts()
                want = _pieces(table, marked)
                assert _pieces(table, marked, None, seen) == want
                cut += want is not None
            for row in t.text_rows() + odd:  # a row's words read from its texts are its keys' words
                assert frozenset(_KEY_WORD.findall(" ".join(row).lower())) == frozenset(
                    " ".join(norm_key(x) for x in row).split()), row
    assert cut > 0


def test_columns_assigned_once_are_the_columns_assigned_again():
    """``normalise.roles.assign`` with the built-in lexicon, kept per headers and column facts, gives
    what the uncached assignment gives, read fresh or from the cache, a list the caller may change."""
    from extract import read
    from normalise.layout import _read, families
    from normalise.repeats import stitch_and_split
    from normalise.roles import _assign, assign
    from normalise.stitch import StitchedTable

    def seen(maps):
        return [(m.header, m.field, m.how, m.runner_up, m.evidence) for m in maps]

    read_as = 0
    for path in sorted(FIXTURES.glob("*.docx")) + sorted(FIXTURES.glob("*.pdf")):
        forget_texts()
        tables = [b for b in stitch_and_split(read(path).blocks) if isinstance(b, StitchedTable)]
        family = families(tables)
        for i, st in enumerate(tables):
            reading = _read(st, None, None)
            if not hasattr(reading, "facts"):
                continue
            for facts in (reading.facts, family.get(i)):
                if facts is None or len(facts) != len(reading.headers):
                    continue
                want = seen(_assign(reading.headers, facts))
                first = assign(reading.headers, facts)
                first.append(None)  # the caller's own list
                assert seen(first[:-1]) == want == seen(assign(reading.headers, list(facts)))
                read_as += 1
    assert read_as > 20


def test_lead_parts_and_timescales_read_once_are_read_as_new(fixture_texts):
    """``lead_parts`` and ``parse_timescale``, kept per distinct text, give what the uncached functions
    give; each call gets lead dicts of its own (a caller may change them)."""
    from normalise.dates import parse_timescale
    from normalise.leads import _lead_parts, lead_parts

    lines, _ = fixture_texts
    forget_texts()
    people = 0
    for t in sorted(lines):
        first = lead_parts(t)
        want = [dict(p) for p in _lead_parts.__wrapped__(t)] if t else []
        assert first == want == lead_parts(t)
        if first:
            first[0]["kind"] = "changed"
            assert lead_parts(t)[0] == want[0]
        people += any(p["kind"] == "person" for p in want)
        assert parse_timescale(t) == parse_timescale.__wrapped__(t) == parse_timescale(t)
    assert people > 5


def test_first_row_keys_are_the_first_of_all_rows():
    """``normalise.stitch._row_keys`` lays out only the rows it keys: the same as keying the first
    rows of ``text_rows()``, on every fixture table."""
    from extract import read
    from models.document import Table
    from normalise.stitch import _row_keys

    tables = [b for path in sorted(FIXTURES.glob("*.pdf")) for b in read(path).blocks if isinstance(b, Table)]
    assert len(tables) > 10
    for t in tables:
        for n in (0, 1, 4, t.n_rows + 1):
            assert _row_keys(t, n) == [tuple(norm_key(x) for x in row) for row in t.text_rows()[:n]]


def test_names_a_lead_is_the_plain_test(fixture_texts):
    """``names_a_lead`` skips the person-name test where no capitalised word is followed by a capital:
    the same answer as trying every part of the text, on every fixture line and statement."""
    from normalise.leads import _NAME, _any_word, _pieces, names_a_lead

    lines, statements = fixture_texts
    named = 0
    for t in sorted(lines | statements | {"Liz Murphy", "Dr. Ann Lee, Chair", "ann lee", "A B", "O'Neil Smith"}):
        plain = bool(_any_word().search(t)) or any(_NAME.match(p.partition(",")[0].strip()) for p in _pieces(t))
        assert names_a_lead(t) == plain, t
        named += plain and not _any_word().search(t)
    assert named > 0


def _asdict_contract(plan) -> dict:
    from dataclasses import asdict

    from models.records import CONTRACT_KEYS

    d = asdict(plan)
    return {k: d[k] for k in CONTRACT_KEYS}


def test_contract_dict_is_asdicts():
    """``PlanDocument.to_dict`` (a worker's result, without ``asdict``'s deepcopies) is what ``asdict`` gives:
    same keys in the same order, equal values, every list and dict a copy."""
    from collections import namedtuple

    from models.records import Action, PlanDocument, TableRecord
    from pipeline import extract_file

    pair = namedtuple("pair", "a b")
    odd = PlanDocument(source="odd", actions=[Action(action="x", themes=["a"], extra={
        "k": [1, 2.5, None, True, ("t", ["u"]), pair(1, [2])], "n": {"m": {"o": "p"}}})],
        tables=[TableRecord(1, "grid", ["h"], [["c"]])], dates={"plan": "2016-03"})
    plans = [odd] + [extract_file(FIXTURES / name) for name in
                     ("shropshire-2016-18.docx", "surrey-2012-15.docx", "shropshire-2016-18.pdf")]
    for plan in plans:
        fast, plain = plan.to_dict(), _asdict_contract(plan)
        assert fast == plain and list(fast) == list(plain)
        assert repr(fast) == repr(plain)  # (types too: a tuple stays a tuple, a named tuple named)
        assert fast["actions"] is not plain["actions"]
        if plan.actions:
            assert fast["actions"][0]["themes"] is not plan.actions[0].themes
            assert fast["actions"][0]["extra"] is not plan.actions[0].extra


def test_header_key_words_prefilter_is_the_word_loop(fixture_texts):
    """``columns._key_words`` finds a key word in a header key exactly where one of the lexicon's
    whole-word patterns does (so a header it passes over would have matched none of them)."""
    from normalise.columns import _key_words, _word_pattern, header_key
    from normalise.lexicon import load

    lex = load("columns")
    any_of = _key_words(lex)
    assert any_of is not None
    words = [w for name in lex["order"] for w in lex["fields"][name]["words"]]
    lines, statements = fixture_texts
    keys = {header_key(t) for t in lines | statements} | {header_key(w) for w in words}
    keys |= {f"{k} x" for k in list(keys)[:200]} | {w.upper() for w in words}
    hits = 0
    for key in sorted(keys):
        want = any(_word_pattern(w).search(key) for w in words)
        assert (any_of.search(key) is not None) == want, key
        hits += want
    assert 50 < hits < len(keys) - 200


def test_same_row_is_the_plain_ratio_test(fixture_texts):
    """``stitch._same_row`` (``quick_ratio`` first) decides as the plain ``ratio`` test on pairs of
    fixture texts split into cells, near repeats included."""
    from difflib import SequenceMatcher

    from normalise.stitch import _same_row

    def plain(a, b):
        if a == b:
            return True
        ja, jb = " ".join(a).split(), " ".join(b).split()
        if not ja or not jb or SequenceMatcher(None, ja, jb).ratio() < 0.85:
            return False
        same_columns = [bool(x) for x in a] == [bool(x) for x in b]
        return same_columns or SequenceMatcher(None, "".join(ja), "".join(jb)).ratio() >= 0.9

    lines, _ = fixture_texts
    rng = random.Random(16)
    rows = [tuple(t.split(" | ")) if " | " in t else tuple(t.split(" ", 2)) for t in sorted(lines)[:400]]
    pairs = [(rng.choice(rows), rng.choice(rows)) for _ in range(3000)]
    for a in rows:  # near repeats: a word dropped, cells split elsewhere, a cell emptied
        words = " ".join(a).split()
        if len(words) > 3:
            pairs.append((a, (" ".join(words[:-1]),)))
            pairs.append((a, (" ".join(words[:2]), " ".join(words[2:]))))
            pairs.append((a, ("",) + a[1:]))
    same = 0
    for a, b in pairs:
        assert _same_row(a, b) == plain(a, b), (a, b)
        same += plain(a, b)
    assert same > 100


def test_theme_rank_is_the_counter_sum(fixture_texts):
    """``themes.rank`` (one-line texts read straight from their line's themes) ranks as the sum of
    ``weight * theme_hits(text)`` over the texts, on weighted sets of fixture lines and cells."""
    from collections import Counter

    from normalise.themes import MAX_THEMES, rank, theme_hits

    def plain(weighted):
        score: Counter[str] = Counter()
        for text, weight in weighted:
            for theme, n in theme_hits(text).items():
                score[theme] += weight * n
        if not score:
            return []
        top = max(score.values())
        ranked = sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))
        return [t for t, s in ranked if s >= 0.5 * top][:MAX_THEMES]

    lines, statements = fixture_texts
    texts = sorted(lines | statements)
    rng = random.Random(7)
    found = 0
    for _ in range(2000):
        picked = [rng.choice(texts + [None, ""]) for _ in range(6)]
        if rng.random() < 0.3:  # several lines in one text
            picked[rng.randrange(6)] = "\n".join(rng.choice(texts) for _ in range(rng.randint(2, 4)))
        weighted = list(zip(picked, (3.0, 1.0, 1.0, 1.0, 0.5, 0.6), strict=True))
        want = plain(weighted)
        assert rank(weighted) == want, weighted
        found += len(want) > 1
    assert found > 100


def test_find_months_is_the_plain_scan(fixture_texts):
    """``dates.find_months`` (cached, the month-year form skipped in an ASCII text naming no month)
    finds what both patterns find over every fixture line, and over folded and odd spellings."""
    from normalise.dates import _MONTH_YEAR, _NUMERIC, MONTHS, Month, _year, find_months

    def plain(text):
        found = [Month(_year(m.group("y")), MONTHS[m.group("m")[:3].casefold()], m.start(), m.end())
                 for m in _MONTH_YEAR.finditer(text)]
        for m in _NUMERIC.finditer(text):
            month = int(m.group("m"))
            if 1 <= month <= 12 and not any(f.pos <= m.start() < f.endpos for f in found):
                found.append(Month(_year(m.group("y")), month, m.start(), m.end()))
        return sorted(found, key=lambda f: f.pos)

    lines, statements = fixture_texts
    odd = ["\u017fept 2015", "\u017fEPTEMBER 2015 to JUNE 2016", "Mar-18", "1st July 2012", "due 1.4.13 or 01/04/2013",
           "2015/16", "Q3 2016", "Ma\u0131 2016", "D\u00e9c 2016", "dec2016", "no date 42", "jUlY '19"]
    found = 0
    for text in sorted(lines | statements) + odd:
        for _ in range(2):  # as computed, then from the cache
            got = find_months(text)
            assert got == plain(text), text
            got.append(None)  # the caller's own list
        found += bool(plain(text))
    assert found > 50


def test_a_month_name_with_a_letter_that_folds_to_ascii_is_its_month():
    """Under ``re.I`` 'ſ' (long s) matches 's' and 'ı' (dotless i) 'i': such a name is its month,
    not a ``KeyError`` that failed the whole file."""
    from normalise.dates import find_months, parse_timescale

    assert [(m.year, m.month) for m in find_months("\u017fEPTEMBER 2015 to Apr\u0131l 2016")] == [(2015, 9), (2016, 4)]
    assert parse_timescale("\u017fept 2015 - March 2016") == ("2015-09", "2016-03")

"""What a command imports: start-up cost is imports, so the DOCX path must not load what it never uses.

Start-up time itself is a benchmark figure (README "Speed"), not a timed test;
these tests hold the imports that make it, in a fresh interpreter each.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import FIXTURES, ROOT

#: modules the extraction of one DOCX never needs (PDF engines, data frames, the database, spaCy's CLI,
#: python-docx: a well-formed package is read by extract.docx_package, python-docx only reads odd ones)
NOT_FOR_DOCX = ["pypdfium2", "pdfminer", "pdfplumber", "camelot", "pandas", "sqlalchemy", "alembic",
                "openpyxl", "spacy.cli", "weasel", "requests", "httpx", "jinja2", "docx"]


def _fresh(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_extracting_a_docx_imports_no_pdf_engine_database_or_spacy_cli():
    docx = FIXTURES / "shropshire-2016-18.docx"
    got = _fresh(
        "import json, sys\n"
        "from batch.importer import extract_file\n"
        f"doc = extract_file({str(docx)!r})\n"
        f"loaded = [m for m in {NOT_FOR_DOCX!r} if m in sys.modules]\n"
        "print(json.dumps({'actions': len(doc.actions), 'loaded': loaded}))")
    assert got["actions"] == 12
    assert got["loaded"] == []


def test_spacy_imported_without_its_cli_still_offers_it():
    got = _fresh(
        "import json, sys\n"
        "from normalise.nlp import pipeline\n"
        "nlp, attr = pipeline()\n"
        "before = 'spacy.cli' in sys.modules\n"
        "import spacy, spacy.cli\n"
        "print(json.dumps({'attr': attr, 'lemmas': [t.lemma_ for t in nlp('audits were audited')],\n"
        "                  'before': before, 'cli': spacy.cli.__file__.endswith('__init__.py'),\n"
        "                  'info': callable(spacy.info)}))")
    assert got == {"attr": "LEMMA", "lemmas": ["audit", "be", "audit"], "before": False, "cli": True, "info": True}


def test_the_lemmatizer_is_set_up_without_a_hashed_table():
    """``pipeline()`` gives the lookup lemmatizer the table as loaded, read by word, and leaves spaCy's
    own ``Table`` (41,582 words hashed one by one in ``nlp.initialize()``) empty."""
    got = _fresh(
        "import json\n"
        "from normalise.nlp import LookupByText, lemma_doc, pipeline\n"
        "nlp, attr = pipeline()\n"
        "pipe = nlp.get_pipe('lemmatizer')\n"
        "print(json.dumps({'attr': attr, 'by_text': type(pipe.lemmatize) is LookupByText,\n"
        "                  'words': len(pipe.lemmatize.table) > 40000,\n"
        "                  'hashed': len(pipe.lookups.get_table('lemma_lookup')),\n"
        "                  'lemmas': [t.lemma_ for t in nlp('Meetings were held; audits completed')],\n"
        "                  'lemma_doc': [t.lemma_ for t in lemma_doc('Meetings were held; audits completed')]}))")
    assert got == {"attr": "LEMMA", "by_text": True, "words": True, "hashed": 0,
                   "lemmas": ["Meetings", "be", "hold", ";", "audit", "complete"],  # the table is by case
                   "lemma_doc": ["Meetings", "be", "hold", ";", "audit", "complete"]}


def test_help_imports_no_reader_normaliser_or_spacy():
    got = _fresh(
        "import json, sys, contextlib, io\n"
        "sys.argv = ['pipeline.py', '--help']\n"
        "import pipeline\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    pipeline.app()\n"
        "print(json.dumps([m for m in ('spacy', 'normalise', 'batch.importer', 'numpy', 'sqlalchemy')\n"
        "                  if m in sys.modules]))")
    assert got == []

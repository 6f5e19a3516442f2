"""What a command imports: start-up cost is imports, so the DOCX path must not load what it never uses.

Start-up time itself is a benchmark figure (README "Speed"), not a timed test;
these tests hold the imports that make it, in a fresh interpreter each.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from conftest import FIXTURES, ROOT

BAD = ROOT / "tests" / "bad"

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


#: modules the plain ``pipeline.py extract FILE...`` never needs: the typer app (and click, rich, the pydantic
#: adapter typer converts paths through), the database and the query layer
NOT_FOR_PLAIN_EXTRACT = ["typer", "typer._click", "typer._adapters", "rich", "load", "load.output", "sqlalchemy",
                         "pandas", "pypdfium2", "spacy.cli"]


def test_plain_extract_builds_no_typer_app():
    docx = FIXTURES / "shropshire-2016-18.docx"
    got = _fresh(
        "import contextlib, io, json, os, runpy, sys\n"
        f"sys.argv = ['pipeline.py', 'extract', {str(docx)!r}]\n"
        "def stop(status):\n"
        "    raise SystemExit(status)\n"
        "os._exit = stop  # (the command ends the process without teardown: see the test below)\n"
        "out = io.StringIO()\n"
        "try:\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        runpy.run_path('pipeline.py', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    status = exc.code\n"
        f"loaded = [m for m in {NOT_FOR_PLAIN_EXTRACT!r} if m in sys.modules]\n"
        "print(json.dumps({'status': status, 'actions': len(json.loads(out.getvalue())['actions']),\n"
        "                  'loaded': loaded, 'blas': os.environ.get('OPENBLAS_NUM_THREADS')}))")
    assert got == {"status": 0, "actions": 12, "loaded": [], "blas": "1"}


def _both_ways(args: list[str], cwd, env=None) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """``python pipeline.py ARGS`` (the plain path for plain arguments) and the same arguments through
    the typer app, as bytes."""
    plain = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *args], capture_output=True, cwd=cwd,
                           timeout=300, env=env)
    typed = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
                            f"sys.argv = ['pipeline.py', *sys.argv[1:]]; import pipeline; pipeline.app()", *args],
                           capture_output=True, cwd=cwd, timeout=300, env=env)
    return plain, typed


def test_plain_extract_writes_what_the_typer_command_writes(tmp_path):
    """Byte for byte: stdout, the Error/Warning lines on stderr, the exit status; names typer's ``Path``
    conversion rewrites (``a//b``, ``./``), bytes that are not UTF-8, control characters."""
    odd = os.fsdecode(b"plan-\xff.docx")
    shutil.copy(FIXTURES / "solihull-2012-13.docx", tmp_path / odd)
    (tmp_path / "sub").mkdir()
    broken = tmp_path / "sub" / "broken\x1b[31mred.pdf"
    broken.write_text("<html>hello</html>")
    warned = tmp_path / "plan.txt"
    warned.write_text("Business Plan 2018-19\n\nYear\tReferrals\n2012\t340\n2013\t365\n", encoding="utf-8")
    args = ["extract", odd, "./sub//" + broken.name, "missing.docx", "plan.txt", str(BAD / "looping.pdf")]
    plain, typed = _both_ways(args, tmp_path)
    assert plain.returncode == typed.returncode == 1
    assert plain.stdout == typed.stdout and len(plain.stdout.splitlines()) == 5
    assert plain.stderr == typed.stderr
    lines = plain.stderr.decode("utf-8", "surrogateescape").splitlines()
    assert lines[0] == "Error: sub/broken\\x1b[31mred.pdf: not a PDF (no %PDF header)"  # ./ and // gone
    assert lines[1] == "Error: missing.docx: cannot open file (No such file or directory)"
    assert [line.split(":")[0] for line in lines] == ["Error", "Error", "Warning", "Warning"]
    assert json.loads(plain.stdout.splitlines()[0])["source"] == "plan-\\xff.docx"


def test_extract_with_options_or_odd_streams_goes_through_typer(tmp_path):
    """An option, ``--``, or an ASCII stderr (click re-encodes it) is left to typer: the same bytes either way."""
    docx = str(FIXTURES / "shropshire-2016-18.docx")
    plain, typed = _both_ways(["extract", "--engine", "nope", docx], tmp_path)
    assert plain.returncode == typed.returncode == 0 and plain.stdout == typed.stdout
    plain, typed = _both_ways(["extract"], tmp_path)
    assert plain.returncode == typed.returncode == 2 and plain.stderr == typed.stderr
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    name = "plan-é.pdf"
    (tmp_path / name).write_text("not a pdf")
    plain, typed = _both_ways(["extract", name], tmp_path, env=env)
    assert plain.returncode == typed.returncode == 1 and plain.stdout == typed.stdout  # (stdout cannot take é)
    assert plain.stderr == typed.stderr
    assert plain.stderr.startswith("Error: plan-é.pdf: not a PDF (no %PDF header)\n".encode())  # click's UTF-8


def test_plain_error_lines_are_typer_echo(capsys):
    """``_echo_err`` writes what ``typer.echo(..., err=True)`` writes to a stderr that is not a terminal
    (click strips ANSI escape codes there), for texts with and without such codes."""
    import typer

    import pipeline

    texts = ["Error: plain.pdf: not a PDF", "Error: \x1b[31mred\x1b[0m.pdf: x \x1b[1;2mbold\x1b[?25l", "é \x1b[ 1"]
    for text in texts:
        typer.echo(text, err=True)
        by_typer = capsys.readouterr().err
        pipeline._echo_err(text)
        assert capsys.readouterr().err == by_typer
    assert by_typer == "é \x1b[ 1\n"


def test_plain_extract_exits_as_typer_on_ctrl_c_and_a_closed_pipe(monkeypatch):
    """Ctrl-C: status 130, no traceback (typer turns KeyboardInterrupt into ``Exit(130)``); a closed pipe:
    status 1, and the streams' last flush made quiet (click's ``PacifyFlushWrapper``)."""
    import pipeline

    def interrupted(*args):
        raise KeyboardInterrupt

    def closed(*args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(pipeline, "_extract_files", interrupted)
    assert pipeline._extract_plain(["extract", "a.docx"]) == 130
    monkeypatch.setattr(sys, "stdout", sys.stdout)
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    monkeypatch.setattr(pipeline, "_extract_files", closed)
    assert pipeline._extract_plain(["extract", "a.docx"]) == 1
    assert isinstance(sys.stdout, pipeline._Pacified) and isinstance(sys.stderr, pipeline._Pacified)
    assert pipeline._extract_plain(["extract", "--debug", "a.docx"]) is None
    assert pipeline._extract_plain(["import", "a.docx"]) is None


def test_plain_extract_ends_without_teardown_but_runs_atexit_and_flushes_c_stdio(tmp_path):
    """``_exit_now`` skips the interpreter's teardown, not what an ordinary exit does for the user: the
    ``atexit`` handlers run, Python's and C's buffered output reaches the pipe, the status is kept."""
    docx = FIXTURES / "shropshire-2016-18.docx"
    code = ("import atexit, ctypes, runpy, sys\n"
            "atexit.register(lambda: sys.stderr.write('atexit ran\\n'))\n"
            "atexit.register(lambda: ctypes.CDLL(None).printf(b'c-buffered '))  # (handlers run last first)\n"
            f"sys.argv = ['pipeline.py', 'extract', {str(docx)!r}, 'missing.docx']\n"
            "runpy.run_path('pipeline.py', run_name='__main__')\n"
            "print('not reached')\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # (-u leaves C's stdio unbuffered)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env=env)
    assert res.returncode == 1
    assert res.stderr.splitlines() == ["Error: missing.docx: cannot open file (No such file or directory)",
                                       "atexit ran"]
    lines = res.stdout.splitlines()
    assert len(lines) == 3 and lines[2] == "c-buffered " and "not reached" not in res.stdout
    assert len(json.loads(lines[0])["actions"]) == 12


def test_the_pipeline_is_built_without_collections_and_then_frozen():
    """``pipeline()`` builds with the cyclic collector paused (no collection while spaCy is imported),
    turns it back on, and leaves what was built in the permanent generation; a collector the caller
    had turned off stays off."""
    got = _fresh(
        "import gc, json\n"
        "runs = []\n"
        "gc.callbacks.append(lambda phase, info: runs.append(info['generation']) if phase == 'start' else None)\n"
        "from normalise.nlp import lemma_doc, pipeline\n"
        "runs.clear()\n"
        "nlp, attr = pipeline()\n"
        "during = len(runs)\n"
        "on, frozen = gc.isenabled(), gc.get_freeze_count()\n"
        "gc.disable(); pipeline.cache_clear(); pipeline()\n"
        "print(json.dumps({'during': during, 'on': on, 'frozen': frozen > 100000, 'off': not gc.isenabled(),\n"
        "                  'lemmas': [t.lemma_ for t in lemma_doc('Meetings were held')]}))")
    assert got == {"during": 0, "on": True, "frozen": True, "off": True, "lemmas": ["Meetings", "be", "hold"]}

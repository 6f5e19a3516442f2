"""The command line as scripts use it: JSON Lines on stdout, one error line per bad file, exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import FIXTURES, ROOT

CONTRACT_KEYS = ["source", "sha256", "format", "error", "board", "title", "period", "priorities", "actions",
                 "indicators", "tables", "warnings"]
ACTION_KEYS = {"section", "priority", "objective", "ref", "action", "lead", "timescale", "start", "end",
               "progress", "outcome", "status", "themes", "extra", "page"}


def run(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_extract_prints_one_json_document_per_file(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_text("<html>hello</html>")
    res = run("extract", str(FIXTURES / "shropshire-2016-18.docx"), str(bad))
    assert res.returncode == 1
    lines = res.stdout.splitlines()
    assert len(lines) == 2
    good, failed = (json.loads(line) for line in lines)
    assert all(k in good for k in CONTRACT_KEYS)
    assert good["error"] is None and good["board"] == "Shropshire Safeguarding Children Board"
    assert set(good["actions"][0]) == ACTION_KEYS
    assert failed["error"] == "not a PDF (no %PDF header)"
    assert failed["actions"] == [] and failed["tables"] == []
    assert res.stderr.strip() == f"Error: {bad}: not a PDF (no %PDF header)"


def test_extract_exit_zero_when_all_read():
    res = run("extract", str(FIXTURES / "shropshire-2016-18.pdf"))
    assert res.returncode == 0 and len(res.stdout.splitlines()) == 1


def test_import_then_reimport(tmp_path):
    db = tmp_path / "x.db"
    res = run("import", str(FIXTURES / "surrey-2012-15.docx"), "--db", f"sqlite:///{db}")
    assert res.returncode == 0, res.stderr
    assert "1 loaded" in res.stderr and "Surrey Safeguarding Children Board" in res.stdout
    res = run("import", str(FIXTURES / "surrey-2012-15.docx"), "--db", str(db))
    assert "1 unchanged" in res.stderr


def test_every_command_is_documented_in_the_readme():
    help_text = run("--help").stdout
    listing = help_text.split("Commands:", 1)[1]
    commands = re.findall(r"^\s*│?\s*(\w+)\s", listing, re.M)
    assert {"extract", "import"} <= set(commands)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for cmd in commands:
        assert f"pipeline.py {cmd}" in readme, f"command '{cmd}' is not documented in README.md"

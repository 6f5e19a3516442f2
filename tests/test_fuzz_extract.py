"""The atheris harness (tests/fuzz/fuzz_extract.py), run for a bounded number of inputs from a fixed seed."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT


def test_extract_layer_survives_fuzzed_inputs(tmp_path):
    pytest.importorskip("atheris", reason="atheris is in the test extra")
    res = subprocess.run([sys.executable, str(ROOT / "tests" / "fuzz" / "fuzz_extract.py"), "-seed=1",
                          "-runs=20000", "-max_total_time=60", "-rss_limit_mb=4096", f"-artifact_prefix={tmp_path}/"],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "Done" in res.stderr

"""The benchmark keeps working: run at a tiny N (its figures are never asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .processes import ROOT


@pytest.mark.slow
def test_the_benchmark_runs_end_to_end_at_a_tiny_size(tmp_path):
    out = tmp_path / "bench.json"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "500",
         "--databases", "sqlite,postgresql", "--notifications", "200", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "CLEANUP_HOME": str(tmp_path / "home")},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    report = json.loads(out.read_text())
    assert [(s["database"], s["devices"]) for s in report["sizes"]] == [
        ("sqlite", 500), ("postgresql", 500)]
    for size in report["sizes"]:
        assert size["first_counts"]["inserted"] == 500
        assert size["changed_1pct_counts"]["updated"] == 5
        assert size["unchanged_counts"]["updated"] == 0
        # every sync checks and compares every row (drift is repaired)
        assert (size["first_counts"]["validated"], size["changed_1pct_counts"]["validated"],
                size["unchanged_counts"]["validated"]) == (500, 500, 500)
        assert "common tables" in size["first_phases_s"]
        assert size["first_peak_rss_mb"] > 0 and size["limit_s"] > 0
    for kind in ("sqlite", "postgresql"):
        assert report["end_to_end"][kind]["run_ok"] is True
        assert report["end_to_end"][kind]["devices"] == 1000
        assert report["end_to_end"][kind]["optimization_messages"] == 1
        assert report["sensor_tick"][kind] > 0
    assert "limit" in completed.stdout and "end to end" in completed.stdout

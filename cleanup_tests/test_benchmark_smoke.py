"""The benchmark keeps working: run at a tiny N on both databases. Its structure and counts
are asserted here — never its speed (500 devices measure fixed costs, not the design)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .processes import ROOT

N = 500
CHANGED = N // 100  # the 1 % resync


# Both databases in one invocation, as the benchmark is run (one interpreter and one load of
# the code location for both).
@pytest.mark.slow
@pytest.mark.postgres
def test_the_benchmark_runs_end_to_end_at_a_tiny_size(tmp_path):
    out = tmp_path / "bench.json"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", str(N),
         "--databases", "sqlite,postgresql", "--notifications", "200", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "CLEANUP_HOME": str(tmp_path / "home")},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    report = json.loads(out.read_text())
    assert [(s["database"], s["devices"]) for s in report["sizes"]] == [
        ("sqlite", N), ("postgresql", N)]
    for size in report["sizes"]:
        # the three floors, each measured; the resync floor wrote exactly the 1 %
        for floor in ("limit_first_s", "limit_resync_s", "limit_unchanged_s"):
            assert size[floor] > 0
        assert (size["limit_resync_rows_written"], size["limit_unchanged_rows_written"]) == (
            CHANGED, 0)
        # ours: every sync checks and compares every row (drift is repaired)
        first, resync, unchanged = size["first"], size["resync"], size["unchanged"]
        assert first["counts"] == {
            "rows": N, "accepted": N, "rejected": 0, "inserted": N, "updated": 0,
            "unchanged": 0, "deactivated": 0, "tenant_links_inserted": N, "new_plans": 20}
        assert (resync["counts"]["rows"], resync["counts"]["updated"],
                resync["counts"]["inserted"]) == (N, CHANGED, 0)
        assert (unchanged["counts"]["rows"], unchanged["counts"]["updated"],
                unchanged["counts"]["inserted"]) == (N, 0, 0)
        for ours in (first, resync, unchanged):
            assert ours["peak_rss_mb"] > 0 and ours["x_floor"] > 0
            # (on PostgreSQL the checked rows are counted by the statement that writes them)
            assert {"Device: insert", "cleanup_checked_rows: insert",
                    "reads (counts, gate facts)"} <= set(ours["steps_s"])
        assert "Device_Tenant: insert" in first["steps_s"]
        # a first sync has no device to compare (merge_into skips the compare-and-update)
        assert "Device: update changed" not in first["steps_s"]
        assert "Device: update changed" in resync["steps_s"]
        # the naive peer did the same work and left the same tables
        peer_first, peer_resync = size["peer_first"], size["peer_resync"]
        assert (peer_first["counts"]["inserted"], peer_first["counts"]["tenant_links_inserted"],
                peer_first["counts"]["new_plans"]) == (N, N, 20)
        assert (peer_resync["counts"]["updated"], peer_resync["counts"]["inserted"]) == (
            CHANGED, 0)
        assert peer_first["state"] == first["state"]
        assert peer_resync["state"] == resync["state"]
        assert first["state"]["devices"] == first["state"]["tenant_links"] == N
        assert resync["state"]["suspended"] == CHANGED
        assert peer_first["peak_rss_mb"] > 0 and peer_resync["ours_faster_x"] > 0
    assert {(v["database"], v["target"]) for v in report["verdicts"]} >= {
        (database, target) for database in ("sqlite", "postgresql") for target in (
            "first <= 2x limit_first", "1% resync <= 2x limit_resync",
            "first >= 15x faster than the peer", "1% resync >= 3x faster than the peer",
            "peak RSS <= 300 MB")}
    for database in ("sqlite", "postgresql"):
        end_to_end = report["end_to_end"][database]
        assert end_to_end["run_ok"] is True
        assert end_to_end["devices"] == 1000
        assert end_to_end["optimization_messages"] == 1
        assert report["sensor_tick"][database] > 0
    for words in ("floors: first", "peer: first", "ours: first", "end to end"):
        assert words in completed.stdout


@pytest.mark.slow
@pytest.mark.postgres
def test_the_shadow_benchmark_runs_and_finds_the_changed_share(tmp_path):
    out = tmp_path / "shadow.json"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "shadow.py"), "--sizes", str(N),
         "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "CLEANUP_HOME": str(tmp_path / "home")})
    assert completed.returncode == 0, completed.stdout + completed.stderr
    (size,) = json.loads(out.read_text())
    # the shadow taken before the resync names exactly the 1 % the resync then changed
    assert (size["devices"], size["shadow_differ_devices"]) == (N, CHANGED)
    assert size["shadow_agree_s"] > 0 and size["finalize_resync_s"] > 0

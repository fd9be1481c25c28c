"""One large point of the curve on PostgreSQL, without the pandas peer (about 30 GB at 10M):
the floors once each (not the fastest of three; the resync floor in its faster form only),
ours on the first sync, a 1 % resync and an unchanged resync — benchmarks/run.py's own
functions. Prints each figure as it comes, with the load average.

    PYTHONPATH=. .venv/bin/python benchmarks/curve.py . 10000000
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

root = sys.argv[1]
n = int(sys.argv[2])
sys.path.insert(0, root + "/benchmarks")
sys.path.insert(0, root)
import run as bench  # noqa: E402

bench.TRIES = 1
bench.RESYNC_FORMS = ("update + insert",)


def say(*a):
    print(time.strftime("%H:%M:%S"), "load %.2f" % os.getloadavg()[0], *a, flush=True)


url, engine, drop = bench.fresh_database("postgresql", Path(tempfile.mkdtemp()))
try:
    bench.seed_partition(engine)
    bench.stage(engine, bench.carrier_rows(n), bench.usage_rows(n))
    say("staged")
    say("limit_first", bench.limit_first(engine, n))
    r = bench.ours(url); say("first", r["seconds"], r["peak_rss_mb"], json.dumps(r["steps_s"]))
    bench.day_passes(engine)
    bench.stage(engine, bench.carrier_rows(n, 0.01, seed=1))
    f = bench.limit_resync(engine, n)
    say("limit_resync", f["limit_resync_s"], "limit_unchanged", f["limit_unchanged_s"])
    r = bench.ours(url); say("resync", r["seconds"], r["peak_rss_mb"], json.dumps(r["steps_s"]))
    r = bench.ours(url); say("unchanged", r["seconds"], r["peak_rss_mb"], json.dumps(r["steps_s"]))
finally:
    engine.dispose()
    drop()

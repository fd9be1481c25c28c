"""EXPLAIN ANALYZE of the engine's big statements on PostgreSQL, on the benchmark's data.

    python benchmarks/explain.py [--devices 100000] [--min-seconds 0.02] [--out plans.txt]

Creates a throwaway database on the benchmark's server, stages N Jasper devices (JasperDevice +
JasperDeviceUsage, as benchmarks/run.py does), and finalizes the partition three times —
first sync, 1 % resync, unchanged resync — with a hook that runs every statement first as
``EXPLAIN (ANALYZE, BUFFERS)`` inside a savepoint rolled back afterwards, then for real. Prints
the plan of each statement that took at least --min-seconds. The engine is not changed;
plans of statements that write are taken on the same data, then undone.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import run as bench  # noqa: E402


def explain_hook(engine, plans: list, min_seconds: float) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def _explain(conn, cursor, statement, parameters, context, executemany):
        head = statement.lstrip()[:12].upper()
        if executemany or not head.startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            return
        cursor.execute("SAVEPOINT bench_explain")
        started = time.perf_counter()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        seconds = time.perf_counter() - started
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("ROLLBACK TO SAVEPOINT bench_explain")
        if seconds >= min_seconds:
            plans.append((seconds, " ".join(statement.split()), plan))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--min-seconds", type=float, default=0.02)
    parser.add_argument("--out", help="also write the plans to this file")
    args = parser.parse_args()

    from cleanup_assets.db import connect_databases
    from cleanup_assets.registry import INTEGRATIONS
    from cleanup_assets.sql.finalize import FinalizeRequest, finalize_partition

    url, engine, drop = bench.fresh_database("postgresql", Path(tempfile.gettempdir()))
    lines: list[str] = []
    try:
        bench.seed_partition(engine)
        n = args.devices
        runs = (("first sync", bench.carrier_rows(n), bench.usage_rows(n)),
                ("1 % resync", bench.carrier_rows(n, 0.01, seed=1), None),
                ("unchanged resync", None, None))
        for label, carrier, usage in runs:
            if carrier is not None:
                bench.stage(engine, carrier, usage)
            databases = connect_databases(url)
            plans: list = []
            explain_hook(databases.central, plans, args.min_seconds)
            finalize_partition(databases, FinalizeRequest(INTEGRATIONS["jasper"],
                                                          str(bench.TENANT)))
            databases.dispose()
            if label == "first sync":
                bench.day_passes(engine)  # as the benchmark does: autovacuum's day
            lines.append(f"===== {label}, {n:,} devices =====")
            for seconds, statement, plan in plans:
                lines += [f"--- {seconds:.3f} s: {statement}", plan, ""]
    finally:
        engine.dispose()
        if drop:
            drop()
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text)


if __name__ == "__main__":
    main()

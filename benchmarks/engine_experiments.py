"""Experiments on the set-based engine's SQL, on the benchmark's data, each inside a
transaction that is rolled back, so every one starts from the same tables.

    python benchmarks/engine_experiments.py --database postgresql --devices 100000

The variants this script once built beside the engine (duplicates by a join, the checked rows
written once, the plans inserted from this sync's recorded rows, the gate's unlinked-plan
facts in one grouped query) are the engine now (docs/performance.md, "What bounds each
step"); their copies are gone — `git show 60dc3e1:benchmarks/engine_experiments.py` has
them. What it measures today, each the fastest of three:

- the merge into ``Device`` (merge.merge_into: checked rows, count, UPDATE changed, INSERT
  new, soft-delete absent) on a first sync (Device empty), a 1 % resync and an unchanged
  resync — and on PostgreSQL the 1 % resync right after a first sync whose Device rows were
  never analyzed;
- read-only, what reading and checking every carrier row costs: count(*) over the carrier
  rows alone (the engine's ``present``) and over the engine's checked rows;
- the rest of a first sync after its merge (Device_Tenant, communication plans, gate facts,
  counts) with Device never analyzed (as the engine leaves it) or analyzed first.

Prints seconds per case and per statement; --json writes them.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import run as bench  # noqa: E402

TRIES = 3


def engine_source(conn, integration, provider_ids):
    from cleanup_assets.sql.sources import carrier_source

    return carrier_source(integration, provider_ids)


def measure(databases, make_source) -> dict:
    """The merge into Device with a source made by ``make_source``, rolled back: seconds,
    seconds per statement, counts."""
    from sqlalchemy import event

    from cleanup_assets.registry import INTEGRATIONS
    from cleanup_assets.schema import device
    from cleanup_assets.sql.dialect import prefer_set_joins
    from cleanup_assets.sql.merge import merge_into

    integration = INTEGRATIONS["jasper"]
    engine = databases.central
    statements: list = []

    def started(conn, cursor, statement, parameters, context, executemany):
        conn.info["t"] = time.perf_counter()

    def finished(conn, cursor, statement, parameters, context, executemany):
        statements.append((round(time.perf_counter() - conn.info.pop("t"), 4),
                           bench.statement_step(statement)))

    with engine.connect().execution_options(preserve_rowcount=True) as conn:  # as db.py does
        transaction = conn.begin()
        try:
            prefer_set_joins(conn)
            event.listen(engine, "before_cursor_execute", started)
            event.listen(engine, "after_cursor_execute", finished)
            clock = time.perf_counter()
            source = make_source(conn, integration, [bench.PROVIDER])
            counts = merge_into(conn, device, source, [bench.PROVIDER], sync_id=0,
                                now=datetime(2026, 1, 2), delete_absent_for=[bench.PROVIDER])
            seconds = time.perf_counter() - clock
        finally:
            event.remove(engine, "before_cursor_execute", started)
            event.remove(engine, "after_cursor_execute", finished)
            transaction.rollback()
    return {"seconds": round(seconds, 3), "statements": statements,
            "counts": {"rows": counts.rows, "inserted": counts.inserted,
                       "updated": counts.updated, "deactivated": counts.deactivated}}


def best_of(databases, make_source) -> dict:
    runs = [measure(databases, make_source) for _ in range(TRIES)]
    return min(runs, key=lambda r: r["seconds"])


def rolled_back(databases, prepare, work) -> float:
    """Seconds of ``work(conn)`` after ``prepare(conn)`` (untimed), in one transaction rolled
    back; the fastest of three."""
    from cleanup_assets.sql.dialect import prefer_set_joins

    best = float("inf")
    for _ in range(TRIES):
        with databases.central.connect().execution_options(preserve_rowcount=True) as conn:
            transaction = conn.begin()
            try:
                prefer_set_joins(conn)
                prepare(conn)
                clock = time.perf_counter()
                work(conn)
                best = min(best, time.perf_counter() - clock)
            finally:
                transaction.rollback()
    return round(best, 3)


def checks_cost(databases) -> dict:
    """What reading and checking every carrier row costs: count(*) over the carrier rows
    alone and over the engine's checked rows (read-only)."""
    from sqlalchemy import func, select

    from cleanup_assets.registry import INTEGRATIONS
    from cleanup_assets.sql.sources import carrier_source

    source = carrier_source(INTEGRATIONS["jasper"], [bench.PROVIDER])

    def counting(query, *counted):
        rows = query.subquery("source_rows")
        columns = [func.count(), *[func.count(rows.c[c]) for c in counted]]
        return lambda conn: conn.execute(select(*columns).select_from(rows)).one()

    cases = {
        "read the carrier rows (JasperDevice), no usage, no checks": counting(source.present),
        "engine: the checked rows (usage joined, defect CASE, duplicates joined)":
            counting(source.select, "Defect"),
    }
    return {name: rolled_back(databases, lambda conn: None, work)
            for name, work in cases.items()}


def after_the_merge(databases) -> dict:
    """A first sync after its merge into Device: the Device_Tenant links, the communication
    plans, the gate's facts and counts (as finalize._after_engine), with Device as the merge
    leaves it (never analyzed) or analyzed first."""
    from cleanup_assets.registry import INTEGRATIONS
    from cleanup_assets.schema import device, jasper_communication_plan
    from cleanup_assets.sql.common_tables import (
        add_missing_communication_plans,
        link_devices_to_tenants,
        mirror_common_devices,
    )
    from cleanup_assets.sql.dialect import refresh_statistics
    from cleanup_assets.sql.gate_facts import plans_without_rate_plan
    from cleanup_assets.sql.merge import live_rows, merge_into
    from cleanup_assets.sql.sources import carrier_source

    providers, now = [bench.PROVIDER], datetime(2026, 1, 2)
    assert mirror_common_devices  # the engine merges, then links (common_tables.py); we split them

    def merge(conn):
        merge_into(conn, device, carrier_source(INTEGRATIONS["jasper"], providers), providers,
                   sync_id=0, now=now, delete_absent_for=providers)

    def rest(analyze_first: bool):
        def work(conn):
            if analyze_first:
                refresh_statistics(conn, device)
            link_devices_to_tenants(conn, providers)
            add_missing_communication_plans(conn, providers, sync_id=0, now=now)
            plans_without_rate_plan(conn, providers)
            live_rows(conn, device, providers)
            live_rows(conn, jasper_communication_plan, providers)
        return work

    return {
        "engine (Device never analyzed)": rolled_back(databases, merge, rest(False)),
        "ANALYZE Device first (included)": rolled_back(databases, merge, rest(True)),
    }


def analyze(engine, table: str) -> None:
    if engine.dialect.name == "postgresql":
        bench.execute(engine, f'ANALYZE "{table}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgresql", choices=("postgresql", "sqlite"))
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()

    from cleanup_assets.db import connect_databases

    n = args.devices
    url, engine, drop = bench.fresh_database(args.database, Path(tempfile.gettempdir()))
    results: dict = {"database": args.database, "devices": n}
    try:
        bench.seed_partition(engine)
        databases = connect_databases(url)
        bench.stage(engine, bench.carrier_rows(n), bench.usage_rows(n))
        results["what the checks cost (count over the checked rows)"] = checks_cost(databases)
        results["first sync: the merge into Device"] = {
            "engine": best_of(databases, engine_source)}
        results["first sync: after the merge"] = after_the_merge(databases)
        bench.ours(url)  # the first sync, for real: Device filled, never analyzed
        bench.stage(engine, bench.carrier_rows(n, 0.01, seed=1))
        if args.database == "postgresql":
            results["1 % resync, Device never analyzed: the merge"] = {
                "engine": best_of(databases, engine_source)}
        bench.day_passes(engine)
        results["1 % resync: the merge into Device"] = {
            "engine": best_of(databases, engine_source)}
        bench.ours(url)  # the resync, for real: Device now equals the carrier rows
        results["unchanged resync: the merge into Device"] = {
            "engine": best_of(databases, engine_source)}
        databases.dispose()
    finally:
        engine.dispose()
        if drop:
            drop()
    for scenario, by_variant in results.items():
        if not isinstance(by_variant, dict):
            continue
        print(f"== {args.database}, {n:,} devices, {scenario}")
        for name, figures in by_variant.items():
            if not isinstance(figures, dict):
                print(f"  {figures:7.3f} s  {name}")
                continue
            print(f"  {figures['seconds']:7.3f} s  {name}  {figures['counts']}")
            for seconds, step in figures["statements"]:
                if seconds >= 0.005:
                    print(f"      {seconds:7.3f} s  {step}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

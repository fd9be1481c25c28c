"""Standalone experiments on the set-based engine's SQL, on the benchmark's data. The engine
is not changed: each variant is built here from the engine's own pieces and measured inside a
transaction that is rolled back, so every variant starts from the same tables.

    python benchmarks/engine_experiments.py --database postgresql --devices 100000

Variants of the merge into ``Device`` (merge.merge_into: count + UPDATE changed + INSERT new +
soft-delete absent), each the fastest of three, on a first sync (Device empty), a 1 % resync
and an unchanged resync:

- engine: ``sources.carrier_source`` as it is — the duplicate check is a correlated
  ``EXISTS`` against the grouped subquery, inside the defect ``CASE``, and the checked rows
  (join, ``CASE``, grouping) are computed again by each statement that reads them;
- duplicates by join: the same checks, the grouped subquery ``LEFT JOIN``-ed instead of
  probed by ``EXISTS`` (PostgreSQL then hashes it once in every statement; the count
  statement ran it once per row);
- checked once: the duplicates-by-join rows written once to a temporary table (with the
  defect) and indexed by device, which the four statements then read;
- statistics: on PostgreSQL, the 1 % resync right after a first sync whose Device rows were
  never analyzed, against the same after ``ANALYZE "Device"``.

Prints seconds per variant and per statement; --json writes them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import run as bench  # noqa: E402

TRIES = 3


def carrier_source_duplicates_by_join(integration, provider_ids):
    """``sources.carrier_source`` with one change: the rows of a key named more than once are
    found by a LEFT JOIN to the grouped subquery, not by EXISTS inside the CASE."""
    from sqlalchemy import and_, func, select

    from cleanup_assets.schema import carrier_tables, usage_tables
    from cleanup_assets.sql.checks import duplicate_reason, first_defect, key_defects, value_defects
    from cleanup_assets.sql.merge import Source
    from cleanup_assets.sql.sources import common_table, conditions

    spec = integration.carrier
    carrier = carrier_tables[spec.table]
    target = common_table(integration)
    carrier_key, key = spec.key
    values = {common: carrier.c[column] for common, column in spec.columns.items()}
    joined = carrier
    if spec.usage is not None:
        usage = usage_tables[spec.usage.table]
        joined = carrier.outerjoin(usage, and_(*[usage.c[c] == carrier.c[c] for c in spec.usage.on]))
        values.update({common: usage.c[column] for common, column in spec.usage.columns.items()})
    live = [carrier.c.ServiceProviderId.in_(list(provider_ids)), *conditions(carrier, spec.live_when)]
    repeated = (
        select(carrier.c.ServiceProviderId, carrier.c[carrier_key].label("Key"))
        .select_from(joined).where(*live)
        .group_by(carrier.c.ServiceProviderId, carrier.c[carrier_key])
        .having(func.count() > 1)
        .subquery("repeated_keys")
    )
    checked = joined.outerjoin(repeated, and_(
        repeated.c.ServiceProviderId == carrier.c.ServiceProviderId,
        repeated.c.Key == carrier.c[carrier_key]))
    defect = first_defect([
        *key_defects(key, carrier.c[carrier_key], spec.table),
        *value_defects(values, target),
        (repeated.c.Key.isnot(None), duplicate_reason(
            carrier_key, spec.table + (f"/{spec.usage.table}" if spec.usage else ""))),
    ])
    rows = (
        select(carrier.c.ServiceProviderId, carrier.c[carrier_key].label(key),
               *[value.label(name) for name, value in values.items()], defect.label("Defect"))
        .select_from(checked).where(*live)
    )
    present = select(carrier.c.ServiceProviderId, carrier.c[carrier_key].label(key)).where(*live)
    return Source(rows, present, key, tuple(values), spec.table)


def checked_once(conn, source):
    """Write the checked rows once to a temporary table, indexed by device (SQLite's
    soft-delete probe is a correlated NOT EXISTS: without the index it scans the table once
    per Device row); a Source reading it."""
    from sqlalchemy import Index, MetaData, select

    from cleanup_assets.sql.dialect import refresh_statistics
    from cleanup_assets.sql.merge import Source

    create = source.select.into("bench_checked_rows", temporary=True, metadata=MetaData())
    conn.execute(create)
    table = create.table
    Index("bench_checked_rows_device", table.c.ServiceProviderId, table.c[source.key]).create(conn)
    refresh_statistics(conn, table)
    return Source(select(table), select(table.c.ServiceProviderId, table.c[source.key]),
                  source.key, source.columns, source.table_name)


def variants():
    from cleanup_assets.sql.sources import carrier_source

    return {
        "engine": lambda conn, i, p: carrier_source(i, p),
        "duplicates by join": lambda conn, i, p: carrier_source_duplicates_by_join(i, p),
        "checked once": lambda conn, i, p: checked_once(
            conn, carrier_source_duplicates_by_join(i, p)),
    }


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
    url, engine, drop = bench.fresh_database(args.database, Path("/tmp"))
    results: dict = {"database": args.database, "devices": n}
    try:
        bench.seed_partition(engine)
        databases = connect_databases(url)
        bench.stage(engine, bench.carrier_rows(n), bench.usage_rows(n))
        results["first sync"] = {name: best_of(databases, make)
                                 for name, make in variants().items()}
        bench.ours(url)  # the first sync, for real: Device filled, never analyzed
        bench.stage(engine, bench.carrier_rows(n, 0.01, seed=1))
        if args.database == "postgresql":
            results["1 % resync, Device never analyzed"] = {
                "engine": best_of(databases, variants()["engine"])}
        analyze(engine, "Device")
        results["1 % resync"] = {name: best_of(databases, make)
                                 for name, make in variants().items()}
        bench.ours(url)  # the resync, for real: Device now equals the carrier rows
        analyze(engine, "Device")
        results["unchanged resync"] = {name: best_of(databases, make)
                                       for name, make in variants().items()}
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
            print(f"  {name:<20} {figures['seconds']:7.3f} s  {figures['counts']}")
            for seconds, step in figures["statements"]:
                if seconds >= 0.005:
                    print(f"      {seconds:7.3f} s  {step}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

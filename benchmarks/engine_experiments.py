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
  never analyzed, against the same after ``VACUUM ANALYZE "Device"`` (what autovacuum does).

Also, read-only: what reading and checking every carrier row costs (count(*) over the
source with the checks taken away step by step); and the rest of a first sync after its
merge (Device_Tenant, communication plans, gate facts, counts) with Device never analyzed
(as the engine leaves it) or analyzed first, with the missing plans computed once instead of
twice, and the gate's unlinked-plan facts in one grouped query instead of DISTINCT + COUNT.

Prints seconds per variant and per statement; --json writes them.
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


def carrier_source_duplicates_by_join(integration, provider_ids, duplicates: bool = True):
    """``sources.carrier_source`` with one change: the rows of a key named more than once are
    found by a LEFT JOIN to the grouped subquery, not by EXISTS inside the CASE.
    (``duplicates=False``: without that check, to measure what it costs.)"""
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
        joined = carrier.outerjoin(
            usage, and_(*[usage.c[c] == carrier.c[c] for c in spec.usage.on]))
        values.update({common: usage.c[column] for common, column in spec.usage.columns.items()})
    live = [carrier.c.ServiceProviderId.in_(list(provider_ids)),
            *conditions(carrier, spec.live_when)]
    repeated = (
        select(carrier.c.ServiceProviderId, carrier.c[carrier_key].label("Key"))
        .select_from(joined).where(*live)
        .group_by(carrier.c.ServiceProviderId, carrier.c[carrier_key])
        .having(func.count() > 1)
        .subquery("repeated_keys")
    )
    checked = joined.outerjoin(repeated, and_(
        repeated.c.ServiceProviderId == carrier.c.ServiceProviderId,
        repeated.c.Key == carrier.c[carrier_key])) if duplicates else joined
    defect = first_defect([
        *key_defects(key, carrier.c[carrier_key], spec.table),
        *value_defects(values, target),
        *([(repeated.c.Key.isnot(None), duplicate_reason(
            carrier_key, spec.table + (f"/{spec.usage.table}" if spec.usage else "")))]
          if duplicates else []),
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
    """What reading and checking every carrier row costs: count(*) over the engine's source
    with the checks taken away step by step (read-only)."""
    from sqlalchemy import func, select

    from cleanup_assets.registry import INTEGRATIONS
    from cleanup_assets.sql.sources import carrier_source

    integration, providers = INTEGRATIONS["jasper"], [bench.PROVIDER]

    def counting(source, good_too=True):
        rows = source.select.subquery("source_rows")
        columns = [func.count()] + ([func.count(rows.c.Defect)] if good_too else [])
        return lambda conn: conn.execute(select(*columns).select_from(rows)).one()

    plain = carrier_source_duplicates_by_join(integration, providers, duplicates=False)
    plain = plain.__class__(plain.select.with_only_columns(*[
        c for c in plain.select.selected_columns if c.name != "Defect"]),
        plain.present, plain.key, plain.columns, plain.table_name)
    cases = {
        "read the carrier rows (JasperDevice LEFT JOIN JasperDeviceUsage), no checks":
            counting(plain, good_too=False),
        "+ the defect CASE without the duplicate check":
            counting(carrier_source_duplicates_by_join(integration, providers, False)),
        "+ duplicates by a grouped LEFT JOIN":
            counting(carrier_source_duplicates_by_join(integration, providers)),
        "engine: duplicates by EXISTS in the CASE":
            counting(carrier_source(integration, providers)),
    }
    return {name: rolled_back(databases, lambda conn: None, work)
            for name, work in cases.items()}


def add_plans_once(conn, provider_ids, *, sync_id, now):
    """``common.add_missing_communication_plans`` with one change: the plans are inserted from
    the rows just recorded in CleanupNewCommunicationPlan (this sync's), not by computing the
    missing plans from Device a second time."""
    from sqlalchemy import String, exists, false, func, insert, literal, select, true

    from cleanup_assets.schema import device, jasper_communication_plan, new_communication_plan
    from cleanup_assets.sql.common import PLAN_CREATED_BY, new_plans_of

    plan, recorded_plans = jasper_communication_plan, new_communication_plan
    missing = (
        select(device.c.CommunicationPlan.label("Name"),
               func.min(device.c.ServiceProviderId).label("ServiceProviderId"))
        .where(device.c.ServiceProviderId.in_(list(provider_ids)),
               device.c.CommunicationPlan.isnot(None),
               ~exists().where(plan.c.CommunicationPlanName == device.c.CommunicationPlan))
        .group_by(device.c.CommunicationPlan).subquery("missing_plans"))
    recorded = conn.execute(insert(recorded_plans).from_select(
        ["SyncId", "ServiceProviderId", "CommunicationPlanName"],
        select(literal(sync_id), missing.c.ServiceProviderId, missing.c.Name))).rowcount
    if not recorded:
        return []
    conn.execute(insert(plan).from_select(
        ["CommunicationPlanName", "CreatedBy", "CreatedDate", "IsActive", "IsDeleted",
         "ServiceProviderId"],
        select(recorded_plans.c.CommunicationPlanName, literal(PLAN_CREATED_BY, String),
               literal(now), true(), false(), recorded_plans.c.ServiceProviderId)
        .where(recorded_plans.c.SyncId == sync_id)))
    return new_plans_of(conn, sync_id)


def plans_without_rate_plan_grouped(conn, provider_ids):
    """``gate.plans_without_rate_plan`` in one grouped query instead of DISTINCT + COUNT."""
    from sqlalchemy import and_, false, func, select, true

    from cleanup_assets.schema import comm_plan_rate_plan as view
    from cleanup_assets.schema import device

    usable = select(view.c.CommunicationPlanName).where(
        view.c.ServiceProviderId.in_(list(provider_ids)),
        view.c.RatePlanIds.isnot(None), func.trim(view.c.RatePlanIds) != "")
    unlinked = and_(device.c.ServiceProviderId.in_(list(provider_ids)),
                    device.c.IsDeleted == false(), device.c.IsActive == true(),
                    device.c.CommunicationPlan.isnot(None),
                    device.c.CommunicationPlan.not_in(usable))
    rows = conn.execute(select(device.c.CommunicationPlan, func.count()).where(unlinked)
                        .group_by(device.c.CommunicationPlan)).all()
    return sum(n for _, n in rows), sorted(name for name, _ in rows)


def after_the_merge(databases) -> dict:
    """A first sync after its merge into Device: the Device_Tenant links, the communication
    plans, the gate's facts and counts (as finalize._after_engine), with Device as the merge
    leaves it (never analyzed) or analyzed first, and with the two statement changes above."""
    from cleanup_assets.registry import INTEGRATIONS
    from cleanup_assets.schema import device, jasper_communication_plan
    from cleanup_assets.sql.common import (
        add_missing_communication_plans,
        link_devices_to_tenants,
        mirror_common_devices,
    )
    from cleanup_assets.sql.dialect import refresh_statistics
    from cleanup_assets.sql.gate import plans_without_rate_plan
    from cleanup_assets.sql.merge import live_rows, merge_into
    from cleanup_assets.sql.sources import carrier_source

    providers, now = [bench.PROVIDER], datetime(2026, 1, 2)
    assert mirror_common_devices  # the engine merges, then links (common.py); we split them

    def merge(conn):
        merge_into(conn, device, carrier_source(INTEGRATIONS["jasper"], providers), providers,
                   sync_id=0, now=now, delete_absent_for=providers)

    def rest(analyze_first=False, plans=add_missing_communication_plans,
             gate=plans_without_rate_plan):
        def work(conn):
            if analyze_first:
                refresh_statistics(conn, device)
            link_devices_to_tenants(conn, providers)
            plans(conn, providers, sync_id=0, now=now)
            gate(conn, providers)
            live_rows(conn, device, providers)
            live_rows(conn, jasper_communication_plan, providers)
        return work

    return {
        "engine (Device never analyzed)": rolled_back(databases, merge, rest()),
        "ANALYZE Device first (included)": rolled_back(databases, merge, rest(True)),
        "ANALYZE + plans inserted from this sync's recorded rows": rolled_back(
            databases, merge, rest(True, add_plans_once)),
        "ANALYZE + plans once + gate facts in one grouped query": rolled_back(
            databases, merge, rest(True, add_plans_once, plans_without_rate_plan_grouped)),
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
            name: best_of(databases, make) for name, make in variants().items()}
        results["first sync: after the merge"] = after_the_merge(databases)
        bench.ours(url)  # the first sync, for real: Device filled, never analyzed
        bench.stage(engine, bench.carrier_rows(n, 0.01, seed=1))
        if args.database == "postgresql":
            results["1 % resync, Device never analyzed: the merge"] = {
                "engine": best_of(databases, variants()["engine"])}
        bench.day_passes(engine)
        results["1 % resync: the merge into Device"] = {
            name: best_of(databases, make) for name, make in variants().items()}
        bench.ours(url)  # the resync, for real: Device now equals the carrier rows
        results["unchanged resync: the merge into Device"] = {
            name: best_of(databases, make) for name, make in variants().items()}
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

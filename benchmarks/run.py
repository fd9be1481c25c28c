"""The benchmark: finalization speed and memory against the database's own bulk-load limit.

    python benchmarks/run.py                       # 10k, 100k, 1M on SQLite and PostgreSQL
    python benchmarks/run.py --sizes 1000 --databases sqlite   # a smoke run

For each database and N (devices of one Jasper partition, the full list in staging):
- limit: bulk-loading the same N rows into a plain indexed table (PostgreSQL COPY, SQLite
  executemany in one transaction), the fastest of three loads;
- first finalization (empty device tables), a resync with 1 % of devices changed, and a
  resync with nothing changed: the whole partition step (validation, carrier table, Device +
  Device_Tenant, communication plans, summary), each in a fresh process whose peak RSS is
  measured;
- one sensor tick over 10,000 pending notifications;
- one 1,000-device partition end to end: notification posted -> sensor -> run -> tables
  finalized and the optimization message in the outbox.
Each finalization also records where its time went (seconds per step, from the database's
statement timings: validation, carrier table, common tables, plans, reads, statistics).
Prints a table (with each figure's ratio to the limit) and writes JSON to
benchmarks/results/latest.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN = os.environ.get("CLEANUP_BENCH_PG_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PROVIDER = 11
TARGETS = {"first_x_limit": 4.0, "changed_1pct_x_limit": 2.5, "peak_rss_mb": 300,
           "sensor_tick_s": 1.0, "end_to_end_s": 15.0}


# --- staging rows ----------------------------------------------------------------------------
def staging_rows(n: int, changed_share: float = 0.0, seed: int = 0):
    """N Jasper staging rows as tuples (fast to build, the same every time)."""
    plans = [f"CP-{k:02d}" for k in range(20)]
    changed_every = int(1 / changed_share) if changed_share else 0
    rows = []
    for i in range(n):  # benchmark data generation, not the device path
        status = "ACTIVATED" if i % 7 else "DEACTIVATED"
        if changed_every and i % changed_every == seed % changed_every:
            status = "SUSPENDED"
        rows.append((PROVIDER, f"8901{PROVIDER:03d}{i:012d}", status, f"RP-{i % 5}",
                     plans[i % 20]))
    return rows


# The carrier table as the device-sync step leaves it (JasperDevice): what a finalization reads.
STAGING_COLUMNS = ["ServiceProviderId", "ICCID", "Status", "RatePlan", "CommunicationPlan"]


def bulk_load(engine, table_name: str, rows) -> float:
    """Load rows the fastest way the database offers; returns seconds."""
    started = time.perf_counter()
    columns = ", ".join(f'"{c}"' for c in STAGING_COLUMNS)
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                with cursor.copy(f'COPY "{table_name}" ({columns}) FROM STDIN') as copy:
                    for row in rows:  # psycopg's COPY protocol: one buffered write per row
                        copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
    else:
        raw = engine.raw_connection()
        try:
            marks = ", ".join("?" * len(STAGING_COLUMNS))
            raw.driver_connection.execute("BEGIN")
            raw.driver_connection.executemany(
                f'INSERT INTO "{table_name}" ({columns}) VALUES ({marks})', rows)
            raw.driver_connection.execute("COMMIT")
        finally:
            raw.close()
    return time.perf_counter() - started


def measure_limit(engine, rows, tries: int = 3) -> float:
    """The fastest of a few bulk loads into a fresh indexed table: single loads on this
    machine vary by a third, and the limit is what the database can do, not its bad luck."""
    from sqlalchemy import text

    best = float("inf")
    for _ in range(tries):
        with engine.begin() as conn:
            conn.execute(text('DROP TABLE IF EXISTS "BenchLimit"'))
            cols = ", ".join(f'"{c}" VARCHAR(100)' if c != "ServiceProviderId"
                             else f'"{c}" INTEGER' for c in STAGING_COLUMNS)
            conn.execute(text(f'CREATE TABLE "BenchLimit" ({cols})'))
            conn.execute(text('CREATE UNIQUE INDEX "UX_BenchLimit" ON "BenchLimit" '
                              '("ServiceProviderId", "ICCID")'))
        best = min(best, bulk_load(engine, "BenchLimit", rows))
        with engine.begin() as conn:
            conn.execute(text('DROP TABLE "BenchLimit"'))
    return best


def restage(engine, rows) -> None:
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text('DELETE FROM "JasperDevice"'))
    bulk_load(engine, "JasperDevice", rows)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text('ANALYZE "JasperDevice"'))


# --- one finalization in a fresh process ------------------------------------------------------
def peak_rss_mb() -> float:
    """This process's peak RSS. Not ru_maxrss: Linux carries that across exec, so a child
    would report its parent's peak (the parent holds the generated rows); VmHWM belongs to
    the process's own address space."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


PHASES = {  # the table a statement writes -> the step it belongs to
    "CleanupRejectedRow": "checks", "Device": "common tables", "Device_Tenant": "common tables",
    "JasperCommunicationPlan": "communication plans", "CleanupDeviceSync": "ledger and summary",
}


def statement_phase(statement: str) -> str:
    """Which step of the finalization a SQL statement belongs to (for the breakdown)."""
    head = statement.lstrip()[:80].upper()
    if head.startswith(("ANALYZE", "SET ")):
        return "session and statistics"
    match = re.match(r'\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', statement)
    if match:
        return PHASES.get(match.group(1), "other writes")
    return "reads (counts, gate facts)"


def record_phases(engine) -> dict[str, float]:
    """Seconds per step, summed from the database's statement timings."""
    from sqlalchemy import event

    phases: dict[str, float] = {}

    @event.listens_for(engine, "before_cursor_execute")
    def _started(conn, cursor, statement, parameters, context, executemany):
        conn.info["statement_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _finished(conn, cursor, statement, parameters, context, executemany):
        seconds = time.perf_counter() - conn.info.pop("statement_started")
        phase = statement_phase(statement)
        phases[phase] = phases.get(phase, 0.0) + seconds

    return phases


def finalize_child(url: str) -> None:
    """Run in a subprocess: finalize + summarize the partition, print seconds and peak RSS."""
    from cleanup_assets.db import connect_databases
    from cleanup_assets.registry import INTEGRATIONS
    from cleanup_assets.reporting import summarize
    from cleanup_assets.schema import device_sync
    from cleanup_assets.sql.finalize import FinalizeRequest, finalize_partition
    from sqlalchemy import select

    databases = connect_databases(url)
    phases = record_phases(databases.central)
    baseline = peak_rss_mb()
    started = time.perf_counter()
    result = finalize_partition(databases, FinalizeRequest(INTEGRATIONS["jasper"], "1"))
    with databases.central.connect() as conn:
        sync = conn.execute(select(device_sync).where(device_sync.c.id == result.sync_id)).first()
    summarize(databases, INTEGRATIONS["jasper"], sync, use_procedure=False)
    seconds = time.perf_counter() - started
    counts = result.common.devices
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_rss_mb(),
                      "baseline_rss_mb": baseline,
                      "inserted": counts.inserted, "updated": counts.updated,
                      "unchanged": counts.unchanged, "accepted": counts.accepted,
                      "validated": counts.rows,
                      "phases_s": {k: round(v, 3) for k, v in sorted(phases.items())}}))


def finalize_in_child(url: str) -> dict:
    completed = subprocess.run([sys.executable, __file__, "--child-finalize", url],
                               capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- databases -------------------------------------------------------------------------------
def fresh_database(kind: str, workdir: Path):
    from cleanup_assets.db import connect_databases
    from cleanup_assets.schema import create_schema
    from sqlalchemy import create_engine, text

    if kind == "sqlite":
        url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:6]}.db'}"
        drop = None
    else:
        name = f"cleanup_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    databases = connect_databases(url)
    create_schema(databases)
    return url, databases.central, drop


def seed_partition(engine) -> None:
    from cleanup_assets.demo import seed_reference_data

    with engine.begin() as conn:
        seed_reference_data(conn, [(PROVIDER, 1, "jasper", "Bench Jasper")])


def bench_size(kind: str, n: int, workdir: Path) -> dict:
    url, engine, drop = fresh_database(kind, workdir)
    try:
        seed_partition(engine)
        figures = {"database": kind, "devices": n,
                   "limit_s": measure_limit(engine, staging_rows(n))}
        for label, changed in (("first", 0.0), ("changed_1pct", 0.01), ("unchanged", 0.01)):
            restage(engine, staging_rows(n, changed, seed=1))
            child = finalize_in_child(url)
            figures[f"{label}_s"] = child["seconds"]
            figures[f"{label}_x_limit"] = child["seconds"] / figures["limit_s"]
            figures[f"{label}_peak_rss_mb"] = child["peak_rss_mb"]
            figures[f"{label}_counts"] = {k: child[k] for k in ("inserted", "updated",
                                                                 "unchanged", "accepted",
                                                                 "validated")}
            phases = child["phases_s"]  # and what the database did not spend: Python, driver
            phases["outside the database"] = round(child["seconds"] - sum(phases.values()), 3)
            figures[f"{label}_phases_s"] = phases
        return figures
    finally:
        engine.dispose()
        if drop:
            drop()


def bench_sensor_tick(kind: str, workdir: Path, notifications: int) -> float:
    url, engine, drop = fresh_database(kind, workdir)
    try:
        engine.dispose()
        completed = subprocess.run(
            [sys.executable, str(HERE / "sensor_tick.py"), "--notifications", str(notifications),
             "--url", url], capture_output=True, text=True, check=True)
        return json.loads(completed.stdout)["first_tick_s"]
    finally:
        if drop:
            drop()


def bench_end_to_end(kind: str, workdir: Path) -> dict:
    """Notification posted -> sensor tick -> run -> device tables and optimization message."""
    import dagster as dg
    from sqlalchemy import func, select

    from cleanup_assets.demo_run import run_sensor_tick
    from cleanup_assets.definitions import make_definitions
    from cleanup_assets.defs.resources import DatabaseResource
    from cleanup_assets.notifications import post_notification
    from cleanup_assets.outbox import read_json
    from cleanup_assets.schema import device, optimization_session

    url, engine, drop = fresh_database(kind, workdir)
    os.environ["CLEANUP_HOME"] = str(workdir / f"home-{kind}")
    try:
        seed_partition(engine)
        restage(engine, staging_rows(1000))
        with engine.begin() as conn:
            conn.execute(optimization_session.insert().values(
                Id=77, SessionId=str(uuid.uuid4()), ServiceProviderId=PROVIDER, TenantId=1,
                IsActive=True, IsDeleted=False))
        defs = make_definitions(DatabaseResource(url=url))
        with dg.instance_for_test() as instance:
            started = time.perf_counter()
            with engine.begin() as conn:
                post_notification(conn, {"IntegrationType": 1, "ServiceProviderId": PROVIDER,
                                          "ShouldQueueCarrierOptimization": "True",
                                          "OptimizationSessionId": 77})
            runs = run_sensor_tick(instance, defs)
            seconds = time.perf_counter() - started
        with engine.connect() as conn:
            devices = conn.execute(select(func.count()).select_from(device)).scalar()
        return {"end_to_end_s": seconds, "run_ok": all(r["success"] for r in runs),
                "devices": devices, "optimization_messages": len(read_json("sqs"))}
    finally:
        engine.dispose()
        if drop:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--out", default=str(HERE / "results" / "latest.json"))
    parser.add_argument("--child-finalize", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_finalize:
        finalize_child(args.child_finalize)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    databases = args.databases.split(",")
    workdir = Path(tempfile.mkdtemp(prefix="cleanup-bench-"))
    report = {"machine": {"platform": platform.platform(), "python": platform.python_version(),
                          "cpus": os.cpu_count()},
              "targets": TARGETS, "sizes": [], "sensor_tick": {}, "end_to_end": {}}
    for kind in databases:
        for n in sizes:
            figures = bench_size(kind, n, workdir)
            report["sizes"].append(figures)
            print(f"{kind:>10} {n:>9,}: limit {figures['limit_s']:.2f}s | first "
                  f"{figures['first_s']:.2f}s ({figures['first_x_limit']:.1f}x) | 1% changed "
                  f"{figures['changed_1pct_s']:.2f}s ({figures['changed_1pct_x_limit']:.1f}x) | "
                  f"unchanged {figures['unchanged_s']:.2f}s ({figures['unchanged_x_limit']:.1f}x) |"
                  f" peak RSS {max(figures[k] for k in figures if k.endswith('_peak_rss_mb')):.0f}"
                  " MB", flush=True)
        report["sensor_tick"][kind] = bench_sensor_tick(kind, workdir, args.notifications)
        report["end_to_end"][kind] = bench_end_to_end(kind, workdir)
        print(f"{kind:>10} sensor tick over {args.notifications:,} notifications: "
              f"{report['sensor_tick'][kind]:.2f}s | 1k-device partition end to end: "
              f"{report['end_to_end'][kind]['end_to_end_s']:.2f}s "
              f"(run ok: {report['end_to_end'][kind]['run_ok']}, optimization messages: "
              f"{report['end_to_end'][kind]['optimization_messages']})", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"results: {out}")


if __name__ == "__main__":
    main()

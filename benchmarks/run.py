"""The benchmark: finalization speed and memory against the work's own floors and a naive
pandas peer, all measured in the same run.

    python benchmarks/run.py                       # 10k, 100k, 1M on SQLite and PostgreSQL
    python benchmarks/run.py --sizes 500 --databases sqlite   # a smoke run

For each database and N (devices of one Jasper provider: N JasperDevice rows and N
JasperDeviceUsage rows, as the device-sync step leaves them):

- three floors, each the fastest of three tries:
  - limit_first: bulk-loading the N rows a first sync writes into every table it writes, with
    their indexes, in one transaction: ``Device`` (the columns the mirror fills) and
    ``Device_Tenant`` (PostgreSQL COPY of a payload rendered beforehand; SQLite executemany).
    ``CleanupRejectedRow`` gets nothing (the data has no defects), the 20 communication plans
    and the ledger row are left out (milliseconds);
  - limit_resync: one set-based compare-and-update pass of the N carrier rows (JasperDevice
    joined to JasperDeviceUsage, as the engine reads them) against a ``Device``-shaped table of
    N rows with 1 % different, in one transaction. Both forms are measured on both databases
    — ``INSERT … ON CONFLICT … DO UPDATE … WHERE … IS DISTINCT FROM`` and ``UPDATE … FROM`` +
    ``INSERT … WHERE NOT EXISTS`` — and the floor is the faster (on PostgreSQL the upsert is
    about 2.5x slower: a speculative insertion and an index probe per row);
  - limit_unchanged: the same pass again when nothing differs;
- the naive pandas peer (benchmarks/naive_peer.py) on the first sync and on the 1 % resync,
  each in a fresh process with its peak RSS;
- ours: the first sync, a 1 % resync (1 % of statuses changed) and an unchanged resync — the
  whole partition step (checks, Device, Device_Tenant, communication plans, gate facts, ledger
  and summary), each in a fresh process with its peak RSS and seconds per statement, summed by
  the table the statement writes;
- one sensor tick over 10,000 pending notifications, and one 1,000-device partition end to
  end (notification posted -> sensor -> run -> tables finalized, optimization message queued).

Prints each database's figures beside the floors and the peer, the targets as met or missed,
and writes JSON to benchmarks/results/latest.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN = os.environ.get("CLEANUP_BENCH_PG_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PROVIDER = 11
TENANT = 1
TRIES = 3  # floors: the fastest of three (single runs on this machine vary by a third)
TARGETS = {  # at 1M devices, on both databases
    "first_x_limit_first": 2.0,       # first sync <= 2x limit_first
    "resync_x_limit_resync": 2.0,     # 1 % resync <= 2x limit_resync
    "peer_first_speedup": 15.0,       # >= 15x faster than the naive peer on the first sync
    "peer_resync_speedup": 3.0,       # >= 3x faster on the 1 % resync
    "peak_rss_mb": 300,               # our peak RSS, every size
    "rss_growth_10k_to_1m": 1.2,      # flat: the 1M peak within 20 % of the 10k peak
    "sensor_tick_s": 1.0, "end_to_end_s": 15.0,
}


# --- the carrier's rows and what a sync writes from them ---------------------------------------
PLANS = [f"CP-{k:02d}" for k in range(20)]
CARRIER_COLUMNS = ["ServiceProviderId", "ICCID", "Status", "RatePlan", "CommunicationPlan"]
USAGE_COLUMNS = ["ServiceProviderId", "ICCID", "CtdDataUsage", "CtdSMSUsage", "CtdVoiceUsage"]
# Device's columns as the mirror fills them on a first sync (merge.py: values + audit).
DEVICE_COLUMNS = ["ServiceProviderId", "ICCID", "Status", "RatePlan", "CommunicationPlan",
                  "CtdDataUsage", "CtdSMSUsage", "CtdVoiceUsage", "CreatedBy", "CreatedDate",
                  "IsActive", "IsDeleted"]
VALUE_COLUMNS = ["Status", "RatePlan", "CommunicationPlan", "CtdDataUsage", "CtdSMSUsage",
                 "CtdVoiceUsage"]


def iccid(i: int) -> str:
    return f"8901{PROVIDER:03d}{i:012d}"  # 19 digits


def carrier_rows(n: int, changed_share: float = 0.0, seed: int = 1):
    """N JasperDevice rows as tuples (the same every time); ``changed_share`` of them with a
    status that differs from the first sync's."""
    changed_every = int(1 / changed_share) if changed_share else 0
    rows = []
    for i in range(n):  # benchmark data generation, not the device path
        status = "ACTIVATED" if i % 7 else "DEACTIVATED"
        if changed_every and i % changed_every == seed % changed_every:
            status = "SUSPENDED"
        rows.append((PROVIDER, iccid(i), status, f"RP-{i % 5}", PLANS[i % 20]))
    return rows


def usage_rows(n: int):
    """N JasperDeviceUsage rows (unchanged between syncs)."""
    return [(PROVIDER, iccid(i), (i * 7919) % 1_000_000_007, i % 500, i % 3000)
            for i in range(n)]


def device_rows(n: int, now: datetime):
    """What the mirror writes into Device for the first sync's rows."""
    return [(*c, *u[2:], "cleanup_assets", now, True, False)
            for c, u in zip(carrier_rows(n), usage_rows(n))]


def copy_payload(rows) -> bytes:
    """PostgreSQL COPY text for ``rows``, rendered before the clock starts: the floor is the
    database's work, not Python's formatting."""
    def field(value) -> str:
        if value is None:
            return "\\N"
        if value is True or value is False:
            return "t" if value else "f"
        if isinstance(value, datetime):
            return value.isoformat(" ")
        return str(value)
    return "".join("\t".join(field(v) for v in row) + "\n" for row in rows).encode()


def quoted(names) -> str:
    return ", ".join(f'"{n}"' for n in names)


def load(raw, dialect: str, table: str, columns, rows, payload: bytes | None = None) -> None:
    """Bulk-load ``rows`` inside the raw connection's open transaction (no commit)."""
    if dialect == "postgresql":
        with raw.cursor() as cursor:
            with cursor.copy(f'COPY "{table}" ({quoted(columns)}) FROM STDIN') as copy:
                copy.write(payload if payload is not None else copy_payload(rows))
    else:
        marks = ", ".join("?" * len(columns))
        raw.driver_connection.executemany(
            f'INSERT INTO "{table}" ({quoted(columns)}) VALUES ({marks})', rows)


def in_raw_transaction(engine, work) -> float:
    """Run ``work(raw)`` in one transaction on a raw DBAPI connection; seconds, commit included."""
    raw = engine.raw_connection()
    try:
        started = time.perf_counter()
        if engine.dialect.name == "sqlite":
            raw.driver_connection.execute("BEGIN")
        work(raw)
        if engine.dialect.name == "sqlite":
            raw.driver_connection.execute("COMMIT")
        else:
            raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def execute(engine, *statements: str) -> None:
    from sqlalchemy import text

    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def empty_tables(engine, *tables: str) -> None:
    """Empty tables (PostgreSQL: TRUNCATE, identities restarted; SQLite: DELETE)."""
    if engine.dialect.name == "postgresql":
        execute(engine, f"TRUNCATE {quoted(tables)} RESTART IDENTITY")
    else:
        execute(engine, *[f'DELETE FROM "{t}"' for t in tables])


def stage(engine, carrier, usage=None) -> None:
    """Leave JasperDevice (and JasperDeviceUsage) as the device-sync step would."""
    tables = ["JasperDevice"] + (["JasperDeviceUsage"] if usage is not None else [])
    empty_tables(engine, *tables)
    dialect = engine.dialect.name

    def work(raw):
        load(raw, dialect, "JasperDevice", CARRIER_COLUMNS, carrier)
        if usage is not None:
            load(raw, dialect, "JasperDeviceUsage", USAGE_COLUMNS, usage)
    in_raw_transaction(engine, work)
    if dialect == "postgresql":
        execute(engine, *[f'ANALYZE "{t}"' for t in tables])


# --- the floors --------------------------------------------------------------------------------
def limit_first(engine, n: int) -> float:
    """COPY (SQLite: executemany) the N rows of a first sync into Device and Device_Tenant,
    with their indexes, in one transaction: the fastest of three."""
    now = datetime(2026, 1, 1)
    devices = device_rows(n, now)
    links = [(i + 1, TENANT) for i in range(n)]  # ids restart at 1 after each emptying
    dialect = engine.dialect.name
    payloads = ((copy_payload(devices), copy_payload(links)) if dialect == "postgresql"
                else (None, None))
    best = float("inf")
    for _ in range(TRIES):
        empty_tables(engine, "Device", "Device_Tenant")

        def work(raw):
            load(raw, dialect, "Device", DEVICE_COLUMNS, devices, payloads[0])
            load(raw, dialect, "Device_Tenant", ["DeviceId", "TenantId"], links, payloads[1])
        best = min(best, in_raw_transaction(engine, work))
    empty_tables(engine, "Device", "Device_Tenant")
    return best


FLOOR_TABLE = "BenchFloorDevice"


def floor_table():
    """A table shaped like Device (every column), keyed uniquely by (provider, ICCID) as an
    upsert needs, and with Device's other index."""
    from sqlalchemy import Index, MetaData, Table

    from cleanup_assets.schema import device

    return Table(FLOOR_TABLE, MetaData(), *[c._copy() for c in device.columns],
                 Index(f"UX_{FLOOR_TABLE}_SP_ICCID", "ServiceProviderId", "ICCID", unique=True),
                 Index(f"IX_{FLOOR_TABLE}_SP_EID", "ServiceProviderId", "EID"))


RESYNC_FORMS = ("upsert", "update + insert")


def resync_pass(dialect: str, form: str) -> list[str]:
    """The set-based compare-and-update of the carrier rows against the floor table, in one
    of two forms: ``INSERT … ON CONFLICT … DO UPDATE … WHERE … IS DISTINCT FROM`` ("upsert"),
    or ``UPDATE … FROM`` where something differs + ``INSERT … WHERE NOT EXISTS``."""
    source = ('SELECT c."ServiceProviderId", c."ICCID", c."Status", c."RatePlan", '
              'c."CommunicationPlan", u."CtdDataUsage", u."CtdSMSUsage", u."CtdVoiceUsage" '
              'FROM "JasperDevice" c LEFT JOIN "JasperDeviceUsage" u '
              'ON u."ServiceProviderId" = c."ServiceProviderId" AND u."ICCID" = c."ICCID" '
              f'WHERE c."ServiceProviderId" = {PROVIDER}')
    columns = quoted(["ServiceProviderId", "ICCID", *VALUE_COLUMNS, "CreatedBy", "CreatedDate",
                      "IsActive", "IsDeleted"])
    true, false = ("true", "false") if dialect == "postgresql" else ("1", "0")
    distinct = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"  # SQLite: the same
    audit = (f'"ModifiedBy" = \'bench\', "ModifiedDate" = CURRENT_TIMESTAMP, '
             f'"IsActive" = {true}, "IsDeleted" = {false}, '
             '"DeletedBy" = NULL, "DeletedDate" = NULL')
    insert = (f'INSERT INTO "{FLOOR_TABLE}" AS t ({columns}) SELECT s.*, \'bench\', '
              f'CURRENT_TIMESTAMP, {true}, {false} FROM ({source}) s')
    if form == "upsert":
        differs = " OR ".join(f't."{c}" {distinct} excluded."{c}"' for c in VALUE_COLUMNS)
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in VALUE_COLUMNS)
        return [f'{insert} WHERE true ON CONFLICT ("ServiceProviderId", "ICCID") DO UPDATE '
                f'SET {sets}, {audit} WHERE t."IsDeleted" OR {differs}']
    differs = " OR ".join(f't."{c}" {distinct} s."{c}"' for c in VALUE_COLUMNS)
    sets = ", ".join(f'"{c}" = s."{c}"' for c in VALUE_COLUMNS)
    return [
        f'UPDATE "{FLOOR_TABLE}" AS t SET {sets}, {audit} FROM ({source}) s '
        'WHERE t."ServiceProviderId" = s."ServiceProviderId" AND t."ICCID" = s."ICCID" '
        f'AND (t."IsDeleted" OR {differs})',
        f'{insert} WHERE NOT EXISTS (SELECT 1 FROM "{FLOOR_TABLE}" x '
        'WHERE x."ServiceProviderId" = s."ServiceProviderId" AND x."ICCID" = s."ICCID")']


def timed_pass(engine, form: str) -> tuple[float, int]:
    """One compare-and-update pass in one transaction: (seconds, rows written)."""
    from sqlalchemy import text

    dialect = engine.dialect.name
    with engine.connect().execution_options(preserve_rowcount=True) as conn:
        started = time.perf_counter()
        with conn.begin():
            if dialect == "postgresql":  # the floor gets the engine's session settings too
                conn.execute(text("SET LOCAL jit = off"))
                conn.execute(text("SET LOCAL work_mem = '256MB'"))
            written = sum(conn.execute(text(s)).rowcount for s in resync_pass(dialect, form))
        return time.perf_counter() - started, written


def limit_resync(engine, n: int) -> dict:
    """The compare-and-update pass against N rows with 1 % different (limit_resync), then
    again with nothing different (limit_unchanged): the fastest of three tries of each form
    (the upsert, and UPDATE … FROM + INSERT … WHERE NOT EXISTS); the floor is the faster
    form. The carrier tables must hold the 1 % resync's rows."""
    table = floor_table()
    before = device_rows(n, datetime(2026, 1, 1))
    dialect = engine.dialect.name
    payload = copy_payload(before) if dialect == "postgresql" else None
    best = {(label, form): float("inf") for label in ("resync", "unchanged")
            for form in RESYNC_FORMS}
    written = {}
    for _ in range(TRIES):
        for form in RESYNC_FORMS:
            table.drop(engine, checkfirst=True)
            table.create(engine)
            in_raw_transaction(engine, lambda raw: load(
                raw, dialect, FLOOR_TABLE, DEVICE_COLUMNS, before, payload))
            if dialect == "postgresql":  # as autovacuum leaves a table a day after its load
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql(f'VACUUM ANALYZE "{FLOOR_TABLE}"')
            for label in ("resync", "unchanged"):
                seconds, written[label, form] = timed_pass(engine, form)
                best[label, form] = min(best[label, form], seconds)
    table.drop(engine)
    floors = {}
    for label in ("resync", "unchanged"):
        form = min(RESYNC_FORMS, key=lambda f: best[label, f])
        floors[f"limit_{label}_s"] = best[label, form]
        floors[f"limit_{label}_form"] = form
        floors[f"limit_{label}_by_form_s"] = {f: best[label, f] for f in RESYNC_FORMS}
        floors[f"limit_{label}_rows_written"] = written[label, form]
    return floors


# --- one finalization in a fresh process ------------------------------------------------------
def peak_rss_mb() -> float:
    """This process's peak RSS. Not ru_maxrss: Linux carries that across exec, so a child
    would report its parent's peak (the parent holds the generated rows); VmHWM belongs to
    the process's own address space."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def statement_step(statement: str) -> str:
    """The step a SQL statement belongs to, named by the table it writes (for the breakdown)."""
    flat = " ".join(statement.split())
    if flat[:10].upper().startswith(("ANALYZE", "SET ")):
        return "session settings and statistics"
    if flat[:6].upper() in ("CREATE", "DROP T") and "cleanup_checked_rows" in flat:
        return "checks: checked rows' temporary table and index"
    if flat.startswith("WITH checked_every_row"):  # PostgreSQL: checked, written, counted
        return "cleanup_checked_rows: insert"
    if flat[:6].upper() == "CREATE":
        return "create " + " ".join(flat.split()[1:4])
    match = re.match(r'(INSERT INTO|UPDATE|DELETE FROM)\s+(?:"?\w+"?\.)?"?(\w+)"?', flat, re.I)
    if match:
        verb = {"INSERT INTO": "insert", "UPDATE": "update", "DELETE FROM": "delete"}[
            match.group(1).upper()]
        checked = "cleanup_checked_rows" in flat  # merge_into's temporary table
        if verb == "update" and "NOT (EXISTS" in flat:
            verb = "soft-delete absent"  # merge.mark_absent (against the carrier table, or
            # the checked rows where they hold every row)
        elif verb == "update" and checked:  # merge_into: the compare-and-update
            verb = "update changed"
        return f"{match.group(2)}: {verb}"
    if '"Defect"' in flat:  # merge_into: every row checked, written once, counted
        return "checks: count checked rows"
    return "reads (counts, gate facts)"


def record_steps(engine, statements: list | None = None) -> dict[str, float]:
    """Seconds per step, summed from the database's statement timings (and, when
    ``statements`` is a list, each statement's seconds and first words appended to it)."""
    from sqlalchemy import event

    steps: dict[str, float] = {}

    @event.listens_for(engine, "before_cursor_execute")
    def _started(conn, cursor, statement, parameters, context, executemany):
        conn.info["statement_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _finished(conn, cursor, statement, parameters, context, executemany):
        seconds = time.perf_counter() - conn.info.pop("statement_started")
        step = statement_step(statement)
        steps[step] = steps.get(step, 0.0) + seconds
        if statements is not None:
            statements.append((round(seconds, 4), " ".join(statement.split())[:120]))

    return steps


def finalize_child(url: str) -> None:
    """Run in a subprocess: finalize + summarize the partition, print seconds and peak RSS."""
    from sqlalchemy import select

    from cleanup_assets.db import connect_databases
    from cleanup_assets.registry import INTEGRATIONS
    from cleanup_assets.reporting import summarize
    from cleanup_assets.schema import device_sync
    from cleanup_assets.sql.finalize import FinalizeRequest, finalize_partition

    databases = connect_databases(url)
    steps = record_steps(databases.central)
    baseline = peak_rss_mb()
    started = time.perf_counter()
    result = finalize_partition(databases, FinalizeRequest(INTEGRATIONS["jasper"], str(TENANT)))
    finalized = time.perf_counter()
    with databases.central.connect() as conn:
        sync = conn.execute(select(device_sync).where(device_sync.c.id == result.sync_id)).first()
    summarize(databases, INTEGRATIONS["jasper"], sync, use_procedure=False)
    seconds = time.perf_counter() - started
    counts = result.common.devices
    steps["outside the database (Python, driver, commits)"] = seconds - sum(steps.values())
    print(json.dumps({"seconds": seconds, "finalize_s": finalized - started,
                      "summary_s": seconds - (finalized - started),
                      "peak_rss_mb": peak_rss_mb(), "baseline_rss_mb": baseline,
                      "counts": {"rows": counts.rows, "accepted": counts.accepted,
                                 "rejected": counts.rejected, "inserted": counts.inserted,
                                 "updated": counts.updated, "unchanged": counts.unchanged,
                                 "deactivated": counts.deactivated,
                                 "tenant_links_inserted": result.common.tenant_links_inserted,
                                 "new_plans": len(result.new_plans)},
                      "steps_s": {k: round(v, 3) for k, v in sorted(steps.items())}}))


def in_child(*args: str) -> dict:
    """Run a script in a fresh process; its last line of output is JSON."""
    completed = subprocess.run([sys.executable, *args], capture_output=True, text=True)
    if completed.returncode:
        raise RuntimeError(f"{args} failed:\n{completed.stdout}\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def ours(url: str) -> dict:
    return in_child(__file__, "--child-finalize", url)


def peer(url: str) -> dict:
    return in_child(str(HERE / "naive_peer.py"), "--url", url, "--provider", str(PROVIDER))


# --- databases ---------------------------------------------------------------------------------
def fresh_database(kind: str, workdir: Path):
    from sqlalchemy import create_engine, text

    from cleanup_assets.db import connect_databases
    from cleanup_assets.schema import create_schema

    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:6]}.db"
        url = f"sqlite:///{path}"

        def drop():  # the file, its WAL and shared memory (a 1M database is ~400 MB)
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
    else:
        name = f"cleanup_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    databases = connect_databases(url)
    create_schema(databases)
    return url, databases.central, drop


def seed_partition(engine) -> None:
    from cleanup_assets.tooling.demo import seed_reference_data

    with engine.begin() as conn:
        seed_reference_data(conn, [(PROVIDER, TENANT, "jasper", "Bench Jasper")])


def forget_sync(engine) -> None:
    """Back to before the first sync: no devices, links, plans of ours, rejects, recorded
    verdicts or ledger rows."""
    empty_tables(engine, "Device", "Device_Tenant", "CleanupNewCommunicationPlan",
                 "CleanupRejectedRow", "CleanupJudgedRow")
    execute(engine, 'DELETE FROM "JasperCommunicationPlan" WHERE "CommunicationPlanName" '
                    "LIKE 'CP-__'", 'DELETE FROM "CleanupDeviceSync"')
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql('VACUUM ANALYZE "JasperCommunicationPlan"')


def day_passes(engine) -> None:
    """What autovacuum does in the day between a first sync and the next (PostgreSQL): a
    million inserted rows get vacuumed and analyzed. Done by hand so that every run resyncs
    against the same tables (autovacuum's timing would otherwise decide; never timed)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql('VACUUM ANALYZE "Device", "Device_Tenant"')


def device_state(engine) -> dict:
    """A digest of what a sync leaves (the peer's and ours must agree)."""
    from sqlalchemy import text

    with engine.connect() as conn:
        devices = conn.execute(text(
            'SELECT count(*), count(DISTINCT "ICCID"), '
            'sum(CASE WHEN "Status" = \'SUSPENDED\' THEN 1 ELSE 0 END), '
            'sum(CASE WHEN "IsDeleted" = \'1\' THEN 1 ELSE 0 END), sum("CtdDataUsage" % 1000), '
            'count(DISTINCT "CommunicationPlan"), count(DISTINCT "RatePlan") FROM "Device"')).one()
        links = conn.execute(text('SELECT count(*) FROM "Device_Tenant" l JOIN "Device" d '
                                  'ON d.id = l."DeviceId"')).scalar()
        plans = conn.execute(text('SELECT count(*) FROM "JasperCommunicationPlan" '
                                  "WHERE \"CommunicationPlanName\" LIKE 'CP-__'")).scalar()
    keys = ("devices", "distinct_iccids", "suspended", "deleted", "usage_checksum",
            "communication_plans_used", "rate_plans_used")
    return {**dict(zip(keys, (int(v or 0) for v in devices))), "tenant_links": int(links),
            "new_plans": int(plans)}


# --- one database, one size --------------------------------------------------------------------
def bench_size(kind: str, n: int, workdir: Path) -> dict:
    """Floors, the peer and ours for one database and N, in an order that gives each the
    state it needs (the tables are reset between them; nothing is timed while resetting)."""
    url, engine, drop = fresh_database(kind, workdir)
    figures: dict = {"database": kind, "devices": n}
    try:
        seed_partition(engine)
        first, resync = carrier_rows(n), carrier_rows(n, 0.01, seed=1)
        stage(engine, first, usage_rows(n))

        figures["limit_first_s"] = limit_first(engine, n)
        figures["peer_first"] = peer(url)
        figures["peer_first"]["state"] = device_state(engine)
        forget_sync(engine)
        figures["first"] = ours(url)
        figures["first"]["state"] = device_state(engine)
        day_passes(engine)

        stage(engine, resync)
        figures.update(limit_resync(engine, n))
        figures["resync"] = ours(url)
        figures["resync"]["state"] = device_state(engine)
        figures["unchanged"] = ours(url)

        stage(engine, first)  # back to the first sync's Device (untimed), then the peer resyncs
        ours(url)
        stage(engine, resync)
        figures["peer_resync"] = peer(url)
        figures["peer_resync"]["state"] = device_state(engine)
        for label in ("first", "resync", "unchanged"):
            figures[label]["x_floor"] = figures[label]["seconds"] / figures[FLOOR_OF[label]]
        for label in ("first", "resync"):
            figures[f"peer_{label}"]["ours_faster_x"] = (
                figures[f"peer_{label}"]["seconds"] / figures[label]["seconds"])
        return figures
    finally:
        engine.dispose()
        if drop:
            drop()


FLOOR_OF = {"first": "limit_first_s", "resync": "limit_resync_s",
            "unchanged": "limit_unchanged_s"}


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

    from cleanup_assets.tooling.demo_run import run_sensor_tick
    from cleanup_assets.definitions import make_definitions
    from cleanup_assets.defs.resources import DatabaseResource
    from cleanup_assets.notifications import post_notification
    from cleanup_assets.outbox import read_json
    from cleanup_assets.schema import device, optimization_session

    url, engine, drop = fresh_database(kind, workdir)
    os.environ["CLEANUP_HOME"] = str(workdir / f"home-{kind}")
    try:
        seed_partition(engine)
        stage(engine, carrier_rows(1000), usage_rows(1000))
        with engine.begin() as conn:
            conn.execute(optimization_session.insert().values(
                Id=77, SessionId=str(uuid.uuid4()), ServiceProviderId=PROVIDER, TenantId=TENANT,
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


# --- the report --------------------------------------------------------------------------------
def seconds(value: float) -> str:
    return f"{value:.2f}s" if value < 100 else f"{value:.0f}s"


def print_size(f: dict) -> None:
    print(f"{f['database']:>10} {f['devices']:>9,} | floors: first {seconds(f['limit_first_s'])}"
          f" resync {seconds(f['limit_resync_s'])} unchanged {seconds(f['limit_unchanged_s'])}"
          f" | ours: first {seconds(f['first']['seconds'])} ({f['first']['x_floor']:.1f}x)"
          f" 1% resync {seconds(f['resync']['seconds'])} ({f['resync']['x_floor']:.1f}x)"
          f" unchanged {seconds(f['unchanged']['seconds'])} "
          f"({f['unchanged']['x_floor']:.1f}x) RSS {ours_rss(f):.0f} MB"
          f" | peer: first {seconds(f['peer_first']['seconds'])} "
          f"({f['peer_first']['ours_faster_x']:.1f}x ours) 1% resync "
          f"{seconds(f['peer_resync']['seconds'])} "
          f"({f['peer_resync']['ours_faster_x']:.1f}x ours) RSS "
          f"{max(f['peer_first']['peak_rss_mb'], f['peer_resync']['peak_rss_mb']):.0f} MB",
          flush=True)


def ours_rss(f: dict) -> float:
    return max(f[label]["peak_rss_mb"] for label in ("first", "resync", "unchanged"))


def verdicts(report: dict) -> list[dict]:
    """Each target at the largest size measured, per database: met, or missed by how much."""
    out = []
    for kind in {s["database"] for s in report["sizes"]}:
        sizes = sorted((s for s in report["sizes"] if s["database"] == kind),
                       key=lambda s: s["devices"])
        big, small = sizes[-1], sizes[0]

        def add(name, value, limit, at_most=True, unit="x"):
            met = value <= limit if at_most else value >= limit
            out.append({"database": kind, "devices": big["devices"], "target": name,
                        "value": round(value, 2), "limit": limit, "met": met,
                        "missed_by": None if met else round(value / limit if at_most
                                                            else limit / value, 2),
                        "unit": unit, "at_most": at_most})
        add("first <= 2x limit_first", big["first"]["x_floor"], TARGETS["first_x_limit_first"])
        add("1% resync <= 2x limit_resync", big["resync"]["x_floor"],
            TARGETS["resync_x_limit_resync"])
        add("first >= 15x faster than the peer", big["peer_first"]["ours_faster_x"],
            TARGETS["peer_first_speedup"], at_most=False)
        add("1% resync >= 3x faster than the peer", big["peer_resync"]["ours_faster_x"],
            TARGETS["peer_resync_speedup"], at_most=False)
        add("peak RSS <= 300 MB", max(ours_rss(s) for s in sizes), TARGETS["peak_rss_mb"],
            unit="MB")
        add(f"peak RSS flat ({small['devices']:,} -> {big['devices']:,})",
            ours_rss(big) / ours_rss(small), TARGETS["rss_growth_10k_to_1m"])
    return sorted(out, key=lambda v: (v["database"], v["target"]))


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
              "started": datetime.now().isoformat(timespec="seconds"),
              "targets": TARGETS, "sizes": [], "sensor_tick": {}, "end_to_end": {}}
    for kind in databases:
        for n in sizes:
            figures = bench_size(kind, n, workdir)
            report["sizes"].append(figures)
            print_size(figures)
        report["sensor_tick"][kind] = bench_sensor_tick(kind, workdir, args.notifications)
        report["end_to_end"][kind] = bench_end_to_end(kind, workdir)
        print(f"{kind:>10} sensor tick over {args.notifications:,} notifications: "
              f"{report['sensor_tick'][kind]:.2f}s | 1k-device partition end to end: "
              f"{report['end_to_end'][kind]['end_to_end_s']:.2f}s "
              f"(run ok: {report['end_to_end'][kind]['run_ok']}, optimization messages: "
              f"{report['end_to_end'][kind]['optimization_messages']})", flush=True)
    report["verdicts"] = verdicts(report)
    for v in report["verdicts"]:
        state = "met" if v["met"] else f"MISSED by {v['missed_by']}x"
        print(f"{v['database']:>10} {v['devices']:>9,}: {v['target']}: {v['value']}"
              f"{v['unit']} -> {state}")
    shutil.rmtree(workdir, ignore_errors=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"results: {out}")


if __name__ == "__main__":
    main()

"""What the shadow pass (cleanup_assets/sql/shadow.py) adds to a run, against one set-based
finalization of the same partition — the issue's bound: at most one more pass.

    python benchmarks/shadow.py                          # 10k, 100k, 1M on PostgreSQL
    python benchmarks/shadow.py --sizes 500              # a smoke run

For each N (devices of one Jasper provider, one PostgreSQL database — what the shadow
needs: the set-based engine joins the Jasper tables): the first sync finalized by the
set-based engine (untimed), then ``--tries`` rounds (default 3), each with the carrier's
list changed back and forth — 1 % of the statuses differ from the last sync's (untimed) —
and, side by side:

- ``shadow_differ``: the shadow pass where that 1 % was not applied: the engine updates
  them and the comparison records them;
- ``finalize_resync``: the set-based engine finalizes that 1 % resync (``finalize_partition``,
  the whole partition step);
- ``shadow_agree``: the shadow pass on the state that finalization left — what a run pays
  when the procedures did what ours would;
- ``finalize_unchanged``: the same finalization again, nothing differs.

Each figure is the fastest of its rounds: the four of a round run one after the other, so
a load that comes and goes on a shared machine weighs on both sides of a ratio alike; the
tables are vacuumed (untimed) after the list is loaded and after the resync. Beside the
wall clock, the CPU seconds of the database's server processes (read from /proc: the
server runs on this machine) and of this process, the least of the rounds — what other
work on the machine does not add to; for them every statement runs in one process
(``max_parallel_workers_per_gather = 0`` on the benchmark's database). The engine
skips the rows whose verdict it recorded (CleanupJudgedRow), the shadow's engine too, since
the first sync here was the engine's; ``--judge-all`` empties that record before each
pass, as where the procedures finalize (they record none): every row is judged.
The procedures' part of a run is not here: the shadow's cost does not depend on who wrote
the tables, only on their size and on what differs. Prints the seconds and the ratios,
and writes JSON to benchmarks/results/shadow.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import (  # noqa: E402  (benchmarks/run.py: the same data and databases)
    PROVIDER,
    TENANT,
    carrier_rows,
    day_passes,
    empty_tables,
    fresh_database,
    seed_partition,
    stage,
    usage_rows,
)

TRIES = 3


def _request():
    from cleanup_assets.registry import INTEGRATIONS
    from cleanup_assets.sql.finalize import FinalizeEngine, FinalizeRequest

    return FinalizeRequest(INTEGRATIONS["jasper"], str(TENANT), PROVIDER,
                           engine=FinalizeEngine.SET_BASED)


def _finalize(databases):
    from cleanup_assets.sql.finalize import finalize_partition

    return finalize_partition(databases, _request())


def _shadow(databases, result):
    from cleanup_assets.sql.finalize import shadow_partition

    outcome = shadow_partition(databases, _request(), result, [PROVIDER])
    assert outcome.status != "failed", outcome.error
    return outcome


TICKS = os.sysconf("SC_CLK_TCK")


def _server_cpu(engine) -> dict[int, float] | None:
    """CPU seconds (user + system) so far of each server process serving a connection to
    the benchmark's database, read from /proc (the PostgreSQL server runs on this machine); None where they
    cannot be read."""
    from sqlalchemy import text

    with engine.connect() as conn:
        pids = conn.execute(text(  # not an autovacuum worker's: its timing is its own
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend'")).scalars().all()
    seconds = {}
    for pid in pids:  # bounded: the benchmark's few connections
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        seconds[pid] = (int(fields[11]) + int(fields[12])) / TICKS
    return seconds


def _timed(engine, work):
    """(wall seconds, CPU seconds or None, what ``work`` returned). The CPU seconds are the
    server's processes' and this one's: what a load from elsewhere on the machine does not
    add to, unlike the wall clock."""
    cpu_before, own_before = _server_cpu(engine), time.process_time()
    started = time.perf_counter()
    value = work()
    wall = time.perf_counter() - started
    own, cpu_after = time.process_time() - own_before, _server_cpu(engine)
    if cpu_before is None or cpu_after is None:
        return wall, None, value
    server = sum(after - cpu_before.get(pid, 0.0) for pid, after in cpu_after.items())
    return wall, server + own, value


def _settle(engine) -> None:
    """After the carrier's list is loaded and after a sync has written: the tables vacuumed,
    so that whichever runs first after a write does not pay for the others (setting hint
    bits on a million fresh rows, pruning the old versions of the updated ones)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql('VACUUM ANALYZE "JasperDevice", "Device", "Device_Tenant"')


def bench(n: int, workdir: Path, tries: int = TRIES, judge_all: bool = False) -> dict:
    from sqlalchemy import text

    from cleanup_assets.db import connect_databases

    url, engine, drop = fresh_database("postgresql", workdir)
    with engine.connect() as conn:  # one process per statement: all of its CPU is counted
        conn.execute(text(f'ALTER DATABASE "{engine.url.database}" '
                          "SET max_parallel_workers_per_gather = 0"))
        conn.commit()
    databases = connect_databases(url)
    try:
        seed_partition(engine)
        stage(engine, carrier_rows(n), usage_rows(n))
        result = _finalize(databases)
        day_passes(engine)
        wall: dict[str, list[float]] = {k: [] for k in ("differ", "resync", "agree", "unchanged")}
        cpu: dict[str, list[float | None]] = {k: [] for k in wall}
        differing = set()

        def timed(key, work):
            if judge_all:  # where the procedures finalize: no verdict of ours is recorded
                empty_tables(engine, "CleanupJudgedRow")
            seconds, cpu_seconds, value = _timed(engine, work)
            wall[key].append(seconds)
            cpu[key].append(cpu_seconds)
            return value

        for round_ in range(tries):
            # The list of the next sync: 1 % of the statuses changed, or changed back.
            stage(engine, carrier_rows(n, changed_share=0.01 if round_ % 2 == 0 else 0.0))
            _settle(engine)
            differing.add(timed("differ", lambda: _shadow(databases, result)).devices)
            _settle(engine)  # the rolled-back writes' dead rows: not the resync's to clean
            result = timed("resync", lambda: _finalize(databases))
            _settle(engine)
            agree = timed("agree", lambda: _shadow(databases, result))
            assert agree.status == "agree", f"the engine disagrees with itself: {agree.reason()}"
            timed("unchanged", lambda: _finalize(databases))
        assert len(differing) == 1, f"the rounds differ in size: {differing}"
        fastest = {key: min(values) for key, values in wall.items()}
        least = {key: min(values) if None not in values else None for key, values in cpu.items()}

        def ratio(figures, shadow, finalize):
            if figures[shadow] is None:
                return None
            return round(figures[shadow] / figures[finalize], 2)

        return {
            "devices": n, "rounds": tries, "judge_all": judge_all,
            "finalize_resync_s": round(fastest["resync"], 3),
            "finalize_unchanged_s": round(fastest["unchanged"], 3),
            "shadow_agree_s": round(fastest["agree"], 3),
            "shadow_differ_s": round(fastest["differ"], 3),
            "shadow_differ_devices": differing.pop(),
            "shadow_agree_x_finalize_unchanged": ratio(fastest, "agree", "unchanged"),
            "shadow_differ_x_finalize_resync": ratio(fastest, "differ", "resync"),
            "cpu_s": {key: None if value is None else round(value, 3)
                      for key, value in least.items()},
            "cpu_shadow_agree_x_finalize_unchanged": ratio(least, "agree", "unchanged"),
            "cpu_shadow_differ_x_finalize_resync": ratio(least, "differ", "resync"),
        }
    finally:
        databases.dispose()
        engine.dispose()
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--tries", type=int, default=TRIES,
                        help="rounds per size; each figure is the fastest of them")
    parser.add_argument("--judge-all", action="store_true",
                        help="no recorded verdict before each pass (CleanupJudgedRow emptied, "
                             "untimed): every row judged, as where the procedures finalize")
    parser.add_argument("--out", default=str(HERE / "results" / "shadow.json"))
    args = parser.parse_args()
    workdir = HERE / "results"
    workdir.mkdir(exist_ok=True)
    figures = []
    if args.judge_all:
        print("no recorded verdicts: every row judged, as where the procedures finalize")
    print(f"{'devices':>9} {'resync':>8} {'unchanged':>9} {'shadow=':>8} {'shadow≠':>8} "
          f"{'=/unch.':>7} {'≠/resync':>8}   CPU: {'=/unch.':>7} {'≠/resync':>8}")

    def x(value):
        return "-" if value is None else f"{value:.2f}x"

    for n in (int(s) for s in args.sizes.split(",")):
        f = bench(n, workdir, args.tries, args.judge_all)
        figures.append(f)
        print(f"{n:>9} {f['finalize_resync_s']:>7.2f}s {f['finalize_unchanged_s']:>8.2f}s "
              f"{f['shadow_agree_s']:>7.2f}s {f['shadow_differ_s']:>7.2f}s "
              f"{x(f['shadow_agree_x_finalize_unchanged']):>7} "
              f"{x(f['shadow_differ_x_finalize_resync']):>8}        "
              f"{x(f['cpu_shadow_agree_x_finalize_unchanged']):>7} "
              f"{x(f['cpu_shadow_differ_x_finalize_resync']):>8}", flush=True)
    Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()

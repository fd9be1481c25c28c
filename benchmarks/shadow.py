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
tables are vacuumed (untimed) after the list is loaded and after the resync. The engine
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

    started = time.perf_counter()
    result = finalize_partition(databases, _request())
    return time.perf_counter() - started, result


def _shadow(databases, result):
    from cleanup_assets.sql.finalize import shadow_partition

    started = time.perf_counter()
    outcome = shadow_partition(databases, _request(), result, [PROVIDER])
    assert outcome.status != "failed", outcome.error
    return time.perf_counter() - started, outcome


def _settle(engine) -> None:
    """After the carrier's list is loaded and after a sync has written: the tables vacuumed,
    so that whichever runs first after a write does not pay for the others (setting hint
    bits on a million fresh rows, pruning the old versions of the updated ones)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql('VACUUM ANALYZE "JasperDevice", "Device", "Device_Tenant"')


def bench(n: int, workdir: Path, tries: int = TRIES, judge_all: bool = False) -> dict:
    from cleanup_assets.db import connect_databases

    url, engine, drop = fresh_database("postgresql", workdir)
    databases = connect_databases(url)
    try:
        seed_partition(engine)
        stage(engine, carrier_rows(n), usage_rows(n))
        _, result = _finalize(databases)
        day_passes(engine)
        seconds: dict[str, list[float]] = {
            "differ": [], "resync": [], "agree": [], "unchanged": []}
        differing = set()
        def untimed():
            if judge_all:  # where the procedures finalize: no verdict of ours is recorded
                empty_tables(engine, "CleanupJudgedRow")

        for round_ in range(tries):
            # The list of the next sync: 1 % of the statuses changed, or changed back.
            stage(engine, carrier_rows(n, changed_share=0.01 if round_ % 2 == 0 else 0.0))
            _settle(engine)
            untimed()
            took, differ = _shadow(databases, result)
            seconds["differ"].append(took)
            differing.add(differ.devices)
            untimed()
            took, result = _finalize(databases)
            seconds["resync"].append(took)
            _settle(engine)
            untimed()
            took, agree = _shadow(databases, result)
            assert agree.status == "agree", f"the engine disagrees with itself: {agree.reason()}"
            seconds["agree"].append(took)
            untimed()
            seconds["unchanged"].append(_finalize(databases)[0])
        assert len(differing) == 1, f"the rounds differ in size: {differing}"
        fastest = {key: min(values) for key, values in seconds.items()}
        return {
            "devices": n, "rounds": tries, "judge_all": judge_all,
            "finalize_resync_s": round(fastest["resync"], 3),
            "finalize_unchanged_s": round(fastest["unchanged"], 3),
            "shadow_agree_s": round(fastest["agree"], 3),
            "shadow_differ_s": round(fastest["differ"], 3),
            "shadow_differ_devices": differing.pop(),
            "shadow_agree_x_finalize_unchanged": round(fastest["agree"] / fastest["unchanged"], 2),
            "shadow_differ_x_finalize_resync": round(fastest["differ"] / fastest["resync"], 2),
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
          f"{'=/unch.':>7} {'≠/resync':>8}")
    for n in (int(s) for s in args.sizes.split(",")):
        f = bench(n, workdir, args.tries, args.judge_all)
        figures.append(f)
        print(f"{n:>9} {f['finalize_resync_s']:>7.2f}s {f['finalize_unchanged_s']:>8.2f}s "
              f"{f['shadow_agree_s']:>7.2f}s {f['shadow_differ_s']:>7.2f}s "
              f"{f['shadow_agree_x_finalize_unchanged']:>6.2f}x "
              f"{f['shadow_differ_x_finalize_resync']:>7.2f}x", flush=True)
    Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()

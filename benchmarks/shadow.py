"""What the shadow pass (cleanup_assets/sql/shadow.py) adds to a run, against one set-based
finalization of the same partition — the issue's bound: at most one more pass.

    python benchmarks/shadow.py                          # 10k, 100k, 1M on PostgreSQL
    python benchmarks/shadow.py --sizes 500              # a smoke run

For each N (devices of one Jasper provider, one PostgreSQL database — what the shadow
needs: the set-based engine joins the Jasper tables): the first sync finalized by the
set-based engine (untimed), 1 % of the statuses changed in ``JasperDevice``, then

- ``finalize_resync``: the set-based engine finalizes that 1 % resync (``finalize_partition``,
  the whole partition step) — once: after it nothing differs;
- ``finalize_unchanged``: the same again, nothing differs (fastest of three);
- ``shadow_agree``: the shadow pass on the state the finalization left — what a run pays
  when the procedures did what ours would (fastest of three: the pass is rolled back, so
  it can be repeated);
- ``shadow_differ``: the shadow pass where the 1 % were not applied (taken before the
  resync's finalization): the engine updates them and the comparison records them.

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


def bench(n: int, workdir: Path) -> dict:
    from cleanup_assets.db import connect_databases

    url, engine, drop = fresh_database("postgresql", workdir)
    databases = connect_databases(url)
    try:
        seed_partition(engine)
        stage(engine, carrier_rows(n), usage_rows(n))
        _, first = _finalize(databases)
        day_passes(engine)
        stage(engine, carrier_rows(n, changed_share=0.01))  # usage stays
        differ = [_shadow(databases, first) for _ in range(TRIES)]
        resync, result = _finalize(databases)
        unchanged = min(_finalize(databases)[0] for _ in range(TRIES))
        agree = [_shadow(databases, result) for _ in range(TRIES)]
        assert {o.status for _, o in agree} == {"agree"}, "the engine disagrees with itself"
        shadow_agree, shadow_differ = min(s for s, _ in agree), min(s for s, _ in differ)
        return {
            "devices": n, "finalize_resync_s": round(resync, 3),
            "finalize_unchanged_s": round(unchanged, 3),
            "shadow_agree_s": round(shadow_agree, 3), "shadow_differ_s": round(shadow_differ, 3),
            "shadow_differ_devices": differ[0][1].devices,
            "shadow_agree_x_finalize_unchanged": round(shadow_agree / unchanged, 2),
            "shadow_differ_x_finalize_resync": round(shadow_differ / resync, 2),
        }
    finally:
        databases.dispose()
        engine.dispose()
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--out", default=str(HERE / "results" / "shadow.json"))
    args = parser.parse_args()
    workdir = HERE / "results"
    workdir.mkdir(exist_ok=True)
    figures = []
    print(f"{'devices':>9} {'resync':>8} {'unchanged':>9} {'shadow=':>8} {'shadow≠':>8} "
          f"{'=/unch.':>7} {'≠/resync':>8}")
    for n in (int(s) for s in args.sizes.split(",")):
        f = bench(n, workdir)
        figures.append(f)
        print(f"{n:>9} {f['finalize_resync_s']:>7.2f}s {f['finalize_unchanged_s']:>8.2f}s "
              f"{f['shadow_agree_s']:>7.2f}s {f['shadow_differ_s']:>7.2f}s "
              f"{f['shadow_agree_x_finalize_unchanged']:>6.2f}x "
              f"{f['shadow_differ_x_finalize_resync']:>7.2f}x", flush=True)
    Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()

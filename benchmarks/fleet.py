"""The fleet benchmark: 36 partitions (4 tenants × 9 integrations, one provider each)
finalized through the deployed shape and in one process, in the same run.

    .venv/bin/python benchmarks/fleet.py [--devices 20 2000] [--celery]

- **daemon**: deploy/dagster.yaml on PostgreSQL (2 concurrent runs, one per integration),
  the gRPC code server, the daemon; 36 sync notifications posted at once, the sensor
  launches the runs. Partitions per minute = 36 / (first run created → last run ended).
- **celery** (with ``--celery``): the same with ``CLEANUP_EXECUTOR=celery`` and one Celery
  worker (RabbitMQ broker on its own virtual host, Redis results).
- **one process**: the same 36 partitions with the same run config, one after the other,
  ``execute_in_process`` in this process (no daemon, no process start).
- **launch → first step**: per run, from the launcher's RUN_STARTING event to the first
  STEP_START (process start, code import, instance and resources), median and max; and
  queued → started.

Each size in ``--devices`` (devices per provider) is measured on its own: with 20 the runs'
fixed costs dominate, with 2,000 the finalization's own work shows. Celery runs at the first
size only. Needs PostgreSQL on 127.0.0.1:5432 (and RabbitMQ, Redis with ``--celery``). Prints a table
and writes benchmarks/results/fleet.json. A measurement, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dagster as dg  # noqa: E402

from cleanup_assets.defs.partitions import add_tenant_partitions, partition_key  # noqa: E402
from cleanup_assets.defs.resources import DatabaseResource  # noqa: E402
from cleanup_assets.definitions import make_definitions  # noqa: E402
from cleanup_tests.processes import wait_until  # noqa: E402
from cleanup_tests.stack import (  # noqa: E402
    LOCAL_COMPUTE_LOGS,
    TENANTS,
    create_database,
    database_url,
    drop_database,
    make_stack,
    overlapping_runs,
    post_fleet_notifications,
    run_summary,
    seed_fleet,
)

PARTITIONS = 36


def through_the_daemon(root: Path, devices: int, celery: bool) -> dict:
    extra, vhost = {}, None
    if celery:
        vhost = f"cleanup-bench-{uuid.uuid4().hex[:8]}"
        subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True)
        subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*",
                        ".*"], check=True)
        extra = {"CLEANUP_EXECUTOR": "celery",
                 "CLEANUP_CELERY_BROKER_URL": f"pyamqp://guest@127.0.0.1:5672/{vhost}",
                 "CLEANUP_CELERY_BACKEND_URL": "redis://127.0.0.1:6379/0"}
    stack = make_stack(root, instance_overrides=LOCAL_COMPUTE_LOGS, **extra)
    try:
        providers = seed_fleet(stack.data_url, devices)
        stack.start_code_server()
        if celery:
            stack.start_celery_worker()
        stack.start_daemon()
        with stack.instance() as instance:
            # Post once the daemon's first sensor tick is behind it, as in steady state.
            wait_until(lambda: "sync sensor tick" in stack.log("daemon") or
                       "sync_notification_sensor" in stack.log("daemon"), timeout=120,
                       what="the daemon's first sensor tick")
            posted = time.time()
            post_fleet_notifications(stack.data_url, providers)

            def finished():
                runs = instance.get_runs(filters=dg.RunsFilter(statuses=[
                    dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE]))
                return runs if len(runs) >= PARTITIONS else None

            wait_until(finished, timeout=900, interval=1, what="36 finished runs")
            summary = run_summary(instance)
            queued_to_started = []
            for record in instance.get_run_records():
                if record.start_time:
                    queued_to_started.append(record.start_time -
                                             record.create_timestamp.timestamp())
    finally:
        stack.stop()
        if vhost:
            subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], check=True)
    first_created = min(r["created"] for r in summary)
    last_end = max(r["end"] for r in summary)
    launch = [r["launch_to_first_step_s"] for r in summary if r["launch_to_first_step_s"]]
    durations = [r["end"] - r["start"] for r in summary]
    return {
        "runs": len(summary),
        "succeeded": sum(r["status"] == "SUCCESS" for r in summary),
        "overlapping_runs_of_one_integration": len(overlapping_runs(summary)),
        "seconds": round(last_end - first_created, 1),
        "seconds_from_posting": round(last_end - posted, 1),
        "partitions_per_minute": round(PARTITIONS / (last_end - first_created) * 60, 1),
        "launch_to_first_step_s": {"median": round(statistics.median(launch), 2),
                                   "max": round(max(launch), 2)},
        "queued_to_started_s": {"median": round(statistics.median(queued_to_started), 2),
                                "max": round(max(queued_to_started), 2)},
        "run_seconds": {"median": round(statistics.median(durations), 2),
                        "max": round(max(durations), 2)},
    }


def in_one_process(devices: int) -> dict:
    name = create_database("cleanup_fleet_one")
    try:
        url = database_url(name)
        providers = seed_fleet(url, devices)
        defs = make_definitions(DatabaseResource(url=url))
        job = defs.resolve_job_def("finalize_device_sync")
        with dg.instance_for_test() as instance:
            add_tenant_partitions(instance, [str(t) for t in TENANTS])
            started = time.perf_counter()
            results = [job.execute_in_process(
                instance=instance, partition_key=partition_key(key, str(tenant)),
                tags={"cleanup/service_provider_id": str(sp)},
                run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
                raise_on_error=False) for sp, tenant, key in providers]
            seconds = time.perf_counter() - started
    finally:
        drop_database(name)
    return {"runs": len(results), "succeeded": sum(r.success for r in results),
            "seconds": round(seconds, 1),
            "partitions_per_minute": round(PARTITIONS / seconds * 60, 1)}


def spread(figures: dict, key: str) -> str:
    value = figures.get(key)
    return f"{value['median']} / {value['max']} s" if value else "-"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, nargs="+", default=[20, 2000],
                        help="devices per provider, one measurement per size")
    parser.add_argument("--celery", action="store_true", help="also through a Celery worker")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="cleanup-fleet-"))
    results = []
    for n, devices in enumerate(args.devices):
        figures = {"partitions": PARTITIONS, "devices_per_provider": devices,
                   "daemon": through_the_daemon(root / f"daemon-{devices}", devices,
                                                celery=False)}
        if args.celery and n == 0:
            figures["celery"] = through_the_daemon(root / f"celery-{devices}", devices,
                                                   celery=True)
        figures["one_process"] = in_one_process(devices)
        figures["daemon_vs_one_process"] = round(
            figures["daemon"]["partitions_per_minute"] /
            figures["one_process"]["partitions_per_minute"], 2)
        results.append(figures)

    print(f"{'devices':>7} {'path':<12} {'runs ok':>8} {'seconds':>8} {'part/min':>9} "
          f"{'launch->step med/max':>21} {'run med/max':>15} {'queued->started med/max':>24}")
    for figures in results:
        for path in ("daemon", "celery", "one_process"):
            f = figures.get(path)
            if f:
                print(f"{figures['devices_per_provider']:>7} {path:<12} "
                      f"{f['succeeded']:>4}/{f['runs']:<3} {f['seconds']:>8} "
                      f"{f['partitions_per_minute']:>9} "
                      f"{spread(f, 'launch_to_first_step_s'):>21} {spread(f, 'run_seconds'):>15} "
                      f"{spread(f, 'queued_to_started_s'):>24}")
        print(f"{figures['devices_per_provider']:>7} daemon / one process: "
              f"{figures['daemon_vs_one_process']}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "fleet.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

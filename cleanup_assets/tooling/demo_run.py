"""The demo's flow (``cleanup-assets demo``): seed the embedded database, notify every
service provider, and let production's machinery do the rest — the Dagster daemon's sync
sensor launches the runs through the instance's run queue, from the workspace's code
location, so the UI lists them under the job, the sensor's ticks and the timeline, and the
stop sensor watches them. Then a second day of carrier data, the same way."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from sqlalchemy import false, select, true

from ..db import cleanup_home, redacted
from ..defs.run_tags import NOTIFICATION_TAG, PROVIDER_TAG, RUN_KEY_TAG, will_retry
from ..defs.sync_of_run import SyncOfRun
from ..notifications import LAUNCHED, PENDING, WAITING, post_notification
from ..outbox import outbox_dir, read_json
from ..schema import create_schema, optimization_session, service_provider, sync_notification
from ..settings import Settings
from .demo import seed_demo, simulate_next_sync
from .targets import dagster_instance, database_url, open_databases

# The project's workspace: the code location the webserver (scripts/ui) loads too. A run's
# origin names it; launched from another, the UI would not list the run under the job.
WORKSPACE = Path(__file__).resolve().parents[2] / "workspace.yaml"
# The sensor ticks every 30 s; a day's runs go through a queue of 2 at a time.
DAY_TIMEOUT_SECONDS = 600

def evaluate_sync_sensor(instance, definitions, log_handler: logging.Handler | None = None):
    """One evaluation of the sync sensor, as the daemon does it: the tick's result, with its
    tenant-partition additions applied to ``instance``. ``log_handler`` also gets the
    tick's log records (what the UI shows under the tick)."""
    sensor = definitions.resolve_sensor_def("sync_notification_sensor")
    # Opened as the daemon opens it: resources with nested ones are set up in its scope.
    with dg.build_sensor_context(instance=instance, instance_ref=instance.get_ref(),
                                 definitions=definitions,
                                 resources=definitions.resources) as context:
        if log_handler is not None:
            context.log.addHandler(log_handler)
        tick = sensor.evaluate_tick(context)
    for request in tick.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return tick


def run_sensor_tick(instance, definitions) -> list[dict]:
    """Evaluate the sync sensor once, in process, and execute the runs it requests in this
    process (benchmarks/run.py measures the location's own cost this way). Such runs have no
    code-location origin: the UI does not list them under the job or the sensor — the demo
    goes through the daemon instead."""
    tick = evaluate_sync_sensor(instance, definitions)
    job = definitions.resolve_job_def("finalize_device_sync")
    rows = []
    for request in tick.run_requests or []:
        # The console shows warnings and errors; the full logs are in the instance (and UI).
        run_config = {**request.run_config,
                      "loggers": {"console": {"config": {"log_level": "WARNING"}}}}
        result = job.execute_in_process(
            instance=instance, partition_key=request.partition_key, run_config=run_config,
            tags={**request.tags, RUN_KEY_TAG: request.run_key}, raise_on_error=False,
        )
        metadata = {}
        for event in result.get_asset_materialization_events():
            materialization = event.event_specific_data.materialization
            metadata[materialization.asset_key.to_user_string()] = {
                k: v.value for k, v in materialization.metadata.items()
            }
        sync = SyncOfRun.of_run(result.dagster_run)
        rows.append({"integration": sync.integration.key, "tenant": sync.tenant_key,
                     "provider": request.tags.get(PROVIDER_TAG),
                     "success": result.success, "run_id": result.run_id, **metadata})
    return rows


def _post_for_every_provider(engine) -> list[int]:
    """One notification per provider; those with an open optimization session ask for it.
    Returns the notifications' ids."""
    with engine.begin() as conn:
        providers = conn.execute(
            select(service_provider.c.id, service_provider.c.IntegrationId,
                   optimization_session.c.Id.label("session"))
            .outerjoin(optimization_session, (optimization_session.c.ServiceProviderId ==
                                              service_provider.c.id)
                       & (optimization_session.c.IsActive == true()))
            .where(service_provider.c.IsActive == true(), service_provider.c.IsDeleted == false())
            .order_by(service_provider.c.id)
        ).all()
        return [post_notification(conn, {"IntegrationType": integration_id,
                                         "ServiceProviderId": provider_id,
                                         "ShouldQueueCarrierOptimization": str(session is not None),
                                         "OptimizationSessionId": session or 0})
                for provider_id, integration_id, session in providers]  # providers, not devices


def _print_outbox() -> None:
    messages, calls = read_json("sqs"), read_json("amop")
    print(f"\nLocal outbox ({outbox_dir('sqs').parent}): {len(messages)} optimization messages, "
          f"{len(calls)} AMOP 2.0 calls, {len(list(outbox_dir('email').glob('*.eml')))} emails")
    for message in messages:
        attributes = message["MessageAttributes"]
        print(f"  SQS  provider {attributes['ServiceProviderId']:>4} session "
              f"{attributes.get('OptimizationSessionId', '-'):>5}: {message['MessageBody']}")
    daily = [c["data"]["key_name"] + "/" + c["data"]["tenant_id"] for c in calls
             if "key_name" in c["data"]]
    progress = [c for c in calls if "path" in c["data"]]
    print(f"  AMOP daily-sync notifications: {', '.join(daily)}")
    print(f"  AMOP progress calls: {len(progress)} (25 % for each queued session)")


def _print_table(title: str, rows: list[dict]) -> None:
    header = ("partition", "provider", "ok", "checked", "rejected", "inserted", "updated",
              "unchanged", "deactivated", "new plans")
    print(f"\n{title}")
    print("  ".join(f"{h:>11}" if i else f"{h:<18}" for i, h in enumerate(header)))
    for row in rows:
        carrier = row.get("carrier_devices", {})
        common = row.get("common_devices", {})
        plans = row.get("communication_plans", {})
        values = (
            f"{row['integration']}|{row['tenant']}",
            row.get("provider") or "all",
            "yes" if row["success"] else "FAILED",
            carrier.get("rows_checked", "-"), carrier.get("rejected", "-"),
            common.get("inserted", "-"), common.get("updated", "-"), common.get("unchanged", "-"),
            common.get("deactivated", "-"), plans.get("new_plans", "-"),
        )
        print("  ".join(f"{v!s:>11}" if i else f"{v!s:<18}" for i, v in enumerate(values)))


def _daemon_is_running(instance) -> bool:
    """A daemon already serves this instance (scripts/ui runs one): its sensor will do."""
    beat = instance.get_daemon_heartbeats().get("SENSOR")
    return beat is not None and time.time() - beat.timestamp < 60


def reset_signals():
    # Started with SIGINT ignored (a non-interactive shell), dagster ignores SIGTERM too.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def dagster_daemon(log_path: Path, *, already_running: bool, instance=None):
    """The Dagster daemon on this instance and the project's workspace, for the block —
    unless one is already running (then that one serves, from its first sync-sensor tick
    that began after the instance was wiped)."""
    if already_running:
        print("dagster daemon: already running on this instance (scripts/ui?): using it")
        if instance is not None:
            _await_a_fresh_tick(instance)
        yield None
        return
    if not WORKSPACE.exists():
        raise RuntimeError(f"{WORKSPACE} is missing: the demo runs from a source checkout")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    daemon_bin = Path(sys.executable).parent / "dagster-daemon"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(daemon_bin), "run", "-w", str(WORKSPACE)], cwd=WORKSPACE.parent,
            env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=reset_signals)
    print(f"dagster daemon: started (log {log_path})")
    try:
        yield process
    finally:
        stop_process_group(process, timeout=30)  # the daemon and the code server it started


def _await_a_fresh_tick(instance, timeout: float = 120) -> None:
    """Waits until the running daemon has finished a tick of the sync sensor that began after
    the demo wiped the instance. A tick that began before the wipe writes its outcome to a tick
    record the wipe deleted: had it launched the demo's first runs, no tick would list them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for state in instance.all_instigator_state():
            if state.name != "sync_notification_sensor":
                continue
            ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=5)
            if any(tick.status.value != "STARTED" for tick in ticks):
                return  # every tick record left was made after the wipe
        time.sleep(0.5)
    raise RuntimeError(f"the running daemon finished no tick of sync_notification_sensor within "
                       f"{timeout:.0f} s; is its sensor stopped in the UI?")


def stop_process_group(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM to the process's group (started with ``start_new_session``), SIGKILL after
    ``timeout`` seconds."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _wait_for_runs(engine, instance, notification_ids: list[int], log_path: Path,
                   daemon: subprocess.Popen | None) -> list:
    """The runs the daemon's sensor launched for these notifications, once all finished:
    every notification decided, a run for each launched one (the sensor marks them launched
    before the daemon creates their runs), and every run done."""
    n = sync_notification
    finished = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE,
                dg.DagsterRunStatus.CANCELED}
    deadline = time.monotonic() + DAY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if daemon is not None and daemon.poll() is not None:
            raise RuntimeError(f"the dagster daemon exited (code {daemon.returncode}); "
                               f"see {log_path}")
        with engine.connect() as conn:
            statuses = dict(conn.execute(select(n.c.id, n.c.Status).where(
                n.c.id.in_(notification_ids))).all())
        runs = instance.get_runs(filters=dg.RunsFilter(tags={
            NOTIFICATION_TAG: [str(i) for i in notification_ids]}))
        launched = {str(i) for i, status in statuses.items() if status == LAUNCHED}
        with_runs = {r.tags.get(NOTIFICATION_TAG) for r in runs}
        latest = _latest_per_notification(runs)
        if (not any(s in (PENDING, WAITING) for s in statuses.values())
                and launched <= with_runs and all(r.status in finished for r in runs)
                and not any(will_retry(r) for r in latest)):
            return latest  # (a run the retry daemon will retry waits for its retry)
        time.sleep(2)
    raise RuntimeError(f"the sensor's runs did not all finish within {DAY_TIMEOUT_SECONDS} s; "
                       f"see {log_path} and the UI (scripts/ui)")


def _latest_per_notification(runs) -> list:
    """One run per notification: the latest (a retry or re-execution carries its tags)."""
    latest = {}
    for run in runs:  # get_runs lists the newest first
        latest.setdefault(run.tags.get(NOTIFICATION_TAG), run)
    return list(latest.values())


def _rows_of(instance, runs) -> list[dict]:
    """What each run materialized, as the demo's table shows it."""
    rows = []
    for run in runs:
        metadata = {}
        for record in instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records:
            materialization = record.event_log_entry.asset_materialization
            metadata[materialization.asset_key.to_user_string()] = {
                k: v.value for k, v in materialization.metadata.items()}
        sync = SyncOfRun.of_run(run)
        rows.append({"integration": sync.integration.key, "tenant": sync.tenant_key,
                     "provider": run.tags.get(PROVIDER_TAG),
                     "success": run.status == dg.DagsterRunStatus.SUCCESS,
                     "run_id": run.run_id, **metadata})
    return sorted(rows, key=lambda r: (int(r["provider"] or 0), r["run_id"]))


def run_demo(devices: int, days: int = 2) -> int:
    """Seed, then ``days`` (1 or 2) days of syncs: every provider notified, the daemon's
    sensor launches the runs; prints what each run did and the outbox; 0 when every run
    succeeded."""
    if Settings().value("CLEANUP_DEPLOYMENT").lower() == "production":
        print("the demo replaces the database's data and the instance's run history: it does "
              "not run with CLEANUP_DEPLOYMENT=production", file=sys.stderr)
        return 2
    started = time.monotonic()
    url = database_url()
    databases = open_databases()
    engine = databases.central
    create_schema(databases)
    summary = seed_demo(databases, devices_per_provider=devices)
    shutil.rmtree(outbox_dir("sqs").parent)  # a fresh outbox for a fresh demo
    instance = dagster_instance()
    daemon_running = _daemon_is_running(instance)  # before the wipe, which clears heartbeats
    # A fresh history too: the earlier demo's runs describe data the seed just replaced, and
    # their run keys (sync-notification-<id>) would keep the sensor from launching the new
    # notifications, whose ids start again at 1.
    instance.wipe()
    instance.wipe_all_schedules()
    log_path = cleanup_home() / "demo" / "daemon.log"
    print(f"database: {redacted(url)}")
    print(f"dagster instance: {os.environ['DAGSTER_HOME']} (earlier runs cleared)")
    print(f"seeded {summary.tenants} tenants, {summary.providers} service providers, "
          f"{summary.staged_rows} staging rows ({summary.malformed_rows} malformed on purpose)")
    tables = []
    with dagster_daemon(log_path, already_running=daemon_running, instance=instance) as daemon:
        for day in range(1, days + 1):
            if day == 2:
                simulate_next_sync(databases, devices_per_provider=devices)
            posted = _post_for_every_provider(engine)
            runs = _rows_of(instance, _wait_for_runs(engine, instance, posted, log_path, daemon))
            tables.append(runs)
            title = ("Day 1 - first sync of every service provider" if day == 1 else
                     "Day 2 - next sync (statuses changed, devices left and joined)")
            _print_table(f"{title}: {len(posted)} notifications -> the daemon's sensor -> "
                         f"{len(runs)} runs", runs)
    _print_outbox()
    all_runs = [r for runs in tables for r in runs]
    failed = [r for r in all_runs if not r["success"]]
    print(f"\n{len(all_runs)} runs, {len(failed)} failed, tenant partitions: "
          f"{', '.join(instance.get_dynamic_partitions('tenant'))}, "
          f"{time.monotonic() - started:.1f} s. Open the UI: scripts/ui "
          "(Jobs -> finalize_device_sync, Automation -> sync_notification_sensor)")
    return 1 if failed or len(all_runs) != days * summary.providers else 0

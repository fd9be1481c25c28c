"""The demo's flow (``cleanup-assets demo``): seed the embedded database, notify every
service provider, let the sync sensor decide, execute the runs it requests on the Dagster
instance (they show in the UI), and do it again for a second day of carrier data."""

from __future__ import annotations

import os
import shutil
import time

from sqlalchemy import false, select, true

from .db import redacted

def evaluate_sync_sensor(instance, definitions):
    """One evaluation of the sync sensor, as the daemon does it: the tick's result, with its
    tenant-partition additions applied to ``instance``."""
    import dagster as dg

    sensor = definitions.resolve_sensor_def("sync_notification_sensor")
    tick = sensor.evaluate_tick(dg.build_sensor_context(
        instance=instance, instance_ref=instance.get_ref(), definitions=definitions,
        resources=definitions.resources))
    for request in tick.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return tick


def run_sensor_tick(instance, definitions=None) -> list[dict]:
    """Evaluate the sync sensor once, in process, and execute the runs it requests on
    ``instance`` (what the daemon does; the runs show in the UI)."""
    from .definitions import defs as default_defs

    definitions = definitions or default_defs
    tick = evaluate_sync_sensor(instance, definitions)
    job = definitions.resolve_job_def("finalize_device_sync")
    rows = []
    for request in tick.run_requests or []:
        # The console shows warnings and errors; the full logs are in the instance (and UI).
        run_config = {**request.run_config,
                      "loggers": {"console": {"config": {"log_level": "WARNING"}}}}
        result = job.execute_in_process(
            instance=instance, partition_key=request.partition_key, run_config=run_config,
            tags={**request.tags, "dagster/run_key": request.run_key}, raise_on_error=False,
        )
        metadata = {}
        for event in result.get_asset_materialization_events():
            materialization = event.event_specific_data.materialization
            metadata[materialization.asset_key.to_user_string()] = {
                k: v.value for k, v in materialization.metadata.items()
            }
        integration_key, tenant_key = request.partition_key.split("|")
        rows.append({"integration": integration_key, "tenant": tenant_key,
                     "provider": request.tags.get("cleanup/service_provider_id"),
                     "success": result.success, "run_id": result.run_id, **metadata})
    return rows


def _post_for_every_provider(engine) -> int:
    """One notification per provider; those with an open optimization session ask for it."""
    from .notifications import post_notification
    from .schema import optimization_session, service_provider

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
        for provider_id, integration_id, session in providers:  # providers, not devices
            post_notification(conn, {"IntegrationType": integration_id,
                                     "ServiceProviderId": provider_id,
                                     "ShouldQueueCarrierOptimization": str(session is not None),
                                     "OptimizationSessionId": session or 0})
    return len(providers)


def _print_outbox() -> None:
    from .outbox import outbox_dir, read_json

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


def run_demo(devices: int) -> int:
    """Seed, then two days of syncs: every provider notified, the sensor's runs executed;
    prints what each run did and the outbox; 0 when every run succeeded."""
    from .commands import database_url, open_databases, dagster_instance
    from .demo import seed_demo, simulate_next_sync
    from .outbox import outbox_dir
    from .schema import create_schema

    started = time.monotonic()
    url = database_url()
    databases = open_databases()
    engine = databases.central
    create_schema(databases)
    summary = seed_demo(databases, devices_per_provider=devices)
    shutil.rmtree(outbox_dir("sqs").parent)  # a fresh outbox for a fresh demo
    instance = dagster_instance()
    print(f"database: {redacted(url)}")
    print(f"dagster instance: {os.environ['DAGSTER_HOME']}")
    print(f"seeded {summary.tenants} tenants, {summary.providers} service providers, "
          f"{summary.staged_rows} staging rows ({summary.malformed_rows} malformed on purpose)")
    days = []
    for day in (1, 2):
        if day == 2:
            simulate_next_sync(databases, devices_per_provider=devices)
        posted = _post_for_every_provider(engine)
        runs = []
        while len(runs) < posted:  # the sensor caps runs per tick
            launched = run_sensor_tick(instance)
            if not launched:
                break
            runs += launched
        days.append(runs)
        title = ("Day 1 - first sync of every service provider" if day == 1 else
                 "Day 2 - next sync (statuses changed, devices left and joined)")
        _print_table(f"{title}: {posted} notifications -> sensor -> {len(runs)} runs", runs)
    _print_outbox()
    all_runs = [r for runs in days for r in runs]
    failed = [r for r in all_runs if not r["success"]]
    print(f"\n{len(all_runs)} runs, {len(failed)} failed, tenant partitions: "
          f"{', '.join(instance.get_dynamic_partitions('tenant'))}, "
          f"{time.monotonic() - started:.1f} s. Open the UI: scripts/ui")
    return 1 if failed or len(all_runs) != 2 * summary.providers else 0

"""``cleanup-assets``: operator commands around the code location.

    cleanup-assets init-db            create the schema (SQLite / PostgreSQL; never SQL Server)
    cleanup-assets schema-ddl         print the DDL of our own tables for a DBA (SQL Server)
    cleanup-assets seed-demo          fill the database with demo tenants and staging
    cleanup-assets register-tenants   add every tenant with an active provider as a partition
    cleanup-assets notify             post a sync notification (as the device-sync Lambdas do)
    cleanup-assets notifications      list the notification inbox and what became of each
    cleanup-assets resume-optimization reopen a stopped optimization session and notify again
    cleanup-assets explain-sql        print every statement, compiled for SQL Server, linted
    cleanup-assets demo               seed, notify every provider, let the sensor launch the runs
    cleanup-assets settings           every setting: required in production, secret, default, set

The database URL comes from ``CLEANUP_DATABASE_URL`` (default: the embedded SQLite file);
the Dagster instance from ``DAGSTER_HOME`` (default: ``$CLEANUP_HOME/dagster``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from sqlalchemy import false, select, true

from .db import cleanup_home, default_database_url, make_engine, redacted


def _database_url() -> str:
    return os.environ.get("CLEANUP_DATABASE_URL") or default_database_url()


def _databases():
    from .db import connect_databases

    return connect_databases(_database_url(), os.environ.get("CLEANUP_JASPER_DATABASE_URL"))


def _instance():
    import dagster as dg

    if not os.environ.get("DAGSTER_HOME"):
        home = cleanup_home() / "dagster"
        home.mkdir(parents=True, exist_ok=True)
        os.environ["DAGSTER_HOME"] = str(home)
    Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    return dg.DagsterInstance.get()


def active_tenant_keys(engine) -> list[str]:
    from .schema import service_provider

    with engine.connect() as conn:
        ids = conn.execute(
            select(service_provider.c.TenantId)
            .where(service_provider.c.IsActive == true(), service_provider.c.IsDeleted == false())
            .distinct()
            .order_by(service_provider.c.TenantId)
        ).scalars()
        return [str(i) for i in ids]


def active_partitions(engine) -> list[tuple[str, str]]:
    """(integration, tenant) pairs that have at least one active service provider."""
    from .registry import by_legacy_name
    from .schema import integration, service_provider

    with engine.connect() as conn:
        rows = conn.execute(
            select(integration.c.Name, service_provider.c.TenantId)
            .join_from(service_provider, integration,
                       integration.c.id == service_provider.c.IntegrationId)
            .where(service_provider.c.IsActive == true(), service_provider.c.IsDeleted == false())
            .distinct()
        ).all()
    return sorted((by_legacy_name(name).key, str(tenant)) for name, tenant in rows)


def cmd_init_db(_args) -> int:
    from .schema import create_schema

    tables = create_schema(_databases())
    print(f"schema ready on {redacted(_database_url())}: {len(tables)} tables")
    return 0


def cmd_schema_ddl(args) -> int:
    from .schema import own_tables_ddl

    sys.stdout.write(own_tables_ddl(args.dialect))
    return 0


def cmd_seed_demo(args) -> int:
    from .demo import seed_demo
    from .schema import create_schema

    databases = _databases()
    create_schema(databases)
    summary = seed_demo(databases, devices_per_provider=args.devices)
    print(f"demo data: {summary.tenants} tenants, {summary.providers} service providers, "
          f"{summary.staged_rows} staging rows ({summary.malformed_rows} malformed on purpose)")
    return 0


def cmd_register_tenants(_args) -> int:
    from .defs.partitions import add_tenant_partitions

    added = add_tenant_partitions(_instance(), active_tenant_keys(make_engine(_database_url())))
    print(f"tenant partitions added: {', '.join(added) if added else 'none (all known)'}")
    return 0


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


def cmd_demo(args) -> int:
    from .demo import seed_demo, simulate_next_sync
    from .schema import create_schema

    import shutil

    from .outbox import outbox_dir

    started = time.monotonic()
    url = _database_url()
    databases = _databases()
    engine = databases.central
    create_schema(databases)
    summary = seed_demo(databases, devices_per_provider=args.devices)
    shutil.rmtree(outbox_dir("sqs").parent)  # a fresh outbox for a fresh demo
    instance = _instance()
    print(f"database: {redacted(url)}")
    print(f"dagster instance: {os.environ['DAGSTER_HOME']}")
    print(f"seeded {summary.tenants} tenants, {summary.providers} service providers, "
          f"{summary.staged_rows} staging rows ({summary.malformed_rows} malformed on purpose)")
    days = []
    for day in (1, 2):
        if day == 2:
            simulate_next_sync(databases, devices_per_provider=args.devices)
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


def cmd_notify(args) -> int:
    from .notifications import post_notification
    from .schema import service_provider

    engine = make_engine(_database_url())
    with engine.begin() as conn:
        integration_type = args.integration_type
        if integration_type is None:
            integration_type = conn.execute(select(service_provider.c.IntegrationId).where(
                service_provider.c.id == args.service_provider_id)).scalar()
        attributes = {
            "IntegrationType": integration_type,
            "ServiceProviderId": args.service_provider_id,
            "ShouldQueueCarrierOptimization": str(args.optimize),
            "OptimizationSessionId": args.optimization_session_id,
            "RetryCount": 0,
            "MaxRetries": args.max_retries,
            "DelayBetweenRetries": args.delay,
            "RemainingRowsToProcess": 0,
        }
        notification_id = post_notification(conn, attributes)
    print(f"notification {notification_id} posted: {attributes}")
    return 0


def cmd_resume_optimization(args) -> int:
    """An operator's deliberate resume of an optimization the stop path ended (after a short
    database outage, say): the handover goes from ``stopped`` to ``reopened``, the session
    is active again, and — unless ``--no-notify`` — a notification asking for optimization
    is posted, so the sync sensor launches a run that finalizes and queues it."""
    from .db import in_transaction
    from .notifications import post_notification
    from .optimization import reopen_handover
    from .schema import service_provider

    if args.session <= 0:
        print("a session id (> 0) is required: without one the next notified sync opens "
              "its own handover", file=sys.stderr)
        return 2
    engine = make_engine(_database_url())

    def resume(conn):
        reopened = reopen_handover(conn, args.service_provider_id, args.session)
        if args.no_notify:
            return reopened, None
        integration_type = conn.execute(select(service_provider.c.IntegrationId).where(
            service_provider.c.id == args.service_provider_id)).scalar()
        return reopened, post_notification(conn, {
            "IntegrationType": integration_type, "ServiceProviderId": args.service_provider_id,
            "ShouldQueueCarrierOptimization": "True",
            "OptimizationSessionId": args.session})

    try:
        handover, notification = in_transaction(engine, resume)
    except ValueError as refused:
        print(f"not resumed: {refused}", file=sys.stderr)
        return 1
    print(f"provider {args.service_provider_id}, session {args.session}: handover "
          f"{handover.status}, session active again"
          + (f"; notification {notification} posted (the sync sensor launches the run)"
             if notification else "; no notification posted (--no-notify)"))
    return 0


def cmd_notifications(args) -> int:
    from .schema import sync_notification as n

    engine = make_engine(_database_url())
    query = select(n.c.id, n.c.Source, n.c.Status, n.c.IntegrationKey, n.c.TenantKey,
                   n.c.ServiceProviderId, n.c.RetryCount, n.c.RemainingRowsToProcess,
                   n.c.NextCheckAt, n.c.Forced, n.c.RunKey, n.c.Reason)
    if args.status:
        query = query.where(n.c.Status == args.status)
    with engine.connect() as conn:
        listed = conn.execute(query.order_by(n.c.id.desc()).limit(args.limit)).all()
    print("id  source  status    partition          provider  retries  remaining  next check"
          "           forced  reason")
    for r in listed:  # at most --limit notifications
        partition = f"{r.IntegrationKey}|{r.TenantKey}" if r.IntegrationKey else "-"
        print(f"{r.id:<3} {r.Source:<7} {r.Status:<9} {partition:<18} {r.ServiceProviderId or '-'!s:<9}"
              f" {r.RetryCount if r.RetryCount is not None else '-'!s:<8}"
              f" {r.RemainingRowsToProcess if r.RemainingRowsToProcess is not None else '-'!s:<10}"
              f" {r.NextCheckAt or '-'!s:<20} {'yes' if r.Forced else 'no':<7} {r.Reason or ''}")
    return 0


def cmd_explain_sql(args) -> int:
    """Print every statement the code location issues, compiled for SQL Server, with what
    the T-SQL lint finds (nothing, when all is well)."""
    from .explain import explain_statements

    problems = 0
    for title, sql, found in explain_statements(args.dialect):
        print(f"-- {title}" + (f"  [LINT: {'; '.join(found)}]" if found else ""))
        print(sql.rstrip() + ";\n")
        problems += bool(found)
    print(f"-- {problems} statement(s) with lint findings", file=sys.stderr)
    return 1 if problems else 0


def cmd_settings(args) -> int:
    """The settings table (cleanup_assets/settings.py) against this environment; secrets are
    only said to be set. With --check: exit 1 naming what keeps the location from loading."""
    from .settings import Settings

    settings = Settings()
    print(f"{'variable':<32} {'production':<32} {'secret':<7} {'set':<4} value / default")
    for row in settings.table():
        shown = row["value"] or (f"(default) {row['default']}" if row["default"] else "")
        print(f"{row['name']:<32} {row['required_in_production']:<32} "
              f"{'yes' if row['secret'] else '':<7} {'yes' if row['set'] else '':<4} {shown}")
    problems = settings.problems()
    if args.check and problems:
        print("\nnot deployable:\n  - " + "\n  - ".join(problems), file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cleanup-assets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init-db", help="create the schema").set_defaults(func=cmd_init_db)
    ddl = sub.add_parser("schema-ddl", help="print the DDL of our own tables")
    ddl.add_argument("--dialect", default="mssql", choices=["mssql", "postgresql", "sqlite"])
    ddl.set_defaults(func=cmd_schema_ddl)
    seed = sub.add_parser("seed-demo", help="fill the database with demo data")
    seed.add_argument("--devices", type=int, default=200, help="devices per service provider")
    seed.set_defaults(func=cmd_seed_demo)
    sub.add_parser("register-tenants", help="add tenant partitions from ServiceProvider").set_defaults(
        func=cmd_register_tenants)
    notify = sub.add_parser("notify", help="post a sync notification to the inbox")
    notify.add_argument("--service-provider-id", type=int, required=True)
    notify.add_argument("--integration-type", type=int,
                        help="numeric Integration id (default: the provider's)")
    notify.add_argument("--optimize", action="store_true",
                        help="ShouldQueueCarrierOptimization = True")
    notify.add_argument("--optimization-session-id", type=int, default=0)
    notify.add_argument("--max-retries", type=int, default=14)
    notify.add_argument("--delay", type=int, default=300, help="DelayBetweenRetries, seconds")
    notify.set_defaults(func=cmd_notify)
    resume = sub.add_parser("resume-optimization",
                            help="reopen a stopped optimization session and notify again")
    resume.add_argument("--service-provider-id", type=int, required=True)
    resume.add_argument("--session", type=int, required=True, help="OptimizationSessionId")
    resume.add_argument("--no-notify", action="store_true",
                        help="only reopen; post the notification yourself (cleanup-assets notify)")
    resume.set_defaults(func=cmd_resume_optimization)
    listing = sub.add_parser("notifications", help="list the notification inbox")
    listing.add_argument("--status", choices=["pending", "waiting", "launched", "rejected"])
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(func=cmd_notifications)
    explain = sub.add_parser("explain-sql", help="print every statement, compiled for a DBA")
    explain.add_argument("--dialect", default="mssql", choices=["mssql"])
    explain.set_defaults(func=cmd_explain_sql)
    demo = sub.add_parser("demo", help="seed, notify every provider, sensor launches the runs")
    demo.add_argument("--devices", type=int, default=200, help="devices per service provider")
    demo.set_defaults(func=cmd_demo)
    shown = sub.add_parser("settings", help="list every setting and whether it is set")
    shown.add_argument("--check", action="store_true",
                       help="exit 1 when the environment does not configure a deployable location")
    shown.set_defaults(func=cmd_settings)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

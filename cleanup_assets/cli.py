"""``cleanup-assets``: operator commands around the code location.

    cleanup-assets init-db            create the schema (SQLite / PostgreSQL; never SQL Server)
    cleanup-assets schema-ddl         print the DDL of our own tables for a DBA (SQL Server)
    cleanup-assets seed-demo          fill the database with demo tenants and staging
    cleanup-assets register-tenants   add every tenant with an active provider as a partition
    cleanup-assets demo               all of the above, then finalize every partition, twice

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

    engine = make_engine(_database_url())
    tables = create_schema(engine)
    print(f"schema ready on {redacted(_database_url())}: {len(tables)} tables")
    return 0


def cmd_schema_ddl(args) -> int:
    from .schema import own_tables_ddl

    sys.stdout.write(own_tables_ddl(args.dialect))
    return 0


def cmd_seed_demo(args) -> int:
    from .demo import seed_demo
    from .schema import create_schema

    engine = make_engine(_database_url())
    create_schema(engine)
    summary = seed_demo(engine, devices_per_provider=args.devices)
    print(f"demo data: {summary.tenants} tenants, {summary.providers} service providers, "
          f"{summary.staged_rows} staging rows ({summary.malformed_rows} malformed on purpose)")
    return 0


def cmd_register_tenants(_args) -> int:
    from .defs.partitions import add_tenant_partitions

    added = add_tenant_partitions(_instance(), active_tenant_keys(make_engine(_database_url())))
    print(f"tenant partitions added: {', '.join(added) if added else 'none (all known)'}")
    return 0


def finalize_partitions(instance, partitions, run_config=None) -> list[dict]:
    """Run the main job for each partition on ``instance``; the runs show in the UI."""
    from .definitions import defs
    from .defs.partitions import partition_key

    job = defs.resolve_job_def("finalize_device_sync")
    # The console shows warnings and errors; the full logs are in the instance (and the UI).
    run_config = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}, **(run_config or {})}
    rows = []
    for integration_key, tenant_key in partitions:
        result = job.execute_in_process(
            instance=instance,
            partition_key=partition_key(integration_key, tenant_key),
            run_config=run_config,
            raise_on_error=False,
        )
        metadata = {}
        for event in result.get_asset_materialization_events():
            materialization = event.event_specific_data.materialization
            metadata[materialization.asset_key.to_user_string()] = {
                k: v.value for k, v in materialization.metadata.items()
            }
        rows.append({"integration": integration_key, "tenant": tenant_key,
                     "success": result.success, "run_id": result.run_id, **metadata})
    return rows


def _print_table(title: str, rows: list[dict]) -> None:
    header = ("partition", "ok", "staged", "rejected", "inserted", "updated", "unchanged",
              "deactivated", "new plans")
    print(f"\n{title}")
    print("  ".join(f"{h:>11}" if i else f"{h:<18}" for i, h in enumerate(header)))
    for row in rows:
        staging = row.get("validated_staging", {})
        carrier = row.get("carrier_devices", {})
        plans = row.get("communication_plans", {})
        values = (
            f"{row['integration']}|{row['tenant']}",
            "yes" if row["success"] else "FAILED",
            staging.get("staged", "-"), staging.get("rejected", "-"), carrier.get("inserted", "-"),
            carrier.get("updated", "-"), carrier.get("unchanged", "-"),
            carrier.get("deactivated", "-"), plans.get("new_plans", "-"),
        )
        print("  ".join(f"{v!s:>11}" if i else f"{v!s:<18}" for i, v in enumerate(values)))


def cmd_demo(args) -> int:
    from .defs.partitions import add_tenant_partitions
    from .demo import seed_demo, simulate_next_sync
    from .schema import create_schema

    started = time.monotonic()
    url = _database_url()
    engine = make_engine(url)
    create_schema(engine)
    summary = seed_demo(engine, devices_per_provider=args.devices)
    instance = _instance()
    added = add_tenant_partitions(instance, active_tenant_keys(engine))
    print(f"database: {redacted(url)}")
    print(f"dagster instance: {os.environ['DAGSTER_HOME']}")
    print(f"seeded {summary.tenants} tenants, {summary.providers} service providers, "
          f"{summary.staged_rows} staging rows ({summary.malformed_rows} malformed on purpose); "
          f"tenant partitions added: {', '.join(added) or 'none'}")
    partitions = active_partitions(engine)
    first = finalize_partitions(instance, partitions)
    _print_table("Day 1 - first finalization of every partition:", first)
    simulate_next_sync(engine, devices_per_provider=args.devices)
    second = finalize_partitions(instance, partitions)
    _print_table("Day 2 - next sync (statuses changed, devices left and joined):", second)
    failed = [r for r in first + second if not r["success"]]
    print(f"\n{len(first) + len(second)} runs, {len(failed)} failed, "
          f"{time.monotonic() - started:.1f} s. Open the UI: scripts/ui")
    return 1 if failed else 0


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
    demo = sub.add_parser("demo", help="seed, then finalize every partition twice")
    demo.add_argument("--devices", type=int, default=200, help="devices per service provider")
    demo.set_defaults(func=cmd_demo)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

"""Test data builders over the real database (no mocks): providers, the device-sync step's
output (through the demo's stand-in for it), snapshots."""

from __future__ import annotations

import dagster as dg
from sqlalchemy import select

from cleanup_assets.db import TransientRetry, connect_databases
from cleanup_assets.registry import INTEGRATION_KEYS, INTEGRATIONS
from cleanup_assets.schema import COMMON_TABLES, carrier_tables, metadata
from cleanup_assets.sql.finalize import FinalizeRequest, finalize_partition
from cleanup_assets.tooling.demo import UPSTREAM, demo_devices, seed_reference_data

# Deliberately not the demo's ids: code must read them from the Integration table.
TEST_INTEGRATION_IDS = {key: 40 + 3 * n for n, key in enumerate(reversed(INTEGRATION_KEYS))}
NO_WAIT = TransientRetry(attempts=3, base_delay_seconds=0.01)


def seed_providers(engine, *providers: tuple[int, int, str]) -> None:
    """Reference data with the given (provider id, tenant id, integration key) providers."""
    with engine.begin() as conn:
        seed_reference_data(
            conn,
            [(sp, tenant, key, f"Provider {sp}") for sp, tenant, key in providers],
            integration_ids=TEST_INTEGRATION_IDS,
        )


def stage(engine, key: str, provider_id: int, devices: list[dict]) -> None:
    """The device-sync step before us, for one provider (one database here)."""
    with engine.begin() as conn:
        UPSTREAM[INTEGRATIONS[key].carrier.table](conn, provider_id, devices)


def good_devices(provider_id: int, count: int, seed: int = 7) -> list[dict]:
    return demo_devices(provider_id, count, seed, malformed=False)[0]


def databases_of(engine):
    return connect_databases(engine.url.render_as_string(hide_password=False))


def finalize(engine, key: str, tenant: str = "1", **options):
    databases = databases_of(engine)
    try:
        return finalize_partition(databases, FinalizeRequest(INTEGRATIONS[key], tenant, **options),
                                  retry=NO_WAIT)
    finally:
        databases.dispose()


def rows(engine, table_name: str, **where) -> list[dict]:
    table = metadata.tables.get(table_name)
    if table is None:
        table = metadata.tables[f"jasper.{table_name}"]
    query = select(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    order = [table.c[c] for c in ("id", "Id", "ID", "SyncId") if c in table.c] or list(table.c)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query.order_by(*order))]


def key_of(table_name: str) -> str:
    for integration in INTEGRATIONS.values():
        if integration.carrier.table == table_name:
            return integration.carrier.key[0]
    return {"MobilityDevice": "MSISDN"}.get(table_name, "ICCID")


def live(engine, table_name: str, provider_id: int, key: str | None = None) -> dict[str, dict]:
    """The provider's not-deleted rows of a device table, by their key (ICCID by default)."""
    key = key or key_of(table_name)
    return {r[key]: r for r in rows(engine, table_name, ServiceProviderId=provider_id)
            if not r.get("IsDeleted")}


def snapshot(engine, *table_names: str) -> dict[str, list[dict]]:
    names = table_names or tuple(t.name for t in metadata.sorted_tables)
    return {name: rows(engine, name) for name in names}


DEVICE_TABLES = (*[t.name for t in carrier_tables.values()], "Device", "Device_Tenant",
                 "MobilityDevice", "JasperCommunicationPlan")
__all__ = ["COMMON_TABLES"]


def failure_sensor_sees(defs, instance, result, sensor_name: str):
    """Evaluate a run-failure sensor of the location on a failed run, as the daemon does."""
    failure = next(e for e in result.all_events if e.is_run_failure)
    sensor = defs.resolve_sensor_def(sensor_name)
    return sensor(dg.build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_event=failure, dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
        resources=defs.resources).for_run_failure())


def stop_sensor_sees(defs, instance, result):
    return failure_sensor_sees(defs, instance, result, "stop_optimization_on_failure")


def alert_sensor_sees(defs, instance, result):
    return failure_sensor_sees(defs, instance, result, "alert_operators_on_failure")

"""Test data builders over the real database (no mocks): providers, the device-sync step's
output (through the demo's stand-in for it), snapshots; and the helpers several test modules
share: a run as the sync sensor requests it, the sensor's tick, a production environment."""

from __future__ import annotations

import logging

import dagster as dg
from sqlalchemy import insert, select

from cleanup_assets.db import TransientRetry, connect_databases
from cleanup_assets.definitions import make_definitions
from cleanup_assets.defs.resources import DatabaseResource, MessageQueue
from cleanup_assets.defs.run_tags import NotifiedSync
from cleanup_assets.defs.sync_sensor.sensors import notified_tags
from cleanup_assets.notifications import Launch, post_notification
from cleanup_assets.registry import CONSTANT_PROCEDURES, INTEGRATION_KEYS, INTEGRATIONS
from cleanup_assets.schema import COMMON_TABLES, carrier_tables, metadata, optimization_session
from cleanup_assets.sql.finalize import FinalizeRequest, finalize_partition
from cleanup_assets.tooling.demo import UPSTREAM, demo_devices, seed_reference_data
from cleanup_assets.tooling.demo_run import evaluate_sync_sensor

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
    with dg.build_run_status_sensor_context(
            sensor_name=sensor.name, dagster_event=failure, dagster_instance=instance,
            dagster_run=instance.get_run_by_id(result.run_id),
            resources=defs.resources).for_run_failure() as context:  # nested resources: opened
        return sensor(context)


def stop_sensor_sees(defs, instance, result):
    return failure_sensor_sees(defs, instance, result, "stop_optimization_on_failure")


def alert_sensor_sees(defs, instance, result):
    return failure_sensor_sees(defs, instance, result, "alert_operators_on_failure")


# --- a run as the sync sensor requests it --------------------------------------------------
def run_notified(defs, instance, key, tenant, provider, *, optimize=True, session=0,
                 forced=False):
    """A run exactly as the sync sensor requests it; on failure, the stop sensor's turn."""
    launch = Launch(1, key, tenant, provider, optimize, session, forced, None)
    if tenant not in instance.get_dynamic_partitions("tenant"):
        instance.add_dynamic_partitions("tenant", [tenant])
    result = defs.resolve_job_def("finalize_device_sync").execute_in_process(
        instance=instance, partition_key=f"{key}|{tenant}", tags=notified_tags(launch),
        raise_on_error=False)
    if not result.success:
        stop_sensor_sees(defs, instance, result)
    return result


def seed_session(engine, session_id=555, guid="0f5b6a0e-4d0c-4c7b-9d7e-2f1f5a4b3c2d"):
    with engine.begin() as conn:
        conn.execute(insert(optimization_session).values(
            Id=session_id, SessionId=guid, TenantId=1, ServiceProviderId=11,
            IsActive=True, IsDeleted=False))


def stop_mails(smtp) -> list:
    """The optimization-stopped emails (the summary emails go to the same server)."""
    return [m for m in smtp.messages if m["Subject"].startswith("Optimization stopped")]


# --- the sync sensor -----------------------------------------------------------------------
def definitions(database_url, queue: MessageQueue | None = None):
    """The location on the test's database, with the device-sync queue given (or none)."""
    return make_definitions(DatabaseResource(url=database_url, retry_base_delay_seconds=0.01),
                            queue)


def tick(instance, defs, log: logging.Handler | None = None):
    """One sensor evaluation, as the daemon does it (partition additions applied); ``log``
    also gets the tick's log records."""
    return evaluate_sync_sensor(instance, defs, log)


def notify(engine, provider_id, key, **attributes):
    legacy = {"IntegrationType": TEST_INTEGRATION_IDS[key], "ServiceProviderId": provider_id}
    with engine.begin() as conn:
        return post_notification(conn, {**legacy, **attributes})


def finalize_config(request):
    """What the run's steps read: the tags the sensor set (defs/run_tags.py)."""
    notified = NotifiedSync.from_tags(request.tags)
    return {"service_provider_id": notified.service_provider_id,
            "should_queue_carrier_optimization": notified.should_queue_carrier_optimization,
            "optimization_session_id": notified.optimization_session_id,
            "forced": notified.forced}


# --- a deployed environment ----------------------------------------------------------------
# A complete production environment (values are placeholders: nothing is contacted at load).
PRODUCTION = {
    "CLEANUP_DEPLOYMENT": "production",
    "CLEANUP_DATABASE_URL": "postgresql+psycopg://cleanup:s3cret-db@db.internal/platform",
    # On PostgreSQL the Jasper tables live in the central database (one URL for both).
    "CLEANUP_JASPER_DATABASE_URL": "postgresql+psycopg://cleanup:s3cret-db@db.internal/platform",
    "CLEANUP_OPTIMIZATION_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/1/optimization.fifo",
    "CLEANUP_AMOP_SYNC_UPDATE_URL": "https://amop.internal/sync",
    "CLEANUP_AMOP_OPTIMIZATION_URL": "https://amop.internal/optimization",
    "CLEANUP_AMOP_API_KEY": "s3cret-key",
    "CLEANUP_EMAIL_TRANSPORT": "ses",
    "CLEANUP_OPERATOR_EMAIL_ADDRESSES": "cleanup-operators@example.com",
    "DEVICE_SYNC_SUMMARY_LOG_ENABLE": "True",
    "DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME": "device-sync-logs",
    "CLEANUP_PROCEDURE_NAMES": ",".join(
        f"{c}={'usp_Pond_DeviceSync' if c == 'POND_DEVICE_SYNC' else c}"
        for c in CONSTANT_PROCEDURES),
}

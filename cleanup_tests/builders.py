"""Test data builders over the real database (no mocks): providers, staging, snapshots."""

from __future__ import annotations

from sqlalchemy import select

from cleanup_assets.demo import demo_devices, seed_reference_data, write_staging
from cleanup_assets.registry import INTEGRATIONS, INTEGRATION_KEYS
from cleanup_assets.schema import metadata
from cleanup_assets.sql.finalize import FinalizeRequest, finalize_partition
from cleanup_assets.db import RetryPolicy

# Deliberately not the demo's ids: code must read them from the Integration table.
TEST_INTEGRATION_IDS = {key: 40 + 3 * n for n, key in enumerate(reversed(INTEGRATION_KEYS))}
NO_WAIT = RetryPolicy(attempts=3, base_delay_seconds=0.01)


def seed_providers(engine, *providers: tuple[int, int, str]) -> None:
    """Reference data with the given (provider id, tenant id, integration key) providers."""
    with engine.begin() as conn:
        seed_reference_data(
            conn,
            [(sp, tenant, key, f"Provider {sp}") for sp, tenant, key in providers],
            integration_ids=TEST_INTEGRATION_IDS,
        )


def stage(engine, key: str, provider_id: int, devices: list[dict]) -> None:
    with engine.begin() as conn:
        write_staging(conn, INTEGRATIONS[key], provider_id, devices)


def good_devices(provider_id: int, count: int, seed: int = 7) -> list[dict]:
    return demo_devices(provider_id, count, seed, malformed=False)[0]


def finalize(engine, key: str, tenant: str = "1", **options):
    return finalize_partition(
        engine, FinalizeRequest(INTEGRATIONS[key], tenant, **options), retry=NO_WAIT
    )


def rows(engine, table_name: str, **where) -> list[dict]:
    table = metadata.tables[table_name]
    query = select(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    order = [table.c[c] for c in ("id", "ID", "SyncId", "StagingId") if c in table.c] or list(table.c)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query.order_by(*order))]


def live(engine, table_name: str, provider_id: int) -> dict[str, dict]:
    """The provider's not-deleted rows of a device table, by ICCID."""
    return {
        r["ICCID"]: r
        for r in rows(engine, table_name, ServiceProviderId=provider_id)
        if not r["IsDeleted"]
    }


def snapshot(engine, *table_names: str) -> dict[str, list[dict]]:
    names = table_names or tuple(metadata.tables)
    return {name: rows(engine, name) for name in names}


DEVICE_TABLES = ("JasperDevice", "ThingSpaceDevice", "TelegenceDevice", "eBondingDevice",
                 "TealDevice", "PondDevice", "Device", "Device_Tenant", "MobilityDevice",
                 "JasperCommunicationPlan")

"""Realistic demo data for the embedded database: tenants, providers of all nine
integrations, staging with Luhn-valid ICCIDs and IMEIs, and a few malformed rows.

Test data generation, not the device path: it builds rows in Python and bulk-inserts them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable

from sqlalchemy import delete, insert
from sqlalchemy.engine import Connection, Engine

from .registry import INTEGRATIONS, Integration
from .schema import (
    billing_period,
    integration as integration_table,
    jasper_communication_plan,
    metadata,
    optimization_session,
    service_provider,
    service_provider_setting,
    staging_tables,
    tenant,
)

# Only Jasper = 1 and Telegence = 6 are known from the legacy; the rest are demo values.
DEMO_INTEGRATION_IDS = {
    "jasper": 1, "thingspace": 2, "pod19": 3, "tmobile_jasper": 4, "rogers": 5,
    "telegence": 6, "ebonding": 7, "teal": 8, "pond": 9,
}
DEMO_TENANTS = {1: "Acme Logistics", 2: "Borealis Energy", 3: "Cobalt Fleet"}
# (provider id, tenant id, integration key, name). Tenant 1 has two Jasper accounts.
DEMO_PROVIDERS = [
    (101, 1, "jasper", "Acme Jasper US"),
    (102, 1, "jasper", "Acme Jasper EU"),
    (103, 1, "thingspace", "Acme Verizon ThingSpace"),
    (104, 1, "telegence", "Acme AT&T Telegence"),
    (105, 1, "teal", "Acme Teal"),
    (201, 2, "pod19", "Borealis POD19"),
    (202, 2, "tmobile_jasper", "Borealis T-Mobile"),
    (203, 2, "ebonding", "Borealis eBonding"),
    (204, 2, "pond", "Borealis Pond"),
    (301, 3, "rogers", "Cobalt Rogers"),
    (302, 3, "jasper", "Cobalt Jasper"),
    (303, 3, "thingspace", "Cobalt ThingSpace"),
    (304, 3, "telegence", "Cobalt Telegence"),
]
COMMUNICATION_PLANS = ["CP-Fleet-Basic", "CP-Fleet-Plus", "CP-Meter-LowData", "CP-Camera-HighData"]
RATE_PLANS = ["RP-1MB-Pooled", "RP-10MB-Pooled", "RP-100MB", "RP-1GB", "RP-Unlimited"]
STATUSES = ["ACTIVATED", "ACTIVATED", "ACTIVATED", "DEACTIVATED", "INVENTORY", "TEST_READY"]
SETTINGS = {
    "DeviceSyncResultsEmailSubject": "Jasper Device Sync Results",
    "DeviceSyncFromEmailAddress": "device-sync@example.com",
    "DeviceSyncToEmailAddresses": "noc@example.com;billing@example.com",
    "OptimizationSyncDeviceErrorEmailSubject": "Optimization stopped: device sync failed",
    "DeviceSyncSummaryLogEnable": "true",
}


def luhn_digit(digits: str) -> str:
    """The Luhn check digit for ``digits`` (ICCIDs and IMEIs end in one)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # every second digit from the right, starting next to the check
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def make_iccid(rng: random.Random, provider_id: int, serial: int) -> str:
    """A 19-digit ICCID: 89 (telecom) + 1 (country) + provider + serial + Luhn digit."""
    body = f"891{provider_id:03d}{rng.randrange(100):02d}{serial:010d}"[:18]
    return body + luhn_digit(body)


def make_imei(rng: random.Random) -> str:
    body = "35" + "".join(str(rng.randrange(10)) for _ in range(12))
    return body + luhn_digit(body)


@dataclass
class DemoSummary:
    tenants: int
    providers: int
    staged_rows: int
    malformed_rows: int


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _device(rng: random.Random, provider_id: int, serial: int, today: datetime) -> dict:
    added = today - timedelta(days=rng.randrange(30, 900), hours=rng.randrange(24))
    return {
        "ICCID": make_iccid(rng, provider_id, serial),
        "IMSI": f"310{rng.randrange(10**12):012d}",
        "MSISDN": f"1{rng.randrange(200, 999)}{rng.randrange(10**7):07d}",
        "IMEI": make_imei(rng),
        "Status": rng.choice(STATUSES),
        "RatePlan": rng.choice(RATE_PLANS),
        "CommunicationPlan": rng.choice(COMMUNICATION_PLANS),
        "AccountNumber": f"ACCT-{provider_id}-{serial % 3}",
        "ProviderDateAdded": _iso(added),
        "ProviderDateActivated": _iso(added + timedelta(days=rng.randrange(1, 20))),
        "LastUsageDate": _iso(today - timedelta(hours=rng.randrange(1, 96))),
    }


def _malformed(rng: random.Random, provider_id: int, good: dict, today: datetime) -> list[dict]:
    """One row for each defect validation must catch."""
    base = _device(rng, provider_id, 9_000_000 + rng.randrange(1000), today)
    rows = [
        {**base, "ICCID": None},
        {**base, "ICCID": "8901A" + base["ICCID"][5:]},
        {**base, "ICCID": base["ICCID"][:15]},
        {**base, "ICCID": good["ICCID"], "MSISDN": good["MSISDN"]},  # duplicate of a good row
        {**base, "ICCID": make_iccid(rng, provider_id, 9_100_000), "Status": "X" * 60},
        {**base, "ICCID": make_iccid(rng, provider_id, 9_200_000),
         "ProviderDateActivated": "2024-13-45T99:00:00Z"},
    ]
    for number, row in enumerate(rows):
        if row["MSISDN"] == base["MSISDN"]:  # a subscriber of its own (Telegence joins on it)
            row["MSISDN"] = f"1999{provider_id:03d}{number:04d}"
    return rows


def staging_rows(integration: Integration, provider_id: int, devices: Iterable[dict]):
    """Split normalized devices into the integration's staging (and detail) table rows."""
    main_rows, detail_rows = [], []
    created = datetime.now(timezone.utc).replace(tzinfo=None)
    for value in devices:
        main_rows.append(
            {"ServiceProviderId": provider_id, "CreatedBy": "demo", "CreatedDate": created}
            | {col: value.get(name) for name, col in integration.staging_columns.items()}
        )
        if integration.detail is not None:
            main_col, detail_col = integration.detail.on
            key_name = next(n for n, c in integration.staging_columns.items() if c == main_col)
            detail_rows.append(
                {"ServiceProviderId": provider_id, detail_col: value.get(key_name)}
                | {col: value.get(name) for name, col in integration.detail.columns.items()}
            )
    return main_rows, detail_rows


def write_staging(conn: Connection, integration: Integration, provider_id: int,
                  devices: list[dict]) -> None:
    """Replace one provider's staging with ``devices`` (as a device-sync Lambda would)."""
    main_rows, detail_rows = staging_rows(integration, provider_id, devices)
    tables = [(staging_tables[integration.staging_table], main_rows)]
    if integration.detail is not None:
        tables.append((staging_tables[integration.detail.table], detail_rows))
    for table, rows in tables:
        conn.execute(delete(table).where(table.c.ServiceProviderId == provider_id))
        if rows:
            conn.execute(insert(table), rows)


def demo_devices(provider_id: int, count: int, seed: int = 7, malformed: bool = True,
                 today: datetime | None = None) -> tuple[list[dict], int]:
    rng = random.Random(seed * 100_003 + provider_id)
    # Midnight, so that two runs on the same day generate the very same devices.
    today = today or datetime.combine(date.today(), datetime.min.time())
    devices = [_device(rng, provider_id, serial, today) for serial in range(count)]
    bad = _malformed(rng, provider_id, devices[0], today) if malformed and devices else []
    return devices + bad, len(bad)


def _insert(conn: Connection, table, rows: list[dict]) -> None:
    if rows:  # an empty executemany is deprecated in SQLAlchemy
        conn.execute(insert(table), rows)


def seed_reference_data(conn: Connection, providers=DEMO_PROVIDERS,
                        integration_ids: dict[str, int] | None = None) -> None:
    """Integrations, tenants, providers, settings, billing periods, one known plan."""
    ids = integration_ids or DEMO_INTEGRATION_IDS
    for table in (billing_period, service_provider_setting, jasper_communication_plan,
                  optimization_session, service_provider, tenant, integration_table):
        conn.execute(delete(table))
    _insert(conn, integration_table, [
        {"id": ids[key], "Name": i.legacy_name} for key, i in INTEGRATIONS.items()
    ])
    tenant_ids = sorted({t for _, t, _, _ in providers} | set(DEMO_TENANTS))
    _insert(conn, tenant, [
        {"id": t, "Name": DEMO_TENANTS.get(t, f"Tenant {t}")} for t in tenant_ids
    ])
    _insert(conn, service_provider, [
        {"id": sp, "Name": name, "DisplayName": name, "TenantId": t,
         "IntegrationId": ids[key]}
        for sp, t, key, name in providers
    ])
    _insert(conn, service_provider_setting, [
        {"ServiceProviderId": None, "SettingKey": k, "SettingValue": v} for k, v in SETTINGS.items()
    ])
    this_month = date.today().replace(day=1)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    _insert(conn, billing_period, [
        {"ServiceProviderId": sp, "BillYear": month.year, "BillMonth": month.month}
        for sp, _, key, _ in providers if INTEGRATIONS[key].optimization
        for month in (this_month, next_month)
    ])
    # An optimization session per Jasper-family provider, as the optimization Lambda opens.
    _insert(conn, optimization_session, [
        {"id": 9000 + sp, "SessionId": f"00000000-0000-4000-8000-{sp:012d}", "TenantId": t,
         "ServiceProviderId": sp, "Status": "Running", "CreatedDate": datetime.now(timezone.utc)
         .replace(tzinfo=None)}
        for sp, t, key, _ in providers if INTEGRATIONS[key].optimization
    ])
    # One plan already known, so the demo shows the others being added.
    _insert(conn, jasper_communication_plan, [
        {"ServiceProviderId": sp, "CommunicationPlanName": COMMUNICATION_PLANS[0],
         "CreatedBy": "JasperDeviceSync"}
        for sp, _, key, _ in providers if INTEGRATIONS[key].has_communication_plans
    ])


def seed_demo(engine: Engine, devices_per_provider: int = 200, seed: int = 7) -> DemoSummary:
    """Fill a database (schema already created) with the demo tenants and their staging."""
    staged = malformed = 0
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(delete(table))
        seed_reference_data(conn)
        for provider_id, _, key, _ in DEMO_PROVIDERS:
            devices, bad = demo_devices(provider_id, devices_per_provider, seed)
            write_staging(conn, INTEGRATIONS[key], provider_id, devices)
            staged += len(devices)
            malformed += bad
    return DemoSummary(len(DEMO_TENANTS), len(DEMO_PROVIDERS), staged, malformed)


def simulate_next_sync(engine: Engine, devices_per_provider: int = 200, seed: int = 8,
                       changed_share: float = 0.05) -> None:
    """The next day's staging: some devices change status; full syncs lose a few devices
    and gain new ones; incremental (Jasper family) staging holds only the changed devices."""
    from .registry import SyncMode

    with engine.begin() as conn:
        for provider_id, _, key, _ in DEMO_PROVIDERS:
            integration = INTEGRATIONS[key]
            rng = random.Random(seed * 7919 + provider_id)
            devices, _ = demo_devices(provider_id, devices_per_provider, 7, malformed=False)
            changed = rng.sample(range(len(devices)), max(1, int(len(devices) * changed_share)))
            for index in changed:
                devices[index] = {**devices[index], "Status": "DEACTIVATED"
                                  if devices[index]["Status"] != "DEACTIVATED" else "ACTIVATED"}
            if integration.sync_mode is SyncMode.INCREMENTAL:
                devices = [devices[i] for i in sorted(changed)]
            else:
                devices = devices[3:]  # three devices left the account
                devices += demo_devices(provider_id, 2, seed + 1, malformed=False)[0]
            write_staging(conn, integration, provider_id, devices)

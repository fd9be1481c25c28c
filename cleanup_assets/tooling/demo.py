"""Realistic demo data for the embedded database: tenants, providers of all nine
integrations, staging with Luhn-valid ICCIDs and IMEIs, and a few malformed rows.

Test data generation, not the device path: it builds rows in Python and bulk-inserts them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from ..db import Databases
from ..registry import INTEGRATIONS, Database, Integration
from ..schema import (
    billing_period,
    carrier_tables,
    device_status,
    ebonding_device,
    integration as integration_table,
    jasper_communication_plan,
    jasper_device,
    jasper_device_staging,
    jasper_device_usage,
    is_jasper_table,
    metadata,
    optimization_session,
    optimization_setting,
    pond_device,
    rows_to_process_tables,
    service_provider,
    service_provider_setting,
    stand_in_comm_plan_rate_plan,
    teal_device,
    teal_device_staging,
    telegence_device_detail_staging,
    telegence_device_staging,
    tenant,
    thingspace_device,
    thingspace_device_staging,
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
# Global ServiceProviderSetting rows (ServiceProviderId NULL) and OptimizationSetting rows.
SETTINGS = {
    "DeviceSyncResultsEmailSubject": "Jasper Device Sync Results",
    "DeviceSyncFromEmailAddress": "device-sync@example.com",
    "DeviceSyncToEmailAddresses": "noc@example.com;billing@example.com",
}
OPTIMIZATION_SETTINGS = {
    "OptimizationSyncDeviceErrorEmailSubject": "Optimization stopped: device sync failed - {0}",
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


def make_eid(rng: random.Random) -> str:
    """A 32-digit eUICC identifier (GSMA SGP.02)."""
    return "89049" + "".join(str(rng.randrange(10)) for _ in range(27))


def _device(rng: random.Random, provider_id: int, serial: int, today: datetime) -> dict:
    added = today - timedelta(days=rng.randrange(30, 900), hours=rng.randrange(24))
    return {
        "ICCID": make_iccid(rng, provider_id, serial),
        "IMSI": f"310{rng.randrange(10**12):012d}",
        "MSISDN": f"1{rng.randrange(200, 999)}{rng.randrange(10**7):07d}",
        "IMEI": make_imei(rng),
        "EID": make_eid(rng),
        "Status": rng.choice(STATUSES),
        "RatePlan": rng.choice(RATE_PLANS),
        "CommunicationPlan": rng.choice(COMMUNICATION_PLANS),
        "AccountNumber": f"ACCT-{provider_id}-{serial % 3}",
        "ProviderDateAdded": _iso(added),
        "ProviderDateActivated": _iso(added + timedelta(days=rng.randrange(1, 20))),
        "LastUsageDate": _iso(today - timedelta(hours=rng.randrange(1, 96))),
        "CtdDataUsage": rng.randrange(10**9),
        "CtdSMSUsage": rng.randrange(500),
        "CtdVoiceUsage": rng.randrange(5000),
    }


def _malformed(rng: random.Random, provider_id: int, good: dict, today: datetime) -> list[dict]:
    """One row for each defect the checks must catch; the keys of every kind (ICCID, MSISDN,
    EID) are broken alike, so each carrier shows each defect."""
    base = _device(rng, provider_id, 9_000_000 + rng.randrange(1000), today)
    return [
        {**base, "ICCID": None, "MSISDN": None, "EID": None},
        {**base, "ICCID": "8901A" + base["ICCID"][5:], "MSISDN": "1800FLOWERS",
         "EID": "8904A" + base["EID"][5:]},
        {**base, "ICCID": base["ICCID"][:15], "MSISDN": "1" * 16, "EID": base["EID"][:20]},
        # the carrier's data names one device twice
        {**base, "ICCID": good["ICCID"], "MSISDN": good["MSISDN"], "EID": good["EID"]},
        {**base, "ICCID": make_iccid(rng, provider_id, 9_100_000), "Status": "X" * 60,
         "MSISDN": f"1999{provider_id:03d}0004", "EID": make_eid(rng)},
        {**base, "ICCID": make_iccid(rng, provider_id, 9_200_000), "Status": "ACTIVE\x07",
         "MSISDN": f"1999{provider_id:03d}0005", "EID": make_eid(rng),
         "LastUsageDate": "2024-13-45T99:00:00Z"},
    ]


def _when(value: str | None) -> datetime | None:
    """Carrier text as the upstream step stores a timestamp (None when it cannot)."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ") if value else None
    except ValueError:
        return None


def _replace(conn: Connection, table, provider_id: int, rows: list[dict]) -> None:
    conn.execute(delete(table).where(table.c.ServiceProviderId == provider_id))
    _insert(conn, table, rows)


def _jasper_upstream(conn: Connection, provider_id: int, devices: list[dict]) -> None:
    """AltaworxJasperAWSGetDevicesQueue: page 1 clears the provider's staging; pages are
    bulk-copied (ID, ICCID, Status, RatePlan, CommunicationPlan, CreatedBy, CreatedDate,
    ServiceProviderId) and merged into JasperDevice by usp_Update_Jasper_Device; usage lands
    in JasperDeviceUsage. Incremental (modifiedSince): unlisted devices stay as they are."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    _replace(conn, jasper_device_staging, provider_id, [
        {"ICCID": d["ICCID"], "Status": d["Status"], "RatePlan": d["RatePlan"],
         "CommunicationPlan": d["CommunicationPlan"],
         "CreatedBy": "AWS Lambda - Get Devices Service", "CreatedDate": now,
         "ServiceProviderId": provider_id} for d in devices])
    listed = select(jasper_device_staging.c.ICCID).where(
        jasper_device_staging.c.ServiceProviderId == provider_id)
    for table in (jasper_device, jasper_device_usage):
        conn.execute(delete(table).where(table.c.ServiceProviderId == provider_id,
                                         table.c.ICCID.in_(listed)))
    _insert(conn, jasper_device, [
        {"ServiceProviderId": provider_id, "ICCID": d["ICCID"], "Status": d["Status"],
         "RatePlan": d["RatePlan"], "CommunicationPlan": d["CommunicationPlan"]} for d in devices])
    _insert(conn, jasper_device_usage, [
        {"ServiceProviderId": provider_id, "ICCID": d["ICCID"], "CtdDataUsage": d["CtdDataUsage"],
         "CtdSMSUsage": d["CtdSMSUsage"], "CtdVoiceUsage": d["CtdVoiceUsage"]}
        for d in devices if d["ICCID"]])


def _thingspace_upstream(conn: Connection, provider_id: int, devices: list[dict]) -> None:
    """The whole account's list into staging, then into ThingSpaceDevice (guessed shape)."""
    names = ("ICCID", "IMSI", "MSISDN", "IMEI", "Status", "RatePlan")
    _replace(conn, thingspace_device_staging, provider_id, [
        {"ServiceProviderId": provider_id, **{n: d[n] for n in names},
         "AccountNumber": d["AccountNumber"], "DeviceCreatedDate": d["ProviderDateAdded"],
         "LastActivationDate": d["ProviderDateActivated"], "LastUsageDate": d["LastUsageDate"],
         "BillingCycleEndDate": d.get("BillingCycleEndDate")} for d in devices])
    _replace(conn, thingspace_device, provider_id, [
        {"ServiceProviderId": provider_id, **{n: d[n] for n in names},
         "BillingCycleEndDate": _when(d.get("BillingCycleEndDate"))} for d in devices])


# Telegence names a subscriber's status by a letter (its audit pivots on 'A' and 'S',
# usp_Telegence_Update_Device.sql:150-170); 'R' (reserved) is our stand-in for the rest.
TELEGENCE_STATUS = {"ACTIVATED": "A", "DEACTIVATED": "S"}
# DeviceStatus rows of Telegence: the legacy looks up 'a' and 'Unknown' (ibid. 17-18).
TELEGENCE_DEVICE_STATUSES = ("A", "S", "R", "C", "Unknown")


def telegence_status(status: str) -> str:
    return TELEGENCE_STATUS.get(status, status if len(status) == 1 else "R")


def _telegence_upstream(conn: Connection, provider_id: int, devices: list[dict]) -> None:
    """The subscriber list and its details into staging; the cleanup merges them."""
    _replace(conn, telegence_device_staging, provider_id, [
        {"ServiceProviderId": provider_id, "SubscriberNumber": d["MSISDN"],
         "SubscriberNumberStatus": telegence_status(d["Status"]), "BillingAccountNumber": d["AccountNumber"],
         "FoundationAccountNumber": f"FAN-{provider_id}", "RefreshTimestamp": d["LastUsageDate"],
         "CreatedDate": datetime.now(timezone.utc).replace(tzinfo=None)} for d in devices])
    _replace(conn, telegence_device_detail_staging, provider_id, [
        {"ServiceProviderId": provider_id, "SubscriberNumber": d["MSISDN"], "ICCID": d["ICCID"],
         "IMEI": d["IMEI"], "SubscriberActivatedDate": d["ProviderDateActivated"]}
        for d in devices])
    # usage: usp_Telegence_Update_DeviceUsage_FromStaging's work (its staging is not public)


def _ebonding_upstream(conn: Connection, provider_id: int, devices: list[dict]) -> None:
    """No eBonding staging is known: the carrier table is written directly (guessed shape)."""
    _replace(conn, ebonding_device, provider_id, [
        {"ServiceProviderId": provider_id, "SubscriberNumber": d["MSISDN"], "ICCID": d["ICCID"]}
        for d in devices])


def _teal_upstream(conn: Connection, provider_id: int, devices: list[dict]) -> None:
    """TealDeviceStaging, then usp_Teal_Update_Device_From_Staging's MERGE on EID: listed
    devices updated or added, unlisted ones kept with DeviceStatus 'Unknown'."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    _replace(conn, teal_device_staging, provider_id, [
        {"ICCID": d["ICCID"], "IMSI": d["IMSI"], "IMEI": d["IMEI"], "MSISDN": d["MSISDN"],
         "EID": d["EID"], "DeviceStatus": d["Status"], "PlanName": d["RatePlan"],
         "ServiceProviderId": provider_id, "CreatedDate": now} for d in devices])
    listed = select(teal_device_staging.c.EID).where(
        teal_device_staging.c.ServiceProviderId == provider_id, teal_device_staging.c.EID.isnot(None))
    conn.execute(teal_device.update().where(
        teal_device.c.ServiceProviderId == provider_id, teal_device.c.EID.not_in(listed))
        .values(DeviceStatus="Unknown", ModifiedBy="usp_Teal_Update_Device", ModifiedDate=now))
    conn.execute(delete(teal_device).where(teal_device.c.ServiceProviderId == provider_id,
                                           teal_device.c.EID.in_(listed)))
    _insert(conn, teal_device, [
        {"ServiceProviderId": provider_id, "ICCID": d["ICCID"], "IMEI": d["IMEI"],
         "MSISDN": d["MSISDN"], "EID": d["EID"], "PlanName": d["RatePlan"],
         "DeviceStatus": d["Status"], "IsActive": True, "CreatedBy": "usp_Teal_Update_Device",
         "CreatedDate": now} for d in devices])


def _pond_upstream(conn: Connection, provider_id: int, devices: list[dict]) -> None:
    _replace(conn, pond_device, provider_id, [
        {"ServiceProviderId": provider_id, "ICCID": d["ICCID"], "DeviceStatus": d["Status"]}
        for d in devices])


# The stand-in of each carrier's device-sync step, by carrier table.
UPSTREAM = {
    "JasperDevice": _jasper_upstream,
    "ThingSpaceDevice": _thingspace_upstream,
    "TelegenceDevice": _telegence_upstream,
    "eBondingDevice": _ebonding_upstream,
    "TealDevice": _teal_upstream,
    "PondDevice": _pond_upstream,
}
# Carriers whose device sync sends only the devices changed since the last one.
INCREMENTAL_UPSTREAM = {"JasperDevice"}


def upstream_device_sync(databases: Databases, integration: Integration, provider_id: int,
                         devices: list[dict]) -> None:
    """What the device-sync step before the cleanup leaves for one provider — the demo's and
    the tests' stand-in for it — written on the database that holds the carrier's tables."""
    engine = databases.jasper if integration.database is Database.JASPER else databases.central
    with engine.begin() as conn:
        UPSTREAM[integration.carrier.table](conn, provider_id, devices)


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
    for table in (billing_period, service_provider_setting, optimization_setting,
                  stand_in_comm_plan_rate_plan, jasper_communication_plan, optimization_session,
                  service_provider, tenant, device_status, integration_table):
        conn.execute(delete(table))
    _insert(conn, integration_table, [
        {"id": ids[key], "Name": i.legacy_name} for key, i in INTEGRATIONS.items()
    ])
    _insert(conn, device_status, [
        {"id": 600 + n, "Status": status, "IntegrationId": ids["telegence"]}
        for n, status in enumerate(TELEGENCE_DEVICE_STATUSES)])
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
    _insert(conn, optimization_setting, [
        {"SettingKey": k, "SettingValue": v} for k, v in OPTIMIZATION_SETTINGS.items()
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
        {"Id": 9000 + sp, "SessionId": f"00000000-0000-4000-8000-{sp:012d}", "TenantId": t,
         "ServiceProviderId": sp, "CreatedDate": datetime.now(timezone.utc).replace(tzinfo=None)}
        for sp, t, key, _ in providers if INTEGRATIONS[key].optimization
    ])
    # One plan already known, with rate plans, so the demo shows the others being added
    # (and the gate warning that they have none yet).
    known = [sp for sp, _, key, _ in providers if INTEGRATIONS[key].has_communication_plans]
    _insert(conn, jasper_communication_plan, [
        {"Id": 1000 + sp, "ServiceProviderId": sp, "CommunicationPlanName": COMMUNICATION_PLANS[0],
         "CreatedBy": "JasperDeviceSync"} for sp in known])
    _insert(conn, stand_in_comm_plan_rate_plan, [
        {"CommunicationPlanId": 1000 + sp, "RatePlanIds": "1,2"} for sp in known])


def clear_all(databases: Databases) -> None:
    """Empty every table of both databases (the schema stays)."""
    for table in reversed(metadata.sorted_tables):
        engine = databases.jasper if is_jasper_table(table) else databases.central
        with engine.begin() as conn:
            conn.execute(delete(table))


def seed_demo(databases: Databases, devices_per_provider: int = 200,
              seed: int = 7) -> DemoSummary:
    """Fill the databases (schema already created) with the demo tenants, and run the
    device-sync stand-in of every provider once."""
    staged = malformed = 0
    clear_all(databases)
    with databases.central.begin() as conn:
        seed_reference_data(conn)
    for provider_id, _, key, _ in DEMO_PROVIDERS:
        devices, bad = demo_devices(provider_id, devices_per_provider, seed)
        upstream_device_sync(databases, INTEGRATIONS[key], provider_id, devices)
        staged += len(devices)
        malformed += bad
    return DemoSummary(len(DEMO_TENANTS), len(DEMO_PROVIDERS), staged, malformed)


def seed_rows_to_process(databases: Databases, providers=DEMO_PROVIDERS) -> None:
    """One row to process for each provider whose carrier has them — its device sync still
    at work — by ``ServiceProviderId`` where the table has one, else by a device key of the
    provider's carrier table. explain-sql's workload seeds them so that its sensor tick
    decides forced launches and their clearing (sql/finalize.py) is reviewed too."""
    for provider_id, _, key, _ in providers:  # providers, not devices
        integration = INTEGRATIONS[key]
        engine = databases.jasper if integration.database is Database.JASPER else databases.central
        with engine.begin() as conn:
            for rule in integration.rows_to_process:
                table = rows_to_process_tables[rule.table]
                if "ServiceProviderId" in table.c:
                    values = {"ServiceProviderId": provider_id}
                else:
                    carrier = carrier_tables[integration.carrier.table]
                    values = {rule.provider_key: conn.execute(
                        select(carrier.c[rule.provider_key])
                        .where(carrier.c.ServiceProviderId == provider_id,
                               carrier.c[rule.provider_key].isnot(None))
                        .order_by(carrier.c[rule.provider_key]).limit(1)).scalar()}
                conn.execute(insert(table).values(**values))


def simulate_next_sync(databases: Databases, devices_per_provider: int = 200, seed: int = 8,
                       changed_share: float = 0.05) -> None:
    """The next day's device sync: some devices change status; full-list carriers lose a
    few devices and gain new ones; the Jasper family's sync sends only the changed devices."""
    for provider_id, _, key, _ in DEMO_PROVIDERS:
        integration = INTEGRATIONS[key]
        rng = random.Random(seed * 7919 + provider_id)
        devices, _ = demo_devices(provider_id, devices_per_provider, 7, malformed=False)
        changed = rng.sample(range(len(devices)), max(1, int(len(devices) * changed_share)))
        for index in changed:
            devices[index] = {**devices[index], "Status": "DEACTIVATED"
                              if devices[index]["Status"] != "DEACTIVATED" else "ACTIVATED"}
        if integration.carrier.table in INCREMENTAL_UPSTREAM:
            devices = [devices[i] for i in sorted(changed)]
        else:
            devices = devices[3:]  # three devices left the account
            devices += demo_devices(provider_id, 2, seed + 1, malformed=False)[0]
        upstream_device_sync(databases, integration, provider_id, devices)

"""The database schema: legacy tables under their legacy names, plus our own few tables.

This is SQLAlchemy Core metadata, so one definition serves SQL Server (where the legacy
tables already exist and nothing is created), PostgreSQL and SQLite (where
``create_schema`` builds it). Columns known from the legacy code are listed in
``shared/DOMAIN.md``; everything else here is a sensible guess and says so.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.engine import Connection, Engine

from .registry import INTEGRATIONS

metadata = MetaData()

# ---------------------------------------------------------------------------------------
# Device attributes every carrier sync delivers, in normalized form. The validation step
# maps each carrier's staging columns onto these (registry.staging_columns) and rejects
# values longer than the lengths given here.
# ---------------------------------------------------------------------------------------
DEVICE_TEXT_ATTRIBUTES: dict[str, int] = {
    "ICCID": 20,
    "IMSI": 15,
    "MSISDN": 15,
    "IMEI": 16,
    "Status": 50,
    "RatePlan": 255,
    "CommunicationPlan": 255,
    "AccountNumber": 50,
}
DEVICE_DATE_ATTRIBUTES: tuple[str, ...] = (
    "ProviderDateAdded",
    "ProviderDateActivated",
    "LastUsageDate",
)
DEVICE_ATTRIBUTES: tuple[str, ...] = (*DEVICE_TEXT_ATTRIBUTES, *DEVICE_DATE_ATTRIBUTES)
# Attributes that, when they differ, make a device "updated" (ICCID is the key).
DEVICE_COMPARED_ATTRIBUTES: tuple[str, ...] = tuple(a for a in DEVICE_ATTRIBUTES if a != "ICCID")


def _device_attribute_columns() -> list[Column]:
    return [Column(name, String(length)) for name, length in DEVICE_TEXT_ATTRIBUTES.items()] + [
        Column(name, DateTime) for name in DEVICE_DATE_ATTRIBUTES
    ]


def _audit_columns() -> list[Column]:
    return [
        Column("CreatedBy", String(100)),
        Column("CreatedDate", DateTime),
        Column("ModifiedBy", String(100)),
        Column("ModifiedDate", DateTime),
        Column("DeletedBy", String(100)),
        Column("DeletedDate", DateTime),
        Column("IsActive", Boolean, nullable=False, default=True),
        Column("IsDeleted", Boolean, nullable=False, default=False),
    ]


# --- reference tables ------------------------------------------------------------------
integration = Table(
    "Integration",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("Name", String(50), nullable=False),  # the legacy enum name, e.g. "Jasper"
)

# Guessed: the legacy Tenant table is not described; only id and name are used.
tenant = Table(
    "Tenant",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("Name", String(200), nullable=False),
    Column("IsActive", Boolean, nullable=False, default=True),
    Column("IsDeleted", Boolean, nullable=False, default=False),
)

service_provider = Table(
    "ServiceProvider",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("Name", String(200), nullable=False),
    Column("DisplayName", String(200)),  # guessed
    Column("TenantId", Integer, nullable=False),
    Column("IntegrationId", Integer, nullable=False),
    Column("IsActive", Boolean, nullable=False, default=True),
    Column("IsDeleted", Boolean, nullable=False, default=False),
)

service_provider_setting = Table(
    "ServiceProviderSetting",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ServiceProviderId", Integer),  # NULL: a global setting
    Column("SettingKey", String(200), nullable=False),
    Column("SettingValue", Text),
)

billing_period = Table(
    "BillingPeriod",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ServiceProviderId", Integer, nullable=False),
    Column("BillYear", Integer, nullable=False),
    Column("BillMonth", Integer, nullable=False),
    Column("BillingCycleStartDate", DateTime),  # guessed
    Column("BillingCycleEndDate", DateTime),  # guessed
    Column("IsActive", Boolean, nullable=False, default=True),
    Column("IsDeleted", Boolean, nullable=False, default=False),
)

# Guessed beyond id / TenantId / ServiceProviderId.
optimization_session = Table(
    "OptimizationSession",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("SessionId", String(36)),  # the session GUID AMOP 2.0 knows it by
    Column("TenantId", Integer),
    Column("ServiceProviderId", Integer),
    Column("Status", String(50)),
    Column("CreatedDate", DateTime),
    Column("ModifiedDate", DateTime),
    Column("IsActive", Boolean, nullable=False, default=True),
    Column("IsDeleted", Boolean, nullable=False, default=False),
)

# --- staging tables (filled by the device-sync Lambdas) ---------------------------------
# Dates arrive as carrier text; the validation step parses them and rejects what it cannot.
_STAGING_COLUMNS: dict[str, list[str]] = {
    "JasperDeviceStaging": [
        "ICCID", "IMSI", "MSISDN", "IMEI", "Status", "RatePlan", "CommunicationPlan",
        "AccountId", "DateAdded", "DateActivated",
    ],
    "ThingSpaceDeviceStaging": [
        "ICCID", "IMSI", "MSISDN", "IMEI", "Status", "RatePlan", "AccountNumber",
        "DeviceCreatedDate", "LastActivationDate", "LastUsageDate", "BillingCycleEndDate",
        "IPAddress",
    ],
    "TelegenceDeviceStaging": [
        "FoundationAccountNumber", "BillingAccountNumber", "SubscriberNumber",
        "SubscriberNumberStatus", "RefreshTimestamp", "BanStatus",
    ],
    "TelegenceDeviceDetailStaging": [
        "SubscriberNumber", "ICCID", "IMEI", "SubscriberActivatedDate", "DeviceMake",
        "DeviceModel", "NextBillCycleDate",
    ],
    # Guessed: eBonding, Teal and Pond staging columns are not described in the legacy code.
    "eBondingDeviceStaging": [
        "SubscriberNumber", "ICCID", "IMEI", "Status", "RatePlan", "BillingAccountNumber",
        "ActivatedDate",
    ],
    "TealDeviceStaging": [
        "ICCID", "EID", "IMSI", "MSISDN", "Status", "PlanName", "ActivatedDate", "LastUsageDate",
    ],
    "PondDeviceStaging": [
        "ICCID", "IMSI", "MSISDN", "Status", "Package", "CreatedAt", "ActivatedAt",
    ],
}


def _staging_table(name: str, columns: list[str]) -> Table:
    # Staging is wide text on purpose: carriers send anything, and validation decides.
    return Table(
        name,
        metadata,
        Column("ID", Integer, primary_key=True),
        Column("ServiceProviderId", Integer, nullable=False),
        *[Column(c, String(1000)) for c in columns],
        Column("CreatedBy", String(100)),
        Column("CreatedDate", DateTime),
        Index(f"IX_{name}_ServiceProviderId", "ServiceProviderId"),
    )


staging_tables: dict[str, Table] = {
    name: _staging_table(name, cols) for name, cols in _STAGING_COLUMNS.items()
}

# --- rows-to-process tables (non-empty while the carrier sync is still working) ---------
_ROWS_TO_PROCESS_EXTRA = {
    "JasperDeviceUsageICCICDsToProcess": [Column("ICCID", String(50))],
    "ThingSpaceDeviceUsageICCICDsToProcess": [Column("ICCID", String(50))],
    "TelegenceDeviceDetailIdsToProcess": [
        Column("SubscriberNumber", String(50)),
        Column("IsDeleted", Boolean, nullable=False, default=False),
    ],
    "eBondingDeviceDetailIdsToProcess": [
        Column("SubscriberNumber", String(50)),
        Column("RetryCount", Integer, nullable=False, default=0),
    ],
    "eBondingDeviceUsageIdsToProcess": [
        Column("SubscriberNumber", String(50)),
        Column("RetryCount", Integer, nullable=False, default=0),
    ],
    "PondDeviceStatusICCIDsToProcess": [
        Column("ICCID", String(50)),
        Column("IsDeleted", Boolean, nullable=False, default=False),
    ],
}
rows_to_process_tables: dict[str, Table] = {
    name: Table(
        name,
        metadata,
        Column("ID", Integer, primary_key=True),
        Column("ServiceProviderId", Integer, nullable=False),
        *extra,
        Index(f"IX_{name}_ServiceProviderId", "ServiceProviderId"),
    )
    for name, extra in _ROWS_TO_PROCESS_EXTRA.items()
}


# --- device tables ------------------------------------------------------------------------
def _device_table(name: str, *extra: Column) -> Table:
    # Unique (ServiceProviderId, ICCID): the natural key every sync step joins on. On an
    # existing SQL Server database the legacy tables keep whatever indexes they have.
    return Table(
        name,
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("ServiceProviderId", Integer, nullable=False),
        *_device_attribute_columns(),
        *extra,
        *_audit_columns(),
        Column("LastSyncId", Integer),  # ours: the CleanupDeviceSync that last wrote the row
        Index(f"UX_{name}_ServiceProviderId_ICCID", "ServiceProviderId", "ICCID", unique=True),
    )


# Carrier tables (guessed names, see registry): one per carrier, the Jasper family shares one.
carrier_tables: dict[str, Table] = {
    name: _device_table(name)
    for name in dict.fromkeys(i.carrier_table for i in INTEGRATIONS.values())
}

device = _device_table(
    "Device",
    Column("DeviceStatusId", Integer),
    Column("CarrierRatePlanId", Integer),
    Column("APN", String(100)),
    Column("CtdDataUsage", BigInteger),
    Column("CtdSMSUsage", BigInteger),
    Column("CtdVoiceUsage", BigInteger),
    Column("CtdSessionCount", BigInteger),
    Column("BillingPeriodId", Integer),
)

device_tenant = Table(
    "Device_Tenant",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("DeviceId", BigInteger, nullable=False),
    Column("TenantId", Integer, nullable=False),
    Column("AccountNumber", String(50)),
    Column("SiteId", Integer),
    *_audit_columns(),
    Index("UX_Device_Tenant_DeviceId_TenantId", "DeviceId", "TenantId", unique=True),
)

mobility_device = _device_table("MobilityDevice")

jasper_communication_plan = Table(
    "JasperCommunicationPlan",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ServiceProviderId", Integer, nullable=False),
    Column("CommunicationPlanName", String(255), nullable=False),
    Column("AliasName", String(255)),  # guessed
    *_audit_columns(),
    Index("UX_JasperCommunicationPlan_SP_Name", "ServiceProviderId", "CommunicationPlanName",
          unique=True),
)

# Guessed: the legacy association of communication plans to carrier rate plans (a plan
# without one keeps its devices out of optimization).
communication_plan_rate_plan = Table(
    "JasperCommunicationPlanRatePlan",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("CommunicationPlanId", Integer, nullable=False),
    Column("CarrierRatePlanId", Integer, nullable=False),
    Column("IsActive", Boolean, nullable=False, default=True),
    Column("IsDeleted", Boolean, nullable=False, default=False),
)

# --- our own tables -------------------------------------------------------------------------
# One row per finalization of one (integration, tenant) partition: the per-sync ledger.
device_sync = Table(
    "CleanupDeviceSync",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("IntegrationKey", String(50), nullable=False),
    Column("TenantKey", String(100), nullable=False),
    Column("ServiceProviderIds", String(1000), nullable=False),  # comma-separated
    Column("RunId", String(64)),
    Column("Trigger", String(20), nullable=False),  # "notification" | "rerun"
    Column("Forced", Boolean, nullable=False, default=False),
    Column("Mode", String(20), nullable=False),  # "set_based" | "legacy_procedures"
    Column("StartedAt", DateTime, nullable=False),
    Column("FinishedAt", DateTime),
    Column("Staged", Integer),
    Column("Accepted", Integer),
    Column("Rejected", Integer),
    Column("Inserted", Integer),
    Column("Updated", Integer),
    Column("Unchanged", Integer),
    Column("Deactivated", Integer),
    Column("NewCommunicationPlans", Integer),
    # The common table's live devices of the providers before and after this sync: the
    # optimization gate refuses a sync whose device count dropped too far.
    Column("ActiveDevicesBefore", Integer),
    Column("ActiveDevicesAfter", Integer),
    # The device_sync_summary asset: the legacy summary's seven fields and the reporting
    # outcome (each email's status, the sync log object, the Snowflake history).
    Column("DetailLastSyncDate", DateTime),
    Column("DetailQueueCount", Integer),
    Column("DetailUpdatedCount", Integer),
    Column("UsageLastSyncDate", DateTime),
    Column("UsageQueueCount", Integer),
    Column("UsageUpdatedCount", Integer),
    Column("DeviceCount", Integer),
    Column("DurationSeconds", Integer),
    Column("EmailStatus", String(2000)),
    Column("SyncLogObject", String(1000)),
    Column("HistoryStatus", String(1000)),
)

# Staging rows that failed validation, with the reason; kept per sync, never lost.
staging_reject = Table(
    "CleanupStagingReject",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("SyncId", Integer, nullable=False),
    Column("ServiceProviderId", Integer, nullable=False),
    Column("StagingTable", String(100), nullable=False),
    Column("StagingId", Integer, nullable=False),
    Column("ICCID", String(1000)),
    Column("Reason", String(200), nullable=False),
    Index("IX_CleanupStagingReject_SyncId", "SyncId"),
)

# The validated, typed staging (the `validated_staging` asset): each listed device's latest
# accepted row. A sync writes here only the rows that differ from it (with SyncId = that
# sync), with their Reason; the rejected ones then move to CleanupStagingReject. Text is as
# wide as staging so that a rejected row always fits; after a sync the rows are unique per
# (ServiceProviderId, ICCID).
staged_device = Table(
    "CleanupStagedDevice",
    metadata,
    Column("SyncId", Integer, nullable=False),
    Column("ServiceProviderId", Integer, nullable=False),
    Column("StagingId", Integer, nullable=False),
    *[Column(name, String(1000)) for name in DEVICE_TEXT_ATTRIBUTES],
    *[Column(name, DateTime) for name in DEVICE_DATE_ATTRIBUTES],
    # The dates as staged (trimmed text): a resync compares text with text, no parsing.
    *[Column(f"{name}Text", String(1000)) for name in DEVICE_DATE_ATTRIBUTES],
    Column("Reason", String(200)),
    # Deliberately no index on SyncId: SQLite would prefer it for the "same device" lookups
    # and scan every row of this sync per row (O(n * changed)); a scan per statement is cheap.
    Index("IX_CleanupStagedDevice_SP_ICCID", "ServiceProviderId", "ICCID"),
)

# The sync-notification inbox: every notification the sensor has seen, from the database
# (posted by `cleanup-assets notify`) or from the legacy SQS queue, with its wait state.
# The legacy attributes are kept as received (text) and, once parsed, in typed columns.
sync_notification = Table(
    "CleanupSyncNotification",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("Source", String(20), nullable=False),  # "inbox" | "sqs"
    Column("ExternalId", String(200)),  # SQS MessageId: a redelivered message is ignored
    Column("ReceivedAt", DateTime, nullable=False),
    Column("RawAttributes", Text, nullable=False),  # JSON of the attributes as received
    Column("Status", String(20), nullable=False),  # pending | waiting | launched | rejected
    Column("Reason", String(500)),  # why rejected, or why forced
    Column("IntegrationKey", String(50)),
    Column("TenantKey", String(100)),
    Column("ServiceProviderId", Integer),
    Column("ShouldQueueCarrierOptimization", Boolean),
    Column("OptimizationSessionId", BigInteger),
    Column("RetryCount", Integer),
    Column("MaxRetries", Integer),
    Column("DelayBetweenRetries", Integer),
    Column("RemainingRowsToProcess", Integer),
    Column("NextCheckAt", DateTime),
    Column("Forced", Boolean),
    Column("RunKey", String(100)),
    Column("DecidedAt", DateTime),
    Index("UX_CleanupSyncNotification_Source_ExternalId", "Source", "ExternalId", unique=True),
    Index("IX_CleanupSyncNotification_Status_NextCheckAt", "Status", "NextCheckAt"),
)

# The optimization handover of each (service provider, session): queued exactly once, or
# stopped with the reason. HandoverKey is "session:<id>", or "run:<root run id>" without one.
optimization_handover = Table(
    "CleanupOptimizationHandover",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ServiceProviderId", Integer, nullable=False),
    Column("HandoverKey", String(100), nullable=False),
    Column("OptimizationSessionId", BigInteger, nullable=False),
    Column("Status", String(20), nullable=False),  # sending | queued | stopped
    Column("RunId", String(64)),
    Column("MessageId", String(200)),
    Column("BillPeriodId", Integer),
    Column("Reason", String(2000)),
    Column("CreatedAt", DateTime, nullable=False),
    Column("UpdatedAt", DateTime, nullable=False),
    Index("UX_CleanupOptimizationHandover_SP_Key", "ServiceProviderId", "HandoverKey",
          unique=True),
)

OWN_TABLES: tuple[Table, ...] = (device_sync, staging_reject, staged_device, sync_notification,
                                 optimization_handover)
COMMON_TABLES = {"M2M": device, "Mobility": mobility_device}


def create_schema(bind: Engine | Connection) -> list[str]:
    """Create every table on an empty SQLite or PostgreSQL database (idempotent).

    SQL Server holds the legacy schema already; there nothing is created and a clear error
    says how to get the DDL of our own tables for a DBA to review.
    """
    if bind.dialect.name == "mssql":
        raise RuntimeError(
            "refusing to create tables on SQL Server: the legacy schema is owned by the existing "
            "database. Run `cleanup-assets schema-ddl --dialect mssql` and have a DBA apply the "
            "DDL of our own tables (CleanupDeviceSync, CleanupStagingReject, CleanupStagedDevice, "
            "CleanupSyncNotification, CleanupOptimizationHandover)."
        )
    metadata.create_all(bind)
    _rebuild_if_outdated(bind, staged_device)
    return sorted(metadata.tables)


def _rebuild_if_outdated(bind: Engine | Connection, table: Table) -> None:
    """Recreate a table that holds only derived rows when an older version made it with
    fewer columns. ``CleanupStagedDevice`` is such a table: without its rows the next sync
    of each provider validates every staging row again, and nothing is lost."""
    from sqlalchemy import inspect

    present = {c["name"] for c in inspect(bind).get_columns(table.name)}
    if not set(table.c.keys()) <= present:
        table.drop(bind)
        table.create(bind)


def own_tables_ddl(dialect_name: str) -> str:
    """The CREATE statements of our own tables for a dialect (for SQL Server DBAs)."""
    from sqlalchemy.dialects import registry as dialect_registry
    from sqlalchemy.schema import CreateIndex, CreateTable

    dialect = dialect_registry.load(dialect_name)()
    statements = []
    for table in OWN_TABLES:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip() + ";")
        for index in table.indexes:
            statements.append(str(CreateIndex(index).compile(dialect=dialect)).strip() + ";")
    return "\n\n".join(statements) + "\n"

"""The database schema: legacy tables under their legacy names and in their legacy shape,
plus our own ``Cleanup*`` tables.

SQLAlchemy Core metadata, so one definition serves SQL Server (where the legacy tables exist
and nothing is ever created), PostgreSQL and SQLite (where ``create_schema`` builds it for
the demo and the tests).

**Legacy tables carry only columns the legacy sources show** (``cleanup_tests/evidence.py``
lists each with its file and line; a test holds this module to it). Where the code needs a
column no source shows, it is declared with ``guess(...)`` and the reason it rests on; those
are the schema's open questions, listed in docs/legacy-differences.md. Column lengths of
legacy text columns are not shown anywhere and are ours (``LENGTHS``). Nothing of ours is
ever added to a legacy table: our bookkeeping lives in our own tables.

Tables of the Jasper database carry the symbolic schema ``JASPER_SCHEMA``; each engine maps
it to where they really are (db.Databases).
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
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
    Unicode,
    event,
    inspect,
    text,
)
from sqlalchemy.dialects import registry as dialect_registry
from sqlalchemy.dialects.mssql import NVARCHAR
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.schema import CreateColumn, CreateIndex, CreateTable

from .db import JASPER_SCHEMA, Databases, catalog_queries, connect_databases

metadata = MetaData()
# Long text of our own tables: NVARCHAR(MAX) on SQL Server (TEXT is deprecated there since
# 2005 and refused by many string functions), text elsewhere.
LONG_TEXT = Text().with_variant(NVARCHAR(None), "mssql")

# Lengths of the text columns the cleanup writes: not shown by the legacy sources (ours).
LENGTHS = {
    "ICCID": 20, "IMSI": 15, "MSISDN": 15, "IMEI": 16, "EID": 32, "Status": 50,
    "RatePlan": 255, "CommunicationPlan": 255, "AccountNumber": 50, "Name": 200,
    "CreatedBy": 100, "ModifiedBy": 100, "DeletedBy": 100,
}
STAGING_TEXT = 1000  # staging is wide text: carriers send anything, validation decides
# The carrier tables' lengths are not shown either; ours are wide, so that what a carrier
# sends reaches the row rules (which hold it to the common table's lengths).
CARRIER_TEXT = 1000


def guess(column: Column, reason: str) -> Column:
    """A column no legacy source shows, kept because the code needs it: ``reason`` says
    what it rests on."""
    column.info["guess"] = reason
    return column


def _text(name: str, length: int | None = None, **kw) -> Column:
    return Column(name, String(length or LENGTHS.get(name, 255)), **kw)


def _id(name: str = "id") -> Column:
    return Column(name, BigInteger().with_variant(Integer, "sqlite"), primary_key=True)


def _audit(why: str | None = None) -> list[Column]:
    columns = [_text("CreatedBy"), Column("CreatedDate", DateTime), _text("ModifiedBy"),
               Column("ModifiedDate", DateTime), _text("DeletedBy"), Column("DeletedDate", DateTime),
               Column("IsActive", Boolean, nullable=False, default=True),
               Column("IsDeleted", Boolean, nullable=False, default=False)]
    return [guess(c, why) for c in columns] if why else columns


# =========================================================================================
# Central database: reference tables
# =========================================================================================
integration = Table(  # IntegrationTypeRepository.cs:23 `Select id, Name FROM Integration`
    "Integration", metadata,
    Column("id", Integer, primary_key=True),
    _text("Name", 50, nullable=False),
)

# A carrier's status texts, one row per (IntegrationId, Status); staging texts are matched
# case-insensitively (usp_Telegence_Update_Device.sql:17-18, 50).
device_status = Table(
    "DeviceStatus", metadata,
    Column("id", Integer, primary_key=True),
    _text("Status", 50, nullable=False),
    Column("IntegrationId", Integer, nullable=False),
)

service_provider = Table(  # ServiceProviderCommon.cs:45-81 (TealLambdas)
    "ServiceProvider", metadata,
    Column("id", Integer, primary_key=True),
    _text("Name", nullable=False),
    _text("DisplayName"),
    Column("IntegrationId", Integer, nullable=False),
    Column("TenantId", Integer),
    Column("BillPeriodEndDay", Integer),
    Column("BillPeriodEndHour", Integer),
    guess(Column("IsActive", Boolean, nullable=False, default=True),
          "reruns finalize only live providers; the legacy tables that can retire rows "
          "(Device, ServiceProviderSetting, JasperCommunicationPlan) carry IsActive/IsDeleted"),
    guess(Column("IsDeleted", Boolean, nullable=False, default=False), "as IsActive"),
)

# Global settings: `WHERE IsDeleted = 0 AND ServiceProviderId IS NULL` (SettingsRepository.cs:40).
service_provider_setting = Table(
    "ServiceProviderSetting", metadata,
    Column("ServiceProviderId", Integer),  # NULL: a global setting
    _text("SettingKey", 200, nullable=False),
    Column("SettingValue", Text),
    Column("IsActive", Boolean, nullable=False, default=True),
    Column("IsDeleted", Boolean, nullable=False, default=False),
)

billing_period = Table(  # BillingPeriodHelper.cs (TealLambdas); AWSFunctionBase.cs:140-143
    "BillingPeriod", metadata,
    Column("Id", Integer, primary_key=True),
    Column("ServiceProviderId", Integer, nullable=False),
    Column("BillYear", Integer, nullable=False),
    Column("BillMonth", Integer, nullable=False),
    Column("BillingCycleStartDate", DateTime),
    Column("BillingCycleEndDate", DateTime),
    Column("IsDeleted", Boolean, nullable=False, default=False),
)

tenant = Table(
    "Tenant", metadata,
    Column("id", Integer, primary_key=True),
    _text("Name", nullable=False),
    info={"guess": "tenant names for operators (metadata, notes); the legacy reads a tenant's "
                   "name only through the portal database's GET_TENANT_NAME_BY_ID "
                   "(ThingSpaceDiscrepancyService.cs:48-59)"},
)

# The optimization settings (OptimizationSyncDeviceErrorEmailSubject, …): the legacy reads them
# through a procedure whose name is only a constant (SettingsRepository.cs:109-144); the
# portal's EF entity shows these columns (OptimizationApiController.cs:829-832).
optimization_setting = Table(
    "OptimizationSetting", metadata,
    _text("SettingKey", 200, nullable=False),
    Column("SettingValue", Text),
    Column("IsDeleted", Boolean, nullable=False, default=False),
    info={"guess": "the table's name: the portal's DbSet is plural, the table name is assumed "
                   "singular; the legacy reads these rows through "
                   "OPTIMIZATION_GET_OPTIMIZATION_SETTINGS_BY_TENANT_ID (name not public)"},
)

optimization_session = Table(  # the portal's EF entity (OptimizationApiController.cs)
    "OptimizationSession", metadata,
    Column("Id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    _text("SessionId", 36),  # the session GUID AMOP 2.0 knows it by
    Column("TenantId", Integer),
    Column("ServiceProviderId", Integer),
    Column("CreatedDate", DateTime),
    Column("IsActive", Boolean, nullable=False, default=True),
    Column("IsDeleted", Boolean, nullable=False, default=False),
)

# =========================================================================================
# Central database: the common device tables (what optimization and billing read)
# =========================================================================================
device = Table(  # the 39 columns of GetDeviceHistoryString (F:284-326) and EID (F:959)
    "Device", metadata,
    _id(),
    Column("ServiceProviderId", Integer, nullable=False),
    _text("ICCID"), _text("IMSI"), _text("MSISDN"), _text("IMEI"), _text("EID"),
    Column("DeviceStatusId", Integer), _text("Status"),
    Column("CarrierRatePlanId", Integer), _text("RatePlan"), _text("CommunicationPlan"),
    Column("LastUsageDate", DateTime), _text("APN", 100), _text("Package", 100),
    Column("CtdDataUsage", BigInteger), Column("CtdSMSUsage", BigInteger),
    Column("CtdVoiceUsage", BigInteger), Column("CtdSessionCount", BigInteger),
    Column("OverageLimitReached", Boolean), _text("OverageLimitOverride", 50),
    *_audit(),
    Column("LastActivatedDate", DateTime),
    Column("ProviderDateAdded", DateTime), Column("ProviderDateActivated", DateTime),
    Column("OldDeviceStatusId", Integer), Column("OldCtdDataUsage", BigInteger),
    _text("CostCenter", 100), _text("Username", 100),
    Column("BillingPeriodId", Integer),
    Index("IX_Device_ServiceProviderId_ICCID", "ServiceProviderId", "ICCID"),
    Index("IX_Device_ServiceProviderId_EID", "ServiceProviderId", "EID"),
)

device_tenant = Table(  # F:313-325: joined on DeviceId and the provider's own TenantId
    "Device_Tenant", metadata,
    Column("DeviceId", BigInteger, nullable=False),
    Column("TenantId", Integer, nullable=False),
    _text("AccountNumber"),
    Column("AccountNumberIntegrationAuthenticationId", Integer),
    Column("SiteId", Integer),
    Index("IX_Device_Tenant_DeviceId_TenantId", "DeviceId", "TenantId", unique=True),
)

mobility_device = Table(  # F:897-913 (the Telegence sync log)
    "MobilityDevice", metadata,
    _id(),
    Column("ServiceProviderId", Integer, nullable=False),
    _text("ICCID"), _text("MSISDN"),
    Column("CtdDataUsage", BigInteger), Column("CtdSMSUsage", BigInteger),
    Column("CtdVoiceUsage", BigInteger),
    Column("BillingPeriodId", Integer),
    Column("ProviderDateActivated", DateTime),
    Column("IsActive", Boolean, nullable=False, default=True),
    Column("IsDeleted", Boolean, nullable=False, default=False),
    Index("IX_MobilityDevice_ServiceProviderId_MSISDN", "ServiceProviderId", "MSISDN"),
)

# F:396-401 (matched by name) and F:422-423 (the insert, CreatedBy 'JasperDeviceSync').
jasper_communication_plan = Table(
    "JasperCommunicationPlan", metadata,
    Column("Id", Integer, primary_key=True),
    _text("CommunicationPlanName", nullable=False),
    _text("AliasName"),
    _text("CreatedBy"), Column("CreatedDate", DateTime),
    Column("IsActive", Boolean, nullable=False, default=True),
    Column("IsDeleted", Boolean, nullable=False, default=False),
    Column("ServiceProviderId", Integer, nullable=False),
    Index("IX_JasperCommunicationPlan_Name", "CommunicationPlanName"),
)

# What carrier optimization reads (AWSFunctionBase.cs:621 in Customer_Optimization): a plan
# whose RatePlanIds is blank is not optimized (QueueCarrierPlanOptimization.cs:470). A view
# on SQL Server; on the databases we create, the same view over JasperCommunicationPlan and a
# stand-in for the association it reads (CleanupStandInCommPlanRatePlan, below).
COMM_PLAN_RATE_PLAN_VIEW = "vwJasperCommPlan_RatePlan"
comm_plan_rate_plan = Table(
    COMM_PLAN_RATE_PLAN_VIEW, MetaData(),  # a view: not created with the tables
    Column("Id", Integer), _text("CommunicationPlanName"), Column("RatePlanIds", Text),
    Column("ServiceProviderId", Integer),
)

# =========================================================================================
# Carrier tables (filled by the device-sync step before us) and their staging
# =========================================================================================
# Jasper database. JasperDeviceStaging is bulk-copied by ordinal (no column mappings,
# AltaworxJasperAWSGetDevicesQueue.cs:161-182): its columns must keep this order.
jasper_device_staging = Table(
    "JasperDeviceStaging", metadata,
    Column("ID", Integer, primary_key=True),
    _text("ICCID", STAGING_TEXT), _text("Status", STAGING_TEXT), _text("RatePlan", STAGING_TEXT),
    _text("CommunicationPlan", STAGING_TEXT), _text("CreatedBy", CARRIER_TEXT), Column("CreatedDate", DateTime),
    Column("ServiceProviderId", Integer, nullable=False),
    schema=JASPER_SCHEMA,
)
jasper_device = Table(
    "JasperDevice", metadata,
    Column("ServiceProviderId", Integer, nullable=False),  # F:846
    _text("ICCID", CARRIER_TEXT),  # F:846
    *[guess(_text(name, CARRIER_TEXT), "usp_Update_Jasper_Device merges JasperDeviceStaging (ICCID, Status, "
                         "RatePlan, CommunicationPlan) into JasperDevice "
                         "(AltaworxJasperAWSGetDevicesQueue.cs:162-169, 313)")
      for name in ("Status", "RatePlan", "CommunicationPlan")],
    Index("IX_JasperDevice_ServiceProviderId_ICCID", "ServiceProviderId", "ICCID"),
    schema=JASPER_SCHEMA,
)
jasper_device_usage = Table(  # F:836-847
    "JasperDeviceUsage", metadata,
    Column("ServiceProviderId", Integer, nullable=False), _text("ICCID", CARRIER_TEXT),
    Column("CtdDataUsage", BigInteger), Column("CtdSMSUsage", BigInteger),
    Column("CtdVoiceUsage", BigInteger),
    Index("IX_JasperDeviceUsage_ServiceProviderId_ICCID", "ServiceProviderId", "ICCID"),
    schema=JASPER_SCHEMA,
)

# Central database. ThingSpaceDevice is merged from staging by usp_ThingSpace_Update_Device
# in the device-sync Lambda (AltaworxThingSpaceAWSGetDevices); the bulk-change Lambda shows
# its columns.
thingspace_device = Table(
    "ThingSpaceDevice", metadata,
    Column("ServiceProviderId", Integer, nullable=False),
    _text("ICCID", CARRIER_TEXT), _text("IMEI", CARRIER_TEXT), _text("Status", CARRIER_TEXT), _text("RatePlan", CARRIER_TEXT),
    Column("DeviceStatusId", Integer),
    *_audit()[:4],
    Column("IsActive", Boolean, nullable=False, default=True),
    Column("IsDeleted", Boolean, nullable=False, default=False),
    Index("IX_ThingSpaceDevice_ServiceProviderId_ICCID", "ServiceProviderId", "ICCID"),
)
# Bulk-copied by ordinal (AltaworxThingSpaceAWSGetDevices): the order is the contract.
thingspace_device_staging = Table(
    "ThingSpaceDeviceStaging", metadata,
    Column("ID", Integer, primary_key=True),
    *[_text(name, STAGING_TEXT) for name in (
        "ICCID", "IMSI", "MSISDN", "IMEI", "Status", "RatePlan", "AccountNumber")],
    _text("CreatedBy", CARRIER_TEXT),
    *[_text(name, STAGING_TEXT) for name in (
        "DeviceCreatedDate", "LastActivationDate", "LastUsageDate", "BillingCycleEndDate")],
    Column("ServiceProviderId", Integer, nullable=False),
    Column("CreatedDate", DateTime),
    *[_text(name, STAGING_TEXT) for name in (
        "PrimaryPlaceOfUseFirstName", "PrimaryPlaceOfUseMiddleName",
        "PrimaryPlaceOfUseLastName")],
    Column("ThingSpacePPU", Text),
    _text("IPAddress", 100),
)
thingspace_device_daily_usage = Table(  # F:925-937
    "ThingSpaceDeviceDailyUsage", metadata,
    Column("ServiceProviderId", Integer, nullable=False), _text("ICCID", CARRIER_TEXT),
    Column("CtdDataUsage", BigInteger), Column("CtdSMSUsage", BigInteger),
    Column("CtdVoiceUsage", BigInteger), Column("CreatedDate", DateTime),
)

# Telegence: the cleanup merges staging into TelegenceDevice itself (F:745-756): the body of
# usp_Telegence_Update_Device is public (Telegence_Carrier/usp_Telegence_Update_Device.sql).
telegence_device = Table(
    "TelegenceDevice", metadata,
    Column("Id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("ServiceProviderId", Integer, nullable=False),
    _text("SubscriberNumber", CARRIER_TEXT),
    _text("ICCID", CARRIER_TEXT),
    *[_text(name, CARRIER_TEXT) for name in ("FoundationAccountNumber", "BillingAccountNumber",
                                   "SubscriberNumberStatus", "BanStatus", "ContractStatus")],
    Column("RefreshTimestamp", DateTime),
    Column("DeviceStatusId", Integer), Column("OldDeviceStatusId", Integer),
    Column("FailedSyncCount", Integer),
    Column("LastActivatedDate", DateTime),
    Column("CtdDataUsage", BigInteger), Column("SMSCount", BigInteger),  # F:901-905
    Column("MinutesUsed", BigInteger),
    *_audit()[:4],
    Column("IsActive", Boolean, nullable=False, default=True),
    Column("IsDeleted", Boolean, nullable=False, default=False),
    Index("IX_TelegenceDevice_ServiceProviderId_SubscriberNumber", "ServiceProviderId",
          "SubscriberNumber"),
)
# Bulk-copied by ordinal (TelegenceAWSGetDevices): the order is the contract.
telegence_device_staging = Table(
    "TelegenceDeviceStaging", metadata,
    Column("Id", Integer, primary_key=True),
    Column("ServiceProviderId", Integer, nullable=False),
    *[_text(name, STAGING_TEXT) for name in (
        "FoundationAccountNumber", "BillingAccountNumber", "SubscriberNumber",
        "SubscriberNumberStatus", "RefreshTimestamp")],
    Column("CreatedDate", DateTime),
    _text("BanStatus", STAGING_TEXT),
)
telegence_device_detail_staging = Table(  # AltaworxTelegenceAWSGetDeviceDetails
    "TelegenceDeviceDetailStaging", metadata,
    Column("Id", Integer, primary_key=True),
    Column("ServiceProviderId", Integer, nullable=False),
    *[_text(name, STAGING_TEXT) for name in (
        "SubscriberNumber", "SubscriberActivatedDate", "SingleUserCode",
        "SingleUserCodeDescription", "ServiceZipCode", "NextBillCycleDate", "ICCID", "IMEI")],
    Column("CreatedDate", DateTime),
    *[_text(name, STAGING_TEXT) for name in (
        "DeviceMake", "DeviceModel", "IMEIType", "DataGroupId", "ContactName",
        "DeviceTechnologyType", "IPAddress", "statusEffectiveDate")],
)

telegence_device_contract_status_staging = Table(  # usp_Telegence_Update_Device.sql:51
    "TelegenceDeviceContractStatusStaging", metadata,
    _text("SubscriberNumber", STAGING_TEXT), _text("ContractStatus", STAGING_TEXT),
)

ebonding_device = Table(
    "eBondingDevice", metadata,
    Column("ServiceProviderId", Integer, nullable=False),
    _text("SubscriberNumber", CARRIER_TEXT), _text("ICCID", CARRIER_TEXT),
    Index("IX_eBondingDevice_ServiceProviderId_SubscriberNumber", "ServiceProviderId",
          "SubscriberNumber"),
    info={"guess": "no legacy source names an eBonding device table; keyed like Telegence "
                   "(a Mobility carrier, MobilityDevice.MSISDN)"},
)

# Teal: usp_Teal_Update_Device_From_Staging MERGEs TealDeviceStaging into TealDevice ON EID
# (outside lead: pond-AltaworxPondProcessStagedDeviceStatus, Stored Procedures.cs:30-175);
# an absent device becomes DeviceStatus 'Unknown', never deleted.
teal_device = Table(
    "TealDevice", metadata,
    Column("ServiceProviderId", Integer, nullable=False),
    *[_text(name, CARRIER_TEXT) for name in ("ICCID", "IMEI", "MSISDN", "EID", "PlanName")],
    _text("DeviceStatus", CARRIER_TEXT),
    Column("DeviceStatusId", Integer),
    Column("IsActive", Boolean, nullable=False, default=True),
    *_audit()[:4],
    Index("IX_TealDevice_ServiceProviderId_EID", "ServiceProviderId", "EID"),
)
# Bulk-copied by ordinal (AltaworxTealAWSGetDevices.cs:295-321): the order is the contract.
teal_device_staging = Table(
    "TealDeviceStaging", metadata,
    Column("Id", Integer, primary_key=True),
    *[_text(name, STAGING_TEXT) for name in (
        "ICCID", "IMSI", "IMEI", "MSISDN", "EID", "DeviceStatus", "PlanId", "PlanUuid",
        "PlanName", "PlanVolumeUnit", "PlanPrice", "Suspended", "DeviceName", "PlanChangeStatus",
        "ClientId", "ClientName", "ClientTitle", "ClientUuid", "Sku", "BatchNumber",
        "DeviceGroupName", "ClientChangeTimestamp", "ProfileChangeStatus", "FlowType")],
    Column("ServiceProviderId", Integer, nullable=False),
    Column("CreatedDate", DateTime),
)
teal_device_usage_daily_staging = Table(  # AltaworxTealAWSGetDeviceUsage.cs:221-230; F:949-959
    "TealDeviceUsageDailyStaging", metadata,
    Column("Id", Integer, primary_key=True),
    _text("EID", CARRIER_TEXT), _text("OperationalImsi", 50), _text("Type", 50), _text("Period", 50),
    Column("Usage", BigInteger), _text("MccMnc", 50), _text("Pmn", 50),
    Column("ServiceProviderId", Integer), Column("CreatedDate", DateTime),
)

pond_device = Table(  # F:973-1001
    "PondDevice", metadata,
    Column("ServiceProviderId", Integer, nullable=False), _text("ICCID", CARRIER_TEXT),
    _text("DeviceStatus", CARRIER_TEXT),
    Index("IX_PondDevice_ServiceProviderId_ICCID", "ServiceProviderId", "ICCID"),
)
pond_device_usage_staging = Table(  # F:989-997
    "PondDeviceUsageStaging", metadata,
    Column("ServiceProviderId", Integer), _text("ICCID", CARRIER_TEXT), Column("CloseTime", DateTime),
    Column("Duration", BigInteger),
)

# =========================================================================================
# Rows to process: non-empty while the carrier's sync is still working (F:629-694)
# =========================================================================================
def _rows_to_process(name: str, *columns: Column, schema: str | None = None) -> Table:
    return Table(name, metadata, *columns, schema=schema)


_ICCID_BY_NAME = "the table's name: the ICCIDs still to process"
rows_to_process_tables: dict[str, Table] = {t.name: t for t in (
    _rows_to_process(
        "JasperDeviceUsageICCICDsToProcess",
        # JasperUsageStagingRepository.cs:24 (outside lead) deletes it per ServiceProviderId.
        guess(Column("ServiceProviderId", Integer), "deleted per provider by "
              "JasperUsageStagingRepository.cs:24 (AltaworxJasperAWSEnqueueRatePlanChanges)"),
        guess(_text("ICCID"), _ICCID_BY_NAME), schema=JASPER_SCHEMA),
    _rows_to_process(  # the ThingSpace usage Lambda's docs (AltaworxThingSpaceAWSGetDevices)
        "ThingSpaceDeviceUsageICCICDsToProcess", _text("ICCID"),
        Column("ServiceProviderId", Integer), Column("GroupNumber", Integer)),
    _rows_to_process(  # AltaworxTelegenceAWSGetDeviceDetails.cs:153, 232
        "TelegenceDeviceDetailIdsToProcess", _text("SubscriberNumber", LENGTHS["MSISDN"]),
        Column("ServiceProviderId", Integer), Column("GroupNumber", Integer),
        Column("IsDeleted", Boolean, nullable=False, default=False)),
    _rows_to_process(
        "eBondingDeviceDetailIdsToProcess",
        guess(Column("ServiceProviderId", Integer), "per-provider counting: not shown"),
        Column("RetryCount", Integer, nullable=False, default=0)),
    _rows_to_process(
        "eBondingDeviceUsageIdsToProcess",
        guess(Column("ServiceProviderId", Integer), "per-provider counting: not shown"),
        Column("RetryCount", Integer, nullable=False, default=0)),
    _rows_to_process(
        "PondDeviceStatusICCIDsToProcess", guess(_text("ICCID"), _ICCID_BY_NAME),
        Column("IsDeleted", Boolean, nullable=False, default=False)),
)}

carrier_tables: dict[str, Table] = {t.name: t for t in (
    jasper_device, thingspace_device, telegence_device, ebonding_device, teal_device, pond_device)}
staging_tables: dict[str, Table] = {t.name: t for t in (
    jasper_device_staging, thingspace_device_staging, telegence_device_staging,
    telegence_device_detail_staging, telegence_device_contract_status_staging,
    teal_device_staging)}
usage_tables: dict[str, Table] = {t.name: t for t in (jasper_device_usage,)}
COMMON_TABLES = {"M2M": device, "Mobility": mobility_device}

# =========================================================================================
# Our own tables (a DBA creates them on SQL Server from `cleanup-assets schema-ddl`)
# =========================================================================================
SYNC_RUNNING, SYNC_FINALIZED, SYNC_FAILED = "running", "finalized", "failed"

# One row per finalization of one (integration, tenant) partition: the per-sync ledger.
device_sync = Table(
    "CleanupDeviceSync", metadata,
    Column("id", Integer, primary_key=True),
    Column("IntegrationKey", String(50), nullable=False),
    Column("TenantKey", String(100), nullable=False),
    Column("ServiceProviderIds", String(1000), nullable=False),  # comma-separated
    Column("RunId", String(64)),
    Column("Trigger", String(20), nullable=False),  # "notification" | "rerun"
    Column("Forced", Boolean, nullable=False, default=False),
    # Full-list deletions were allowed: the sync was complete (not forced, nor a rerun of a
    # forced one). A rerun reads it from the providers' last notified sync.
    Column("Complete", Boolean, nullable=False, default=True),
    Column("Engine", String(20), nullable=False),  # "procedures" | "set_based"
    Column("Status", String(20), nullable=False),  # running | finalized | failed
    Column("Error", String(2000)),
    Column("RulesVersion", Integer),
    Column("StartedAt", DateTime, nullable=False),
    Column("FinishedAt", DateTime),
    Column("StagingRows", Integer),  # Telegence: staging rows merged into TelegenceDevice
    Column("StagingRejected", Integer),
    Column("CarrierRows", Integer),  # carrier rows the mirror read, accepted and rejected
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
    # The optimization gate's judgement of this sync (defs/optimization/gate.py): passed |
    # blocked; NULL: not judged. The handover hands over a passed sync only.
    Column("GateVerdict", String(20)),
    # The legacy summary's seven fields (DeviceSyncSummary.cs) and the reporting outcome.
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
    Index("IX_CleanupDeviceSync_Partition", "IntegrationKey", "TenantKey"),
)

# Rows the row rules refused, with the reason: kept per sync, never lost.
rejected_row = Table(
    "CleanupRejectedRow", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("SyncId", Integer, nullable=False),
    Column("ServiceProviderId", Integer, nullable=False),
    Column("SourceTable", String(100), nullable=False),
    Column("DeviceKey", String(1000)),  # ICCID, SubscriberNumber or EID as found
    Column("Reason", String(200), nullable=False),
    Index("IX_CleanupRejectedRow_SyncId", "SyncId"),
)

# What the set-based engine's row rules accepted, per carrier row (sql/sources.py): the
# row's fingerprint — its key, and the exact text of every value the rules read — and the rules
# version that accepted it. A carrier row whose fingerprint and rules version are found here
# is not judged again (its verdict cannot differ); any other row is, and its record is
# replaced. Only a cache of verdicts: a missing or stale row here makes a row judged again,
# never a device skipped (every row is still compared with the common table every sync).
JUDGED_KEY_LENGTH = 100  # an accepted key is at most 32 characters (KEY_FORMATS)
judged_row = Table(
    "CleanupJudgedRow", metadata,
    Column("ServiceProviderId", Integer, nullable=False),
    Column("SourceTable", String(100), nullable=False),
    Column("DeviceKey", String(JUDGED_KEY_LENGTH), nullable=False),
    Column("RulesVersion", Integer, nullable=False),
    Column("Fingerprint", LONG_TEXT, nullable=False),
    # SQLite and SQL Server look records up by it. PostgreSQL hash-joins them (the engine
    # turns nested loops off) and this B-tree cost 1.5 s of a 1M-device first sync there;
    # the one record per key it would guarantee is kept by the writes (merge.record_verdicts).
    Index("UX_CleanupJudgedRow_SP_Source_Key", "ServiceProviderId", "SourceTable", "DeviceKey",
          unique=True).ddl_if(dialect=("sqlite", "mssql")),
)
# PostgreSQL: unlogged (not written to the WAL: a third of a first sync's cost of it). A
# crash empties it, and every row is then judged once more — the record is only a cache.
event.listen(judged_row, "after_create", DDL(
    'ALTER TABLE "CleanupJudgedRow" SET UNLOGGED').execute_if(dialect="postgresql"))

# The communication plans one finalization inserted (the new-plans email lists these).
# The name goes on into JasperCommunicationPlan: the same length as that column, and
# Unicode (NVARCHAR on SQL Server), so that no code page of ours changes a name on the way
# (a plan name is carrier text). A longer name is refused before it gets here
# (sql/common_tables.py).
PLAN_NAME_LENGTH = jasper_communication_plan.c.CommunicationPlanName.type.length
new_communication_plan = Table(
    "CleanupNewCommunicationPlan", metadata,
    Column("SyncId", Integer, nullable=False),
    Column("ServiceProviderId", Integer, nullable=False),
    Column("CommunicationPlanName", Unicode(PLAN_NAME_LENGTH), nullable=False),
    Index("IX_CleanupNewCommunicationPlan_SyncId", "SyncId"),
)

# The sync-notification inbox: every notification the sensor has seen, from the database
# (posted by `cleanup-assets notify`) or from the legacy SQS queue, with its wait state.
# A notification's status: PENDING when posted, WAITING while the wait rule waits for rows
# to process, then LAUNCHED (a run requested) or REJECTED (bad attributes, never retried).
PENDING, WAITING, LAUNCHED, REJECTED = "pending", "waiting", "launched", "rejected"
sync_notification = Table(
    "CleanupSyncNotification", metadata,
    Column("id", Integer, primary_key=True),
    Column("Source", String(20), nullable=False),  # "inbox" | "sqs"
    Column("ExternalId", String(200)),  # SQS MessageId: a redelivered message is ignored
    Column("ReceivedAt", DateTime, nullable=False),
    Column("RawAttributes", LONG_TEXT, nullable=False),  # JSON of the attributes as received
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
    # When a sync of this notification counted its missed subscribers (Telegence's
    # FailedSyncCount): once per notification, whatever retries and re-executions follow.
    Column("MissesCountedAt", DateTime),
    # When a forced launch's rows to process were cleared, and by which run (the first step
    # of its run clears them, sql/finalize.py): once per notification, so a retry or a
    # re-execution of that run never deletes rows a later sync of the provider has queued.
    Column("RowsClearedAt", DateTime),
    Column("RowsClearedByRun", String(64)),
    Index("UX_CleanupSyncNotification_Source_ExternalId", "Source", "ExternalId", unique=True),
    Index("IX_CleanupSyncNotification_Status_NextCheckAt", "Status", "NextCheckAt"),
)

# The optimization handover of each (service provider, session): queued exactly once, or
# stopped with the reason. HandoverKey is "session:<id>", or "run:<root run id>" without one.
optimization_handover = Table(
    "CleanupOptimizationHandover", metadata,
    Column("id", Integer, primary_key=True),
    Column("ServiceProviderId", Integer, nullable=False),
    Column("HandoverKey", String(100), nullable=False),
    Column("OptimizationSessionId", BigInteger, nullable=False),
    # sending | queued | unsent (the queue refused the send: nothing on it) | unconfirmed (a
    # send whose outcome is unknown: it may be on the queue) | stopping | stopped | reopened
    # (an operator's resume); optimization.py says who moves it where.
    Column("Status", String(20), nullable=False),
    Column("RunId", String(64)),
    # The root run of RunId (dagster/root_run_id; the run itself when it is an original): a
    # `sending` claim is the stop path's only for the run that sent or a re-execution of
    # it (optimization.claim_stop), not for an unrelated run of the same session.
    Column("RootRunId", String(64)),
    # A FIFO resend's claim over an unknown send: that send's run (a refused resend gives the
    # row back to it: its message may be on the queue).
    Column("ResentOver", String(64)),
    Column("MessageId", String(200)),
    Column("BillPeriodId", Integer),
    Column("Reason", String(2000)),
    # When the 25 % progress call reached AMOP 2.0 (NULL: not yet; a rerun sends it).
    Column("ProgressDeliveredAt", DateTime),
    # The stop path's claim (exactly once per failed run, whichever sensor sees it first):
    # the run whose end claimed it, when (a claim older than the lease is taken over: the
    # claimer died), and the status it was claimed from (sending: the end state is
    # unconfirmed, not stopped).
    Column("ClaimedBy", String(64)),
    Column("ClaimedAt", DateTime),
    Column("ClaimedFrom", String(20)),
    # When an operator reopened it: runs that ended before cannot stop it again, whatever
    # its status since (kept when the next run moves it on).
    Column("ReopenedAt", DateTime),
    # The parts of the current stop already delivered (NULL: not yet): a retried stop sends
    # only what failed, not the email or the AMOP 2.0 error a second time. Cleared by a new
    # stop claim (not by a takeover of a released or expired one).
    Column("StopEmailSentAt", DateTime),
    Column("StopAmopSentAt", DateTime),
    Column("CreatedAt", DateTime, nullable=False),
    Column("UpdatedAt", DateTime, nullable=False),
    Index("UX_CleanupOptimizationHandover_SP_Key", "ServiceProviderId", "HandoverKey",
          unique=True),
)

# The shadow pass (sql/shadow.py): with the procedures finalizing, what the set-based engine
# would still have changed, found in a transaction that is always rolled back. One row per
# shadowed sync: the verdict and the full counts per (table, column, kind) ...
SHADOW_AGREE, SHADOW_DIFFER, SHADOW_FAILED = "agree", "differ", "failed"
shadow_run = Table(
    "CleanupShadowRun", metadata,
    Column("id", Integer, primary_key=True),
    Column("SyncId", Integer, nullable=False),
    Column("IntegrationKey", String(50), nullable=False),
    Column("TenantKey", String(100), nullable=False),
    Column("ServiceProviderIds", String(1000), nullable=False),
    Column("Engine", String(20), nullable=False),  # the shadow engine: set_based
    Column("Status", String(20), nullable=False),  # agree | differ | failed
    Column("Differences", Integer),  # every difference found (recorded or not)
    Column("Devices", Integer),  # distinct devices among them
    Column("Recorded", Integer),  # rows written to CleanupShadowDifference (at most the cap)
    Column("NotRecorded", Integer),  # differences beyond the cap: counted only
    Column("Counts", LONG_TEXT),  # JSON: [[table, column, kind, count], ...], every difference
    Column("Error", String(2000)),
    Column("StartedAt", DateTime, nullable=False),
    Column("DurationMs", Integer),
    Index("IX_CleanupShadowRun_SyncId", "SyncId"),
    Index("IX_CleanupShadowRun_Integration_StartedAt", "IntegrationKey", "StartedAt"),
)
# ... and at most the cap of its differences, device by device, column by column.
shadow_difference = Table(
    "CleanupShadowDifference", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("SyncId", Integer, nullable=False),
    Column("IntegrationKey", String(50), nullable=False),
    Column("ServiceProviderId", Integer),
    Column("DeviceKey", String(1000)),  # ICCID, MSISDN, SubscriberNumber or EID; NULL: a plan
    Column("TableName", String(100), nullable=False),
    Column("ColumnName", String(100)),  # NULL: the whole row (insert, quarantine)
    Column("ProceduresValue", String(1000)),  # as the procedures left it (text)
    Column("OursValue", String(1000)),  # as the set-based engine would have made it
    # insert | update | soft_delete | quarantine | link | plan
    Column("Kind", String(20), nullable=False),
    Column("RecordedAt", DateTime, nullable=False),
    Index("IX_CleanupShadowDifference_SyncId", "SyncId"),
)

# Each alert to the operators (CLEANUP_OPERATOR_EMAIL_ADDRESSES): claimed by its key before
# it is sent, so a failed run is reported once however many ticks see it.
operator_alert = Table(
    "CleanupOperatorAlert", metadata,
    Column("id", Integer, primary_key=True),
    Column("AlertKey", String(200), nullable=False),  # run-failure:<run id>
    Column("Kind", String(20), nullable=False),  # run_failure
    Column("PartitionKey", String(200)),
    Column("Status", String(20), nullable=False),  # sending | sent
    Column("Subject", String(500), nullable=False),
    Column("Reason", String(2000)),
    Column("SentTo", String(1000)),
    Column("CreatedAt", DateTime, nullable=False),
    Column("SentAt", DateTime),
    Index("UX_CleanupOperatorAlert_AlertKey", "AlertKey", unique=True),
)

OWN_TABLES: tuple[Table, ...] = (device_sync, rejected_row, judged_row, new_communication_plan,
                                 sync_notification, optimization_handover, operator_alert,
                                 shadow_run, shadow_difference)
# Needed only by the shadow pass: a deployment that does not shadow runs without them (on
# SQL Server they come with the rest of `schema-ddl`); the shadow pass names them if missing.
SHADOW_TABLES: tuple[Table, ...] = (shadow_run, shadow_difference)
# The set-based engine's own (its recorded verdicts): the procedures never read it, so a SQL
# Server deployment on the procedures runs without it until it switches engines.
SET_BASED_TABLES = (judged_row,)
REQUIRED_OWN_TABLES = tuple(t for t in OWN_TABLES
                            if t not in SHADOW_TABLES and t not in SET_BASED_TABLES)

# Only where we create the legacy schema (PostgreSQL, SQLite): the association the legacy
# view vwJasperCommPlan_RatePlan reads (its SQL Server definition is not public).
stand_in_comm_plan_rate_plan = Table(
    "CleanupStandInCommPlanRatePlan", metadata,
    Column("CommunicationPlanId", Integer, primary_key=True),
    Column("RatePlanIds", Text),  # comma-separated JasperCarrierRatePlan ids
)
STAND_INS = (stand_in_comm_plan_rate_plan,)

LEGACY_TABLES: tuple[Table, ...] = tuple(
    t for t in metadata.sorted_tables if t not in OWN_TABLES and t not in STAND_INS)


def is_jasper_table(table: Table) -> bool:
    return table.schema == JASPER_SCHEMA


class MissingTablesError(RuntimeError):
    """Our own tables are missing from a database we do not create tables in."""


def _create_view(conn: Connection) -> None:
    plans, link = jasper_communication_plan, stand_in_comm_plan_rate_plan
    conn.execute(text(f'DROP VIEW IF EXISTS "{COMM_PLAN_RATE_PLAN_VIEW}"'))
    conn.execute(text(
        f'CREATE VIEW "{COMM_PLAN_RATE_PLAN_VIEW}" AS SELECT p."Id", p."CommunicationPlanName", '
        f'l."RatePlanIds", p."ServiceProviderId" FROM "{plans.name}" p '
        f'LEFT JOIN "{link.name}" l ON l."CommunicationPlanId" = p."Id" '
        'WHERE p."IsDeleted" = ' + ("false" if conn.dialect.name == "postgresql" else "0")))


def create_schema(databases: Databases | Engine) -> list[str]:
    """Create every table on empty SQLite or PostgreSQL databases (idempotent): the central
    tables on the central database, the Jasper tables on the Jasper database.

    SQL Server holds the legacy schema already; there nothing is created, and the error
    says how to get the DDL of our own tables for a DBA.
    """
    if isinstance(databases, Engine):
        databases = connect_databases(str(databases.url.render_as_string(hide_password=False)))
    if databases.central.dialect.name == "mssql":
        raise RuntimeError(
            "refusing to create tables on SQL Server: the legacy schema is owned by the existing "
            "database. Run `cleanup-assets schema-ddl --dialect mssql` and have a DBA apply the "
            "DDL of our own tables (" + ", ".join(t.name for t in OWN_TABLES) + ")."
        )
    jasper = [t for t in metadata.sorted_tables if is_jasper_table(t)]
    central = [t for t in metadata.sorted_tables if not is_jasper_table(t)]
    with databases.central.begin() as conn:
        metadata.create_all(conn, tables=central)
        for statement in add_missing_columns_ddl(conn):  # our own tables, created earlier
            conn.exec_driver_sql(statement)
        _create_view(conn)
    with databases.jasper.begin() as conn:
        metadata.create_all(conn, tables=jasper)
    return sorted(t.name for t in metadata.sorted_tables)


def _own_columns_present(conn: Connection) -> dict[str, set[str]]:
    """Our own tables the central database has, with their columns (on PostgreSQL one
    catalog query for all of them)."""
    with catalog_queries(conn):
        found = inspect(conn)
        present = set(found.get_table_names())
        names = [t.name for t in OWN_TABLES if t.name in present]
        columns = found.get_multi_columns(filter_names=names) if names else {}
    return {name: {c["name"] for c in cols} for (_, name), cols in columns.items()}


def missing_own_tables(conn: Connection,
                       present: dict[str, set[str]] | None = None,
                       tables: tuple[Table, ...] = REQUIRED_OWN_TABLES) -> list[str]:
    """Our own tables the central database lacks, and columns of ours added since a table
    was created (as ``Table.Column``)."""
    present = _own_columns_present(conn) if present is None else present
    return [t.name for t in tables if t.name not in present] + [
        f"{t.name}.{c.name}" for t in tables if t.name in present
        for c in t.columns if c.name not in present[t.name]]


def add_columns_ddl(present: dict[str, set[str]], dialect, tables=OWN_TABLES) -> list[str]:
    """``ALTER TABLE … ADD`` for each column of ours that an existing table of ours lacks.
    Only a nullable column (or one with a server default) can be added to a table with
    rows: any other is refused here, naming it, rather than by the database half-way."""
    added = [(t, c) for t in tables if t.name in present
             for c in t.columns if c.name not in present[t.name]]
    refused = [f"{t.name}.{c.name}" for t, c in added
               if not c.nullable and c.server_default is None]
    if refused:
        raise MissingTablesError(
            f"cannot add {', '.join(refused)} to existing tables: NOT NULL without a default")
    return [f"ALTER TABLE {dialect.identifier_preparer.format_table(t)} ADD "
            f"{CreateColumn(c).compile(dialect=dialect)}" for t, c in added]


def add_missing_columns_ddl(conn: Connection) -> list[str]:
    return add_columns_ddl(_own_columns_present(conn), conn.dialect)


def require_own_tables(conn: Connection, set_based: bool = True) -> None:
    """Fail at once, naming them, when our own tables or columns are missing (on SQL Server
    a DBA creates them from ``cleanup-assets schema-ddl --dialect mssql`` and adds a column
    with the ALTER the error gives). The set-based engine's tables only for it."""
    present = _own_columns_present(conn)
    missing = missing_own_tables(conn, present, REQUIRED_OWN_TABLES
                                 + (SET_BASED_TABLES if set_based else ()))
    if missing:
        if conn.dialect.name != "mssql":
            fix = "Run `cleanup-assets init-db` (it adds missing columns of ours too)."
        elif all("." not in m for m in missing):
            fix = "Have a DBA apply `cleanup-assets schema-ddl --dialect mssql`."
        else:
            fix = ("Have a DBA apply `cleanup-assets schema-ddl --dialect mssql` for missing "
                   "tables, and for missing columns: "
                   + "; ".join(add_columns_ddl(present, conn.dialect)))
        raise MissingTablesError(
            f"our own tables or columns are missing from the central database: "
            f"{', '.join(missing)}. {fix}")


def own_tables_ddl(dialect_name: str) -> str:
    """The CREATE statements of our own tables for a dialect (for SQL Server DBAs)."""
    dialect = dialect_registry.load(dialect_name)()
    statements = []
    for table in OWN_TABLES:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip() + ";")
        for index in table.indexes:
            statements.append(str(CreateIndex(index).compile(dialect=dialect)).strip() + ";")
    return "\n\n".join(statements) + "\n"

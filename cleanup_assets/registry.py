"""The nine carrier integrations, as data.

Everything that differs between carriers lives in ``INTEGRATIONS``: which database holds
their tables, the legacy procedures the cleanup calls (names, parameters, order), the
summary procedure, the rows to process, the carrier table the device-sync step fills and
how its rows map onto the common tables, the AMOP 2.0 key, optimization. The code that runs
a step is written once and reads these records.

Contracts come from the legacy Lambda's source, cited as ``F:<line>`` =
``AltaworxJasperGetDevicesCleanup/AltaworxJasperGetDevicesCleanup.cs`` (public repository
hemalathapampana/AltaworxJasperGetDevicesCleanup); ``cleanup_tests/evidence.py`` holds every
table, column and procedure the legacy sources show. What rests on less is marked
``guess:`` with what it rests on.

Procedure names the legacy takes from C# constants (``CONSTANT_PROCEDURES``: Pond's
``POND_DEVICE_SYNC``, the summaries…) are kept here under the constant's name and resolved
through ``procedure_name`` (the ``CLEANUP_PROCEDURE_NAMES`` setting) wherever one is called.
"""

from __future__ import annotations

import enum
import functools
import os
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping


class Family(str, enum.Enum):
    """Carrier API family: decides the common device table and the common procedure
    (``IntegrationTypeIsMobility``, F:1209-1213: eBonding and Telegence are Mobility)."""

    M2M = "M2M"
    MOBILITY = "Mobility"


class Database(str, enum.Enum):
    """Where a table or procedure lives: the central database, or the Jasper database
    (``JasperDbConnectionString``: F:589, 633, 826, 1028, 1240)."""

    CENTRAL = "central"
    JASPER = "jasper"


@dataclass(frozen=True)
class Procedure:
    """One legacy procedure call of ``SyncDeviceTables`` (F:730-808).

    ``parameters`` are the legacy names (without ``@``) in the legacy order; the values are
    bound at run time (``ServiceProviderId``, ``JasperDbName``, ``IntegrationId``).
    """

    name: str
    parameters: tuple[str, ...] = ("ServiceProviderId",)
    database: Database = Database.CENTRAL
    transaction: bool = False  # usp_Jasper_DeviceSync runs inside one (F:1034)
    # Telegence's first procedure runs only when this staging table has rows (F:746-751).
    only_when_rows_in: str | None = None
    timeout_seconds: int | None = None
    source: str = ""
    # Whether running it again after a try that may have done its work (a link lost
    # mid-call) changes nothing more (db.TransientRetry). Only what a body or the call shows
    # counts: usp_Jasper_DeviceSync runs inside our transaction (F:1034), so a lost try is
    # rolled back whole; usp_Telegence_Update_Device's public body counts a failed sync on
    # every call (usp_Telegence_Update_Device.sql:118-136): not idempotent. Every other
    # body is not public and runs without a transaction (autocommit): not known, so
    # treated as not idempotent. A command timeout re-runs no procedure (as the legacy:
    # -2 is not transient for EF's detector, F:811-820's ShouldRetry is never called).
    idempotent: bool = False
    # Why a rerun or backfill (no new notification) must not call it; None: it is called.
    not_on_rerun: str | None = None


@dataclass(frozen=True)
class RowsToProcess:
    """A table whose remaining rows mean the carrier's sync is still working (F:629-694).

    ``pending_when`` restricts which rows count (``{"IsDeleted": ("=", 0)}``). Rows are
    attributed to providers by a ``ServiceProviderId`` column when the table has one,
    else through ``provider_key`` (a column shared with the carrier table), else — the
    legacy rule — the whole table counts for every provider (see sql/rows_to_process.py).
    """

    table: str
    database: Database = Database.CENTRAL
    pending_when: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    provider_key: str | None = None
    source: str = ""


@dataclass(frozen=True)
class UsageJoin:
    """A usage table joined to the carrier table (Jasper keeps usage apart)."""

    table: str
    on: tuple[str, ...]  # columns equal in both (besides nothing else)
    columns: Mapping[str, str]  # common column -> usage column


@dataclass(frozen=True)
class CarrierTable:
    """The carrier's device table as the device-sync step leaves it: what the set-based
    engine checks and mirrors into the common table.

    ``key`` is (carrier column, common column) — the device's identity in both;
    ``columns`` maps common-table columns to carrier columns; ``live_when`` says which
    carrier rows are live devices (by default all).
    """

    table: str
    key: tuple[str, str]
    columns: Mapping[str, str]
    usage: UsageJoin | None = None  # a separate usage table, joined on ``usage.on``
    live_when: Mapping[str, tuple[str, object]] = field(default_factory=dict)
    evidence: str = ""


@dataclass(frozen=True)
class StagingMerge:
    """Where the cleanup itself merges staging into the carrier table (Telegence:
    ``usp_Telegence_Update_Device`` / ``_DeviceDetail`` are called by the cleanup, F:745-756).
    Staging holds the whole list."""

    table: str
    key: str  # staging column = carrier key column
    columns: Mapping[str, str]  # carrier column -> staging column
    detail_table: str | None = None
    detail_columns: Mapping[str, str] = field(default_factory=dict)  # carrier col -> detail col
    date_columns: tuple[str, ...] = ()  # carrier columns parsed from staging text
    # What happens to a device absent from a complete sync: "failed_sync_count" is
    # usp_Telegence_Update_Device's rule (FailedSyncCount + 1 up to 3, then 'Unknown'; never
    # deleted; usp_Telegence_Update_Device.sql:118-136); "soft_delete" the common tables'.
    absent: str = "soft_delete"
    # The carrier column whose text names a ``DeviceStatus`` row of the integration, and the
    # statuses the merge's rules name (usp_Telegence_Update_Device.sql:17-18, 50, 74-84, 128).
    status_column: str | None = None
    activated_status: str | None = None
    unknown_status: str | None = None
    # A table joined on the key alone — no provider, as the legacy joins it — whose columns
    # (carrier col -> its col) overwrite the carrier's, NULL when it has no row
    # (TelegenceDeviceContractStatusStaging, usp_Telegence_Update_Device.sql:48-51, 72, 100).
    keyed_table: str | None = None
    keyed_columns: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Integration:
    """One carrier integration: a value of the static ``integration`` partition dimension."""

    key: str  # partition key, [a-z0-9_]
    legacy_name: str  # legacy enum name (IntegrationType); Integration.Name is a display name
    family: Family
    database: Database  # where its carrier tables and rows to process live
    carrier: CarrierTable
    procedures: tuple[Procedure, ...]
    summary_procedure: str
    amop_key: str | None  # AMOP 2.0 key_name (F:87-110); None: the legacy throws
    optimization: bool  # Jasper family only (F:216-224)
    sync_log_name: str | None  # the sync log's file prefix (F:742, 760, 772, 783, 791)
    staging_table: str | None = None  # the upstream staging, where we read it
    staging_merge: StagingMerge | None = None
    rows_to_process: tuple[RowsToProcess, ...] = ()
    # eBonding's legacy rule: stop waiting as soon as the remaining count stops moving
    # (IsTooManyRetries, F:249-271).
    stop_waiting_when_count_unchanged: bool = False
    # ThingSpace's extra: devices whose billing cycle disagrees, emailed as xlsx (F:226-231).
    billing_cycle_discrepancy_report: bool = False

    @property
    def common_procedure(self) -> Procedure:
        """``usp_MobilityDeviceSync_Common`` / ``usp_DeviceSync_Common`` with ``@IntegrationId``
        (F:799-807, 1165-1207), after the carrier procedures."""
        if self.family is Family.MOBILITY:
            return Procedure("usp_MobilityDeviceSync_Common", ("IntegrationId",),
                             timeout_seconds=900, source="F:1165-1185")
        return Procedure("usp_DeviceSync_Common", ("IntegrationId",), timeout_seconds=900,
                         source="F:1187-1207")

    @property
    def summary_database(self) -> Database:
        """The Jasper family's summary runs on the Jasper database (F:1236-1242)."""
        return self.database

    @property
    def summary_takes_provider(self) -> bool:
        """Only the Jasper family's summary procedure takes ``@ServiceProviderId`` (F:1256-1262);
        the others summarize the whole integration."""
        return self.database is Database.JASPER

    @property
    def has_communication_plans(self) -> bool:
        """Communication plans are read from ``Device`` (F:396-401): M2M devices only."""
        return self.family is Family.M2M


def _m(**columns) -> Mapping:
    return MappingProxyType(columns)


_JASPER_ROWS = (RowsToProcess(
    "JasperDeviceUsageICCICDsToProcess", Database.JASPER, provider_key="ICCID",
    source="F:590, 634; per provider in JasperUsageStagingRepository.cs:24 (outside lead)"),)

_JASPER_CARRIER = CarrierTable(
    "JasperDevice",
    key=("ICCID", "ICCID"),
    # guess: usp_Update_Jasper_Device merges JasperDeviceStaging (ID, ICCID, Status, RatePlan,
    # CommunicationPlan, …) into JasperDevice (AltaworxJasperAWSGetDevicesQueue.cs:162-169,
    # 313); only ICCID and ServiceProviderId are seen on JasperDevice itself (F:846).
    columns=_m(Status="Status", RatePlan="RatePlan", CommunicationPlan="CommunicationPlan"),
    # The sync log compares JasperDeviceUsage (raw) with Device (current) usage (F:836-847):
    # the device sync carries the first into the second.
    usage=UsageJoin("JasperDeviceUsage", ("ServiceProviderId", "ICCID"),
                    _m(CtdDataUsage="CtdDataUsage", CtdSMSUsage="CtdSMSUsage",
                       CtdVoiceUsage="CtdVoiceUsage")),
    evidence="F:846-847",
)


def _jasper_family(key: str, legacy_name: str) -> Integration:
    # The Jasper family shares the Jasper database, its tables and its procedures.
    return Integration(
        key=key,
        legacy_name=legacy_name,
        family=Family.M2M,
        database=Database.JASPER,
        carrier=_JASPER_CARRIER,
        staging_table="JasperDeviceStaging",
        procedures=(Procedure("usp_Jasper_DeviceSync", ("JasperDbName", "ServiceProviderId"),
                              transaction=True, idempotent=True, source="F:1025-1059"),),
        summary_procedure="usp_Jasper_Devices_Get_Sync_Summary",
        amop_key="jasper_devices",
        optimization=True,
        sync_log_name="Jasper",
        rows_to_process=_JASPER_ROWS,
    )


_ALL: tuple[Integration, ...] = (
    _jasper_family("jasper", "Jasper"),
    _jasper_family("pod19", "POD19"),
    _jasper_family("tmobile_jasper", "TMobileJasper"),
    _jasper_family("rogers", "Rogers"),
    Integration(
        key="thingspace",
        legacy_name="ThingSpace",
        family=Family.M2M,
        database=Database.CENTRAL,
        carrier=CarrierTable(
            # Merged by usp_ThingSpace_Update_Device in the device-sync Lambda
            # (AltaworxThingSpaceAWSGetDevices); columns from the bulk-change Lambda's SQL.
            "ThingSpaceDevice",
            key=("ICCID", "ICCID"),
            columns=_m(IMEI="IMEI", Status="Status", RatePlan="RatePlan"),
            live_when=_m(IsDeleted=("=", False)),
        ),
        staging_table="ThingSpaceDeviceStaging",
        procedures=(Procedure("usp_ThingSpace_DeviceSync", timeout_seconds=900,
                              source="F:1078-1094"),),
        summary_procedure="usp_ThingSpace_Devices_Get_Sync_Summary",
        amop_key="thingspace_devices",
        optimization=False,
        sync_log_name="ThingSpace",
        rows_to_process=(RowsToProcess("ThingSpaceDeviceUsageICCICDsToProcess",
                                       provider_key="ICCID", source="F:594, 638"),),
        billing_cycle_discrepancy_report=True,
    ),
    Integration(
        key="telegence",
        legacy_name="Telegence",
        family=Family.MOBILITY,
        database=Database.CENTRAL,
        carrier=CarrierTable(
            "TelegenceDevice",
            key=("SubscriberNumber", "MSISDN"),  # MobilityDevice.MSISDN = SubscriberNumber (F:911)
            # Usage: the sync log compares TelegenceDevice (raw) with MobilityDevice (current)
            # usage (F:901-911).
            columns=_m(ICCID="ICCID", CtdDataUsage="CtdDataUsage", CtdSMSUsage="SMSCount",
                       CtdVoiceUsage="MinutesUsed"),
            live_when=_m(IsDeleted=("=", False)),
            evidence="F:901-911",
        ),
        staging_table="TelegenceDeviceStaging",
        # usp_Telegence_Update_Device (Telegence_Carrier/usp_Telegence_Update_Device.sql:20-136)
        # and _DeviceDetail (its body is not public: ICCID from the detail staging is a guess).
        staging_merge=StagingMerge(
            "TelegenceDeviceStaging", key="SubscriberNumber",
            columns=_m(FoundationAccountNumber="FoundationAccountNumber",
                       BillingAccountNumber="BillingAccountNumber",
                       SubscriberNumberStatus="SubscriberNumberStatus",
                       RefreshTimestamp="RefreshTimestamp", BanStatus="BanStatus"),
            detail_table="TelegenceDeviceDetailStaging",
            detail_columns=_m(ICCID="ICCID"),
            date_columns=("RefreshTimestamp",),
            absent="failed_sync_count",
            status_column="SubscriberNumberStatus", activated_status="a",
            unknown_status="Unknown",
            keyed_table="TelegenceDeviceContractStatusStaging",
            keyed_columns=_m(ContractStatus="ContractStatus"),
        ),
        procedures=(
            Procedure("usp_Telegence_Update_Device", only_when_rows_in="TelegenceDeviceStaging",
                      timeout_seconds=1800, source="F:746-751, 1435-1450",
                      not_on_rerun=(
                          "its body counts a failed sync for every subscriber missing from "
                          "staging on every call (usp_Telegence_Update_Device.sql:118-136): a "
                          "rerun repeats the notified sync, it must not count a miss again; "
                          "the notified run merged this staging (to merge it again on "
                          "purpose, post a notification: cleanup-assets notify)")),
            Procedure("usp_Telegence_Update_DeviceDetail", timeout_seconds=1800,
                      source="F:752, 1452-1467"),
            Procedure("usp_Update_TelegenceDeviceMobilityFeature_FromStaging", (),
                      timeout_seconds=800, source="F:753, 1486-1503"),
            Procedure("usp_Telegence_Update_DeviceUsage_FromStaging", timeout_seconds=1800,
                      source="F:754, 1469-1484"),
            Procedure("usp_Telegence_Update_DeviceMubuUsage_FromStaging", timeout_seconds=1800,
                      source="F:755, 1505-1520"),
            Procedure("usp_Telegence_DeviceSync", timeout_seconds=1800,
                      source="F:756, 1522-1538"),
        ),
        summary_procedure="usp_Telegence_Devices_Get_Sync_Summary",
        amop_key="telegence_devices",
        optimization=False,
        sync_log_name="Telegence",
        rows_to_process=(RowsToProcess(
            "TelegenceDeviceDetailIdsToProcess", pending_when=_m(IsDeleted=("=", 0)),
            provider_key="SubscriberNumber", source="F:599, 643"),),
    ),
    Integration(
        key="ebonding",
        legacy_name="eBonding",
        family=Family.MOBILITY,
        database=Database.CENTRAL,
        carrier=CarrierTable(
            "eBondingDevice",  # guess: no eBonding device table is named in the legacy sources
            key=("SubscriberNumber", "MSISDN"),
            columns=_m(ICCID="ICCID"),
        ),
        procedures=(
            Procedure("usp_eBonding_Update_DeviceUsage_FromStaging", timeout_seconds=60,
                      source="F:764, 1129-1145"),
            Procedure("usp_eBonding_DeviceSync", timeout_seconds=90, source="F:765, 1147-1163"),
        ),
        summary_procedure="usp_eBonding_Devices_Get_Sync_Summary",
        amop_key=None,  # none: the legacy throws here (F:107-109)
        optimization=False,
        sync_log_name=None,  # the legacy writes no eBonding log (F:763-766)
        rows_to_process=(
            RowsToProcess("eBondingDeviceDetailIdsToProcess",
                          pending_when=_m(RetryCount=("<", 2)), source="F:604, 650-652"),
            RowsToProcess("eBondingDeviceUsageIdsToProcess",
                          pending_when=_m(RetryCount=("<", 2)), source="F:605, 654-656"),
        ),
        stop_waiting_when_count_unchanged=True,
    ),
    Integration(
        key="teal",
        legacy_name="Teal",
        family=Family.M2M,
        database=Database.CENTRAL,
        carrier=CarrierTable(
            "TealDevice",
            # Keyed by EID: usp_Teal_Update_Device_From_Staging MERGEs ON [EID] (outside lead,
            # pond-AltaworxPondProcessStagedDeviceStatus/Stored Procedures.cs:30-85); the
            # sync log joins Device on EID (F:959).
            key=("EID", "EID"),
            columns=_m(ICCID="ICCID", IMEI="IMEI", MSISDN="MSISDN", Status="DeviceStatus",
                       RatePlan="PlanName"),
            live_when=_m(IsActive=("=", True)),
            evidence="Stored Procedures.cs:30-170 (outside lead)",
        ),
        staging_table="TealDeviceStaging",
        # A C# constant's name (F:1103): resolved through CLEANUP_PROCEDURE_NAMES.
        procedures=(Procedure("usp_Teal_Device_Sync", source="F:1096-1127 (constant name)"),),
        summary_procedure="usp_Teal_Devices_Get_Sync_Summary",
        amop_key="teal_devices",
        optimization=False,
        sync_log_name="Teal",
        rows_to_process=(),  # the legacy always counts 0 for Teal (F:659-662)
    ),
    Integration(
        key="pond",
        legacy_name="Pond",
        family=Family.M2M,
        database=Database.CENTRAL,
        carrier=CarrierTable(
            "PondDevice",
            key=("ICCID", "ICCID"),
            columns=_m(Status="DeviceStatus"),
            evidence="F:984-1001",
        ),
        # The legacy names a constant POND_DEVICE_SYNC (F:1547); the real name is not shown:
        # it is configured (CLEANUP_PROCEDURE_NAMES, below), never called under this name.
        procedures=(Procedure("POND_DEVICE_SYNC", source="F:1540-1569 (constant name)"),),
        summary_procedure="usp_Pond_Devices_Get_Sync_Summary",
        amop_key="pond_inventories",
        optimization=False,
        sync_log_name="Pond",
        rows_to_process=(RowsToProcess(
            "PondDeviceStatusICCIDsToProcess", pending_when=_m(IsDeleted=("=", 0)),
            provider_key="ICCID", source="F:610, 666"),),
    ),
)

INTEGRATIONS: Mapping[str, Integration] = MappingProxyType({i.key: i for i in _ALL})


# --- procedure names the legacy takes from C# constants -------------------------------------
# `AMOPConstants.StoredProcedureName.X` (Amop.Core.Constants.SQLConstant, not public) holds
# the name the legacy passes to SqlCommand; what we see is only the constant's NAME. For the
# usp_… ones the name very likely is the value; POND_DEVICE_SYNC plainly is not a procedure
# name. So every one of them is a setting, and the registry keeps the constant's name.
PROCEDURE_NAMES_SETTING = "CLEANUP_PROCEDURE_NAMES"
CONSTANT_PROCEDURES: Mapping[str, str] = MappingProxyType({  # constant name -> where used
    "usp_Teal_Device_Sync": "F:1103",
    "POND_DEVICE_SYNC": "F:1547",
    "usp_ThingSpace_Devices_Get_Sync_Summary": "F:1225",
    "usp_Telegence_Devices_Get_Sync_Summary": "F:1228",
    "usp_eBonding_Devices_Get_Sync_Summary": "F:1231",
    "usp_Teal_Devices_Get_Sync_Summary": "F:1234",
    "usp_Jasper_Devices_Get_Sync_Summary": "F:1241",
    "usp_Pond_Devices_Get_Sync_Summary": "F:1244",
    "usp_GetDevicesWithBillingCycleDiscrepancy": "ThingSpaceDiscrepancyService.cs:87",
})
_PROCEDURE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_procedure_names(text: str) -> dict[str, str]:
    """``POND_DEVICE_SYNC=usp_Pond_DeviceSync,usp_Teal_Device_Sync=usp_Teal_Device_Sync,…``
    → {constant: procedure name}. A set value names EVERY constant of
    ``CONSTANT_PROCEDURES`` (a deployment states each name once, on purpose; a forgotten one
    would silently keep the constant's name); anything else is a ValueError saying what."""
    found: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        constant, equals, name = (x.strip() for x in part.partition("="))
        if not equals or not name:
            raise ValueError(f"{PROCEDURE_NAMES_SETTING}: {part!r} is not CONSTANT=procedure")
        if constant not in CONSTANT_PROCEDURES:
            raise ValueError(f"{PROCEDURE_NAMES_SETTING}: {constant!r} is not a legacy constant; "
                             f"expected: {', '.join(CONSTANT_PROCEDURES)}")
        if not _PROCEDURE_NAME.match(name):
            raise ValueError(f"{PROCEDURE_NAMES_SETTING}: {constant} names {name!r}, not a "
                             "procedure name (letters, digits, _; no schema, no brackets)")
        if constant in found:
            raise ValueError(f"{PROCEDURE_NAMES_SETTING}: {constant} is named twice")
        found[constant] = name
    missing = [c for c in CONSTANT_PROCEDURES if c not in found]
    if missing:
        raise ValueError(f"{PROCEDURE_NAMES_SETTING} must name every legacy constant; missing: "
                         f"{', '.join(missing)}")
    return found


@functools.lru_cache(maxsize=1)
def configured_procedure_names() -> Mapping[str, str]:
    """{constant: procedure name}, read once from the environment. Unset: each constant's own
    name (locally, where the stand-ins carry those names). A deployed location cannot get
    here unset: ``CLEANUP_PROCEDURE_NAMES`` is required in production (settings.py)."""
    text = (os.environ.get(PROCEDURE_NAMES_SETTING) or "").strip()
    names = parse_procedure_names(text) if text else {c: c for c in CONSTANT_PROCEDURES}
    return MappingProxyType(names)


def procedure_name(name: str) -> str:
    """The name to EXEC for a registry procedure name: the configured name when ``name`` is a
    legacy constant's (``CONSTANT_PROCEDURES``), else ``name`` itself (a literal of the
    legacy's source). Every procedure call goes through here."""
    if name in CONSTANT_PROCEDURES:
        return configured_procedure_names()[name]
    return name


INTEGRATION_KEYS: tuple[str, ...] = tuple(INTEGRATIONS)


def get_integration(key: str) -> Integration:
    """The registry entry for a partition key, or a clear error naming the valid keys."""
    try:
        return INTEGRATIONS[key]
    except KeyError:
        raise ValueError(
            f"unknown integration {key!r}; expected one of: {', '.join(INTEGRATION_KEYS)}"
        ) from None


def by_legacy_name(name: str) -> Integration:
    """The registry entry whose legacy enum name is ``name`` (case-insensitive)."""
    for integration in _ALL:
        if integration.legacy_name.lower() == name.lower():
            return integration
    raise ValueError(f"no integration has the legacy name {name!r}")

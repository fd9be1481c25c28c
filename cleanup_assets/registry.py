"""The nine carrier integrations, as data.

Everything that differs between carriers lives in ``INTEGRATIONS``: the code that runs a
step is written once and reads these records. Facts come from ``shared/DOMAIN.md``; where a
table or column name is not known from the legacy code it is marked ``guessed`` below.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping


class Family(str, enum.Enum):
    """Carrier API family; decides which common device table a carrier feeds."""

    M2M = "M2M"
    MOBILITY = "Mobility"


class SyncMode(str, enum.Enum):
    """Whether staging holds the whole device list or only devices changed since the last sync.

    A device missing from a FULL sync is gone (soft-deleted); one missing from an INCREMENTAL
    sync is merely unchanged.
    """

    FULL = "full"
    INCREMENTAL = "incremental"


@dataclass(frozen=True)
class DetailJoin:
    """A second staging table joined to the main one (Telegence keeps ICCID/IMEI apart)."""

    table: str
    on: tuple[str, str]  # (column in main staging table, column in detail table)
    columns: Mapping[str, str]  # normalized column -> detail column


@dataclass(frozen=True)
class RowsToProcess:
    """A table whose remaining rows mean the carrier's sync is still running.

    ``pending_when`` restricts which rows count (e.g. ``{"IsDeleted": ("=", 0)}``); every
    such table has a ``ServiceProviderId`` so counting and clearing stay per provider.
    """

    table: str
    pending_when: Mapping[str, tuple[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class LegacyProcedure:
    """A legacy finalize procedure, called on SQL Server deployments instead of our SQL."""

    name: str
    only_when_staging_has_rows: bool = False  # usp_Telegence_Update_Device's legacy rule


@dataclass(frozen=True)
class Integration:
    """One carrier integration: a value of the static ``integration`` partition dimension."""

    key: str  # partition key, [a-z0-9_]
    legacy_name: str  # legacy enum name == Integration.Name in the database
    family: Family
    sync_mode: SyncMode
    sync_mode_known: bool  # False: the legacy code does not say; treated as FULL (safe default)
    staging_table: str
    staging_columns: Mapping[str, str]  # normalized column -> staging column
    carrier_table: str
    amop_key: str | None
    optimization: bool
    legacy_procedures: tuple[LegacyProcedure, ...]
    summary_procedure: str
    rows_to_process: tuple[RowsToProcess, ...] = ()
    detail: DetailJoin | None = None
    # eBonding's legacy rule: stop waiting as soon as the remaining count stops moving.
    stop_waiting_when_count_unchanged: bool = False
    # ThingSpace's legacy extra: email devices whose billing cycle disagrees (xlsx).
    billing_cycle_discrepancy_report: bool = False

    @property
    def common_procedure(self) -> str:
        """The legacy procedure run after the carrier one, with ``@IntegrationId``."""
        if self.family is Family.MOBILITY:
            return "usp_MobilityDeviceSync_Common"
        return "usp_DeviceSync_Common"

    @property
    def has_communication_plans(self) -> bool:
        """Communication plans are an M2M (Jasper-style) concept kept on ``Device``."""
        return self.family is Family.M2M


def _m(**columns: str) -> Mapping[str, str]:
    return MappingProxyType(columns)


_JASPER_STAGING = _m(
    ICCID="ICCID",
    IMSI="IMSI",
    MSISDN="MSISDN",
    IMEI="IMEI",
    Status="Status",
    RatePlan="RatePlan",
    CommunicationPlan="CommunicationPlan",
    AccountNumber="AccountId",
    ProviderDateAdded="DateAdded",
    ProviderDateActivated="DateActivated",
)
_JASPER_ROWS = (RowsToProcess("JasperDeviceUsageICCICDsToProcess"),)


def _jasper_family(key: str, legacy_name: str) -> Integration:
    # The Jasper family shares staging, rows-to-process, carrier table and procedures.
    return Integration(
        key=key,
        legacy_name=legacy_name,
        family=Family.M2M,
        sync_mode=SyncMode.INCREMENTAL,  # Control Center `modifiedSince`
        sync_mode_known=True,
        staging_table="JasperDeviceStaging",
        staging_columns=_JASPER_STAGING,
        carrier_table="JasperDevice",  # guessed name
        amop_key="jasper_devices",
        optimization=True,
        legacy_procedures=(LegacyProcedure("usp_Jasper_DeviceSync"),),
        summary_procedure="usp_Jasper_Devices_Get_Sync_Summary",
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
        sync_mode=SyncMode.FULL,  # POST devices/actions/list, whole account
        sync_mode_known=True,
        staging_table="ThingSpaceDeviceStaging",
        staging_columns=_m(
            ICCID="ICCID",
            IMSI="IMSI",
            MSISDN="MSISDN",
            IMEI="IMEI",
            Status="Status",
            RatePlan="RatePlan",
            AccountNumber="AccountNumber",
            ProviderDateAdded="DeviceCreatedDate",
            ProviderDateActivated="LastActivationDate",
            LastUsageDate="LastUsageDate",
        ),
        carrier_table="ThingSpaceDevice",  # guessed name
        amop_key="thingspace_devices",
        optimization=False,
        legacy_procedures=(LegacyProcedure("usp_ThingSpace_DeviceSync"),),
        summary_procedure="usp_ThingSpace_Devices_Get_Sync_Summary",
        rows_to_process=(RowsToProcess("ThingSpaceDeviceUsageICCICDsToProcess"),),
        billing_cycle_discrepancy_report=True,
    ),
    Integration(
        key="telegence",
        legacy_name="Telegence",
        family=Family.MOBILITY,
        sync_mode=SyncMode.FULL,  # whole subscriber list
        sync_mode_known=True,
        staging_table="TelegenceDeviceStaging",
        staging_columns=_m(
            MSISDN="SubscriberNumber",
            Status="SubscriberNumberStatus",
            AccountNumber="BillingAccountNumber",
        ),
        detail=DetailJoin(
            table="TelegenceDeviceDetailStaging",
            on=("SubscriberNumber", "SubscriberNumber"),
            columns=_m(
                ICCID="ICCID",
                IMEI="IMEI",
                ProviderDateActivated="SubscriberActivatedDate",
            ),
        ),
        carrier_table="TelegenceDevice",  # guessed name
        amop_key="telegence_devices",
        optimization=False,
        legacy_procedures=(
            LegacyProcedure("usp_Telegence_Update_Device", only_when_staging_has_rows=True),
            LegacyProcedure("usp_Telegence_Update_DeviceDetail"),
            LegacyProcedure("usp_Update_TelegenceDeviceMobilityFeature_FromStaging"),
            LegacyProcedure("usp_Telegence_Update_DeviceUsage_FromStaging"),
            LegacyProcedure("usp_Telegence_Update_DeviceMubuUsage_FromStaging"),
            LegacyProcedure("usp_Telegence_DeviceSync"),
        ),
        summary_procedure="usp_Telegence_Devices_Get_Sync_Summary",
        rows_to_process=(
            RowsToProcess("TelegenceDeviceDetailIdsToProcess", _m(IsDeleted=("=", 0))),
        ),
    ),
    Integration(
        key="ebonding",
        legacy_name="eBonding",
        family=Family.MOBILITY,
        sync_mode=SyncMode.FULL,
        sync_mode_known=False,
        staging_table="eBondingDeviceStaging",  # guessed name and columns
        staging_columns=_m(
            ICCID="ICCID",
            MSISDN="SubscriberNumber",
            IMEI="IMEI",
            Status="Status",
            RatePlan="RatePlan",
            AccountNumber="BillingAccountNumber",
            ProviderDateActivated="ActivatedDate",
        ),
        carrier_table="eBondingDevice",  # guessed name
        amop_key=None,  # none known: the legacy throws here
        optimization=False,
        legacy_procedures=(
            LegacyProcedure("usp_eBonding_Update_DeviceUsage_FromStaging"),
            LegacyProcedure("usp_eBonding_DeviceSync"),
        ),
        summary_procedure="usp_eBonding_Devices_Get_Sync_Summary",
        rows_to_process=(
            RowsToProcess("eBondingDeviceDetailIdsToProcess", _m(RetryCount=("<", 2))),
            RowsToProcess("eBondingDeviceUsageIdsToProcess", _m(RetryCount=("<", 2))),
        ),
        stop_waiting_when_count_unchanged=True,
    ),
    Integration(
        key="teal",
        legacy_name="Teal",
        family=Family.M2M,
        sync_mode=SyncMode.FULL,
        sync_mode_known=False,
        staging_table="TealDeviceStaging",  # guessed name and columns
        staging_columns=_m(
            ICCID="ICCID",
            IMSI="IMSI",
            MSISDN="MSISDN",
            Status="Status",
            RatePlan="PlanName",
            ProviderDateActivated="ActivatedDate",
            LastUsageDate="LastUsageDate",
        ),
        carrier_table="TealDevice",  # guessed name
        amop_key="teal_devices",
        optimization=False,
        legacy_procedures=(LegacyProcedure("usp_Teal_Device_Sync"),),
        summary_procedure="usp_Teal_Devices_Get_Sync_Summary",
        rows_to_process=(),  # the legacy always counts 0 for Teal
    ),
    Integration(
        key="pond",
        legacy_name="Pond",
        family=Family.M2M,
        sync_mode=SyncMode.FULL,
        sync_mode_known=False,
        staging_table="PondDeviceStaging",  # guessed name and columns
        staging_columns=_m(
            ICCID="ICCID",
            IMSI="IMSI",
            MSISDN="MSISDN",
            Status="Status",
            RatePlan="Package",
            ProviderDateAdded="CreatedAt",
            ProviderDateActivated="ActivatedAt",
        ),
        carrier_table="PondDevice",  # guessed name
        amop_key="pond_inventories",
        optimization=False,
        # The legacy names a constant POND_DEVICE_SYNC; the real procedure name is unknown.
        legacy_procedures=(LegacyProcedure("POND_DEVICE_SYNC"),),
        summary_procedure="usp_Pond_Devices_Get_Sync_Summary",
        rows_to_process=(
            RowsToProcess("PondDeviceStatusICCIDsToProcess", _m(IsDeleted=("=", 0))),
        ),
    ),
)

INTEGRATIONS: Mapping[str, Integration] = MappingProxyType({i.key: i for i in _ALL})
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
    """The registry entry whose legacy enum name (``Integration.Name``) is ``name``."""
    for integration in _ALL:
        if integration.legacy_name.lower() == name.lower():
            return integration
    raise ValueError(f"no integration has the legacy name {name!r}")

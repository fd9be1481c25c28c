"""The queries behind the legacy files: the device sync log (one per carrier family) and the
Snowflake device history.

Each is the legacy's own query in SQLAlchemy Core, cited ``F:<line>``
(AltaworxJasperGetDevicesCleanup.cs), with three deliberate changes (docs/legacy-differences.md):
values are bound parameters (the legacy formatted the provider id into the text), rows come
in a fixed order (the legacy had no ORDER BY), and several providers of one partition are
read in one query (the legacy ran once per provider). The ThingSpace query's defect — no
``ServiceProviderId`` column, so the legacy threw — is fixed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, Sequence

from sqlalchemy import DateTime, and_, false, func, literal, null, select
from sqlalchemy.sql import Select

from ..registry import Integration
from ..schema import (
    billing_period,
    device,
    device_tenant,
    jasper_device,
    jasper_device_usage,
    mobility_device,
    pond_device,
    pond_device_usage_staging,
    service_provider,
    teal_device_usage_daily_staging,
    telegence_device,
    thingspace_device_daily_usage,
)

# GenerateDeviceSyncSummaryLogFile's header (F:1576), in the order of its rows (F:1581).
SYNC_LOG_COLUMNS = ("ID", "ICCID", "MSISDN", "RawDataUsage", "CurrentDataUsage", "RawSMSUsage",
                    "CurrentSMSUsage", "RawVoiceUsage", "CurrentVoiceUsage",
                    "BillingCycleStartDate", "BillingCycleEndDate", "UsageDate",
                    "ServiceProviderId")


def yesterday(now: datetime) -> datetime:
    """``CONVERT(datetime, CONVERT(date, DATEADD(DAY, -1, GETUTCDATE())))``."""
    return datetime(now.year, now.month, now.day) - timedelta(days=1)


def _log_columns(common, raw: dict, usage_date, provider_id=None, iccid=None) -> list:
    """The log's columns in file order: ``raw`` maps Raw* names to carrier columns; Current*
    come from the common table, the billing cycle from ``BillingPeriod``."""
    def current(name):
        return common.c[name] if name in common.c else null()

    return [
        common.c.id.label("ID"),
        (iccid if iccid is not None else common.c.ICCID).label("ICCID"),
        common.c.MSISDN.label("MSISDN"),
        raw.get("RawDataUsage", null()).label("RawDataUsage"),
        current("CtdDataUsage").label("CurrentDataUsage"),
        raw.get("RawSMSUsage", null()).label("RawSMSUsage"),
        (current("CtdSMSUsage") if "RawSMSUsage" in raw else null()).label("CurrentSMSUsage"),
        raw.get("RawVoiceUsage", null()).label("RawVoiceUsage"),
        (current("CtdVoiceUsage") if "RawVoiceUsage" in raw else null()).label(
            "CurrentVoiceUsage"),
        billing_period.c.BillingCycleStartDate.label("BillingCycleStartDate"),
        billing_period.c.BillingCycleEndDate.label("BillingCycleEndDate"),
        usage_date.label("UsageDate"),
        (provider_id if provider_id is not None else common.c.ServiceProviderId).label(
            "ServiceProviderId"),
    ]


def _period(common):
    return billing_period, common.c.BillingPeriodId == billing_period.c.Id


def jasper_log(providers: Sequence[int], now: datetime) -> Select:
    """``GetDeviceSyncSummaryLogsForJasper`` (F:822-868): every ``Device`` row, raw usage
    from the Jasper database's ``JasperDeviceUsage`` (joined across databases, F:846-847),
    UsageDate yesterday, DISTINCT."""
    usage = jasper_device_usage
    query = select(*_log_columns(device, {
        "RawDataUsage": usage.c.CtdDataUsage, "RawSMSUsage": usage.c.CtdSMSUsage,
        "RawVoiceUsage": usage.c.CtdVoiceUsage}, literal(yesterday(now), DateTime))).distinct()
    return (query.select_from(device)
            .outerjoin(jasper_device, and_(device.c.ICCID == jasper_device.c.ICCID,
                                           device.c.ServiceProviderId
                                           == jasper_device.c.ServiceProviderId))
            .outerjoin(usage, and_(device.c.ICCID == usage.c.ICCID,
                                   device.c.ServiceProviderId == usage.c.ServiceProviderId))
            .outerjoin(*_period(device))
            .where(device.c.ServiceProviderId.in_(list(providers))))


def telegence_log(providers: Sequence[int], now: datetime) -> Select:
    """``DeviceSyncSummaryLogForTelegence`` (F:893-915): ``MobilityDevice`` with raw usage from
    ``TelegenceDevice`` (SubscriberNumber = MSISDN), UsageDate yesterday, DISTINCT."""
    carrier = telegence_device
    query = select(*_log_columns(mobility_device, {
        "RawDataUsage": carrier.c.CtdDataUsage, "RawSMSUsage": carrier.c.SMSCount,
        "RawVoiceUsage": carrier.c.MinutesUsed}, literal(yesterday(now), DateTime))).distinct()
    return (query.select_from(mobility_device)
            .outerjoin(carrier, and_(mobility_device.c.MSISDN == carrier.c.SubscriberNumber,
                                     mobility_device.c.ServiceProviderId
                                     == carrier.c.ServiceProviderId))
            .outerjoin(*_period(mobility_device))
            .where(mobility_device.c.ServiceProviderId.in_(list(providers))))


def thingspace_log(providers: Sequence[int], now: datetime) -> Select:
    """``DeviceSyncSummaryLogForThingSpace`` (F:917-939): devices with yesterday's row of
    ``ThingSpaceDeviceDailyUsage``. The legacy selects ``[Device].[MSISDN]`` twice and no
    ``ServiceProviderId``, so reading the row throws (F:923-924, 1021): ours selects
    ``Device.ServiceProviderId`` there."""
    usage = thingspace_device_daily_usage
    query = select(*_log_columns(device, {
        "RawDataUsage": usage.c.CtdDataUsage, "RawSMSUsage": usage.c.CtdSMSUsage,
        "RawVoiceUsage": usage.c.CtdVoiceUsage}, usage.c.CreatedDate))
    return (query.select_from(device)
            .join(usage, and_(device.c.ICCID == usage.c.ICCID,
                              device.c.ServiceProviderId == usage.c.ServiceProviderId))
            .outerjoin(*_period(device))
            .where(device.c.ServiceProviderId.in_(list(providers)),
                   usage.c.CreatedDate == yesterday(now)))


def teal_log(providers: Sequence[int], now: datetime) -> Select:
    """``DeviceSyncSummaryLogForTeal`` (F:941-965): ``TealDeviceUsageDailyStaging`` joined to
    ``Device`` on EID; data usage only; UsageDate the usage row's; devices not 'Unknown'."""
    usage = teal_device_usage_daily_staging
    query = select(*_log_columns(device, {"RawDataUsage": usage.c.Usage}, usage.c.CreatedDate))
    return (query.select_from(usage)
            .join(device, device.c.EID == usage.c.EID)
            .outerjoin(*_period(device))
            .where(device.c.ICCID.isnot(None), device.c.ServiceProviderId.in_(list(providers)),
                   device.c.Status != "Unknown"))


def pond_log(providers: Sequence[int], now: datetime) -> Select:
    """``DeviceSyncSummaryLogForPond`` (F:967-1003): ``PondDevice`` joined to live ``Device``
    rows and to ``PondDeviceUsageStaging``; the raw "data usage" is the usage row's
    ``Duration``, UsageDate its ``CloseTime`` or now; ICCID and provider from ``PondDevice``."""
    usage = pond_device_usage_staging
    query = select(*_log_columns(
        device, {"RawDataUsage": usage.c.Duration},
        func.coalesce(usage.c.CloseTime, literal(now, DateTime)),
        provider_id=pond_device.c.ServiceProviderId, iccid=pond_device.c.ICCID))
    return (query.select_from(pond_device)
            .join(device, and_(device.c.IsDeleted == false(),
                               pond_device.c.ICCID == device.c.ICCID,
                               pond_device.c.ServiceProviderId == device.c.ServiceProviderId))
            .join(usage, and_(pond_device.c.ICCID == usage.c.ICCID,
                              pond_device.c.ServiceProviderId == usage.c.ServiceProviderId))
            .outerjoin(*_period(device))
            .where(pond_device.c.ICCID.isnot(None),
                   pond_device.c.ServiceProviderId.in_(list(providers)),
                   pond_device.c.DeviceStatus != "Unknown"))


# The sync log's query per file name (Integration.sync_log_name): the carrier-specific part.
SYNC_LOG_QUERIES: dict[str, Callable[[Sequence[int], datetime], Select]] = {
    "Jasper": jasper_log,
    "ThingSpace": thingspace_log,
    "Telegence": telegence_log,
    "Teal": teal_log,
    "Pond": pond_log,
}


def sync_log_query(integration: Integration, providers: Sequence[int], now: datetime) -> Select:
    """The integration's sync-log query, ordered by provider, device id, then every other
    column (a device with two usage rows has two lines; their order is fixed too)."""
    query = SYNC_LOG_QUERIES[integration.sync_log_name](providers, now)
    columns = query.selected_columns
    return query.order_by(columns.ServiceProviderId, columns.ID,
                          *[columns[name] for name in SYNC_LOG_COLUMNS[1:-1]])


# --- the Snowflake device history (GetDeviceHistoryString, F:282-353) -------------------------
_d, _dt = device.c, device_tenant.c
HISTORY_COLUMNS = (
    _d.id, _d.ServiceProviderId, _d.ICCID, _d.IMSI, _d.MSISDN, _d.IMEI, _d.DeviceStatusId,
    _d.Status, _d.CarrierRatePlanId, _d.RatePlan, _d.CommunicationPlan, _d.LastUsageDate,
    _d.APN, _d.Package, _d.CtdDataUsage, _d.CtdSMSUsage, _d.CtdVoiceUsage, _d.CtdSessionCount,
    _d.OverageLimitReached, _d.OverageLimitOverride, _d.CreatedBy, _d.CreatedDate,
    _d.ModifiedBy, _d.ModifiedDate, _d.LastActivatedDate, _d.DeletedBy, _d.DeletedDate,
    _d.IsActive, _d.IsDeleted, _dt.AccountNumber, _d.ProviderDateAdded,
    _d.ProviderDateActivated, _d.OldDeviceStatusId, _d.OldCtdDataUsage, _d.CostCenter,
    _d.Username, _dt.AccountNumberIntegrationAuthenticationId, _d.BillingPeriodId, _dt.SiteId,
)
assert len(HISTORY_COLUMNS) == 39


def device_history_query(provider_id: int) -> Select:
    """Every ``Device`` row of the provider with its link to the provider's own tenant
    (INNER JOINs, F:323-326), the 39 columns in the legacy order, by device id."""
    return (select(*HISTORY_COLUMNS).select_from(device)
            .join(service_provider, device.c.ServiceProviderId == service_provider.c.id)
            .join(device_tenant, and_(device.c.id == device_tenant.c.DeviceId,
                                      device_tenant.c.TenantId == service_provider.c.TenantId))
            .where(device.c.ServiceProviderId == provider_id)
            .order_by(device.c.id))

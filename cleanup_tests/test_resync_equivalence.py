"""A sync that validates and merges only what changed ends exactly where a full comparison
(``reconcile``) ends, day after day, whatever the staging does."""

from __future__ import annotations

import random

import pytest

from cleanup_assets.db import make_engine
from cleanup_assets.registry import INTEGRATIONS, Family
from cleanup_assets.schema import create_schema

from .builders import finalize, good_devices, rows, seed_providers, stage

DEVICE_COLUMNS = ("ServiceProviderId", "ICCID", "IMSI", "MSISDN", "IMEI", "Status", "RatePlan",
                  "CommunicationPlan", "AccountNumber", "ProviderDateAdded",
                  "ProviderDateActivated", "LastUsageDate", "IsActive", "IsDeleted")


def days_of_staging(provider: int, seed: int) -> list[list[dict]]:
    """Four days of one provider's staging: changes, departures, returns, duplicates (some
    identical to the accepted row), padding, blanks and malformed rows."""
    rng = random.Random(seed)
    devices = good_devices(provider, 30, seed=seed)
    day0 = devices + [{**devices[3], "ProviderDateActivated": "2024-02-30"}]
    day1 = [dict(d) for d in devices[2:]] + good_devices(provider, 32, seed=seed)[30:]
    for d in rng.sample(day1[:20], 3):
        d["Status"] = "SUSPENDED"
    day1[5]["Status"] = f"  {day1[5]['Status']}  "  # padded, same value
    day1[6]["ICCID"] = f" {day1[6]['ICCID']}"
    day1.insert(0, {**day1[7], "Status": "EARLIER COPY"})  # the later copy is unchanged
    day1.append(dict(day1[9]))  # an unchanged device staged twice, identically
    day2 = [dict(d) for d in devices]  # the departed come back
    day2[10] = {**day2[10], "LastUsageDate": "yesterday"}  # turns malformed
    day2[11] = {**day2[11], "RatePlan": "   "}  # blank
    day2.append({**day2[12], "Status": "LATER COPY"})  # a changed later copy wins
    return [day0, day1, day2, [dict(d) for d in day2]]


def state(engine, integration) -> dict:
    """What a user sees: devices by key, their links, the validation outcome per sync."""
    def devices(table):
        return sorted(tuple(str(r[c]) for c in DEVICE_COLUMNS) for r in rows(engine, table))
    common = "Device" if integration.family is Family.M2M else "MobilityDevice"
    ids = {r["id"]: r["ICCID"] for r in rows(engine, "Device")}
    links = sorted((ids[r["DeviceId"]], r["TenantId"], r["AccountNumber"], r["IsDeleted"])
                   for r in rows(engine, "Device_Tenant"))
    return {"carrier": devices(integration.carrier_table), "common": devices(common),
            "links": links, "plans": sorted(r["CommunicationPlanName"]
                                            for r in rows(engine, "JasperCommunicationPlan"))}


@pytest.mark.parametrize("key", ["thingspace", "jasper", "telegence"])
def test_only_what_changed_ends_where_a_full_comparison_ends(engine, tmp_path, key):
    integration = INTEGRATIONS[key]
    reference = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    create_schema(reference)
    for db in (engine, reference):
        seed_providers(db, (11, 1, key), (12, 1, key))
    days = {11: days_of_staging(11, 5), 12: days_of_staging(12, 6)}
    # provider 12 stages provider 11's first device too: the same ICCID under two providers
    days[12] = [day + [{**days[11][0][0]}] for day in days[12]]

    for day in range(4):
        for db in (engine, reference):
            for provider in (11, 12):
                stage(db, key, provider, days[provider][day])
        got = finalize(engine, key)
        want = finalize(reference, key, reconcile=True)

        for field in ("staged", "accepted", "rejected", "reasons"):
            assert getattr(got.validation, field) == getattr(want.validation, field), (day, field)
        assert (got.carrier.inserted, got.carrier.updated, got.carrier.deactivated) == (
            want.carrier.inserted, want.carrier.updated, want.carrier.deactivated), day
        assert (got.carrier_live_devices, got.common_live_devices) == (
            want.carrier_live_devices, want.common_live_devices), day
        assert state(engine, integration) == state(reference, integration), day
    assert got.validation.differing < want.validation.differing  # and it did skip rows
    reference.dispose()

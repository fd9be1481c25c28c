"""Finalization of one partition, against a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text

from cleanup_assets.demo import COMMUNICATION_PLANS, demo_devices
from cleanup_assets.registry import INTEGRATION_KEYS, INTEGRATIONS, Family
from cleanup_assets.sql.finalize import FinalizeError
from cleanup_assets.sql.staging import DUPLICATE_REASON

from .builders import (
    DEVICE_TABLES,
    finalize,
    good_devices,
    live,
    rows,
    seed_providers,
    snapshot,
    stage,
)


def common_table(key: str) -> str:
    return "Device" if INTEGRATIONS[key].family is Family.M2M else "MobilityDevice"


@pytest.mark.parametrize("key", INTEGRATION_KEYS)
def test_each_integration_finalizes_staging_into_its_device_tables(engine, key):
    integration = INTEGRATIONS[key]
    seed_providers(engine, (11, 1, key))
    devices, malformed = demo_devices(11, 25)
    stage(engine, key, 11, devices)

    result = finalize(engine, key)

    good = {d["ICCID"]: d for d in devices[:25]}
    assert result.validation.staged == 25 + malformed
    assert result.validation.accepted == 25
    assert result.validation.rejected == malformed
    assert (result.carrier.inserted, result.carrier.updated, result.carrier.deactivated) == (25, 0, 0)
    carrier = live(engine, integration.carrier_table, 11)
    common = live(engine, common_table(key), 11)
    assert set(carrier) == set(good) == set(common)
    sample = devices[1]  # devices[0] has a later duplicate in the malformed rows, which wins
    assert carrier[sample["ICCID"]]["Status"] == sample["Status"]
    assert common[sample["ICCID"]]["ProviderDateActivated"] == datetime.strptime(
        sample["ProviderDateActivated"], "%Y-%m-%dT%H:%M:%SZ")
    if integration.family is Family.M2M:
        links = rows(engine, "Device_Tenant")
        assert {r["DeviceId"] for r in links} == {r["id"] for r in common.values()}
        assert {r["TenantId"] for r in links} == {1}
    else:
        assert rows(engine, "Device") == []


@pytest.mark.parametrize("key", ["jasper", "thingspace", "telegence"])
def test_rerunning_a_partition_leaves_identical_table_state(engine, key):
    seed_providers(engine, (11, 1, key))
    stage(engine, key, 11, demo_devices(11, 30)[0])
    finalize(engine, key)
    before = snapshot(engine, *DEVICE_TABLES)

    again = finalize(engine, key)

    assert snapshot(engine, *DEVICE_TABLES) == before
    assert (again.carrier.inserted, again.carrier.updated, again.carrier.unchanged) == (0, 0, 30)
    assert again.new_plans == []


def test_missing_communication_plans_are_added_once_with_the_legacy_creator(engine):
    seed_providers(engine, (11, 1, "jasper"))  # CP-Fleet-Basic is known already
    stage(engine, "jasper", 11, good_devices(11, 60))

    result = finalize(engine, "jasper")

    assert sorted(name for _, name in result.new_plans) == sorted(COMMUNICATION_PLANS[1:])
    plans = rows(engine, "JasperCommunicationPlan", ServiceProviderId=11)
    assert sorted(p["CommunicationPlanName"] for p in plans) == sorted(COMMUNICATION_PLANS)
    new = [p for p in plans if p["CommunicationPlanName"] != COMMUNICATION_PLANS[0]]
    assert {(p["CreatedBy"], p["IsActive"], p["IsDeleted"]) for p in new} == {
        ("JasperDeviceSync", True, False)}


def _install_failing_trigger(engine):
    """A real database error after the carrier table and Device are written."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text(
                'CREATE TRIGGER fail_link BEFORE INSERT ON "Device_Tenant" '
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"))
        else:
            conn.execute(text(
                "CREATE FUNCTION fail_link() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"))
            conn.execute(text(
                'CREATE TRIGGER fail_link BEFORE INSERT ON "Device_Tenant" '
                "FOR EACH ROW EXECUTE FUNCTION fail_link()"))


def test_a_failure_in_the_middle_of_a_partition_leaves_no_partial_writes(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    stage(engine, "thingspace", 11, demo_devices(11, 20)[0])
    _install_failing_trigger(engine)
    before = snapshot(engine)

    with pytest.raises(Exception, match="injected failure"):
        finalize(engine, "thingspace")

    assert snapshot(engine) == before
    assert rows(engine, "ThingSpaceDevice") == [] and rows(engine, "CleanupStagingReject") == []


def test_malformed_rows_are_quarantined_with_their_reason_and_good_rows_finalized(engine):
    seed_providers(engine, (11, 1, "jasper"))
    devices = good_devices(11, 5)
    valid = devices[0]
    bad = [
        {**valid, "ICCID": None},
        {**valid, "ICCID": "89014A0000000000001"},
        {**valid, "ICCID": "890141000000001"},
        {**valid, "ICCID": "8901410000000000000001"},
        {**valid, "ICCID": "8901410000000000018", "Status": "S" * 51},
        {**valid, "ICCID": "8901410000000000026", "ProviderDateAdded": "2024-02-30"},
        {**valid, "ICCID": "8901410000000000034", "ProviderDateActivated": "yesterday"},
        {**valid, "Status": "ACTIVATED-DUPLICATE"},  # same ICCID as devices[0], staged later
    ]
    stage(engine, "jasper", 11, devices + bad)

    result = finalize(engine, "jasper")

    v = result.validation
    assert (v.staged, v.accepted, v.rejected) == (13, 5, 8)
    assert v.staged == v.accepted + v.rejected
    rejects = sorted(rows(engine, "CleanupStagingReject", SyncId=result.sync_id),
                     key=lambda r: r["StagingId"])
    reasons = [r["Reason"] for r in rejects]
    assert reasons == [
        DUPLICATE_REASON,  # the earlier copy of devices[0] (lower staging ID) is the reject
        "missing ICCID",
        "ICCID has a non-digit character",
        "ICCID is not 19-20 digits long",
        "ICCID is not 19-20 digits long",
        "Status longer than 50 characters",
        "ProviderDateAdded is not a valid date",
        "ProviderDateActivated is not a valid date",
    ]
    kept = live(engine, "JasperDevice", 11)
    assert len(kept) == 5
    assert kept[valid["ICCID"]]["Status"] == "ACTIVATED-DUPLICATE"  # the latest row wins


def test_a_later_malformed_copy_never_costs_a_device_its_valid_row(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    device = good_devices(11, 1)[0]
    stage(engine, "thingspace", 11, [device, {**device, "LastUsageDate": "not a date"}])

    result = finalize(engine, "thingspace")

    assert (result.validation.accepted, result.validation.rejected) == (1, 1)
    assert [r["Reason"] for r in rows(engine, "CleanupStagingReject")] == [
        "LastUsageDate is not a valid date"]


def test_two_providers_of_one_partition_are_finalized_without_touching_each_other(engine):
    seed_providers(engine, (11, 1, "thingspace"), (12, 1, "thingspace"))
    stage(engine, "thingspace", 11, good_devices(11, 10))
    stage(engine, "thingspace", 12, good_devices(12, 10))
    finalize(engine, "thingspace", service_provider_id=12)
    twelve_before = snapshot(engine, "ThingSpaceDevice", "Device", "Device_Tenant")
    stage(engine, "thingspace", 12, good_devices(12, 4))  # 12's next sync is still being staged

    result = finalize(engine, "thingspace", service_provider_id=11)

    assert result.service_provider_ids == [11]
    assert len(live(engine, "ThingSpaceDevice", 11)) == 10
    after = snapshot(engine, "ThingSpaceDevice", "Device", "Device_Tenant")
    device_ids_12 = {r["id"] for r in twelve_before["Device"] if r["ServiceProviderId"] == 12}
    assert [r for r in after["ThingSpaceDevice"] if r["ServiceProviderId"] == 12] == [
        r for r in twelve_before["ThingSpaceDevice"] if r["ServiceProviderId"] == 12]
    assert [r for r in after["Device"] if r["ServiceProviderId"] == 12] == [
        r for r in twelve_before["Device"] if r["ServiceProviderId"] == 12]
    assert [r for r in after["Device_Tenant"] if r["DeviceId"] in device_ids_12] == [
        r for r in twelve_before["Device_Tenant"] if r["DeviceId"] in device_ids_12]


def test_a_rerun_finalizes_every_active_provider_of_the_partition(engine):
    seed_providers(engine, (11, 1, "jasper"), (12, 1, "jasper"), (13, 2, "jasper"))
    for provider in (11, 12, 13):
        stage(engine, "jasper", provider, good_devices(provider, 5))

    result = finalize(engine, "jasper", "1")

    assert result.service_provider_ids == [11, 12]
    assert len(live(engine, "Device", 11)) == len(live(engine, "Device", 12)) == 5
    assert live(engine, "Device", 13) == {}


def test_a_full_sync_soft_deletes_devices_absent_from_it(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 10)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    stage(engine, "thingspace", 11, devices[3:])

    result = finalize(engine, "thingspace")

    assert result.carrier.deactivated == 3 and result.common.devices.deactivated == 3
    for table in ("ThingSpaceDevice", "Device"):
        all_rows = rows(engine, table, ServiceProviderId=11)
        assert len(all_rows) == 10  # never a hard delete
        gone = [r for r in all_rows if r["ICCID"] in {d["ICCID"] for d in devices[:3]}]
        assert {(r["IsActive"], r["IsDeleted"], r["DeletedBy"]) for r in gone} == {
            (False, True, "cleanup_assets")}
        assert all(r["DeletedDate"] is not None for r in gone)
    assert {r["IsDeleted"] for r in rows(engine, "Device_Tenant")} == {False, True}


def test_an_incremental_jasper_sync_leaves_devices_absent_from_it_unchanged(engine):
    seed_providers(engine, (11, 1, "jasper"))
    devices = good_devices(11, 10)
    stage(engine, "jasper", 11, devices)
    finalize(engine, "jasper")
    changed = {**devices[0], "Status": "DEACTIVATED" if devices[0]["Status"] != "DEACTIVATED"
               else "ACTIVATED"}
    stage(engine, "jasper", 11, [changed])  # modifiedSince: only the changed device

    result = finalize(engine, "jasper")

    assert (result.carrier.updated, result.carrier.deactivated) == (1, 0)
    assert len(live(engine, "Device", 11)) == 10
    assert live(engine, "Device", 11)[changed["ICCID"]]["Status"] == changed["Status"]


@pytest.mark.parametrize("staged_next", ["forced", "empty"])
def test_a_forced_or_empty_full_sync_deactivates_nothing(engine, staged_next):
    seed_providers(engine, (11, 1, "pond"))
    devices = good_devices(11, 10)
    stage(engine, "pond", 11, devices)
    finalize(engine, "pond")
    stage(engine, "pond", 11, devices[:4] if staged_next == "forced" else [])

    result = finalize(engine, "pond", forced=staged_next == "forced")

    assert result.carrier.deactivated == 0
    assert 11 in result.deactivation_skipped
    assert len(live(engine, "PondDevice", 11)) == 10


def test_only_changed_devices_are_updated_and_a_returning_device_is_reactivated(engine):
    seed_providers(engine, (11, 1, "teal"))
    devices = good_devices(11, 6)
    stage(engine, "teal", 11, devices)
    finalize(engine, "teal")
    stage(engine, "teal", 11, devices[1:])
    finalize(engine, "teal")
    before = live(engine, "TealDevice", 11)
    devices[2] = {**devices[2], "RatePlan": "RP-NEW"}
    stage(engine, "teal", 11, devices)  # device 0 is back, device 2 changed plan

    result = finalize(engine, "teal")

    assert (result.carrier.inserted, result.carrier.updated, result.carrier.unchanged) == (0, 2, 4)
    after = live(engine, "TealDevice", 11)
    assert len(after) == 6 and after[devices[0]["ICCID"]]["DeletedDate"] is None
    untouched = devices[4]["ICCID"]
    assert after[untouched]["ModifiedDate"] == before[untouched]["ModifiedDate"]
    assert live(engine, "Device", 11)[devices[2]["ICCID"]]["RatePlan"] == "RP-NEW"


def test_integration_ids_come_from_the_integration_table(engine):
    seed_providers(engine, (11, 1, "telegence"))
    with engine.begin() as conn:
        conn.execute(text('DELETE FROM "Integration" WHERE "Name" = \'Telegence\''))

    with pytest.raises(FinalizeError, match="no row named 'Telegence'"):
        finalize(engine, "telegence")


def test_a_provider_of_another_integration_or_tenant_is_refused(engine):
    seed_providers(engine, (11, 1, "jasper"), (12, 2, "thingspace"))

    with pytest.raises(FinalizeError, match="not an active Jasper provider of tenant 1"):
        finalize(engine, "jasper", "1", service_provider_id=12)


def test_a_tenant_without_that_carrier_is_finalized_as_a_no_op(engine):
    seed_providers(engine, (11, 1, "jasper"))

    result = finalize(engine, "pond", "1")

    assert result.service_provider_ids == [] and result.sync_id is None
    assert rows(engine, "CleanupDeviceSync") == []


def test_the_sync_ledger_records_each_finalization(engine):
    seed_providers(engine, (11, 1, "jasper"))
    stage(engine, "jasper", 11, demo_devices(11, 8)[0])

    result = finalize(engine, "jasper", service_provider_id=11, run_id="run-1")

    (ledger,) = rows(engine, "CleanupDeviceSync")
    assert ledger["id"] == result.sync_id
    assert (ledger["IntegrationKey"], ledger["TenantKey"], ledger["ServiceProviderIds"]) == (
        "jasper", "1", "11")
    assert (ledger["Trigger"], ledger["RunId"], ledger["Mode"]) == ("notification", "run-1",
                                                                   "set_based")
    assert (ledger["Staged"], ledger["Accepted"], ledger["Rejected"], ledger["Inserted"]) == (
        14, 8, 6, 8)
    assert ledger["FinishedAt"] >= ledger["StartedAt"]


# --- resyncs touch only what changed -----------------------------------------------------

def test_a_resync_validates_and_writes_only_the_rows_that_changed(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 20)
    stage(engine, "thingspace", 11, devices)
    first = finalize(engine, "thingspace")
    before = {r["ICCID"]: r for r in rows(engine, "Device", ServiceProviderId=11)}
    changed = [{**d, "Status": "SUSPENDED-" + str(n)} for n, d in enumerate(devices[:2])]
    stage(engine, "thingspace", 11, changed + devices[2:])

    second = finalize(engine, "thingspace")

    v = second.validation
    assert (v.staged, v.accepted, v.rejected, v.differing) == (20, 20, 0, 2)
    assert (second.carrier.updated, second.carrier.unchanged) == (2, 18)
    after = {r["ICCID"]: r for r in rows(engine, "Device", ServiceProviderId=11)}
    for device in changed:
        assert after[device["ICCID"]]["Status"] == device["Status"]
        assert after[device["ICCID"]]["LastSyncId"] == second.sync_id
    for device in devices[2:]:
        assert after[device["ICCID"]] == before[device["ICCID"]]  # not even ModifiedDate
    accepted = rows(engine, "CleanupStagedDevice", ServiceProviderId=11)
    assert len(accepted) == 20 and len({r["ICCID"] for r in accepted}) == 20
    assert sorted(r["SyncId"] for r in accepted) == [first.sync_id] * 18 + [second.sync_id] * 2


def test_a_duplicate_whose_latest_copy_is_unchanged_keeps_the_device_as_it_was(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 3)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    earlier_changed_copy = {**devices[0], "Status": "SUSPENDED"}
    stage(engine, "thingspace", 11, [earlier_changed_copy, *devices])  # the unchanged copy is later

    result = finalize(engine, "thingspace")

    assert (result.validation.accepted, result.validation.rejected) == (3, 1)
    assert [r["Reason"] for r in rows(engine, "CleanupStagingReject", SyncId=result.sync_id)] == [
        DUPLICATE_REASON]
    assert live(engine, "ThingSpaceDevice", 11)[devices[0]["ICCID"]]["Status"] == devices[0]["Status"]
    assert result.carrier.updated == 0


def test_a_device_whose_row_turns_malformed_is_rejected_and_deactivated_then_comes_back(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 5)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    broken = {**devices[0], "LastUsageDate": "2024-02-30"}
    stage(engine, "thingspace", 11, [broken, *devices[1:]])

    result = finalize(engine, "thingspace")

    assert result.validation.rejected == 1 and result.carrier.deactivated == 1
    assert result.common.devices.deactivated == 1
    assert (result.carrier_live_devices, result.common_live_devices) == (4, 4) == (
        len(live(engine, "ThingSpaceDevice", 11)), len(live(engine, "Device", 11)))
    assert devices[0]["ICCID"] not in live(engine, "Device", 11)
    assert devices[0]["ICCID"] not in {r["ICCID"] for r in rows(engine, "CleanupStagedDevice")}
    stage(engine, "thingspace", 11, devices)
    again = finalize(engine, "thingspace")
    assert (again.validation.differing, again.carrier.updated) == (1, 1)  # reactivated
    assert devices[0]["ICCID"] in live(engine, "Device", 11)


def test_reconcile_repairs_a_carrier_row_someone_else_wrote_to(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 5)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    iccid = devices[1]["ICCID"]
    with engine.begin() as conn:
        conn.execute(text('UPDATE "ThingSpaceDevice" SET "Status" = :s WHERE "ICCID" = :i'),
                     {"s": "EDITED BY HAND", "i": iccid})

    resync = finalize(engine, "thingspace")  # the carrier reported nothing new for it
    assert live(engine, "ThingSpaceDevice", 11)[iccid]["Status"] == "EDITED BY HAND"
    assert live(engine, "Device", 11)[iccid]["Status"] == "EDITED BY HAND"  # full mirror
    assert resync.validation.differing == 0

    repaired = finalize(engine, "thingspace", reconcile=True)

    assert live(engine, "ThingSpaceDevice", 11)[iccid]["Status"] == devices[1]["Status"]
    assert live(engine, "Device", 11)[iccid]["Status"] == devices[1]["Status"]
    assert repaired.validation.differing == 5 and repaired.carrier.updated == 1


DATE_GRAMMAR = [  # (staged text, UTC value or None for rejected)
    ("2024-01-15T08:30:00Z", datetime(2024, 1, 15, 8, 30)),
    ("2016-07-06 22:37:08+0000", datetime(2016, 7, 6, 22, 37, 8)),
    ("2024-01-15 08:30:00+02:00", datetime(2024, 1, 15, 6, 30)),
    ("2024-01-15T08:30:00-14:00", datetime(2024, 1, 15, 22, 30)),
    ("2024-01-15 08:30", datetime(2024, 1, 15, 8, 30)),
    ("2024-01-15", datetime(2024, 1, 15)),
    ("2024-02-29", datetime(2024, 2, 29)),
    ("2000-02-29", datetime(2000, 2, 29)),
    ("2024-02-30", None), ("2023-02-29", None), ("1900-02-29", None), ("2024-04-31", None),
    ("2024-13-01", None), ("2024-01-15 25:00:00", None), ("2024-01-15T08:30:60", None),
    ("2024-01-15T08:30:00+02", None), ("2024-01-15T08:30:00+15:00", None),
    ("0002-01-01T00:00:00+14:00", datetime(1, 12, 31, 10, 0)),
    ("0001-01-01T00:00:00+14:00", None),  # would be a year before 1
    ("2024-01-15 08:30:00.123456789", datetime(2024, 1, 15, 8, 30)),
    ("2024-01-15 08:30:00.1234567890", None), ("2024-01-15 08:30:00." + "9" * 200, None),
    ("2024-01-31  24:00", None), ("2024-01-31T10:00z", None), ("2024-01-31T", None),
    ("2024-01-31\t10:00", None), ("2024-01-31 10:00\n", None),
    ("0000-01-01", None), ("9999-12-31", None), ("2024-1-5", None), ("2024-01-15x", None),
    ("yesterday", None), ("now", None), ("12345", None),
]


def test_dates_follow_one_iso_grammar_on_every_database(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    template = good_devices(11, 1)[0]
    devices = [{**template, "ICCID": f"89014{n:014d}", "LastUsageDate": text_}
               for n, (text_, _) in enumerate(DATE_GRAMMAR)]
    stage(engine, "thingspace", 11, devices)

    finalize(engine, "thingspace")

    kept = live(engine, "ThingSpaceDevice", 11)
    for device, (text_, expected) in zip(devices, DATE_GRAMMAR):
        found = kept.get(device["ICCID"])
        if expected is None:
            assert found is None, text_
        else:
            assert found is not None, text_
            assert found["LastUsageDate"].replace(microsecond=0) == expected, text_


def test_an_accepted_rows_table_of_an_older_version_is_rebuilt(engine):
    from cleanup_assets.schema import create_schema

    with engine.begin() as conn:
        conn.execute(text('DROP TABLE "CleanupStagedDevice"'))
        conn.execute(text('CREATE TABLE "CleanupStagedDevice" ("SyncId" INTEGER, "ICCID" TEXT)'))
        conn.execute(text('INSERT INTO "CleanupStagedDevice" VALUES (1, \'8901\')'))
    create_schema(engine)
    seed_providers(engine, (11, 1, "thingspace"))
    stage(engine, "thingspace", 11, good_devices(11, 3))

    assert finalize(engine, "thingspace").validation.differing == 3

"""The set-based engine, against a real SQLite file and a real PostgreSQL server: the carrier
tables as the device-sync step leaves them (through the demo's stand-in for that step) are
checked and mirrored into the common tables; Telegence's staging is merged by us."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import text

from cleanup_assets.registry import INTEGRATION_KEYS, INTEGRATIONS, Family
from cleanup_assets.sql.finalize import FinalizeError
from cleanup_assets.tooling.demo import COMMUNICATION_PLANS, telegence_status

from .builders import (
    DEVICE_TABLES,
    TEST_INTEGRATION_IDS,
    finalize,
    good_devices,
    live,
    rows,
    seed_providers,
    snapshot,
    stage,
)


def common_of(key: str) -> tuple[str, str]:
    """(common table, the device attribute that keys it) of an integration."""
    integration = INTEGRATIONS[key]
    table = "Device" if integration.family is Family.M2M else "MobilityDevice"
    return table, integration.carrier.key[1]


def keys(devices, attribute):
    return {d[attribute] for d in devices}


@pytest.mark.parametrize("key", INTEGRATION_KEYS)
def test_each_integration_mirrors_its_carrier_table_into_the_common_table(engine, key):
    seed_providers(engine, (11, 1, key))
    devices = good_devices(11, 12)
    stage(engine, key, 11, devices)

    result = finalize(engine, key)

    table, attribute = common_of(key)
    common = live(engine, table, 11, attribute)
    assert set(common) == keys(devices, attribute)
    assert (result.common.devices.inserted, result.rejected) == (12, 0)
    if INTEGRATIONS[key].family is Family.M2M:
        sample = devices[3]
        assert common[sample[attribute]]["Status"] == sample["Status"]
        links = rows(engine, "Device_Tenant")
        assert {r["DeviceId"] for r in links} == {r["id"] for r in common.values()}
        assert {r["TenantId"] for r in links} == {1}
    else:
        assert rows(engine, "Device") == []
    if key == "jasper":  # usage travels from JasperDeviceUsage
        sample = devices[5]
        assert common[sample[attribute]]["CtdDataUsage"] == sample["CtdDataUsage"]
        assert common[sample[attribute]]["CtdVoiceUsage"] == sample["CtdVoiceUsage"]


def status_ids(engine) -> dict[str, int]:
    return {r["Status"]: r["id"] for r in rows(engine, "DeviceStatus")}


def test_telegence_staging_is_merged_into_its_carrier_table_with_parsed_dates(engine):
    seed_providers(engine, (11, 1, "telegence"))
    devices = good_devices(11, 4)
    stage(engine, "telegence", 11, devices)

    result = finalize(engine, "telegence")

    assert (result.staging.inserted, result.staging.rejected) == (4, 0)
    carrier = live(engine, "TelegenceDevice", 11)
    device = devices[2]
    row = carrier[device["MSISDN"]]
    status = telegence_status(device["Status"])
    assert (row["ICCID"], row["SubscriberNumberStatus"]) == (device["ICCID"], status)
    # the status text looked up in DeviceStatus (usp_Telegence_Update_Device.sql:50)
    assert row["DeviceStatusId"] == status_ids(engine)[status]
    assert row["RefreshTimestamp"] == datetime.strptime(device["LastUsageDate"],
                                                        "%Y-%m-%dT%H:%M:%SZ")
    mobility = live(engine, "MobilityDevice", 11, "MSISDN")
    assert mobility[device["MSISDN"]]["ICCID"] == device["ICCID"]
    (ledger,) = rows(engine, "CleanupDeviceSync")  # each stage's own counts
    assert (ledger["StagingRows"], ledger["StagingRejected"], ledger["CarrierRows"]) == (4, 0, 4)


def set_status(engine, provider_id: int, subscriber: str, status: str) -> None:
    with engine.begin() as conn:
        conn.execute(text('UPDATE "TelegenceDeviceStaging" SET "SubscriberNumberStatus" = :s '
                          'WHERE "ServiceProviderId" = :p AND "SubscriberNumber" = :n'),
                     {"s": status, "p": provider_id, "n": subscriber})


def test_telegence_keeps_the_legacy_status_rules(engine):
    """A subscriber leaving 'A' gets LastActivatedDate (:74-84) and its previous status id
    in OldDeviceStatusId; its ContractStatus comes from the contract staging, NULL without a
    row there (:51, 72); one without a detail row keeps its ICCID; a subscriber someone
    deleted stays deleted (the procedure never touches IsActive / IsDeleted)."""
    seed_providers(engine, (11, 1, "telegence"))
    devices = [{**d, "Status": "ACTIVATED"} for d in good_devices(11, 3)]
    stage(engine, "telegence", 11, devices)
    finalize(engine, "telegence")
    first, second, third = (d["MSISDN"] for d in devices)
    set_status(engine, 11, first, "S")
    with engine.begin() as conn:
        conn.execute(text('DELETE FROM "TelegenceDeviceDetailStaging" WHERE "SubscriberNumber" = :n'),
                     {"n": second})
        conn.execute(text('UPDATE "TelegenceDevice" SET "IsDeleted" = :t WHERE "SubscriberNumber" = :n'),
                     {"t": True, "n": third})
        conn.execute(text('INSERT INTO "TelegenceDeviceContractStatusStaging" '
                          '("SubscriberNumber", "ContractStatus") VALUES (:n, \'Active\')'),
                     {"n": first})

    finalize(engine, "telegence")

    ids = status_ids(engine)
    by_number = {r["SubscriberNumber"]: r for r in rows(engine, "TelegenceDevice")}
    left = by_number[first]
    assert (left["DeviceStatusId"], left["OldDeviceStatusId"]) == (ids["S"], ids["A"])
    assert left["LastActivatedDate"] is not None
    assert (left["ContractStatus"], by_number[second]["ContractStatus"]) == ("Active", None)
    assert by_number[second]["LastActivatedDate"] is None
    assert by_number[second]["ICCID"] == devices[1]["ICCID"]  # no detail row: kept
    assert by_number[third]["IsDeleted"]  # not revived by the staging merge


@pytest.mark.parametrize("key", ["jasper", "thingspace", "telegence", "teal"])
def test_rerunning_a_partition_leaves_identical_table_state(engine, key):
    seed_providers(engine, (11, 1, key))
    stage(engine, key, 11, good_devices(11, 30))
    finalize(engine, key)
    before = snapshot(engine, *DEVICE_TABLES)

    again = finalize(engine, key)

    assert snapshot(engine, *DEVICE_TABLES) == before
    counts = again.common.devices
    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 0, 30)
    assert again.new_plans == []


def test_new_communication_plans_are_matched_by_name_across_providers_and_recorded(engine):
    seed_providers(engine, (11, 1, "jasper"), (12, 2, "thingspace"))  # CP-Fleet-Basic is known
    stage(engine, "jasper", 11, good_devices(11, 60))
    stage(engine, "thingspace", 12, good_devices(12, 60))

    first = finalize(engine, "jasper")
    second = finalize(engine, "thingspace", "2")

    assert sorted(name for _, name in first.new_plans) == sorted(COMMUNICATION_PLANS[1:])
    assert second.new_plans == []  # the same names exist: the legacy matches by name only
    plans = rows(engine, "JasperCommunicationPlan")
    new = [p for p in plans if p["CommunicationPlanName"] != COMMUNICATION_PLANS[0]]
    assert {(p["CreatedBy"], p["IsActive"], p["IsDeleted"], p["ServiceProviderId"])
            for p in new} == {("JasperDeviceSync", True, False, 11)}
    recorded = rows(engine, "CleanupNewCommunicationPlan")
    assert sorted((r["SyncId"], r["CommunicationPlanName"]) for r in recorded) == sorted(
        (first.sync_id, n) for n in COMMUNICATION_PLANS[1:])


def test_a_plan_name_too_long_for_jasper_communication_plan_is_refused_with_its_reason(engine):
    """The procedure engine's Device may hold a longer plan name than
    JasperCommunicationPlan.CommunicationPlanName takes: that name is refused and recorded
    with its reason, the others are added — the finalize does not fail over it. A name
    outside any code page passes unchanged."""
    from cleanup_assets.db import utcnow
    from cleanup_assets.schema import PLAN_NAME_LENGTH
    from cleanup_assets.sql.common_tables import add_missing_communication_plans

    seed_providers(engine, (11, 1, "jasper"))
    long_name, unicode_name = "CP-" + "x" * PLAN_NAME_LENGTH, "CP-Überall-Ωmega-東京"
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # a wider Device column than ours (theirs)
            conn.execute(text('ALTER TABLE "Device" ALTER COLUMN "CommunicationPlan" '
                              "TYPE varchar(1000)"))
        for n, plan in enumerate((long_name, unicode_name, long_name)):
            conn.execute(text(
                'INSERT INTO "Device" ("ServiceProviderId", "ICCID", "CommunicationPlan", '
                '"IsActive", "IsDeleted") VALUES (11, :iccid, :plan, true, false)'),
                {"iccid": f"8901000000000000{n:03d}", "plan": plan})

        added = add_missing_communication_plans(conn, [11], sync_id=7, now=utcnow())

    assert added == [(11, unicode_name)]
    assert long_name not in {p["CommunicationPlanName"]
                             for p in rows(engine, "JasperCommunicationPlan")}
    (refused,) = rows(engine, "CleanupRejectedRow")
    assert (refused["SyncId"], refused["DeviceKey"], refused["SourceTable"]) == (
        7, long_name, "JasperCommunicationPlan")
    assert refused["Reason"].startswith(f"communication plan name longer than {PLAN_NAME_LENGTH}")


def _install_failing_trigger(engine):
    """A real database error after the common table is written."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text(
                'CREATE TRIGGER fail_link BEFORE INSERT ON "Device_Tenant" '
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"))
        else:
            conn.execute(text(
                "CREATE OR REPLACE FUNCTION fail_link() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'injected failure'; END $$"))
            conn.execute(text(
                'CREATE TRIGGER fail_link BEFORE INSERT ON "Device_Tenant" '
                "FOR EACH ROW EXECUTE FUNCTION fail_link()"))


def test_a_failure_in_the_middle_leaves_no_partial_writes_and_a_failed_ledger_row(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    stage(engine, "thingspace", 11, good_devices(11, 20))
    _install_failing_trigger(engine)
    try:
        before = snapshot(engine, *DEVICE_TABLES, "CleanupRejectedRow")

        with pytest.raises(Exception, match="injected failure"):
            finalize(engine, "thingspace")

        assert snapshot(engine, *DEVICE_TABLES, "CleanupRejectedRow") == before
        (ledger,) = rows(engine, "CleanupDeviceSync")
        assert ledger["Status"] == "failed" and "injected failure" in ledger["Error"]
    finally:
        with engine.begin() as conn:
            conn.execute(text('DROP TRIGGER IF EXISTS fail_link'
                              + ('' if engine.dialect.name == "sqlite" else ' ON "Device_Tenant"')))


def test_malformed_carrier_rows_are_quarantined_with_their_reason(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 5)
    valid = devices[0]
    bad = [
        {**valid, "ICCID": None},
        {**valid, "ICCID": "89014A0000000000001"},
        {**valid, "ICCID": "890141000000001"},
        {**valid, "ICCID": "8901410000000000000001"},
        {**valid, "ICCID": "8901410000000000018", "Status": "S" * 51},
        {**valid, "ICCID": "8901410000000000026", "RatePlan": "RP\u0007BELL"},
        {**valid, "Status": "A SECOND ROW OF DEVICE 0"},
    ]
    stage(engine, "thingspace", 11, devices + bad)

    result = finalize(engine, "thingspace")

    assert (result.rows_read, result.rejected) == (12, 8)
    reasons = sorted(r["Reason"] for r in rows(engine, "CleanupRejectedRow",
                                               SyncId=result.sync_id))
    duplicate = ("ICCID appears in more than one row of ThingSpaceDevice: the device keeps its "
                 "last state until the carrier's data names it once")
    assert reasons == sorted([
        "missing ICCID in ThingSpaceDevice", "ICCID has a non-digit character",
        "ICCID is not 19-20 digits (ITU-T E.118)", "ICCID is not 19-20 digits (ITU-T E.118)",
        "Status longer than 50 characters", "RatePlan has a control character",
        duplicate, duplicate])
    assert set(live(engine, "Device", 11)) == keys(devices[1:], "ICCID")
    (ledger,) = rows(engine, "CleanupDeviceSync")
    assert (ledger["CarrierRows"], ledger["Accepted"], ledger["Rejected"]) == (12, 4, 8)


def test_an_identifier_that_is_not_digits_is_refused(engine):
    seed_providers(engine, (11, 1, "teal"))
    devices = good_devices(11, 2)
    stage(engine, "teal", 11, [devices[0], {**devices[1], "MSISDN": "=1+2"}])

    finalize(engine, "teal")

    assert [r["Reason"] for r in rows(engine, "CleanupRejectedRow")] == [
        "MSISDN has a non-digit character"]
    assert set(live(engine, "Device", 11, "EID")) == {devices[0]["EID"]}


def test_an_iccid_with_an_embedded_nul_is_refused_on_sqlite(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL text cannot hold NUL at all")
    seed_providers(engine, (11, 1, "pond"))
    device = good_devices(11, 1)[0]
    stage(engine, "pond", 11, [{**device, "ICCID": device["ICCID"][:19] + "\x00junk"}])

    result = finalize(engine, "pond")

    assert result.rejected == 1 and live(engine, "Device", 11) == {}
    assert [r["Reason"] for r in rows(engine, "CleanupRejectedRow")] == [
        "ICCID has a control character"]


def test_a_rejected_row_never_removes_a_live_device(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 5)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    broken = {**devices[0], "Status": "X" * 80}
    stage(engine, "thingspace", 11, [broken, *devices[1:]])

    result = finalize(engine, "thingspace")

    assert result.rejected == 1 and result.common.devices.deactivated == 0
    kept = live(engine, "Device", 11)
    assert set(kept) == keys(devices, "ICCID")
    assert kept[devices[0]["ICCID"]]["Status"] == devices[0]["Status"]  # its last good state


def test_drift_in_the_common_table_is_repaired_by_the_next_sync(engine):
    seed_providers(engine, (11, 1, "jasper"))
    devices = good_devices(11, 5)
    stage(engine, "jasper", 11, devices)
    finalize(engine, "jasper")
    iccid = devices[1]["ICCID"]
    with engine.begin() as conn:
        conn.execute(text('UPDATE "Device" SET "Status" = :s, "RatePlan" = NULL '
                          'WHERE "ICCID" = :i'), {"s": "EDITED BY HAND", "i": iccid})

    result = finalize(engine, "jasper")  # nothing new from the carrier

    assert result.common.devices.updated == 1
    assert live(engine, "Device", 11)[iccid]["Status"] == devices[1]["Status"]
    assert live(engine, "Device", 11)[iccid]["RatePlan"] == devices[1]["RatePlan"]


def test_two_providers_of_one_partition_are_finalized_without_touching_each_other(engine):
    seed_providers(engine, (11, 1, "thingspace"), (12, 1, "thingspace"))
    stage(engine, "thingspace", 11, good_devices(11, 10))
    stage(engine, "thingspace", 12, good_devices(12, 10))
    finalize(engine, "thingspace", service_provider_id=12)
    twelve_before = snapshot(engine, "Device", "Device_Tenant")
    stage(engine, "thingspace", 12, good_devices(12, 4))  # 12's next sync is under way

    result = finalize(engine, "thingspace", service_provider_id=11)

    assert result.service_provider_ids == [11]
    assert len(live(engine, "Device", 11)) == 10
    after = snapshot(engine, "Device", "Device_Tenant")
    ids_12 = {r["id"] for r in twelve_before["Device"] if r["ServiceProviderId"] == 12}
    assert [r for r in after["Device"] if r["ServiceProviderId"] == 12] == [
        r for r in twelve_before["Device"] if r["ServiceProviderId"] == 12]
    assert [r for r in after["Device_Tenant"] if r["DeviceId"] in ids_12] == [
        r for r in twelve_before["Device_Tenant"] if r["DeviceId"] in ids_12]


def test_a_rerun_finalizes_every_active_provider_of_the_partition(engine):
    seed_providers(engine, (11, 1, "jasper"), (12, 1, "jasper"), (13, 2, "jasper"))
    for provider in (11, 12, 13):
        stage(engine, "jasper", provider, good_devices(provider, 5))

    result = finalize(engine, "jasper", "1")

    assert result.service_provider_ids == [11, 12]
    assert len(live(engine, "Device", 11)) == len(live(engine, "Device", 12)) == 5
    assert live(engine, "Device", 13) == {}


def test_devices_the_carrier_table_no_longer_holds_are_soft_deleted(engine):
    seed_providers(engine, (11, 1, "pond"))
    devices = good_devices(11, 10)
    stage(engine, "pond", 11, devices)
    finalize(engine, "pond", service_provider_id=11)
    stage(engine, "pond", 11, devices[3:])

    result = finalize(engine, "pond", service_provider_id=11)

    assert result.common.devices.deactivated == 3
    all_rows = rows(engine, "Device", ServiceProviderId=11)
    assert len(all_rows) == 10  # never a hard delete
    gone = [r for r in all_rows if r["ICCID"] in keys(devices[:3], "ICCID")]
    assert {(r["IsActive"], r["IsDeleted"], r["DeletedBy"]) for r in gone} == {
        (False, True, "cleanup_assets")}


def test_an_incremental_jasper_sync_leaves_devices_absent_from_it_unchanged(engine):
    seed_providers(engine, (11, 1, "jasper"))
    devices = good_devices(11, 10)
    stage(engine, "jasper", 11, devices)
    finalize(engine, "jasper")
    changed = {**devices[0], "Status": "SUSPENDED"}
    stage(engine, "jasper", 11, [changed])  # modifiedSince: only the changed device

    result = finalize(engine, "jasper")

    assert (result.common.devices.updated, result.common.devices.deactivated) == (1, 0)
    assert len(live(engine, "Device", 11)) == 10
    assert live(engine, "Device", 11)[changed["ICCID"]]["Status"] == "SUSPENDED"


def test_a_forced_sync_and_a_rerun_of_it_delete_nothing(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 10)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace", service_provider_id=11)
    stage(engine, "thingspace", 11, devices[:1])  # the carrier's sync was cut short

    forced = finalize(engine, "thingspace", service_provider_id=11, forced=True)
    rerun = finalize(engine, "thingspace")  # an operator reruns the partition

    for result in (forced, rerun):
        assert result.common.devices.deactivated == 0
        assert 11 in result.deactivation_skipped and not result.complete
    assert len(live(engine, "Device", 11)) == 10
    stage(engine, "thingspace", 11, devices[:9])
    complete = finalize(engine, "thingspace", service_provider_id=11)
    assert complete.common.devices.deactivated == 1 and complete.complete


def test_a_rerun_after_a_forced_notification_whose_run_never_finalized_deletes_nothing(engine):
    """The inbox says what the carrier's last sync was: a forced notification was launched
    (its run failed before finalizing), so a rerun must not take the cut-short data for
    the full list — even though the ledger's latest notified sync was complete."""
    from cleanup_assets.notifications import LAUNCHED
    from cleanup_assets.schema import sync_notification

    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 10)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace", service_provider_id=11)
    stage(engine, "thingspace", 11, devices[:1])  # cut short
    with engine.begin() as conn:
        conn.execute(sync_notification.insert().values(
            Source="inbox", ReceivedAt=datetime(2026, 11, 1), RawAttributes="{}",
            Status=LAUNCHED, IntegrationKey="thingspace", TenantKey="1", ServiceProviderId=11,
            Forced=True, DecidedAt=datetime(2026, 11, 1, 0, 5)))

    rerun = finalize(engine, "thingspace")

    assert rerun.common.devices.deactivated == 0 and not rerun.complete
    assert len(live(engine, "Device", 11)) == 10


def test_jasper_usage_rows_neither_multiply_nor_reject_a_device(engine):
    """JasperDeviceUsage read as one row per device (the largest counters): a second usage
    row is no duplicate device; a device whose usage row is gone keeps the usage it has."""
    seed_providers(engine, (11, 1, "jasper"))
    devices = good_devices(11, 3)
    stage(engine, "jasper", 11, devices)
    finalize(engine, "jasper")
    first, second = devices[0]["ICCID"], devices[1]["ICCID"]
    kept = live(engine, "Device", 11)[second]["CtdDataUsage"]
    with engine.begin() as conn:
        conn.execute(text('INSERT INTO "JasperDeviceUsage" ("ServiceProviderId", "ICCID", '
                          '"CtdDataUsage") VALUES (11, :i, 987654321)'), {"i": first})
        conn.execute(text('DELETE FROM "JasperDeviceUsage" WHERE "ICCID" = :i'), {"i": second})

    result = finalize(engine, "jasper")

    assert (result.rows_read, result.rejected) == (3, 0)
    common = live(engine, "Device", 11)
    assert common[first]["CtdDataUsage"] == 987654321
    assert kept is not None and common[second]["CtdDataUsage"] == kept


def test_a_common_row_made_inactive_is_repaired(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 3)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    with engine.begin() as conn:
        conn.execute(text('UPDATE "Device" SET "IsActive" = :f'), {"f": False})

    result = finalize(engine, "thingspace")

    assert result.common.devices.updated == 3
    assert all(row["IsActive"] for row in live(engine, "Device", 11).values())


def test_an_absent_telegence_subscriber_turns_unknown_on_the_fourth_missed_sync(engine):
    seed_providers(engine, (11, 1, "telegence"))
    devices = [{**d, "Status": "ACTIVATED"} for d in good_devices(11, 3)]
    stage(engine, "telegence", 11, devices)
    finalize(engine, "telegence", service_provider_id=11)
    stage(engine, "telegence", 11, devices[1:])  # subscriber 0 is no longer listed
    gone = devices[0]["MSISDN"]

    counts = []
    for _ in range(4):  # four notified syncs, each followed by an operator's rerun
        last = finalize(engine, "telegence", service_provider_id=11)
        counts.append(live(engine, "TelegenceDevice", 11)[gone]["FailedSyncCount"])
        rerun = finalize(engine, "telegence")
        assert rerun.staging.deactivated == 0  # a rerun repeats a sync: it counts nothing
        assert "rerun" in rerun.deactivation_skipped[11]

    # The legacy's two UPDATEs in one call: +1 while at most 3, then above 3 it turns
    # 'Unknown' and the count is cleared (usp_Telegence_Update_Device.sql:118-136).
    assert counts == [1, 2, 3, None]
    ids = status_ids(engine)
    row = live(engine, "TelegenceDevice", 11)[gone]
    assert (row["SubscriberNumberStatus"], row["DeviceStatusId"], row["OldDeviceStatusId"]) == (
        "Unknown", ids["Unknown"], ids["A"])
    assert last.staging.deactivated == 1  # the absent rule touched it; never deleted
    assert gone in live(engine, "MobilityDevice", 11, "MSISDN")

    finalize(engine, "telegence", service_provider_id=11)  # missed once more: counting again
    assert live(engine, "TelegenceDevice", 11)[gone]["FailedSyncCount"] == 1
    stage(engine, "telegence", 11, devices)  # listed again
    finalize(engine, "telegence", service_provider_id=11)
    row = live(engine, "TelegenceDevice", 11)[gone]
    assert (row["FailedSyncCount"], row["SubscriberNumberStatus"]) == (None, "A")  # :73


def test_empty_staging_or_an_empty_carrier_table_changes_nothing(engine):
    seed_providers(engine, (11, 1, "telegence"), (12, 1, "pond"))
    stage(engine, "telegence", 11, good_devices(11, 5))
    stage(engine, "pond", 12, good_devices(12, 5))
    finalize(engine, "telegence")
    finalize(engine, "pond")
    stage(engine, "telegence", 11, [])
    stage(engine, "pond", 12, [])

    telegence, pond = finalize(engine, "telegence"), finalize(engine, "pond")

    assert telegence.deactivation_skipped == {11: "no staging rows"}
    assert pond.deactivation_skipped == {12: "PondDevice has no live rows for this provider"}
    assert len(live(engine, "MobilityDevice", 11, "MSISDN")) == len(live(engine, "Device", 12)) == 5


def test_teal_devices_are_keyed_by_eid_and_unlisted_ones_turn_unknown(engine):
    seed_providers(engine, (11, 1, "teal"))
    devices = good_devices(11, 6)
    stage(engine, "teal", 11, devices)
    finalize(engine, "teal")
    devices[2] = {**devices[2], "ICCID": devices[3]["ICCID"][:-1] + "0", "RatePlan": "RP-NEW"}
    stage(engine, "teal", 11, devices[1:])  # device 0 unlisted; device 2 got a new SIM

    result = finalize(engine, "teal")

    kept = live(engine, "Device", 11, "EID")
    assert len(kept) == 6 and result.common.devices.deactivated == 0
    assert kept[devices[0]["EID"]]["Status"] == "Unknown"  # the legacy's MERGE
    assert (kept[devices[2]["EID"]]["ICCID"], kept[devices[2]["EID"]]["RatePlan"]) == (
        devices[2]["ICCID"], "RP-NEW")


def test_integration_ids_come_from_the_integration_table_or_the_deployment(engine, monkeypatch):
    from cleanup_assets.settings import Settings

    seed_providers(engine, (11, 1, "tmobile_jasper"), (12, 1, "telegence"))
    stage(engine, "tmobile_jasper", 11, good_devices(11, 2))
    with engine.begin() as conn:  # display names, as a platform may have them
        conn.execute(text('UPDATE "Integration" SET "Name" = \'T-Mobile Jasper\' '
                          'WHERE "Name" = \'TMobileJasper\''))
        conn.execute(text('UPDATE "Integration" SET "Name" = \'AT&T Mobility\' '
                          'WHERE "Name" = \'Telegence\''))

    assert finalize(engine, "tmobile_jasper").integration_id == TEST_INTEGRATION_IDS["tmobile_jasper"]
    with pytest.raises(FinalizeError, match="no Integration row is named 'Telegence'.*"
                                           "CLEANUP_INTEGRATION_IDS"):
        finalize(engine, "telegence")
    monkeypatch.setenv("CLEANUP_INTEGRATION_IDS", f"Telegence={TEST_INTEGRATION_IDS['telegence']}")
    assert finalize(engine, "telegence").integration_id == TEST_INTEGRATION_IDS["telegence"]
    assert Settings({"CLEANUP_INTEGRATION_IDS": "Verizon=3"}).problems() == [
        "CLEANUP_INTEGRATION_IDS: 'Verizon' is not a legacy integration name (Jasper, POD19, "
        "TMobileJasper, Rogers, ThingSpace, Telegence, eBonding, Teal, Pond)"]


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
    stage(engine, "jasper", 11, good_devices(11, 8))

    result = finalize(engine, "jasper", service_provider_id=11, run_id="run-1")

    (ledger,) = rows(engine, "CleanupDeviceSync")
    assert ledger["id"] == result.sync_id
    assert (ledger["IntegrationKey"], ledger["TenantKey"], ledger["ServiceProviderIds"]) == (
        "jasper", "1", "11")
    assert (ledger["Trigger"], ledger["RunId"], ledger["Engine"], ledger["Status"]) == (
        "notification", "run-1", "set_based", "finalized")
    assert (ledger["CarrierRows"], ledger["Accepted"], ledger["Inserted"]) == (8, 8, 8)
    assert ledger["FinishedAt"] >= ledger["StartedAt"]


def test_the_jasper_database_can_be_a_second_file(tmp_path):
    from cleanup_assets.db import connect_databases
    from cleanup_assets.tooling.demo import upstream_device_sync
    from cleanup_assets.schema import create_schema
    from cleanup_assets.sql.finalize import FinalizeRequest, finalize_partition

    from .builders import NO_WAIT

    databases = connect_databases(f"sqlite:///{tmp_path / 'central.db'}",
                                  f"sqlite:///{tmp_path / 'JasperDb.db'}")
    create_schema(databases)
    seed_providers(databases.central, (11, 1, "jasper"))
    upstream_device_sync(databases, INTEGRATIONS["jasper"], 11, good_devices(11, 4))

    result = finalize_partition(databases, FinalizeRequest(INTEGRATIONS["jasper"], "1"),
                                retry=NO_WAIT)

    assert result.common.devices.inserted == 4
    with databases.jasper.connect() as conn:  # the carrier table lives in the Jasper file
        assert conn.execute(text('SELECT count(*) FROM "JasperDevice"')).scalar() == 4
    assert databases.jasper_db_name == "JasperDb"
    databases.dispose()


# (staged text, UTC value or None for rejected): the one grammar every database applies.
DATE_GRAMMAR = [
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
    ("0002-01-01T00:00:00+14:00", None),  # a valid date, before SQL Server's datetime
    ("0001-01-01T00:00:00+14:00", None),  # would be a year before 1
    ("1752-12-31T23:59:59", None), ("1753-01-01", datetime(1753, 1, 1)),
    ("2024-01-15 08:30:00.123456789", datetime(2024, 1, 15, 8, 30)),
    ("2024-01-15 08:30:00.1234567890", None), ("2024-01-15 08:30:00." + "9" * 200, None),
    ("2024-01-31  24:00", None), ("2024-01-31T10:00z", None), ("2024-01-31T", None),
    ("2024-01-31\t10:00", None), ("2024-01-31 10:00\n", None),
    ("0000-01-01", None), ("9999-12-31", None), ("2024-1-5", None), ("2024-01-15x", None),
    ("yesterday", None), ("now", None), ("12345", None),
]


def test_dates_follow_one_iso_grammar_on_every_database(engine):
    seed_providers(engine, (11, 1, "telegence"))
    template = good_devices(11, 1)[0]
    devices = [{**template, "MSISDN": f"1555{n:07d}", "LastUsageDate": text_}
               for n, (text_, _) in enumerate(DATE_GRAMMAR)]
    stage(engine, "telegence", 11, devices)

    finalize(engine, "telegence")

    kept = live(engine, "TelegenceDevice", 11)
    for device, (text_, expected) in zip(devices, DATE_GRAMMAR):
        found = kept.get(device["MSISDN"])
        if expected is None:
            assert found is None, text_
        else:
            assert found is not None, text_
            assert found["RefreshTimestamp"].replace(microsecond=0) == expected, text_


def test_a_mirror_that_would_lose_devices_is_rolled_back(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("one database suffices: the invariant is plain counts")
    seed_providers(engine, (11, 1, "pond"))
    stage(engine, "pond", 11, good_devices(11, 3))
    with engine.begin() as conn:  # something that loses a device behind the merge's back
        conn.execute(text('CREATE TRIGGER lose AFTER INSERT ON "Device" BEGIN '
                          'UPDATE "Device" SET "IsDeleted" = 1 WHERE id = NEW.id; END'))

    with pytest.raises(AssertionError, match="the mirror lost devices: 3 accepted"):
        finalize(engine, "pond")

    assert rows(engine, "Device") == []
    assert rows(engine, "CleanupDeviceSync")[0]["Status"] == "failed"


@pytest.mark.backends("sqlite")
@pytest.mark.parametrize("key", INTEGRATION_KEYS)
def test_a_list_whose_rows_are_refused_for_their_key_deactivates_nothing(engine, key):
    """A full list naming every device with a malformed key is no evidence that any left
    (issue 21): nothing is deactivated, nor counted as a missed sync (Telegence)."""
    seed_providers(engine, (11, 1, key))
    devices = good_devices(11, 6)
    stage(engine, key, 11, devices)
    finalize(engine, key)
    table, attribute = common_of(key)
    refused = [{**d, attribute: "X" + d[attribute][1:]} for d in devices]

    stage(engine, key, 11, refused)
    everything_refused = finalize(engine, key, service_provider_id=11)
    stage(engine, key, 11, [*devices[:4], refused[5]])  # device 4 absent, device 5 unreadable
    one_refused = finalize(engine, key, service_provider_id=11)

    for result in (everything_refused, one_refused):
        assert result.common.devices.deactivated == 0
        assert "refused for their" in result.deactivation_skipped[11]
    assert everything_refused.rejected == 6
    assert set(live(engine, table, 11, attribute)) == keys(devices, attribute)
    if key == "telegence":  # absent subscribers count no missed sync on non-evidence
        assert {r["FailedSyncCount"] for r in rows(engine, "TelegenceDevice")} == {None}


@pytest.mark.backends("sqlite")
def test_a_clean_list_after_a_refused_one_deactivates_what_it_leaves_out(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 6)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    stage(engine, "thingspace", 11, [*devices[:4], {**devices[5], "ICCID": "X" * 19}])
    finalize(engine, "thingspace")
    stage(engine, "thingspace", 11, devices[:4])

    result = finalize(engine, "thingspace")

    assert result.common.devices.deactivated == 2 and result.deactivation_skipped == {}
    assert set(live(engine, "Device", 11)) == keys(devices[:4], "ICCID")


@pytest.mark.backends("sqlite")
def test_a_retry_or_re_execution_of_a_notified_sync_counts_no_miss_again(engine):
    """Run retries and re-executions keep the notification's tags: the notification, not
    the tag, decides that a sync's missed subscribers are counted once (issue 19.7)."""
    from cleanup_assets.notifications import post_notification

    seed_providers(engine, (11, 1, "telegence"))
    devices = good_devices(11, 3)
    stage(engine, "telegence", 11, devices)
    finalize(engine, "telegence", service_provider_id=11)
    with engine.begin() as conn:
        notification = post_notification(conn, {"ServiceProviderId": 11})
    stage(engine, "telegence", 11, devices[1:])  # one subscriber missing today

    first = finalize(engine, "telegence", service_provider_id=11, notification_id=notification)
    again = finalize(engine, "telegence", service_provider_id=11, notification_id=notification)

    missing = live(engine, "TelegenceDevice", 11, "SubscriberNumber")[devices[0]["MSISDN"]]
    assert missing["FailedSyncCount"] == 1
    assert 11 not in first.deactivation_skipped
    assert "counted by an earlier attempt" in again.deactivation_skipped[11]


def test_a_first_sync_neither_compares_devices_nor_searches_absent_ones(engine):
    """A provider with no device yet has nothing to update and nothing absent: neither
    statement runs (in key order the compare-and-update would sort every checked row before
    finding no device: 4 s of a 10M-device first sync). The next sync runs both — except on
    PostgreSQL, whose checks' pass already compared every row with its device and counted
    the live devices the accepted rows name: nothing differs and every device is named
    here, so neither runs (merge.Source.compares_devices)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    seed_providers(engine, (11, 1, "jasper"))
    stage(engine, "jasper", 11, good_devices(11, 3))
    issued: list[str] = []

    def note(conn, cursor, statement, *args):
        issued.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", note)
    try:
        first = finalize(engine, "jasper")
        first_updates = [s for s in issued if s.startswith('UPDATE "Device"')]
        issued.clear()
        again = finalize(engine, "jasper")
        updates_again = [s for s in issued if s.startswith('UPDATE "Device"')]
    finally:
        event.remove(Engine, "before_cursor_execute", note)

    assert first.common.devices.inserted == 3 and first_updates == []
    assert (again.common.devices.inserted, again.common.devices.updated) == (0, 0)
    compared_before = engine.dialect.name == "postgresql"
    assert len(updates_again) == (0 if compared_before else 2)  # compare-and-update, absent


@pytest.mark.backends("postgresql")
def test_index_lookups_give_the_transaction_its_own_join_settings_back(engine):
    """The compare-and-update's look-ups turn nested loops on for one statement; the rest of
    the finalization must get the transaction's own settings back (nested loops off:
    dialect.prefer_set_joins), not the server's defaults."""
    from cleanup_assets.sql.dialect import prefer_set_joins
    from cleanup_assets.sql.merge import by_index_lookups

    names = ("enable_nestloop", "enable_hashjoin", "enable_mergejoin")
    query = text("SELECT " + ", ".join(f"current_setting('{name}')" for name in names))
    with engine.begin() as conn:
        prefer_set_joins(conn)
        before = tuple(conn.execute(query).one())
        with by_index_lookups(conn, "postgresql"):
            during = tuple(conn.execute(query).one())
        after = tuple(conn.execute(query).one())

    assert (before, during, after) == (("off", "on", "on"), ("on", "off", "off"),
                                       ("off", "on", "on"))

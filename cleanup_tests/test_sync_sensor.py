"""The sync sensor, evaluated against a real Dagster instance and a real database."""

from __future__ import annotations

import json
from datetime import timedelta

import dagster as dg
import pytest
from sqlalchemy import insert, text

from cleanup_assets.definitions import make_definitions
from cleanup_assets.defs.run_tags import NotifiedSync
from cleanup_assets.defs.resources import DatabaseResource, SqsQueueResource
from cleanup_assets.notifications import evaluate_notifications, post_notification, utcnow
from cleanup_assets.schema import rows_to_process_tables
from cleanup_assets.tooling.demo_run import evaluate_sync_sensor

from cleanup_assets.registry import INTEGRATIONS

from .builders import TEST_INTEGRATION_IDS, databases_of, good_devices, rows, seed_providers, stage

# The sensor on one database; the notification checks that once crashed a tick on either
# run on both (test_bad_notifications_…).
BACKENDS = ("sqlite",)


def definitions(database_url, queue: SqsQueueResource | None = None):
    return make_definitions(DatabaseResource(url=database_url, retry_base_delay_seconds=0.01),
                            queue)


def tick(instance, defs):
    """One sensor evaluation, as the daemon does it (partition additions applied)."""
    return evaluate_sync_sensor(instance, defs)


def notify(engine, provider_id, key, **attributes):
    legacy = {"IntegrationType": TEST_INTEGRATION_IDS[key], "ServiceProviderId": provider_id}
    with engine.begin() as conn:
        return post_notification(conn, {**legacy, **attributes})


def add_rows_to_process(engine, table, provider_id, count, **columns):
    """Rows to process of a provider: by ServiceProviderId where the table has one, else by
    the key of devices the provider's carrier table holds (staged here when it has none)."""
    target = rows_to_process_tables[table]
    if "ServiceProviderId" in target.c:
        values = [{"ServiceProviderId": provider_id, **columns} for _ in range(count)]
    else:
        key = next(r.provider_key for i in INTEGRATIONS.values() for r in i.rows_to_process
                   if r.table == table)
        integration = next(i for i in INTEGRATIONS.values()
                           if any(r.table == table for r in i.rows_to_process))
        carrier_key = integration.carrier.key[0]
        held = [r[carrier_key] for r in rows(engine, integration.carrier.table,
                                              ServiceProviderId=provider_id)]
        if len(held) < count:
            stage(engine, integration.key, provider_id, good_devices(provider_id, count))
            held = [r[carrier_key] for r in rows(engine, integration.carrier.table,
                                                  ServiceProviderId=provider_id)]
        values = [{key: held[n], **columns} for n in range(count)]
    with engine.begin() as conn:
        conn.execute(insert(target), values)


def notification(engine, notification_id):
    (row,) = [r for r in rows(engine, "CleanupSyncNotification") if r["id"] == notification_id]
    return row


def finalize_config(request):
    """What the run's steps read: the tags the sensor set (defs/run_tags.py)."""
    notified = NotifiedSync.from_tags(request.tags)
    return {"service_provider_id": notified.service_provider_id,
            "should_queue_carrier_optimization": notified.should_queue_carrier_optimization,
            "optimization_session_id": notified.optimization_session_id,
            "forced": notified.forced}


def test_a_finished_sync_launches_its_partition_run_and_adds_the_tenant(database_url, engine,
                                                                       instance):
    seed_providers(engine, (11, 5, "jasper"))
    nid = notify(engine, 11, "jasper", ShouldQueueCarrierOptimization="True",
                 OptimizationSessionId="77")

    result = tick(instance, definitions(database_url))

    (request,) = result.run_requests
    assert request.partition_key == "jasper|5"
    assert request.run_key == f"sync-notification-{nid}"
    assert finalize_config(request) == {"service_provider_id": 11,
                                        "should_queue_carrier_optimization": True,
                                        "optimization_session_id": 77, "forced": False}
    assert instance.get_dynamic_partitions("tenant") == ["5"]
    assert notification(engine, nid)["Status"] == "launched"
    assert json.loads(result.cursor)["launched"] == 1


def test_rows_left_and_retries_left_mean_no_run_until_the_delay_has_passed(database_url, engine,
                                                                          instance):
    seed_providers(engine, (11, 1, "thingspace"))
    add_rows_to_process(engine, "ThingSpaceDeviceUsageICCICDsToProcess", 11, 4)
    nid = notify(engine, 11, "thingspace", DelayBetweenRetries="300")
    defs = definitions(database_url)

    first, second = tick(instance, defs), tick(instance, defs)

    assert first.run_requests == [] and second.run_requests == []
    # Each tick says why it launched nothing (the UI's tick list shows it).
    assert first.skip_message == (
        "no run requested: 1 notification(s) waiting for their rows to process")
    assert second.skip_message.startswith("no run requested: no sync notification is due")
    row = notification(engine, nid)
    assert (row["Status"], row["RetryCount"], row["RemainingRowsToProcess"]) == ("waiting", 1, 4)
    assert row["NextCheckAt"] - row["ReceivedAt"] >= timedelta(seconds=299)
    databases = databases_of(engine)
    outcome = evaluate_notifications(databases, now=row["NextCheckAt"] - timedelta(seconds=1))
    assert outcome.launches == [] and outcome.waiting == 0  # not due yet: not even counted
    with engine.begin() as conn:  # five minutes later, the carrier has finished
        conn.execute(text('DELETE FROM "ThingSpaceDeviceUsageICCICDsToProcess"'))
    outcome = evaluate_notifications(databases, now=row["NextCheckAt"])
    databases.dispose()
    assert [l.notification_id for l in outcome.launches] == [nid]
    assert outcome.launches[0].forced is False


def test_exhausted_retries_clear_only_that_providers_rows_and_force_the_run(database_url, engine,
                                                                           instance):
    seed_providers(engine, (11, 1, "telegence"), (12, 1, "telegence"))
    table = "TelegenceDeviceDetailIdsToProcess"
    add_rows_to_process(engine, table, 11, 3, IsDeleted=False)
    add_rows_to_process(engine, table, 11, 2, IsDeleted=True)  # not pending: never counted
    add_rows_to_process(engine, table, 12, 6, IsDeleted=False)
    notify(engine, 12, "telegence", DelayBetweenRetries="0")
    nid = notify(engine, 11, "telegence", RetryCount="2", MaxRetries="2", DelayBetweenRetries="0")

    result = tick(instance, definitions(database_url))

    (request,) = result.run_requests
    assert finalize_config(request)["service_provider_id"] == 11
    assert finalize_config(request)["forced"] is True
    assert notification(engine, nid)["Reason"] == "3 rows to process left after 2 retries"
    remaining = [r["ServiceProviderId"] for r in rows(engine, table)]
    assert remaining == [12] * 6  # provider 12's pending work is untouched


def test_ebonding_stops_waiting_once_the_count_stops_moving(database_url, engine, instance):
    seed_providers(engine, (11, 2, "ebonding"))
    add_rows_to_process(engine, "eBondingDeviceDetailIdsToProcess", 11, 2, RetryCount=0)
    add_rows_to_process(engine, "eBondingDeviceUsageIdsToProcess", 11, 1, RetryCount=1)
    add_rows_to_process(engine, "eBondingDeviceUsageIdsToProcess", 11, 5, RetryCount=2)  # given up
    nid = notify(engine, 11, "ebonding", DelayBetweenRetries="0")
    defs = definitions(database_url)

    first = tick(instance, defs)
    second = tick(instance, defs)

    assert first.run_requests == []
    assert notification(engine, nid)["RemainingRowsToProcess"] == 3
    (request,) = second.run_requests
    assert finalize_config(request)["forced"] is True
    assert notification(engine, nid)["Reason"] == "3 rows to process, unchanged since the last check"
    assert rows(engine, "eBondingDeviceDetailIdsToProcess") == []
    assert rows(engine, "eBondingDeviceUsageIdsToProcess") == []


def test_the_optimization_flag_and_session_survive_every_wait(database_url, engine, instance):
    seed_providers(engine, (11, 1, "rogers"))
    add_rows_to_process(engine, "JasperDeviceUsageICCICDsToProcess", 11, 1)
    notify(engine, 11, "rogers", ShouldQueueCarrierOptimization="True",
           OptimizationSessionId="9001", DelayBetweenRetries="0")
    defs = definitions(database_url)
    for _ in range(3):
        assert tick(instance, defs).run_requests == []
    with engine.begin() as conn:
        conn.execute(text('DELETE FROM "JasperDeviceUsageICCICDsToProcess"'))

    (request,) = tick(instance, defs).run_requests

    config = finalize_config(request)
    assert (config["should_queue_carrier_optimization"], config["optimization_session_id"],
            config["forced"]) == (True, 9001, False)


def test_two_providers_of_one_partition_finish_waiting_independently(database_url, engine,
                                                                    instance):
    seed_providers(engine, (11, 1, "jasper"), (12, 1, "jasper"))
    add_rows_to_process(engine, "JasperDeviceUsageICCICDsToProcess", 12, 2)
    notify(engine, 11, "jasper", DelayBetweenRetries="0")
    waiting = notify(engine, 12, "jasper", DelayBetweenRetries="0")

    (request,) = tick(instance, definitions(database_url)).run_requests

    assert finalize_config(request)["service_provider_id"] == 11
    assert notification(engine, waiting)["Status"] == "waiting"
    assert len(rows(engine, "JasperDeviceUsageICCICDsToProcess")) == 2


def test_a_daemon_restart_resumes_with_the_same_retry_counts(database_url, engine):
    seed_providers(engine, (11, 1, "pond"))
    add_rows_to_process(engine, "PondDeviceStatusICCIDsToProcess", 11, 1, IsDeleted=False)
    nid = notify(engine, 11, "pond", MaxRetries="2", DelayBetweenRetries="0")
    with dg.instance_for_test() as before_restart:
        tick(before_restart, definitions(database_url))
        tick(before_restart, definitions(database_url))
    assert notification(engine, nid)["RetryCount"] == 2

    with dg.instance_for_test() as after_restart:  # a new daemon, new instance, new code load
        (request,) = tick(after_restart, definitions(database_url)).run_requests

    assert finalize_config(request)["forced"] is True
    assert notification(engine, nid)["Reason"] == "1 rows to process left after 2 retries"


BAD_NOTIFICATIONS = [  # (attributes over a good Jasper notification of provider 11, reason)
    ({"IntegrationType": "999"},
     "IntegrationType 999 is not an integration this location finalizes "
     "(see CLEANUP_INTEGRATION_IDS)"),
    ({"ServiceProviderId": "404"}, "service provider 404 does not exist"),
    ({"IntegrationType": str(TEST_INTEGRATION_IDS["thingspace"])},
     f"service provider 11 belongs to integration {TEST_INTEGRATION_IDS['jasper']}, not "
     f"{TEST_INTEGRATION_IDS['thingspace']} (ThingSpace)"),
    ({"ServiceProviderId": "eleven"}, "ServiceProviderId 'eleven' is not a whole number"),
    ({"RetryCount": "-1"}, "RetryCount -1 is negative"),
    ({"MaxRetries": "1.5"}, "MaxRetries '1.5' is not a whole number"),
    ({"ShouldQueueCarrierOptimization": "maybe"},
     "ShouldQueueCarrierOptimization 'maybe' is not true or false"),
    ({"IntegrationType": None}, "IntegrationType is missing"),
    ({"IntegrationType": None, "ServiceProviderId": "404"},
     "service provider 404 does not exist"),
    # beyond the columns' ranges or the date range: one such message once stopped every tick
    ({"MaxRetries": "99999999999"}, "MaxRetries 99999999999 is larger than 2147483647"),
    ({"OptimizationSessionId": str(2**64)},
     f"OptimizationSessionId {2**64} is larger than {2**63 - 1}"),
    ({"DelayBetweenRetries": str(10**12)}, "DelayBetweenRetries 1000000000000 is larger than "
                                           "604800"),
    # past Python's int() digit limit (4,300): its own ValueError once failed every tick
    ({"ServiceProviderId": "1" * 5000}, "ServiceProviderId of 5000 digits is larger than "
                                        "2147483647"),
]


@pytest.mark.backends("sqlite", "postgresql")  # column ranges differ by database
def test_bad_notifications_are_rejected_with_their_reason_and_never_stop_a_tick(
        database_url, engine, instance):
    seed_providers(engine, (11, 1, "jasper"), (12, 1, "jasper"))
    bad = [notify(engine, 11, "jasper", **attributes) for attributes, _ in BAD_NOTIFICATIONS]
    good = notify(engine, 12, "jasper")
    defs = definitions(database_url)

    first = tick(instance, defs)
    second = tick(instance, defs)

    assert [finalize_config(r)["service_provider_id"] for r in first.run_requests] == [12]
    assert second.run_requests == []
    assert [(notification(engine, n)["Status"], notification(engine, n)["Reason"])
            for n in bad] == [("rejected", reason) for _, reason in BAD_NOTIFICATIONS]
    assert notification(engine, good)["Status"] == "launched"
    assert json.loads(first.cursor)["rejected"] == len(BAD_NOTIFICATIONS)


@pytest.mark.parametrize("text", ["1_1", "\uff11\uff11", " 1 1", "0x10", "1e3", "+11"])
def test_numbers_are_ascii_digits_only(text):
    from cleanup_assets.notifications import BadNotification, parse_attributes

    with pytest.raises(BadNotification, match="is not a whole number"):
        parse_attributes({"IntegrationType": "1", "ServiceProviderId": text})


def test_an_inactive_provider_is_rejected(database_url, engine, instance):
    seed_providers(engine, (11, 1, "teal"))
    with engine.begin() as conn:
        conn.execute(text('UPDATE "ServiceProvider" SET "IsActive" = :no'), {"no": False})
    nid = notify(engine, 11, "teal")

    assert tick(instance, definitions(database_url)).run_requests == []
    assert notification(engine, nid)["Reason"] == "service provider 11 is not active"


def test_run_requests_per_tick_are_capped_and_the_rest_follow(database_url, engine, instance):
    seed_providers(engine, *[(100 + n, 1, "teal") for n in range(30)])
    for n in range(30):
        notify(engine, 100 + n, "teal")
    defs = definitions(database_url)

    first, second = tick(instance, defs), tick(instance, defs)

    assert len(first.run_requests) == 25 and json.loads(first.cursor)["deferred"] == 5
    assert len(second.run_requests) == 5
    keys = {r.run_key for r in first.run_requests + second.run_requests}
    assert len(keys) == 30


def test_a_launch_whose_run_never_appeared_is_requested_again(database_url, engine, instance):
    seed_providers(engine, (11, 1, "jasper"))
    nid = notify(engine, 11, "jasper")
    defs = definitions(database_url)
    (first,) = tick(instance, defs).run_requests  # the daemon died before creating the run
    assert tick(instance, defs).run_requests == []  # within the grace period: no repeat
    with engine.begin() as conn:  # three minutes later
        conn.execute(text('UPDATE "CleanupSyncNotification" SET "DecidedAt" = :t'),
                     {"t": utcnow() - timedelta(minutes=3)})

    (again,) = tick(instance, defs).run_requests

    assert again.run_key == first.run_key == f"sync-notification-{nid}"
    assert finalize_config(again) == finalize_config(first)


def test_a_launch_whose_run_exists_is_not_requested_again(database_url, engine, instance):
    seed_providers(engine, (11, 1, "jasper"))
    notify(engine, 11, "jasper")
    defs = definitions(database_url)
    (request,) = tick(instance, defs).run_requests
    defs.resolve_job_def("finalize_device_sync").execute_in_process(
        instance=instance, partition_key=request.partition_key, run_config=request.run_config,
        tags=request.tags)
    with engine.begin() as conn:
        conn.execute(text('UPDATE "CleanupSyncNotification" SET "DecidedAt" = :t'),
                     {"t": utcnow() - timedelta(minutes=3)})

    assert tick(instance, defs).run_requests == []


def test_rows_without_a_provider_column_are_attributed_through_the_carrier_table(
        database_url, engine, instance):
    seed_providers(engine, (11, 1, "pond"), (12, 1, "pond"))
    add_rows_to_process(engine, "PondDeviceStatusICCIDsToProcess", 11, 2, IsDeleted=False)
    add_rows_to_process(engine, "PondDeviceStatusICCIDsToProcess", 12, 3, IsDeleted=False)
    notify(engine, 11, "pond", MaxRetries="0", DelayBetweenRetries="0")  # forced at once

    (request,) = tick(instance, definitions(database_url)).run_requests

    assert finalize_config(request)["forced"] is True
    left = {r["ICCID"] for r in rows(engine, "PondDeviceStatusICCIDsToProcess")}
    assert left == {r["ICCID"] for r in rows(engine, "PondDevice", ServiceProviderId=12)[:3]}


def test_a_table_with_neither_is_counted_whole_and_the_tick_says_so(database_url, engine,
                                                                     instance):
    from cleanup_assets.sql.rows_to_process import forget_table_columns

    table = "eBondingDeviceDetailIdsToProcess"
    with engine.begin() as conn:  # as the legacy's table may be: no ServiceProviderId
        conn.execute(text(f'ALTER TABLE "{table}" DROP COLUMN "ServiceProviderId"'))
    forget_table_columns()
    try:
        seed_providers(engine, (11, 1, "ebonding"), (12, 1, "ebonding"))
        with engine.begin() as conn:
            conn.execute(text(f'INSERT INTO "{table}" ("RetryCount") VALUES (0), (0)'))
        notify(engine, 11, "ebonding", MaxRetries="0", DelayBetweenRetries="0")

        result = tick(instance, definitions(database_url))
        (request,) = result.run_requests

        assert finalize_config(request)["forced"] is True
        with engine.connect() as conn:  # the legacy rule: the whole table
            assert conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() == 0
        assert json.loads(result.cursor)["counted_whole_table"] == [table]
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'ALTER TABLE "{table}" ADD COLUMN "ServiceProviderId" INTEGER'))
        forget_table_columns()


@pytest.mark.backends("postgresql")
def test_an_outage_of_the_jasper_database_delays_only_the_jasper_family(
        database_url, engine, instance):
    """The Jasper family's rows to process live in the Jasper database: while it is down
    ThingSpace, which needs only the central one, is launched all the same (issue 21)."""
    seed_providers(engine, (11, 1, "jasper"), (12, 1, "thingspace"))
    jasper, thingspace = notify(engine, 11, "jasper"), notify(engine, 12, "thingspace")
    down = make_definitions(DatabaseResource(
        url=database_url, jasper_url="postgresql+psycopg://postgres@127.0.0.1:1/jasper",
        retry_base_delay_seconds=0.01))

    during = tick(instance, down)

    assert [finalize_config(r)["service_provider_id"] for r in during.run_requests] == [12]
    assert notification(engine, jasper)["Status"] == "pending"  # left as it was
    assert json.loads(during.cursor)["database_unavailable"] == ["jasper"]
    back = tick(instance, definitions(database_url))  # the Jasper database is back
    assert [finalize_config(r)["service_provider_id"] for r in back.run_requests] == [11]
    assert notification(engine, thingspace)["Status"] == "launched"

"""The sync sensor, evaluated against a real Dagster instance and a real database."""

from __future__ import annotations

import ast
import logging
from datetime import timedelta

import dagster as dg
import pytest
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url

from cleanup_assets.definitions import make_definitions
from cleanup_assets.defs.run_tags import RUN_KEY_TAG
from cleanup_assets.defs.resources import DatabaseResource
from cleanup_assets.notifications import evaluate_notifications, utcnow
from cleanup_assets.schema import rows_to_process_tables

from cleanup_assets.registry import INTEGRATIONS

from .builders import (
    NO_WAIT,
    TEST_INTEGRATION_IDS,
    databases_of,
    definitions,
    finalize_config,
    good_devices,
    notify,
    rows,
    seed_providers,
    stage,
    tick,
)

# The sensor on one database; the notification checks that once crashed a tick on either
# run on both (test_bad_notifications_…).
BACKENDS = ("sqlite",)
# The sensor is evaluated as the daemon does: on a stored instance (conftest.instance).
pytestmark = pytest.mark.stored_instance


class TickLog(logging.Handler):
    """The messages a tick logged (what the UI shows under the tick)."""

    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    @property
    def summary(self) -> dict:
        """The tick's closing line, ``sync sensor tick: {...}``."""
        (line,) = [l for l in self.lines if l.startswith("sync sensor tick: ")]
        return ast.literal_eval(line.removeprefix("sync sensor tick: "))


def run(instance, defs, request):
    """The run the daemon would launch for a request, executed in process."""
    return defs.resolve_job_def("finalize_device_sync").execute_in_process(
        instance=instance, partition_key=request.partition_key, run_config=request.run_config,
        tags={**request.tags, RUN_KEY_TAG: request.run_key}, raise_on_error=False)


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


def step_log(instance, result, step: str = "finalize_device_tables") -> list[str]:
    """What a step of the run logged (the run's log in the UI), in order."""
    return [entry.user_message for entry in instance.all_logs(result.run_id)
            if entry.step_key == step and entry.dagster_event is None]


def notification(engine, notification_id):
    (row,) = [r for r in rows(engine, "CleanupSyncNotification") if r["id"] == notification_id]
    return row


def test_a_finished_sync_launches_its_partition_run_and_adds_the_tenant(database_url, engine,
                                                                       instance):
    seed_providers(engine, (11, 5, "jasper"))
    nid = notify(engine, 11, "jasper", ShouldQueueCarrierOptimization="True",
                 OptimizationSessionId="77")
    log = TickLog()

    result = tick(instance, definitions(database_url), log)

    (request,) = result.run_requests
    assert request.partition_key == "jasper|5"
    assert request.run_key == f"sync-notification-{nid}"
    assert finalize_config(request) == {"service_provider_id": 11,
                                        "should_queue_carrier_optimization": True,
                                        "optimization_session_id": 77, "forced": False}
    assert instance.get_dynamic_partitions("tenant") == ["5"]
    assert notification(engine, nid)["Status"] == "launched"
    assert log.summary["launched"] == 1  # the tick's log line (it was the cursor)
    assert result.cursor is None  # the inbox holds the state: the sensor keeps no cursor


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


@pytest.mark.runs
def test_exhausted_retries_clear_only_that_providers_rows_and_force_the_run(database_url, engine,
                                                                           instance):
    seed_providers(engine, (11, 1, "telegence"), (12, 1, "telegence"))
    table = "TelegenceDeviceDetailIdsToProcess"
    add_rows_to_process(engine, table, 11, 3, IsDeleted=False)
    add_rows_to_process(engine, table, 11, 2, IsDeleted=True)  # not pending: never counted
    add_rows_to_process(engine, table, 12, 6, IsDeleted=False)
    notify(engine, 12, "telegence", DelayBetweenRetries="0")
    nid = notify(engine, 11, "telegence", RetryCount="2", MaxRetries="2", DelayBetweenRetries="0")
    defs = definitions(database_url)

    result = tick(instance, defs)

    (request,) = result.run_requests
    assert finalize_config(request)["service_provider_id"] == 11
    assert finalize_config(request)["forced"] is True
    assert notification(engine, nid)["Reason"] == "3 rows to process left after 2 retries"
    # The tick decides; the run's first step clears (it was the tick's doing).
    assert len(rows(engine, table)) == 11
    assert run(instance, defs, request).success
    remaining = [r["ServiceProviderId"] for r in rows(engine, table)]
    assert remaining == [12] * 6  # provider 12's pending work is untouched


@pytest.mark.runs
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
    assert run(instance, defs, request).success  # its first step clears (it was the tick's)
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
    log = TickLog()

    first = tick(instance, defs, log)
    second = tick(instance, defs)

    assert [finalize_config(r)["service_provider_id"] for r in first.run_requests] == [12]
    assert second.run_requests == []
    assert [(notification(engine, n)["Status"], notification(engine, n)["Reason"])
            for n in bad] == [("rejected", reason) for _, reason in BAD_NOTIFICATIONS]
    assert notification(engine, good)["Status"] == "launched"
    assert log.summary["rejected"] == len(BAD_NOTIFICATIONS)  # the tick's log line (was the
    # cursor)


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
    log = TickLog()

    first, second = tick(instance, defs, log), tick(instance, defs)

    assert len(first.run_requests) == 25 and log.summary["deferred"] == 5  # (was the cursor)
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


@pytest.mark.runs
def test_rows_without_a_provider_column_are_attributed_through_the_carrier_table(
        database_url, engine, instance):
    seed_providers(engine, (11, 1, "pond"), (12, 1, "pond"))
    add_rows_to_process(engine, "PondDeviceStatusICCIDsToProcess", 11, 2, IsDeleted=False)
    add_rows_to_process(engine, "PondDeviceStatusICCIDsToProcess", 12, 3, IsDeleted=False)
    notify(engine, 11, "pond", MaxRetries="0", DelayBetweenRetries="0")  # forced at once
    defs = definitions(database_url)

    (request,) = tick(instance, defs).run_requests

    assert finalize_config(request)["forced"] is True
    assert run(instance, defs, request).success  # its first step clears (it was the tick's)
    left = {r["ICCID"] for r in rows(engine, "PondDeviceStatusICCIDsToProcess")}
    assert left == {r["ICCID"] for r in rows(engine, "PondDevice", ServiceProviderId=12)[:3]}


@pytest.mark.runs
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
        defs, log = definitions(database_url), TickLog()

        result = tick(instance, defs, log)
        (request,) = result.run_requests

        assert finalize_config(request)["forced"] is True
        assert log.summary["counted_whole_table"] == [table]  # the tick's line (was the cursor)
        finalized = run(instance, defs, request)  # its first step clears (it was the tick's)
        assert finalized.success
        with engine.connect() as conn:  # the legacy rule: the whole table
            assert conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() == 0
        # ... and the run says so where it did it
        assert any(f"{table} cleared whole" in message for message in step_log(instance, finalized))
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
    log = TickLog()

    during = tick(instance, down, log)

    assert [finalize_config(r)["service_provider_id"] for r in during.run_requests] == [12]
    assert notification(engine, jasper)["Status"] == "pending"  # left as it was
    assert log.summary["database_unavailable"] == ["jasper"]  # the tick's line (was the cursor)
    back = tick(instance, definitions(database_url))  # the Jasper database is back
    assert [finalize_config(r)["service_provider_id"] for r in back.run_requests] == [11]
    assert notification(engine, thingspace)["Status"] == "launched"


# --- the run acts: a forced launch's rows to process are cleared by its first step ---------

FORCED_TABLE = "ThingSpaceDeviceUsageICCICDsToProcess"


def forced_launch(engine, instance, defs, rows_left: int = 3):
    """Provider 11 (ThingSpace, tenant 1) notified with rows to process left and no retry:
    the tick's one run request — forced — and the notification's id."""
    add_rows_to_process(engine, FORCED_TABLE, 11, rows_left)
    nid = notify(engine, 11, "thingspace", MaxRetries="0", DelayBetweenRetries="0")
    (request,) = tick(instance, defs).run_requests
    assert finalize_config(request)["forced"] is True
    return request, nid


def listed(notification_id, database_url, monkeypatch, capsys) -> str:
    """The notification's line in `cleanup-assets notifications`."""
    from cleanup_assets.tooling.cli import main

    monkeypatch.setenv("CLEANUP_DATABASE_URL", database_url)
    capsys.readouterr()
    assert main(["notifications"]) == 0
    (line,) = [l for l in capsys.readouterr().out.splitlines()
               if l.startswith(f"{notification_id} ")]
    return line


@pytest.mark.runs
def test_a_forced_runs_first_step_clears_that_providers_rows_and_marks_the_sync_forced(
        database_url, engine, instance, monkeypatch, capsys):
    seed_providers(engine, (11, 1, "thingspace"), (12, 1, "thingspace"))
    table = FORCED_TABLE
    add_rows_to_process(engine, table, 12, 4)  # provider 12's sync is still running
    defs = definitions(database_url)
    request, nid = forced_launch(engine, instance, defs, rows_left=3)
    assert len(rows(engine, table)) == 7  # the tick decided; it deleted nothing
    assert listed(nid, database_url, monkeypatch, capsys).endswith(
        "; rows to process not cleared yet (its run clears them first)")

    result = run(instance, defs, request)

    assert result.success
    assert [r["ServiceProviderId"] for r in rows(engine, table)] == [12] * 4
    cleared = (f"notification {nid}, provider 11: rows to process cleared before finalizing "
               f"(rows deleted: {table} 3)")
    logged = step_log(instance, result)
    finalized = next(i for i, line in enumerate(logged) if line.startswith("thingspace|1 "))
    assert logged.index(f"forced sync: {cleared}") < finalized  # first, then the devices
    (sync,) = rows(engine, "CleanupDeviceSync")  # the run marks its sync forced
    assert (sync["Forced"], sync["Complete"], sync["RunId"]) == (True, False, result.run_id)
    assert notification(engine, nid)["RowsClearedByRun"] == result.run_id
    assert listed(nid, database_url, monkeypatch, capsys).endswith(f" by run {result.run_id}")
    (carrier,) = [e.event_specific_data.materialization for e in
                  result.get_asset_materialization_events()
                  if e.event_specific_data.materialization.asset_key.path == ["carrier_devices"]]
    assert carrier.metadata["rows_to_process_cleared"].value == cleared


@pytest.mark.runs
def test_a_retry_or_re_execution_of_a_forced_run_leaves_a_later_syncs_rows_alone(
        database_url, engine, instance):
    seed_providers(engine, (11, 1, "thingspace"))
    table = FORCED_TABLE
    defs = definitions(database_url)
    request, nid = forced_launch(engine, instance, defs)
    first = run(instance, defs, request)
    assert first.success and rows(engine, table) == []
    add_rows_to_process(engine, table, 11, 2)  # the provider's next sync has begun

    again = run(instance, defs, request)  # the same tags: a re-execution or a retry

    assert again.success
    assert len(rows(engine, table)) == 2  # the next sync's rows are still there
    (line,) = [l for l in step_log(instance, again) if l.startswith("forced sync: ")]
    assert line.startswith(f"forced sync: notification {nid}, provider 11: its rows to process "
                           f"were claimed for clearing by run {first.run_id} at ")
    assert line.endswith("; not again (rows queued since belong to a later sync of the "
                         "provider)")


@pytest.mark.runs
def test_a_forced_run_that_starts_after_the_providers_next_notification_clears_nothing(
        database_url, engine, instance):
    """The run waited in the queue (or failed and is re-executed days later, or was decided
    before RowsClearedAt existed): the provider's next sync has staged and notified since,
    so the rows to process are that sync's."""
    seed_providers(engine, (11, 1, "thingspace"))
    table = FORCED_TABLE
    defs = definitions(database_url)
    request, nid = forced_launch(engine, instance, defs, rows_left=3)
    later = notify(engine, 11, "thingspace")  # the next sync of provider 11 finished staging
    assert tick(instance, defs).run_requests == []  # read; it waits on the rows left

    result = run(instance, defs, request)

    assert result.success
    assert len(rows(engine, table)) == 3
    assert notification(engine, nid)["RowsClearedAt"] is None
    (line,) = [l for l in step_log(instance, result) if l.startswith("forced sync: ")]
    assert line == (f"forced sync: notification {nid}, provider 11: nothing cleared — "
                    f"notification {later} of the provider came after this one: the rows to "
                    "process now belong to that later sync")


@pytest.mark.runs
@pytest.mark.backends("postgresql")  # a real lock and a real statement timeout
def test_a_clearing_that_keeps_failing_is_retried_then_fails_the_step_and_finalizes_nothing(
        database_url, engine, instance):
    seed_providers(engine, (11, 1, "thingspace"))
    table = FORCED_TABLE
    request, nid = forced_launch(engine, instance, definitions(database_url))
    # The run's statements give up after half a second (PostgreSQL's statement_timeout: a
    # command timeout, retried for our own statements), while another session locks the
    # table the clearing deletes from.
    impatient = make_url(database_url).update_query_dict(
        {"options": "-c statement_timeout=500"}).render_as_string(hide_password=False)
    with engine.connect() as other_session:
        other_session.execute(text(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE'))
        failed = run(instance, definitions(impatient), request)
        other_session.rollback()

    assert not failed.success
    (failure,) = failed.get_step_failure_events()
    assert failure.step_key == "finalize_device_tables"
    message = failure.step_failure_data.user_failure_data.description
    assert message.startswith(
        f"notification {nid} forced the sync of provider 11 (ThingSpace): its rows to process "
        "could not be cleared in the central database (OperationalError: "
        "(psycopg.errors.QueryCanceled) canceling statement due to statement timeout; 4 tries). "
        "Nothing was finalized and the rows remain")
    assert "AltaworxJasperGetDevicesCleanup.cs:175-180" in message
    assert message.endswith("Re-execute this run once the central database is reachable: it "
                            "clears them first.")
    retried = [l for l in step_log(instance, failed) if l.startswith("transient database error")]
    assert retried == [f"transient database error on try {n} (QueryCanceled); its transaction "
                       "was rolled back and is retried" for n in (1, 2, 3)]
    assert len(rows(engine, table)) == 3  # the rows remain
    (sync,) = rows(engine, "CleanupDeviceSync")  # the sync's ledger row says why
    assert (sync["Status"], sync["Forced"]) == ("failed", True)
    assert sync["Error"].startswith("RowsNotCleared: notification")
    assert notification(engine, nid)["RowsClearedAt"] is None
    assert failed.get_asset_materialization_events() == []  # nothing finalized, nothing after

    retried_run = run(instance, definitions(database_url), request)  # the lock is gone

    assert retried_run.success and rows(engine, table) == []


def test_a_clearing_in_the_jasper_database_is_claimed_first_so_it_never_runs_twice(tmp_path):
    """The Jasper family's rows to process live in the Jasper database, its notification in
    the central one: two commits. The claim comes first — if it fails nothing is deleted
    (the other order deleted, then failed to record it, and a re-execution deleted again,
    taking what the provider's next sync had queued meanwhile) — and a clearing that fails
    gives the claim back, so that a re-execution clears."""
    import dataclasses

    from sqlalchemy import func, select, update

    from cleanup_assets.db import connect_databases
    from cleanup_assets.schema import create_schema, sync_notification
    from cleanup_assets.sql.finalize import (
        FinalizeRequest,
        RowsNotCleared,
        clear_forced_rows,
    )

    databases = connect_databases(f"sqlite:///{tmp_path / 'central.db'}",
                                  f"sqlite:///{tmp_path / 'jasper.db'}")
    create_schema(databases)
    seed_providers(databases.central, (11, 1, "jasper"))
    table = "JasperDeviceUsageICCICDsToProcess"
    add_rows_to_process(databases.jasper, table, 11, 3)
    nid = notify(databases.central, 11, "jasper")
    with databases.central.begin() as conn:  # what the sensor decided: a forced launch
        conn.execute(update(sync_notification).where(sync_notification.c.id == nid)
                     .values(ServiceProviderId=11, Status="launched", Forced=True))
    request = FinalizeRequest(INTEGRATIONS["jasper"], "1", 11, forced=True, run_id="run-1",
                              notification_id=nid)
    rows_table = rows_to_process_tables[table]

    def left():
        with databases.jasper.connect() as conn:
            return conn.execute(select(func.count()).select_from(rows_table)).scalar()

    def refuse(engine, name, sql):
        with engine.begin() as conn:
            conn.execute(text(f"CREATE TRIGGER {name} {sql} BEGIN "
                              "SELECT RAISE(ABORT, 'refused by the test'); END"))

    def allow(engine, name):
        with engine.begin() as conn:
            conn.execute(text(f"DROP TRIGGER {name}"))

    # The central database refuses the claim: nothing is deleted in the Jasper database.
    refuse(databases.central, "no_claim",
           'BEFORE UPDATE OF "RowsClearedAt" ON "CleanupSyncNotification"')
    with pytest.raises(RowsNotCleared, match="could not be marked as clearing"):
        clear_forced_rows(databases, request, retry=NO_WAIT)
    assert left() == 3
    allow(databases.central, "no_claim")

    # The Jasper database refuses the delete: the claim is given back, the rows remain.
    refuse(databases.jasper, "no_delete", f'BEFORE DELETE ON "{table}"')
    with pytest.raises(RowsNotCleared, match="could not be cleared in the Jasper database"):
        clear_forced_rows(databases, request, retry=NO_WAIT)
    assert left() == 3
    assert notification(databases.central, nid)["RowsClearedAt"] is None
    allow(databases.jasper, "no_delete")

    cleared = clear_forced_rows(databases, request, retry=NO_WAIT)  # the re-execution
    assert (cleared.rows, left()) == ({table: 3}, 0)
    assert notification(databases.central, nid)["RowsClearedByRun"] == "run-1"

    # The next forced sync: the delete refused and the central database refusing to take
    # the claim back — the message says the notification reads as cleared, and a
    # re-execution (another run) does not delete (it cannot tell).
    add_rows_to_process(databases.jasper, table, 11, 2)
    later = notify(databases.central, 11, "jasper")
    with databases.central.begin() as conn:
        conn.execute(update(sync_notification).where(sync_notification.c.id == later)
                     .values(ServiceProviderId=11, Status="launched", Forced=True))
    request = FinalizeRequest(INTEGRATIONS["jasper"], "1", 11, forced=True, run_id="run-2",
                              notification_id=later)
    refuse(databases.jasper, "no_delete", f'BEFORE DELETE ON "{table}"')
    refuse(databases.central, "no_give_back", 'BEFORE UPDATE OF "RowsClearedAt" ON '
           '"CleanupSyncNotification" WHEN NEW."RowsClearedAt" IS NULL')
    with pytest.raises(RowsNotCleared, match="did not take back the notification's claim"):
        clear_forced_rows(databases, request, retry=NO_WAIT)
    assert notification(databases.central, later)["RowsClearedByRun"] == "run-2"
    allow(databases.jasper, "no_delete")
    allow(databases.central, "no_give_back")
    again = clear_forced_rows(databases, dataclasses.replace(request, run_id="run-3"),
                              retry=NO_WAIT)
    assert (again.rows, again.earlier.startswith("run run-2 at "), left()) == ({}, True, 2)
    databases.dispose()


def test_before_the_schema_exists_each_database_sensor_waits_saying_how_to_create_it(
        tmp_path, instance):
    """`dagster dev` started before `cleanup-assets init-db`: each sensor that reads the
    database skips its tick naming what is missing and the command that creates it (a
    traceback every tick before), and acts once the schema is there."""
    from cleanup_assets.db import connect_databases
    from cleanup_assets.schema import create_schema

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    defs = definitions(url)
    names = ("sync_notification_sensor", "carrier_freshness_sensor", "stop_optimization_sweep")

    def evaluated(name):
        with dg.build_sensor_context(instance=instance, resources=defs.resources) as context:
            return defs.resolve_sensor_def(name)(context)

    for name in names:
        skipped = evaluated(name)
        assert isinstance(skipped, dg.SkipReason), (name, skipped)
        assert skipped.skip_message.startswith("the database has no schema of ours yet ("), name
        assert "run `cleanup-assets init-db`" in skipped.skip_message, name

    databases = connect_databases(url)
    create_schema(databases)
    databases.dispose()
    for name in names:  # the schema there: no skip of that kind
        result = evaluated(name)
        message = getattr(result, "skip_message", None) or ""
        assert "no schema of ours" not in message, (name, message)


def test_a_commit_whose_answer_is_lost_never_makes_the_jasper_clearing_run_twice(tmp_path):
    """The driver commits, then reports the link lost (SQLite's "closed database", a
    disconnect to SQLAlchemy): the commit landed, the caller cannot know. The clearing's
    delete is then never retried — the rows the provider's next sync queued meanwhile stay —
    and its claim is kept, the message saying the delete may stand; a claim whose commit's
    answer was lost is recognised on the retry as this run's, and the clearing goes on."""
    import sqlite3

    from sqlalchemy import update

    from cleanup_assets.db import TransientRetry, connect_databases
    from cleanup_assets.schema import create_schema, sync_notification
    from cleanup_assets.sql.finalize import FinalizeRequest, RowsNotCleared, clear_forced_rows

    databases = connect_databases(f"sqlite:///{tmp_path / 'central.db'}",
                                  f"sqlite:///{tmp_path / 'jasper.db'}")
    create_schema(databases)
    seed_providers(databases.central, (11, 1, "jasper"))
    table = "JasperDeviceUsageICCICDsToProcess"

    def forced(run_id):
        nid = notify(databases.central, 11, "jasper")
        with databases.central.begin() as conn:
            conn.execute(update(sync_notification).where(sync_notification.c.id == nid)
                         .values(ServiceProviderId=11, Status="launched", Forced=True))
        return nid, FinalizeRequest(INTEGRATIONS["jasper"], "1", 11, forced=True,
                                    run_id=run_id, notification_id=nid)

    def left():
        return len(rows(databases.jasper, table))

    def answer_lost_once(engine, meanwhile=lambda: None, after=0):
        """The engine's commit number ``after + 1`` from now loses its answer."""
        dialect, real = engine.dialect, engine.dialect.do_commit
        commits = []

        def do_commit(dbapi_connection):
            real(dbapi_connection)
            commits.append(1)
            if len(commits) <= after:
                return
            dialect.do_commit = real
            meanwhile()
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")

        dialect.do_commit = do_commit

    # The delete's commit: landed, answer lost; the next sync queues 2 rows meanwhile.
    add_rows_to_process(databases.jasper, table, 11, 3)
    nid, request = forced("run-1")
    answer_lost_once(databases.jasper,
                     meanwhile=lambda: add_rows_to_process(databases.jasper, table, 11, 2))
    with pytest.raises(RowsNotCleared, match=r"were deleted \(3 of JasperDeviceUsage.*the "
                                             "commit's answer was lost"):
        clear_forced_rows(databases, request, retry=NO_WAIT)
    assert left() == 2  # deleted once: the next sync's rows were not deleted by a retry
    assert notification(databases.central, nid)["RowsClearedByRun"] == "run-1"  # kept

    # The claim's commit: landed, answer lost, and no try left: the claim is given back
    # (nothing was deleted), so that a re-execution clears.
    add_rows_to_process(databases.jasper, table, 11, 1)
    nid, request = forced("run-1b")
    answer_lost_once(databases.central, after=1)  # after the read of the decision
    with pytest.raises(RowsNotCleared, match="could not be marked as clearing"):
        clear_forced_rows(databases, request,
                          retry=TransientRetry(attempts=1, base_delay_seconds=0))
    assert (notification(databases.central, nid)["RowsClearedByRun"], left()) == (None, 3)

    # The claim's commit: landed, answer lost; the retry finds this run's claim and clears.
    nid, request = forced("run-2")
    answer_lost_once(databases.central, after=1)  # after the read of the decision
    cleared = clear_forced_rows(databases, request, retry=NO_WAIT)
    assert (cleared.rows, cleared.earlier, left()) == ({table: 3}, None, 0)
    assert notification(databases.central, nid)["RowsClearedByRun"] == "run-2"
    databases.dispose()


def test_with_our_schema_half_there_the_sensor_fails_naming_the_fix(tmp_path, instance):
    """Not the "no schema yet" skip: a table of ours missing beside the others (a release's
    DDL half applied) fails the tick saying what is missing and how to add it."""
    from cleanup_assets.db import connect_databases
    from cleanup_assets.schema import MissingTablesError, create_schema

    url = f"sqlite:///{tmp_path / 'half.db'}"
    databases = connect_databases(url)
    create_schema(databases)
    with databases.central.begin() as conn:
        conn.execute(text('DROP TABLE "CleanupSyncNotification"'))
    databases.dispose()
    defs = definitions(url)
    with dg.build_sensor_context(instance=instance, resources=defs.resources) as context:
        with pytest.raises(MissingTablesError, match="CleanupSyncNotification.*init-db"):
            defs.resolve_sensor_def("sync_notification_sensor")(context)

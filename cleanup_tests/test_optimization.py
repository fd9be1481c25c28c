"""The optimization gate and handover, against real servers: SQS on a moto server (standard
and FIFO), AMOP 2.0 on a local HTTP server, email on an aiosmtpd SMTP server."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import boto3
import dagster as dg
import pytest
from sqlalchemy import insert, text

from cleanup_assets.definitions import make_definitions
from cleanup_assets.defs.resources import (
    Amop20,
    AmopHttp,
    AmopOutbox,
    DatabaseResource,
    OutboxQueue,
    SmtpMailer,
    SqsQueue,
)
from cleanup_assets.defs.sync_sensor.sensors import notified_tags
from cleanup_assets.notifications import Launch
from cleanup_assets.outbox import read_json
from cleanup_assets.schema import billing_period, optimization_handover

from .builders import (
    TEST_INTEGRATION_IDS,
    good_devices,
    rows,
    run_notified,
    seed_providers,
    seed_session,
    stage,
    stop_mails,
    stop_sensor_sees,
)
from .servers import AmopServer, SmtpServer, free_port

# Each test executes Dagster jobs in process (seconds each): not in `scripts/test --fast`.
pytestmark = pytest.mark.runs

# The Dagster shell and the handover: dialect-free (the SQL runs on both in test_finalize).
BACKENDS = ("sqlite",)


@pytest.fixture
def amop():
    with AmopServer() as server:
        yield server


@pytest.fixture
def queue(request, moto_endpoint, aws_env):
    """The carrier-optimization queue: standard, or FIFO where a test asks for it (the
    message and the resend rule differ there; nothing else does)."""
    client = boto3.client("sqs", endpoint_url=moto_endpoint, region_name="us-east-1")
    name = f"carrier-optimization-{free_port()}"
    attributes = {}
    if getattr(request, "param", "standard") == "fifo":
        name += ".fifo"
        attributes = {"FifoQueue": "true"}
    url = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    yield client, url
    client.delete_queue(QueueUrl=url)


def received(client, url) -> list[dict]:
    messages = []
    while True:
        batch = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                       MessageAttributeNames=["All"], WaitTimeSeconds=0,
                                       VisibilityTimeout=0).get("Messages", [])
        new = [m for m in batch if m["MessageId"] not in {x["MessageId"] for x in messages}]
        if not new:
            return messages
        messages += new


def make_defs(database_url, queue_url, moto_endpoint, amop, smtp, attempts=5):
    return make_definitions(
        DatabaseResource(url=database_url, retry_base_delay_seconds=0.01),
        optimization_queue=(SqsQueue(queue_url=queue_url, endpoint_url=moto_endpoint,
                                     max_attempts=attempts) if queue_url else OutboxQueue()),
        amop=Amop20(sync_update=AmopHttp(url=f"{amop.url}/sync-update", api_key="k3y",
                                         backoff_seconds=0.01),
                    optimization=AmopHttp(url=f"{amop.url}/optimization", api_key="k3y",
                                          backoff_seconds=0.01)),
        email=SmtpMailer(port=smtp.port, backoff_seconds=0.01),
    )


@pytest.fixture
def jasper(engine):
    seed_providers(engine, (11, 1, "jasper"))
    stage(engine, "jasper", 11, good_devices(11, 20))
    seed_session(engine)
    return engine


@pytest.mark.parametrize("queue", ["standard", "fifo"], indirect=True)
def test_a_gated_sync_queues_exactly_the_legacy_message(jasper, database_url, instance, queue,
                                                       moto_endpoint, amop, smtp, golden):
    client, url = queue
    defs = make_defs(database_url, url, moto_endpoint, amop, smtp)

    result = run_notified(defs, instance, "jasper", "1", 11, session=555)

    assert result.success
    (message,) = received(client, url)
    period = rows(jasper, "BillingPeriod", ServiceProviderId=11)[0]
    assert message["Body"] == (f"Carrier to optimize is for Billing Period "
                               f"{period['BillYear']}/{period['BillMonth']}")
    attributes = {k: (v["DataType"], v["StringValue"])
                  for k, v in message["MessageAttributes"].items()}
    assert attributes == {
        "BillYear": ("String", str(period["BillYear"])),
        "BillMonth": ("String", str(period["BillMonth"])),
        "ServiceProviderId": ("String", "11"),
        "TenantId": ("String", "1"),
        "BillPeriodId": ("String", str(period["Id"])),
        "HasSynced": ("String", "True"),
        "OptimizationSessionId": ("String", "555"),
    }
    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert (handover["Status"], handover["MessageId"]) == ("queued", message["MessageId"])
    assert handover["ProgressDeliveredAt"] is not None
    assert sorted(r["path"] for r in amop.requests) == ["/optimization", "/sync-update"]
    (progress,) = [r for r in amop.requests if r["path"] == "/optimization"]
    # as the consumer's own progress calls (QueueCarrierPlanOptimization.cs:251, 278):
    # SessionId as a string, CustomerId "", compact JSON in the twin's property order
    golden.check("optimization/progress.json", progress["raw"])
    (daily,) = [r for r in amop.requests if r["path"] == "/sync-update"]
    golden.check("jasper/daily_sync.json", daily["raw"])
    assert daily["headers"]["Accept"] == "application/json"
    assert daily["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert {r["api_key"] for r in amop.requests} == {"k3y"}  # configured: sent
    assert stop_mails(smtp) == []


def test_the_session_attribute_is_omitted_when_there_is_no_session(jasper, database_url,
                                                                  instance, queue,
                                                                  moto_endpoint, amop, smtp):
    client, url = queue

    run_notified(make_defs(database_url, url, moto_endpoint, amop, smtp), instance, "jasper",
                 "1", 11, session=0)

    (message,) = received(client, url)
    assert "OptimizationSessionId" not in message["MessageAttributes"]
    assert [r["path"] for r in amop.requests] == ["/sync-update"]  # no session: no progress


def test_rerunning_a_successful_partition_still_sends_one_message(jasper, database_url, instance,
                                                                  queue, moto_endpoint, amop,
                                                                  smtp):
    client, url = queue
    defs = make_defs(database_url, url, moto_endpoint, amop, smtp)
    first = run_notified(defs, instance, "jasper", "1", 11, session=555)

    again = run_notified(defs, instance, "jasper", "1", 11, session=555)

    assert first.success and again.success
    assert len(received(client, url)) == 1
    handover = [e for e in again.get_asset_materialization_events()
                if e.asset_key == dg.AssetKey("optimization_handover")][0]
    meta = handover.event_specific_data.materialization.metadata
    assert meta["optimization"].value == f"already queued by run {first.run_id}"
    assert "amop_progress" not in meta  # delivered by the first run: not sent again


def _break_gate(engine, how):
    if how == "billing_period":
        with engine.begin() as conn:
            conn.execute(text('DELETE FROM "BillingPeriod"'))
    elif how == "device_drop":
        stage(engine, "jasper", 11, good_devices(11, 20)[:1])  # today's incremental sync
        with engine.begin() as conn:  # and the carrier retired 8 of the 20 devices
            conn.execute(text('DELETE FROM "JasperDevice" WHERE "ICCID" IN '
                              '(SELECT "ICCID" FROM "JasperDevice" ORDER BY "ICCID" LIMIT 8)'))


@pytest.mark.parametrize(("how", "check"), [
    ("forced", "sync_is_complete"),
    ("device_drop", "active_device_count_is_stable"),
    ("billing_period", "billing_period_exists"),
])
def test_a_failing_gate_sends_nothing_and_stops_the_optimization(jasper, database_url, instance,
                                                                 queue, moto_endpoint, amop, smtp,
                                                                 how, check):
    client, url = queue
    defs = make_defs(database_url, url, moto_endpoint, amop, smtp)
    if how == "device_drop":
        assert run_notified(defs, instance, "jasper", "1", 11, optimize=False).success
        amop.requests.clear()
    _break_gate(jasper, how)

    result = run_notified(defs, instance, "jasper", "1", 11, session=555, forced=how == "forced")

    assert not result.success
    failed = [e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
              and not e.event_specific_data.passed]
    assert check in {e.event_specific_data.check_name for e in failed}
    assert received(client, url) == []
    _assert_stopped(jasper, smtp, amop, check)


def test_no_billing_period_stops_the_session_visibly_and_says_the_way_back(
        jasper, database_url, instance, amop, smtp):
    """The legacy logs "No Billing period found" and returns (F:485-497): nothing queued, no
    stop path (F:223 counts the call as sent), the session active for good with no word to
    anyone. Ours (decided, docs/legacy-differences.md): the blocking check stops the session
    with the stop email, and the check names the way back."""
    with jasper.begin() as conn:
        conn.execute(text('DELETE FROM "BillingPeriod"'))

    result = run_notified(make_defs(database_url, None, None, amop, smtp), instance, "jasper",
                          "1", 11, session=555)

    assert not result.success
    (check,) = [e.event_specific_data for e in result.all_events
                if e.event_type_value == "ASSET_CHECK_EVALUATION"
                and e.event_specific_data.check_name == "billing_period_exists"]
    assert check.metadata["what_to_do"].value == (
        "add a BillingPeriod for provider 11 (this month or next), then `cleanup-assets "
        "resume-optimization --service-provider-id 11 --session 555`")
    (mail,) = stop_mails(smtp)
    assert "no billing period this month or next for provider 11" in (
        mail.get_body(("plain",)).get_content())
    assert rows(jasper, "OptimizationSession", Id=555)[0]["IsActive"] is False


def test_the_handover_re_executed_alone_after_a_blocked_gate_hands_nothing_over(
        jasper, database_url, instance, queue, moto_endpoint, amop, smtp):
    client, url = queue
    defs = make_defs(database_url, url, moto_endpoint, amop, smtp)
    job = defs.resolve_job_def("finalize_device_sync")
    tags = notified_tags(Launch(1, "jasper", "1", 11, True, 555, True, None))  # forced
    instance.add_dynamic_partitions("tenant", ["1"])
    blocked = job.execute_in_process(instance=instance, partition_key="jasper|1", tags=tags,
                                     raise_on_error=False)
    assert not blocked.success  # sync_is_complete; the stop sensor has not seen it yet

    # The UI's "re-execute selected step" on the handover: its parent's sync, judged blocked.
    again = job.execute_in_process(
        instance=instance, partition_key="jasper|1", raise_on_error=False,
        asset_selection=[dg.AssetKey("optimization_handover")],
        tags={**tags, "dagster/parent_run_id": blocked.run_id,
              "dagster/root_run_id": blocked.run_id})

    assert not again.success
    (failure,) = [e for e in again.all_events if e.is_step_failure]
    assert "the gate blocked it: its verdict on sync" in (
        failure.step_failure_data.user_failure_data.description)
    assert received(client, url) == []
    assert rows(jasper, "CleanupOptimizationHandover") == []
    (sync,) = rows(jasper, "CleanupDeviceSync")
    assert sync["GateVerdict"] == "blocked"


def _assert_stopped(engine, smtp, amop, reason_part):
    (mail,) = stop_mails(smtp)
    # string.Format(OptimizationSyncDeviceErrorEmailSubject, ServiceProvider.Name)
    assert mail["Subject"] == "Optimization stopped: device sync failed - Provider 11"
    assert mail["To"] == "noc@example.com, billing@example.com"
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("Carrier Optimization Sync Device Error - Carrier optimization for "
                           "Provider 11 was stopped because its device sync did not finish "
                           "cleanly. - Error Details: ")
    assert reason_part in text
    sessions = {r["Id"]: r for r in rows(engine, "OptimizationSession")}
    assert sessions[555]["IsActive"] is False  # RemoveCarrierOptimizationSession (a guess)
    assert all(r["IsActive"] for i, r in sessions.items() if i != 555)
    (handover,) = rows(engine, "CleanupOptimizationHandover")
    assert handover["Status"] == "stopped" and reason_part in handover["Reason"]
    (error,) = [r for r in amop.requests if r["path"] == "/optimization"]
    data = error["body"]["data"]
    assert error["raw"] == json.dumps({"data": {
        "path": "/get_optimization_progress_bar_data", "job_name": "ErrorMessage",
        "SessionId": "555", "OptimizationSessionGuid": None, "ErrorMessage": data["ErrorMessage"],
        "Progress": 0, "CustomerId": "", "AdditionalJson": None, "DeviceCount": 0}},
        separators=(",", ":"), ensure_ascii=False).encode()
    assert reason_part in data["ErrorMessage"]
    # The tables were finalized: the daily-sync notification went all the same.
    assert len([r for r in amop.requests if r["path"] == "/sync-update"]) == 1


def test_sqs_down_is_retried_then_the_optimization_is_stopped(jasper, database_url, instance,
                                                              aws_env, amop, smtp):
    port = free_port()  # nothing listens there
    defs = make_defs(database_url, f"http://127.0.0.1:{port}/123456789012/opt",
                     f"http://127.0.0.1:{port}", amop, smtp, attempts=3)

    result = run_notified(defs, instance, "jasper", "1", 11, session=555)

    assert not result.success
    _assert_stopped(jasper, smtp, amop, "Could not connect to the endpoint URL")
    assert len(rows(jasper, "Device")) == 20  # the device tables stay finalized


def test_the_stop_path_runs_once_even_if_the_sensor_sees_the_failure_twice(
        jasper, database_url, instance, amop, smtp):
    defs = make_defs(database_url, None, None, amop, smtp)
    _break_gate(jasper, "billing_period")
    result = run_notified(defs, instance, "jasper", "1", 11, session=555)

    again = stop_sensor_sees(defs, instance, result)

    assert len(stop_mails(smtp)) == 1
    assert len([r for r in amop.requests if r["path"] == "/optimization"]) == 1
    # The tick that does nothing says why.
    assert again.skip_message == (f"run {result.run_id}: provider 11's optimization "
                                  f"(session:555) was already queued, stopped or claimed by "
                                  "the other stop sensor: nothing to stop")


def test_a_failure_the_daemon_will_retry_leaves_the_stop_path_to_the_retry(
        jasper, database_url, instance, amop, smtp):
    defs = make_defs(database_url, None, None, amop, smtp)
    _break_gate(jasper, "billing_period")
    instance.add_dynamic_partitions("tenant", ["1"])
    result = defs.resolve_job_def("finalize_device_sync").execute_in_process(
        instance=instance, partition_key="jasper|1", raise_on_error=False,
        tags=notified_tags(Launch(1, "jasper", "1", 11, True, 555, False, None)))
    # What the instance's run_retries set on a failure it will retry (deploy/dagster.yaml).
    instance.add_run_tags(result.run_id, {"dagster/will_retry": "true"})

    stop_sensor_sees(defs, instance, result)

    assert stop_mails(smtp) == [] and rows(jasper, "CleanupOptimizationHandover") == []
    # The last try's failure is not retried: then the stop path runs.
    instance.add_run_tags(result.run_id, {"dagster/will_retry": "false"})
    stop_sensor_sees(defs, instance, result)
    assert len(stop_mails(smtp)) == 1


@pytest.mark.parametrize("key", ["thingspace", "telegence", "teal", "pond"])
def test_other_carriers_never_queue_and_still_notify_amop(engine, database_url, instance, queue,
                                                         moto_endpoint, amop, smtp, key):
    client, url = queue
    seed_providers(engine, (11, 1, key))
    stage(engine, key, 11, good_devices(11, 5))

    result = run_notified(make_defs(database_url, url, moto_endpoint, amop, smtp), instance, key,
                          "1", 11, session=555)

    assert result.success
    assert received(client, url) == [] and stop_mails(smtp) == []
    assert [r["body"]["data"]["key_name"] for r in amop.requests] == [
        {"thingspace": "thingspace_devices", "telegence": "telegence_devices",
         "teal": "teal_devices", "pond": "pond_inventories"}[key]]


def test_ebonding_skips_the_amop_notification_with_a_visible_reason(engine, database_url,
                                                                   instance, amop, smtp):
    seed_providers(engine, (11, 1, "ebonding"))
    stage(engine, "ebonding", 11, good_devices(11, 5))

    result = run_notified(make_defs(database_url, None, None, amop, smtp), instance, "ebonding",
                          "1", 11)

    assert result.success and amop.requests == []
    daily = [e for e in result.get_asset_materialization_events()
             if e.asset_key == dg.AssetKey("amop_daily_sync")][0]
    assert daily.event_specific_data.materialization.metadata["amop_daily_sync"].value == (
        "skipped: eBonding has no AMOP 2.0 key name")


def test_amop_errors_are_retried(engine, database_url, instance, smtp):
    seed_providers(engine, (11, 1, "teal"))
    with AmopServer(failures=2) as flaky:
        result = run_notified(make_defs(database_url, None, None, flaky, smtp), instance, "teal",
                              "1", 11, optimize=False)
    assert result.success
    # Both 500s were answered (the call was made three times) and the third try delivered.
    assert flaky.failures == 0 and len(flaky.requests) == 1


def test_without_endpoints_everything_lands_in_the_local_outbox(jasper, database_url, instance):
    defs = make_definitions(DatabaseResource(url=database_url))

    result = run_notified(defs, instance, "jasper", "1", 11, session=555)

    assert result.success
    (message,) = read_json("sqs")
    assert message["MessageAttributes"]["OptimizationSessionId"] == "555"
    assert sorted(m["data"].get("path", "daily sync") for m in read_json("amop")) == [
        "/get_optimization_progress_bar_data", "daily sync"]


# --- issue 12: what a failure leaves behind ------------------------------------------------
def test_the_progress_call_lost_to_an_amop_outage_is_delivered_by_the_rerun(
        jasper, database_url, instance, queue, moto_endpoint, smtp):
    client, url = queue
    with AmopServer(failures=1000) as down:  # every call answered 500
        first = run_notified(make_defs(database_url, url, moto_endpoint, down, smtp), instance,
                             "jasper", "1", 11, session=555)
    assert not first.success
    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert handover["Status"] == "queued" and handover["ProgressDeliveredAt"] is None
    assert stop_mails(smtp) == []  # queued: nothing to stop

    with AmopServer() as back:
        again = run_notified(make_defs(database_url, url, moto_endpoint, back, smtp), instance,
                             "jasper", "1", 11, session=555)
        third = run_notified(make_defs(database_url, url, moto_endpoint, back, smtp), instance,
                             "jasper", "1", 11, session=555)

    assert again.success and third.success
    assert len(received(client, url)) == 1  # the message went once
    progress = [r["body"]["data"] for r in back.requests if r["path"] == "/optimization"]
    assert [(p["job_name"], p["Progress"]) for p in progress] == [("Progress", 25)]  # once
    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert handover["ProgressDeliveredAt"] is not None


def _left_sending(engine, client, url, *, age: timedelta):
    """What a run killed between the SQS send and the ledger update leaves: the message on
    the queue and the handover row still `sending`."""
    from cleanup_assets.optimization import optimization_message
    from cleanup_assets.sql.gate_facts import BillingPeriod

    period = rows(engine, "BillingPeriod", ServiceProviderId=11)[0]
    body, attributes = optimization_message(11, 1, BillingPeriod(period["Id"], period["BillYear"],
                                                                 period["BillMonth"]), 555)
    request = {"QueueUrl": url, "MessageBody": body, "MessageAttributes": {
        k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()}}
    if url.endswith(".fifo"):
        request.update(MessageDeduplicationId="11-session:555", MessageGroupId="11")
    client.send_message(**request)
    claimed = datetime.now(timezone.utc).replace(tzinfo=None) - age
    with engine.begin() as conn:
        conn.execute(insert(optimization_handover).values(
            ServiceProviderId=11, HandoverKey="session:555", OptimizationSessionId=555,
            Status="sending", RunId="killed-run", CreatedAt=claimed, UpdatedAt=claimed))


@pytest.mark.parametrize("queue", ["standard", "fifo"], indirect=True)
def test_an_unconfirmed_send_is_resent_only_where_the_queue_drops_the_duplicate(
        jasper, database_url, instance, queue, moto_endpoint, amop, smtp, request):
    client, url = queue
    fifo = url.endswith(".fifo")
    _left_sending(jasper, client, url, age=timedelta(seconds=30))

    result = run_notified(make_defs(database_url, url, moto_endpoint, amop, smtp), instance,
                          "jasper", "1", 11, session=555)

    assert len(received(client, url)) == 1  # never two optimizations of one session
    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    if fifo:  # resent within the deduplication window: SQS dropped it
        assert result.success and handover["Status"] == "queued"
    else:  # a standard queue would deliver it twice: not resent, and said so
        assert not result.success and handover["Status"] == "unconfirmed"
        assert "was never confirmed" in handover["Reason"]
        assert len(unconfirmed_mails(smtp)) == 1 and stop_mails(smtp) == []


def unconfirmed_mails(smtp) -> list:
    return [m for m in smtp.messages
            if m["Subject"].startswith("Carrier optimization sent, not confirmed")]


def test_an_unconfirmed_send_older_than_the_fifo_window_is_not_resent(
        jasper, database_url, instance, moto_endpoint, amop, smtp, aws_env):
    client = boto3.client("sqs", endpoint_url=moto_endpoint, region_name="us-east-1")
    url = client.create_queue(QueueName=f"opt-{free_port()}.fifo",
                              Attributes={"FifoQueue": "true"})["QueueUrl"]
    _left_sending(jasper, client, url, age=timedelta(minutes=10))

    result = run_notified(make_defs(database_url, url, moto_endpoint, amop, smtp), instance,
                          "jasper", "1", 11, session=555)

    assert not result.success
    assert rows(jasper, "CleanupOptimizationHandover")[0]["Status"] == "unconfirmed"
    assert len(received(client, url)) == 1


# --- issue 21, point 4: what is known of an unconfirmed send, and no more ----------------
def test_an_unconfirmed_send_says_sent_not_confirmed_everywhere_and_nothing_stops_it(
        jasper, database_url, instance, queue, moto_endpoint, amop, smtp, monkeypatch,
        capsys):
    from cleanup_assets.tooling.cli import main

    client, url = queue  # a standard queue: a resend would be a second optimization
    defs = make_defs(database_url, url, moto_endpoint, amop, smtp)
    _left_sending(jasper, client, url, age=timedelta(seconds=30))  # the message is on it

    failed = run_notified(defs, instance, "jasper", "1", 11, session=555)

    assert not failed.success
    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert (handover["Status"], handover["RunId"]) == ("unconfirmed", "killed-run")
    assert rows(jasper, "OptimizationSession", Id=555)[0]["IsActive"] is True  # not removed
    assert stop_mails(smtp) == []
    (mail,) = unconfirmed_mails(smtp)
    text = mail.get_body(("plain",)).get_content()
    assert "was sent by run killed-run, but its delivery was never confirmed" in text
    assert "The session was not stopped" in text
    (error,) = [r["body"]["data"] for r in amop.requests if r["path"] == "/optimization"]
    assert error["job_name"] == "ErrorMessage"
    assert error["ErrorMessage"].startswith(
        "optimization message sent by run killed-run, not confirmed: it may be on the queue")

    # The sweep leaves it as it is; a later run of the session does not resend it.
    sweep(defs, instance)
    again = run_notified(defs, instance, "jasper", "1", 11, session=555)
    assert again.success
    assert len(received(client, url)) == 1
    assert rows(jasper, "CleanupOptimizationHandover")[0]["Status"] == "unconfirmed"
    assert len(unconfirmed_mails(smtp)) == 1 and stop_mails(smtp) == []
    handover_meta = [e for e in again.get_asset_materialization_events()
                     if e.asset_key == dg.AssetKey("optimization_handover")][0]
    assert handover_meta.event_specific_data.materialization.metadata[
        "optimization"].value.startswith("sent by run killed-run, not confirmed: not sent again")

    # resume-optimization explains what to check; the operator's word reopens it.
    monkeypatch.setenv("CLEANUP_DATABASE_URL", database_url)
    capsys.readouterr()
    assert main(["resume-optimization", "--service-provider-id", "11", "--session", "555"]) == 1
    refusal = capsys.readouterr().err
    assert "is unconfirmed: run killed-run sent the optimization message" in refusal
    assert "--not-on-queue" in refusal
    assert rows(jasper, "CleanupOptimizationHandover")[0]["Status"] == "unconfirmed"
    assert main(["resume-optimization", "--service-provider-id", "11", "--session", "555",
                 "--not-on-queue", "--no-notify"]) == 0
    assert rows(jasper, "CleanupOptimizationHandover")[0]["Status"] == "reopened"


def test_a_send_whose_answer_is_lost_is_not_retried_and_ends_unconfirmed(
        jasper, database_url, instance, queue, moto_endpoint, amop, smtp):
    from .servers import AnswerLosingProxy

    client, url = queue  # standard: botocore's retry of a lost answer would be a 2nd copy
    with AnswerLosingProxy(moto_endpoint) as proxy:
        defs = make_defs(database_url, url, proxy.url, amop, smtp, attempts=3)
        result = run_notified(defs, instance, "jasper", "1", 11, session=555)

    assert not result.success
    assert proxy.forwarded == 1 and len(received(client, url)) == 1  # on the queue, once
    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert handover["Status"] == "unconfirmed"
    assert "sent but not confirmed" in handover["Reason"]
    assert rows(jasper, "OptimizationSession", Id=555)[0]["IsActive"] is True
    assert len(unconfirmed_mails(smtp)) == 1 and stop_mails(smtp) == []


def billing_outage(jasper) -> list[dict]:
    """Every BillingPeriod row removed; returns them, to put back when the data is back."""
    with jasper.begin() as conn:
        saved = [dict(r._mapping) for r in conn.execute(text('SELECT * FROM "BillingPeriod"'))]
        conn.execute(text('DELETE FROM "BillingPeriod"'))
    return saved


def test_an_operator_resumes_a_stopped_session_and_the_next_notified_run_queues_it(
        jasper, database_url, instance, queue, moto_endpoint, amop, smtp, monkeypatch):
    from cleanup_assets.tooling.cli import main

    client, url = queue
    defs = make_defs(database_url, url, moto_endpoint, amop, smtp)
    saved = billing_outage(jasper)  # a short outage of the billing data: the gate fails
    assert not run_notified(defs, instance, "jasper", "1", 11, session=555).success
    with jasper.begin() as conn:  # the data is back
        conn.execute(insert(billing_period), saved)
    assert run_notified(defs, instance, "jasper", "1", 11, session=555).success  # a rerun...
    assert received(client, url) == []  # ...answers "already stopped": stopped for good
    monkeypatch.setenv("CLEANUP_DATABASE_URL", database_url)

    assert main(["resume-optimization", "--service-provider-id", "11", "--session", "555"]) == 0

    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert handover["Status"] == "reopened"
    assert rows(jasper, "OptimizationSession", Id=555)[0]["IsActive"] is True
    (posted,) = rows(jasper, "CleanupSyncNotification")
    assert json.loads(posted["RawAttributes"]) == {
        "IntegrationType": str(TEST_INTEGRATION_IDS["jasper"]), "ServiceProviderId": "11",
        "ShouldQueueCarrierOptimization": "True", "OptimizationSessionId": "555"}
    assert run_notified(defs, instance, "jasper", "1", 11, session=555).success  # its launch
    assert len(received(client, url)) == 1
    assert main(["resume-optimization", "--service-provider-id", "11", "--session", "555"]) == 1


def test_a_hostile_provider_name_stays_on_the_subject_line_and_in_the_json(
        jasper, database_url, instance, amop, smtp):
    hostile = 'Evil\r\nBcc: victim@example.com "quoted" ../../etc'
    with jasper.begin() as conn:
        conn.execute(text('UPDATE "ServiceProvider" SET "Name" = :n'), {"n": hostile})
        conn.execute(text('DELETE FROM "BillingPeriod"'))

    run_notified(make_defs(database_url, None, None, amop, smtp), instance, "jasper", "1", 11,
                 session=555)

    (mail,) = stop_mails(smtp)
    assert mail["Bcc"] is None
    assert mail["Subject"] == ('Optimization stopped: device sync failed - Evil  Bcc: '
                               'victim@example.com "quoted" ../../etc')
    assert "<p>Carrier optimization for Evil\r\nBcc: victim@example.com &quot;quoted&quot;" in (
        mail.get_body(("html",)).get_content())
    (error,) = [r for r in amop.requests if r["path"] == "/optimization"]
    assert json.loads(error["raw"])["data"]["job_name"] == "ErrorMessage"


def test_the_rate_plan_check_reads_what_optimization_reads(jasper, database_url, instance, amop,
                                                           smtp):
    defs = make_defs(database_url, None, None, amop, smtp)

    def unlinked(result):
        (check,) = [e.event_specific_data for e in result.all_events
                    if e.event_type_value == "ASSET_CHECK_EVALUATION"
                    and e.event_specific_data.check_name == "communication_plans_have_rate_plans"]
        return check.passed, check.metadata["plans_without_rate_plan"].value

    first = run_notified(defs, instance, "jasper", "1", 11, optimize=False)
    # CP-Fleet-Basic has rate plans in vwJasperCommPlan_RatePlan; the plans this sync added
    # (matched by name) have none yet.
    assert unlinked(first) == (False, "CP-Camera-HighData, CP-Fleet-Plus, CP-Meter-LowData")
    with jasper.begin() as conn:  # an operator links the new plans to rate plans
        conn.execute(text('INSERT INTO "CleanupStandInCommPlanRatePlan" ("CommunicationPlanId", '
                          '"RatePlanIds") SELECT "Id", \'3\' FROM "JasperCommunicationPlan" '
                          'WHERE "CreatedDate" IS NOT NULL'))
    assert unlinked(run_notified(defs, instance, "jasper", "1", 11, optimize=False)) == (True, "none")


# --- the sweep: what the failure sensor never sees ---------------------------------------
def finished_run(defs, instance, status, *, tags=None, parent=None):
    """A run of the job as the sync sensor tags it, ended with ``status`` (as a terminated,
    cancelled or failed run ends), optionally a re-execution of ``parent``."""
    tags = {**notified_tags(Launch(1, "jasper", "1", 11, True, 555, False, None)),
            "dagster/partition": "jasper|1", **(tags or {})}
    if parent is not None:
        tags.update({"dagster/parent_run_id": parent.run_id, "dagster/root_run_id": parent.run_id})
    run = instance.create_run_for_job(job_def=defs.resolve_job_def("finalize_device_sync"),
                                      tags=tags)
    if status == dg.DagsterRunStatus.CANCELED:
        instance.report_run_canceled(run)
    elif status == dg.DagsterRunStatus.FAILURE:
        instance.report_run_failed(run)
    elif status == dg.DagsterRunStatus.STARTED:
        instance.handle_run_event(run.run_id, dg.DagsterEvent(
            event_type_value="PIPELINE_START", job_name=run.job_name))
    return instance.get_run_by_id(run.run_id)


def sweep(defs, instance):
    sensor = defs.resolve_sensor_def("stop_optimization_sweep")
    with dg.build_sensor_context(instance=instance, resources=defs.resources) as context:
        return sensor(context)


def test_a_cancelled_run_has_its_optimization_stopped_by_the_sweep_once(
        jasper, database_url, instance, amop, smtp):
    defs = make_defs(database_url, None, None, amop, smtp)
    run = finished_run(defs, instance, dg.DagsterRunStatus.CANCELED)

    sweep(defs, instance)
    sweep(defs, instance)

    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert (handover["Status"], handover["RunId"]) == ("stopped", run.run_id)
    assert "was cancelled before optimization was queued" in handover["Reason"]
    assert len(stop_mails(smtp)) == 1
    (session,) = rows(jasper, "OptimizationSession", Id=555)
    assert not session["IsActive"]


def test_the_session_is_removed_and_amop_told_even_when_the_stop_email_fails(
        jasper, database_url, instance, amop, smtp):
    """The legacy removes the session whatever its email does
    (OptimizationUsageSyncErrorHandler.cs:20-39): with the mail server down the session is
    inactive and AMOP 2.0 has the error at once; the tick fails visibly and the next one,
    the mail server back, sends the email and marks the handover stopped."""
    dead = SmtpMailer(port=free_port(), backoff_seconds=0.01, attempts=1)
    defs = make_defs(database_url, None, None, amop, smtp)
    down = make_definitions(defs.resources["database"], amop=defs.resources["amop"],
                            email=dead)
    finished_run(defs, instance, dg.DagsterRunStatus.CANCELED)

    with pytest.raises(Exception, match="stop email"):
        sweep(down, instance)

    (session,) = rows(jasper, "OptimizationSession", Id=555)
    assert not session["IsActive"]
    (error,) = [r["body"]["data"] for r in amop.requests if r["path"] == "/optimization"]
    assert (error["path"], error["job_name"]) == ("/get_optimization_progress_bar_data",
                                                  "ErrorMessage")
    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert handover["Status"] == "stopping"

    sweep(defs, instance)
    assert len(stop_mails(smtp)) == 1
    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert handover["Status"] == "stopped"
    errors = [r for r in amop.requests if r["path"] == "/optimization"]
    assert len(errors) == 1, f"AMOP error reports: {len(errors)}"


def test_the_sweep_waits_for_a_retry_and_for_a_re_execution(jasper, database_url, instance,
                                                            amop, smtp):
    defs = make_defs(database_url, None, None, amop, smtp)
    failed = finished_run(defs, instance, dg.DagsterRunStatus.FAILURE,
                          tags={"dagster/will_retry": "true"})
    cancelled = finished_run(defs, instance, dg.DagsterRunStatus.CANCELED,
                             tags={"cleanup/optimization_session_id": "0"})
    finished_run(defs, instance, dg.DagsterRunStatus.STARTED, parent=cancelled,
                 tags={"cleanup/optimization_session_id": "0"})

    sweep(defs, instance)
    assert rows(jasper, "CleanupOptimizationHandover") == [] and stop_mails(smtp) == []

    # The retry daemon could not retry after all (Dagster sets the tag to false then).
    instance.add_run_tags(failed.run_id, {"dagster/will_retry": "false"})
    sweep(defs, instance)
    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert (handover["Status"], handover["RunId"]) == ("stopped", failed.run_id)


# --- issue 21, point 9: a resume is not undone by the run that was stopped ----------------
def test_a_resumed_session_is_not_stopped_again_by_the_runs_that_ended_before_it(
        jasper, database_url, instance, queue, moto_endpoint, amop, smtp, monkeypatch):
    from cleanup_assets.tooling.cli import main

    client, url = queue
    defs = make_defs(database_url, url, moto_endpoint, amop, smtp)
    saved = billing_outage(jasper)  # a short outage of the billing data: the gate fails
    failed = run_notified(defs, instance, "jasper", "1", 11, session=555)
    assert not failed.success and len(stop_mails(smtp)) == 1
    with jasper.begin() as conn:
        conn.execute(insert(billing_period), saved)
    monkeypatch.setenv("CLEANUP_DATABASE_URL", database_url)
    assert main(["resume-optimization", "--service-provider-id", "11", "--session", "555",
                 "--no-notify"]) == 0

    sweep(defs, instance)  # the old failed run is still in the sweep's 24 hours
    stop_sensor_sees(defs, instance, failed)  # and the failure sensor sees it again

    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert handover["Status"] == "reopened"
    assert rows(jasper, "OptimizationSession", Id=555)[0]["IsActive"] is True
    assert len(stop_mails(smtp)) == 1
    resumed = run_notified(defs, instance, "jasper", "1", 11, session=555)  # the resume's run
    assert resumed.success and len(received(client, url)) == 1


# --- issue 21, point 10: one failure, two sensors at once, one stop -----------------------
@pytest.mark.backends("postgresql")
@pytest.mark.parametrize("before", ["no handover row", "reopened"])
def test_the_failure_sensor_and_the_sweep_at_once_stop_a_failed_run_once(
        jasper, database_url, instance, smtp, monkeypatch, before):
    import threading

    from cleanup_assets.tooling.cli import main

    with AmopServer(delay_seconds=0.5) as slow_amop:  # AMOP slow to answer
        defs = make_defs(database_url, None, None, slow_amop, smtp)
        job = defs.resolve_job_def("finalize_device_sync")
        tags = notified_tags(Launch(1, "jasper", "1", 11, True, 555, False, None))
        instance.add_dynamic_partitions("tenant", ["1"])
        _break_gate(jasper, "billing_period")
        if before == "reopened":  # stopped once, resumed; the resumed run fails again
            run_notified(defs, instance, "jasper", "1", 11, session=555)
            monkeypatch.setenv("CLEANUP_DATABASE_URL", database_url)
            assert main(["resume-optimization", "--service-provider-id", "11", "--session",
                         "555", "--no-notify"]) == 0
            smtp.messages.clear()
            slow_amop.requests.clear()
        failed = job.execute_in_process(instance=instance, partition_key="jasper|1", tags=tags,
                                        raise_on_error=False)
        assert not failed.success

        barrier, errors = threading.Barrier(2), []

        def at_once(evaluate):
            barrier.wait()
            try:
                evaluate()
            except Exception as error:  # noqa: BLE001 (reported below)
                errors.append(error)

        threads = [threading.Thread(target=at_once, args=(lambda: stop_sensor_sees(
                       defs, instance, failed),)),
                   threading.Thread(target=at_once, args=(lambda: sweep(defs, instance),))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

        assert errors == []
        assert len(stop_mails(smtp)) == 1
        assert len([r for r in slow_amop.requests if r["path"] == "/optimization"]) == 1
    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert (handover["Status"], handover["RunId"]) == ("stopped", failed.run_id)


def test_a_stop_claim_left_by_a_crashed_attempt_is_taken_over_after_its_lease(
        jasper, database_url, instance, amop, smtp):
    from cleanup_assets.optimization import STOP_LEASE

    defs = make_defs(database_url, None, None, amop, smtp)
    run = finished_run(defs, instance, dg.DagsterRunStatus.CANCELED)
    claimed = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=1)
    with jasper.begin() as conn:  # a stop attempt claimed it and died before the email
        conn.execute(insert(optimization_handover).values(
            ServiceProviderId=11, HandoverKey="session:555", OptimizationSessionId=555,
            Status="stopping", ClaimedBy=f"{run.run_id}/dead", ClaimedAt=claimed,
            CreatedAt=claimed, UpdatedAt=claimed))

    sweep(defs, instance)  # within the lease: the claimer may still be at work
    assert rows(jasper, "CleanupOptimizationHandover")[0]["Status"] == "stopping"
    assert stop_mails(smtp) == []

    with jasper.begin() as conn:
        conn.execute(optimization_handover.update().values(ClaimedAt=claimed - STOP_LEASE))
    sweep(defs, instance)

    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert handover["Status"] == "stopped" and len(stop_mails(smtp)) == 1


def test_a_stop_whose_email_failed_is_repeated_by_the_next_tick(jasper, database_url,
                                                                instance, amop):
    defs_down = make_definitions(
        DatabaseResource(url=database_url, retry_base_delay_seconds=0.01),
        amop=Amop20(sync_update=AmopOutbox(),
                    optimization=AmopHttp(url=f"{amop.url}/optimization", backoff_seconds=0.01)),
        email=SmtpMailer(port=free_port(), backoff_seconds=0.01))
    finished_run(defs_down, instance, dg.DagsterRunStatus.CANCELED)

    with pytest.raises(Exception):
        sweep(defs_down, instance)  # no mail server: the tick fails visibly
    assert rows(jasper, "CleanupOptimizationHandover")[0]["ClaimedAt"] is None  # released

    with SmtpServer() as smtp:
        sweep(make_defs(database_url, None, None, amop, smtp), instance)
        assert len(stop_mails(smtp)) == 1
    assert rows(jasper, "CleanupOptimizationHandover")[0]["Status"] == "stopped"


# --- issue 21, point 3: a dead run's ledger row says so --------------------------------------
@pytest.mark.backends("sqlite", "postgresql")
def test_the_ledger_rows_of_dead_runs_are_closed_whether_or_not_they_asked_for_optimization(
        engine, database_url, instance, amop, smtp):
    from cleanup_assets.schema import device_sync

    seed_providers(engine, (11, 1, "jasper"))
    defs = make_defs(database_url, None, None, amop, smtp)
    plain = {"cleanup/should_queue_carrier_optimization": "false"}  # no optimization asked
    killed = finished_run(defs, instance, dg.DagsterRunStatus.FAILURE, tags=plain)
    cancelled = finished_run(defs, instance, dg.DagsterRunStatus.CANCELED, tags=plain)
    alive = finished_run(defs, instance, dg.DagsterRunStatus.STARTED, tags=plain)
    started = datetime.now(timezone.utc).replace(tzinfo=None)
    with engine.begin() as conn:  # what finalize.py wrote before each run's process ended
        for run, status in ((killed, "running"), (cancelled, "running"), (alive, "running"),
                            (killed, "finalized")):
            conn.execute(insert(device_sync).values(
                IntegrationKey="jasper", TenantKey="1", ServiceProviderIds="11",
                RunId=run.run_id, Trigger="notification", Engine="set_based", Status=status,
                StartedAt=started))

    failure = instance.all_logs(killed.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)[0]
    sensor = defs.resolve_sensor_def("stop_optimization_on_failure")
    with dg.build_run_status_sensor_context(
            sensor_name=sensor.name, dagster_event=failure.dagster_event,
            dagster_instance=instance, dagster_run=killed,
            resources=defs.resources).for_run_failure() as context:
        sensor(context)

    ledger = {(r["RunId"], r["id"]): r for r in rows(engine, "CleanupDeviceSync")}
    closed = ledger[(killed.run_id, 1)]
    assert closed["Status"] == "failed" and closed["FinishedAt"] is not None
    assert closed["Error"].startswith(f"the run {killed.run_id} was failed before its sync "
                                      "finished")
    assert "learned by stop_optimization_on_failure" in closed["Error"]
    assert ledger[(killed.run_id, 4)]["Status"] == "finalized"  # closed by its run: kept
    assert ledger[(cancelled.run_id, 2)]["Status"] == "running"  # not a failure: the sweep's

    sweep(defs, instance)

    ledger = {r["RunId"]: r for r in rows(engine, "CleanupDeviceSync") if r["id"] != 4}
    assert ledger[cancelled.run_id]["Status"] == "failed"
    assert ledger[cancelled.run_id]["FinishedAt"] is not None
    assert "was cancelled before its sync finished" in ledger[cancelled.run_id]["Error"]
    assert "learned by stop_optimization_sweep" in ledger[cancelled.run_id]["Error"]
    assert ledger[alive.run_id]["Status"] == "running"  # a live run's sync is left alone
    assert ledger[alive.run_id]["FinishedAt"] is None
    assert stop_mails(smtp) == []  # nothing asked for optimization


def test_one_failing_stop_holds_back_no_other_run_and_is_not_repeated_whole(
        jasper, database_url, instance, amop, smtp):
    """AMOP 2.0 down: the sweep goes on with the other runs, fails naming the run whose stop
    is to be repeated, and each retry repeats only the AMOP report, not the email."""
    defs = make_defs(database_url, None, None, amop, smtp)
    down = make_definitions(
        DatabaseResource(url=database_url, retry_base_delay_seconds=0.01),
        amop=Amop20(sync_update=AmopOutbox(), optimization=AmopHttp(
            url=f"http://127.0.0.1:{free_port()}/optimization", backoff_seconds=0.01)),
        email=SmtpMailer(port=smtp.port, backoff_seconds=0.01))
    finished_run(defs, instance, dg.DagsterRunStatus.CANCELED, tags={  # no session: no AMOP
        **notified_tags(Launch(2, "jasper", "1", 11, True, 0, False, None))})
    failing = finished_run(defs, instance, dg.DagsterRunStatus.CANCELED)  # session 555
    for _ in range(3):
        with pytest.raises(Exception, match=failing.run_id):
            sweep(down, instance)
    handovers = {r["HandoverKey"]: r for r in rows(jasper, "CleanupOptimizationHandover")}
    assert handovers["session:555"]["Status"] == "stopping"
    assert [r["Status"] for k, r in handovers.items() if k != "session:555"] == ["stopped"]
    assert len(stop_mails(smtp)) == 2  # one per run, not one per tick


def test_the_stop_of_one_run_leaves_another_runs_live_send_alone(
        jasper, database_url, instance, amop, smtp):
    from datetime import datetime as _dt
    from cleanup_assets.db import in_transaction
    from cleanup_assets.optimization import claim_send, current_handover, record_queued
    from cleanup_assets.defs.optimization.sensors import stop_optimization
    defs = make_defs(database_url, None, None, amop, smtp)
    database, email, amop_r = (defs.resources[k] for k in ("database", "email", "amop"))
    engine = database.get_engine()
    key = "session:555"
    # run R2 of the same session is live and has just claimed its send
    assert in_transaction(engine, lambda c: claim_send(c, 11, key, 555, "R2", 1))
    # an older run R1 of the session failed: its stop path runs now
    ended = stop_optimization(database, email, amop_r, 11, 555, "1", key, "R1",
                              _dt.utcnow(), "R1 failed at the gate")
    assert ended is None
    assert stop_mails(smtp) == [] and not [r for r in amop.requests
                                            if r["path"] == "/optimization"]
    # R2's send succeeds and it records queued
    assert in_transaction(engine, lambda c: record_queued(c, 11, key, "R2", "m")) is None
    assert in_transaction(engine, lambda c: current_handover(c, 11, key)).status == "queued"


def test_a_run_that_ended_before_a_resume_cannot_stop_the_resumed_session_while_it_is_sent(
        jasper, database_url, instance, amop, smtp):
    """ReopenedAt holds for every status the next runs move the row to, not only
    `reopened`: the sweep revisits the old run on every tick of its window."""
    from cleanup_assets.db import in_transaction
    from cleanup_assets.optimization import claim_send, current_handover, reopen_handover
    defs = make_defs(database_url, None, None, amop, smtp)
    engine = defs.resources["database"].get_engine()
    finished_run(defs, instance, dg.DagsterRunStatus.CANCELED)
    sweep(defs, instance)
    assert rows(jasper, "CleanupOptimizationHandover")[0]["Status"] == "stopped"
    in_transaction(engine, lambda c: reopen_handover(c, 11, 555))  # the operator's resume
    # the next notified run R2 claims its send (it is sending now)
    assert in_transaction(engine, lambda c: claim_send(c, 11, "session:555", 555, "R2", 1))
    sweep(defs, instance)  # the next tick: R1 is still in the sweep's window
    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert (handover["Status"], handover["RunId"]) == ("sending", "R2")
    assert len(stop_mails(smtp)) == 1  # the first stop only


def test_a_run_that_ended_before_a_resume_cannot_stop_the_session_after_a_refused_send(
        jasper, database_url, instance, amop, smtp):
    from cleanup_assets.db import in_transaction
    from cleanup_assets.optimization import claim_send, mark_unsent, reopen_handover
    defs = make_defs(database_url, None, None, amop, smtp)
    engine = defs.resources["database"].get_engine()
    finished_run(defs, instance, dg.DagsterRunStatus.CANCELED)
    sweep(defs, instance)
    in_transaction(engine, lambda c: reopen_handover(c, 11, 555))
    assert rows(jasper, "OptimizationSession", Id=555)[0]["IsActive"]
    assert in_transaction(engine, lambda c: claim_send(c, 11, "session:555", 555, "R2", 1))
    in_transaction(engine, lambda c: mark_unsent(c, 11, "session:555", "R2", "throttled"))
    sweep(defs, instance)  # R1, ended before the resume
    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert (handover["Status"], handover["RunId"]) == ("unsent", "R2")  # R2's stop path's
    assert rows(jasper, "OptimizationSession", Id=555)[0]["IsActive"]


def test_a_send_whose_stop_claim_was_taken_meanwhile_leaves_the_stop_its_row(
        jasper, database_url, instance, amop, smtp):
    """The queue took R2's message after R2's own stop path (its process thought dead)
    claimed the send: the stop's report stands (unconfirmed, session left active), the
    message id is recorded on it for the operator."""
    from datetime import datetime as _dt
    from cleanup_assets.db import in_transaction
    from cleanup_assets.optimization import (claim_send, claim_stop, current_handover,
                                             finish_stop, record_queued)
    engine = make_defs(database_url, None, None, amop, smtp).resources["database"].get_engine()
    key = "session:555"
    assert in_transaction(engine, lambda c: claim_send(c, 11, key, 555, "R2", 1))
    assert in_transaction(engine, lambda c: claim_stop(c, 11, key, 555, "R2/x", _dt.utcnow(),
                                                       "lost", run_id="R2", root_run_id="R2"))
    taken = in_transaction(engine, lambda c: record_queued(c, 11, key, "R2", "m-2"))
    assert taken is not None and taken.status == "stopping"
    assert in_transaction(engine, lambda c: finish_stop(c, 11, key, 555, "R2/x", "R2",
                                                        unconfirmed=True))
    handover = in_transaction(engine, lambda c: current_handover(c, 11, key))
    assert (handover.status, handover.run_id, handover.message_id) == ("unconfirmed", "R2",
                                                                       "m-2")


def test_a_stop_whose_session_removal_fails_gives_its_claim_back(
        jasper, database_url, instance, amop, smtp):
    """The database refuses to deactivate the session: the claim is released (the next tick
    repeats the stop at once, not after the lease), and nothing was sent."""
    defs = make_defs(database_url, None, None, amop, smtp)
    finished_run(defs, instance, dg.DagsterRunStatus.CANCELED)
    with jasper.begin() as conn:  # SQLite: a real refusal of the UPDATE, by the database
        conn.execute(text('CREATE TRIGGER refuse BEFORE UPDATE ON "OptimizationSession" '
                          "BEGIN SELECT RAISE(ABORT, 'session locked'); END"))
    with pytest.raises(Exception, match="session locked"):
        sweep(defs, instance)
    (handover,) = rows(jasper, "CleanupOptimizationHandover")
    assert (handover["Status"], handover["ClaimedAt"]) == ("stopping", None)
    assert stop_mails(smtp) == []
    with jasper.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse"))
    sweep(defs, instance)
    assert rows(jasper, "CleanupOptimizationHandover")[0]["Status"] == "stopped"
    assert len(stop_mails(smtp)) == 1


def test_a_refused_fifo_resend_gives_the_row_back_to_the_earlier_unknown_send(
        jasper, database_url, instance, amop, smtp):
    """R1's send is unknown, R2 resends within the FIFO window and is refused: R1's message
    may be on the queue, so the row is not `unsent` (which would let the stop path stop the
    session and a later run send again): it is R1's `sending` again."""
    from cleanup_assets.db import in_transaction, utcnow
    from cleanup_assets.optimization import claim_send, current_handover, mark_unsent
    engine = make_defs(database_url, None, None, amop, smtp).resources["database"].get_engine()
    key = "session:555"
    assert in_transaction(engine, lambda c: claim_send(c, 11, key, 555, "R1", 1))
    assert in_transaction(engine, lambda c: claim_send(
        c, 11, key, 555, "R2", 1, resend_claimed_after=utcnow() - timedelta(minutes=4)))
    assert in_transaction(engine, lambda c: mark_unsent(c, 11, key, "R2", "throttled"))
    handover = in_transaction(engine, lambda c: current_handover(c, 11, key))
    assert (handover.status, handover.run_id) == ("sending", "R1")
    assert "R2 refused" in handover.reason

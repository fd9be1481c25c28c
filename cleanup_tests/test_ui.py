"""What an operator sees, read where the UI reads it: the GraphQL API of a real webserver, and
one real browser (Debian's chromium through Playwright).

One `dagster dev` (webserver and daemon) serves the whole module. On it: `cleanup-assets
demo --days 1` (the first sync of every provider, launched by the daemon's sensor; the demo's
second day runs in process in test_dagster.py), then what an operator does in
the UI — a run asking for optimization whose gate blocks it (provider 101 has no billing
period), a run of a partition without a provider (`jasper|2`) and a run of a tenant key added
by hand (`acme`), a report asset materialized alone (`thingspace|1`), a carrier that
stopped syncing (`ebonding|2`'s last sync moved two days back), an asset backfill of Telegence
from the asset graph and a job backfill of Teal from the shell (`dagster job backfill`)."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import delete, func, insert, select, update

from cleanup_assets.db import make_engine, utcnow
from cleanup_assets.schema import (
    billing_period,
    device,
    device_sync,
    optimization_session,
    sync_notification,
)

from .processes import BIN, ROOT, environment, start, stop, wait_until
from .servers import free_port

# One dagster dev for the module: under pytest-xdist its tests stay on one worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ui")]

LOCATION = {"repositoryLocationName": "cleanup_assets", "repositoryName": "__repository__"}
REPOSITORY_TAG = {"key": ".dagster/repository", "value": "__repository__@cleanup_assets"}
GATE_BLOCKED = ("optimization not handed over: the gate blocked it - billing_period_exists: "
                "no billing period this month or next for provider 101")
ASSETS = ("carrier_devices", "common_devices", "communication_plans", "device_sync_summary",
          "device_history", "amop_daily_sync", "optimization_handover")
TENANTS = ("1", "2", "3")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class Ui:
    def __init__(self, url: str, env: dict, demo_output: str):
        self.url, self.env, self.demo_output = url, env, demo_output
        self.runs: dict[str, str] = {}  # scenario -> run id
        self.backfill = ""  # the asset backfill's id
        self.job_backfill = None  # the `dagster job backfill` process, and its output
        self.job_backfill_log = Path()
        self.engine = make_engine(f"sqlite:///{Path(env['CLEANUP_HOME']) / 'cleanup.db'}")

    def gql(self, query: str, **variables) -> dict:
        body = json.dumps({"query": query, "variables": variables}).encode()
        request = urllib.request.Request(f"{self.url}/graphql", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            answer = json.loads(response.read())
        assert "errors" not in answer, answer["errors"]
        return answer["data"]

    def launch(self, partition: str, tags: dict[str, str] | None = None) -> str:
        """A run of the job for one partition, as the UI's launchpad sends it."""
        tags = {"dagster/partition": partition, **(tags or {})}
        launched = self.gql(LAUNCH_RUN, params={
            "selector": {**LOCATION, "jobName": "finalize_device_sync"}, "runConfigData": {},
            "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in tags.items()]}})
        assert launched["launchRun"]["__typename"] == "LaunchRunSuccess", launched
        return launched["launchRun"]["run"]["runId"]

    def materialize(self, partition: str, assets: list[str]) -> str:
        """*Materialize* on the asset graph: the assets alone, in the implicit asset job."""
        launched = self.gql(LAUNCH_RUN, params={
            "selector": {**LOCATION, "jobName": "__ASSET_JOB",
                         "assetSelection": [{"path": [a]} for a in assets]},
            "runConfigData": {},
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": partition}]}})
        assert launched["launchRun"]["__typename"] == "LaunchRunSuccess", launched
        return launched["launchRun"]["run"]["runId"]

    def mails(self, subject_start: str) -> list:
        """The emails in the local outbox whose subject starts so."""
        found = []
        for path in sorted((Path(self.env["CLEANUP_HOME"]) / "outbox" / "email").glob("*.eml")):
            mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if mail["Subject"].startswith(subject_start):
                found.append(mail)
        return found

    def run(self, run_id: str) -> dict:
        """The run (``runOrError``) and its events (``logsForRun``)."""
        return self.gql(RUN, runId=run_id)

    def run_of_backfill(self, backfill_id: str) -> dict:
        """The backfill's status and its runs (partition, status)."""
        found = self.gql("""query($id: String!) { partitionBackfillOrError(backfillId: $id) {
            ... on PartitionBackfill { status runs(limit: 20) { status tags { key value } } } } }""",
                         id=backfill_id)["partitionBackfillOrError"]
        found["runs"] = [{"status": r["status"], "tags": {t["key"]: t["value"] for t in r["tags"]}}
                         for r in found["runs"]]
        return found

    def check_executions(self, check: str, partition: str) -> list[dict]:
        return self.gql(CHECK_EXECUTIONS, check=check, partition=partition)["assetCheckExecutions"]

    def latest_judged(self, check: str, partition: str) -> dict:
        """The partition's latest evaluated result of the check (a run created since — the
        backfills run beside these tests — plans its own, IN_PROGRESS until it ends)."""
        return next(e for e in self.check_executions(check, partition) if e["evaluation"])


LAUNCH_RUN = """
mutation($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
  }
}"""
RUN = """
query($runId: ID!) {
  runOrError(runId: $runId) {
    ... on Run {
      status
      repositoryOrigin { repositoryLocationName repositoryName }
      stepStats { stepKey status }
    }
  }
  logsForRun(runId: $runId) {
    ... on EventConnection {
      events {
        __typename
        ... on MessageEvent { message level stepKey }
        ... on ExecutionStepFailureEvent {
          error { message className stack errorChain { error { message } } }
          failureMetadata { description }
        }
        ... on RunFailureEvent { error { message className stack } }
      }
    }
  }
}"""
CHECK_EXECUTIONS = """
query($check: String!, $partition: String) {
  assetCheckExecutions(assetKey: {path: ["common_devices"]}, checkName: $check,
                       partition: $partition, limit: 5) {
    runId status partition
    evaluation { success severity description partition }
  }
}"""


def _finished(ui: Ui, run_id: str):
    run = ui.run(run_id)
    return run if run["runOrError"]["status"] in ("SUCCESS", "FAILURE", "CANCELED") else None


def _finished_runs_of(ui: Ui, integration: str, count: int) -> list | None:
    """The runs a backfill launched of ``integration``'s partitions, once ``count`` have
    finished."""
    with dg.DagsterInstance.from_config(ui.env["DAGSTER_HOME"]) as instance:
        runs = [r for r in instance.get_runs(filters=dg.RunsFilter(
            job_name="finalize_device_sync",
            tags={"dagster/partition/integration": integration})) if "dagster/backfill" in r.tags]
    done = [r for r in runs if r.is_finished]
    return runs if len(runs) == count and len(done) == count else None


def _daemon_heartbeat(env: dict) -> bool:
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        beat = instance.get_daemon_heartbeats().get("SENSOR")
        return beat is not None and time.time() - beat.timestamp < 60


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ui")
    env = environment(tmp)
    port = free_port()
    log = tmp / "dagster-dev.log"
    server = start([str(BIN / "dagster"), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1",
                    "-p", str(port)], env, log)
    url = f"http://127.0.0.1:{port}"
    ui = None
    try:
        def answering():
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=5) as response:
                    return response.status == 200
            except OSError:
                return False

        wait_until(answering, timeout=120, interval=1, what="the webserver")
        # The demo uses a daemon already serving the instance, as it would scripts/ui's.
        wait_until(lambda: _daemon_heartbeat(env), timeout=120, interval=1, what="the daemon")
        demo = subprocess.run([str(BIN / "cleanup-assets"), "demo", "--devices", "12",
                               "--days", "1"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=600)
        assert demo.returncode == 0, demo.stdout + demo.stderr + log.read_text()[-5000:]
        ui = Ui(url, env, demo.stdout)
        _operator_scenarios(ui)
        yield ui
    finally:
        if ui is not None and ui.job_backfill is not None:
            stop(ui.job_backfill)
        stop(server)


def _operator_scenarios(ui: Ui) -> None:
    """What an operator does after the demo, through the GraphQL the UI sends."""
    with ui.engine.begin() as conn:  # ebonding|2's carrier stopped notifying two days ago
        conn.execute(update(device_sync).where(
            device_sync.c.IntegrationKey == "ebonding", device_sync.c.TenantKey == "2")
            .values(FinishedAt=utcnow() - timedelta(hours=50)))
    # First (the backfill daemon acts every 30 s: its wait overlaps the runs below): the
    # asset graph's *Materialize all* → telegence × every tenant (Launch backfill).
    launched = ui.gql("""mutation($params: LaunchBackfillParams!) {
        launchPartitionBackfill(backfillParams: $params) { __typename
          ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message } } }""",
                      params={"partitionNames": [f"telegence|{t}" for t in TENANTS],
                              "assetSelection": [{"path": [a]} for a in ASSETS]})
    assert launched["launchPartitionBackfill"]["__typename"] == "LaunchBackfillSuccess", launched
    ui.backfill = launched["launchPartitionBackfill"]["backfillId"]
    # The operator's everyday action from a shell: `dagster job backfill` of one carrier
    # across every tenant (teal: tenant 1 has the account, 2 and 3 none), runs through the
    # daemon's queue.
    # (It loads the workspace for seconds: the scenarios below are launched meanwhile; its
    # outcome is test_a_job_backfill_from_the_dagster_cli_…'s to judge.)
    ui.job_backfill_log = Path(ui.env["CLEANUP_HOME"]).parent / "job-backfill.log"
    ui.job_backfill = start([str(BIN / "dagster"), "job", "backfill", "-w", "workspace.yaml",
                             "-j", "finalize_device_sync", "--noprompt",
                             "--partitions", ",".join(f"teal|{t}" for t in TENANTS)],
                            ui.env, ui.job_backfill_log)
    with ui.engine.begin() as conn:  # the billing data of provider 101 is missing
        conn.execute(delete(billing_period).where(billing_period.c.ServiceProviderId == 101))
        conn.execute(insert(optimization_session).values(
            Id=9911, SessionId="00000000-0000-4000-8000-000000009911", TenantId=1,
            ServiceProviderId=101, IsActive=True, IsDeleted=False))
    # A run asking for optimization, tagged as the sync sensor tags one (the launchpad can).
    ui.runs["blocked"] = ui.launch("jasper|1", {
        "cleanup/service_provider_id": "101", "cleanup/should_queue_carrier_optimization": "true",
        "cleanup/optimization_session_id": "9911"})
    ui.runs["no_provider"] = ui.launch("jasper|2")  # tenant 2 has no Jasper account
    added = ui.gql("""mutation($selector: RepositorySelector!) {
        addDynamicPartition(partitionsDefName: "tenant", partitionKey: "acme",
                            repositorySelector: $selector) { __typename } }""",
                   selector=LOCATION)  # the UI's "Add a partition"
    assert added["addDynamicPartition"]["__typename"] == "AddDynamicPartitionSuccess"
    ui.runs["acme"] = ui.launch("jasper|acme")
    ui.runs["report_alone"] = ui.materialize("thingspace|1", ["device_sync_summary"])
    for run_id in ui.runs.values():
        wait_until(lambda: _finished(ui, run_id), timeout=240, interval=1,
                   what=f"run {run_id}")
    # The two backfills are judged by the module's last tests: the backfill daemon acts every
    # 30 s, and the tests before them run meanwhile.


# --- the demo goes the way production goes ----------------------------------------------
def test_the_demo_goes_through_the_daemons_sensor_and_prints_what_changed(ui):
    out = ui.demo_output
    assert "Day 1" in out and "Day 2" not in out and "13 runs, 0 failed" in out
    assert "tenant partitions: 1, 2, 3," in out  # the sensor added each tenant's partition
    assert "already running on this instance" in out  # dagster dev's daemon served it
    day1 = {line.split()[0]: line.split() for line in out.split("Day 1")[1].splitlines()
            if "|" in line.split(" ", 1)[0]}
    assert {"thingspace|1", "telegence|3", "ebonding|2"} <= set(day1)
    # partition, provider, ok, checked, rejected, inserted: ThingSpace tenant 3's 12 devices
    # and its malformed rows; the device named twice is rejected with its twin
    assert day1["thingspace|3"][1:3] == ["303", "yes"] and day1["thingspace|3"][5] == "11"
    with ui.engine.connect() as conn:  # every notification the demo posted was launched
        assert set(conn.execute(select(sync_notification.c.Status)).scalars()) == {"launched"}
        assert conn.execute(select(func.count()).where(
            device.c.ServiceProviderId == 303, device.c.IsDeleted.is_(False))).scalar() == 11


def test_the_demos_runs_are_listed_under_the_job_the_sensor_and_its_ticks(ui):
    def runs(**filter_):
        found = ui.gql("""query($filter: RunsFilter) { runsOrError(filter: $filter) {
            ... on Runs { results { runId status repositoryOrigin { repositoryLocationName } }
            } } }""", filter=filter_)["runsOrError"]["results"]
        return {r["runId"]: r for r in found}

    sensor = {"key": "dagster/sensor_name", "value": "sync_notification_sensor"}
    # What the job's and the sensor's Runs tabs ask for: the job (or sensor) and the origin.
    by_job = runs(pipelineName="finalize_device_sync", tags=[REPOSITORY_TAG])
    by_sensor = runs(tags=[sensor, REPOSITORY_TAG])
    assert len(by_sensor) == 13  # 13 providers, one day
    assert {r["status"] for r in by_sensor.values()} == {"SUCCESS"}
    assert set(by_sensor) <= set(by_job)
    assert {r["repositoryOrigin"]["repositoryLocationName"] for r in by_job.values()} == {
        "cleanup_assets"}  # what the overview timeline groups runs by
    ticks = ui.gql("""query($selector: SensorSelector!) { sensorOrError(sensorSelector: $selector)
        { ... on Sensor { sensorState { ticks(limit: 200) { status runIds } } } } }""",
                   selector={**LOCATION, "sensorName": "sync_notification_sensor"})
    launched = {run_id for tick in ticks["sensorOrError"]["sensorState"]["ticks"]
                for run_id in tick["runIds"]}
    assert launched == set(by_sensor)


# --- checks per partition -----------------------------------------------------------------
def test_each_partition_has_its_own_check_result_and_reason(ui):
    (blocked,) = [e for e in ui.check_executions("billing_period_exists", "jasper|1")
                  if e["runId"] == ui.runs["blocked"]]
    assert (blocked["status"], blocked["partition"]) == ("FAILED", "jasper|1")
    assert blocked["evaluation"]["severity"] == "ERROR"
    assert blocked["evaluation"]["description"] == (
        "no billing period this month or next for provider 101")
    other = ui.latest_judged("billing_period_exists", "jasper|3")  # tenant 3: untouched
    assert (other["status"], other["partition"]) == ("SUCCEEDED", "jasper|3")
    assert other["evaluation"]["description"].startswith("billing period found (provider 302: ")

    plans = ui.latest_judged("communication_plans_have_rate_plans", "jasper|3")
    assert plans["status"] == "FAILED" and plans["evaluation"]["severity"] == "WARN"
    assert "plans without a rate plan: CP-Camera-HighData" in plans["evaluation"]["description"]
    mobility = ui.latest_judged("communication_plans_have_rate_plans", "telegence|3")
    assert mobility["status"] == "SUCCEEDED"
    assert mobility["evaluation"]["description"] == (
        "not applicable: Telegence has no communication plans")


def test_the_checks_partition_statuses_list_the_failed_partition_alone(ui):
    checks = ui.gql("""{ assetNodeOrError(assetKey: {path: ["common_devices"]}) { ... on AssetNode {
        assetChecksOrError { ... on AssetChecks { checks { name partitionStatuses {
          ... on AssetCheckMultiPartitionStatuses { ranges { primaryDimStartKey primaryDimEndKey
            secondaryDim { ... on AssetCheckDefaultPartitionStatuses {
              succeededPartitions failedPartitions skippedPartitions } } } } } } } } } } }""")
    by_name = {c["name"]: c for c in
               checks["assetNodeOrError"]["assetChecksOrError"]["checks"]}
    (jasper,) = [r["secondaryDim"] for r in by_name["billing_period_exists"]["partitionStatuses"]
                 ["ranges"] if r["primaryDimStartKey"] == "jasper"]
    assert jasper["failedPartitions"] == ["1"]
    # No provider: judged, "nothing to finalize" — passed, never skipped.
    assert sorted(jasper["succeededPartitions"]) == ["2", "3"]
    assert jasper["skippedPartitions"] == []


# --- a blocked gate is a decision ----------------------------------------------------------
def test_a_blocked_gate_fails_its_run_saying_which_checks_and_why(ui):
    answer = ui.run(ui.runs["blocked"])
    assert answer["runOrError"]["status"] == "FAILURE"
    steps = {s["stepKey"]: s["status"] for s in answer["runOrError"]["stepStats"]}
    assert steps["judge_optimization_gate"] == "FAILURE"
    assert steps["report_device_sync"] == "SUCCESS"  # every report still goes
    assert "queue_carrier_optimization" not in steps or (
        steps["queue_carrier_optimization"] == "SKIPPED")
    (failure,) = [e for e in answer["logsForRun"]["events"]
                  if e["__typename"] == "ExecutionStepFailureEvent"]
    assert failure["failureMetadata"]["description"] == GATE_BLOCKED
    assert "DagsterAssetCheckFailedError" not in json.dumps(answer)
    # What the UI prints for the step and for the run: the decision alone — no exception
    # class before it, no stack trace after it.
    (run_failure,) = [e for e in answer["logsForRun"]["events"]
                      if e["__typename"] == "RunFailureEvent"]
    assert failure["error"] == {"message": GATE_BLOCKED, "className": None, "stack": [],
                                "errorChain": []}
    assert run_failure["error"] == {"message": GATE_BLOCKED, "className": None, "stack": []}
    assert "dagster._core" not in json.dumps(answer)


def test_the_stop_email_and_amop_give_the_gates_reasons(ui):
    outbox = Path(ui.env["CLEANUP_HOME"]) / "outbox"

    (mail,) = wait_until(lambda: ui.mails("Optimization stopped"), timeout=120, interval=2,
                         what="the stop email")  # the daemon's stop sensor ticks every 5 s
    assert mail["Subject"] == "Optimization stopped: device sync failed - Acme Jasper US"
    assert f"Error Details: {GATE_BLOCKED}" in mail.get_body(("plain",)).get_content()
    errors = [json.loads(p.read_text())["data"] for p in (outbox / "amop").glob("*.json")]
    (error,) = [e for e in errors if e.get("job_name") == "ErrorMessage"]
    assert (error["SessionId"], error["ErrorMessage"]) == ("9911", GATE_BLOCKED)


# --- failures and stale carriers reach a person --------------------------------------------
def test_every_failed_run_reaches_the_operators_once_saying_why(ui):
    def alerts():  # the daemon's failure sensor: one email per failed run
        found = ui.mails("Device sync cleanup failed: ")
        return found if len(found) >= 2 else None

    wait_until(alerts, timeout=120, interval=2, what="the operators' failure alerts")
    time.sleep(6)  # at least one more tick of the failure sensor (every 5 s here)
    mails = ui.mails("Device sync cleanup failed: ")
    assert sorted(m["Subject"] for m in mails) == [  # once each, however many ticks
        "Device sync cleanup failed: jasper|1",  # the blocked gate
        "Device sync cleanup failed: jasper|acme"]  # the hand-made key
    found = {m["Subject"]: m for m in mails}
    assert all(m["To"] == "operators@localhost" for m in found.values())
    blocked = found["Device sync cleanup failed: jasper|1"].get_body(("plain",)).get_content()
    assert f"The run {ui.runs['blocked']} of finalize_device_sync" in blocked
    assert f"Why: {GATE_BLOCKED}" in blocked
    acme = found["Device sync cleanup failed: jasper|acme"].get_body(("plain",)).get_content()
    assert "'acme' is not a TenantId" in acme


def test_a_carrier_that_stopped_syncing_reads_stale_and_the_operators_hear_of_it(ui):
    def stale():  # the freshness sensor's judge run (its ticks every 20 s here)
        executions = ui.check_executions("finalized_recently", "ebonding|2")
        return next((e for e in executions if e["status"] == "FAILED"), None)

    execution = wait_until(stale, timeout=150, interval=2, what="ebonding|2 reported stale")
    assert execution["evaluation"]["severity"] == "WARN"  # noticed, never blocking
    description = execution["evaluation"]["description"]
    assert description.startswith("provider 203 Borealis eBonding last finalized ")
    assert description.endswith("h ago: more than the 26 h expected")
    fresh = ui.latest_judged("finalized_recently", "thingspace|3")
    assert fresh["status"] == "SUCCEEDED" and "within the 26 h expected" in (
        fresh["evaluation"]["description"])
    (mail,) = wait_until(lambda: ui.mails("Device sync stale: "), timeout=60, interval=2,
                         what="the stale carrier's email")
    assert mail["Subject"] == "Device sync stale: ebonding|2 provider 203 Borealis eBonding"
    assert mail["To"] == "operators@localhost"


# --- partitions without a provider, keys that are not tenants -----------------------------
def test_a_partition_without_a_provider_reads_nothing_to_finalize(ui):
    note = "nothing to finalize: tenant 2 has no active Jasper service provider"
    answer = ui.run(ui.runs["no_provider"])
    assert answer["runOrError"]["status"] == "SUCCESS"
    steps = {s["stepKey"]: s["status"] for s in answer["runOrError"]["stepStats"]}
    assert set(steps.values()) == {"SUCCESS"}  # nothing skipped, nothing failed
    materialized = ui.gql("""{ assetNodes(assetKeys: [{path: ["common_devices"]},
        {path: ["device_sync_summary"]}]) { assetMaterializations(partitions: ["jasper|2"]) {
        partition metadataEntries { label ... on TextMetadataEntry { text } } } } }""")
    for node in materialized["assetNodes"]:  # not "missing": materialized, saying why
        (event,) = node["assetMaterializations"]
        entries = {e["label"]: e.get("text") for e in event["metadataEntries"]}
        assert entries["nothing_to_finalize"] == note
    (execution,) = ui.check_executions("sync_is_complete", "jasper|2")
    assert execution["status"] == "SUCCEEDED"  # judged: the badge counts it as passed
    assert execution["evaluation"]["description"] == note


def test_a_tenant_key_added_by_hand_fails_at_once_pointing_to_register_tenants(ui):
    answer = ui.run(ui.runs["acme"])
    assert answer["runOrError"]["status"] == "FAILURE"
    steps = {s["stepKey"]: s["status"] for s in answer["runOrError"]["stepStats"]}
    assert steps.pop("finalize_device_tables") == "FAILURE"
    assert "SUCCESS" not in steps.values()
    (failure,) = [e for e in answer["logsForRun"]["events"]
                  if e["__typename"] == "ExecutionStepFailureEvent"]
    description = failure["failureMetadata"]["description"]
    assert "'acme' is not a TenantId" in description
    assert "cleanup-assets register-tenants" in description
    assert "Delete partitions" in description
    with ui.engine.connect() as conn:  # before any work: no ledger row
        assert conn.execute(select(func.count()).where(
            device_sync.c.TenantKey == "acme")).scalar() == 0


def test_a_report_asset_materialized_alone_re_reports_the_latest_sync(ui):
    answer = ui.run(ui.runs["report_alone"])
    assert answer["runOrError"]["status"] == "SUCCESS"  # the partition is not marked failed
    events = ui.gql("""{ assetOrError(assetKey: {path: ["device_sync_summary"]}) {
        ... on Asset { assetMaterializations(partitions: ["thingspace|1"], limit: 1) { runId
          metadataEntries { label ... on TextMetadataEntry { text } } } } } }""")
    (latest,) = events["assetOrError"]["assetMaterializations"]
    assert latest["runId"] == ui.runs["report_alone"]
    meta = {e["label"]: e.get("text") for e in latest["metadataEntries"]}
    with ui.engine.connect() as conn:
        last = conn.execute(select(func.max(device_sync.c.id)).where(
            device_sync.c.IntegrationKey == "thingspace", device_sync.c.TenantKey == "1"))
        last = last.scalar()
    assert meta["reported_sync"].startswith(
        f"re-reported: sync {last}, the partition's latest finalized sync (")
    assert meta["reported_sync"].endswith("); this run finalized none")


# --- metadata that reads at a glance ------------------------------------------------------
def test_a_materialization_describes_its_whole_partition_and_names_its_provider(ui):
    events = ui.gql("""{ assetOrError(assetKey: {path: ["common_devices"]}) { ... on Asset {
        assetMaterializations(partitions: ["jasper|1"], limit: 1) { runId partition
          tags { key value }
          metadataEntries { label __typename
            ... on TextMetadataEntry { text } ... on IntMetadataEntry { intValue } } } } } }""")
    (latest,) = events["assetOrError"]["assetMaterializations"]
    assert latest["runId"] == ui.runs["blocked"]  # a run of provider 101 alone
    meta = {e["label"]: e.get("text", e.get("intValue")) for e in latest["metadataEntries"]}
    kinds = {e["label"]: e["__typename"] for e in latest["metadataEntries"]}
    assert meta["tenant"] == "1 Acme Logistics"
    assert meta["providers_this_run"] == "101 Acme Jasper US"
    assert meta["providers_in_partition"] == "101 Acme Jasper US, 102 Acme Jasper EU"
    assert kinds["sync_id"] == "TextMetadataEntry"  # an id, not a number to plot
    with ui.engine.connect() as conn:  # the partition: both providers' live devices
        live = conn.execute(select(func.count()).where(
            device.c.ServiceProviderId.in_([101, 102]), device.c.IsDeleted.is_(False))).scalar()
        own = conn.execute(select(func.count()).where(
            device.c.ServiceProviderId == 101, device.c.IsDeleted.is_(False))).scalar()
    assert meta["dagster/row_count"] == live and meta["live_devices_this_run"] == own < live
    tags = {t["key"]: t["value"] for t in latest["tags"]}
    assert tags["cleanup/providers"] == "101"
    assert tags["cleanup/trigger"] == "notification"


def test_the_rejected_rows_keys_and_reasons_are_in_the_materialization(ui):
    events = ui.gql("""{ assetOrError(assetKey: {path: ["carrier_devices"]}) { ... on Asset {
        assetMaterializations(partitions: ["thingspace|1"], limit: 10) { runId
          metadataEntries { label __typename ... on MarkdownMetadataEntry { mdStr }
            ... on IntMetadataEntry { intValue } } } } } }""")
    tables = []
    for event in events["assetOrError"]["assetMaterializations"]:
        meta = {e["label"]: e for e in event["metadataEntries"]}
        if meta["rejected"]["intValue"]:
            assert meta["rejected_rows"]["__typename"] == "MarkdownMetadataEntry"
            tables.append((meta["rejected"]["intValue"], meta["rejected_rows"]["mdStr"]))
    assert tables, "the demo's day 1 rejects a ThingSpace row"
    for rejected, table in tables:
        lines = table.splitlines()
        assert lines[:2] == ["| provider | table | key | reason |", "|---:|---|---|---|"]
        rows = [line for line in lines if line.startswith("| 103 | ThingSpaceDevice | ")]
        assert len(rows) == rejected and all(line.count(" | ") == 3 for line in rows)


def test_every_sensor_says_in_its_ticks_why_it_did_not_act(ui):
    from cleanup_assets.definitions import defs

    def ticks(name):
        found = ui.gql("""query($selector: SensorSelector!) { sensorOrError(sensorSelector:
            $selector) { ... on Sensor { sensorState { ticks(limit: 200) {
              status skipReason } } } } }""",
                       selector={**LOCATION, "sensorName": name})
        return found["sensorOrError"]["sensorState"]["ticks"]

    generic = "Sensor function returned an empty result"  # Dagster's, when told nothing
    # The run-failure sensors: Dagster's machinery says its own words on a tick that saw no
    # failed run (nothing reached our code); each failed run it hands us gets ours.
    watching = {"stop_optimization_on_failure", "alert_operators_on_failure"}
    unexplained = []
    for sensor in defs.sensors:
        for tick in ticks(sensor.name):
            if tick["status"] != "SKIPPED":
                continue
            if not tick["skipReason"] or (tick["skipReason"] == generic
                                          and sensor.name not in watching):
                unexplained.append((sensor.name, tick))
    assert unexplained == []
    # The acme run asked for no optimization: the stop sensor's tick says so, naming it (the
    # sensor ticks every 5 s here: its tick on that failure may still be coming).
    def said_of_acme():
        return [t["skipReason"] for t in ticks("stop_optimization_on_failure")
                if (t["skipReason"] or "").startswith(f"run {ui.runs['acme']}")]

    wait_until(said_of_acme, timeout=120, interval=2, what="the stop sensor's tick on acme")
    time.sleep(6)  # at least one more tick: it is said once, however many ticks
    said = said_of_acme()
    assert len(said) == 1, said
    reasons = {t["skipReason"] for t in ticks("sync_notification_sensor")
               if t["status"] == "SKIPPED"}
    assert reasons and all(r.startswith("no run requested: ") for r in reasons), reasons


def test_sensors_gate_thresholds_and_resource_fields_are_described(ui):
    sensors = ui.gql("""query($selector: RepositorySelector!) {
        sensorsOrError(repositorySelector: $selector) { ... on Sensors { results {
          name description } } } }""", selector=LOCATION)["sensorsOrError"]["results"]
    from cleanup_assets.definitions import defs

    # Every sensor, whatever is added later, shows the description it declares (what it
    # reads, what it does), and none goes without one.
    declared = {sensor.name: sensor.description for sensor in defs.sensors}
    assert set(declared) >= {"sync_notification_sensor", "stop_optimization_on_failure",
                             "stop_optimization_sweep"}
    assert {s["name"]: s["description"] for s in sensors} == declared
    assert [name for name, text in declared.items() if not (text or "").strip()] == []
    schema = ui.gql("""query($selector: PipelineSelector!) {
        runConfigSchemaOrError(selector: $selector) { ... on RunConfigSchema {
          allConfigTypes { ... on CompositeConfigType { fields { name description } } } } } }""",
                    selector={**LOCATION, "pipelineName": "finalize_device_sync"})
    fields = {f["name"]: f["description"]
              for t in schema["runConfigSchemaOrError"]["allConfigTypes"]
              for f in t.get("fields", [])}
    assert "truncated device list" in fields["max_active_device_drop_share"]
    assert "rejected_rows_within_threshold" in fields["max_rejected_share"]
    resources = ui.gql("""query($selector: RepositorySelector!) {
        allTopLevelResourceDetailsOrError(repositorySelector: $selector) {
          ... on ResourceDetailsList { results { name description
            configFields { name description } } } } }""", selector=LOCATION)
    listed = resources["allTopLevelResourceDetailsOrError"]["results"]
    assert len(listed) == 9  # freshness: the stale-after hours
    for resource in listed:
        assert resource["description"] and "``" not in resource["description"], resource
        undescribed = [f["name"] for f in resource["configFields"] if not f["description"]]
        assert undescribed == [], resource["name"]


# --- the browser ---------------------------------------------------------------------------
@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="Debian's chromium is not installed (scripts/services installs it "
                           "as root: apt-get install chromium)")
def test_an_operator_reads_each_partitions_check_result_in_the_browser(ui):
    from playwright.sync_api import expect, sync_playwright

    outside = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.set_default_timeout(60_000)
            expect.set_options(timeout=30_000)  # a loaded machine renders slowly (5 s default)
            page.on("request", lambda r: outside.append(r.url)
                    if not r.url.startswith((ui.url, "data:", "blob:")) else None)

            page.goto(f"{ui.url}/asset-groups", timeout=90_000)  # the asset graph
            for asset in ("carrier_devices", "common_devices", "optimization_handover",
                          "device_sync_summary"):
                expect(page.get_by_text(asset, exact=True).first).to_be_visible()

            page.goto(f"{ui.url}/assets/common_devices?view=checks"
                      "&checkDetail=billing_period_exists")
            expect(page.get_by_text("This is a blocking asset check.")).to_be_visible()
            page.get_by_text("Partitions", exact=True).nth(1).click()  # the check's own tab
            page.get_by_text("jasper", exact=True).first.click()
            page.get_by_text("1", exact=True).first.click()
            expect(page.get_by_text("jasper|1", exact=True).first).to_be_visible()
            expect(page.get_by_text(
                "no billing period this month or next for provider 101")).to_be_visible()
            page.get_by_text("3", exact=True).first.click()
            expect(page.get_by_text("jasper|3", exact=True).first).to_be_visible()
            expect(page.get_by_text("billing period found (provider 302: ", exact=False)
                   ).to_be_visible()
            expect(page.get_by_text(
                "no billing period this month or next for provider 101")).to_have_count(0)
            expect(page.get_by_text("Join the Dagster community")).to_have_count(0)
        finally:
            browser.close()
    assert outside == []  # telemetry off: nothing fetched from another host


# --- backfills (last: the backfill daemon acts every 30 s; the tests above ran meanwhile) --
def test_an_asset_backfill_of_a_carrier_over_every_tenant_completes(ui):
    """*Materialize all* on the asset graph → telegence × every tenant: tenant 2 has no
    Telegence account, and the backfill still completes."""
    answer = wait_until(lambda: (lambda a: a if a["status"] not in (
        "REQUESTED", "FAILING", "CANCELING") else None)(ui.run_of_backfill(ui.backfill)),
        timeout=420, interval=2, what="the asset backfill")
    assert answer["status"] == "COMPLETED_SUCCESS", answer
    statuses = {r["tags"]["dagster/partition"]: r["status"] for r in answer["runs"]}
    assert statuses == {"telegence|1": "SUCCESS", "telegence|2": "SUCCESS",
                        "telegence|3": "SUCCESS"}


def test_a_job_backfill_from_the_dagster_cli_finalizes_a_carrier_for_every_tenant(ui):
    """`dagster job backfill` of teal x every tenant: one run per partition through the
    daemon's queue, each a success — tenants 2 and 3 have no Teal account (nothing to
    finalize) — and tenant 1's run finalizes the demo's devices again: its ledger row read
    every carrier row, inserted none, and every device is still live."""
    log = lambda: ui.job_backfill_log.read_text(errors="replace")[-3000:]  # noqa: E731
    assert ui.job_backfill.wait(timeout=180) == 0, log()
    runs = wait_until(lambda: _finished_runs_of(ui, "teal", len(TENANTS)), timeout=240,
                      interval=1, what=lambda: f"the job backfill's runs\n{log()}")
    assert sorted((r.tags["dagster/partition"], r.status) for r in runs) == [
        (f"teal|{t}", dg.DagsterRunStatus.SUCCESS) for t in TENANTS]
    assert len({r.tags["dagster/backfill"] for r in runs}) == 1
    (tenant_1,) = [r for r in runs if r.tags["dagster/partition"] == "teal|1"]
    day1 = {line.split()[0]: line.split() for line in ui.demo_output.splitlines()
            if line.split() and line.split()[0].startswith("teal|")}
    with ui.engine.connect() as conn:
        (synced,) = conn.execute(select(device_sync).where(
            device_sync.c.RunId == tenant_1.run_id)).mappings().all()
        live = conn.execute(select(func.count()).where(
            device.c.ServiceProviderId == 105, device.c.IsDeleted.is_(False))).scalar()
    assert (synced["Status"], synced["ServiceProviderIds"], synced["Inserted"]) == (
        "finalized", "105", 0)
    assert synced["CarrierRows"] == int(day1["teal|1"][3])  # every row the demo checked
    assert live == int(day1["teal|1"][5]) > 0  # inserted on day 1, still there

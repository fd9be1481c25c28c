"""The deployed shape, with real processes on this machine's services: deploy/dagster.yaml
(PostgreSQL instance storage, run queue with per-integration limits, run monitoring, run
retries, compute logs to S3 — here moto), the gRPC code server of deploy/workspace.yaml and
the daemon. Four sync notifications (2 tenants × 2 integrations) become four runs whose steps
run on a Celery worker, one run per integration at a time, on `scripts/deploy-local` as an
operator starts it (and stops it); a run whose process is killed is marked failed and its
stop path runs once. The 36-partition fleet (4 tenants × 9
integrations) is benchmarks/fleet.py's, with its figures in docs/performance.md.

The daemons evaluate the 30 s sensors every 5 s, the sweep every 20 s
(processes.SHORT_SENSOR_INTERVAL)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import uuid

import dagster as dg
import pytest
from sqlalchemy import create_engine, text

from .builders import rows
from .pg import database_url, drop_database
from .processes import (
    BIN,
    ROOT,
    SHORT_SENSOR_INTERVAL,
    start,
    this_venv_for_the_scripts,
    wait_until,
)
from .servers import free_port
from .stack import (
    fleet_providers,
    instance_at,
    make_stack,
    overlapping_runs,
    post_fleet_notifications,
    run_summary,
    seed_fleet,
    sensor_ticks,
    waited_for_their_integration,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

COMPUTE_LOG_BUCKET = "dagster-compute-logs"


def s3_client(moto_endpoint):
    import boto3

    return boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def s3_compute_logs(moto_endpoint) -> dict:
    """The environment deploy/dagster.yaml's S3 compute logs need, on a moto bucket of the
    stack's own."""
    bucket = f"{COMPUTE_LOG_BUCKET}-{uuid.uuid4().hex[:8]}"
    s3_client(moto_endpoint).create_bucket(Bucket=bucket)
    return {"DAGSTER_COMPUTE_LOG_BUCKET": bucket, "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_S3": moto_endpoint}


@pytest.fixture(scope="module")
def stack(tmp_path_factory, moto_endpoint):
    """The deployed stack with the default executor (each run in its own process)."""
    stack = make_stack(tmp_path_factory.mktemp("stack"), **s3_compute_logs(moto_endpoint),
                       **SHORT_SENSOR_INTERVAL)
    try:
        # The killed run's provider only: 101, Jasper, tenant 1.
        stack.providers = seed_fleet(stack.data_url, providers=fleet_providers(
            tenants=(1,), integrations=("jasper",)))
        stack.start_code_server()
        stack.start_daemon()
        yield stack
    finally:
        stack.stop()


def terminal_runs(instance, count):
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=[
        dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]))
    return runs if len(runs) >= count else None


def launch_asset_job_run(stack, provider_id: int, tenant: int, session_id: int) -> str:
    """A materialization as the UI launches it: the implicit `__ASSET_JOB`, through the
    instance's queue. No automatic retry, so the failure is final."""
    tags = {"dagster/partition": f"jasper|{tenant}", "dagster/partition/integration": "jasper",
            "dagster/partition/tenant": str(tenant), "dagster/max_retries": "0",
            # what the sync sensor sets (defs/run_tags.py); the UI's launchpad can add them
            "cleanup/service_provider_id": str(provider_id),
            "cleanup/should_queue_carrier_optimization": "true",
            "cleanup/optimization_session_id": str(session_id)}
    run_id = str(uuid.uuid4())
    subprocess.run(
        [str(BIN / "dagster"), "job", "launch", "-w", str(stack.workspace), "-j", "__ASSET_JOB",
         "--tags", json.dumps(tags), "--run-id", run_id],
        cwd=ROOT, env=stack.env, check=True, capture_output=True, timeout=120)
    return run_id


def stop_emails(stack) -> list[str]:
    folder = stack.root / "cleanup_home" / "outbox" / "email"
    return [p.name for p in folder.glob("*.eml")
            if "Optimization stopped" in p.read_text(errors="replace")]


def scalar(engine, sql: str, **values):
    with engine.connect() as connection:
        return connection.execute(text(sql), values).scalar()


def test_a_killed_run_is_marked_failed_and_its_stop_path_runs_once(stack):
    # A session blocked by the blocker's lock on the ledger (pg_blocking_pids): the run inside
    # its transaction. (Not the statement's text: pg_stat_activity keeps only its first 1 kB.)
    lock_waits = ("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                  "AND datname = current_database() AND backend_type = 'client backend' "
                  "AND pg_blocking_pids(pid) @> ARRAY[CAST(:blocker AS integer)]")
    provider, tenant = 101, 1  # jasper, with an open optimization session (9101)
    engine = create_engine(stack.data_url)
    with engine.connect() as blocker:
        # Hold the common table against writes (reads go on) so the run is caught inside
        # its finalize transaction — after its ledger row was written `running`.
        blocker.execute(text('LOCK TABLE "Device" IN EXCLUSIVE MODE'))
        blocker_pid = blocker.execute(text("SELECT pg_backend_pid()")).scalar()
        run_id = launch_asset_job_run(stack, provider, tenant, 9000 + provider)
        with stack.instance() as instance:
            step = wait_until(lambda: next(iter(instance.all_logs(
                run_id, of_type=dg.DagsterEventType.STEP_START)), None), timeout=120,
                what="the run's first step")
            # Asked on a connection of its own, one transaction per look: PostgreSQL keeps
            # pg_stat_activity as first read for the rest of a transaction, so asking on the
            # blocker would see the first look's answer for ever.
            wait_until(lambda: scalar(engine, lock_waits, blocker=blocker_pid), timeout=180,
                what=lambda: f"the run waiting on Device\n{stack.log('code_server')[-3000:]}")
            (sync,) = rows(engine, "CleanupDeviceSync", RunId=run_id)
            assert sync["Status"] == "running"
            os.kill(step.dagster_event.pid, signal.SIGKILL)  # the run worker
            killed_at = time.monotonic()
            blocker.rollback()

            run = wait_until(lambda: (lambda r: r if r.is_finished else None)(
                instance.get_run_by_id(run_id)), timeout=60, what="the killed run to finish")
            marked_after = time.monotonic() - killed_at
            assert run.status == dg.DagsterRunStatus.FAILURE
            assert run.job_name == "__ASSET_JOB"

            handover = wait_until(lambda: [h for h in rows(
                engine, "CleanupOptimizationHandover", ServiceProviderId=provider)
                if h["Status"] == "stopped"], timeout=120, what="the stop path")
            failures = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    assert marked_after < 60, marked_after
    # One failure event (the code server saw the process die; run monitoring had nothing
    # left to do), so one evaluation of the stop sensor: one stop email, one handover row.
    assert len(failures) == 1
    assert len(handover) == 1 and handover[0]["RunId"] == run_id
    assert len(stop_emails(stack)) == 1
    (session,) = rows(engine, "OptimizationSession", Id=9000 + provider)
    assert not session["IsActive"]  # RemoveCarrierOptimizationSession (guess: IsActive = 0)
    # The ledger row the dead run left `running` says how it ended (issue 21, point 3).
    (sync,) = rows(engine, "CleanupDeviceSync", RunId=run_id)
    assert sync["Status"] == "failed" and sync["FinishedAt"] is not None
    assert "learned by stop_optimization_on_failure" in sync["Error"]
    engine.dispose()
    # Compute logs (here the daemon's sensor ticks') went to S3, as deploy/dagster.yaml says.
    logs = s3_client(stack.env["AWS_ENDPOINT_URL_S3"]).list_objects_v2(
        Bucket=stack.env["DAGSTER_COMPUTE_LOG_BUCKET"])
    assert logs.get("KeyCount", 0) > 0


def rabbitmqctl(*args: str) -> str:
    return subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True,
                          text=True, timeout=60).stdout


# Two tenants of two integrations (one of the Jasper family, the mobility one): two runs per
# integration. deploy/dagster.yaml allows 2 runs at once: with one run per carrier at a time,
# the per-integration tag limit is what holds each carrier's second run back.
FLEET = fleet_providers(tenants=(1, 2), integrations=("jasper", "telegence"))


class DeployLocal:
    """`scripts/deploy-local` running: the deployed shape as an operator starts it on one
    machine (deploy/dagster.yaml's PostgreSQL instance, the gRPC code server, the daemon,
    the webserver, a Celery worker)."""

    def __init__(self, root, env: dict, process, instance_db: str, data_db: str, vhost: str):
        self.root, self.env, self.process = root, env, process
        self.instance_db, self.data_db, self.vhost = instance_db, data_db, vhost
        self.dagster_home = root / "home" / "deploy-local" / "dagster"
        self.output = root / "deploy-local.out"
        self.providers: list = []

    @property
    def data_url(self) -> str:
        return database_url(self.data_db)

    def log(self, name: str) -> str:
        path = self.root / "home" / "deploy-local" / "logs" / f"{name}.log"
        return path.read_text(errors="replace")[-6000:] if path.exists() else ""

    def said(self) -> str:
        return self.output.read_text(errors="replace")

    def instance(self):
        """The stack's instance in this process (its config reads DAGSTER_PG_*: the script's
        defaults, and the test's database)."""
        return instance_at(self.dagster_home, {
            "DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": "5432",
            "DAGSTER_PG_USERNAME": "postgres", "DAGSTER_PG_PASSWORD": "",
            "DAGSTER_PG_DB": self.instance_db})

    def started(self) -> dict[str, str]:
        """What the script says it started: name -> pid."""
        return dict(re.findall(r"started (\S+) \(pid (\d+)", self.said()))

    def stop(self) -> str:
        """Ctrl-C's path: SIGTERM to the script, which stops what it started; its output.
        Should the script not end, its processes' groups are killed (each has its own)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                for pid in [self.process.pid, *map(int, self.started().values())]:
                    try:
                        os.killpg(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.process.wait()
        return self.said()


@pytest.fixture(scope="module")
def celery_stack(tmp_path_factory):
    """`scripts/deploy-local` on the tests' own venv (nothing installed): CLEANUP_EXECUTOR
    celery and its Celery worker on a RabbitMQ virtual host of its own (deleted afterwards),
    Redis for results, compute logs on disk (the script's default without a bucket; S3 is
    the killed run's stack's), fresh databases for the instance and the data, the sensors'
    short test interval."""
    root = tmp_path_factory.mktemp("deploy_local")
    vhost = f"cleanup-test-{uuid.uuid4().hex[:8]}"
    instance_db, data_db = f"cleanup_dl_{uuid.uuid4().hex[:8]}", f"cleanup_dl_{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLEANUP_", "DAGSTER_"))}
    env.update(CLEANUP_HOME=str(root / "home"), DAGSTER_PG_DB=instance_db,
               CLEANUP_DATABASE_URL=database_url(data_db), PORT=str(free_port()),
               CODE_SERVER_PORT=str(free_port()),
               CLEANUP_CELERY_BROKER_URL=f"pyamqp://guest:{BROKER_PASSWORD}@127.0.0.1:5672/"
                                         f"{vhost}",
               CLEANUP_CELERY_BACKEND_URL="redis://127.0.0.1:6379/0",
               **SHORT_SENSOR_INTERVAL, **this_venv_for_the_scripts(root))
    stack = DeployLocal(root, env, None, instance_db, data_db, vhost)
    try:
        rabbitmqctl("add_vhost", vhost)
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        # The DAGSTER_PG_* defaults are the script's own (only this process is told them).
        stack.process = start([str(ROOT / "scripts" / "deploy-local")], env, stack.output)
        wait_until(lambda: "up: http://" in stack.said() or stack.process.poll() is not None,
                   timeout=420, what=lambda: f"scripts/deploy-local to start everything\n"
                                             f"{stack.said()[-3000:]}\n{stack.log('daemon')}")
        assert stack.process.poll() is None, stack.said()[-3000:]
        stack.providers = seed_fleet(stack.data_url, providers=FLEET)
        yield stack
    finally:
        if stack.process is not None:
            stack.stop()
        for name in (instance_db, data_db):
            drop_database(name)
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], timeout=60)


BROKER_PASSWORD = "guest"  # RabbitMQ's guest user; what must never be written down


def test_a_fleet_runs_through_the_daemon_on_a_celery_worker_one_run_per_integration(
        celery_stack):
    """Issue 13's fleet, small: 2 tenants x 2 integrations notified at once; the daemon's
    sensor launches them all in one tick, the run queue keeps one run per integration at a
    time (each integration's second run waits for its first), every run succeeds with no
    transient retry, its steps execute on the Celery worker, and nothing is left behind
    (reply queues, the broker's password). benchmarks/fleet.py runs the 36."""
    stack = celery_stack
    posted_at = time.time()
    # Each carrier's two notifications first: queued in that order, without the carrier's
    # limit both of its runs would take the two slots at once (an overlap below).
    post_fleet_notifications(stack.data_url, sorted(stack.providers, key=lambda p: (p[2], p[1])))

    with stack.instance() as instance:
        wait_until(lambda: terminal_runs(instance, len(FLEET)), timeout=300,
                   what=lambda: f"{len(FLEET)} finished runs\n{stack.log('daemon')}\n"
                                f"{stack.log('celery-worker')}")
        summary = run_summary(instance)
        ticks = [t for t in sensor_ticks(instance, "sync_notification_sensor")
                 if t.timestamp >= posted_at - 1 and t.run_ids]
    failed = [r for r in summary if r["status"] != "SUCCESS"]
    assert not failed, f"{failed}\n{stack.log('celery-worker')}\n{stack.log('code-server')}"
    assert sorted((r["integration"], r["tenant"]) for r in summary) == sorted(
        (key, str(tenant)) for _, tenant, key in stack.providers)
    # Posted in one transaction, below the sensor's 25 run requests a tick: one tick.
    assert set(ticks[0].run_ids) == {r["run_id"] for r in summary}
    # The tag limit on dagster/partition/integration: no two runs of a carrier at once, and
    # each carrier's second run was held in the queue while its first ran (deploy/dagster.yaml's
    # two runs at once are one per carrier here: only the limit held them).
    assert overlapping_runs(summary) == []
    assert waited_for_their_integration(summary) == {"jasper": 1, "telegence": 1}
    assert [r for r in summary if r["messages"]] == []  # no transient database retries
    # A worker that never picks a step up, not a latency target: under the whole suite on two
    # cores a run's process start took 40-48 s. The latency itself (3.8 s quiet) is
    # benchmarks/fleet.py's, in docs/performance.md: speed is shown by benchmarks.
    assert max(r["launch_to_first_step_s"] for r in summary) < 120
    assert "cleanup_assets" in stack.log("celery-worker") or "execute_plan" in stack.log(
        "celery-worker")
    # Each run's compute logs on disk, under the instance's home: deploy-local's default
    # without a bucket (the steps ran on the worker; their logs are complete).
    assert [r["run_id"] for r in summary
            if not list((stack.dagster_home / r["run_id"] / "compute_logs").glob("*.complete"))
            ] == []

    # Ctrl-C's path: the script stops every process it started, and none outlives it (the
    # worker's own control queue goes with it).
    started = stack.started()
    said = stack.stop()
    # SIGTERM caught: everything stopped, then the script's own `wait` ends it (128 + 15)
    assert stack.process.returncode == 143 and "stopped" in said.splitlines()[-3:], said[-3000:]
    assert sorted(started) == ["celery-worker", "code-server", "daemon", "webserver"]
    assert [name for name, pid in started.items() if os.path.exists(f"/proc/{pid}")] == []
    queues = rabbitmqctl("list_queues", "-p", stack.vhost, "name").split()
    assert [q for q in queues if q not in ("name", "dagster")] == []  # no reply queues
    secret = f"guest:{BROKER_PASSWORD}@"
    written = [p for p in [stack.output, *(stack.root / "home").rglob("*")] if p.is_file()
               and not p.name.endswith(".log")
               and secret in p.read_text(errors="replace")]
    assert written == []  # no broker URL with its password in any file
    assert not (stack.dagster_home / "dagster_celery").exists()
    with create_engine(f"{stack.data_url.rsplit('/', 1)[0]}/{stack.instance_db}").connect() as c:
        stored = c.execute(text(
            "SELECT (SELECT count(*) FROM runs WHERE run_body LIKE :s) + "
            "(SELECT count(*) FROM event_logs WHERE event LIKE :s)"), {"s": f"%{secret}%"}
        ).scalar()
    assert stored == 0  # nor in the instance's runs and events

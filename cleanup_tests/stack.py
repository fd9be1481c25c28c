"""The deployed shape on this machine, for the tests and benchmarks/fleet.py: a PostgreSQL
instance configured by deploy/dagster.yaml, the gRPC code server, the daemon, optionally one
Celery worker (RabbitMQ broker, Redis results), and a platform database of providers (one
per tenant and integration: 4 tenants × 9 integrations for the benchmark, fewer in the
tests) whose sync notifications the sensor turns into runs."""

from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import create_engine, text

from cleanup_assets.db import connect_databases, make_engine
from cleanup_assets.notifications import post_notification
from cleanup_assets.registry import INTEGRATION_KEYS, INTEGRATIONS
from cleanup_assets.schema import create_schema
from cleanup_assets.tooling.demo import demo_devices, seed_reference_data, upstream_device_sync

from .pg import PG_ADMIN_URL, database_url, drop_database
from .processes import BIN, ROOT, start, stop, wait_until
from .servers import free_port

TENANTS = (1, 2, 3, 4)
DEPLOY = ROOT / "deploy"


def create_database(prefix: str) -> str:
    """A fresh PostgreSQL database; returns its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name




def fleet_providers(tenants=TENANTS,
                    integrations=INTEGRATION_KEYS) -> list[tuple[int, int, str]]:
    """(provider id, tenant, integration): one provider per tenant and integration (ids as
    the demo numbers them: 100 × tenant + the integration's place in the registry)."""
    return [(100 * tenant + n, tenant, key)
            for tenant in tenants for n, key in enumerate(INTEGRATION_KEYS, start=1)
            if key in integrations]


def seed_fleet(url: str, devices_per_provider: int = 20,
               providers: list[tuple[int, int, str]] | None = None) -> list[tuple[int, int, str]]:
    databases = connect_databases(url)
    create_schema(databases)
    providers = providers or fleet_providers()
    with databases.central.begin() as conn:
        seed_reference_data(conn, [(sp, t, key, f"Provider {sp}") for sp, t, key in providers])
    for sp, _, key in providers:
        upstream_device_sync(databases, INTEGRATIONS[key], sp,
                             demo_devices(sp, devices_per_provider, malformed=False)[0])
    databases.dispose()
    return providers


def post_fleet_notifications(url: str, providers) -> None:
    """One sync notification per provider, as the device-sync Lambdas post them."""
    from cleanup_assets.tooling.demo import DEMO_INTEGRATION_IDS

    engine = make_engine(url)
    with engine.begin() as conn:
        for sp, _, key in providers:
            post_notification(conn, {"IntegrationType": DEMO_INTEGRATION_IDS[key],
                                     "ServiceProviderId": sp,
                                     "ShouldQueueCarrierOptimization": "False",
                                     "OptimizationSessionId": 0})
    engine.dispose()


@dataclass
class Stack:
    """A running deployed-shape stack under ``root``; stop() ends every process it started
    and drops its databases."""

    root: Path
    env: dict
    data_db: str
    instance_db: str
    port: int
    processes: list = field(default_factory=list)

    @property
    def data_url(self) -> str:
        return database_url(self.data_db)

    @property
    def dagster_home(self) -> Path:
        return Path(self.env["DAGSTER_HOME"])

    @property
    def workspace(self) -> Path:
        return self.root / "workspace.yaml"

    def instance(self):
        """The stack's instance in this process (its config reads DAGSTER_PG_* and AWS_*
        from the environment)."""
        names = [k for k in self.env if k.startswith(("DAGSTER_PG_", "DAGSTER_COMPUTE", "AWS_"))]
        return instance_at(self.dagster_home, {k: self.env[k] for k in names})

    def start_code_server(self) -> None:
        """The image's code server (Dockerfile CMD) on the workspace's port, under the
        location name deploy/workspace.yaml gives it."""
        (entry,) = yaml.safe_load(self.workspace.read_text())["load_from"]
        self.processes.append(start(
            [str(BIN / "dagster"), "api", "grpc", "-m", "cleanup_assets.definitions",
             "-h", "127.0.0.1", "-p", str(self.port),
             "--location-name", entry["grpc_server"]["location_name"]],
            self.env, self.root / "code_server.log"))

        def answers():
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                return False

        wait_until(answers, timeout=120, what="the gRPC code server")

    def start_daemon(self) -> None:
        self.processes.append(start(
            [str(BIN / "dagster-daemon"), "run", "-w", str(self.workspace)],
            self.env, self.root / "daemon.log"))

    def start_celery_worker(self) -> None:
        self.processes.append(start(
            [str(BIN / "celery"), "-A", "dagster_celery.app", "worker", "-Q", "dagster",
             "--concurrency", "2", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"cleanup-test-{uuid.uuid4().hex[:6]}@%h", "--loglevel", "INFO"],
            self.env, self.root / "celery.log"))

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace")[-6000:] if path.exists() else ""

    def stop_processes(self) -> None:
        for process in reversed(self.processes):
            stop(process)
        self.processes.clear()

    def stop(self) -> None:
        self.stop_processes()
        for name in (self.data_db, self.instance_db):
            drop_database(name)


@contextmanager
def instance_at(dagster_home: Path, environment: dict):
    """The instance of ``dagster_home`` in this process, its config's environment variables
    set from ``environment`` for the instance's lifetime, then restored."""
    import dagster as dg

    saved = {k: os.environ.get(k) for k in environment}
    os.environ.update(environment)
    try:
        with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
            yield instance
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def instance_config(overrides: dict | None = None) -> dict:
    """deploy/dagster.yaml with ``overrides`` merged in (one level deep)."""
    config = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        elif value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return config


def make_stack(root: Path, *, instance_overrides: dict | None = None, **extra_env) -> Stack:
    """Databases, DAGSTER_HOME with the production instance config, a workspace pointing at a
    free port, and the environment every process of the stack shares."""
    root.mkdir(parents=True, exist_ok=True)
    data_db, instance_db = create_database("cleanup_fleet"), create_database("cleanup_dagster")
    home = root / "dagster_home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text(yaml.safe_dump(instance_config(instance_overrides)))
    port = free_port()
    workspace = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())
    workspace["load_from"][0]["grpc_server"].update(host="127.0.0.1", port=port)
    (root / "workspace.yaml").write_text(yaml.safe_dump(workspace))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLEANUP_", "DAGSTER_"))}
    env.update(
        PATH=f"{BIN}:{env.get('PATH', '')}",
        PYTHONPATH=str(DEPLOY / "celery"),
        DAGSTER_HOME=str(home),
        DAGSTER_PG_HOST="127.0.0.1", DAGSTER_PG_PORT="5432", DAGSTER_PG_USERNAME="postgres",
        DAGSTER_PG_PASSWORD="", DAGSTER_PG_DB=instance_db,
        CLEANUP_HOME=str(root / "cleanup_home"),
        CLEANUP_DATABASE_URL=database_url(data_db),
        **extra_env,
    )
    return Stack(root=root, env=env, data_db=data_db, instance_db=instance_db, port=port)


LOCAL_COMPUTE_LOGS = {"compute_logs": {
    "module": "dagster._core.storage.local_compute_log_manager",
    "class": "LocalComputeLogManager",
    "config": {"base_dir": {"env": "DAGSTER_HOME"}}}}


def run_summary(instance, run_ids=None) -> list[dict]:
    """Per finished run: partition, status, times (epoch seconds) and launch → first step."""
    import dagster as dg

    records = instance.get_run_records(
        filters=dg.RunsFilter(run_ids=list(run_ids)) if run_ids else None)
    out = []
    for record in records:
        run = record.dagster_run
        first_step = None
        launched = None
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None:
                continue
            if event.event_type_value == "PIPELINE_STARTING" and launched is None:
                launched = entry.timestamp
            if event.event_type_value == "STEP_START" and first_step is None:
                first_step = entry.timestamp
        out.append({
            "run_id": run.run_id, "job": run.job_name, "status": run.status.value,
            "integration": run.tags.get("dagster/partition/integration"),
            "tenant": run.tags.get("dagster/partition/tenant"),
            "created": record.create_timestamp.timestamp(),
            "start": record.start_time, "end": record.end_time,
            "launch_to_first_step_s": (first_step - launched) if first_step and launched
            else None,
            "messages": [e.user_message for e in instance.all_logs(run.run_id)
                         if "transient database error" in (e.user_message or "")],
        })
    return out


def overlapping_runs(summary: list[dict]) -> list[tuple[str, str]]:
    """Pairs of runs of one integration whose [start, end] intervals overlap."""
    pairs = []
    by_integration: dict[str, list[dict]] = {}
    for run in summary:
        by_integration.setdefault(run["integration"], []).append(run)
    for runs in by_integration.values():
        runs.sort(key=lambda r: r["start"])
        for earlier, later in zip(runs, runs[1:]):
            if later["start"] < earlier["end"]:
                pairs.append((earlier["run_id"], later["run_id"]))
    return pairs


def waited_for_their_integration(summary: list[dict]) -> dict[str, int]:
    """Per integration, how many of its runs were created while another run of it was going
    and started only once that one had ended: the runs the per-integration limit held."""
    held: dict[str, int] = {}
    by_integration: dict[str, list[dict]] = {}
    for run in summary:
        by_integration.setdefault(run["integration"], []).append(run)
    for integration, runs in by_integration.items():
        runs.sort(key=lambda r: r["start"])
        held[integration] = sum(later["created"] < earlier["end"] <= later["start"]
                                for earlier, later in zip(runs, runs[1:]))
    return held


def sensor_ticks(instance, name: str) -> list:
    """The daemon's ticks of one sensor, oldest first."""
    for state in instance.all_instigator_state():
        if state.instigator_name == name:
            return list(reversed(instance.get_ticks(state.instigator_origin_id,
                                                    state.selector_id, limit=100)))
    return []


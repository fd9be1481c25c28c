"""deploy/ as Dagster and the tools read it: the production instance loads on this machine's
PostgreSQL, the local instance the scripts create monitors runs, the Helm values, ECS notes,
Dockerfile and README agree with the settings table. (No container engine or cluster runs
here: the image and the chart are checked as text, their install steps against the README.)"""

from __future__ import annotations

import importlib.util
import re
import subprocess

import dagster as dg
import pytest
import yaml

from cleanup_assets.settings import SETTINGS

from .processes import ROOT
from .stack import make_stack

DEPLOY = ROOT / "deploy"
REQUIRED_OR_SECRET = [s.name for s in SETTINGS
                      if s.secret or s.required_in_production or s.required_when]


@pytest.mark.postgres
def test_the_production_instance_loads_on_postgresql(tmp_path, moto_endpoint, monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1",
                        "AWS_ENDPOINT_URL_S3": moto_endpoint}.items():
        monkeypatch.setenv(name, value)
    stack = make_stack(tmp_path, DAGSTER_COMPUTE_LOG_BUCKET="compute-logs")
    try:
        with stack.instance() as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
            assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
            assert type(instance.compute_log_manager).__name__ == "S3ComputeLogManager"
            assert instance.run_monitoring_enabled
            assert instance.run_monitoring_max_resume_run_attempts == 0
            assert instance.run_retries_enabled and instance.run_retries_max_retries == 1
            assert not instance.run_retries_retry_on_asset_or_op_failure
            queue = instance.get_concurrency_config().run_queue_config
            assert queue.max_concurrent_runs == 2
            assert queue.tag_concurrency_limits == [{
                "key": "dagster/partition/integration", "limit": 1,
                "value": {"applyLimitPerUniqueValue": True}}]
            assert instance.get_runs() == []  # the PostgreSQL storage answers
        text = (DEPLOY / "dagster.yaml").read_text()
        assert "password: {env: DAGSTER_PG_PASSWORD}" in text  # never a literal
    finally:
        stack.stop()


def test_the_local_instance_monitors_runs(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((DEPLOY / "local" / "dagster.yaml").read_text())
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.run_monitoring_enabled
        assert instance.run_monitoring_start_timeout_seconds == 180
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"


def test_the_scripts_give_a_new_dagster_home_the_local_instance(tmp_path):
    home = tmp_path / "dagster"
    subprocess.run(["bash", "-c", 'source scripts/_setup.sh'], cwd=ROOT, check=True,
                   env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                        "CLEANUP_HOME": str(tmp_path / "home"), "DAGSTER_HOME": str(home)},
                   capture_output=True, timeout=300)
    assert (home / "dagster.yaml").read_text() == (
        DEPLOY / "local" / "dagster.yaml").read_text()


def test_the_workspace_loads_the_code_server():
    (entry,) = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())["load_from"]
    assert entry["grpc_server"] == {"host": "localhost", "port": 4266,
                                    "location_name": "cleanup_assets"}


def test_the_helm_values_configure_the_chart_as_the_instance_does():
    text = (DEPLOY / "helm" / "values.yaml").read_text()
    values = yaml.safe_load(text)
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "cleanup_assets.definitions"]
    assert {"name": "CLEANUP_DEPLOYMENT", "value": "production"} in deployment["env"]
    assert deployment["envSecrets"] == [{"name": "cleanup-assets-secrets"}]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["runLauncher"]["config"]["k8sRunLauncher"]["envSecrets"] == [
        {"name": "cleanup-assets-secrets"}]
    assert values["postgresql"]["enabled"] is False
    assert values["postgresql"]["postgresqlScheme"] == "postgresql+psycopg2"
    assert values["concurrency"]["runs"]["tagConcurrencyLimits"][0]["key"] == (
        "dagster/partition/integration")
    daemon = values["dagsterDaemon"]
    assert daemon["runCoordinator"]["type"] == "QueuedRunCoordinator"
    assert daemon["runMonitoring"]["enabled"] and daemon["runRetries"]["enabled"]
    assert values["computeLogManager"]["type"] == "S3ComputeLogManager"
    missing = [name for name in REQUIRED_OR_SECRET if name not in text]
    assert missing == []  # every CLEANUP_* secret and required setting is provided for


def test_the_ecs_notes_name_every_secret_and_the_three_services():
    text = (DEPLOY / "ecs.md").read_text()
    assert "EcsRunLauncher" in text
    for command in ("dagster api grpc", "dagster-daemon run", "dagster-webserver"):
        assert command in text
    assert [name for name in REQUIRED_OR_SECRET if name not in text
            and not name.startswith(("CLEANUP_SMTP", "CLEANUP_SNOWFLAKE", "CLEANUP_CELERY"))
            ] == []


def _commands(lines):
    """Install commands, normalized: the image's build argument and cache flag aside."""
    out = []
    for line in lines:
        line = line.strip().removeprefix("RUN ").removeprefix("&& ").rstrip("\\").strip()
        line = line.replace("--no-cache-dir ", "").replace("${EXTRAS}", "deploy,k8s")
        if line.startswith(("python3 -m venv", "/opt/venv/bin/pip install")):
            out.append(line)
    return out


def test_the_dockerfile_installs_what_the_readme_says():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"### Install\n.*?```bash\n(.*?)```", readme, re.S).group(1)
    dockerfile = (ROOT / "Dockerfile").read_text().splitlines()
    assert _commands(dockerfile) == _commands(block.splitlines())
    assert len(_commands(dockerfile)) == 3
    pyproject = (ROOT / "pyproject.toml").read_text()
    for extra in ("dagster-postgres==0.29.27", "dagster-celery==0.29.27",
                  "dagster-k8s==0.29.27", "dagster-aws==0.29.27", "psycopg2-binary"):
        assert extra in pyproject  # pinned with the matched set


def test_the_celery_worker_reads_its_urls_from_the_environment(monkeypatch):
    monkeypatch.setenv("CLEANUP_CELERY_BROKER_URL", "pyamqp://worker:pw@mq.internal:5672//")
    monkeypatch.delenv("CLEANUP_CELERY_BACKEND_URL", raising=False)
    spec = importlib.util.spec_from_file_location(
        "dagster_celery_config", DEPLOY / "celery" / "dagster_celery_config.py")
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    assert config.broker_url == "pyamqp://worker:pw@mq.internal:5672//"
    assert config.result_backend == "redis://127.0.0.1:6379/0"  # never rpc://


@pytest.mark.slow
@pytest.mark.postgres
def test_deploy_local_starts_the_whole_stack_and_stops_it(tmp_path):
    import os
    import uuid

    from .stack import database_url, drop_database, free_port

    names = [f"cleanup_dl_{uuid.uuid4().hex[:8]}", f"cleanup_dl_{uuid.uuid4().hex[:8]}"]
    vhost = names[0]  # the worker's queue on a RabbitMQ virtual host of its own, deleted after
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True, timeout=60)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*",
                    ".*"], check=True, timeout=60)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLEANUP_", "DAGSTER_"))}
    env.update(CLEANUP_HOME=str(tmp_path / "home"), DAGSTER_PG_DB=names[0],
               CLEANUP_DATABASE_URL=database_url(names[1]), PORT=str(free_port()),
               CODE_SERVER_PORT=str(free_port()),
               CLEANUP_CELERY_BROKER_URL=f"pyamqp://guest@127.0.0.1:5672/{vhost}")
    try:
        completed = subprocess.run([str(ROOT / "scripts" / "deploy-local"), "--check"], cwd=ROOT,
                                   env=env, capture_output=True, text=True, timeout=300)
    finally:
        for name in names:
            drop_database(name)
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], check=True, timeout=60)
    assert completed.returncode == 0, completed.stderr[-3000:]
    started = dict(re.findall(r"started (\S+) \(pid (\d+)", completed.stderr))
    assert sorted(started) == ["celery-worker", "code-server", "daemon", "webserver"]
    for pid in started.values():
        assert not os.path.exists(f"/proc/{pid}"), "a process outlived the script"
    assert "stopped" in completed.stderr
    home = tmp_path / "home" / "deploy-local" / "dagster"
    assert not (home / "dagster_celery").exists()  # no broker URL written down

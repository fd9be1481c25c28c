"""deploy/ as Dagster and the tools read it: the production instance loads on this machine's
PostgreSQL, the local instance the scripts create monitors runs, the Helm values, ECS notes,
Dockerfile and README agree with the settings table. (No container engine or cluster runs
here: the image and the chart are checked as text, their install steps against the README.)"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
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


def test_the_local_instance_queues_and_monitors_runs_as_production_does(tmp_path):
    """deploy/local/dagster.yaml (what the scripts and the tests' daemons run on) keeps the
    production instance's run queue, per-integration limit and run monitoring: a run that
    dies is marked failed and its stop path runs locally too."""
    production = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((DEPLOY / "local" / "dagster.yaml").read_text())
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        coordinator = production["run_coordinator"]["config"]
        assert (instance.run_coordinator.dequeue_interval_seconds,
                instance.run_coordinator.dequeue_use_threads,
                instance.run_coordinator.dequeue_num_workers) == (
            coordinator["dequeue_interval_seconds"], coordinator["dequeue_use_threads"],
            coordinator["dequeue_num_workers"]) == (1, True, 2)
        queue = instance.get_concurrency_config().run_queue_config
        assert queue.max_concurrent_runs == production["concurrency"]["runs"][
            "max_concurrent_runs"]
        assert queue.tag_concurrency_limits == production["concurrency"]["runs"][
            "tag_concurrency_limits"]
        monitoring = production["run_monitoring"]
        assert instance.run_monitoring_enabled and monitoring["enabled"]
        assert (instance.run_monitoring_start_timeout_seconds,
                instance.run_monitoring_max_resume_run_attempts,
                instance.run_monitoring_settings["max_runtime_seconds"]) == (
            monitoring["start_timeout_seconds"], monitoring["max_resume_run_attempts"],
            monitoring["max_runtime_seconds"])


def test_the_workspace_names_the_location_and_port_the_image_serves():
    """deploy/workspace.yaml (the webserver's and daemon's) points at the port the image's
    code server listens on, under the location name the UI's links and the tests use.
    That it loads the code server is test_deployed_stack's: its stacks use this entry with
    only host and port replaced."""
    (entry,) = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())["load_from"]
    server = entry["grpc_server"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    (cmd,) = re.findall(r"^CMD (\[.*\])$", dockerfile, re.M)
    cmd = yaml.safe_load(cmd)
    assert cmd[:3] == ["dagster", "api", "grpc"]
    assert int(cmd[cmd.index("-p") + 1]) == server["port"]
    assert str(server["port"]) in re.search(r"^EXPOSE (.*)$", dockerfile, re.M).group(1).split()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'code_location_name = "{server["location_name"]}"' in pyproject
    assert f"dagster api grpc -m cleanup_assets.definitions -h 0.0.0.0 -p {server['port']}" in (
        DEPLOY / "ecs.md").read_text()


def test_the_helm_values_configure_the_chart_as_the_instance_does():
    """The chart renders its own dagster.yaml: its run queue, run monitoring, run retries and
    sensor threads say what deploy/dagster.yaml says, with the K8sRunLauncher and the
    code location's secrets."""
    text = (DEPLOY / "helm" / "values.yaml").read_text()
    values = yaml.safe_load(text)
    instance = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "cleanup_assets.definitions"]
    assert {"name": "CLEANUP_DEPLOYMENT", "value": "production"} in deployment["env"]
    assert deployment["envSecrets"] == [{"name": "cleanup-assets-secrets"}]
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["runLauncher"]["config"]["k8sRunLauncher"]["envSecrets"] == [
        {"name": "cleanup-assets-secrets"}]
    assert values["postgresql"]["enabled"] is False
    assert values["postgresql"]["postgresqlScheme"] == (
        instance["storage"]["postgres"]["postgres_db"]["scheme"])
    runs = instance["concurrency"]["runs"]
    assert values["concurrency"]["runs"] == {
        "maxConcurrentRuns": runs["max_concurrent_runs"],
        "tagConcurrencyLimits": [{"key": limit["key"], "value": limit["value"],
                                  "limit": limit["limit"]}
                                 for limit in runs["tag_concurrency_limits"]]}
    daemon = values["dagsterDaemon"]
    assert daemon["runCoordinator"]["type"] == "QueuedRunCoordinator"
    coordinator = instance["run_coordinator"]["config"]
    assert daemon["runCoordinator"]["config"]["queuedRunCoordinator"] == {
        "dequeueIntervalSeconds": coordinator["dequeue_interval_seconds"],
        "dequeueUseThreads": coordinator["dequeue_use_threads"],
        "dequeueNumWorkers": coordinator["dequeue_num_workers"]}
    monitoring, retries = instance["run_monitoring"], instance["run_retries"]
    assert daemon["runMonitoring"] == {
        "enabled": monitoring["enabled"],
        "startTimeoutSeconds": monitoring["start_timeout_seconds"],
        "maxResumeRunAttempts": monitoring["max_resume_run_attempts"],
        "pollIntervalSeconds": monitoring["poll_interval_seconds"]}
    assert daemon["runRetries"] == {
        "enabled": retries["enabled"], "maxRetries": retries["max_retries"],
        "retryOnAssetOrOpFailure": retries["retry_on_asset_or_op_failure"]}
    assert daemon["sensors"] == {"useThreads": instance["sensors"]["use_threads"],
                                 "numWorkers": instance["sensors"]["num_workers"]}
    assert values["computeLogManager"]["type"] == instance["compute_logs"]["class"]
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
    """Install commands, normalized: the image's cache flag aside."""
    out = []
    for line in lines:
        line = line.strip().removeprefix("RUN ").removeprefix("&& ").rstrip("\\").strip()
        line = line.replace("--no-cache-dir ", "")
        if line.startswith(("python3 -m venv", "/opt/venv/bin/pip install")):
            out.append(line)
    return out


def test_the_dockerfile_installs_what_the_readme_says_from_the_deploy_lock():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"### Install\n.*?```bash\n(.*?)```", readme, re.S).group(1)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert _commands(dockerfile.splitlines()) == _commands(block.splitlines()) == [
        "python3 -m venv /opt/venv",
        "/opt/venv/bin/pip install --require-hashes --no-deps -r requirements/deploy.lock",
        "/opt/venv/bin/pip install --no-deps ."]
    assert "COPY requirements/deploy.lock ./requirements/" in dockerfile
    # What is in that lock (a matched dagster set, the dev lock's versions): test_lock.py.


@pytest.mark.slow  # a fresh interpreter
def test_the_installed_package_loads_the_location_away_from_the_checkout(tmp_path):
    """The image runs the package from site-packages and a Celery worker may start in any
    directory: the defs folder is found from the imported package (definitions.defs_folder),
    never by looking for pyproject.toml, so a copy of the package alone loads the whole
    location."""
    shutil.copytree(ROOT / "cleanup_assets", tmp_path / "site" / "cleanup_assets",
                    ignore=shutil.ignore_patterns("__pycache__"))
    loaded = subprocess.run(
        [sys.executable, "-c", "import cleanup_assets.definitions as d; "
         "print(d.__file__); print(sorted(s.name for s in d.defs.sensors))"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
        capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    where, sensors = loaded.stdout.splitlines()
    assert where == str(tmp_path / "site" / "cleanup_assets" / "definitions.py")
    assert "sync_notification_sensor" in sensors


def test_the_celery_worker_reads_its_urls_from_the_environment(monkeypatch):
    monkeypatch.setenv("CLEANUP_CELERY_BROKER_URL", "pyamqp://worker:pw@mq.internal:5672//")
    monkeypatch.delenv("CLEANUP_CELERY_BACKEND_URL", raising=False)
    spec = importlib.util.spec_from_file_location(
        "dagster_celery_config", DEPLOY / "celery" / "dagster_celery_config.py")
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    assert config.broker_url == "pyamqp://worker:pw@mq.internal:5672//"
    assert config.result_backend == "redis://127.0.0.1:6379/0"  # never rpc://

"""Starting and stopping real Dagster processes from tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from cleanup_assets.demo_run import reset_signals, stop_process_group

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
# The daemons the tests start evaluate the sensors every 5 s instead of 30 s (the sweep's 2
# minutes too; defs/sensor_interval.py): the tests wait on the path they test, not on the
# clock. 5 s is the daemon's own floor (its sensor loop runs at most every 5 s).
SHORT_SENSOR_INTERVAL = {"CLEANUP_TEST_SENSOR_INTERVAL_SECONDS": "5"}


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """Start a command in its own process group, output to ``log``."""
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=reset_signals,  # else dagster ignores SIGTERM
    )


def stop(process: subprocess.Popen) -> None:
    stop_process_group(process, timeout=15)


def wait_until(predicate, timeout: float, interval: float = 0.5, what="condition"):
    """``predicate()``'s first truthy value; on timeout an error naming ``what`` (a text, or
    a function giving one then — a log's tail, say)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for "
                         f"{what() if callable(what) else what}")


def environment(tmp_path: Path, **extra: str) -> dict:
    """A clean environment with a fresh CLEANUP_HOME and DAGSTER_HOME under ``tmp_path``; the
    instance is the local one the scripts create (deploy/local/dagster.yaml); the sensors'
    short test interval."""
    home = tmp_path / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "deploy" / "local" / "dagster.yaml", home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLEANUP_", "DAGSTER_"))}
    env.update(CLEANUP_HOME=str(tmp_path / "cleanup_home"), DAGSTER_HOME=str(home),
               PATH=f"{BIN}:{env.get('PATH', '')}", **SHORT_SENSOR_INTERVAL, **extra)
    return env

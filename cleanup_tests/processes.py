"""Starting and stopping real Dagster processes from tests."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from cleanup_assets.tooling.demo_run import reset_signals, stop_process_group

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
# The daemons the tests start evaluate the sensors every 5 s instead of 30 s (the sweep every
# 20 s instead of 2 minutes; defs/sensor_interval.py): the tests wait on the path they test,
# not on the clock. 5 s is the daemon's own floor (its sensor loop runs at most every 5 s).
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


def this_venv_for_the_scripts(tmp_path: Path) -> dict:
    """``CLEANUP_VENV`` for a script that sources scripts/_setup.sh: the venv running the
    tests, seen through a directory of links that holds the install stamp of this checkout's
    lock — so the script installs nothing and runs what the tests run (a worktree without
    its own .venv would otherwise install the whole lock; the venv itself is never touched)."""
    venv = tmp_path / "venv"
    venv.mkdir()
    for name in os.listdir(sys.prefix):
        if not name.startswith(".installed-"):
            (venv / name).symlink_to(Path(sys.prefix) / name)
    (venv / install_stamp()).touch()
    return {"CLEANUP_VENV": str(venv)}


def install_stamp(root: Path = ROOT) -> str:
    """The file scripts/_setup.sh leaves in a venv it made the lock of ``root`` (its
    ``sha1sum`` of the lock and pyproject.toml; test_lock.py holds the two equal)."""
    text = (root / "requirements" / "dev.lock").read_bytes() + (
        root / "pyproject.toml").read_bytes()
    return f".installed-{hashlib.sha1(text).hexdigest()[:12]}"

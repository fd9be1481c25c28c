"""The lock files and the install the scripts make from them: requirements/dev.lock (what
scripts/test, scripts/demo and .ci/run install) and requirements/deploy.lock (what the
Dockerfile installs) pin every package with its hashes, satisfy pyproject.toml's ranges,
hold dagster and its integrations as one matched set, and agree with each other; the
scripts reinstall exactly when the lock (or pyproject.toml) changes."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from .processes import ROOT, install_stamp

try:
    import tomllib
except ImportError:  # Python 3.10: pytest's own tomli
    import tomli as tomllib

LOCKS = ROOT / "requirements"
PYTHONS = ("3.10", "3.11", "3.12")  # pyproject's requires-python
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def locked(name: str) -> list[tuple[str, Version, str]]:
    """(package, version, marker) of every pin in a lock file; each must carry hashes."""
    text = (LOCKS / name).read_text()
    pins = []
    for entry in re.split(r"\n(?=\S)", text):
        if not entry.strip() or entry.startswith("#"):
            continue
        head = entry.splitlines()[0].rstrip(" \\")
        requirement = Requirement(head)
        (spec,) = requirement.specifier
        assert spec.operator == "==", head
        assert "--hash=sha256:" in entry, f"{head}: no hash"
        pins.append((canonicalize_name(requirement.name), Version(spec.version),
                     str(requirement.marker or "")))
    return pins


def versions_for(pins, python: str) -> dict[str, Version]:
    """The lock's version of each package on one Python version (Linux, CPython)."""
    env = {**default_environment(), "python_version": python, "python_full_version":
           f"{python}.0", "sys_platform": "linux", "platform_system": "Linux",
           "platform_python_implementation": "CPython", "implementation_name": "cpython"}
    chosen = {}
    for package, version, marker in pins:
        if not marker or Requirement(f"x; {marker}").marker.evaluate(env):
            assert package not in chosen, f"{package} pinned twice for Python {python}"
            chosen[package] = version
    return chosen


def requirements_of(extras: tuple[str, ...]) -> list[Requirement]:
    """pyproject's dependencies and those of the extras, self-references followed."""
    project = PYPROJECT["project"]
    out = [Requirement(r) for r in project["dependencies"]]
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for text in project["optional-dependencies"][extra]:
            requirement = Requirement(text)
            if canonicalize_name(requirement.name) == canonicalize_name(project["name"]):
                todo.extend(requirement.extras)
            else:
                out.append(requirement)
    return out


@pytest.mark.parametrize("lock, extras", [
    ("dev.lock", ("dev",)), ("deploy.lock", ("deploy", "k8s", "mssql", "snowflake"))])
@pytest.mark.parametrize("python", PYTHONS)
def test_the_lock_satisfies_pyprojects_ranges(lock, extras, python):
    chosen = versions_for(locked(lock), python)
    unmet = [str(r) for r in requirements_of(extras)
             if canonicalize_name(r.name) not in chosen
             or not r.specifier.contains(chosen[canonicalize_name(r.name)], prereleases=True)]
    assert unmet == [], "pyproject.toml changed without scripts/lock"


@pytest.mark.parametrize("lock", ["dev.lock", "deploy.lock"])
def test_dagster_and_its_integrations_are_one_matched_set(lock):
    """dagster 1.13.N goes with the integrations 0.29.N (shared/STACK.md: an unmatched dagster
    let pip fall back to integrations of 2021 that do not import)."""
    for python in PYTHONS:
        chosen = versions_for(locked(lock), python)
        core = chosen["dagster"]
        assert (core.major, core.minor) == (1, 13)
        family = {p: v for p, v in chosen.items() if p.startswith("dagster-")}
        assert "dagster-aws" in family and "dagster-postgres" in family
        mismatched = {p: str(v) for p, v in family.items()
                      if v.release[2] != core.release[2] or v.release[:2] not in ((1, 13), (0, 29))}
        assert mismatched == {}, f"dagster {core}"


def test_the_deploy_lock_installs_the_dev_locks_versions():
    """The image runs the releases the tests ran: every package both locks hold has one
    version."""
    for python in PYTHONS:
        dev, deploy = (versions_for(locked(name), python) for name in ("dev.lock", "deploy.lock"))
        assert {p: (str(v), str(dev[p])) for p, v in deploy.items()
                if p in dev and dev[p] != v} == {}
        only_deploy = sorted(set(deploy) - set(dev))
        assert "dagster-k8s" in only_deploy  # what the image has beyond the dev install
        assert set(deploy) & {"pytest", "moto", "fakesnow", "uv"} == set()  # no test tools


def test_the_scripts_install_the_uv_the_lock_pins():
    setup = (ROOT / "scripts" / "_setup.sh").read_text()
    (pinned,) = re.findall(r"^UV_VERSION=(\S+)", setup, re.M)
    assert versions_for(locked("dev.lock"), "3.11")["uv"] == Version(pinned)


# --- the install follows the lock ------------------------------------------------------------
# A copy of what scripts/_setup.sh reads, with a venv whose `python` and `uv` record how they
# are called: what the script decides to install, without installing (CI's scripts/test
# installs for real, from a fresh clone, every run).
FAKE_TOOL = """#!/bin/sh
if [ "$1" = "--version" ]; then echo "uv ${FAKE_UV_VERSION}"; exit 0; fi
echo "$(basename "$0") $*" >> "$CALLS"
"""


def copy_with_recording_venv(tmp_path, uv_version="0.13.9"):
    repo = tmp_path / "repo"
    for path in ("scripts/_setup.sh", "pyproject.toml", "requirements/dev.lock",
                 "deploy/local/dagster.yaml"):
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / path, repo / path)
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    for tool in ("python", "uv"):
        (venv / "bin" / tool).write_text(FAKE_TOOL)
        (venv / "bin" / tool).chmod(0o755)
    calls = tmp_path / "calls"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CLEANUP_VENV": str(venv),
           "CALLS": str(calls), "FAKE_UV_VERSION": uv_version,
           "CLEANUP_HOME": str(tmp_path / "home"), "SSL_CERT_FILE": "/dev/null"}

    def setup() -> list[str]:
        """Source _setup.sh; the calls it made."""
        calls.unlink(missing_ok=True)
        subprocess.run(["bash", "-c", "source scripts/_setup.sh"], cwd=repo, env=env,
                       check=True, capture_output=True, timeout=60)
        return calls.read_text().splitlines() if calls.exists() else []

    return repo, setup


def test_the_install_is_the_lock_synced_with_hashes_then_the_project_alone(tmp_path):
    repo, setup = copy_with_recording_venv(tmp_path)
    python = tmp_path / "venv" / "bin" / "python"
    calls = setup()
    assert calls[:2] == [
        f"uv pip sync --quiet --python {python} --require-hashes {repo}/requirements/dev.lock",
        f"uv pip install --quiet --python {python} --no-deps -e {repo}"]
    # then the bytecode of what the processes import, compiled once (pip's habit, not uv's)
    assert calls[2].startswith("python -c import cleanup_assets.definitions, ")
    assert len(calls) == 3


def test_the_install_is_repeated_exactly_when_the_lock_or_pyproject_changes(tmp_path):
    repo, setup = copy_with_recording_venv(tmp_path)
    assert len(setup()) == 3
    assert setup() == []  # nothing changed: nothing installed
    with (repo / "requirements" / "dev.lock").open("a") as lock:
        lock.write("# re-locked\n")
    assert [call.split()[:3] for call in setup()] == [["uv", "pip", "sync"],
                                                      ["uv", "pip", "install"],
                                                      ["python", "-c", "import"]]
    assert setup() == []
    with (repo / "pyproject.toml").open("a") as pyproject:
        pyproject.write("# changed\n")
    assert len(setup()) == 3


def test_a_venv_with_the_stamp_of_this_lock_is_used_as_it_is(tmp_path):
    """What processes.this_venv_for_the_scripts relies on: its stamp is the script's."""
    repo, setup = copy_with_recording_venv(tmp_path)
    (tmp_path / "venv" / install_stamp(repo)).touch()
    assert setup() == []


def test_a_venv_without_the_locks_uv_gets_it_from_pip_first(tmp_path):
    _, setup = copy_with_recording_venv(tmp_path, uv_version="0.1.0")
    calls = setup()
    assert calls[0] == "python -m pip install --quiet --disable-pip-version-check uv==0.13.9"
    assert [call.split()[:3] for call in calls[1:]] == [["uv", "pip", "sync"],
                                                        ["uv", "pip", "install"],
                                                        ["python", "-c", "import"]]


def test_the_scripts_give_a_new_dagster_home_the_local_instance(tmp_path):
    _, setup = copy_with_recording_venv(tmp_path)
    setup()
    assert (tmp_path / "home" / "dagster" / "dagster.yaml").read_text() == (
        ROOT / "deploy" / "local" / "dagster.yaml").read_text()

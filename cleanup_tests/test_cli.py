"""The operator commands, run as a newcomer runs them (subprocesses, fresh homes). The demo is
run by test_ui.py, whose webserver then shows its runs."""

from __future__ import annotations

import subprocess

import pytest

from .builders import PRODUCTION
from .processes import BIN, ROOT, environment


def cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "cleanup-assets"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow  # starts a process (the CLI, a fresh interpreter)
def test_init_db_creates_the_schema_once_and_again(tmp_path):
    env = environment(tmp_path)
    first, second = cli("init-db", env=env), cli("init-db", env=env)
    assert first.returncode == second.returncode == 0
    from cleanup_assets.schema import metadata

    assert f"{len(metadata.tables)} tables" in second.stdout


@pytest.mark.slow  # starts a process (the CLI, a fresh interpreter)
def test_schema_ddl_prints_our_own_tables_for_a_sql_server_dba(tmp_path):
    done = cli("schema-ddl", "--dialect", "mssql", env=environment(tmp_path))
    assert done.returncode == 0
    assert "CREATE TABLE [CleanupRejectedRow]" in done.stdout
    assert "CREATE TABLE [Device]" not in done.stdout


def test_partitions_lists_only_the_tenants_with_an_active_provider_for_a_backfill(
        tmp_path, monkeypatch, capsys):
    from cleanup_assets.tooling.cli import main

    for name, value in environment(tmp_path).items():  # in process: four commands, one import
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CLEANUP_DATABASE_URL", raising=False)
    assert main(["seed-demo", "--devices", "3"]) == 0
    capsys.readouterr()
    unregistered = main(["partitions", "--integration", "jasper"]), capsys.readouterr()
    assert main(["register-tenants"]) == 0
    capsys.readouterr()

    assert main(["partitions", "--integration", "jasper"]) == 0
    assert capsys.readouterr().out.strip() == "jasper|1,jasper|3"  # tenant 2: no Jasper account
    # Never an empty list (`--partitions ""` is every partition) nor one Dagster refuses.
    code, printed = unregistered
    assert (code, printed.out) == (1, "")
    assert "register-tenants" in printed.err


def test_every_command_refuses_a_guessed_target_in_production(tmp_path, monkeypatch, capsys):
    """With CLEANUP_DEPLOYMENT=production and no CLEANUP_DATABASE_URL, init-db used to create
    $CLEANUP_HOME/cleanup.db and notify to post into it, both exiting 0 (issue 21)."""
    from cleanup_assets.tooling.cli import main

    for name, value in environment(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CLEANUP_DATABASE_URL", raising=False)
    monkeypatch.setenv("CLEANUP_DEPLOYMENT", "production")
    home = tmp_path / "home"
    monkeypatch.setenv("CLEANUP_HOME", str(home))

    for command in (["init-db"], ["notify", "--service-provider-id", "303"],
                    ["register-tenants"], ["notifications"]):
        assert main(command) == 2, command
        refused = capsys.readouterr().err
        assert "CLEANUP_DATABASE_URL is missing" in refused, command
    assert not home.exists()  # nothing written anywhere
    assert main(["schema-ddl"]) == 0  # what touches no target still runs


def test_a_production_command_without_its_instance_refuses(tmp_path, monkeypatch, capsys):
    from cleanup_assets.tooling.cli import main

    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)

    assert main(["register-tenants"]) == 2
    assert "DAGSTER_HOME is missing" in capsys.readouterr().err
    assert main(["seed-demo"]) == 2
    assert "never run in a deployment" in capsys.readouterr().err

"""The operator commands, run as a newcomer runs them (subprocesses, fresh homes). The demo is
run by test_ui.py, whose webserver then shows its runs."""

from __future__ import annotations

import subprocess

import pytest

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
    from cleanup_assets.cli import main

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

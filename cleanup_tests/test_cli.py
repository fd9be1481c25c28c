"""The operator commands, run as a newcomer runs them (subprocesses, fresh homes)."""

from __future__ import annotations

import subprocess

import dagster as dg

from .processes import BIN, ROOT, environment


def cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "cleanup-assets"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_demo_goes_through_the_sensor_twice_and_prints_what_changed(tmp_path):
    env = environment(tmp_path)

    done = cli("demo", "--devices", "20", env=env)

    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "Day 1" in out and "Day 2" in out and "0 failed" in out
    day1 = out.split("Day 1")[1].split("Day 2")[0]
    assert "thingspace|1" in day1 and "telegence|3" in day1 and "ebonding|2" in day1
    thingspace_day2 = next(line for line in out.split("Day 2")[1].splitlines()
                           if line.startswith("thingspace|1")).split()
    # provider, ok, checked, rejected, inserted, updated, unchanged, deactivated: 3 left and 2
    # joined; of the 3 gone, device 0 was never mirrored (day 1 named it twice: rejected)
    assert thingspace_day2[1:3] == ["103", "yes"]
    assert thingspace_day2[5] == "2" and thingspace_day2[8] == "2"
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        runs = instance.get_runs()  # one run per notification: 13 providers, two days
        assert len(runs) == 26 and {r.status for r in runs} == {dg.DagsterRunStatus.SUCCESS}
        assert all(r.tags.get("dagster/run_key", "").startswith("sync-notification-")
                   and r.tags.get("cleanup/notification_id") for r in runs)
        assert sorted(instance.get_dynamic_partitions("tenant")) == ["1", "2", "3"]


def test_init_db_creates_the_schema_once_and_again(tmp_path):
    env = environment(tmp_path)
    first, second = cli("init-db", env=env), cli("init-db", env=env)
    assert first.returncode == second.returncode == 0
    from cleanup_assets.schema import metadata

    assert f"{len(metadata.tables)} tables" in second.stdout


def test_schema_ddl_prints_our_own_tables_for_a_sql_server_dba(tmp_path):
    done = cli("schema-ddl", "--dialect", "mssql", env=environment(tmp_path))
    assert done.returncode == 0
    assert "CREATE TABLE [CleanupRejectedRow]" in done.stdout
    assert "CREATE TABLE [Device]" not in done.stdout

"""End to end with the real daemon on the embedded default: a notification is posted, the
sensor launches the run, the partition's device tables are finalized."""

from __future__ import annotations

import subprocess

import dagster as dg
import pytest
from sqlalchemy import func, select

from cleanup_assets.db import make_engine
from cleanup_assets.schema import device, sync_notification

from .processes import BIN, ROOT, environment, start, stop, wait_until


@pytest.mark.slow
def test_a_posted_notification_is_finalized_by_the_daemons_sensor(tmp_path):
    env = environment(tmp_path)
    for args in (["seed-demo", "--devices", "12"],
                 ["notify", "--service-provider-id", "303"]):  # ThingSpace, tenant 3
        subprocess.run([str(BIN / "cleanup-assets"), *args], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=120)
    # The instance's storage is made here, before the daemon starts: two processes making
    # a new SQLite instance's tables at once collide ("table alembic_version already exists").
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        daemon = start([str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], env,
                       tmp_path / "daemon.log")
        try:
            def finished_run():
                runs = instance.get_runs()
                done = [r for r in runs if r.status in (dg.DagsterRunStatus.SUCCESS,
                                                        dg.DagsterRunStatus.FAILURE)]
                return done[0] if done else None

            run = wait_until(finished_run, timeout=300, what=lambda: (
                "the sensor's run; daemon log:\n"
                + (tmp_path / "daemon.log").read_text(errors="replace")[-4000:]))
            assert run.status == dg.DagsterRunStatus.SUCCESS, (tmp_path / "daemon.log").read_text()
            assert run.tags["dagster/partition"] == "thingspace|3"
            assert instance.get_dynamic_partitions("tenant") == ["3"]
        finally:
            stop(daemon)
    engine = make_engine(f"sqlite:///{tmp_path / 'cleanup_home' / 'cleanup.db'}")
    with engine.connect() as conn:  # 12 good devices; the one named twice is rejected
        assert conn.execute(select(func.count()).where(
            device.c.ServiceProviderId == 303, device.c.IsDeleted.is_(False))).scalar() == 11
        assert conn.execute(select(sync_notification.c.Status)).scalars().all() == ["launched"]

"""Several days of carrier data, as an operator and other writers live them, on both
databases: after each scenario's last day the tables equal those of a from-scratch
finalization of the same final carrier state."""

from __future__ import annotations

import pytest
from sqlalchemy import text, update

from cleanup_assets.db import connect_databases
from cleanup_assets.registry import INTEGRATIONS
from cleanup_assets.schema import create_schema, device

from .builders import finalize, good_devices, live, rows, seed_providers, stage

COMPARED = ("ICCID", "IMEI", "EID", "MSISDN", "Status", "RatePlan", "CommunicationPlan",
            "CtdDataUsage", "CtdSMSUsage", "CtdVoiceUsage", "IsActive", "IsDeleted")


def device_state(engine, table: str = "Device") -> list[tuple]:
    """The common table's content, without ids, dates and actors."""
    return sorted(tuple(str(r.get(c)) for c in COMPARED) for r in rows(engine, table))


def from_scratch(tmp_path, key: str, final: dict[int, list[dict]], table: str = "Device"):
    """One finalization of the final carrier state on a fresh database."""
    databases = connect_databases(f"sqlite:///{tmp_path / 'scratch.db'}")
    create_schema(databases)
    seed_providers(databases.central, *[(p, 1, key) for p in final])
    for provider, devices in final.items():
        stage(databases.central, key, provider, devices)
    finalize(databases.central, key)
    state = device_state(databases.central, table)
    databases.dispose()
    return state


def status(n: int) -> str:
    return ["ACTIVATED", "DEACTIVATED", "SUSPENDED", "INVENTORY"][n % 4]


def test_drift_by_another_writer_is_repaired_on_the_next_sync(engine, tmp_path):
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 8)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    with engine.begin() as conn:  # day 2: a portal edit and a stray deletion
        conn.execute(text('UPDATE "Device" SET "Status" = \'EDITED\' WHERE "ICCID" = :i'),
                     {"i": devices[1]["ICCID"]})
        conn.execute(text('UPDATE "Device" SET "IsDeleted" = :t WHERE "ICCID" = :i'),
                     {"t": True, "i": devices[2]["ICCID"]})
    changed = [{**d, "Status": status(n)} for n, d in enumerate(devices)]
    stage(engine, "thingspace", 11, changed)

    finalize(engine, "thingspace")

    assert device_state(engine) == from_scratch(tmp_path, "thingspace", {11: changed})


def test_a_malformed_row_keeps_its_device_live_until_the_carrier_fixes_it(engine, tmp_path):
    seed_providers(engine, (11, 1, "pond"))
    devices = good_devices(11, 6)
    stage(engine, "pond", 11, devices)
    finalize(engine, "pond")
    stage(engine, "pond", 11, [{**devices[0], "Status": "\x00BROKEN" if engine.dialect.name
                                == "sqlite" else "BROKEN\x07"}, *devices[1:]])
    broken = finalize(engine, "pond")
    assert broken.rejected == 1 and devices[0]["ICCID"] in live(engine, "Device", 11)
    assert broken.common.devices.deactivated == 0
    fixed = [{**devices[0], "Status": "SUSPENDED"}, *devices[1:]]
    stage(engine, "pond", 11, fixed)

    finalize(engine, "pond")

    assert device_state(engine) == from_scratch(tmp_path, "pond", {11: fixed})


def test_departures_returns_and_a_cut_short_sync_end_where_a_full_comparison_ends(engine,
                                                                                 tmp_path):
    seed_providers(engine, (11, 1, "thingspace"), (12, 1, "thingspace"))
    day1 = {11: good_devices(11, 10), 12: good_devices(12, 5)}
    for provider, devices in day1.items():
        stage(engine, "thingspace", provider, devices)
    finalize(engine, "thingspace")
    stage(engine, "thingspace", 11, day1[11][:2])  # day 2: cut short, forced
    forced = finalize(engine, "thingspace", service_provider_id=11, forced=True)
    assert forced.common.devices.deactivated == 0
    assert len(live(engine, "Device", 11)) == 10
    finalize(engine, "thingspace")  # an operator reruns it: still incomplete
    assert len(live(engine, "Device", 11)) == 10
    day3 = {11: day1[11][3:] + good_devices(11, 2, seed=99), 12: day1[12]}  # 3 left, 2 joined
    stage(engine, "thingspace", 11, day3[11])
    finalize(engine, "thingspace", service_provider_id=11)
    day4 = {11: day1[11][:1] + day3[11], 12: day1[12]}  # device 0 returns
    stage(engine, "thingspace", 11, day4[11])

    finalize(engine, "thingspace", service_provider_id=11)

    live_state = [row for row in device_state(engine) if row[-1] == "False"]
    assert live_state == from_scratch(tmp_path, "thingspace", day4)
    departed = {r["ICCID"] for r in rows(engine, "Device", ServiceProviderId=11)
                if r["IsDeleted"]}
    assert departed == {d["ICCID"] for d in day1[11][1:3]}  # soft-deleted, never removed


def test_a_changed_rule_judges_every_row_at_the_next_sync(engine, monkeypatch):
    from cleanup_assets.sql import row_rules

    seed_providers(engine, (11, 1, "jasper"))
    devices = good_devices(11, 4)
    stage(engine, "jasper", 11, devices)
    finalize(engine, "jasper")
    # a stricter rule (ICCIDs of 20 digits only) and its version: nothing was cached
    monkeypatch.setitem(row_rules.KEY_FORMATS, "ICCID", (20, 20, "test rule"))
    monkeypatch.setattr(row_rules, "RULES_VERSION", row_rules.RULES_VERSION + 1)
    from cleanup_assets.sql import finalize as finalize_module

    monkeypatch.setattr(finalize_module, "RULES_VERSION", row_rules.RULES_VERSION)

    result = finalize(engine, "jasper")

    assert result.rejected == 4  # 19-digit ICCIDs: every row judged again
    assert len(live(engine, "Device", 11)) == 4  # and no device lost for it
    assert rows(engine, "CleanupDeviceSync")[-1]["RulesVersion"] == row_rules.RULES_VERSION


def test_a_row_without_a_key_from_another_writer_changes_nothing(engine):
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 5)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    with engine.begin() as conn:  # someone else's rows without an ICCID, in both tables
        conn.execute(text('INSERT INTO "ThingSpaceDevice" ("ServiceProviderId", "ICCID", '
                          '"IsActive", "IsDeleted") VALUES (11, NULL, :t, :f)'),
                     {"t": True, "f": False})
        conn.execute(text('INSERT INTO "Device" ("ServiceProviderId", "ICCID", "IsActive", '
                          '"IsDeleted") VALUES (11, NULL, :t, :f)'), {"t": True, "f": False})

    result = finalize(engine, "thingspace")

    assert result.rejected == 1 and result.common.devices.deactivated == 0
    assert len([r for r in rows(engine, "Device", ServiceProviderId=11)
                if not r["IsDeleted"]]) == 6  # the stranger stays as it was


def test_a_device_another_writer_doubled_in_the_common_table_is_updated_not_inserted(engine):
    """A device the common table holds twice (the legacy's Device has no unique key): the
    carrier's one row for it stays one checked row, its two Device rows are both brought to
    the carrier's values, and no third is inserted — however the engine learns which
    devices exist (on PostgreSQL, in the checks' pass: sources.carrier_source)."""
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 3)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    doubled = devices[0]["ICCID"]
    names = ", ".join(f'"{c}"' for c in rows(engine, "Device")[0] if c != "id")
    with engine.begin() as conn:  # another writer copies the device's row
        conn.execute(text(f'INSERT INTO "Device" ({names}) SELECT {names} FROM "Device" '
                          'WHERE "ICCID" = :i'), {"i": doubled})
    changed = [{**d, "Status": "Deactivated"} if d["ICCID"] == doubled else d for d in devices]
    stage(engine, "thingspace", 11, changed)

    result = finalize(engine, "thingspace").common.devices

    assert (result.rows, result.inserted, result.updated) == (3, 0, 2)
    statuses = [r["Status"] for r in rows(engine, "Device") if r["ICCID"] == doubled]
    assert statuses == ["Deactivated", "Deactivated"]
    assert len(rows(engine, "Device")) == 4


def test_any_value_the_mirror_compares_edited_alone_in_the_common_table_is_repaired(engine):
    """Each value the mirror compares, and the device's life cycle, edited by another writer
    in one of forty devices, one at a time: the next sync, the carrier unchanged, updates
    that device alone back to the carrier's values — wherever the engine compares (on
    PostgreSQL in the checks' pass, which then hands on only the rows that may differ:
    merge.Source.compares_devices; one in forty is looked up by index there)."""
    integration = INTEGRATIONS["jasper"]
    seed_providers(engine, (11, 1, "jasper"))
    devices = good_devices(11, 40)
    stage(engine, "jasper", 11, devices)
    finalize(engine, "jasper")
    repaired = device_state(engine)
    edits = {**{name: "EDITED" for name in integration.carrier.columns},
             **{name: 987654321 for name in integration.carrier.usage.columns},
             "IsActive": False, "IsDeleted": True}
    edited = devices[5]["ICCID"]
    for column, value in edits.items():
        with engine.begin() as conn:
            conn.execute(update(device).where(device.c.ICCID == edited).values({column: value}))

        result = finalize(engine, "jasper").common.devices

        assert (column, result.updated, result.inserted) == (column, 1, 0)
        assert device_state(engine) == repaired, column


def test_one_device_leaving_is_found_whatever_the_other_rows_say(engine):
    """The absent search, which PostgreSQL runs only where the accepted rows do not name
    every live device (merge.Source.compares_devices), finds one device gone among many:
    once with every other row accepted, once beside a row refused for a value (that row
    still names its device, which stays as it was)."""
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 6)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    for kept, listed, refused in (
            (5, devices[:5], 0),
            (4, [{**devices[0], "Status": "BAD\x07"}, *devices[1:4]], 1)):
        stage(engine, "thingspace", 11, listed)

        result = finalize(engine, "thingspace").common.devices

        assert (result.deactivated, result.rejected) == (1, refused)
        assert set(live(engine, "Device", 11)) == {d["ICCID"] for d in devices[:kept]}


def test_a_device_gone_is_found_beside_repeated_keys_and_doubled_devices(engine):
    """Where a naive count would take every live device for named: a device listed twice
    (its rows refused, the device kept) beside one gone; a device another writer doubled in
    the common table beside one gone."""
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 8)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    stage(engine, "thingspace", 11, [devices[0], *devices[:7]])  # device 7 gone

    result = finalize(engine, "thingspace").common.devices

    assert (result.deactivated, result.rejected) == (1, 2)
    assert set(live(engine, "Device", 11)) == {d["ICCID"] for d in devices[:7]}
    names = ", ".join(f'"{c}"' for c in rows(engine, "Device")[0] if c != "id")
    with engine.begin() as conn:  # another writer copies device 1's row
        conn.execute(text(f'INSERT INTO "Device" ({names}) SELECT {names} FROM "Device" '
                          'WHERE "ICCID" = :i'), {"i": devices[1]["ICCID"]})
    stage(engine, "thingspace", 11, devices[:6])  # device 6 gone

    result = finalize(engine, "thingspace").common.devices

    assert (result.deactivated, result.rejected) == (1, 0)
    assert set(live(engine, "Device", 11)) == {d["ICCID"] for d in devices[:6]}


def test_two_providers_of_a_partition_each_get_their_own_changes_and_departures(engine):
    """A resync of a partition of two providers (grouped and joined by provider and key):
    one provider's changed device is updated, the other's departed device soft-deleted,
    and nothing else moves."""
    seed_providers(engine, (11, 1, "thingspace"), (12, 1, "thingspace"))
    mine, theirs = good_devices(11, 5), good_devices(12, 5, seed=3)
    stage(engine, "thingspace", 11, mine)
    stage(engine, "thingspace", 12, theirs)
    finalize(engine, "thingspace")
    stage(engine, "thingspace", 11, [{**mine[0], "Status": "SUSPENDED"}, *mine[1:]])
    stage(engine, "thingspace", 12, theirs[:4])

    result = finalize(engine, "thingspace").common.devices

    assert (result.rows, result.updated, result.inserted, result.deactivated) == (9, 1, 0, 1)
    assert set(live(engine, "Device", 11)) == {d["ICCID"] for d in mine}
    assert set(live(engine, "Device", 12)) == {d["ICCID"] for d in theirs[:4]}
    assert live(engine, "Device", 11)[mine[0]["ICCID"]]["Status"] == "SUSPENDED"


def test_a_device_gone_is_found_beside_a_returning_device(engine):
    """One device comes back (soft-deleted, listed again) on the day another leaves: the
    returning one is revived, the other soft-deleted — the live devices the list names are
    counted as live before the sync, so a revived one cannot stand in for one gone."""
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 6)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    stage(engine, "thingspace", 11, devices[1:])  # device 0 leaves
    assert finalize(engine, "thingspace").common.devices.deactivated == 1
    stage(engine, "thingspace", 11, devices[:5])  # device 0 returns, device 5 leaves

    result = finalize(engine, "thingspace").common.devices

    assert (result.deactivated, result.updated) == (1, 1)
    assert set(live(engine, "Device", 11)) == {d["ICCID"] for d in devices[:5]}


@pytest.mark.backends("postgresql")
def test_a_second_verdict_record_cannot_hide_a_device_gone(engine):
    """PostgreSQL keeps one verdict record per key by its writes, not by an index
    (schema.judged_row): should a key have two, its carrier row is met twice in the checks'
    pass. The pass then counts more checked rows than listed ones and searches for absent
    devices as before — instead of taking the doubled device for every device named and
    leaving the one gone live, silently — and the finalization stops at the mirror's own
    check (more accepted rows than live devices): rolled back, said, nothing lost."""
    seed_providers(engine, (11, 1, "thingspace"))
    devices = good_devices(11, 6)
    stage(engine, "thingspace", 11, devices)
    finalize(engine, "thingspace")
    with engine.begin() as conn:  # a second record of device 0's verdict
        conn.execute(text('INSERT INTO "CleanupJudgedRow" SELECT * FROM "CleanupJudgedRow" '
                          'WHERE "DeviceKey" = :k'), {"k": devices[0]["ICCID"]})
    stage(engine, "thingspace", 11, devices[:5])  # device 5 leaves

    with pytest.raises(AssertionError, match="the mirror lost devices: 6 accepted"):
        finalize(engine, "thingspace")

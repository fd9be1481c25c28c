"""The naive pandas peer: the same sync as the set-based engine, written the way a pandas
script would do it — the benchmark's yardstick for "how much does set-based SQL buy".

    python benchmarks/naive_peer.py --url DATABASE_URL [--provider 11]

One Jasper provider, in one transaction, the same work as ``finalize_partition``'s device
path: ``read_sql`` the carrier rows (``JasperDevice`` left-joined in pandas to
``JasperDeviceUsage``) and the target (``Device``); check every row with the engine's checks
(ICCID present, no control character, digits only, 19-20 digits; each text value free of
control characters and within its ``Device`` column; a device named by more than one row);
``to_sql`` the rejects; compare the good rows with ``Device`` in pandas (any column differs,
NULL-safe, or the device was soft-deleted); ``to_sql`` the new devices; ``executemany`` the
updates and the soft-deletes of devices no carrier row names; then the ``Device_Tenant``
links (``to_sql``) and the missing communication plans (``to_sql``). Default pandas and
SQLAlchemy settings throughout (that is what "naive" means here), on the project's engine
(same SQLite pragmas as the engine's runs).

Prints JSON: seconds, peak RSS of this process (VmHWM), seconds per step, counts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cleanup_assets.db import make_engine  # noqa: E402
from cleanup_assets.schema import device  # noqa: E402

KEY = ["ServiceProviderId", "ICCID"]
TEXT_COLUMNS = ["Status", "RatePlan", "CommunicationPlan"]
USAGE_COLUMNS = ["CtdDataUsage", "CtdSMSUsage", "CtdVoiceUsage"]
VALUE_COLUMNS = TEXT_COLUMNS + USAGE_COLUMNS
ACTOR = "naive_peer"
CONTROL = r"[\x00-\x1f\x7f]"


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def defects(rows: pd.DataFrame) -> pd.Series:
    """The first defect of each row (None for a good row), in the engine's order."""
    iccid = rows["ICCID"]
    checks = [
        (iccid.isna(), "missing ICCID"),
        (iccid.str.contains(CONTROL, regex=True, na=False), "ICCID has a control character"),
        (~iccid.str.fullmatch(r"[0-9]*", na=True), "ICCID has a non-digit character"),
        (~iccid.str.len().between(19, 20), "ICCID is not 19-20 digits"),
    ]
    for name in TEXT_COLUMNS:
        values = rows[name]
        checks.append((values.str.contains(CONTROL, regex=True, na=False),
                       f"{name} has a control character"))
        checks.append((values.str.len() > device.c[name].type.length,
                       f"{name} longer than {device.c[name].type.length} characters"))
    checks.append((rows.duplicated(KEY, keep=False), "ICCID appears in more than one row"))
    return pd.Series(np.select([c.fillna(False).to_numpy(bool) for c, _ in checks],
                               [reason for _, reason in checks], default=""),
                     index=rows.index).replace("", None)


def differs(a: pd.Series, b: pd.Series) -> pd.Series:
    """a IS DISTINCT FROM b, row by row."""
    both_null = a.isna() & b.isna()
    return (a.astype(object) != b.astype(object)) & ~both_null


def sync(engine, provider: int) -> dict:
    steps: dict[str, float] = {}
    counts: dict[str, int] = {}
    mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        steps[name] = round(steps.get(name, 0.0) + now - mark, 3)
        mark = now

    params = {"sp": provider}
    with engine.begin() as conn:
        carrier = pd.read_sql(text(
            'SELECT "ServiceProviderId", "ICCID", "Status", "RatePlan", "CommunicationPlan" '
            'FROM "JasperDevice" WHERE "ServiceProviderId" = :sp'), conn, params=params)
        usage = pd.read_sql(text(
            'SELECT "ServiceProviderId", "ICCID", "CtdDataUsage", "CtdSMSUsage", "CtdVoiceUsage" '
            'FROM "JasperDeviceUsage" WHERE "ServiceProviderId" = :sp'), conn, params=params)
        target = pd.read_sql(text(
            'SELECT id, "ServiceProviderId", "ICCID", "Status", "RatePlan", "CommunicationPlan", '
            '"CtdDataUsage", "CtdSMSUsage", "CtdVoiceUsage", "IsDeleted" '
            'FROM "Device" WHERE "ServiceProviderId" = :sp'), conn, params=params)
        step("read carrier rows and Device (read_sql)")

        rows = carrier.merge(usage, on=KEY, how="left")
        rows["Defect"] = defects(rows)
        good = rows[rows["Defect"].isna()]
        rejected = rows[rows["Defect"].notna()]
        counts.update(rows=len(rows), accepted=len(good), rejected=len(rejected))
        step("check every row (pandas)")
        if len(rejected):
            pd.DataFrame({"SyncId": 0, "ServiceProviderId": rejected["ServiceProviderId"],
                          "SourceTable": "JasperDevice", "DeviceKey": rejected["ICCID"],
                          "Reason": rejected["Defect"]}).to_sql(
                "CleanupRejectedRow", conn, if_exists="append", index=False)
            step("write rejects (to_sql)")

        now = datetime.now(timezone.utc).replace(tzinfo=None)
        merged = good.merge(target, on=KEY, how="left", suffixes=("", "_old"), indicator=True)
        new = merged[merged["_merge"] == "left_only"]
        existing = merged[merged["_merge"] == "both"]
        changed_mask = existing["IsDeleted"].astype(bool)
        for name in VALUE_COLUMNS:
            changed_mask = changed_mask | differs(existing[name], existing[f"{name}_old"])
        changed = existing[changed_mask]
        live = target[~target["IsDeleted"].astype(bool)]
        named = live.merge(rows[KEY].drop_duplicates(), on=KEY, how="left", indicator=True)
        absent = named[named["_merge"] == "left_only"]
        step("compare with Device (pandas)")

        inserts = new[KEY + VALUE_COLUMNS].assign(
            CreatedBy=ACTOR, CreatedDate=now, IsActive=True, IsDeleted=False)
        counts["inserted"] = len(inserts)
        if len(inserts):
            inserts.to_sql("Device", conn, if_exists="append", index=False)
        step("insert new devices (to_sql)")

        values = changed[["id", *VALUE_COLUMNS]].astype(object)
        fixed = {"now": now, "t": True, "f": False}  # a Timestamp column would not bind
        updates = [{**row, **fixed} for row in values.where(values.notna(), None)
                   .to_dict("records")]
        counts["updated"] = len(updates)
        if updates:
            conn.execute(text(
                'UPDATE "Device" SET ' + ", ".join(f'"{n}" = :{n}' for n in VALUE_COLUMNS)
                + ', "ModifiedBy" = \'naive_peer\', "ModifiedDate" = :now, "IsActive" = :t, '
                  '"IsDeleted" = :f, "DeletedBy" = NULL, "DeletedDate" = NULL WHERE id = :id'),
                updates)
        deletes = [{**row, **fixed} for row in absent[["id"]].to_dict("records")]
        counts["deactivated"] = len(deletes)
        if deletes:
            conn.execute(text(
                'UPDATE "Device" SET "IsActive" = :f, "IsDeleted" = :t, "DeletedBy" = '
                '\'naive_peer\', "DeletedDate" = :now, "ModifiedBy" = \'naive_peer\', '
                '"ModifiedDate" = :now WHERE id = :id'), deletes)
        step("update changed and absent devices (executemany)")

        devices = pd.read_sql(text(
            'SELECT d.id AS "DeviceId", sp."TenantId" FROM "Device" d JOIN "ServiceProvider" sp '
            'ON sp.id = d."ServiceProviderId" WHERE d."ServiceProviderId" = :sp'),
            conn, params=params)
        links = pd.read_sql(text('SELECT "DeviceId", "TenantId" FROM "Device_Tenant"'), conn)
        missing = devices.merge(links, on=["DeviceId", "TenantId"], how="left", indicator=True)
        missing = missing[missing["_merge"] == "left_only"][["DeviceId", "TenantId"]]
        counts["tenant_links_inserted"] = len(missing)
        if len(missing):
            missing.to_sql("Device_Tenant", conn, if_exists="append", index=False)
        step("link devices to the tenant (read_sql, to_sql)")

        used = pd.read_sql(text(
            'SELECT DISTINCT "CommunicationPlan" FROM "Device" WHERE "ServiceProviderId" = :sp '
            'AND "CommunicationPlan" IS NOT NULL'), conn, params=params)
        known = pd.read_sql(text('SELECT "CommunicationPlanName" FROM "JasperCommunicationPlan"'),
                            conn)
        plans = used[~used["CommunicationPlan"].isin(known["CommunicationPlanName"])]
        counts["new_plans"] = len(plans)
        if len(plans):
            pd.DataFrame({"CommunicationPlanName": plans["CommunicationPlan"],
                          "CreatedBy": "JasperDeviceSync", "CreatedDate": now, "IsActive": True,
                          "IsDeleted": False, "ServiceProviderId": provider}).to_sql(
                "JasperCommunicationPlan", conn, if_exists="append", index=False)
        step("add missing communication plans (to_sql)")
    step("commit")
    return {"steps_s": steps, "counts": counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--provider", type=int, default=11)
    args = parser.parse_args()
    engine = make_engine(args.url)  # the same pragmas as the engine's runs (SQLite)
    started = time.perf_counter()
    outcome = sync(engine, args.provider)
    seconds = time.perf_counter() - started
    engine.dispose()
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_rss_mb(), **outcome}))


if __name__ == "__main__":
    main()

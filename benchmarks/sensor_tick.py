"""How long one sync-sensor tick takes over N pending notifications.

    python benchmarks/sensor_tick.py [--notifications 10000] [--url DATABASE_URL]

Seeds 1,000 providers of every integration, posts N notifications (a third of them with
rows still to process, so they wait), then times the sensor's evaluation twice: the first
tick parses every notification; the second re-checks the due ones. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from cleanup_assets.db import connect_databases
from cleanup_assets.notifications import ATTRIBUTES, evaluate_notifications, utcnow
from cleanup_assets.registry import INTEGRATION_KEYS, INTEGRATIONS
from cleanup_assets.schema import create_schema, rows_to_process_tables, sync_notification
from cleanup_assets.tooling.demo import DEMO_INTEGRATION_IDS, seed_reference_data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    databases = connect_databases(url)
    engine = databases.central
    create_schema(databases)
    providers = [(1000 + n, 1 + n % 50, INTEGRATION_KEYS[n % 9], f"P{n}") for n in range(1000)]
    now = utcnow()
    with engine.begin() as conn:
        seed_reference_data(conn, providers)
        waiting = [p for p in providers if p[0] % 3 == 0 and INTEGRATIONS[p[2]].rows_to_process]
        for provider_id, _, key, _ in waiting:
            rule = INTEGRATIONS[key].rows_to_process[0]
            table = rows_to_process_tables[rule.table]
            key = "ServiceProviderId" if "ServiceProviderId" in table.c else rule.provider_key
            conn.execute(insert(table), [{key: provider_id if key == "ServiceProviderId"
                                          else f"89{provider_id:017d}"}] * 5)
        conn.execute(insert(sync_notification), [{
            "Source": "inbox", "ExternalId": f"bench-{n}", "ReceivedAt": now, "Status": "pending",
            "RawAttributes": json.dumps({**{k: v for k, v in ATTRIBUTES.items() if v},
                                         "IntegrationType": str(DEMO_INTEGRATION_IDS[p[2]]),
                                         "ServiceProviderId": str(p[0]),
                                         "DelayBetweenRetries": "0"}),
        } for n, p in ((n, providers[n % len(providers)]) for n in range(args.notifications))])
    figures = {"database": engine.dialect.name, "notifications": args.notifications}
    for name in ("first_tick_s", "second_tick_s"):
        started = time.perf_counter()
        outcome = evaluate_notifications(databases, max_launches=25)
        figures[name] = round(time.perf_counter() - started, 3)
        figures[name.replace("_s", "_outcome")] = {
            "launched": len(outcome.launches), "waiting": outcome.waiting,
            "rejected": outcome.rejected, "deferred": outcome.deferred}
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

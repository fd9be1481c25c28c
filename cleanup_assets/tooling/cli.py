"""``cleanup-assets``: operator commands around the code location.

    cleanup-assets init-db            create the schema (SQLite / PostgreSQL; never SQL Server)
    cleanup-assets schema-ddl         print the DDL of our own tables for a DBA (SQL Server)
    cleanup-assets seed-demo          fill the database with demo tenants and staging
    cleanup-assets register-tenants   add every tenant with an active provider as a partition
    cleanup-assets notify             post a sync notification (as the device-sync Lambdas do)
    cleanup-assets notifications      list the notification inbox and what became of each
    cleanup-assets rejected --sync N  every row sync N rejected, with its reason
    cleanup-assets resume-optimization reopen a stopped optimization session and notify again
    cleanup-assets explain-sql        print every statement, compiled for SQL Server, linted
    cleanup-assets shadow-report      what the set-based engine would have changed beside the procedures
    cleanup-assets demo               seed, notify every provider, let the sensor launch the runs
    cleanup-assets settings           every setting: required in production, secret, default, set
    cleanup-assets preflight          check the configured databases before a run (exit 1: blocking)

The commands themselves are in commands.py (the demo's flow in demo_run.py; the database
and instance they act on in targets.py).
"""

from __future__ import annotations

import argparse
import sys

from ..registry import INTEGRATION_KEYS
from ..settings import ConfigurationError, Settings
from . import commands
from .targets import refuse_a_guessed_target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cleanup-assets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init-db", help="create the schema").set_defaults(func=commands.cmd_init_db)
    ddl = sub.add_parser("schema-ddl", help="print the DDL of our own tables")
    ddl.add_argument("--dialect", default="mssql", choices=["mssql", "postgresql", "sqlite"])
    ddl.set_defaults(func=commands.cmd_schema_ddl)
    seed = sub.add_parser("seed-demo", help="fill the database with demo data")
    seed.add_argument("--devices", type=int, default=200, help="devices per service provider")
    seed.set_defaults(func=commands.cmd_seed_demo)
    sub.add_parser("register-tenants", help="add tenant partitions from ServiceProvider").set_defaults(
        func=commands.cmd_register_tenants)
    notify = sub.add_parser("notify", help="post a sync notification to the inbox")
    notify.add_argument("--service-provider-id", type=int, required=True)
    notify.add_argument("--integration-type", type=int,
                        help="numeric Integration id (default: the provider's)")
    notify.add_argument("--optimize", action="store_true",
                        help="ShouldQueueCarrierOptimization = True")
    notify.add_argument("--optimization-session-id", type=int, default=0)
    notify.add_argument("--max-retries", type=int, default=14)
    notify.add_argument("--delay", type=int, default=300, help="DelayBetweenRetries, seconds")
    notify.set_defaults(func=commands.cmd_notify)
    resume = sub.add_parser("resume-optimization",
                            help="reopen a stopped optimization session and notify again")
    resume.add_argument("--service-provider-id", type=int, required=True)
    resume.add_argument("--session", type=int, required=True, help="OptimizationSessionId")
    resume.add_argument("--no-notify", action="store_true",
                        help="only reopen; post the notification yourself (cleanup-assets notify)")
    resume.add_argument("--not-on-queue", action="store_true",
                        help="for an unconfirmed send: you checked that its message never "
                             "reached the carrier-optimization queue; reopen it to send again")
    resume.set_defaults(func=commands.cmd_resume_optimization)
    listing = sub.add_parser("notifications", help="list the notification inbox")
    listing.add_argument("--status", choices=["pending", "waiting", "launched", "rejected"])
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(func=commands.cmd_notifications)
    rejected = sub.add_parser("rejected", help="every row a sync rejected, with its reason")
    rejected.add_argument("--sync", type=int, required=True,
                          help="the sync id (a materialization's sync_id)")
    rejected.set_defaults(func=commands.cmd_rejected)
    explain = sub.add_parser("explain-sql", help="print every statement, compiled for a DBA")
    explain.add_argument("--dialect", default="mssql", choices=["mssql"])
    explain.set_defaults(func=commands.cmd_explain_sql)
    report = sub.add_parser("shadow-report", help="the shadow passes' differences, grouped "
                            "by integration, table and column, with examples")
    report.add_argument("--integration", choices=INTEGRATION_KEYS)
    report.add_argument("--since", help="only passes from this date on (YYYY-MM-DD)")
    report.set_defaults(func=commands.cmd_shadow_report)
    demo = sub.add_parser("demo", help="seed, notify every provider, sensor launches the runs")
    demo.add_argument("--devices", type=int, default=200, help="devices per service provider")
    demo.add_argument("--days", type=int, choices=(1, 2), default=2,
                      help="days of syncs: 1 (the first sync of every provider) or 2 (then the "
                           "next sync: statuses changed, devices left and joined)")
    demo.set_defaults(func=commands.cmd_demo)
    listed = sub.add_parser("partitions", help="the partitions of an integration that have an "
                            "active service provider, comma-joined (for a backfill)")
    listed.add_argument("--integration", required=True, choices=INTEGRATION_KEYS)
    listed.set_defaults(func=commands.cmd_partitions)
    shown = sub.add_parser("settings", help="list every setting and whether it is set")
    shown.add_argument("--check", action="store_true",
                       help="exit 1 when the environment does not configure a deployable location")
    shown.set_defaults(func=commands.cmd_settings)
    sub.add_parser("preflight", help="check every table, column, procedure, permission and "
                   "Integration row a run touches").set_defaults(func=commands.cmd_preflight)
    args = parser.parse_args(argv)
    if args.command not in OFFLINE:
        try:
            refuse_a_guessed_target(args.command, Settings())
        except ConfigurationError as refused:
            print(f"cleanup-assets {args.command}: {refused}", file=sys.stderr)
            return 2
    return args.func(args)


# Commands that touch no database, instance or outside system: they run anywhere.
OFFLINE = frozenset({"schema-ddl", "explain-sql", "settings"})


if __name__ == "__main__":
    sys.exit(main())

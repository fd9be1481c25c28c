"""The operator commands behind ``cleanup-assets`` (cli.py parses their arguments; the
database and instance they act on: targets.py)."""

from __future__ import annotations

import sys
from datetime import datetime

from sqlalchemy import false, select, true

from ..db import in_transaction, make_engine, redacted
from ..defs.partitions import TENANT_PARTITIONS_NAME, add_tenant_partitions
from ..integration_ids import integration_id
from ..notifications import post_notification
from ..optimization import reopen_handover
from ..preflight import blocking, preflight_from_settings, report
from ..registry import get_integration
from ..reporting import rejected_rows
from ..schema import (
    create_schema,
    own_tables_ddl,
    service_provider,
    sync_notification,
)
from ..settings import Settings
from ..sql.ledger import find_sync
from ..sql.shadow import shadow_report
from .demo import seed_demo
from .demo_run import run_demo
from .explain import explain_statements
from .targets import dagster_instance, database_url, open_databases


def active_tenant_keys(engine) -> list[str]:
    with engine.connect() as conn:
        ids = conn.execute(
            select(service_provider.c.TenantId)
            .where(service_provider.c.IsActive == true(), service_provider.c.IsDeleted == false())
            .distinct()
            .order_by(service_provider.c.TenantId)
        ).scalars()
        return [str(i) for i in ids]


def provider_tenant_keys(engine, integration_key: str) -> list[str]:
    """The tenants of an integration that have an active service provider: the partitions a
    backfill needs (a provider-less partition's run only materializes "nothing to
    finalize": `carrier|*` works too, with those no-op runs)."""
    integration = get_integration(integration_key)
    with engine.connect() as conn:
        tenants = conn.execute(
            select(service_provider.c.TenantId)
            .where(service_provider.c.IntegrationId == integration_id(conn, integration),
                   service_provider.c.IsActive == true(),
                   service_provider.c.IsDeleted == false())
            .distinct().order_by(service_provider.c.TenantId)).scalars()
        return [str(t) for t in tenants]


def cmd_partitions(args) -> int:
    """Prints the keys, comma-joined, or nothing and exit 1: an empty `--partitions ""`
    would make `dagster job backfill` take every partition of every carrier."""
    tenants = provider_tenant_keys(make_engine(database_url()), args.integration)
    if not tenants:
        print(f"no tenant has an active {args.integration} service provider", file=sys.stderr)
        return 1
    keys = [f"{args.integration}|{t}" for t in tenants]
    known = set(dagster_instance().get_dynamic_partitions(TENANT_PARTITIONS_NAME))
    unknown = [f"{args.integration}|{t}" for t in tenants if t not in known]
    if unknown:  # Dagster would refuse the whole backfill ("Unknown partitions")
        print(f"not yet partitions of the instance: {', '.join(unknown)}; run "
              "`cleanup-assets register-tenants` first", file=sys.stderr)
        return 1
    print(",".join(keys))
    return 0


def cmd_init_db(_args) -> int:
    tables = create_schema(open_databases())
    print(f"schema ready on {redacted(database_url())}: {len(tables)} tables")
    return 0


def cmd_schema_ddl(args) -> int:
    sys.stdout.write(own_tables_ddl(args.dialect))
    return 0


def cmd_seed_demo(args) -> int:
    databases = open_databases()
    create_schema(databases)
    summary = seed_demo(databases, devices_per_provider=args.devices)
    print(f"demo data: {summary.tenants} tenants, {summary.providers} service providers, "
          f"{summary.staged_rows} staging rows ({summary.malformed_rows} malformed on purpose)")
    return 0


def cmd_register_tenants(_args) -> int:
    added = add_tenant_partitions(dagster_instance(), active_tenant_keys(make_engine(database_url())))
    print(f"tenant partitions added: {', '.join(added) if added else 'none (all known)'}")
    return 0


def cmd_notify(args) -> int:
    engine = make_engine(database_url())
    with engine.begin() as conn:
        integration_type = args.integration_type
        if integration_type is None:
            integration_type = conn.execute(select(service_provider.c.IntegrationId).where(
                service_provider.c.id == args.service_provider_id)).scalar()
        attributes = {
            "IntegrationType": integration_type,
            "ServiceProviderId": args.service_provider_id,
            "ShouldQueueCarrierOptimization": str(args.optimize),
            "OptimizationSessionId": args.optimization_session_id,
            "RetryCount": 0,
            "MaxRetries": args.max_retries,
            "DelayBetweenRetries": args.delay,
            "RemainingRowsToProcess": 0,
        }
        notification_id = post_notification(conn, attributes)
    print(f"notification {notification_id} posted: {attributes}")
    return 0


def cmd_resume_optimization(args) -> int:
    """An operator's deliberate resume of an optimization the stop path ended (after a short
    database outage, say): the handover goes from ``stopped`` to ``reopened``, the session
    is active again, and — unless ``--no-notify`` — a notification asking for optimization
    is posted, so the sync sensor launches a run that finalizes and queues it. An
    ``unconfirmed`` send is refused with what to check, and reopened only with
    ``--not-on-queue`` (the operator found the message was never on the queue)."""
    if args.session <= 0:
        print("a session id (> 0) is required: without one the next notified sync opens "
              "its own handover", file=sys.stderr)
        return 2
    engine = make_engine(database_url())

    def resume(conn):
        reopened = reopen_handover(conn, args.service_provider_id, args.session,
                                   not_on_queue=args.not_on_queue)
        if args.no_notify:
            return reopened, None
        integration_type = conn.execute(select(service_provider.c.IntegrationId).where(
            service_provider.c.id == args.service_provider_id)).scalar()
        return reopened, post_notification(conn, {
            "IntegrationType": integration_type, "ServiceProviderId": args.service_provider_id,
            "ShouldQueueCarrierOptimization": "True",
            "OptimizationSessionId": args.session})

    try:
        handover, notification = in_transaction(engine, resume)
    except ValueError as refused:
        print(f"not resumed: {refused}", file=sys.stderr)
        return 1
    print(f"provider {args.service_provider_id}, session {args.session}: handover "
          f"{handover.status}, session active again"
          + (f"; notification {notification} posted (the sync sensor launches the run)"
             if notification else "; no notification posted (--no-notify)"))
    return 0


def cmd_notifications(args) -> int:
    n = sync_notification
    engine = make_engine(database_url())
    query = select(n.c.id, n.c.Source, n.c.Status, n.c.IntegrationKey, n.c.TenantKey,
                   n.c.ServiceProviderId, n.c.RetryCount, n.c.RemainingRowsToProcess,
                   n.c.NextCheckAt, n.c.Forced, n.c.RunKey, n.c.Reason, n.c.RowsClearedAt,
                   n.c.RowsClearedByRun)
    if args.status:
        query = query.where(n.c.Status == args.status)
    with engine.connect() as conn:
        listed = conn.execute(query.order_by(n.c.id.desc()).limit(args.limit)).all()
    print("id  source  status    partition          provider  retries  remaining  next check"
          "           forced  reason")
    for r in listed:  # at most --limit notifications
        partition = f"{r.IntegrationKey}|{r.TenantKey}" if r.IntegrationKey else "-"
        print(f"{r.id:<3} {r.Source:<7} {r.Status:<9} {partition:<18} {r.ServiceProviderId or '-'!s:<9}"
              f" {r.RetryCount if r.RetryCount is not None else '-'!s:<8}"
              f" {r.RemainingRowsToProcess if r.RemainingRowsToProcess is not None else '-'!s:<10}"
              f" {r.NextCheckAt or '-'!s:<20} {'yes' if r.Forced else 'no':<7} {r.Reason or ''}"
              + _clearing(r))
    return 0


def _clearing(notification) -> str:
    """A forced launch's clearing of its rows to process: its run's first work."""
    if not notification.Forced:
        return ""
    if notification.RowsClearedAt is None:
        return "; rows to process not cleared yet (its run clears them first)"
    return (f"; rows to process cleared {notification.RowsClearedAt:%Y-%m-%d %H:%M:%S} by run "
            f"{notification.RowsClearedByRun}")


def cmd_shadow_report(args) -> int:
    """Print the shadow passes' differences (sql/shadow.py) grouped by integration, table
    and column, with examples."""
    since = None
    if args.since:
        try:
            since = datetime.strptime(args.since, "%Y-%m-%d")
        except ValueError:
            print(f"--since {args.since!r} is not a date (YYYY-MM-DD)", file=sys.stderr)
            return 2
    engine = make_engine(database_url())
    try:
        with engine.connect() as conn:
            print(shadow_report(conn, args.integration, since), end="")
    finally:
        engine.dispose()
    return 0


def cmd_rejected(args) -> int:
    """Every row a sync's checks rejected, with its reason (tab-separated: provider, table,
    key, reason); the materialization lists the first ones."""
    engine = make_engine(database_url())
    try:
        with engine.connect() as conn:
            found = find_sync(conn, args.sync)
            listed = rejected_rows(conn, args.sync) if found is not None else []
    finally:
        engine.dispose()
    if found is None:
        print(f"cleanup-assets rejected: no sync {args.sync} in CleanupDeviceSync (the id "
              "is the materialization's sync_id)", file=sys.stderr)
        return 1
    print("provider\ttable\tkey\treason")
    for r in listed:  # one sync's rejected rows, printed
        key = "" if r.DeviceKey is None else r.DeviceKey.encode("unicode_escape").decode()
        print(f"{r.ServiceProviderId}\t{r.SourceTable}\t{key}\t{r.Reason}")
    print(f"{len(listed)} rejected row(s) in sync {args.sync}", file=sys.stderr)
    return 0


def cmd_explain_sql(args) -> int:
    """Print every statement the code location issues, compiled for SQL Server, with what
    the T-SQL lint finds (nothing, when all is well)."""
    problems = 0
    for title, sql, found in explain_statements(args.dialect):
        print(f"-- {title}" + (f"  [LINT: {'; '.join(found)}]" if found else ""))
        print(sql.rstrip() + ";\n")
        problems += bool(found)
    print(f"-- {problems} statement(s) with lint findings", file=sys.stderr)
    return 1 if problems else 0


def cmd_settings(args) -> int:
    """The settings table (cleanup_assets/settings.py) against this environment; secrets are
    only said to be set. With --check: exit 1 naming what keeps the location from loading."""
    settings = Settings()
    print(f"{'variable':<32} {'production':<32} {'secret':<7} {'set':<4} value / default")
    for row in settings.table():
        shown = row["value"] or (f"(default) {row['default']}" if row["default"] else "")
        print(f"{row['name']:<32} {row['required_in_production']:<32} "
              f"{'yes' if row['secret'] else '':<7} {'yes' if row['set'] else '':<4} {shown}")
    problems = settings.problems()
    if args.check and problems:
        print("\nnot deployable:\n  - " + "\n  - ".join(problems), file=sys.stderr)
        return 1
    return 0


def cmd_preflight(_args) -> int:
    """One line per finding with its fix (cleanup_assets/preflight.py); exit 1 on any that
    would fail a run."""
    findings = preflight_from_settings()
    print(report(findings))
    return 1 if blocking(findings) else 0


def cmd_demo(args) -> int:
    return run_demo(args.devices, days=args.days)

"""One partition's finalization: the device tables, the communication plans, the gate's
facts and the ledger row — with either engine.

- **procedures** (the default on SQL Server): the legacy procedures, in the legacy
  sequence, with their parameters, on their database (procedure_engine.py).
- **set_based** (PostgreSQL and SQLite; on SQL Server only when chosen, as a migration
  path): the same work as our own SQL, in one transaction — Telegence's staging merged into
  ``TelegenceDevice`` (the one merge the cleanup itself does), every carrier table checked
  and mirrored into the common tables.

Before either, a *forced* sync (the sync sensor gave up waiting: its notification says so)
clears its provider's rows to process (``clear_forced_rows``), as the legacy does before
its sync (F:175-180). After either, the communication plans are added by our SQL (the
legacy's own SQL, not a procedure) and the gate's facts are read. The ledger row
(``CleanupDeviceSync``, ledger.py) is written ``running`` first and ``finalized`` last; a
failure — the clearing's included — marks it ``failed`` with the error and is raised:
nothing of ours records success for a sync that did not finish.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Sequence

from sqlalchemy import desc, false, func, select, true, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from ..db import Databases, TransientRetry, in_transaction, short_error, utcnow
from ..integration_ids import UnknownIntegration
from ..integration_ids import integration_id as integration_id_of
from ..registry import Integration
from ..schema import (
    LAUNCHED,
    REJECTED,
    carrier_tables,
    jasper_communication_plan,
    require_own_tables,
    service_provider,
    sync_notification,
)
from .row_rules import RULES_VERSION
from .common_tables import CommonCounts, add_missing_communication_plans, mirror_common_devices
from .dialect import prefer_set_joins, refresh_statistics
from .gate_facts import GateFacts, find_billing_period, plans_without_rate_plan
from .ledger import (
    TRIGGER_NOTIFICATION,
    TRIGGER_RERUN,
    last_notified_sync_forced,
    open_sync,
    record_failed,
    record_finalized,
)
from .merge import MergeCounts, live_rows, merge_into
from .procedure_engine import ProcedureRun, run_procedures
from .rows_to_process import clear_rows_to_process
from .shadow import shadow_pass
from .sources import (
    common_table,
    conditions,
    staged_rows_per_provider,
    staging_source,
    usable_keys_per_provider,
)

log = logging.getLogger(__name__)


class FinalizeEngine(str, enum.Enum):
    PROCEDURES = "procedures"
    SET_BASED = "set_based"

    @classmethod
    def default_for(cls, dialect_name: str) -> "FinalizeEngine":
        """Procedures on SQL Server (the legacy's engine); our SQL everywhere else."""
        return cls.PROCEDURES if dialect_name == "mssql" else cls.SET_BASED

    def reads_by_procedure(self, dialect_name: str) -> bool:
        """Whether the summary, the billing period and the discrepancy list are read through
        the legacy's reading procedures: always on SQL Server (they are there whichever
        engine finalizes), and with the procedures engine elsewhere (its stand-ins)."""
        return self is FinalizeEngine.PROCEDURES or dialect_name == "mssql"


class FinalizeError(ValueError):
    """A partition that cannot be finalized as asked (unknown tenant or provider)."""


class RowsNotCleared(RuntimeError):
    """A forced sync whose provider's rows to process could not be cleared (after the
    transient retries): nothing was finalized, the message says what to do."""


@dataclass(frozen=True)
class RowsCleared:
    """What a forced sync's run did first to its provider's rows to process: ``rows``
    deleted per table (``whole_table``: tables without a way to tell providers apart,
    cleared whole as the legacy does) — or why nothing was deleted: ``earlier``, an earlier
    attempt of this sync cleared them (a retry or re-execution of its run); ``not_decided``,
    the run's tags say forced but its notification decided no forced launch of the
    provider (tags typed by hand); ``superseded``, a later notification of the provider
    exists (this run started, or was re-executed, after the provider's next sync staged)."""

    notification_id: int
    provider_id: int
    rows: dict[str, int] = field(default_factory=dict)
    whole_table: tuple[str, ...] = ()
    earlier: str | None = None
    not_decided: str | None = None
    superseded: str | None = None

    def describe(self) -> str:
        """The run's log line, and the materialization's ``rows_to_process_cleared``."""
        who = f"notification {self.notification_id}, provider {self.provider_id}"
        if self.not_decided:
            return f"{who}: nothing cleared — {self.not_decided}"
        if self.superseded:
            return (f"{who}: nothing cleared — {self.superseded}: the rows to process now "
                    "belong to that later sync")
        if self.earlier:
            return (f"{who}: its rows to process were claimed for clearing by "
                    f"{self.earlier} (that run's log says what it deleted); not again (rows "
                    "queued since belong to a later sync of the provider)")
        counts = ", ".join(f"{table} {n}" for table, n in sorted(self.rows.items())) or "none"
        whole = (f"; {', '.join(self.whole_table)} cleared whole, every provider's rows (no "
                 "ServiceProviderId column nor a key to the carrier table: the legacy rule)"
                 if self.whole_table else "")
        return f"{who}: rows to process cleared before finalizing (rows deleted: {counts}){whole}"


@dataclass(frozen=True)
class FinalizeRequest:
    """What to finalize. With no ``service_provider_id`` (a rerun or backfill), every active
    provider of the integration and tenant is finalized."""

    integration: Integration
    tenant_key: str
    service_provider_id: int | None = None
    forced: bool = False  # the wait gave up: the carrier's sync may be incomplete
    run_id: str | None = None
    # The notification a notified run finalizes (its run tag): what counts a sync once.
    notification_id: int | None = None
    engine: FinalizeEngine | None = None  # None: the database's default
    # With the procedures finalizing: the engine run beside them in a rolled-back
    # transaction, to record what it would have done differently (sql/shadow.py).
    shadow: FinalizeEngine | None = None
    # Whose statements to issue (None: the database's): explain-sql's workload asks for SQL
    # Server's on PostgreSQL or SQLite, to review what SQL Server would run.
    dialect: str | None = None

    @property
    def trigger(self) -> str:
        return TRIGGER_NOTIFICATION if self.service_provider_id is not None else TRIGGER_RERUN


@dataclass
class FinalizeResult:
    integration_key: str
    tenant_key: str
    service_provider_ids: list[int]
    integration_id: int | None = None
    sync_id: int | None = None
    engine: str = FinalizeEngine.SET_BASED.value
    complete: bool = True
    staging: MergeCounts | None = None  # Telegence: staging merged into the carrier table
    common: CommonCounts | None = None
    procedures: ProcedureRun | None = None
    new_plans: list[tuple[int, str]] = field(default_factory=list)
    # Providers whose absent devices were not soft-deleted, and why.
    deactivation_skipped: dict[int, str] = field(default_factory=dict)
    carrier_live_devices: int = 0
    common_live_devices: int = 0
    plans_total: int = 0
    gate: GateFacts = field(default_factory=GateFacts)
    # The whole partition: every active provider of the integration and tenant, of which a
    # notified run finalizes one. What the partition holds after this run, whichever
    # provider it finalized (carrier rows: set-based engine only; None otherwise).
    partition_provider_ids: list[int] = field(default_factory=list)
    partition_carrier_live_devices: int | None = None
    partition_common_live_devices: int = 0
    partition_plans: int = 0
    shadow: object | None = None  # shadow.ShadowOutcome, when a shadow pass ran
    rows_cleared: RowsCleared | None = None  # a forced sync's first work (clear_forced_rows)


    @property
    def rejected(self) -> int:
        return sum(c.rejected for c in (self.staging, self.common and self.common.devices) if c)

    @property
    def rows_read(self) -> int:
        """Rows the row rules judged (staging and carrier rows)."""
        return sum(c.rows for c in (self.staging, self.common and self.common.devices) if c)

    @property
    def reasons(self) -> dict[str, int]:
        merged: dict[str, int] = {}
        for counts in (self.staging, self.common and self.common.devices):
            for reason, n in (counts.reasons if counts else {}).items():
                merged[reason] = merged.get(reason, 0) + n
        return merged


def resolve_service_providers(conn: Connection, integration: Integration, tenant_id: int,
                              requested: int | None) -> tuple[int, list[int]]:
    """(numeric integration id, active provider ids) for an integration and tenant. The
    numeric id is never hard-coded (integration_ids.py)."""
    try:
        integration_id = integration_id_of(conn, integration)
    except UnknownIntegration as error:
        raise FinalizeError(str(error)) from None
    query = select(service_provider.c.id).where(
        service_provider.c.IntegrationId == integration_id,
        service_provider.c.TenantId == tenant_id,
        service_provider.c.IsActive == true(),
        service_provider.c.IsDeleted == false(),
    )
    if requested is not None:
        query = query.where(service_provider.c.id == requested)
    providers = list(conn.execute(query.order_by(service_provider.c.id)).scalars())
    if requested is not None and not providers:
        raise FinalizeError(f"service provider {requested} is not an active "
                            f"{integration.legacy_name} provider of tenant {tenant_id}")
    return integration_id, providers


def last_sync_was_complete(conn: Connection, provider_id: int) -> bool:
    """Whether the provider's latest carrier sync was complete (not forced). A rerun only
    repeats that sync's data, so it may delete only what that sync could have. The truth is
    the latest notification the sensor launched for the provider — a forced one whose run
    failed before writing a ledger row still counts; without one, the ledger's latest
    notified sync; without either, complete."""
    forced = conn.execute(
        select(sync_notification.c.Forced)
        .where(sync_notification.c.ServiceProviderId == provider_id,
               sync_notification.c.Status == LAUNCHED)
        .order_by(desc(sync_notification.c.DecidedAt), desc(sync_notification.c.id)).limit(1)
    ).first()
    if forced is None:
        return not last_notified_sync_forced(conn, provider_id)
    return not forced[0]


def finalize_partition(databases: Databases, request: FinalizeRequest,
                       retry: TransientRetry = TransientRetry(),
                       on_retry: Callable | None = None,
                       on_cleared: Callable[[RowsCleared], None] | None = None
                       ) -> FinalizeResult:
    """Finalize one (integration, tenant) partition with the chosen engine — a forced
    sync's rows to process cleared first (``on_cleared`` hears what was done)."""
    if not request.tenant_key.isdigit():  # partitions.py validates keys; this guards callers
        raise FinalizeError(f"tenant {request.tenant_key!r} is not a TenantId")
    tenant_id = int(request.tenant_key)
    integration = request.integration
    engine = request.engine or FinalizeEngine.default_for(databases.central.dialect.name)
    started = in_transaction(databases.central, lambda conn: _begin(
        conn, request, tenant_id, engine), retry, on_retry=on_retry)
    result, complete_for = started
    if result.sync_id is None:
        return result  # a tenant without this carrier: nothing to do, and that is fine
    try:
        # The refusals first: a run that cannot finalize deletes nothing (its re-execution,
        # once the cause is fixed, clears the rows as this one would have).
        if engine is FinalizeEngine.PROCEDURES:
            refusal = _unprovable_lists(databases, integration, result, retry)
            if refusal:
                raise FinalizeError(refusal)
        elif databases.separate and integration.database.value == "jasper":
            databases.require_joinable("the set-based engine")
        if request.forced and request.notification_id is not None:
            result.rows_cleared = clear_forced_rows(databases, request, retry, on_retry)
            if on_cleared is not None:
                on_cleared(result.rows_cleared)
        if engine is FinalizeEngine.PROCEDURES:
            result.procedures = run_procedures(
                databases, integration, result.service_provider_ids,
                integration_id=result.integration_id, retry=retry, on_retry=on_retry,
                rerun=request.trigger != "notification",
                may_count=_miss_count_claim(databases, request, retry))
            in_transaction(databases.central, lambda conn: _after_engine(conn, result, request),
                           retry, on_retry=on_retry)
        else:
            in_transaction(databases.central, lambda conn: _set_based(
                conn, result, request, complete_for), retry, on_retry=on_retry)
    except Exception as error:
        try:
            in_transaction(databases.central,
                           lambda conn: record_failed(conn, result.sync_id, error))
        except Exception:  # the database may be what failed: the original error matters
            log.exception("could not mark sync %s failed", result.sync_id)
        raise
    if engine is FinalizeEngine.PROCEDURES and request.shadow is FinalizeEngine.SET_BASED:
        result.shadow = shadow_partition(databases, request, result, complete_for)
    return result


def _unprovable_lists(databases: Databases, integration: Integration, result: FinalizeResult,
                      retry: TransientRetry) -> str | None:
    """Why the legacy procedures must not run, or None. They cannot be told to keep absent
    devices, so the one rule both engines share (merge.withheld_absence: a list with no
    accepted row proves nothing absent) is applied here before any call: a provider whose
    list has rows but none with a usable key, or whose carrier table has no usable key while
    it has live common devices, would have every device deactivated on no evidence. The
    common procedure takes only @IntegrationId (F:1177, 1199), so every active provider of
    the integration is looked at, not only this partition's. Nothing is called; the run
    fails naming them (docs/legacy-differences.md, "A list that cannot prove which devices
    left")."""
    carrier_db = databases.jasper if integration.database.value == "jasper" else databases.central
    findings = []
    if integration.staging_merge is not None:
        staged = in_transaction(carrier_db, lambda conn: usable_keys_per_provider(
            conn, integration, result.service_provider_ids, staging=True), retry)
        findings += [f"provider {p}: none of its {n} {integration.staging_merge.table} rows has "
                     f"a usable {integration.staging_merge.key}"
                     for p, (n, good) in sorted(staged.items()) if n and not good]

    def everyone(conn):
        providers = list(conn.execute(select(service_provider.c.id).where(
            service_provider.c.IntegrationId == result.integration_id,
            service_provider.c.IsActive == true(), service_provider.c.IsDeleted == false())
        ).scalars())
        table = common_table(integration)
        live = [table.c.IsDeleted == false()] if "IsDeleted" in table.c else []
        return dict(conn.execute(select(table.c.ServiceProviderId, func.count()).where(
            table.c.ServiceProviderId.in_(providers), *live)
            .group_by(table.c.ServiceProviderId)).all())

    common_live = in_transaction(databases.central, everyone, retry)
    carrier = in_transaction(carrier_db, lambda conn: usable_keys_per_provider(
        conn, integration, list(common_live)), retry) if common_live else {}
    findings += [f"provider {p}: {integration.carrier.table} has {carrier.get(p, (0, 0))[0]} "
                 f"row(s), none with a usable {integration.carrier.key[0]}, and {n} live "
                 f"device(s) in {common_table(integration).name}"
                 for p, n in sorted(common_live.items()) if not carrier.get(p, (0, 0))[1]]
    if not findings:
        return None
    return ("the legacy procedures were not called: they would deactivate devices that no "
            "usable row proves gone (" + "; ".join(findings[:10])
            + (f"; and {len(findings) - 10} more" if len(findings) > 10 else "")
            + "). Fix the carrier's device sync, then rerun the partition.")


def shadow_partition(databases: Databases, request: FinalizeRequest, result: FinalizeResult,
            complete_for: Sequence[int], **options):
    """After the procedures' commit: the set-based engine on the same partition, with the
    same completeness decision, in a transaction the shadow pass rolls back. It never
    raises: what it finds — or its error — is recorded beside the sync."""
    def run_set_based(conn: Connection) -> list[tuple[int, str]]:
        if databases.separate and request.integration.database.value == "jasper":
            databases.require_joinable("the set-based engine")
        shadow = FinalizeResult(
            result.integration_key, result.tenant_key, list(result.service_provider_ids),
            result.integration_id, sync_id=result.sync_id, engine=FinalizeEngine.SET_BASED.value,
            complete=result.complete, deactivation_skipped=dict(result.deactivation_skipped),
            partition_provider_ids=list(result.partition_provider_ids))
        _set_based(conn, shadow, request, complete_for, shadow=True)
        return shadow.new_plans  # the sync's plans after the engine (none: it adds none)

    return shadow_pass(databases.central, request.integration, sync_id=result.sync_id,
                       tenant_key=request.tenant_key, provider_ids=result.service_provider_ids,
                       run_set_based=run_set_based, dialect=request.dialect, **options)


def _miss_count_claim(databases: Databases, request: FinalizeRequest, retry: TransientRetry):
    """For the procedure engine: whether a procedure that counts a sync may be called for
    this notification (claimed and committed before the call), or why not."""
    def may_count() -> str | None:
        if request.notification_id is None:
            return None
        claimed = in_transaction(databases.central, lambda conn: claim_miss_count(
            conn, request.notification_id, utcnow()), retry)
        return None if claimed else (
            f"notification {request.notification_id}'s sync was counted by an earlier attempt "
            "(a retry or re-execution): post a new notification to count again")
    return may_count


def clear_forced_rows(databases: Databases, request: FinalizeRequest,
                      retry: TransientRetry = TransientRetry(),
                      on_retry: Callable | None = None) -> RowsCleared:
    """A forced sync's first work: delete its provider's rows to process — what the legacy
    does before syncing when retries are exhausted (F:175-180, ClearRowsToProcess F:585-627),
    moved out of the sensor's tick into the run, where it is logged, retried on transient
    errors like all our statements, and tied to the sync's ledger row.

    Done on the sensor's committed decision only: the notification (the run's tag) must say
    *forced* for this provider; and once per notification (``RowsClearedAt``, claimed in
    the clearing's own transaction when the rows live in the central database, claimed and
    committed before the clearing — given back if it fails — when they live in the Jasper
    database): a retry or a
    re-execution of the run days later must not delete the rows a later sync of the
    provider has queued since. A failure after the retries raises ``RowsNotCleared``: the
    legacy's exception there ends its invocation before any sync (caught at F:239-246,
    which stops the optimization asked for), and finalizing with the rows left would let
    the provider's next sync wait on this one's leftovers.
    """
    integration = request.integration
    provider, notification_id = request.service_provider_id, request.notification_id
    rows_engine = (databases.jasper if integration.database.value == "jasper"
                   else databases.central)
    together = rows_engine is databases.central
    n = sync_notification.c
    tries = [1]

    def noted(attempt: int, error: BaseException) -> None:
        tries[0] = attempt + 1
        if on_retry is not None:
            on_retry(attempt, error)

    later = sync_notification.alias("later")

    def decided(conn: Connection):
        # with the provider's first notification after this one (a later sync's), if any
        return conn.execute(select(
            n.Forced, n.ServiceProviderId, n.Status, n.RowsClearedAt, n.RowsClearedByRun,
            select(func.min(later.c.id)).where(
                later.c.ServiceProviderId == provider, later.c.id > notification_id,
                later.c.Status != REJECTED).scalar_subquery().label("later"),
        ).where(n.id == notification_id)).first()

    def claim(conn: Connection) -> bool:
        return conn.execute(update(sync_notification).where(
            n.id == notification_id, n.RowsClearedAt.is_(None)).values(
            RowsClearedAt=utcnow(), RowsClearedByRun=request.run_id)).rowcount == 1

    def claim_alone(conn: Connection) -> bool:
        # Its own transaction (the Jasper database's rows): a retry after a commit whose
        # answer was lost finds the claim already there — this run's, then still its to act on.
        return claim(conn) or (request.run_id is not None and conn.execute(
            select(n.RowsClearedByRun).where(n.id == notification_id)).scalar()
            == request.run_id)

    def claim_and_clear(conn: Connection):
        return clear_rows_to_process(conn, integration, provider) if claim(conn) else None

    done = RowsCleared(notification_id, provider)
    stage = "read"
    committing: list = []  # the Jasper delete's counts, once it reached its commit
    try:
        row = in_transaction(databases.central, decided, retry, on_retry=noted)
        if row is None or not row.Forced or row.ServiceProviderId != provider \
                or row.Status != LAUNCHED:
            return dataclasses.replace(done, not_decided=(
                f"the run is tagged forced, but notification {notification_id} records no "
                f"forced launch of provider {provider}"))
        if row.RowsClearedAt is None and row.later is not None:
            # The provider's next sync has staged and notified since this decision (the run
            # waited in the queue, or is a re-execution days later; or the notification
            # predates RowsClearedAt, when the sensor cleared at decision time): its rows
            # to process are that sync's, never this one's to delete.
            return dataclasses.replace(done, superseded=(
                f"notification {row.later} of the provider came after this one"))
        if row.RowsClearedAt is None:
            if together:
                stage, tries[0] = "clear", 1
                cleared = in_transaction(rows_engine, claim_and_clear, retry, on_retry=noted)
            else:
                # The rows are in the Jasper database: the claim first (committed), then the
                # clearing, which gives the claim back if it fails. In the other order a
                # failure between the two commits, then a re-execution, clears twice — and
                # the second time deletes what the provider's next sync may have queued
                # before its notification (a silent loss; a claim kept by mistake only leaves
                # rows to wait on, which the next forced sync clears).
                stage, tries[0] = "claim", 1
                cleared = None
                try:
                    claimed = in_transaction(databases.central, claim_alone, retry,
                                             on_retry=noted)
                except DBAPIError:
                    # A try's commit may have landed with its answer lost: this run's claim,
                    # if any, taken back (nothing was deleted: always safe).
                    if not _give_back(databases, notification_id, request.run_id, retry):
                        stage = "claim, perhaps held"
                    raise
                if claimed:
                    stage, tries[0] = "clear", 1

                    def clearing(conn: Connection):
                        cleared = clear_rows_to_process(conn, integration, provider)
                        committing.append(cleared)  # its counts; its commit is next
                        return cleared

                    try:  # never retried once the delete reached its commit
                        cleared = in_transaction(rows_engine, clearing, retry, on_retry=noted,
                                                 retry_commit=False)
                    except BaseException:  # a DBAPIError, or the run terminated
                        if committing:  # the delete may stand: a re-execution must not clear
                            stage = "clear, perhaps done"
                        elif not _give_back(databases, notification_id, request.run_id,
                                            retry):
                            stage = "clear, claim kept"
                        raise
            if cleared is not None:
                return dataclasses.replace(done, rows=dict(cleared.rows),
                                           whole_table=tuple(cleared.whole_table))
            stage, tries[0] = "read", 1
            row = in_transaction(databases.central, decided, retry, on_retry=noted)
    except DBAPIError as error:
        deleted = committing[0].rows if stage == "clear, perhaps done" else None
        raise RowsNotCleared(_not_cleared(request, stage, tries[0], error, deleted)) from error
    return dataclasses.replace(done, earlier=(
        f"run {row.RowsClearedByRun or '?'} at {row.RowsClearedAt:%Y-%m-%d %H:%M:%S} UTC"))


def _give_back(databases: Databases, notification_id: int, run_id: str | None,
               retry: TransientRetry) -> bool:
    """A claim of this run's whose clearing failed, undone: a re-execution clears. False
    when even that failed (the central database unreachable too)."""
    n = sync_notification.c
    if run_id is None:  # no claim can be told to be this caller's
        return False
    try:
        in_transaction(databases.central, lambda conn: conn.execute(
            update(sync_notification).where(n.id == notification_id,
                                            n.RowsClearedByRun == run_id)
            .values(RowsClearedAt=None, RowsClearedByRun=None)), retry)
        return True
    except DBAPIError:
        log.warning("notification %s: the claim of a failed clearing could not be given back",
                    notification_id, exc_info=True)
        return False


def _not_cleared(request: FinalizeRequest, stage: str, tries: int, error: DBAPIError,
                 deleted: dict[str, int] | None = None) -> str:
    """A clearing failure in the operator's words: what failed, what was (not) done, what
    to do."""
    integration = request.integration
    where = ("the Jasper database" if integration.database.value == "jasper"
             else "the central database")
    what = (f"notification {request.notification_id} forced the sync of provider "
            f"{request.service_provider_id} ({integration.legacy_name})")
    failed = f"{short_error(error)}; {tries} {'try' if tries == 1 else 'tries'}"
    reset = (f"set RowsClearedAt and RowsClearedByRun of CleanupSyncNotification "
             f"{request.notification_id} to NULL, then re-execute (it clears them)")
    if stage == "clear, perhaps done":
        counts = ", ".join(f"{n} of {table}" for table, n in sorted((deleted or {}).items()))
        return (f"{what}: its rows to process in {where} were deleted ({counts or 'none'}), "
                f"but the commit's answer was lost ({failed}): the delete may stand. The "
                "notification keeps its claim, so a re-execution will not delete again "
                "(rows queued since may be the provider's next sync's); nothing was "
                "finalized. Only if those tables still hold at least those rows of the "
                f"provider from before this run (the delete did not stand), {reset}; "
                "otherwise re-execute as is.")
    if stage == "claim, perhaps held":
        return (f"{what}: its notification could not be marked as clearing ({failed}), and "
                "a try of that mark may have landed: nothing was deleted, nothing finalized, "
                f"but the notification may read as claimed by run {request.run_id}. Once "
                f"the central database is reachable, {reset}.")
    if stage == "clear, claim kept":
        return (f"{what}: its rows to process could not be cleared in {where} ({failed}), "
                "and the central database did not take back the notification's claim to "
                "clear them. Nothing was finalized and the rows remain; the notification "
                "reads as claimed for clearing, so a re-execution will not clear them (and "
                f"finalizes over them). Once the central database is reachable, {reset}.")
    if stage in ("read", "claim"):
        where, doing = "the central database", (
            "its notification could not be read" if stage == "read" else
            "its notification could not be marked as clearing (nothing was deleted)")
    else:
        doing = f"its rows to process could not be cleared in {where}"
    return (f"{what}: {doing} ({failed}). Nothing was finalized and the rows remain — the "
            "legacy stops there too (AltaworxJasperGetDevicesCleanup.cs:175-180, the error "
            "caught at 239-246), and a sync finalized over them would leave the provider's "
            f"next sync waiting on them. Re-execute this run once {where} is reachable: it "
            "clears them first.")


def claim_miss_count(conn: Connection, notification_id: int, now: datetime) -> bool:
    """Whether this sync may count missed subscribers for its notification: the first to ask
    wins (one conditional UPDATE), so a run retry or a re-execution of a notified run never
    counts a miss again (usp_Telegence_Update_Device.sql:118-136 counts one per call). Taken
    inside the set-based engine's transaction (a rolled-back attempt counted nothing and
    gives the claim back), and committed before the procedure is called on the procedure
    engine (a call that failed half-way may have counted: never re-run blind)."""
    return conn.execute(update(sync_notification).where(
        sync_notification.c.id == notification_id,
        sync_notification.c.MissesCountedAt.is_(None)).values(MissesCountedAt=now)).rowcount == 1


def _begin(conn: Connection, request: FinalizeRequest, tenant_id: int, engine: FinalizeEngine):
    """Our tables are there; the providers; the ledger row, `running`; completeness."""
    require_own_tables(conn, set_based=engine is FinalizeEngine.SET_BASED)
    integration = request.integration
    integration_id, providers = resolve_service_providers(
        conn, integration, tenant_id, request.service_provider_id)
    result = FinalizeResult(integration.key, request.tenant_key, providers, integration_id,
                            engine=engine.value)
    result.partition_provider_ids = (
        providers if request.service_provider_id is None
        else resolve_service_providers(conn, integration, tenant_id, None)[1])
    if not providers:
        return result, []
    complete_for = [p for p in providers
                    if not request.forced and (request.trigger == "notification"
                                               or last_sync_was_complete(conn, p))]
    for provider in providers:
        if provider not in complete_for:
            result.deactivation_skipped[provider] = (
                "sync forced: the carrier's data may be incomplete" if request.forced else
                "rerun of a forced sync: the carrier's data may be incomplete")
    result.complete = len(complete_for) == len(providers)
    result.gate.active_before = live_rows(conn, common_table(integration), providers)
    result.sync_id = open_sync(
        conn, integration_key=integration.key, tenant_key=request.tenant_key,
        providers=providers, run_id=request.run_id, trigger=request.trigger,
        forced=request.forced, complete=result.complete, engine=engine.value,
        rules_version=RULES_VERSION, active_before=result.gate.active_before)
    return result, complete_for


def _set_based(conn: Connection, result: FinalizeResult, request: FinalizeRequest,
               complete_for: Sequence[int], shadow: bool = False) -> None:
    integration = request.integration
    providers = result.service_provider_ids
    prefer_set_joins(conn)
    now = utcnow()
    if integration.staging_merge is not None:
        staged = staged_rows_per_provider(conn, integration, providers)
        delete_for = [p for p in complete_for if staged.get(p)]
        for provider in complete_for:
            if not staged.get(provider):  # more likely a failed sync than an empty account
                result.deactivation_skipped[provider] = "no staging rows"
        counted = [p for p in delete_for if request.trigger == "notification"]
        for provider in set(delete_for) - set(counted):
            # FailedSyncCount counts carrier syncs: a rerun repeats one, it is not another.
            result.deactivation_skipped[provider] = (
                "rerun: FailedSyncCount advances with notified syncs only")
        if counted and request.notification_id is not None and not claim_miss_count(
                conn, request.notification_id, now):
            for provider in counted:  # a retry or re-execution of a notified sync
                result.deactivation_skipped[provider] = (
                    f"notification {request.notification_id}'s missed subscribers were "
                    "counted by an earlier attempt of this sync: not again")
            counted = []
        carrier = carrier_tables[integration.carrier.table]
        result.staging = merge_into(conn, carrier,
                                    staging_source(integration, providers, result.integration_id),
                                    providers, sync_id=result.sync_id, now=now,
                                    delete_absent_for=(
                                        counted if integration.staging_merge.absent
                                        == "failed_sync_count" else delete_for),
                                    absent=integration.staging_merge.absent,
                                    dialect=request.dialect)
        result.deactivation_skipped.update(result.staging.withheld)
        # Fresh statistics before the mirror reads it (not in a shadow pass: they would
        # outlive its rollback).
        if _wrote_much(result.staging) and not shadow:
            refresh_statistics(conn, carrier)
    else:
        delete_for = list(complete_for)
    carrier_live = _carrier_live_per_provider(conn, integration, result.partition_provider_ids)
    for provider in list(delete_for):
        if not carrier_live.get(provider):  # an empty carrier table would delete every device
            delete_for.remove(provider)
            result.deactivation_skipped[provider] = (
                f"{integration.carrier.table} has no live rows for this provider")
    result.common = mirror_common_devices(conn, integration, providers, sync_id=result.sync_id,
                                          now=now, delete_absent_for=delete_for,
                                          dialect=request.dialect)
    result.deactivation_skipped.update(result.common.devices.withheld)
    result.carrier_live_devices = sum(carrier_live.get(p, 0) for p in providers)
    result.partition_carrier_live_devices = sum(carrier_live.values())
    _after_engine(conn, result, request, shadow=shadow)


def _wrote_much(counts: MergeCounts) -> bool:
    """Worth fresh planner statistics: a tenth or more of the rows are new or changed."""
    written = counts.inserted + counts.updated + counts.deactivated
    return written > 0 and written * 10 >= max(counts.rows, 1)


def _carrier_live_per_provider(conn: Connection, integration: Integration,
                               providers: Sequence[int]) -> dict[int, int]:
    carrier = carrier_tables[integration.carrier.table]
    return dict(conn.execute(
        select(carrier.c.ServiceProviderId, func.count())
        .where(carrier.c.ServiceProviderId.in_(list(providers)),
               *conditions(carrier, integration.carrier.live_when))
        .group_by(carrier.c.ServiceProviderId)).all())


def _after_engine(conn: Connection, result: FinalizeResult, request: FinalizeRequest,
                  shadow: bool = False) -> None:
    """Communication plans, the gate's facts, the ledger row closed as finalized. In a
    shadow pass only the plans: they are a difference the pass compares; the facts and the
    ledger are the real finalization's, and read in a transaction rolled back they would
    only cost time (a tenth of a 100k-device pass)."""
    integration = request.integration
    providers = result.service_provider_ids
    if integration.has_communication_plans:
        result.new_plans = add_missing_communication_plans(
            conn, providers, sync_id=result.sync_id, now=utcnow())
    if shadow:  # (a device the engine would lose shows as a soft-delete difference)
        return
    if integration.has_communication_plans:
        result.gate.devices_on_plans_without_rate_plan, result.gate.plans_without_rate_plan = (
            plans_without_rate_plan(conn, providers))
    result.common_live_devices = live_rows(conn, common_table(integration), providers)
    result.gate.active_after = result.common_live_devices
    if result.common is not None and result.common_live_devices < result.common.devices.accepted:
        # Every accepted carrier row names one device (duplicates are rejected), and the merge
        # leaves each a live common row: fewer means a bug lost devices. Roll it all back.
        raise AssertionError(
            f"the mirror lost devices: {result.common.devices.accepted} accepted carrier rows, "
            f"{result.common_live_devices} live rows in {common_table(integration).name}")
    result.plans_total = live_rows(conn, jasper_communication_plan, providers)
    everyone = result.partition_provider_ids
    if set(everyone) == set(providers):
        result.partition_common_live_devices = result.common_live_devices
        result.partition_plans = result.plans_total
    else:  # a notified run of one provider among several
        result.partition_common_live_devices = live_rows(conn, common_table(integration),
                                                         everyone)
        result.partition_plans = live_rows(conn, jasper_communication_plan, everyone)
    if integration.optimization:
        use_procedure = FinalizeEngine(result.engine).reads_by_procedure(conn.dialect.name)
        result.gate.billing_periods = {
            p: find_billing_period(conn, p, utcnow().date(), use_procedure=use_procedure)
            for p in providers}
    counts = result.common.devices if result.common else None
    staging = result.staging
    record_finalized(
        conn, result.sync_id,
        # Each stage's own counts: the staging merge (Telegence), then the carrier rows the
        # mirror read.
        StagingRows=staging.rows if staging else None,
        StagingRejected=staging.rejected if staging else None,
        CarrierRows=counts.rows if counts else None,
        Accepted=counts.accepted if counts else None,
        Rejected=counts.rejected if counts else None,
        # The legacy procedures report no counts: NULL says "unknown", where 0 would lie.
        Inserted=counts.inserted if counts else None,
        Updated=counts.updated if counts else None,
        Unchanged=counts.unchanged if counts else None,
        Deactivated=counts.deactivated if counts else None,
        NewCommunicationPlans=len(result.new_plans),
        ActiveDevicesAfter=result.common_live_devices,
    )

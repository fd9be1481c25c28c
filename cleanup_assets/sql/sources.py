"""The rows the set-based engine reads, checked: each carrier table as the device-sync step
left it (for the common tables), and Telegence's staging (which the cleanup itself merges
into ``TelegenceDevice``). Built from the registry; nothing here runs a statement."""

from __future__ import annotations

import operator
from typing import Sequence

from sqlalchemy import Boolean, Integer, and_, bindparam, case, false, func, literal, null, or_
from sqlalchemy import select
from sqlalchemy.schema import Table

from ..registry import Integration
from ..schema import (
    COMMON_TABLES,
    carrier_tables,
    device_status,
    judged_row,
    staging_tables,
    usage_tables,
)
from . import row_rules
from .row_rules import (
    count_of,
    date_defects,
    duplicate_reason,
    checked_values,
    exactly,
    fingerprint,
    first_defect,
    key_defects,
    value_defects,
)
from .dialect import trimmed, try_timestamp
from .merge import JUDGED_NOW, KNOWN, LIVE_DEVICES, Source, changes

_OPERATORS = {"=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt,
              ">=": operator.ge, "!=": operator.ne}


def conditions(table: Table, rules) -> list:
    """``{"IsDeleted": ("=", 0)}`` as SQL conditions on ``table``; values bound with the
    column's own type (a boolean on PostgreSQL, a bit on SQL Server)."""
    return [_OPERATORS[op](table.c[column], bindparam(None, value, type_=table.c[column].type))
            for column, (op, value) in rules.items()]


def _row_id(table: Table):
    """A staging table's identity column (``ID`` or ``Id``): the later row is the newer."""
    (column,) = table.primary_key.columns
    return column


def common_table(integration: Integration) -> Table:
    return COMMON_TABLES[integration.family.value]


def carrier_source(integration: Integration, provider_ids: Sequence[int],
                   compares_devices: bool = False) -> Source:
    """The providers' live carrier rows, mapped onto the common table's columns, with the
    first defect of each: a key that is missing or malformed, a value the common table
    cannot hold, a control character, or a device named by more than one carrier row.

    ``compares_devices`` (PostgreSQL): each row is also compared with its device in the
    common table, in the same pass — the common table's (provider, key) index read in the
    order the carrier rows are read (a merge join) — and says so in KNOWN (merge.Source):
    no device (the insert of new devices then reads the checked rows alone instead of
    anti-joining every one of them with every common row: 11.4 s of a 10M-device resync,
    where that hash outgrows memory), the same values, or perhaps not (merge.changes on the
    device's one row; a device held twice is always "perhaps not"). The checked rows keep
    only the rows with something to do, and the compare-and-update reads those alone
    (docs/performance.md). Not on SQLite (each look-up is an index probe there either way)
    nor for SQL Server's statements (the procedures finalize there; the shadow's engine
    keeps the merge's own tests). The transaction between this pass and the writes adds
    no device and changes none of its own; another writer's commit in between (READ
    COMMITTED) is seen as of this pass: a device it adds would be inserted a second time,
    a value it changes is repaired by the next sync; the absent search, where it runs,
    reads the carrier table as it then is (the per-integration run limit keeps our own
    runs apart).

    One provider (a partition's usual case): the per-device subqueries are grouped and
    joined by key alone — the provider is the same on both sides — so that PostgreSQL can
    tell each one unique and merge-join it without materializing it first (0.7 s of a
    1M-device checks' pass; docs/performance.md).

    A separate usage table (Jasper's) is read as one row per device — the largest counter of
    each column when it holds several rows for one — so it can neither multiply nor reject
    a device; a device without usage keeps the usage the common table has (guess: the
    legacy's usp_Jasper_DeviceSync body is not public)."""
    spec = integration.carrier
    carrier = carrier_tables[spec.table]
    target = common_table(integration)
    carrier_key, key = spec.key
    values = {common: carrier.c[column] for common, column in spec.columns.items()}
    # One provider: per device is per key (the docstring).
    by_key = len(provider_ids) == 1

    def per_device(columns: Sequence[str]) -> list[str]:
        return [c for c in columns if not (by_key and c == "ServiceProviderId")]

    joined, optional = carrier, {}
    if spec.usage is not None:
        usage_table = usage_tables[spec.usage.table]
        on = per_device(spec.usage.on)
        usage = (select(*[usage_table.c[c] for c in on],
                        *[func.max(usage_table.c[column]).label(column)
                          for column in spec.usage.columns.values()],
                        literal(1).label(_USAGE_PRESENT))
                 .where(usage_table.c.ServiceProviderId.in_(list(provider_ids)))
                 .group_by(*[usage_table.c[c] for c in on])
                 .subquery("usage"))
        joined = carrier.outerjoin(usage, and_(*[usage.c[c] == carrier.c[c] for c in on]))
        values.update({common: usage.c[column] for common, column in spec.usage.columns.items()})
        optional = {common: _USAGE_PRESENT for common in spec.usage.columns}
    live = [carrier.c.ServiceProviderId.in_(list(provider_ids)), *conditions(carrier, spec.live_when)]
    # Joined, not EXISTS: PostgreSQL plans a correlated EXISTS inside the CASE as a subplan
    # run once per row (5 s of a 1M-row sync; docs/performance.md).
    by_device = [carrier.c[c] for c in per_device(["ServiceProviderId"])]
    repeated = (
        select(*by_device, carrier.c[carrier_key].label("Key"))
        .where(*live)
        .group_by(*by_device, carrier.c[carrier_key])
        .having(func.count() > 1)
        .subquery("repeated_keys")
    )
    joined = joined.outerjoin(repeated, and_(
        *[repeated.c[c.name] == c for c in by_device],
        repeated.c.Key == carrier.c[carrier_key]))
    duplicated = repeated.c.Key.isnot(None)
    key_checks = key_defects(key, carrier.c[carrier_key], spec.table)
    # Judged once: a row whose key, checked values and rules version were recorded as
    # accepted is not judged again — only looked at for duplicates, which depend on the
    # other rows. Any other row (new, edited by anyone, or judged under other rules) is.
    # Read at call time: a rules change takes effect with its version.
    checked = tuple(checked_values(values, target))
    # The key first: matched in the fingerprint too, where SQL Server compares exactly (its
    # `=` on the key column ignores trailing spaces, and may ignore case or width).
    prints = fingerprint([carrier.c[carrier_key], *[values[name] for name in checked]])
    judged = judged_row
    joined = joined.outerjoin(judged, and_(
        judged.c.ServiceProviderId == carrier.c.ServiceProviderId,
        # The providers said again for the records: the planner does not carry the carrier's
        # provider list across the join, and would read every tenant's records.
        judged.c.ServiceProviderId.in_(list(provider_ids)),
        judged.c.SourceTable == literal(spec.table),
        judged.c.DeviceKey == carrier.c[carrier_key],
        judged.c.RulesVersion == literal(row_rules.RULES_VERSION, Integer),
        exactly(judged.c.Fingerprint) == exactly(prints)))
    accepted_before = judged.c.DeviceKey.isnot(None)
    defect = case((and_(accepted_before, ~duplicated), null()), else_=first_defect([
        *key_checks,
        *value_defects(values, target),
        (duplicated, duplicate_reason(carrier_key, spec.table)),
    ]))
    presence = [usage.c[_USAGE_PRESENT]] if spec.usage is not None else []
    known = []
    if compares_devices:
        found, devices, on = _known(target, key, provider_ids, by_key, carrier, carrier_key,
                                    values, optional,
                                    {_USAGE_PRESENT: usage.c[_USAGE_PRESENT]} if presence else {})
        joined = joined.outerjoin(devices, on)
        known = [found, devices.c.LiveRows.label(LIVE_DEVICES)]
    rows = (
        select(carrier.c.ServiceProviderId, carrier.c[carrier_key].label(key),
               *[value.label(name) for name, value in values.items()], *presence,
               defect.label("Defect"),
               # 1: judged by this sync; 0: its recorded verdict stood.
               case((accepted_before, literal(0)), else_=literal(1)).label(JUDGED_NOW),
               *known)
        .select_from(joined).where(*live)
    )
    present = select(carrier.c.ServiceProviderId, carrier.c[carrier_key].label(key)).where(*live)
    return Source(rows, present, key, tuple(values), spec.table, optional=optional,
                  key_reasons=frozenset(reason for _, reason in key_checks),
                  fingerprinted=checked, compares_devices=compares_devices)


def _known(target: Table, key: str, provider_ids: Sequence[int], by_key: bool, carrier: Table,
           carrier_key: str, values, optional, presence):
    """KNOWN (merge.Source) of each carrier row, the outer join that finds it, and the
    device's live rows there (LIVE_DEVICES: what the absent search is spared by): the
    common table grouped per device — a device held twice there cannot repeat a carrier
    row, and is always "perhaps changed" — with its one row's values (any aggregate of one
    value is that value), compared as the compare-and-update compares them
    (merge.changes)."""
    lifecycle = [name for name in ("IsDeleted", "IsActive", "FailedSyncCount")
                 if name in target.c]
    by_device = [] if by_key else [target.c.ServiceProviderId]

    def one_value(name):
        column = target.c[name]
        single = func.bool_or(column) if isinstance(column.type, Boolean) else func.min(column)
        return single.label(name)

    live = count_of(target.c.IsDeleted == false()) if "IsDeleted" in target.c else func.count()
    devices = (select(*by_device, target.c[key].label("Key"), func.count().label("Rows"),
                      live.label("LiveRows"),
                      *[one_value(name) for name in (*values, *lifecycle)])
               .where(target.c.ServiceProviderId.in_(list(provider_ids)))
               .group_by(*by_device, target.c[key])
               .subquery("known_devices"))
    on = and_(*([] if by_key else [devices.c.ServiceProviderId == carrier.c.ServiceProviderId]),
              devices.c.Key == carrier.c[carrier_key])
    changed = or_(devices.c.Rows > 1, *changes(target, devices.c, {**values, **presence},
                                                tuple(values), optional=optional,
                                                lifecycle=True))
    known = case((devices.c.Key.is_(None), null()), (changed, literal(1)),
                 else_=literal(0)).label(KNOWN)
    return known, devices, on


_USAGE_PRESENT = "UsagePresent"
_DETAIL_PRESENT = "DetailPresent"


def _status_ids(merge, integration_id: int):
    """The integration's status ids by lower-cased text (one per text), and the scalar ids
    of the statuses the merge's rules name."""
    by_text = (select(func.lower(device_status.c.Status).label("StatusText"),
                      func.min(device_status.c.id).label("StatusId"))
               .where(device_status.c.IntegrationId == integration_id)
               .group_by(func.lower(device_status.c.Status)).subquery("device_statuses"))

    def status_id(text):
        return (select(func.min(device_status.c.id))
                .where(device_status.c.IntegrationId == integration_id,
                       func.lower(device_status.c.Status) == text.lower())
                .scalar_subquery())

    named = {name: status_id(text) for name, text in (
        ("activated", merge.activated_status), ("unknown", merge.unknown_status)) if text}
    return by_text, named


def staging_source(integration: Integration, provider_ids: Sequence[int],
                   integration_id: int | None = None) -> Source:
    """Telegence's staging (the subscriber list, with the latest detail row per subscriber)
    as ``TelegenceDevice`` rows: text trimmed, dates parsed by the shared grammar, the status
    text looked up in ``DeviceStatus`` (usp_Telegence_Update_Device.sql:50; the integration's
    id is read from ``Integration``, where the legacy hard-codes 6), and the first defect of
    each row. A subscriber staged twice keeps the latest staging row; the earlier ones are
    reported. A subscriber without a detail row keeps the ICCID it has."""
    merge = integration.staging_merge
    target = carrier_tables[integration.carrier.table]
    main = staging_tables[merge.table]
    providers = list(provider_ids)
    values = {column: trimmed(main.c[staged]) for column, staged in merge.columns.items()}
    joined, optional, presence = main, {}, []
    if merge.detail_table:
        detail_table = staging_tables[merge.detail_table]
        latest = func.row_number().over(
            partition_by=(detail_table.c.ServiceProviderId, detail_table.c[merge.key]),
            order_by=_row_id(detail_table).desc())
        ranked = (select(detail_table, latest.label("DetailPosition"))
                  .where(detail_table.c.ServiceProviderId.in_(providers)).subquery("detail_ranked"))
        detail = select(ranked).where(ranked.c.DetailPosition == 1).subquery("detail")
        joined = main.outerjoin(detail, and_(detail.c[merge.key] == main.c[merge.key],
                                             detail.c.ServiceProviderId == main.c.ServiceProviderId))
        values.update({column: trimmed(detail.c[staged])
                       for column, staged in merge.detail_columns.items()})
        presence.append(detail.c.DetailPosition.label(_DETAIL_PRESENT))
        optional = {column: _DETAIL_PRESENT for column in merge.detail_columns}
    if merge.keyed_table:  # one row per key (the legacy's ROW_NUMBER took any one)
        keyed_table = staging_tables[merge.keyed_table]
        keyed = (select(keyed_table.c[merge.key],
                        *[func.max(trimmed(keyed_table.c[c])).label(c)
                          for c in merge.keyed_columns.values()])
                 .group_by(keyed_table.c[merge.key]).subquery("keyed"))
        joined = joined.outerjoin(keyed, keyed.c[merge.key] == main.c[merge.key])
        values.update({column: keyed.c[col] for column, col in merge.keyed_columns.items()})
    statuses = {}
    if merge.status_column and integration_id is not None:
        by_text, statuses = _status_ids(merge, integration_id)
        joined = joined.outerjoin(by_text, by_text.c.StatusText == func.lower(
            trimmed(main.c[merge.columns[merge.status_column]])))
        values["DeviceStatusId"] = by_text.c.StatusId
    key_text = trimmed(main.c[merge.key])
    staged = (select(_row_id(main).label("StagingId"), main.c.ServiceProviderId,
                     key_text.label(merge.key), *[v.label(n) for n, v in values.items()],
                     *presence)
              .select_from(joined).where(main.c.ServiceProviderId.in_(providers))
              .subquery("staged"))
    texts = {name: staged.c[name] for name in merge.date_columns}
    parsed = {name: try_timestamp(staged.c[name]) for name in merge.date_columns}
    repeated = (select(staged.c.ServiceProviderId, staged.c[merge.key].label("Key"),
                       func.max(staged.c.StagingId).label("Latest"))
                .where(staged.c[merge.key].isnot(None))
                .group_by(staged.c.ServiceProviderId, staged.c[merge.key])
                .having(func.count() > 1).subquery("repeated_subscribers"))
    superseded = and_(repeated.c.Latest.isnot(None), repeated.c.Latest != staged.c.StagingId)
    text_values = {n: staged.c[n] for n in values
                   if n not in merge.date_columns and n != "DeviceStatusId"}
    key_checks = key_defects("MSISDN", staged.c[merge.key], merge.table)
    defect = first_defect([
        *key_checks,
        *value_defects(text_values, target),
        *date_defects(texts, parsed),
        (superseded, f"{merge.key} staged more than once in this sync (the latest staging row "
                     "was kept)"),
    ])
    rows = select(staged.c.ServiceProviderId, staged.c[merge.key],
                  *[(parsed[n] if n in parsed else staged.c[n]).label(n) for n in values],
                  *[staged.c[name] for name in set(optional.values())],
                  defect.label("Defect")).select_from(staged.outerjoin(repeated, and_(
                      repeated.c.ServiceProviderId == staged.c.ServiceProviderId,
                      repeated.c.Key == staged.c[merge.key])))
    present = select(staged.c.ServiceProviderId, staged.c[merge.key]).where(
        staged.c[merge.key].isnot(None))
    # usp_Telegence_Update_Device never touches IsActive / IsDeleted of a matched row.
    return Source(rows, present, merge.key, tuple(values), merge.table, optional=optional,
                  lifecycle=False, statuses=statuses,
                  key_reasons=frozenset(reason for _, reason in key_checks))


def usable_keys_per_provider(conn, integration: Integration, provider_ids: Sequence[int], *,
                             staging: bool = False) -> dict[int, tuple[int, int]]:
    """(rows, rows whose key passes the key checks) per provider, of the carrier table (or,
    with ``staging``, of the staging the cleanup merges): what the procedure engine looks at
    before the legacy procedures, which cannot be told to keep absent devices (finalize.py).
    Reads the key column and the live conditions only."""
    if staging:
        merge = integration.staging_merge
        table, column, name, live = staging_tables[merge.table], merge.key, "MSISDN", []
        value = trimmed(table.c[column])
    else:
        spec = integration.carrier
        table = carrier_tables[spec.table]
        (column, name), live = spec.key, conditions(table, spec.live_when)
        value = table.c[column]
    usable = first_defect(key_defects(name, value, table.name)).is_(None)
    grouped = conn.execute(
        select(table.c.ServiceProviderId, func.count(), count_of(usable))
        .where(table.c.ServiceProviderId.in_(list(provider_ids)), *live)
        .group_by(table.c.ServiceProviderId))
    return {p: (n, good) for p, n, good in grouped}  # bounded: one row per provider


def staged_rows_per_provider(conn, integration: Integration, provider_ids: Sequence[int]) -> dict:
    """How many staging rows each provider has (a provider with none is absent)."""
    main = staging_tables[integration.staging_merge.table]
    return dict(conn.execute(
        select(main.c.ServiceProviderId, func.count())
        .where(main.c.ServiceProviderId.in_(list(provider_ids)))
        .group_by(main.c.ServiceProviderId)).all())

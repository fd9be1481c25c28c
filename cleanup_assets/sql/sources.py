"""The rows the set-based engine reads, checked: each carrier table as the device-sync step
left it (for the common tables), and Telegence's staging (which the cleanup itself merges
into ``TelegenceDevice``). Built from the registry; nothing here runs a statement."""

from __future__ import annotations

import operator
from typing import Sequence

from sqlalchemy import and_, exists, func, select
from sqlalchemy.schema import Table

from ..registry import Integration
from ..schema import COMMON_TABLES, carrier_tables, staging_tables, usage_tables
from .checks import (
    date_defects,
    duplicate_reason,
    first_defect,
    key_defects,
    value_defects,
)
from .dialect import trimmed, try_timestamp
from .merge import Source

_OPERATORS = {"=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt,
              ">=": operator.ge, "!=": operator.ne}


def conditions(table: Table, rules) -> list:
    """``{"IsDeleted": ("=", 0)}`` as SQL conditions on ``table``; values bound with the
    column's own type (a boolean on PostgreSQL, a bit on SQL Server)."""
    from sqlalchemy import bindparam

    return [_OPERATORS[op](table.c[column], bindparam(None, value, type_=table.c[column].type))
            for column, (op, value) in rules.items()]


def _row_id(table: Table):
    """A staging table's identity column (``ID`` or ``Id``): the later row is the newer."""
    (column,) = table.primary_key.columns
    return column


def common_table(integration: Integration) -> Table:
    return COMMON_TABLES[integration.family.value]


def carrier_source(integration: Integration, provider_ids: Sequence[int]) -> Source:
    """The providers' live carrier rows, mapped onto the common table's columns, with the
    first defect of each: a key that is missing or malformed, a value the common table
    cannot hold, a control character, or a device named by more than one row."""
    spec = integration.carrier
    carrier = carrier_tables[spec.table]
    target = common_table(integration)
    carrier_key, key = spec.key
    values = {common: carrier.c[column] for common, column in spec.columns.items()}
    joined = carrier
    if spec.usage is not None:
        usage = usage_tables[spec.usage.table]
        joined = carrier.outerjoin(usage, and_(*[usage.c[c] == carrier.c[c] for c in spec.usage.on]))
        values.update({common: usage.c[column] for common, column in spec.usage.columns.items()})
    live = [carrier.c.ServiceProviderId.in_(list(provider_ids)), *conditions(carrier, spec.live_when)]
    repeated = (
        select(carrier.c.ServiceProviderId, carrier.c[carrier_key].label("Key"))
        .select_from(joined).where(*live)
        .group_by(carrier.c.ServiceProviderId, carrier.c[carrier_key])
        .having(func.count() > 1)
        .subquery("repeated_keys")
    )
    duplicated = exists().where(repeated.c.ServiceProviderId == carrier.c.ServiceProviderId,
                                repeated.c.Key == carrier.c[carrier_key])
    defect = first_defect([
        *key_defects(key, carrier.c[carrier_key], spec.table),
        *value_defects(values, target),
        (duplicated, duplicate_reason(carrier_key, spec.table
                                      + (f"/{spec.usage.table}" if spec.usage else ""))),
    ])
    rows = (
        select(carrier.c.ServiceProviderId, carrier.c[carrier_key].label(key),
               *[value.label(name) for name, value in values.items()], defect.label("Defect"))
        .select_from(joined).where(*live)
    )
    present = select(carrier.c.ServiceProviderId, carrier.c[carrier_key].label(key)).where(*live)
    return Source(rows, present, key, tuple(values), spec.table)


def staging_source(integration: Integration, provider_ids: Sequence[int]) -> Source:
    """Telegence's staging (the subscriber list, with the latest detail row per subscriber)
    as ``TelegenceDevice`` rows: text trimmed, dates parsed by the shared grammar, and the
    first defect of each row. A subscriber staged twice keeps the latest staging row; the
    earlier ones are reported."""
    merge = integration.staging_merge
    target = carrier_tables[integration.carrier.table]
    main = staging_tables[merge.table]
    providers = list(provider_ids)
    values = {column: trimmed(main.c[staged]) for column, staged in merge.columns.items()}
    joined = main
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
    key_text = trimmed(main.c[merge.key])
    staged = (select(_row_id(main).label("StagingId"), main.c.ServiceProviderId,
                     key_text.label(merge.key), *[v.label(n) for n, v in values.items()])
              .select_from(joined).where(main.c.ServiceProviderId.in_(providers))
              .subquery("staged"))
    texts = {name: staged.c[name] for name in merge.date_columns}
    parsed = {name: try_timestamp(staged.c[name]) for name in merge.date_columns}
    repeated = (select(staged.c.ServiceProviderId, staged.c[merge.key].label("Key"),
                       func.max(staged.c.StagingId).label("Latest"))
                .where(staged.c[merge.key].isnot(None))
                .group_by(staged.c.ServiceProviderId, staged.c[merge.key])
                .having(func.count() > 1).subquery("repeated_subscribers"))
    superseded = exists().where(repeated.c.ServiceProviderId == staged.c.ServiceProviderId,
                                repeated.c.Key == staged.c[merge.key],
                                repeated.c.Latest != staged.c.StagingId)
    text_values = {n: staged.c[n] for n in values if n not in merge.date_columns}
    defect = first_defect([
        *key_defects("MSISDN", staged.c[merge.key], merge.table),
        *value_defects(text_values, target),
        *date_defects(texts, parsed),
        (superseded, f"{merge.key} staged more than once in this sync (the latest staging row "
                     "was kept)"),
    ])
    rows = select(staged.c.ServiceProviderId, staged.c[merge.key],
                  *[(parsed[n] if n in parsed else staged.c[n]).label(n) for n in values],
                  defect.label("Defect"))
    present = select(staged.c.ServiceProviderId, staged.c[merge.key]).where(
        staged.c[merge.key].isnot(None))
    return Source(rows, present, merge.key, tuple(values), merge.table)


def staged_rows_per_provider(conn, integration: Integration, provider_ids: Sequence[int]) -> dict:
    """How many staging rows each provider has (a provider with none is absent)."""
    main = staging_tables[integration.staging_merge.table]
    return dict(conn.execute(
        select(main.c.ServiceProviderId, func.count())
        .where(main.c.ServiceProviderId.in_(list(provider_ids)))
        .group_by(main.c.ServiceProviderId)).all())

"""The carrier's "rows to process": while any remain for a provider, its sync is still
running. Counted and cleared per service provider (the legacy did it table-wide, so one
provider's cleanup could wipe another's pending work)."""

from __future__ import annotations

import operator
from collections import Counter
from typing import Iterable

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.engine import Connection

from ..registry import Integration, RowsToProcess
from ..schema import rows_to_process_tables

_OPERATORS = {"=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt,
              ">=": operator.ge, "!=": operator.ne}
_CHUNK = 1000  # SQL Server takes at most 2,100 parameters a statement


def _pending(rule: RowsToProcess):
    table = rows_to_process_tables[rule.table]
    # Bound with the column's own type: `IsDeleted = 0` must become a boolean on PostgreSQL.
    conditions = [_OPERATORS[op](table.c[column], bindparam(None, value, type_=table.c[column].type))
                  for column, (op, value) in rule.pending_when.items()]
    return table, conditions


def count_rows_to_process(
    conn: Connection, integration: Integration, provider_ids: Iterable[int]
) -> Counter:
    """Remaining rows per provider (providers with none are absent: count 0)."""
    providers = sorted(set(provider_ids))
    counts: Counter = Counter()
    for rule in integration.rows_to_process:
        table, conditions = _pending(rule)
        for start in range(0, len(providers), _CHUNK):
            chunk = providers[start:start + _CHUNK]
            counts.update(dict(conn.execute(
                select(table.c.ServiceProviderId, func.count())
                .where(table.c.ServiceProviderId.in_(chunk), *conditions)
                .group_by(table.c.ServiceProviderId)
            ).all()))
    return counts


def clear_rows_to_process(conn: Connection, integration: Integration, provider_id: int) -> int:
    """Delete one provider's rows to process, in every table of its integration."""
    deleted = 0
    for rule in integration.rows_to_process:
        table = rows_to_process_tables[rule.table]
        deleted += conn.execute(
            delete(table).where(table.c.ServiceProviderId == provider_id)
        ).rowcount
    return deleted

"""The carrier's "rows to process": while any remain for a provider, its sync is still
running (F:629-694, cleared at F:585-627). The sync sensor counts them (notifications.py);
a forced sync's run clears them first, before its device tables (sql/finalize.py).

The legacy counts and deletes the whole table, so one provider's cleanup can wipe another's
pending work. Here rows are attributed to providers, in this order of preference, by what
the table really has (its columns are read from the database, once per process):
1. a ``ServiceProviderId`` column;
2. the registry's ``provider_key`` (e.g. ``ICCID``), matched to the provider's rows of the
   carrier table, which sits in the same database;
3. neither: the legacy whole-table rule — every provider sees the whole count and a clear
   deletes the whole table. ``whole_table`` says when that happened, so the sensor's tick
   (counting) and the run (clearing) can say so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import delete, exists, func, inspect, select
from sqlalchemy.engine import Connection

from ..db import catalog_queries
from ..registry import Integration, RowsToProcess
from ..schema import carrier_tables, rows_to_process_tables, staging_tables
from .sources import conditions

_CHUNK = 1000  # SQL Server takes at most 2,100 parameters a statement


@dataclass
class RowCounts:
    per_provider: Counter = field(default_factory=Counter)
    whole_table: list[str] = field(default_factory=list)  # tables counted by the legacy rule


_seen_columns: dict[tuple[str, str], frozenset[str]] = {}


def table_columns(conn: Connection, table_name: str, schema: str | None) -> frozenset[str]:
    """The columns a table really has in the database behind ``conn`` (cached per process:
    a table's shape does not change under a running code location)."""
    key = (conn.engine.url.render_as_string(hide_password=True), table_name)
    if key not in _seen_columns:
        effective = (conn.get_execution_options().get("schema_translate_map") or {}).get(
            schema, schema)
        with catalog_queries(conn):
            _seen_columns[key] = frozenset(
                c["name"] for c in inspect(conn).get_columns(table_name, schema=effective))
    return _seen_columns[key]


def forget_table_columns() -> None:
    """Tests that reshape a table call this."""
    _seen_columns.clear()


def _attribution(conn: Connection, integration: Integration, rule: RowsToProcess):
    """('provider', None) | ('key', carrier table) | ('whole', None) for one table."""
    table = rows_to_process_tables[rule.table]
    present = table_columns(conn, table.name, table.schema)
    if "ServiceProviderId" in present:
        return "provider", None
    carrier = carrier_tables[integration.carrier.table]
    if rule.provider_key and rule.provider_key in present and rule.provider_key in carrier.c:
        return "key", carrier
    return "whole", None


def count_rows_to_process(conn: Connection, integration: Integration,
                          provider_ids: Iterable[int]) -> RowCounts:
    """Remaining rows per provider (providers with none are absent: count 0)."""
    providers = sorted(set(provider_ids))
    counts = RowCounts()
    for rule in integration.rows_to_process:
        table = rows_to_process_tables[rule.table]
        pending = conditions(table, rule.pending_when)
        how, carrier = _attribution(conn, integration, rule)
        if how == "whole":
            total = conn.execute(select(func.count()).select_from(table).where(*pending)).scalar()
            if total:
                counts.per_provider.update({p: total for p in providers})
            counts.whole_table.append(rule.table)
            continue
        for start in range(0, len(providers), _CHUNK):
            chunk = providers[start:start + _CHUNK]
            if how == "provider":
                query = (select(table.c.ServiceProviderId, func.count())
                         .where(table.c.ServiceProviderId.in_(chunk), *pending)
                         .group_by(table.c.ServiceProviderId))
            else:  # through the carrier table's rows of each provider
                key = rule.provider_key
                owners = (select(carrier.c.ServiceProviderId, carrier.c[key])
                          .where(carrier.c.ServiceProviderId.in_(chunk)).distinct()
                          .subquery("owners"))
                query = (select(owners.c.ServiceProviderId, func.count())
                         .select_from(table.join(owners, owners.c[key] == table.c[key]))
                         .where(*pending).group_by(owners.c.ServiceProviderId))
            counts.per_provider.update(dict(conn.execute(query).all()))
    return counts


@dataclass
class Cleared:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows deleted
    whole_table: list[str] = field(default_factory=list)  # tables cleared by the legacy rule


def clear_rows_to_process(conn: Connection, integration: Integration,
                          provider_id: int) -> Cleared:
    """Delete one provider's rows to process in every table of its integration (all its
    rows, as the legacy deletes without the pending condition, F:585-627): how many each
    table lost, and the tables that could only be cleared whole (the legacy rule)."""
    cleared = Cleared()
    for rule in integration.rows_to_process:
        table = rows_to_process_tables[rule.table]
        how, carrier = _attribution(conn, integration, rule)
        if how == "provider":
            statement = delete(table).where(table.c.ServiceProviderId == provider_id)
        elif how == "key":
            key = rule.provider_key
            statement = delete(table).where(exists().where(
                carrier.c.ServiceProviderId == provider_id, carrier.c[key] == table.c[key]))
        else:
            statement = delete(table)
            cleared.whole_table.append(rule.table)
        cleared.rows[rule.table] = conn.execute(statement).rowcount
    return cleared


def staging_has_rows(conn: Connection, table_name: str, provider_id: int) -> bool:
    """Whether a staging table holds rows of the provider (of anyone, when the table has no
    ``ServiceProviderId``: the legacy counts ``TelegenceDeviceStaging`` whole, F:696-728)."""
    table = staging_tables[table_name]
    where = ([table.c.ServiceProviderId == provider_id]
             if "ServiceProviderId" in table_columns(conn, table.name, table.schema) else [])
    return bool(conn.execute(select(func.count()).select_from(table).where(*where)).scalar())

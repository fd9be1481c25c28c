"""Which ``Integration.id`` is which carrier integration — one home for the mapping.

The legacy compiles it in: the SQS attribute ``IntegrationType`` is cast to its C# enum
(AltaworxJasperGetDevicesCleanup.cs:85) and ``Integration (id, Name)`` holds the same ids
with a display name for email subjects (IntegrationTypeRepository.cs:23). The enum's values
are not public (only Telegence = 6 and Teal = 12 appear, in procedures), so this location
never writes an id down: a deployment that knows the enum states it in
``CLEANUP_INTEGRATION_IDS`` (``Jasper=1,ThingSpace=3,…``, legacy enum names); otherwise each
integration is the ``Integration`` row whose Name is its enum name, ignoring case, spaces
and punctuation ("T-Mobile Jasper" is TMobileJasper). A name that matches nothing fails
loudly, naming the variable that fixes it.
"""

from __future__ import annotations

import os
import re
from typing import Mapping

from sqlalchemy import select
from sqlalchemy.engine import Connection

from .registry import INTEGRATIONS, Integration, by_legacy_name
from .schema import integration as integration_table

VARIABLE = "CLEANUP_INTEGRATION_IDS"


class UnknownIntegration(LookupError):
    """An integration this location cannot place in the Integration table."""


def _normalized(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


def parse_configured(text: str) -> dict[str, int]:
    """``Jasper=1, ThingSpace=3`` → {partition key: id}; a clear error for anything else."""
    found: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        try:
            integration = by_legacy_name(name.strip())
        except ValueError:
            raise ValueError(f"{VARIABLE}: {name.strip()!r} is not a legacy integration name "
                             f"({', '.join(i.legacy_name for i in INTEGRATIONS.values())})") from None
        if not value.strip().isascii() or not value.strip().isdigit():
            raise ValueError(f"{VARIABLE}: the id of {integration.legacy_name} is not a number")
        found[integration.key] = int(value)
    if len(set(found.values())) != len(found):
        raise ValueError(f"{VARIABLE}: two integrations share an id")
    return found


def integration_ids(conn: Connection, configured: str | None = None) -> dict[str, int]:
    """{partition key: Integration.id} for every integration this location can place."""
    if configured is None:
        # Read here as Settings.raw reads it (stripped, empty is unset): settings.py checks
        # this variable with parse_configured, so it imports this module, not the reverse.
        configured = (os.environ.get(VARIABLE) or "").strip() or None
    if configured:
        return parse_configured(configured)
    by_name = {_normalized(i.legacy_name): i.key for i in INTEGRATIONS.values()}
    ids: dict[str, int] = {}
    rows = conn.execute(select(integration_table.c.id, integration_table.c.Name)).all()
    for row in rows:  # bounded: the Integration table (a dozen rows)
        key = by_name.get(_normalized(row.Name or ""))
        if key is not None:
            ids.setdefault(key, row.id)
    return ids


def integration_id(conn: Connection, integration: Integration) -> int:
    found = integration_ids(conn).get(integration.key)
    if found is None:
        raise UnknownIntegration(
            f"no Integration row is named {integration.legacy_name!r} (ignoring case and "
            f"punctuation): state the legacy enum's ids in {VARIABLE}, e.g. "
            f"'{integration.legacy_name}=<id>'")
    return found


def integration_by_id(ids: Mapping[str, int]) -> dict[int, Integration]:
    return {value: INTEGRATIONS[key] for key, value in ids.items()}

"""The legacy finalize procedures, for SQL Server deployments that keep them.

With ``use_legacy_procedures`` the carrier and common steps call these instead of our
set-based SQL (validation still runs and records rejects, but the procedures read staging
themselves). The carrier procedures take no parameters in the legacy calls we know of; the
common ones take ``@IntegrationId``.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import TextClause

from ..registry import Integration

_PROCEDURE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _exec(name: str, with_integration_id: bool = False) -> TextClause:
    # Procedure names come from the registry, never from input; checked anyway because
    # they cannot be bound parameters.
    if not _PROCEDURE_NAME.match(name):
        raise ValueError(f"not a procedure name: {name!r}")
    if with_integration_id:
        return text(f"EXEC [dbo].[{name}] @IntegrationId = :integration_id")
    return text(f"EXEC [dbo].[{name}]")


def legacy_statements(integration: Integration, *, staging_has_rows: bool) -> list[TextClause]:
    """The EXEC statements for one integration, in the legacy order."""
    statements = [
        _exec(procedure.name)
        for procedure in integration.legacy_procedures
        if staging_has_rows or not procedure.only_when_staging_has_rows
    ]
    statements.append(_exec(integration.common_procedure, with_integration_id=True))
    return statements


def run_legacy_procedures(
    conn: Connection, integration: Integration, integration_id: int, *, staging_has_rows: bool
) -> list[str]:
    """Execute the legacy procedures; returns the statements run (for metadata)."""
    statements = legacy_statements(integration, staging_has_rows=staging_has_rows)
    for statement in statements:  # a handful of procedures, not devices
        bound = {"integration_id": integration_id} if "integration_id" in statement.compile().params else {}
        conn.execute(statement, bound)
    return [str(s) for s in statements]

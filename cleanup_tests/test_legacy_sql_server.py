"""The SQL Server path: the legacy procedures and the schema rules, compiled with the mssql
dialect (no server needed)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import create_engine
from sqlalchemy.dialects import mssql

from cleanup_assets.registry import INTEGRATIONS
from cleanup_assets.schema import create_schema, own_tables_ddl
from cleanup_assets.sql.legacy import legacy_statements
from cleanup_assets.sql.staging import validated_staging


def compiled(statement) -> str:
    return str(statement.compile(dialect=mssql.dialect()))


def test_the_jasper_family_calls_its_procedure_then_the_m2m_common_one():
    for key in ("jasper", "pod19", "tmobile_jasper", "rogers"):
        statements = [compiled(s) for s in legacy_statements(INTEGRATIONS[key], staging_has_rows=True)]
        assert statements == [
            "EXEC [dbo].[usp_Jasper_DeviceSync]",
            "EXEC [dbo].[usp_DeviceSync_Common] @IntegrationId = :integration_id",
        ]


def test_telegence_updates_devices_only_when_staging_has_rows_and_ends_with_mobility_common():
    with_rows = [compiled(s) for s in legacy_statements(INTEGRATIONS["telegence"], staging_has_rows=True)]
    without = [compiled(s) for s in legacy_statements(INTEGRATIONS["telegence"], staging_has_rows=False)]

    assert with_rows[0] == "EXEC [dbo].[usp_Telegence_Update_Device]"
    assert "EXEC [dbo].[usp_Telegence_Update_Device]" not in without
    assert len(with_rows) == len(without) + 1 == 7
    assert without[-1] == "EXEC [dbo].[usp_MobilityDeviceSync_Common] @IntegrationId = :integration_id"


def test_the_integration_id_is_a_bound_parameter():
    statement = legacy_statements(INTEGRATIONS["thingspace"], staging_has_rows=True)[-1]
    compiled_statement = statement.compile(dialect=mssql.dialect())
    assert "integration_id" in compiled_statement.params
    assert "?" in str(statement.compile(dialect=mssql.dialect(paramstyle="qmark")))


def test_validation_compiles_for_sql_server_with_its_own_functions():
    sql = compiled(validated_staging(INTEGRATIONS["telegence"], [1, 2]))
    assert "TRY_CONVERT(datetimeoffset" in sql
    assert "LIKE '%[^0-9]%'" in sql
    assert "LEN(" in sql
    assert "row_number() over" in sql.lower()


def test_nothing_is_created_on_sql_server_and_the_ddl_is_offered_instead():
    engine = create_engine("mssql+pyodbc://user:secret@sqlserver.invalid/db?driver=x")

    with pytest.raises(RuntimeError, match="refusing to create tables on SQL Server") as error:
        create_schema(engine)
    assert "secret" not in str(error.value)
    ddl = own_tables_ddl("mssql")
    assert "CREATE TABLE [CleanupDeviceSync]" in ddl and "IDENTITY" in ddl
    assert "CREATE TABLE [Device]" not in ddl


def test_pyodbc_is_importable_for_sql_server_deployments():
    import pyodbc  # noqa: F401  (fails without unixODBC's libodbc.so.2)


def test_the_embedded_default_never_imports_pyodbc(tmp_path):
    code = (
        "import sys, cleanup_assets.definitions, cleanup_assets.cli;"
        "from cleanup_assets.db import make_engine; from cleanup_assets.schema import create_schema;"
        "create_schema(make_engine());"
        "assert 'pyodbc' not in sys.modules, 'pyodbc was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True,
                   env={"CLEANUP_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})

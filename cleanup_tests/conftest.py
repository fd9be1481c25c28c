"""Shared fixtures: a real database per backend (an SQLite file, and a fresh database on the
PostgreSQL server at 127.0.0.1:5432), and a real Dagster instance."""

from __future__ import annotations

import os
import uuid

import dagster as dg
import pytest
from sqlalchemy import create_engine, text

from cleanup_assets.db import make_engine
from cleanup_assets.schema import create_schema, metadata

PG_ADMIN_URL = os.environ.get(
    "CLEANUP_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(autouse=True)
def cleanup_home(tmp_path, monkeypatch):
    """Every test gets its own local home: the outboxes of one never leak into another."""
    home = tmp_path / "cleanup_home"
    monkeypatch.setenv("CLEANUP_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def pg_database_url():
    """A throwaway PostgreSQL database for this test session, dropped at the end."""
    name = f"cleanup_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # say what is missing instead of a long traceback
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is not usable ({error}); run scripts/services")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """An empty database with the schema created, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cleanup.db'}"
    else:
        url = request.getfixturevalue("pg_database_url")
        engine = make_engine(url)
        metadata.drop_all(engine)
        engine.dispose()
    engine = make_engine(url)
    create_schema(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture(scope="session")
def moto_endpoint():
    """A moto server over HTTP (SQS, SES, S3) for the whole session."""
    from moto.server import ThreadedMotoServer

    from .servers import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)

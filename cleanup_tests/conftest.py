"""Shared fixtures: a real database per backend (an SQLite file, and a database on the
PostgreSQL server at 127.0.0.1:5432 whose schema is created once per session and emptied
between tests), a real Dagster instance, an SMTP server, and the golden files."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import create_engine, delete, exists, literal, select, text, union_all

from cleanup_assets.db import Databases, connect_databases
from cleanup_assets.schema import create_schema, metadata

from .pg import PG_ADMIN_URL, drop_database, wait_for_drops
from .servers import SmtpServer, free_port



@pytest.fixture(autouse=True)
def cleanup_home(tmp_path, monkeypatch):
    """Every test gets its own local home: the outboxes of one never leak into another."""
    home = tmp_path / "cleanup_home"
    monkeypatch.setenv("CLEANUP_HOME", str(home))
    return home


def create_pg_database(prefix: str = "cleanup_test") -> str:
    """A new, empty database on the server; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # A throwaway database: a commit need not wait for its WAL to reach the disk
            # (the server is shared; a crash loses nothing a test needs afterwards). Same
            # statements, same transactions, same results: only the flush is not awaited.
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as error:  # say what is missing instead of a long traceback
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is not usable ({error}); run scripts/services")
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    drop_database(url.rsplit("/", 1)[1])  # in the background (pg.py)


def pytest_sessionfinish(session, exitstatus):
    wait_for_drops()


@pytest.fixture(scope="session")
def pg_database_url():
    """A throwaway PostgreSQL database with the schema, for this test session."""
    url = create_pg_database()
    databases = connect_databases(url)
    create_schema(databases)
    databases.dispose()
    yield url
    drop_pg_database(url)


def empty_tables(databases: Databases) -> None:
    """Every table emptied and its identities restarted, far cheaper than dropping and
    creating the schema: the tables holding rows are found in one query and their rows
    deleted (children first), then every sequence used since its start is set back to it.
    (A TRUNCATE of all 44 tables took the server 140-160 ms — a new file for each table and
    index — where a test fills about ten; this takes 12-17 ms.)"""
    tables = metadata.sorted_tables
    holding_rows = union_all(*[select(literal(n)).where(exists(select(literal(1)).select_from(t)))
                               for n, t in enumerate(tables)])
    with databases.central.begin() as conn:
        full = set(conn.execute(holding_rows).scalars())
        for n in sorted(full, reverse=True):
            conn.execute(delete(tables[n]))
        conn.execute(text(
            "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, "
            "false) FROM pg_sequences WHERE schemaname = current_schema() "
            "AND last_value IS NOT NULL"))


ALL_BACKENDS = ("sqlite", "postgresql")


def pytest_collection_modifyitems(config, items):
    """The tests that start real processes first: under pytest-xdist they then run beside
    the quick ones instead of after them."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_generate_tests(metafunc):
    """``database_url`` runs a test on both databases — unless its module says otherwise
    (``BACKENDS = ("sqlite",)``: the Dagster shell is dialect-free, the SQL is covered on
    both in the finalize tests), the test names its own (``@pytest.mark.backends(...)``), or
    it parametrizes ``database_url`` itself."""
    if "database_url" not in metafunc.fixturenames:
        return
    if any(m.name == "parametrize" and "database_url" in str(m.args[0])
           for m in metafunc.definition.iter_markers()):
        return
    marker = metafunc.definition.get_closest_marker("backends")
    backends = marker.args if marker else getattr(metafunc.module, "BACKENDS", ALL_BACKENDS)
    metafunc.parametrize("database_url", [
        pytest.param(b, marks=pytest.mark.postgres) if b == "postgresql" else b
        for b in backends], indirect=True)


@pytest.fixture
def database_url(request, tmp_path):
    """An empty database with the schema created, on the backend the test asks for."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'cleanup.db'}"
        databases = connect_databases(url)
        create_schema(databases)
    else:
        url = request.getfixturevalue("pg_database_url")
        databases = connect_databases(url)
        empty_tables(databases)
    databases.dispose()
    return url


@pytest.fixture
def databases(database_url):
    databases = connect_databases(database_url)
    yield databases
    databases.dispose()


@pytest.fixture
def engine(databases):
    """The central database (it reaches the Jasper tables: one database here)."""
    return databases.central


@pytest.fixture
def instance(request, tmp_path):
    """A Dagster instance for the test. In memory (its runs, events and partitions), unless
    the test is marked ``stored_instance``: a sensor evaluated as the daemon does hands the
    instance on by reference, which only a stored one has. In memory, a job executed in
    process costs half the CPU (no event written to an SQLite file and indexed)."""
    if request.node.get_closest_marker("stored_instance") is not None:
        with dg.instance_for_test() as instance:
            yield instance
        return
    with dg.DagsterInstance.ephemeral(tempdir=str(tmp_path / "dagster")) as instance:
        yield instance


@pytest.fixture(scope="session")
def moto_endpoint():
    """A moto server over HTTP (SQS, SES, S3) for the whole session."""
    from moto.server import ThreadedMotoServer

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


@pytest.fixture
def smtp():
    """An SMTP server (aiosmtpd) on 127.0.0.1 keeping every message it receives."""
    with SmtpServer() as server:
        yield server


# --- golden files ----------------------------------------------------------------------------
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_GOLDEN = "CLEANUP_UPDATE_GOLDEN"
_PLACEHOLDER = re.compile(rb"\$\{(\w+)\}")


class Golden:
    """Expected outputs kept in cleanup_tests/golden/ and compared byte for byte. A golden
    file names what only the run knows (a new row's id, today's date) as ``${name}``; the
    test passes those values. With CLEANUP_UPDATE_GOLDEN=1 a check writes what the test
    produced instead, those values written back as ``${name}`` — review the diff."""

    def expected(self, name: str, **values) -> bytes:
        path = GOLDEN / name
        assert path.exists(), f"no golden file {name}: {UPDATE_GOLDEN}=1 writes it"
        given = {key: str(value).encode() for key, value in values.items()}
        return _PLACEHOLDER.sub(lambda m: given[m.group(1).decode()], path.read_bytes())

    def check(self, name: str, actual: bytes | str, **values) -> None:
        if isinstance(actual, str):
            actual = actual.encode()
        if os.environ.get(UPDATE_GOLDEN) == "1" and not self._holds(name, actual, values):
            self._write(name, actual, values)
        assert actual == self.expected(name, **values), (
            f"differs from golden/{name} ({UPDATE_GOLDEN}=1 rewrites it)")

    def check_mail(self, name: str, mail, **values) -> None:
        """An email as its recipient reads it: subject, sender, recipients, text and HTML."""
        self.check(name, "\n".join([
            f"Subject: {mail['Subject']}", f"From: {mail['From']}", f"To: {mail['To']}", "",
            "--- text/plain", mail.get_body(("plain",)).get_content(),
            "--- text/html", mail.get_body(("html",)).get_content()]) + "\n", **values)

    def _holds(self, name: str, actual: bytes, values: dict) -> bool:
        try:
            return self.expected(name, **values) == actual
        except (AssertionError, KeyError):  # no file yet, or a value it names is not given
            return False

    @staticmethod
    def _write(name: str, actual: bytes, values: dict) -> None:
        named: dict[bytes, str] = {}
        for key, value in values.items():
            if str(value):
                same = named.setdefault(str(value).encode(), key)
                assert same == key, (f"golden/{name}: ${{{same}}} and ${{{key}}} have the "
                                     f"same value ({value}) in this run; rewrite it by hand")
        template = actual
        if named:  # each value where it stands alone, the longest first
            choices = b"|".join(re.escape(v) for v in sorted(named, key=len, reverse=True))
            pattern = re.compile(rb"(?<![0-9A-Za-z])(" + choices + rb")(?![0-9A-Za-z])")
            template = pattern.sub(lambda m: b"${%s}" % named[m.group(1)].encode(), actual)
        path = GOLDEN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(template)


@pytest.fixture
def golden() -> Golden:
    return Golden()

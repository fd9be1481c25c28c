"""The row rules: what makes a carrier device row unusable, as SQL expressions. (Not
Dagster asset checks, which judge a finalized partition: those live in ``defs/``.)

A row with a defect is never mirrored and never lost: it goes to ``CleanupRejectedRow``
with the first defect found, and the device it names keeps its last state (it is not
deleted either). A carrier row is judged once: its verdict depends only on its own values
and these rules (duplicates aside, which are looked for every sync), so a row whose
``fingerprint`` and ``RULES_VERSION`` were recorded as accepted (``CleanupJudgedRow``) is
not judged again — a change of these rules changes ``RULES_VERSION`` and judges every row at
the next sync; ``RULES_VERSION`` is recorded on each sync so that reports say which rules
judged it.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from typing import Iterable, Mapping, Sequence

from sqlalchemy import Integer, String, Text, and_, case, cast, func, literal, null
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.schema import Table

from .dialect import before_datetime_range, has_non_digit, text_length

# 2: carrier rows are checked (not staging), control characters and NUL refused,
#    duplicates keep their device's last state.
# 3: ASCII digits only in IMSI, MSISDN, IMEI; dates before 1753 refused (SQL Server datetime).
RULES_VERSION = 3

# A device's identity, by the common column it fills: (digits only, allowed lengths).
KEY_FORMATS: Mapping[str, tuple[int, int, str]] = {
    "ICCID": (19, 20, "ITU-T E.118"),
    "MSISDN": (1, 15, "E.164"),
    "EID": (32, 32, "GSMA SGP.02"),
}


class has_control_character(FunctionElement):
    """True where text holds a control character (U+0000-U+001F, U+007F), NUL included.

    NUL needs its own test on SQLite, whose text functions (GLOB, length) stop at the first
    NUL: '…0016\\x00junk' would pass as 19 digits. PostgreSQL text cannot hold NUL."""

    type = String()
    inherit_cache = True
    name = "has_control_character"


@compiles(has_control_character, "sqlite")
def _control_sqlite(element, compiler, **kw):
    (arg,) = list(element.clauses)
    v = compiler.process(arg, **kw)
    return (f"(instr(CAST({v} AS BLOB), x'00') > 0 "
            f"OR {v} GLOB '*[' || char(1) || '-' || char(31) || char(127) || ']*')")


@compiles(has_control_character, "postgresql")
def _control_pg(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"({compiler.process(arg, **kw)} ~ '[\\x01-\\x1f\\x7f]')"


@compiles(has_control_character, "mssql")
def _control_mssql(element, compiler, **kw):
    (arg,) = list(element.clauses)
    v = f"({compiler.process(arg, **kw)} COLLATE Latin1_General_BIN2)"
    return (f"(CHARINDEX(CHAR(0) COLLATE Latin1_General_BIN2, {v}) > 0 "
            f"OR {v} LIKE '%[' + CHAR(1) + '-' + CHAR(31) + CHAR(127) + ']%')")


def key_defects(name: str, value: ColumnElement, source: str) -> list[tuple[ColumnElement, str]]:
    """The identity checks for a key column (``name`` is the common column it fills)."""
    low, high, standard = KEY_FORMATS[name]
    length = f"{low}" if low == high else f"{low}-{high}"
    return [
        (value.is_(None), f"missing {name} in {source}"),
        (has_control_character(value), f"{name} has a control character"),
        (has_non_digit(value), f"{name} has a non-digit character"),
        (~text_length(value).between(low, high), f"{name} is not {length} digits ({standard})"),
    ]


# Identifiers that are digits by their standard (E.212, E.164, the IMEI's TAC + serial): a
# value such as "=1+2" is data corruption, and would become a live formula in a report.
DIGIT_COLUMNS = frozenset({"IMSI", "MSISDN", "IMEI", "ICCID", "EID"})


def value_defects(values: Mapping[str, ColumnElement], target: Table) -> list:
    """Text too long for the target column, holding control characters, or an identifier
    that is not digits."""
    defects = []
    for name, value in checked_values(values, target).items():
        length = getattr(target.c[name].type, "length", None)
        defects.append((has_control_character(value), f"{name} has a control character"))
        if name in DIGIT_COLUMNS:
            defects.append((has_non_digit(value), f"{name} has a non-digit character"))
        if length:
            defects.append((text_length(value) > length,
                            f"{name} longer than {length} characters"))
    return defects


def first_defect(defects: Iterable[tuple[ColumnElement, str]]) -> ColumnElement:
    """The reason of the first defect found, else NULL."""
    whens = list(defects)
    return case(*whens, else_=null()) if whens else null()


# The legacy date columns are SQL Server ``datetime`` (our schema's DateTime), which starts
# at 1753-01-01: an earlier date would fail the whole statement there. One rule everywhere.
def date_defects(texts: Mapping[str, ColumnElement],
                 parsed: Mapping[str, ColumnElement]) -> list:
    """A date given as text that the grammar does not accept, or that a ``datetime`` column
    cannot hold."""
    found = []
    for name in texts:
        found.append((and_(texts[name].isnot(None), parsed[name].is_(None)),
                      f"{name} is not a valid date"))
        found.append((before_datetime_range(parsed[name]),
                      f"{name} is before 1753-01-01 (SQL Server datetime)"))
    return found


def duplicate_reason(key: str, table: str) -> str:
    return (f"{key} appears in more than one row of {table}: the device keeps its last state "
            "until the carrier's data names it once")


def count_of(expr) -> ColumnElement:
    """COUNT of the rows where ``expr`` holds (portable: no FILTER clause)."""
    return func.count(case((expr, 1)), type_=Integer)


# Fingerprints (CleanupJudgedRow): on PostgreSQL and SQL Server each value as 'v' + its
# text, or 'n' for NULL, each followed by U+001F. A value the checks accepted holds no
# control character, so an accepted row's fingerprint has exactly one separator between
# values: no other row's — whatever control characters or NULs it holds — can be equal to
# it. On SQLite a JSON array of the values as text (``_fingerprint_sqlite``: exact by JSON's
# escaping, and cheaper there; the two forms never meet: a database keeps its own records,
# and a record of the other form — '[' against 'v'/'n' first — only makes its row judged
# once more). The text itself, not a hash: exact (no collision to argue about), SQLite has
# no hash function, and cheaper to compute than one (md5 of the values cost more than the
# checks on PostgreSQL).
FINGERPRINT_SEPARATOR = "\x1f"


def checked_values(values: Mapping[str, ColumnElement], target: Table) -> dict:
    """The values ``value_defects`` reads (the text ones): what a fingerprint covers."""
    return {name: value for name, value in values.items()
            if isinstance(target.c[name].type, String)}


def fingerprint(values: Sequence[ColumnElement]) -> ColumnElement:
    """The key and the values the checks read of a row (``checked_values``), as one text
    that only the same values (NULL told from any text) give."""
    return _fingerprint(*values)


class _fingerprint(FunctionElement):
    type = String()
    inherit_cache = True
    name = "cleanup_fingerprint"


@compiles(_fingerprint)
def _fingerprint_text(element, compiler, **kw):
    """Each value as 'v' + text or 'n' for NULL, followed by the separator — so the text
    never ends in a space: SQL Server's ``=`` ignores trailing spaces, and a value grown by
    one could then match the record of the shorter one. (PostgreSQL: the cheapest form
    measured over 1M rows — a row's text cost 1.7×, json_build_array 2.6×.)"""
    text = literal("", String)
    for value in element.clauses:
        text = (text + func.coalesce(literal("v", String) + value, literal("n", String))
                + literal(FINGERPRINT_SEPARATOR, String))
    return compiler.process(text, **kw)


@compiles(_fingerprint, "sqlite")
def _fingerprint_sqlite(element, compiler, **kw):
    """SQLite: a JSON array of the values as text — one function call instead of a dozen
    concatenations (a 1M-row resync: 0.77 s → 0.3 s; docs/performance.md). JSON escapes
    every character that could run two values together (quotes, backslash, control
    characters, NUL — which SQLite's text functions otherwise stop at), and NULL is
    ``null``, never the text "null" (``"null"``). The CAST keeps a BLOB in a text column
    (SQLite lets another writer store one) from failing the statement: its bytes are read
    as text, as the concatenation did. Where SQLite lacks JSON (before 3.38 without
    JSON1), the concatenation."""
    if not _sqlite_has_json():
        return _fingerprint_text(element, compiler, **kw)
    texts = [compiler.process(cast(value, Text), **kw) for value in element.clauses]
    return f"json_array({', '.join(texts)})"


@functools.cache
def _sqlite_has_json() -> bool:
    with contextlib.closing(sqlite3.connect(":memory:")) as probe:
        try:
            probe.execute("SELECT json_array('')")
        except sqlite3.OperationalError:
            return False
    return True


class exactly(FunctionElement):
    """Text compared code point by code point: on SQL Server in a binary collation (the
    database's may ignore case, accents or width — a full-width digit equal to an ASCII
    one — which the checks do not); elsewhere text compares so already."""

    type = String()
    inherit_cache = True
    name = "exactly"


@compiles(exactly)
def _exactly(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return compiler.process(arg, **kw)


@compiles(exactly, "mssql")
def _exactly_mssql(element, compiler, **kw):
    (arg,) = list(element.clauses)
    return f"(({compiler.process(arg, **kw)}) COLLATE Latin1_General_BIN2)"

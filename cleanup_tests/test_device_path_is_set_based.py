"""The device path works inside the database: a lint of its modules (not a word search).

The device path — both engines and the finalize step (``cleanup_assets/sql``,
``cleanup_assets/defs/device_sync``) — must not import pandas and must not iterate in Python
over rows a statement returned: a loop (or comprehension) whose iterable is a database
result, or a name bound to one, is refused. A loop over a bounded result (a handful of
providers, plans, summary rows) says so with ``# bounded: <why>`` on its line.
(Speed itself is shown by the benchmark, not asserted here.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import cleanup_assets

PACKAGE = Path(cleanup_assets.__file__).parent
DEVICE_PATH = [PACKAGE / "sql", PACKAGE / "defs" / "device_sync"]
RESULT_METHODS = {"execute", "scalars", "mappings", "all", "fetchall", "fetchmany", "partitions",
                  "yield_per", "iterrows", "itertuples", "read_sql"}


def _returns_rows(node: ast.AST, bound: set[str]) -> bool:
    """Whether an expression is (or is built from) a database result."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) \
                and sub.func.attr in RESULT_METHODS:
            return True
        if isinstance(sub, ast.Name) and sub.id in bound:
            return True
    return False


def lint(source: str, filename: str) -> list[str]:
    """Findings for one module: pandas imports and loops over database results."""
    tree = ast.parse(source)
    lines = source.splitlines()
    findings = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
            if any(n.split(".")[0] == "pandas" for n in names):
                findings.append(f"{filename}:{node.lineno}: imports pandas")
    for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
        bound: set[str] = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and _returns_rows(node.value, bound):
                bound |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        for node in ast.walk(function):
            loops = ([(node.iter, node.lineno)] if isinstance(node, ast.For) else
                     [(g.iter, node.lineno) for g in getattr(node, "generators", [])])
            for iterable, line in loops:
                if _returns_rows(iterable, bound) and "# bounded:" not in lines[line - 1]:
                    findings.append(f"{filename}:{line}: a Python loop over database rows: "
                                    f"{ast.unparse(iterable)[:80]}")
    return sorted(set(findings))


def test_the_device_path_has_no_pandas_and_no_loop_over_rows():
    findings = []
    for folder in DEVICE_PATH:
        for module in sorted(folder.rglob("*.py")):
            findings += lint(module.read_text(), str(module.relative_to(PACKAGE)))
    assert findings == []


def test_the_lint_catches_a_loop_over_rows_and_pandas():
    bad = (
        "import pandas as pd\n"
        "def f(conn, q):\n"
        "    result = conn.execute(q)\n"
        "    for row in result:\n"
        "        conn.execute(q, row)\n"
        "    return [r.id for r in conn.execute(q).all()]\n"
    )
    found = lint(bad, "bad.py")
    assert [f.split(": ", 1)[1].split(":")[0] for f in found] == [
        "imports pandas", "a Python loop over database rows", "a Python loop over database rows"]
    assert lint("def f(conn, q):\n    for p in [1, 2]:\n        conn.execute(q)\n", "ok.py") == []
    marked = "def f(c, q):\n    return [r for r in c.execute(q)]  # bounded: providers\n"
    assert lint(marked, "ok.py") == []

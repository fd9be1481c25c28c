"""The device path works inside the database: no Python loop over device rows and no whole
table in pandas. (Speed itself is shown by the benchmark, not asserted here.)"""

from __future__ import annotations

import ast
from pathlib import Path

import cleanup_assets

PACKAGE = Path(cleanup_assets.__file__).parent
DEVICE_PATH = [PACKAGE / "sql", PACKAGE / "defs"]


def _modules():
    for folder in DEVICE_PATH:
        yield from sorted(folder.rglob("*.py"))


def test_the_device_path_never_imports_pandas():
    for module in _modules():
        tree = ast.parse(module.read_text())
        imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, (ast.Import, ast.ImportFrom))
                    for alias in getattr(node, "names", [])}
        imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module}
        assert "pandas" not in imported, module


def test_the_device_path_never_iterates_over_fetched_rows():
    for module in _modules():
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.For, ast.comprehension)):
                source = ast.unparse(node.iter)
                assert not any(word in source for word in
                               ("fetchall", "fetchmany", "iterrows", "itertuples", ".all()")), (
                    f"{module.name}: loop over {source}")

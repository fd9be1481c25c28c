"""The layout shows the architecture: every import of the code location runs down its layers
(docs/architecture.md, *Layers*). Read from the source's own import statements, module-level
and in-function alike; nothing is imported."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cleanup_assets"
TOOLING = "cleanup_assets.tooling"
# What an in-function import may load: an extra of pyproject.toml that the embedded default
# does not install (and that a module-level import would make required) — and dagster-aws,
# installed always but imported where a bucket is configured only: its package imports
# every AWS component it has, 0.7 CPU-s in each process that never touches S3
# (definitions._s3).
OPTIONAL = {"pandas", "snowflake", "dagster_snowflake", "dagster_celery", "dagster_aws"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path):
    """(imported module of ours or top-level name, whether inside a function) per import."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    inside = {id(node) for function in ast.walk(tree)
              if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
              for node in ast.walk(function)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            for alias in node.names:
                full = f"{target}.{alias.name}"
                yield (full if full in MODULES else target), id(node) in inside
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in inside


def _ours(target: str) -> str | None:
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _graph(unit) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        for target, _ in _imports(name, path):
            ours = _ours(target)
            if ours is not None and unit(ours) != unit(name):
                edges.setdefault(unit(name), set()).add(unit(ours))
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(set(edges) | {n for targets in edges.values() for n in targets}):
        if node not in index:
            visit(node)
    return found


def _folder(name: str) -> str:
    """A module's room: a subpackage of cleanup_assets (sql, defs, tooling) is one."""
    parts = name.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 or MODULES[name].name == "__init__.py" \
        else name


def test_no_module_of_the_code_location_imports_another_that_imports_it_back():
    assert _cycles(_graph(lambda name: name)) == []


def test_no_folder_of_the_code_location_imports_another_that_imports_it_back():
    # sql/, defs/ and tooling/ each taken whole: an import from sql/ up to a module that
    # imports sql/ is a cycle of layers even when no two files import each other.
    assert _cycles(_graph(_folder)) == []


def test_the_runtime_never_imports_the_operator_tooling():
    reached = sorted(f"{name} -> {target}" for name, path in MODULES.items()
                     if not name.startswith(TOOLING)
                     for target, _ in _imports(name, path)
                     if (_ours(target) or "").startswith(TOOLING))
    assert reached == []


def test_an_import_inside_a_function_is_only_of_an_optional_dependency():
    inside = sorted(f"{name}: {target}" for name, path in MODULES.items()
                    for target, in_function in _imports(name, path)
                    if in_function and target.split(".")[0] not in OPTIONAL)
    assert inside == []


# One home for a sync (docs/architecture.md, *Layers*): the ledger table is written and read
# by sql/ledger.py alone, a partition key is parsed by defs/sync_of_run.py alone (with the
# parser of defs/partitions.py), and every run tag is named in defs/run_tags.py alone.
LEDGER = "cleanup_assets.sql.ledger"
SYNC_OF_RUN = "cleanup_assets.defs.sync_of_run"
PARTITIONS = "cleanup_assets.defs.partitions"
RUN_TAGS = "cleanup_assets.defs.run_tags"
# A metadata key Dagster reads, not a tag.
NOT_A_TAG = {"dagster/row_count"}


def _nodes():
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            yield name, node


def test_only_the_ledger_module_touches_the_ledger_table():
    touching = sorted({name for name, node in _nodes()
                       if isinstance(node, ast.ImportFrom) and (node.module or "").endswith(
                           "schema") and any(a.name == "device_sync" for a in node.names)})
    assert touching == [LEDGER]


def test_only_the_sync_of_a_run_parses_a_partition_key():
    parsing = sorted({name for name, node in _nodes() if (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id == "split_partition_key") or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("split", "partition", "rpartition")
        and any(isinstance(a, ast.Constant) and a.value == "|" for a in node.args)) or (
        isinstance(node, ast.Attribute) and node.attr == "keys_by_dimension")})
    assert parsing == [PARTITIONS, SYNC_OF_RUN]


def test_every_run_tag_is_named_in_the_run_tag_contract_alone():
    naming = sorted({f"{name}: {node.value}" for name, node in _nodes()
                     if isinstance(node, ast.Constant) and isinstance(node.value, str)
                     and node.value.startswith(("cleanup/", "dagster/"))
                     and " " not in node.value and node.value not in NOT_A_TAG
                     and name != RUN_TAGS})
    assert naming == []


# The tests' own layout: what several test modules share lives in a helper module
# (builders.py, conftest.py, servers.py, processes.py, stack.py), never in one of them.
TESTS = Path(__file__).resolve().parent


def _test_module_imports():
    for path in sorted(TESTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level == 0:  # absolute: of ours only under cleanup_tests
                    if module != TESTS.name and not module.startswith(f"{TESTS.name}."):
                        continue
                    module = module[len(TESTS.name) + 1:]
                names = [module.split(".")[0]] if module else [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name.split(".")[1] for a in node.names
                         if a.name.startswith(f"{TESTS.name}.")]
            else:
                continue
            for name in names:
                yield path.stem, name


def test_no_test_module_imports_another_test_module():
    importing = sorted({f"{module} -> {name}" for module, name in _test_module_imports()
                        if name.startswith("test_")})
    assert importing == []


def test_no_helper_of_the_tests_is_written_twice():
    # A function, fixture or class of the tests whose body stands in two modules (its
    # docstring aside): one of them is the helper, the other imports it.
    bodies: dict[str, list[str]] = {}
    for path in sorted(TESTS.glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                body = node.body[1:] if ast.get_docstring(node) is not None else node.body
                shape = ast.dump(ast.Module(body=body, type_ignores=[]))
                bodies.setdefault(shape, []).append(f"{path.stem}.{node.name}")
    assert [names for names in bodies.values() if len(names) > 1] == []

"""The layout shows the architecture: every import of the code location runs down its layers
(docs/architecture.md, *Layers*). Read from the source's own import statements, module-level
and in-function alike; nothing is imported."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cleanup_assets"
TOOLING = "cleanup_assets.tooling"
# What an in-function import may load: an extra of pyproject.toml that the embedded default
# does not install (and that a module-level import would make required).
OPTIONAL = {"pandas", "snowflake", "dagster_snowflake", "dagster_celery"}


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

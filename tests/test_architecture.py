"""The layering rule of docs/architecture.md, read from the import statements of every module.

A module may import only from its own layer or the layers below it; no circle of imports; the model
imports no file reader, writer, CLI, report, pandera, click or plotting code; imports inside
functions are reserved for optional extras and the light start-up of the CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "gridimpact"

LAYERS = (
    ("gridimpact.errors", "gridimpact.vocab", "gridimpact.resources", "gridimpact.arguments"),
    ("gridimpact.regions", "gridimpact.inputs", "gridimpact.schemas"),
    ("gridimpact.model",),
    ("gridimpact.io",),
    ("gridimpact.results", "gridimpact.report"),
    ("gridimpact.api", "gridimpact.cases", "gridimpact.planning", "gridimpact.backtest", "gridimpact.distributed", "gridimpact.synthetic",
     "gridimpact.sensitivity"),
    ("gridimpact.cli", "gridimpact.regenerate"),
)
"""Lowest first. ``gridimpact`` itself (lazy re-exports) and ``__main__`` stand above every layer."""

MODEL_FORBIDDEN = ("pandera", "click", "matplotlib", "gridimpact.io", "gridimpact.cli", "gridimpact.report",
                   "gridimpact.regenerate", "gridimpact.schemas", "gridimpact.api", "gridimpact.results")

OPTIONAL = ("matplotlib", "openpyxl", "pyarrow", "tabulate", "netCDF4", "dask", "distributed", "psycopg",
            "scipy", "numba", "SALib", "h5netcdf", "h5py", "xarray", "pandas", "numpy", "pandera")
"""Packages a function may import on first use: optional extras, and the heavy core libraries that
``import gridimpact`` and ``gridimpact --help`` must not load."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path) -> list[tuple[str, bool, int]]:
    """(imported module, inside a function, line) for every import of ``path``, resolved to the
    deepest gridimpact module it names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    known = modules()
    found = []

    def visit(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, in_function, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    full = f"{child.module}.{alias.name}"
                    found.append((full if full in known else child.module, in_function, child.lineno))
            elif isinstance(child, ast.If) and _is_type_checking(child):
                continue  # imports for type annotations only
            visit(child, nested)

    visit(tree, False)
    return found


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def layer_of(module: str) -> int | None:
    for rank, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def internal_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name, path in modules().items():
        edges[name] = {target for target, _, _ in imports(path)
                       if target.startswith("gridimpact.") and target != name}
    return edges


def test_every_module_belongs_to_a_layer():
    loose = [name for name in modules() if name not in ("gridimpact", "gridimpact.__main__")
             and layer_of(name) is None]
    assert loose == []


def test_no_module_imports_from_a_layer_above_it():
    upward = []
    for name, path in modules().items():
        rank = layer_of(name)
        if rank is None:
            continue
        for target, _, line in imports(path):
            target_rank = layer_of(target) if target.startswith("gridimpact.") else None
            if target_rank is not None and target_rank > rank:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert upward == []


def test_readers_and_writers_do_not_import_each_other():
    crossing = []
    for name, path in modules().items():
        for side, other in (("gridimpact.io.readers", "gridimpact.io.writers"),
                            ("gridimpact.io.writers", "gridimpact.io.readers")):
            if name.startswith(side):
                crossing += [f"{name}:{line} imports {t}" for t, _, line in imports(path) if t.startswith(other)]
    assert crossing == []


def test_there_is_no_circle_of_imports():
    edges = internal_edges()
    # A package's __init__ may re-export its own submodules; that is not a circle.
    for name in edges:
        edges[name] = {t for t in edges[name] if not (t.startswith(name + "."))}
    state: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target not in edges:
                continue
            if state.get(target) == 1:
                circles.append(" → ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                walk(target)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            walk(node)
    assert circles == []


@pytest.mark.parametrize("name", sorted(n for n in modules() if n.startswith("gridimpact.model")))
def test_the_model_reads_no_files_and_draws_nothing(name):
    bad = [f"line {line}: {target}" for target, _, line in imports(modules()[name])
           if any(target == f or target.startswith(f + ".") for f in MODEL_FORBIDDEN)]
    assert bad == []


def test_imports_inside_functions_are_only_for_extras_and_light_start_up():
    """Internal imports sit at the top of modules, except in the CLI, whose commands import the
    API only when they run (so that ``gridimpact --help`` stays light), in the package's lazy
    ``__init__``, and the readers' import of ``gridimpact.schemas`` where they validate (pandera is
    imported only when a file is validated: the embedded case comes from its cache), and the
    engine's import of its compiled side (``model.fused``, which imports numba) when the compiled
    engine runs, so that the numpy reference and everything else run without loading numba."""
    inside = []
    for name, path in modules().items():
        if name == "gridimpact" or name.startswith("gridimpact.cli"):
            continue
        for target, in_function, line in imports(path):
            # pandera and xarray only when a file needs them (the schemas, the gridded reader)
            lazy_schemas = (target in ("gridimpact.schemas", "gridimpact.io.readers.gridded")
                            and name.startswith("gridimpact.io.readers"))
            lazy_schemas = lazy_schemas or (name, target) == ("gridimpact.model.engine", "gridimpact.model.fused")
            if in_function and not lazy_schemas and target.split(".")[0] not in OPTIONAL and target.split(".")[0] not in (
                    "importlib", "ctypes", "signal", "difflib", "csv", "re", "json"):
                inside.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert inside == []


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(PACKAGE.parent)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}

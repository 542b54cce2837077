"""The layers of the package, held by reading every import (a rule only written in a docstring is a hope).

contract → engine → metrics → ingest → present → app: a module may import its own layer and the ones
before it, never a later one. duckdb is imported only in the engine, streamlit only in the app layer;
pages reach the data only through the app layer; nothing in the package imports the benchmark; and the
package's modules import one another without a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "oversight"
LAYERS = ("contract", "engine", "metrics", "ingest", "present", "app")
#: modules outside the six layers: surfaces that may use every layer but the app's
SURFACES = ("cli", "demo")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (a lazy import is still a dependency)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def package_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def layer_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "oversight" else None


def known_modules() -> set[str]:
    return {module_name(p) for p in package_files()}


def test_every_module_sits_in_a_layer_or_is_a_surface() -> None:
    stray = [
        module_name(p)
        for p in package_files()
        if p.parent != PACKAGE or p.name != "__init__.py"
        if layer_of(module_name(p)) not in (*LAYERS, *SURFACES)
    ]
    assert stray == []


@pytest.mark.parametrize("path", package_files(), ids=lambda p: module_name(p))
def test_layer_imports_only_earlier_layers(path: Path) -> None:
    own = layer_of(module_name(path))
    if own is None:
        return
    allowed = set(LAYERS[: LAYERS.index(own) + 1]) if own in LAYERS else set(LAYERS) - {"app"} | set(SURFACES)
    used = {layer_of(name) for name in imports_of(path) if name.startswith("oversight.")}
    assert used - {None} <= allowed, f"{module_name(path)} imports {sorted(used - allowed - {None})}"


@pytest.mark.parametrize("path", package_files(), ids=lambda p: module_name(p))
def test_duckdb_only_in_the_engine_and_streamlit_only_in_the_app(path: Path) -> None:
    roots = {name.split(".")[0] for name in imports_of(path)}
    layer = layer_of(module_name(path))
    if "duckdb" in roots:
        assert layer == "engine", f"{module_name(path)} imports duckdb"
    if "streamlit" in roots:
        assert layer == "app", f"{module_name(path)} imports streamlit"
    assert "benchmarks" not in roots


@pytest.mark.parametrize(
    "path", [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))], ids=lambda p: p.name
)
def test_pages_reach_the_data_only_through_the_app_layer(path: Path) -> None:
    used = imports_of(path)
    assert not {n for n in used if n.split(".")[0] == "duckdb"}
    assert not {n for n in used if layer_of(n) in ("engine", "ingest")}, sorted(used)
    # pages draw: frames are shaped in the package (metrics.details, present.tables), not in a page
    assert "polars" not in {n.split(".")[0] for n in used}


def test_no_import_cycle_in_the_package() -> None:
    modules = known_modules()
    graph: dict[str, set[str]] = {}
    for path in package_files():
        name = module_name(path)
        # "from oversight.metrics import periods" names the module oversight.metrics.periods
        graph[name] = {
            m for m in imports_of(path) if m in modules and m != name and not name.startswith(m + ".")
        }
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(node: str, stack: list[str]) -> bool:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle.extend([*stack[stack.index(nxt) :], nxt] if nxt in stack else [node, nxt])
                return True
            if state.get(nxt) is None and visit(nxt, [*stack, nxt]):
                return True
        state[node] = 2
        return False

    for start in sorted(graph):
        if state.get(start) is None and visit(start, [start]):
            break
    assert cycle == []

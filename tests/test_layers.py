"""The layers and the package rules (docs/architecture.md): who may import whom, no import cycles,
kam_metrics never loads streamlit, pages hold no SQL and open no database.

The import graph is read from the source (every ``import`` and ``from … import``, also those inside
functions), so a lazy import cannot hide an edge.
"""

from __future__ import annotations

import ast
import pkgutil
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import kam_metrics

ROOT = Path(__file__).resolve().parents[1]

# kam_metrics package -> the kam_metrics packages it may import (besides itself)
CORE_RULES: dict[str, set[str]] = {
    "domain": set(),
    "i18n": set(),
    "store": {"domain"},
    "sql": {"domain"},
    "access": {"domain", "store"},
    "ingest": {"domain", "store", "sql", "i18n"},
    "metrics": {"domain", "store", "sql", "i18n"},
    "churn": {"domain", "store", "sql", "metrics", "i18n"},
    "forecast": {"domain", "store", "sql", "metrics", "i18n"},
    "records": {"domain", "store", "access", "ingest", "i18n"},
    "report": {"domain", "store", "sql", "metrics", "churn", "forecast", "access", "i18n"},
    "commands": {"domain", "store", "access", "ingest", "metrics", "records", "report"},
    "demo": {"domain", "store", "sql", "ingest", "metrics"},
    "cli": {"domain", "store", "sql", "access", "ingest", "metrics", "churn", "forecast", "records", "report",
            "commands", "demo", "i18n"},
    "__main__": {"cli"},
}
#: modules that render a built report: they may import only these
RENDERERS = ("kam_metrics.report.model", "kam_metrics.report.export")
RENDERER_MAY_IMPORT = ("kam_metrics.domain", "kam_metrics.i18n", "kam_metrics.report.model", "kam_metrics.access.export_safety")
# kam_app package -> kam_app packages/modules it must not import
APP_FORBIDDEN: dict[str, tuple[str, ...]] = {
    "kam_app.charts": ("kam_app.data", "kam_app.widgets", "kam_app.sections", "kam_app.auth", "kam_app.presenter"),
    "kam_app.data": ("kam_app.charts", "kam_app.widgets", "kam_app.sections", "kam_app.presenter"),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module a file imports: ``from a.b import c`` counts as a.b and a.b.c (c may be a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def _graph() -> dict[str, set[str]]:
    files = [*ROOT.glob("kam_metrics/**/*.py"), *ROOT.glob("kam_app/**/*.py")]
    modules = {_module_name(p): p for p in files}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(path) if m in modules and m != name}
    return graph


GRAPH = _graph()


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _violations(rule, graph=GRAPH) -> list[str]:
    return sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets if rule(a, b))


def test_the_graph_is_read():
    assert "kam_metrics.sql.segments" in GRAPH["kam_metrics.metrics.sales"]
    assert GRAPH["kam_metrics.domain.filters"] == set()


def test_every_core_package_has_a_rule():
    packages = {_package(m) for m in GRAPH if m.startswith("kam_metrics.")}
    assert packages - set(CORE_RULES) == set()


def _core_breaks(a: str, b: str) -> bool:
    if not (a.startswith("kam_metrics.") and b.startswith("kam_metrics.")):
        return False
    pa, pb = _package(a), _package(b)
    return pa != pb and pb not in CORE_RULES[pa]


def test_core_packages_import_only_what_their_rule_allows():
    assert _violations(_core_breaks) == []


def test_a_forbidden_edge_is_reported():
    graph = {"kam_metrics.domain.filters": {"kam_metrics.store.connection"},
             "kam_metrics.metrics.sales": {"kam_metrics.sql.segments"}}
    assert _violations(_core_breaks, graph) == ["kam_metrics.domain.filters -> kam_metrics.store.connection"]


def test_renderers_of_the_report_import_only_the_model():
    def breaks(a: str, b: str) -> bool:
        return a.startswith(RENDERERS) and b.startswith("kam_metrics.") and not b.startswith(RENDERER_MAY_IMPORT) \
            and b not in ("kam_metrics.report", "kam_metrics.report.export", "kam_metrics.access")

    assert _violations(breaks) == []


def test_kam_metrics_never_imports_kam_app():
    assert _violations(lambda a, b: a.startswith("kam_metrics") and b.startswith("kam_app")) == []


def test_kam_app_packages_keep_their_direction():
    def breaks(a: str, b: str) -> bool:
        return any(a.startswith(pkg) and b.startswith(APP_FORBIDDEN[pkg]) for pkg in APP_FORBIDDEN)

    assert _violations(breaks) == []


def test_figure_builders_load_no_streamlit():
    offenders = [p.name for p in ROOT.glob("kam_app/charts/*.py") if "streamlit" in _imports(p)]
    assert offenders == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _without_packages(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Edges between modules only (a package's __init__ holds no code but its docstring)."""
    packages = {m for m in graph if (ROOT / m.replace(".", "/") / "__init__.py").exists()}
    return {a: {b for b in bs if b not in packages} for a, bs in graph.items() if a not in packages}


def test_no_module_import_cycle():
    assert _cycles(_without_packages(GRAPH)) == []


def test_no_package_import_cycle_in_the_core():
    packages: dict[str, set[str]] = defaultdict(set)
    for a, targets in GRAPH.items():
        for b in targets:
            if a.startswith("kam_metrics.") and b.startswith("kam_metrics.") and _package(a) != _package(b):
                packages[_package(a)].add(_package(b))
    assert _cycles(packages) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("init", sorted(ROOT.glob("kam_*/**/__init__.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_package_says_what_it_owns(init):
    tree = ast.parse(init.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    assert doc and len(doc) > 40, f"{init}: the docstring says what the package owns and may import"
    if init.parent.name not in ("i18n",):  # i18n's __init__ is the catalogue's t() and formatting
        code = [n for n in tree.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
        assert code == [], f"{init}: a package's __init__ holds its docstring only"


def test_no_comment_points_outside_the_repository():
    pattern = re.compile(r"design\.md|\bissue #\d+|\bseeds? 0\d\d|layout-review", re.I)
    offenders = []
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("kam_*/**/*.py"), *ROOT.glob("bench/*.py"),
                 *ROOT.glob("tests/**/*.py")]:
        if path == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == [], f"{len(offenders)} references to documents outside the repository: {offenders[:10]}"


def test_importing_every_kam_metrics_module_loads_no_streamlit():
    modules = sorted(m.name for m in pkgutil.walk_packages(kam_metrics.__path__, "kam_metrics."))
    assert "kam_metrics.store.connection" in modules and "kam_metrics.cli.main" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"streamlit loaded by kam_metrics: {result.stdout.strip()[:200]}"


def test_pages_hold_no_sql_and_open_no_database():
    offenders = []
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py")]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(import duckdb|from duckdb)", text, re.M) or re.search(r"\bselect\b.+\bfrom\b", text, re.I) \
                or "open_db" in text:
            offenders.append(path.name)
    assert offenders == []


MAX_FUNCTION_LINES = 60


def _long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int]]:
    """Functions of ``source`` longer than ``limit`` lines whose docstring does not say why ("Long because")."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > limit and "Long because" not in (ast.get_docstring(node) or ""):
                found.append((node.name, length))
    return found


def test_no_function_over_sixty_lines_in_the_core_the_adapters_or_the_pages():
    files = [*ROOT.glob("kam_metrics/**/*.py"), *ROOT.glob("kam_app/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]
    assert len(files) > 50
    long = [f"{p.relative_to(ROOT)}: {name} ({n} lines)" for p in files
            for name, n in _long_functions(p.read_text(encoding="utf-8"))]
    assert not long, "split these or say why in the docstring (\"Long because ...\"): " + "; ".join(long)


def test_the_length_check_finds_a_long_function():
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    assert _long_functions(f"def f():\n{body}\n") == [("f", 62)]
    assert _long_functions(f'def f():\n    """Long because it is a table."""\n{body}\n') == []

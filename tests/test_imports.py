"""The package's import graph: no cycles, and a scoring core that imports only what it may.

The graph is built from the source with :mod:`ast`, imports inside functions included (a
cycle that only closes at call time is still a cycle in the design). Imports under
``if TYPE_CHECKING:`` are left out: they never run.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "leadlens"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The leadlens modules ``path`` imports (a name imported from a package counts as the
    submodule when there is one)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("leadlens"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.startswith("leadlens"):
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    found.add(sub if sub in modules else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    # Importing a.b.c runs a/__init__ and a/b/__init__ too.
    closed = set()
    for target in found:
        parts = target.split(".")
        closed.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    closed.discard(name)
    return {m for m in closed if m in modules and not name.startswith(m + ".")}


def graph() -> dict[str, set[str]]:
    files = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(p) for p in files}
    return {module_name(p): imports_of(p, modules) for p in files}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := walk(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles() -> None:
    assert find_cycle(graph()) is None


def test_at_most_four_modules_at_the_package_root() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py")
                   if p.name not in {"__init__.py", "__main__.py"})
    assert len(loose) <= 4, loose


SCORING_MAY_IMPORT = {
    # numpy for the arithmetic, pydantic (and what it loads) for the results document
    "numpy", "pydantic", "pydantic_core", "typing_extensions", "typing_inspection",
    "annotated_types",
}


def test_the_scoring_core_imports_only_what_it_may() -> None:
    """An allow-list (pallets/click tests/test_imports.py): importing the scoring core loads
    the standard library, numpy and pydantic, and of leadlens only the question-set model,
    the responses table, the results document and errors."""
    code = ("import sys, json; before = set(sys.modules); import leadlens.scoring; "
            "print(json.dumps(sorted(set(sys.modules) - before)))")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], check=True,
                                       capture_output=True, text=True).stdout)
    stdlib = set(sys.stdlib_module_names)
    allowed_leadlens = {"leadlens", "leadlens._version", "leadlens.errors", "leadlens.questionset",
                        "leadlens.questionset.model", "leadlens.responses",
                        "leadlens.responses.table", "leadlens.results",
                        "leadlens.results.document"}
    unexpected = []
    for name in loaded:
        top = name.split(".")[0]
        if name.startswith("leadlens.scoring") or name in allowed_leadlens:
            continue
        if top in stdlib or top.startswith("_") or top in SCORING_MAY_IMPORT:
            continue
        unexpected.append(name)
    assert unexpected == []


def test_the_command_line_starts_without_the_heavy_libraries() -> None:
    """`leadlens --help` imports the CLI: it must not pay for pydantic, Jinja, YAML, numpy,
    polars, rich or the workbook readers (each command imports what it needs when it runs)."""
    heavy = ("pydantic", "jinja2", "yaml", "numpy", "polars", "starlette", "narwhals", "rich",
             "openpyxl", "python_calamine", "regex")
    code = ("import sys, json; import leadlens.cli; "
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(heavy)!r})))")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], check=True,
                                       capture_output=True, text=True).stdout)
    assert loaded == []

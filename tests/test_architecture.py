"""The import graph the architecture promises (docs/architecture.md), read from the source.

* the apps (wallet, verifier, issuer_stub) and ``scan`` (both apps' camera loop; ``shell`` holds
  their start-up helpers) use the engine only through its public
  face: ``from credentials import <a name in credentials.__all__>``;
* no app imports another app; the engine and ``scan`` import no app, the engine never imports
  ``scan`` or flet;
* no import cycle between modules (imports inside functions and under ``TYPE_CHECKING`` count:
  a cycle is a tangle of responsibilities whenever it is resolved).
"""

from __future__ import annotations

import ast
from pathlib import Path

import credentials
import scan

ROOT = Path(__file__).resolve().parents[1]
APPS = ("wallet", "verifier", "issuer_stub")
PACKAGES = ("credentials", "scan", "shell", *APPS)


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names imported from it, line) for every import in a module."""
    is_package = path.name == "__init__.py"
    out: list[tuple[str, list[str], int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend((alias.name, [], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            names = [alias.name for alias in node.names]
            # "from pkg import module" imports the module
            subs = [n for n in names if f"{target}.{n}" in MODULES]
            out.append((target, [n for n in names if n not in subs], node.lineno))
            out.extend((f"{target}.{n}", [], node.lineno) for n in subs)
    return out


def _top(module: str) -> str:
    return module.split(".")[0]


def test_apps_use_only_the_public_face_of_the_engine() -> None:
    wrong = []
    for name, path in MODULES.items():
        if _top(name) not in (*APPS, "scan"):
            continue
        for target, names, line in _imports(name, path):
            if _top(target) != "credentials":
                continue
            if target != "credentials":
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
            wrong.extend(f"{path.relative_to(ROOT)}:{line} imports credentials.{n}, not in __all__"
                         for n in names if n not in credentials.__all__)
    assert wrong == []


def test_no_app_imports_another_and_the_engine_imports_no_app() -> None:
    wrong = []
    for name, path in MODULES.items():
        own = _top(name)
        for target, _names, line in _imports(name, path):
            other = _top(target)
            if other == own:
                continue
            allowed = {"credentials": set(), "scan": {"credentials"}, "shell": set()}.get(
                own, {"credentials", "scan", "shell"})
            if other in PACKAGES and other not in allowed:
                wrong.append(f"{path.relative_to(ROOT)}:{line} ({own}) imports {target}")
            if own == "credentials" and other == "flet":
                wrong.append(f"{path.relative_to(ROOT)}:{line} the engine imports flet")
    assert wrong == []


def _module_graph() -> dict[str, set[str]]:
    """Module -> the modules it imports (an import of a name from a package is an edge to the
    package's ``__init__``; a module's own package is not an edge)."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        edges = set()
        for target, _names, _line in _imports(name, path):
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                edges.add(target)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[str]:
    """Every back edge of a depth-first walk, as the cycle it closes."""
    found: list[str] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                found.append(" -> ".join([*stack[stack.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_module_import_graph_has_no_cycle() -> None:
    cycles = _cycles(_module_graph())
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a -> b -> c -> a"]


def test_every_public_name_of_the_engine_resolves_and_is_typed() -> None:
    tree = ast.parse((ROOT / "credentials" / "__init__.py").read_text(encoding="utf-8"))
    typed = {alias.asname or alias.name for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and node.level for alias in node.names}
    assert set(credentials.__all__) == set(credentials._WHERE) == typed
    for name in credentials.__all__:
        assert getattr(credentials, name) is not None, name
    assert "verify" in credentials.__all__ and callable(credentials.verify)
    for name in scan.__all__:
        assert getattr(scan, name) is not None, name

"""The layout rule, checked: no import cycles, no reaching into another package's privates, no private
top-level modules, no module over 700 lines, ``__all__`` in every public module.

Imports are read from the source (AST), including imports deferred into functions: deferring an import
hides a cycle from Python, not from this test.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "evalkit"
MAX_LINES = 700


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    is_package = MODULES[module].name == "__init__.py"
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str) -> list[tuple[str, str | None, int]]:
    """(imported module, imported name or None, line) for every evalkit import in *module*."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names if a.name.startswith("evalkit")]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            if not target.startswith("evalkit"):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:  # `from evalkit.pkg import module`
                    out.append((sub, None, node.lineno))
                else:
                    out.append((target, alias.name, node.lineno))
    return out


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for target, _, _ in _imports(module):
            while target not in MODULES and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in MODULES and target != module:
                graph[module].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
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
        for w in sorted(graph[v]):
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


def _package_of(module: str) -> str:
    """The subsystem a module belongs to: ``evalkit.targets.assess`` → ``evalkit.targets``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def test_the_checker_finds_a_cycle_and_a_private_import():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
    assert _package_of("evalkit.targets.assess") == "evalkit.targets"
    assert _package_of("evalkit.units") == "evalkit.units"


def test_no_import_cycles():
    cycles = _cycles(_graph())
    assert not cycles, "import cycles (counting imports inside functions): " + "; ".join(
        " ↔ ".join(c) for c in cycles)


def test_no_private_names_across_packages():
    offences = []
    for module in MODULES:
        home = _package_of(module)
        for target, name, line in _imports(module):
            if _package_of(target) == home or target.startswith("evalkit._shared"):
                continue
            private_module = any(p.startswith("_") and p != "__init__" for p in target.split(".")[1:])
            private_name = name is not None and name.startswith("_")
            if private_module or private_name:
                offences.append(f"{MODULES[module].relative_to(SRC.parent)}:{line} imports "
                                f"{target}{'.' + name if name else ''}")
    assert not offences, "\n".join(offences)


def test_no_private_top_level_modules():
    private = [p.name for p in SRC.glob("_*.py") if p.name != "__init__.py"]
    assert not private, f"private top-level modules (move them into a package or _shared/): {private}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_size_and_all(module):
    path = MODULES[module]
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_LINES, f"{path.name} has {text.count(chr(10))} lines (at most {MAX_LINES})"
    if path.name != "__main__.py" and not any(p.startswith("_") and p != "__init__" for p in module.split(".")[1:]):
        tree = ast.parse(text)
        has_all = any(isinstance(n, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in n.targets)
                      for n in tree.body)
        assert has_all or not _public_defs(tree), f"{module} defines public names but has no __all__"


def _public_defs(tree: ast.Module) -> list[str]:
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")]

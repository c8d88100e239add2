"""The package's layers, read from the code: every import points down, and no two modules import
each other (directly or round a loop), so the layering in README's "Layout" cannot rot.

Every `import` / `from ... import` of a stagecore or githooks module counts, at module level or inside
a function (a deferred import is still a dependency); only `if TYPE_CHECKING:` blocks are left out,
as they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# highest first; a module may import its own layer's modules and any layer below it.
# Same-rank packages are peers that must not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("stagecore.__main__",),
    ("stagecore.cli",),  # argv -> typed call -> rendering -> exit code
    ("githooks",),  # git's hook protocol -> stagecore.hooks
    ("stagecore.hooks",),  # hook runs and hook installation
    ("stagecore.fastpath",),  # the hooks' standard-library-only no-op answers, and their records
    ("stagecore.ops",),  # one module per operation
    ("stagecore.repo",),  # Repo: root, config, cache, state, git, stage index
    ("stagecore.remotes", "stagecore.scm"),  # adapters over a data remote / git
    ("stagecore.files",),  # dvc files, dvc.yaml / dvc.lock, params, config, ignore, gitignore, yaml io
    ("stagecore.storage",),  # object store, state db, hashing, workspace measuring, safe file writes
    ("stagecore.core", "stagecore.ui"),  # pure values and rules; the terminal (progress bars)
    ("stagecore.errors", "stagecore"),  # the exception tree; the package's version
]


def _modules() -> dict[str, Path]:
    found = {}
    for base in ("stagecore", "githooks"):
        for path in sorted((ROOT / base).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _layer(module: str) -> tuple[int, str]:
    best: tuple[int, str] | None = None
    for rank, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > len(best[1])):
                best = (rank, name)
    assert best is not None, f"{module} is in no layer: add it to LAYERS (tests/test_layers.py) and README's Layout"
    return best


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def owner(name: str) -> str:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name

    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(owner(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in modules else owner(base))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard("")
    found.discard(module)
    return {name for name in found if name.split(".")[0] in ("stagecore", "githooks")}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {module: _imports(module, path, modules) for module, path in modules.items()}


def test_imports_point_down() -> None:
    upward = []
    for module, targets in sorted(_graph().items()):
        rank, name = _layer(module)
        for target in sorted(targets):
            target_rank, target_name = _layer(target)
            if target_rank < rank or (target_rank == rank and target_name != name):
                upward.append(f"{module} ({name}) imports {target} ({target_name})")
    assert not upward, "imports that climb or cross layers:\n" + "\n".join(upward)


def test_no_import_cycles() -> None:
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_every_module_is_in_a_layer_and_within_size() -> None:
    """Every module sits in a layer, and none passes ~300 lines without saying why in its docstring."""
    long = []
    for module, path in _modules().items():
        _layer(module)
        lines = path.read_text(encoding="utf-8").count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > 330 and "Longer than" not in doc:
            long.append(f"{path.relative_to(ROOT)}: {lines} lines")
    assert not long, "modules over ~300 lines without a reason ('Longer than ...' in the docstring):\n" + "\n".join(long)

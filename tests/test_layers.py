"""Packages in layers: every import goes to its own layer or a lower one, and
no packages import each other in a circle (docs/architecture.md).

The layer table is read from docs/architecture.md, the one place it is
written down.  Every import counts: at module level, inside a function, and
under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "coder"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*`([\w.]+)`\s*\|")


def layer_table(path: Path = ARCHITECTURE) -> dict[str, int]:
    """package name -> layer, from the table of docs/architecture.md."""
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _ROW.match(line)
        if m:
            table[m.group(2)] = int(m.group(1))
    return table


def _package_of(module: str) -> str:
    """coder.match.engine -> match; coder.cli -> cli; coder -> coder."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def imports(root: Path):
    """(file, line, importing package, imported package) for every import of
    another package of ``root``."""
    for path in sorted(root.rglob("*.py")):
        module = _module_name(path, root)
        here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(here[: len(here) - node.level + 1] + ([node.module] if node.module else []))
                # "from coder import api" imports the package coder.api
                targets = [f"{base}.{a.name}" if base == root.name else base for a in node.names]
            for target in targets:
                if target.split(".")[0] != root.name:
                    continue
                src, dst = _package_of(module), _package_of(target)
                if dst != src and (dst != root.name or target == root.name):
                    yield path.relative_to(root.parent), node.lineno, src, dst


def layer_problems(root: Path = PACKAGE, table: dict[str, int] | None = None) -> list[str]:
    """One line per import that goes up a layer, per package missing from the
    table, and per cycle between packages."""
    table = layer_table() if table is None else table
    problems, arrows = [], {}
    present = {p.stem if p.suffix == ".py" else p.name for p in root.iterdir()
               if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").exists()}
    for name in sorted((present | {root.name}) - set(table)):
        problems.append(f"{name}: package not in the layer table of docs/architecture.md")
    for path, line, src, dst in imports(root):
        arrows.setdefault(src, {}).setdefault(dst, f"{path}:{line}")
        if src in table and dst in table and table[dst] > table[src]:
            problems.append(f"{path}:{line}: {src} (layer {table[src]}) imports {dst} (layer {table[dst]}): "
                            "an import goes to its own layer or a lower one")
    for cycle in _cycles(arrows):
        steps = ", ".join(f"{a} -> {b} ({arrows[a][b]})" for a, b in zip(cycle, cycle[1:] + cycle[:1], strict=True))
        problems.append(f"cycle: {steps}")
    return problems


def _cycles(arrows: dict[str, dict[str, str]]) -> list[list[str]]:
    """A shortest cycle through each package that is on one, each cycle once."""
    found, seen = [], set()
    for start in sorted(arrows):
        came_from, queue = {start: None}, [start]
        while queue:
            node = queue.pop(0)
            for dst in sorted(arrows.get(node, {})):
                if dst == start:
                    cycle = [node]
                    while came_from[cycle[0]] is not None:
                        cycle.insert(0, came_from[cycle[0]])
                    if frozenset(cycle) not in seen:
                        seen.add(frozenset(cycle))
                        found.append(cycle)
                    queue = []
                    break
                if dst not in came_from:
                    came_from[dst] = node
                    queue.append(dst)
    return found


def test_every_import_goes_down_and_no_package_cycle():
    assert layer_problems() == []


def test_the_table_names_every_layer_once_and_in_order():
    table = layer_table()
    assert sorted(set(table.values())) == list(range(1, 10))
    assert table["errors"] == 1 and table["codebook"] == 2 and table["cli"] == 9


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "coder"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__", "data", "codebooks", "schemas"))
    return root


def _plant(path: Path, after: str, line: str) -> int:
    """Put ``line`` after the first line starting with ``after``; its line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    n = next(i for i, text in enumerate(lines) if text.startswith(after)) + 1
    lines.insert(n, line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return n + 1


def test_a_planted_upward_import_is_named_with_file_and_line(tmp_path):
    root = _copy(tmp_path)
    line = _plant(root / "io" / "readers.py", "from coder.errors import", "from coder.engines import runner")
    arrow = next(f"{p}:{n}" for p, n, src, dst in imports(root) if (src, dst) == ("engines", "io"))
    assert layer_problems(root) == [
        f"coder/io/readers.py:{line}: io (layer 7) imports engines (layer 8): "
        "an import goes to its own layer or a lower one",
        f"cycle: engines -> io ({arrow}), io -> engines (coder/io/readers.py:{line})"]


def test_an_upward_import_inside_a_function_counts_too(tmp_path):
    root = _copy(tmp_path)
    line = _plant(root / "codebook" / "model.py", "from coder.codebook.positions import",
                  "def _late():\n    from coder.pipeline import code_document") + 1
    problems = layer_problems(root)
    assert problems[0] == (f"coder/codebook/model.py:{line}: codebook (layer 2) imports pipeline (layer 6): "
                           "an import goes to its own layer or a lower one")
    cycles = problems[1:]
    assert cycles and all(f"codebook -> pipeline (coder/codebook/model.py:{line})" in p for p in cycles)


def test_a_cycle_inside_one_layer_is_named(tmp_path):
    root = _copy(tmp_path)
    there = _plant(root / "evaluation" / "evaluate.py", "from coder.errors import", "from coder.authoring import "
                                                                                    "explain")
    back = _plant(root / "authoring" / "stats.py", "from coder.", "from coder.evaluation import evaluate")
    assert layer_problems(root) == [
        f"cycle: authoring -> evaluation (coder/authoring/stats.py:{back}), "
        f"evaluation -> authoring (coder/evaluation/evaluate.py:{there})"
    ]


def test_a_package_missing_from_the_table_is_named(tmp_path):
    root = _copy(tmp_path)
    (root / "plugins.py").write_text("", encoding="utf-8")
    assert layer_problems(root) == ["plugins: package not in the layer table of docs/architecture.md"]

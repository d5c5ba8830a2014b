"""The shipped codebook with more of one section, for the benchmarks that
measure big codebooks: a main file in a directory of the bench's own that
includes the shipped files (by absolute paths) and one more file holding the
added items."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shipped_with(section: str, items: str, directory: Path, name: str = "codebook.yaml") -> Path:
    """Write the codebook (main file ``name`` and ``name``-extra.yaml) in
    ``directory``; ``items`` is YAML list items of ``section``."""
    shipped = ROOT / "codebooks"
    main = (shipped / "default.yaml").read_text(encoding="utf-8")
    main = re.sub(r"(?m)^  - (default/\S+)$", lambda m: f"  - {shipped / m[1]}", main)
    extra = directory / (Path(name).stem + "-extra.yaml")
    extra.write_text(f"{section}:\n{items}", encoding="utf-8")
    path = directory / name
    path.write_text(main + f"  - {extra}\n", encoding="utf-8")
    return path

"""A copy of the shipped codebook that a test may edit: its main file and
the files its ``include`` names, under the same relative paths."""

from __future__ import annotations

import shutil
from pathlib import Path

from coder.codebook import default_codebook_path


def shipped_copy(directory: Path, name: str = "default.yaml") -> Path:
    """Copy the shipped codebook into ``directory`` (the main file as
    ``name``, the parts in ``default/`` beside it); return the main file."""
    main = Path(default_codebook_path())
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    shutil.copyfile(main, target)
    if not (directory / "default").exists():
        shutil.copytree(main.parent / "default", directory / "default")
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in the file at ``path`` (``old`` must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")

"""An installed coder carries its schemas, default codebook and reference data."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DATA = ("coder/schemas/event.schema.json", "coder/schemas/events.xsd", "coder/schemas/codebook.schema.json",
                "coder/codebooks/default.yaml", "coder/data/reference/cameo_codes.csv",
                "coder/data/reference/acled_event_types.csv", "coder/data/countries.csv",
                "coder/data/common_words.txt")


def test_build_copies_package_data(tmp_path):
    """setuptools' build step (what pip runs to make a wheel) ships the data files."""
    pytest.importorskip("setuptools")
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info"))
    out = tmp_path / "lib"
    result = subprocess.run(
        [sys.executable, "-c", "import setuptools; setuptools.setup()", "build_py", "--build-lib", str(out), "-q"],
        cwd=src, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    for name in PACKAGE_DATA:
        assert (out / name).is_file(), name
    # every module of every subpackage is shipped (a package missing from
    # pyproject.toml would only show in a real install)
    modules = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "coder").rglob("*.py") if "__pycache__" not in p.parts)
    assert [m for m in modules if not (out / m).is_file()] == []
    assert (out / "coder/schemas/event.schema.json").read_bytes() == (ROOT / "schemas/event.schema.json").read_bytes()


def test_package_data_matches_the_top_level_files():
    from importlib.resources import files

    for rel in ("schemas/event.schema.json", "schemas/events.xsd", "codebooks/default.yaml"):
        assert (files("coder") / rel).read_bytes() == (ROOT / rel).read_bytes()

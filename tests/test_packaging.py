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
                "coder/data/common_words.txt", "coder/data/fatalities.txt", "coder/data/acled_regions.csv",
                "coder/data/sources.csv")


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
    # and every file the shipped codebook includes
    from coder.codebook import default_codebook_path
    from coder.codebook.files import codebook_files

    parts = [Path(f).relative_to(Path(default_codebook_path()).parent) for f in codebook_files(default_codebook_path())]
    assert len(parts) == 6
    assert [str(p) for p in parts if not (out / "coder" / "codebooks" / p).is_file()] == []
    # every module of every subpackage is shipped (a package missing from
    # pyproject.toml would only show in a real install)
    modules = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "coder").rglob("*.py") if "__pycache__" not in p.parts)
    assert [m for m in modules if not (out / m).is_file()] == []
    assert (out / "coder/schemas/event.schema.json").read_bytes() == (ROOT / "schemas/event.schema.json").read_bytes()


def test_package_data_matches_the_top_level_files():
    from importlib.resources import files

    for rel in ("schemas/event.schema.json", "schemas/events.xsd", "codebooks/default.yaml",
                "codebooks/default/actors.yaml", "codebooks/default/rules/offensive.yaml"):
        assert (files("coder") / rel).read_bytes() == (ROOT / rel).read_bytes()


def _requirement_names(requirements: list[str]) -> set[str]:
    import re

    return {re.split(r"[\s\[<>=~!;]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def test_the_readme_install_gives_every_documented_command():
    """`coder report` failed right after the README's install line
    (`pip install -e .`): its libraries were an extra.  They are in the
    default install; only `--engine dask` (an option for clusters) needs one."""
    import tomllib

    from coder.htmlreport import REQUIREMENTS

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    default = _requirement_names(project["dependencies"])
    assert set(REQUIREMENTS) <= default
    assert project["optional-dependencies"]["report"] == []  # kept, empty: `coder[report]` still installs
    install_line = (ROOT / "README.md").read_text().split("```sh\n")[1].split("\n```")[0]
    assert ".venv/bin/pip install -e . " in install_line and "[" not in install_line
    docs = "".join(p.read_text() for p in (ROOT / "docs").glob("*.md"))
    assert "[report]" not in docs

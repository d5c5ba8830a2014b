"""The README's two commands are the ones a new user runs, and CI runs the second one exactly."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands():
    return re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text(), re.S)


def test_readme_has_the_two_commands():
    install_run, install_test = readme_commands()
    assert install_run.endswith("coder run samples/")
    assert install_test.endswith("pytest")


def test_ci_runs_exactly_the_readme_test_command():
    """CI runs the README's install and test command, with the linter added
    between the install and pytest (and nothing else changed)."""
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    install, test = readme_commands()[1].rsplit(" && ", 1)
    assert f"{install} && .venv/bin/ruff check . && {test}" in ci

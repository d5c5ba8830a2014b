"""The docs describe what the code does: every output field, every problem code, every option."""

import re
from pathlib import Path

from shipped import edit, shipped_copy

from coder.cli import app
from coder.errors import CATALOGUE
from coder.events.record import FIELDS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_output_doc_lists_every_field_in_order():
    rows = re.findall(r"^\| (\d+) \| `(\w+)` \| (.+) \|$", (DOCS / "output.md").read_text(), re.M)
    assert tuple(name for _, name, _ in rows) == FIELDS
    assert [int(n) for n, _, _ in rows] == list(range(1, len(FIELDS) + 1))


def test_errors_doc_lists_the_catalogue():
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (.+) \|$", (DOCS / "errors.md").read_text(), re.M))
    assert set(rows) == set(CATALOGUE)


def _commands():
    """(full name, callback) of every command, groups included."""
    for command in app.registered_commands:
        yield command.name or command.callback.__name__, command.callback
    for group in app.registered_groups:
        for command in group.typer_instance.registered_commands:
            yield f"{group.name} {command.name or command.callback.__name__}", command.callback


def test_cli_doc_mentions_every_option():
    """Every command has a section in docs/cli.md naming each of its options."""
    import inspect

    text = (DOCS / "cli.md").read_text()
    for name, callback in _commands():
        head = f"## `coder {name}"
        assert head in text, f"coder {name} has no section in docs/cli.md"
        section = text[text.index(head) + len(head):]
        section = section[: section.index("\n## ")] if "\n## " in section else section
        for param in inspect.signature(callback).parameters.values():
            decls = getattr(param.default, "param_decls", None) or ()
            for decl in (d for ds in decls for d in ds.split("/")):
                if decl.startswith("--") and decl != "--debug":  # --debug is described once, at the top
                    assert decl in section, f"{decl} of coder {name} is not in its section of docs/cli.md"


def _fenced_after(text: str, marker: str) -> str:
    """The body of the first fenced block after ``marker``, dedented by 3."""
    block = text[text.index(marker):]
    block = block[block.index("```") + 3:]
    block = block[block.index("\n") + 1: block.index("   ```")]
    return "\n".join(line[3:] for line in block.splitlines())


def test_codebook_tutorial_runs_as_written(tmp_path, monkeypatch):
    """The tutorial in docs/codebook.md: the rule codes its examples, lints
    clean, and the commands print what the tutorial shows."""
    from typer.testing import CliRunner

    from coder.authoring.lint import lint_codebook

    text = (DOCS / "codebook.md").read_text()
    tutorial = text[text.index("## Editing the codebook: a short tutorial"):]
    snippet = tutorial[tutorial.index("   rules:\n     - id: offensive.blockade"):]
    snippet = snippet[: snippet.index("   ```")]
    snippet = "\n".join(line[3:] for line in snippet.splitlines())
    extra = _fenced_after(tutorial, "add a second positive example")
    # the tutorial's first step: a copy of the codebook's files, with a name and version of its own
    monkeypatch.chdir(tmp_path)
    shipped_copy(tmp_path, "mine.yaml")
    edit(Path("mine.yaml"), "codebook: default", "codebook: mine")
    assert "`codebook: mine`, `version: \"1\"`" in tutorial
    # step 3: the rule in a file of its own, named at the end of the include list (the end of the file)
    assert "(`  - mine-rules.yaml`)" in tutorial and Path("mine.yaml").read_text().endswith(".yaml\n")
    Path("mine.yaml").write_text(Path("mine.yaml").read_text() + "  - mine-rules.yaml\n")
    Path("mine-rules.yaml").write_text(snippet + "\n" + extra + "\n")
    Path("mali.jsonl").write_text(_fenced_after(tutorial, "With `mali.jsonl`") + "\n")
    assert lint_codebook("mine.yaml") == []

    def run(*args):
        result = CliRunner().invoke(app, list(args))
        return result.exit_code, result.stdout

    expected_test = _fenced_after(tutorial, "5. **Test it**")
    code, out = run("codebook", "test", "mine.yaml", "-k", "offensive.blockade")
    assert code == 0 and out.splitlines()[0] == expected_test.strip()
    shipped_copy(tmp_path / "codebooks")
    code, out = run("codebook", "diff", "codebooks/default.yaml", "mine.yaml", "mali.jsonl")
    assert code == 0
    assert out == _fenced_after(tutorial, "mali.jsonl` prints") + "\n"
    Path("more.jsonl").write_text(_fenced_after(tutorial, "With `more.jsonl`") + "\n")
    code, out = run("codebook", "suggest", "more.jsonl", "-c", "mine.yaml")
    assert code == 0
    assert out == _fenced_after(tutorial, "-c mine.yaml` prints") + "\n"

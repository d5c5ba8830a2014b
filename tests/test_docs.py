"""The docs describe what the code does: every output field, every problem code, every option."""

import re
from pathlib import Path

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


def test_cli_doc_mentions_every_option():
    text = (DOCS / "cli.md").read_text()
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert f"## `coder {name}" in text
        import inspect

        for param in inspect.signature(command.callback).parameters.values():
            default = param.default
            decls = getattr(default, "param_decls", None) or ()
            for decl in decls:
                if decl.startswith("--"):
                    assert decl in text, f"{decl} of coder {name} is not in docs/cli.md"


def test_codebook_tutorial_rule_codes_its_examples(tmp_path):
    """The rule the tutorial in docs/codebook.md adds works as the tutorial says."""
    from coder.codebook import default_codebook_path, load_codebook
    from coder.codebook.examples import run_examples
    from coder.match.compile import compile_codebook

    text = (DOCS / "codebook.md").read_text()
    snippet = text[text.index("     - id: capture.overrun_near"):]
    snippet = snippet[: snippet.index("   ```")]
    snippet = "\n".join(line[3:] for line in snippet.splitlines())
    base = Path(default_codebook_path()).read_text()
    path = tmp_path / "cb.yaml"
    path.write_text(base + snippet + "\n")
    results = [r for r in run_examples(compile_codebook(load_codebook(path))) if r.rule.id == "capture.overrun_near"]
    assert len(results) == 2
    assert [r.failures for r in results] == [[], []]

"""`coder codebook lint`: one small broken codebook per check, with the exact
line, column, level and message of each problem."""

import json
from pathlib import Path

import pytest
from shipped import shipped_copy
from typer.testing import CliRunner

from coder.authoring.checks import CHECKS as LINT_CHECKS
from coder.authoring.lint import lint_codebook
from coder.cli import app
from coder.codebook.checks import CHECKS as LOAD_CHECKS

LINT = Path(__file__).resolve().parent / "data" / "lint"


def run(*args):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def lint(name):
    return [str(f).replace(str(LINT) + "/", "") for f in lint_codebook(LINT / name)]


EXPECTED = {
    "clean.yaml": [],
    "schema.yaml": [
        "schema.yaml:16:12: error: expected an integer, got string 'one' (schema)",
        "schema.yaml:17:5: error: unknown key 'colour' (did you mean 'country'?) (schema)",
    ],
    # one round: the pattern is checked although the schema fails (it was reported only once the schema passed)
    "schema_and_pattern.yaml": [
        "schema_and_pattern.yaml:16:12: error: expected an integer, got string 'one' (schema)",
        "schema_and_pattern.yaml:17:5: error: unknown key 'colour' (did you mean 'country'?) (schema)",
        "schema_and_pattern.yaml:27:32: error: bad pattern: unknown slot '{place}': use {actor1}, {actor2} or "
        "{location} (bad-pattern)",
    ],
    "duplicate_id.yaml": [
        "duplicate_id.yaml:14:11: error: duplicate actor code 'IMGISIS' (first at line 10) (duplicate-id)"
    ],
    "duplicate_alias.yaml": [
        "duplicate_alias.yaml:17:41: error: 'islamic state' is claimed by actor 'IRQMIL' and by actor 'IMGISIS' (line "
        "11) (duplicate-alias)"
    ],
    "common_word_alias.yaml": [
        "common_word_alias.yaml:17:41: warning: alias 'us' of actor 'IRQMIL' is a common English word: it will match "
        "ordinary text; write {text: us, case_sensitive: true} or drop it (common-word-alias)"
    ],
    "example_no_match.yaml": [
        "example_no_match.yaml:26:14: error: the pattern of rule 'capture.active' matches none of its 2 positive "
        "examples (example-no-match)"
    ],
    "bad_regex.yaml": [
        "bad_regex.yaml:26:43: error: regular expression /(a+)\\1/ cannot run on the linear-time engine (re2): "
        "invalid escape sequence: \\1 (bad-regex)"
    ],
    "bad_pattern.yaml": [
        "bad_pattern.yaml:26:32: error: bad pattern: unknown slot '{place}': use {actor1}, {actor2} or {location} "
        "(bad-pattern)"
    ],
    "undefined_reference.yaml": [
        "undefined_reference.yaml:29:54: error: actor code 'ISIL' is not defined (undefined-reference)"
    ],
    "undefined_event_type.yaml": [
        "undefined_event_type.yaml:25:17: error: event type 'captured' is not defined (defined: capture) "
        "(undefined-reference)"
    ],
    "acled_type.yaml": ["acled_type.yaml:8:27: error: 'Attack' is not a sub-event type of 'Battles' (acled-type)"],
    "undefined_state.yaml": [
        "undefined_state.yaml:19:20: error: 'XYZ' is not an ISO 3166-1 alpha-3 country code (undefined-reference)",
        "undefined_state.yaml:24:37: error: unknown placeholder '{contry}': use {country}, {demonym} or {capital} "
        "(undefined-reference)",
    ],
    "bad_cameo.yaml": ["bad_cameo.yaml:6:12: error: '1999' is not a CAMEO event code (bad-cameo)"],
    "gazetteer_place.yaml": [
        "gazetteer_place.yaml:19:11: error: 'Kyaukphyuu' is not a place of the gazetteer (nearest: Kyaukpyu): a "
        "place with 'gazetteer: true' must be one (gazetteer-place)"
    ],
    "codebook_name.yaml": [
        "codebook_name.yaml:2:11: warning: this codebook calls itself 'default' 0.3.0, as the shipped codebook does, "
        "but it is not the shipped codebook: records and reports could not be told apart; give it a name and "
        'version of its own (codebook: mine, version: "1") (codebook-name)'
    ],
    "costly_rule.yaml": [
        "costly_rule.yaml:26:14: warning: rule 'capture.active' has 4 gaps ('...'), each skipping up to 12 words: on "
        "a long sentence it can try 28,561 ways from each trigger, more than the matcher's 5,000, and such sentences "
        "are matched only in part (coder run counts them as cut short); use fewer gaps, or the words between "
        "(costly-rule)"
    ],
    "place_country.yaml": [
        "place_country.yaml:21:14: error: 'Syria' is not the country of IRQ (Iraq) (place-country)",
        "place_country.yaml:26:11: error: 'XXX' is not an ISO 3166 country code (place-country)",
    ],
    "example_expect.yaml": [
        "example_expect.yaml:30:9: error: example has no expected record: add 'expect:' with the record(s) it must "
        "give, "
        "or 'expect: none' for a near miss (example-expect)"
    ],
    "example_coverage.yaml": [
        "example_coverage.yaml:28:7: warning: rule 'capture.active' has no near-miss example with 'expect: none' "
        "(example-coverage)"
    ],
    "broad_rule.yaml": [
        "broad_rule.yaml:36:14: warning: rule 'capture.said' would match almost every sentence: it needs one slot and "
        "only the commonest words; add a specific verb or noun (broad-rule)"
    ],
    "shadowed_rule.yaml": [
        "shadowed_rule.yaml:36:14: warning: rule 'capture.again' has the same pattern and event type as rule "
        "'capture.active' (line 24): it can never add a record (shadowed-rule)"
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_check_reports_its_exact_position(name):
    assert lint(name) == EXPECTED[name]


def test_every_fixture_is_listed_and_every_check_has_a_fixture():
    assert {p.name for p in LINT.glob("*.yaml")} == set(EXPECTED)
    reported = {line.rsplit("(", 1)[1].rstrip(")") for lines in EXPECTED.values() for line in lines}
    assert {m.ID for m in LOAD_CHECKS + LINT_CHECKS} <= reported


def test_shadowed_by_a_rule_that_always_wins(tmp_path):
    text = (
        (LINT / "clean.yaml")
        .read_text()
        .replace(
            '    pattern: "{actor1} capture {location}"\n',
            '    pattern: "{actor1} capture {location}"\n',
            1,
        )
        + """  - id: capture.short
    event_type: capture
    pattern: "capture {location}"
    examples:
      - text: Islamic State captured Rawa.
        expect: {location: Rawa}
"""
    )
    path = tmp_path / "cb.yaml"
    path.write_text(text)
    found = [str(f).replace(str(path), "cb.yaml") for f in lint_codebook(path)]
    assert (
        "cb.yaml:36:14: warning: rule 'capture.short' gives no record on any example: all 3 of its matches are "
        "taken by other rules (most often 'capture.active') (shadowed-rule)" in found
    )


def test_exit_status_and_summary():
    assert run("codebook", "lint", str(LINT / "clean.yaml")) == (0, "", "1 codebook: 0 errors, 0 warnings\n")
    code, out, err = run("codebook", "lint", str(LINT / "example_coverage.yaml"), str(LINT / "bad_cameo.yaml"))
    assert code == 1
    assert len(out.splitlines()) == 2
    assert err == "2 codebooks: 1 error, 1 warning\n"
    assert run("codebook", "lint", str(LINT / "example_coverage.yaml"))[0] == 0  # warnings only


def test_json_format_for_editors():
    code, out, _ = run("codebook", "lint", "--format", "json", str(LINT / "bad_cameo.yaml"))
    assert code == 1
    assert json.loads(out) == [
        {
            "path": str(LINT / "bad_cameo.yaml"),
            "line": 6,
            "column": 12,
            "level": "error",
            "check": "bad-cameo",
            "field": "event_types.capture.cameo",
            "message": "'1999' is not a CAMEO event code",
        }
    ]


def test_unreadable_and_invalid_yaml(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("codebook: [unclosed\n")
    found = [str(f).replace(str(tmp_path) + "/", "") for f in lint_codebook(bad)]
    assert len(found) == 1 and found[0].startswith("bad.yaml:2:1: error: ") and found[0].endswith("(yaml-syntax)")
    missing = [str(f) for f in lint_codebook(tmp_path / "nope.yaml")]
    assert missing == [
        f"{tmp_path / 'nope.yaml'}: error: cannot open codebook: No such file or directory (codebook-io)"
    ]


def test_shipped_codebook_lints_clean():
    assert lint_codebook() == []


def test_a_codebook_with_a_regex_codes_text(tmp_path):
    text = (
        (LINT / "clean.yaml")
        .read_text()
        .replace('"{actor1} capture {location}"', '"{actor1} capture {location} (after /[0-9]+/ days)"')
    )
    path = tmp_path / "cb.yaml"
    path.write_text(text)
    from coder.codebook import load_codebook
    from coder.match.compile import compile_codebook
    from coder.pipeline import code_document
    from coder.text.document import Document

    compiled = compile_codebook(load_codebook(path))
    records, _ = code_document(compiled, Document("d", "Islamic State captured Rawa after 12 days of fighting."))
    assert [r.matched_text for r in records] == ["Islamic State captured Rawa after 12 days"]


# -- large codebooks (issue 19, item 14)


def _copies(tmp_path, n: int) -> Path:
    """The shipped codebook with every rule copied ``n`` times (new ids), as
    an author starting a big codebook from the shipped one writes it."""
    import re

    path = shipped_copy(tmp_path / f"copies{n}", f"copies{n}.yaml")
    for part in sorted((tmp_path / f"copies{n}" / "default" / "rules").glob("*.yaml")):
        head, rules = part.read_text().split("\nrules:\n")
        blocks = [b for b in re.split(r"(?m)^(?=  - id: )", rules) if b.startswith("  - id: ")]
        out = [re.sub(r"^  - id: (\S+)", rf"  - id: \1.copy{k}", b, count=1) for k in range(n) for b in blocks]
        part.write_text(head + "\nrules:\n" + "".join(out))
    return path


def test_lint_work_grows_linearly_with_the_rules(tmp_path, monkeypatch):
    """Each example was matched against every rule sharing its verb: twice
    the rules took four times the matching (2,000 rules: 131 s).  Counted in
    rule matches tried, not in seconds."""
    import coder.match.engine as engine

    calls = {"n": 0}
    real = engine.match_rule

    def counted(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "match_rule", counted)
    tried, found = [], []
    for n in (4, 8):
        calls["n"] = 0
        found.append(lint_codebook(_copies(tmp_path, n)))
        tried.append(calls["n"])
    assert tried[1] <= 2.2 * tried[0], tried
    # the same findings as ever: each copy has the same pattern as the first
    shadowed = [f for f in found[1] if f.check == "shadowed-rule"]
    blocks = len([f for f in found[0] if f.check == "shadowed-rule"]) // 3
    assert len(shadowed) == 7 * blocks
    assert shadowed[0].problem.message.startswith("rule 'capture.active.copy1' has the same pattern and event type "
                                                  "as rule 'capture.active.copy0' (line ")

"""A broken codebook gives one clear line per problem: path:line:col: field: message."""

import textwrap

import pytest

from coder.codebook import load_codebook
from coder.errors import CodebookError

MINIMAL = """\
codebook: mini
version: "1"
event_types:
  capture:
    cameo: "192"
    acled_event_type: Battles
    acled_sub_event_type: Non-state actor overtakes territory
actors:
  - code: IMGISIS
    name: Islamic State
    inter: 2
    aliases: [Islamic State, {text: IS, case_sensitive: true}]
places:
  - name: Rawa
    geo_precision: 1
rules:
  - id: capture.active
    event_type: capture
    pattern: "{actor1} capture {location}"
    examples:
      - text: Islamic State captured Rawa.
        expect: {actor1: Islamic State, location: Rawa}
"""


def problems(tmp_path, text):
    path = tmp_path / "cb.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert info.value.exit_code == 2
    return [str(p).replace(str(path), "cb.yaml") for p in info.value.problems]


def test_minimal_codebook_loads(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(MINIMAL)
    cb = load_codebook(path)
    assert [r.id for r in cb.rules] == ["capture.active"]
    assert cb.actors[0].aliases[1].case_sensitive is True


def test_unknown_key(tmp_path):
    text = MINIMAL.replace("    event_type: capture\n", "    event_type: capture\n    patern: x\n")
    assert problems(tmp_path, text) == ["cb.yaml:19:5: rules[0].patern: unknown key 'patern' (did you mean 'pattern'?)"]


def test_wrong_type(tmp_path):
    text = MINIMAL.replace("    inter: 2\n", "    inter: two\n")
    assert problems(tmp_path, text) == ["cb.yaml:11:12: actors[0].inter: expected an integer, got string 'two'"]


def test_missing_field(tmp_path):
    text = MINIMAL.replace("    name: Islamic State\n", "")
    assert problems(tmp_path, text) == ["cb.yaml:9:5: actors[0]: missing required key 'name'"]


def test_duplicate_rule_id(tmp_path):
    rule = MINIMAL[MINIMAL.index("  - id: capture.active"):]
    assert problems(tmp_path, MINIMAL + rule) == [
        "cb.yaml:23:9: rules[1].id: duplicate rule id 'capture.active' (first at line 17)"]


def test_duplicate_yaml_key(tmp_path):
    text = MINIMAL.replace('version: "1"\n', 'version: "1"\nversion: "2"\n')
    assert problems(tmp_path, text) == ["cb.yaml:3:1: duplicate key 'version' (first at line 2)"]


def test_yaml_syntax_error(tmp_path):
    text = MINIMAL.replace("aliases: [Islamic State,", "aliases: [Islamic State")
    text = text.replace("case_sensitive: true}]", "case_sensitive: true}")
    assert problems(tmp_path, text) == [
        "cb.yaml:12:29: YAML syntax error: expected ',' or ']', but got '{' (while parsing a flow sequence)"]


def test_bad_pattern_points_into_the_pattern(tmp_path):
    text = MINIMAL.replace('"{actor1} capture {location}"', '"{actor1} capture {place}"')
    assert problems(tmp_path, text) == [
        "cb.yaml:19:32: rules[0].pattern: bad pattern: unknown slot '{place}': use {actor1}, {actor2} or {location}"]


def test_undefined_event_type(tmp_path):
    text = MINIMAL.replace("    event_type: capture\n", "    event_type: capturee\n")
    assert problems(tmp_path, text) == [
        "cb.yaml:18:17: rules[0].event_type: event type 'capturee' is not defined (defined: capture)"]


def test_unknown_cameo_code(tmp_path):
    text = MINIMAL.replace('cameo: "192"', 'cameo: "1999"')
    assert problems(tmp_path, text) == ["cb.yaml:5:12: event_types.capture.cameo: '1999' is not a CAMEO event code"]


def test_unquoted_number_where_a_string_is_needed(tmp_path):
    text = MINIMAL.replace('version: "1"', "version: 1.0")
    assert problems(tmp_path, text) == ["cb.yaml:2:10: version: expected a string, got number 1.0"]


def test_several_problems_are_all_reported_in_order(tmp_path):
    text = MINIMAL.replace("    inter: 2\n", "    inter: 9\n").replace("geo_precision: 1", "geo_precision: 5")
    assert problems(tmp_path, text) == [
        "cb.yaml:11:12: actors[0].inter: 9 is above the maximum 8",
        "cb.yaml:15:20: places[0].geo_precision: 5 is not allowed; use one of: 1, 2, 3",
    ]


def test_alias_bomb_is_rejected(tmp_path):
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    found = problems(tmp_path, "\n".join(lines) + "\n")
    assert len(found) == 1
    assert "expands to more than 250,000 values (alias bomb?)" in found[0]


def test_python_tags_are_refused(tmp_path):
    text = MINIMAL.replace('codebook: mini', 'codebook: !!python/object/apply:os.system ["echo hi"]')
    assert problems(tmp_path, text) == [
        "cb.yaml:1:11: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed in a codebook"]


def test_missing_file(tmp_path):
    with pytest.raises(CodebookError) as info:
        load_codebook(tmp_path / "nope.yaml")
    assert str(info.value.problems[0]).endswith("nope.yaml: cannot open codebook: No such file or directory")


def test_undecodable_codebook(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_bytes(MINIMAL.encode() + b"# caf\xe9\n")
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert str(info.value.problems[0]) == f"{path}:23: cannot decode as UTF-8: byte 0xe9 at offset {len(MINIMAL) + 5}"


def test_yes_and_no_stay_strings(tmp_path):
    text = MINIMAL.replace("aliases: [Islamic State,", "aliases: [no, yes, Islamic State,")
    cb = load_codebook(_write(tmp_path, text))
    assert [a.text for a in cb.actors[0].aliases][:2] == ["no", "yes"]


def _write(tmp_path, text):
    path = tmp_path / "cb.yaml"
    path.write_text(textwrap.dedent(text))
    return path

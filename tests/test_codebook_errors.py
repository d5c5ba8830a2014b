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
    [found] = problems(tmp_path, text)
    # the position and our words; the rest is PyYAML's (its wording is not ours to test)
    assert found.startswith("cb.yaml:12:29: YAML syntax error: ")


def test_bad_pattern_points_into_the_pattern(tmp_path):
    text = MINIMAL.replace('"{actor1} capture {location}"', '"{actor1} capture {place}"')
    assert problems(tmp_path, text) == [
        "cb.yaml:19:32: rules[0].pattern: bad pattern: unknown slot '{place}': use {actor1}, {actor2} or {location}"]


def test_undefined_event_type(tmp_path):
    text = MINIMAL.replace("    event_type: capture\n", "    event_type: capturee\n")
    assert problems(tmp_path, text) == [
        "cb.yaml:18:17: rules[0].event_type: event type 'capturee' is not defined (defined: capture)"]


def test_undefined_event_type_in_sides_from(tmp_path):
    text = MINIMAL.replace("    acled_sub_event_type: Non-state actor overtakes territory\n",
                           "    acled_sub_event_type: Non-state actor overtakes territory\n    sides_from: [captur]\n")
    assert problems(tmp_path, text) == [
        "cb.yaml:8:18: event_types.capture.sides_from[0]: event type 'captur' is not defined (defined: capture)"]


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
    assert found[0] == ("cb.yaml:1:45: aliases repeat more than 250,017 values (250,000 more than the file holds): "
                        "an alias bomb?")


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


# -- limits: any malformed codebook is a codebook error in every command (issue 19, items 8 and 14)


def _nested(depth: int) -> str:
    """MINIMAL with a description nested ``depth`` lists deep (flow style)."""
    return MINIMAL.replace('version: "1"\n', 'version: "1"\ndescription: ' + "[" * depth + "x" + "]" * depth + "\n")


def _long_number(digits: int) -> str:
    return MINIMAL.replace('version: "1"\n', 'version: "1"\nsettings:\n  max_gap: ' + "7" * digits + "\n")


LIMITS = [
    # nested 500 deep: coder's limit, where the 65th list starts
    (_nested(500), "cb.yaml:3:78: values are nested more than 64 levels deep"),
    (_long_number(4301), "cb.yaml:4:12: a number of 4,301 digits is too long to read"),
]


@pytest.mark.parametrize("text, message", LIMITS, ids=["nested 500", "4,301 digits"])
def test_a_codebook_beyond_a_limit_is_one_clear_problem(tmp_path, text, message):
    assert problems(tmp_path, text) == [message]


def test_a_codebook_nested_beyond_the_parsers_own_limit_is_the_same_problem(tmp_path):
    """5,000 levels: libyaml stops first (where depends on its version, so
    only the line is checked), and the pure-Python parser would recurse."""
    [found] = problems(tmp_path, _nested(5000))
    path, line, col, message = found.split(":", 3)
    assert (path, line, message) == ("cb.yaml", "3", " values are nested more than 64 levels deep")
    assert int(col) > 78


COMMANDS = {
    "run": ["run", "{corpus}", "-c", "{cb}", "-j", "1"],
    "explain": ["explain", "Islamic State captured Rawa.", "-c", "{cb}"],
    "eval": ["eval", "{gold}", "-c", "{cb}"],
    "codebook test": ["codebook", "test", "{cb}"],
    "codebook stats": ["codebook", "stats", "{cb}"],
    "codebook diff": ["codebook", "diff", "{good}", "{cb}", "{corpus}"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("text, message", LIMITS, ids=["nested 500", "4,301 digits"])
def test_every_command_reports_a_codebook_beyond_a_limit_in_one_line_with_status_2(tmp_path, command, text,
                                                                                     message):
    from typer.testing import CliRunner

    from coder.cli import app

    cb = tmp_path / "cb.yaml"
    cb.write_text(text)
    (tmp_path / "good.yaml").write_text(MINIMAL)
    (tmp_path / "news.jsonl").write_text('{"id": "a", "text": "Islamic State captured Rawa."}\n')
    (tmp_path / "gold.jsonl").write_text('{"id": "a", "text": "Islamic State captured Rawa.", "labels": []}\n')
    args = [a.format(cb=cb, good=tmp_path / "good.yaml", corpus=tmp_path / "news.jsonl", gold=tmp_path / "gold.jsonl")
            for a in COMMANDS[command]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {tmp_path}/{message}\n"


def test_lint_reports_a_codebook_beyond_a_limit_as_one_finding(tmp_path):
    from coder.authoring.lint import lint_codebook

    for text, message in LIMITS:
        (tmp_path / "cb.yaml").write_text(text)
        path, line, col, rest = message.split(":", 3)
        assert [str(f) for f in lint_codebook(tmp_path / "cb.yaml")] == [
            f"{tmp_path}/cb.yaml:{line}:{col}: error:{rest} (yaml-limit)"]


@pytest.mark.parametrize("command", [["run", "{corpus}", "-j", "1", "-c"], ["explain", "x", "-c"],
                                     ["codebook", "lint"], ["codebook", "test"]])
def test_a_device_as_codebook_is_refused_at_once(tmp_path, command):
    """`-c /dev/zero` read until MemoryError."""
    import subprocess
    import sys

    (tmp_path / "news.jsonl").write_text('{"id": "a", "text": "Islamic State captured Rawa."}\n')
    args = [a.format(corpus=tmp_path / "news.jsonl") for a in command] + ["/dev/zero"]
    result = subprocess.run([sys.executable, "-m", "coder", *args], capture_output=True, text=True, timeout=120,
                            check=False)
    message = "/dev/zero: cannot open codebook: not a regular file (a device, FIFO or socket)"
    if command[:2] == ["codebook", "lint"]:
        assert result.returncode == 1 and result.stdout == f"{message.replace(': c', ': error: c', 1)} (codebook-io)\n"
    else:
        assert result.returncode == 2 and result.stderr == f"error: {message}\n"


def test_a_codebook_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    from coder.codebook.load import MAX_CODEBOOK_BYTES

    path = tmp_path / "cb.yaml"
    with open(path, "wb") as f:
        f.truncate(MAX_CODEBOOK_BYTES + 1)  # sparse: nothing to read
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert str(info.value) == f"{path}: the codebook is 67,108,865 bytes, more than the 67,108,864 a codebook may have"


def test_a_big_codebook_without_aliases_is_not_an_alias_bomb(tmp_path):
    """Limits grow with the file: 20,000 actors (110,000 values, 2.2 MB) and
    300,000 values in one list load; only values repeated by aliases count."""
    actors = "".join(f"  - code: ZZA{i:07d}\n    name: Group {i}\n    inter: 2\n    aliases: [Group {i}, G{i} men]\n"
                     for i in range(20_000))
    text = MINIMAL.replace("actors:\n", "actors:\n" + actors)
    path = tmp_path / "cb.yaml"
    path.write_text(text)
    cb = load_codebook(path)
    assert len(cb.actors) == 20_001 and cb.actors[-1].code == "IMGISIS"
    names = ", ".join(f"IS{i}" for i in range(300_000))
    many = MINIMAL.replace("    aliases: [Islamic State,", f"    aliases: [{names}, Islamic State,")
    path.write_text(many)
    assert len(load_codebook(path).actors[0].aliases) == 300_002


# -- a codebook in several files (include) -----------------------------------------

# MINIMAL in three files: the main file keeps the name and event types, the
# sections after them go to parts/actors.yaml and parts/rules.yaml
SPLIT_MAIN = MINIMAL[:MINIMAL.index("actors:")] + "include:\n  - parts/actors.yaml\n  - parts/rules.yaml\n"
SPLIT_ACTORS = MINIMAL[MINIMAL.index("actors:"):MINIMAL.index("rules:")]
SPLIT_RULES = MINIMAL[MINIMAL.index("rules:"):]


def split(tmp_path, main=SPLIT_MAIN, actors=SPLIT_ACTORS, rules=SPLIT_RULES):
    (tmp_path / "parts").mkdir(exist_ok=True)
    (tmp_path / "cb.yaml").write_text(main)
    (tmp_path / "parts" / "actors.yaml").write_text(actors)
    (tmp_path / "parts" / "rules.yaml").write_text(rules)
    return tmp_path / "cb.yaml"


def split_problems(tmp_path, **texts):
    path = split(tmp_path, **texts)
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    return [str(p).replace(str(tmp_path) + "/", "") for p in info.value.problems]


def test_a_codebook_in_several_files_is_one_codebook(tmp_path):
    import hashlib

    from coder.codebook.files import file_digest

    path = split(tmp_path, rules=SPLIT_RULES + SPLIT_RULES.replace("rules:\n", "").replace(
        "capture.active", "capture.second").replace("capture {location}", "seize {location}"))
    cb = load_codebook(path)
    assert [r.id for r in cb.rules] == ["capture.active", "capture.second"]
    assert [a.code for a in cb.actors] == ["IMGISIS"] and [p.name for p in cb.places] == ["Rawa"]
    assert cb.includes == [str(tmp_path / "parts" / "actors.yaml"), str(tmp_path / "parts" / "rules.yaml")]
    parts = tmp_path / "parts"
    raw = b"".join(p.read_bytes() for p in (path, parts / "actors.yaml", parts / "rules.yaml"))
    assert cb.sha256 == hashlib.sha256(raw).hexdigest() == file_digest(path)
    # the main file's items come first, then each included file's
    main = SPLIT_MAIN.replace("include:", "rules:\n" + SPLIT_RULES.split("rules:\n")[1].replace(
        "capture.active", "capture.main") + "include:")
    assert [r.id for r in load_codebook(split(tmp_path, main=main)).rules] == ["capture.main", "capture.active"]


def test_a_problem_in_an_included_file_names_that_file(tmp_path):
    bad = SPLIT_RULES.replace("{actor1} capture {location}", "{actor1} capture {place}")
    assert split_problems(tmp_path, rules=bad) == [
        "parts/rules.yaml:4:32: rules[0].pattern: bad pattern: unknown slot '{place}': use {actor1}, {actor2} or "
        "{location}"]
    assert split_problems(tmp_path, actors=SPLIT_ACTORS.replace("inter: 2", "inter: two")) == [
        "parts/actors.yaml:4:12: actors[0].inter: expected an integer, got string 'two'"]
    assert split_problems(tmp_path, rules=SPLIT_RULES.replace("    pattern:", "    patern:")) == [
        "parts/rules.yaml:2:5: rules[0]: missing required key 'pattern'",
        "parts/rules.yaml:4:5: rules[0].patern: unknown key 'patern' (did you mean 'pattern'?)"]
    (syntax,) = split_problems(tmp_path, rules=SPLIT_RULES.replace("  - id:", "  - id: ["))
    assert syntax.startswith("parts/rules.yaml:3:15: YAML syntax error: ")  # the rest is the YAML parser's


def test_a_rule_id_in_two_files_says_where_the_first_is(tmp_path):
    main = SPLIT_MAIN.replace("include:", "rules:\n" + SPLIT_RULES.split("rules:\n")[1] + "include:")
    assert split_problems(tmp_path, main=main) == [
        "parts/rules.yaml:2:9: rules[1].id: duplicate rule id 'capture.active' (first at line 9 of cb.yaml)"]


def test_what_an_included_file_may_hold(tmp_path):
    assert split_problems(tmp_path, actors="codebook: other\nactor:\n  - x\n" + SPLIT_ACTORS) == [
        "parts/actors.yaml:1:1: codebook: 'codebook' may stand only in the main codebook file",
        "parts/actors.yaml:2:1: actor: unknown key 'actor' (did you mean 'actors'?)"]
    assert split_problems(tmp_path, actors="- code: X\n") == [
        "parts/actors.yaml:1:1: an included file holds codebook sections (actors:, rules:, ...), got list"]
    assert split_problems(tmp_path, actors=SPLIT_ACTORS + "include: [more.yaml]\n") == [
        "parts/actors.yaml:9:1: include: an included file cannot include others: name every file in the main "
        "file's 'include'"]
    assert split_problems(tmp_path, rules="rules:\n  id: x\n") == [
        "parts/rules.yaml:2:3: rules: expected a list, got mapping {'id': 'x'}"]
    twice = SPLIT_ACTORS.replace("actors:", "event_types:\n  capture: {}\nactors:")
    assert split_problems(tmp_path, actors=twice) == [
        "parts/actors.yaml:2:3: event_types.capture: duplicate key 'capture' (first at line 4 of cb.yaml)"]


def test_an_include_that_cannot_be_read(tmp_path):
    main = SPLIT_MAIN + "  - parts/gone.yaml\n  - parts/rules.yaml\n  - cb.yaml\n"
    assert split_problems(tmp_path, main=main) == [
        "cb.yaml:11:5: include[2]: cannot open included file 'parts/gone.yaml': no such file",
        "cb.yaml:12:5: include[3]: 'parts/rules.yaml' is included twice (or is the main file)",
        "cb.yaml:13:5: include[4]: 'cb.yaml' is included twice (or is the main file)"]
    assert split_problems(tmp_path, main=SPLIT_MAIN.replace("  - parts/rules.yaml\n", "  - 7\n")) == [
        "cb.yaml:1:1: missing required key 'rules'",  # its rules were in the file not included
        "cb.yaml:10:5: include[1]: expected a string, got integer 7"]


def test_the_cue_kinds_are_the_schemas():
    """coder codebook stats and suggest tell a cue's reason by the kinds the
    model lists: they are the keys the codebook schema allows under cues."""
    from coder.codebook.load import codebook_schema
    from coder.codebook.model import CUE_KINDS

    assert set(CUE_KINDS) == set(codebook_schema()["properties"]["cues"]["properties"])

"""`coder codebook test`, `coder explain`, `coder codebook diff`, `stats` and
`schema`: exact output where it is a contract."""

import json
from pathlib import Path

from shipped import edit, shipped_copy
from typer.testing import CliRunner

from coder.cli import app
from coder.codebook import load_codebook

ROOT = Path(__file__).resolve().parents[1]
LINT = ROOT / "tests" / "data" / "lint"
SAMPLES = str(ROOT / "samples")


def run(*args):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _write(tmp_path, text, name="cb.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


# -- coder codebook test --------------------------------------------------------

def test_codebook_test_passes_the_shipped_codebook():
    code, out, _ = run("codebook", "test")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("capture.active ") and lines[0].endswith("passed")
    cb = load_codebook()
    n = sum(len(r.examples) for r in cb.rules)
    assert lines[-1].startswith(f"{n} passed, 0 failed, {len(cb.rules)} rules in ")


def test_codebook_test_shows_expected_and_actual_side_by_side(tmp_path):
    text = (LINT / "clean.yaml").read_text().replace(
        "expect: {actor1: Iraqi forces, location: Qaim}", "expect: {actor1: Islamic State, location: Qaim}")
    path = _write(tmp_path, text)
    code, out, _ = run("codebook", "test", str(path))
    assert code == 1
    out = out.replace(str(path), "cb.yaml")
    body, summary = out.rsplit("\n\n", 1)
    assert body == """\
capture.active .F.  2 passed, 1 failed

FAILURES

___ capture.active example 2 (cb.yaml:30:9) ___
  sentence: Iraqi troops captured Qaim on Friday.
  record 1 of 1:
    field     expected          actual
    rule_id   'capture.active'  'capture.active'
    actor1    'Islamic State'   'Iraqi forces'   <- differs
    location  'Qaim'            'Qaim'"""
    assert summary.startswith("2 passed, 1 failed, 1 rules in ")


def test_codebook_test_reports_a_near_miss_that_codes(tmp_path):
    text = (
        (LINT / "clean.yaml").read_text().replace("The capture of Rawa took weeks.", "Islamic State did capture Rawa.")
    )
    code, out, _ = run("codebook", "test", str(_write(tmp_path, text)))
    assert code == 1
    assert (
        """  sentence: Islamic State did capture Rawa.
  expected: no event
  unexpected record:
    rule_id: 'capture.active'
    event_type: 'capture'
    actor1: 'Islamic State'
    actor2: ''
    location: 'Rawa'
    event_date: ''"""
        in out
    )


def test_codebook_test_filters_by_rule_and_fails_when_nothing_ran():
    code, out, _ = run("codebook", "test", "-k", "offensive.clash_b")
    assert code == 0 and out.splitlines()[0].startswith("offensive.clash_between ...")
    assert len(out.split("\n\n")) == 2  # one rule line, then the summary
    assert run("codebook", "test", "-k", "nope")[0] == 1


# -- coder explain ---------------------------------------------------------------


def test_explain_a_sentence_step_by_step():
    code, out, _ = run(
        "explain",
        "Islamic State did not capture Rawa on Friday. Iraqi forces recaptured the town "
        "of al-Qaim from Islamic State on Friday.",
        "--doc-date",
        "2017-11-03",
    )
    assert code == 0
    assert "\x1b[" not in out  # no colour when not a terminal
    assert out.startswith("document cli (dated 2017-11-03), codebook default: 2 sentences\n")
    assert (
        """sentence 1: Islamic State did not capture Rawa on Friday.
  found:
    actor Islamic State [IMGISIS]: 'Islamic State' (tokens 1-2, alias 'Islamic State')
    place Rawa: 'Rawa' (token 6, alias 'Rawa')
  date: 'on Friday' -> 2017-11-03 (time precision 1)
  rule capture.active (capture): 'Islamic State did not capture Rawa'"""
        in out
    )
    assert "    dropped: negation cue 'not' at token 4\n" in out
    assert (
        "    slots: actor1: Iraqi forces; actor2: Islamic State; location: al-Qaim ('town of al-Qaim')\n    kept\n"
        in out
    )
    assert "    place al-Qaim: 'town of al-Qaim' (tokens 5-7, alias 'al-Qaim')\n" in out
    assert out.endswith("\n1 record\n")


def test_explain_json_for_tools():
    code, out, _ = run("explain", "Islamic State would attack Iraqi forces.", "--format", "json")
    assert code == 0
    data = json.loads(out)
    (sentence,) = data["sentences"]
    kept = [c for c in sentence["candidates"] if c["rule_id"] == "offensive.attack"]
    assert kept[0]["status"] == "dropped" and kept[0]["reason"] == "modality cue 'would' at token 3"
    assert data["records"] == []


def test_explain_says_when_an_anchor_word_has_no_rule_with_all_its_words():
    # "launched" starts offensive.launch, offensive.carry_out and others, each of
    # which needs a word of armed action (offensive, strikes, rockets); with none,
    # the sentence is not matched at all (and costs no actor or place search).
    code, out, _ = run("explain", "The firm launched a new phone in Mosul.")
    assert code == 0
    assert (
        "\n  anchor word 'launched' occurs, but each rule it starts needs a word this sentence lacks: not matched\n"
        in out
    )
    code, out, _ = run("explain", "The firm launched a new phone in Mosul.", "--format", "json")
    (sentence,) = json.loads(out)["sentences"]
    assert (sentence["triggered"], sentence["anchors"], sentence["mentions"]) == (False, ["launched"], [])
    code, out, _ = run("explain", "Mosul fell to Islamic State.", "--format", "json")
    (sentence,) = json.loads(out)["sentences"]
    assert sentence["triggered"] and sentence["anchors"] == []
    assert [c["rule_id"] for c in sentence["candidates"] if c["status"] == "kept"] == ["capture.fall"]


def test_explain_a_document_of_a_corpus():
    code, out, _ = run("explain", "--doc", "reuters-2017-11-03-albu-kamal", SAMPLES)
    assert code == 0
    assert out.startswith("document reuters-2017-11-03-albu-kamal (dated 2017-11-03), codebook default: 11 sentences")
    assert out.endswith("\n10 records\n")
    assert "sentence 4: " in out and "no rule's anchor word occurs: not matched" in out
    code, _, err = run("explain", "--doc", "nope", SAMPLES)
    assert code == 1 and err == f"error: {SAMPLES}: --doc: no document with id 'nope' in the corpus\n"


def test_explain_colour_on_request():
    _, out, _ = run("explain", "Iraqi forces attacked Rawa.", "--colour")
    assert "\x1b[32mkept\x1b[0m" in out


# -- coder codebook diff -----------------------------------------------------------


def test_diff_reports_changes_per_rule(tmp_path):
    new = shipped_copy(tmp_path, "new.yaml")
    rules = tmp_path / "default" / "rules" / "offensive.yaml"
    edit(rules, "- id: offensive.fight\n", "- id: offensive.fight2\n")
    edit(rules, "[attack|assault|storm|shell|bomb|bombard|raid|ambush|target|strike|pound|hit] {actor2}",
         "[attack|assault|storm|shell|bomb|bombard|raid|ambush|target|strike|pound|hit|plan to attack] {actor2}")
    corpus = _write(
        tmp_path,
        "\n".join(
            json.dumps(d)
            for d in [
                {"id": "a", "text": "Houthi fighters clashed with Yemeni government forces."},
                {"id": "b", "text": "Iraqi forces plan to attack Islamic State in Rawa."},
                {"id": "c", "text": "Nothing happened."},
            ]
        )
        + "\n",
        "corpus.jsonl",
    )
    code, out, _ = run("codebook", "diff", str(ROOT / "codebooks" / "default.yaml"), str(new), str(corpus))
    assert code == 0
    assert (
        out.replace(str(ROOT) + "/", "").replace(str(tmp_path) + "/", "")
        == """\
old: codebooks/default.yaml
new: new.yaml
corpus: 3 documents
records: 1 -> 2 (1 added, 0 removed, 1 changed, 0 unchanged)

rule              added  removed  changed
offensive.attack      1        0        0
offensive.fight2      0        0        1

changed fields: rule_id (1)

added by offensive.attack (1, showing 1):
  b sentence 1: Iraqi forces plan to attack Islamic State in Rawa.
    + offensive: Iraqi forces / Islamic State / Rawa (no date)

changed by offensive.fight2 (1, showing 1):
  a sentence 1: Houthi fighters clashed with Yemeni government forces.
    rule_id: 'offensive.fight' -> 'offensive.fight2'
"""
    )
    code, out, _ = run(
        "codebook",
        "diff",
        "--format",
        "json",
        "--exit-code",
        str(ROOT / "codebooks" / "default.yaml"),
        str(new),
        str(corpus),
    )
    assert code == 1
    data = json.loads(out)
    assert (data["added"], data["removed"], data["changed"]) == (1, 0, 1)
    assert data["by_rule"]["offensive.attack"] == {"added": 1, "removed": 0, "changed": 0}


def test_diff_of_a_codebook_with_itself_is_empty():
    default = str(ROOT / "codebooks" / "default.yaml")
    code, out, _ = run("codebook", "diff", "--exit-code", default, default, SAMPLES)
    assert code == 0
    assert out.splitlines()[-2:] == ["records: 20 -> 20 (0 added, 0 removed, 0 changed, 20 unchanged)", "no difference"]


def test_pairing_prefers_the_same_place():
    from coder.authoring.diff import pair_records
    from coder.events.record import Record

    old = [
        Record(sentence_index=1, event_type="capture", location="Rawa", actor1="A", rule_id="r"),
        Record(sentence_index=1, event_type="capture", location="Qaim", actor1="A", rule_id="r"),
    ]
    new = [Record(sentence_index=1, event_type="capture", location="Qaim", actor1="B", rule_id="r")]
    changes = pair_records(old, new)
    assert [(c.kind, c.old.location if c.old else None, c.fields) for c in changes] == [
        ("changed", "Qaim", ("actor1",)),
        ("removed", "Rawa", ()),
    ]


# -- coder codebook stats / schema ----------------------------------------------------


def test_stats_of_the_codebook_and_on_a_corpus():
    code, out, _ = run("codebook", "stats")
    assert code == 0
    cb = load_codebook()
    assert f"  rules               {len(cb.rules)}\n" in out
    assert f"  examples            {sum(len(r.examples) for r in cb.rules)}\n" in out
    code, out, _ = run("codebook", "stats", "--format", "json", str(ROOT / "codebooks" / "default.yaml"), SAMPLES)
    data = json.loads(out)["corpus"]
    assert data["documents"] == 7 and data["records"] == 20
    assert sum(r["records"] for r in data["rules"].values()) == 20
    assert data["sentences_triggered"] == data["sentences_with_records"] + data["sentences_triggered_without_record"]
    assert "capture.fall" in data["never_fired"]
    assert all(m["candidates"] for m in data["near_misses"])


def test_schema_command_prints_the_shipped_schema():
    code, out, _ = run("codebook", "schema")
    assert code == 0
    assert json.loads(out) == json.loads((ROOT / "schemas" / "codebook.schema.json").read_text())
    code, out, _ = run("codebook", "schema", "--path")
    assert Path(out.strip()).name == "codebook.schema.json" and Path(out.strip()).exists()


def test_shipped_codebook_names_its_schema_for_editors():
    first = (ROOT / "codebooks" / "default.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/codebook.schema.json"


# -- coder codebook suggest -----------------------------------------------------

SUGGEST_CORPUS = [
    {"id": "a1", "date": "2024-03-02",
     "text": "Malian soldiers arrested twelve men in Gao on Friday. Houthi fighters captured Marib on Saturday."},
    {"id": "a2", "date": "2024-03-02",
     "text": "Nigerian troops arrested a suspect near Maiduguri. Prices rose sharply in Mosul."},
    {"id": "a3", "date": "2024-03-02", "text": "Chadian police arrested two Boko Haram members."},
    {"id": "a4", "date": "2024-03-02",
     "text": "Syrian troops patrolled the streets of Aleppo. The army did not capture Kidal."},
]


def _suggest_corpus(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in SUGGEST_CORPUS))
    return str(path)


def test_suggest_groups_probable_misses_by_linking_word(tmp_path):
    corpus = _suggest_corpus(tmp_path)
    code, out, _ = run("codebook", "suggest", corpus)
    assert code == 0
    assert out == f"""{corpus}: 4 documents, 7 sentences, 1 with records (codebook default)
probable misses: 5 sentences with an armed actor and a place, or two armed actors, and no record
  1 of them left out: a cue or an exclusion dropped a match (the codebook's decision; --include-held-back shows them)

by linking word, most sentences first (paste a stub into a rule, then `coder codebook test`):

  1. arrest: 3 sentences (actor and place 2, two actors 1)
     pattern: "{{actor1}} [arrest] ... {{location}}"
     a1 sentence 1: Malian soldiers arrested twelve men in Gao on Friday.
     a2 sentence 1: Nigerian troops arrested a suspect near Maiduguri.
     a3 sentence 1: Chadian police arrested two Boko Haram members.

  2. patrol: 1 sentence (actor and place 1)
     pattern: "{{actor1}} [patrol] ... {{location}}"
     a4 sentence 1: Syrian troops patrolled the streets of Aleppo.
"""


def test_suggest_json_held_back_top_and_examples(tmp_path):
    corpus = _suggest_corpus(tmp_path)
    code, out, _ = run("codebook", "suggest", corpus, "--include-held-back", "--top", "2", "--examples", "1",
                       "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["probable_misses"], data["held_back"], data["sentences_with_records"]) == (5, 0, 1)
    assert [(g["word"], g["sentences"], g["pattern_stub"]) for g in data["groups"]] == [
        ("arrest", 3, "{actor1} [arrest] ... {location}"),
        ("capture", 1, "{actor1} ... [capture] {location}"),
    ]
    assert data["groups"][0]["examples"] == [
        {"doc_id": "a1", "sentence_index": 1, "sentence": "Malian soldiers arrested twelve men in Gao on Friday."}]


def test_suggest_pasted_stub_makes_a_rule_that_codes_the_group(tmp_path):
    # the stub, pasted into a rule of a copy of the shipped codebook, codes the sentences it came from
    from coder.api import load_codebook as load_api

    path = shipped_copy(tmp_path)
    rule = ('  - id: consolidation.patrol_test\n    event_type: consolidation\n'
            '    pattern: "{actor1} [patrol] ... {location}"\n'
            '    examples:\n      - text: Syrian troops patrolled the streets of Aleppo.\n'
            '        expect: {event_type: consolidation}\n')
    edit(tmp_path / "default" / "rules" / "consolidation.yaml", "\nrules:\n", "\nrules:\n" + rule)
    cb = load_api(path)
    recs = list(cb.code(["Syrian troops patrolled the streets of Aleppo."]))
    assert [(r.rule_id, r.actor1, r.location) for r in recs] == [
        ("consolidation.patrol_test", "Syrian government forces", "Aleppo")]


def test_lemma_of_linking_words():
    from coder.authoring.suggest import lemma

    words = ("arrested captured shelled stopped clashes strikes occupied took imposed released evacuated detained "
             "agreed besieged seized patrolled installed raided ambushed shelling fighting overran")
    assert [lemma(w) for w in words.split()] == [
        "arrest", "capture", "shell", "stop", "clash", "strike", "occupy", "take", "impose", "release", "evacuate",
        "detain", "agree", "besiege", "seize", "patrol", "install", "raid", "ambush", "shell", "fight", "overrun"]


def test_suggest_names_a_missing_corpus():
    code, out, err = run("codebook", "suggest", "no/such/corpus.jsonl")
    assert code == 1
    assert err == "skipped: no/such/corpus.jsonl: no such file or directory\n"
    assert out.startswith("no/such/corpus.jsonl: 0 documents (1 skipped), 0 sentences")


# -- explain: which variant set the types, and the place words the gazetteer does not know (issue 19, item 16)


def test_explain_says_which_variant_set_the_acled_types_and_why_the_others_did_not_hold(compiled):
    from coder.authoring.explain import explain_document, render
    from coder.text.document import Document

    expl = explain_document(compiled, Document("d", "Myanmar troops captured Kyaukpyu from the Arakan Army on "
                                                    "Monday.", "2024-01-10"))
    [sentence] = expl["sentences"]
    [how] = sentence["classified"]
    assert how["variant"] == 2
    assert how["variants"] == [
        {"variant": 1, "situation": "the place changes hands without fighting (withdrawal, handover, surrender)",
         "holds": False, "why": "none of its words occurs ('without (a) [fight|fighting|resistance|battle]', "
                                "'hand over', 'handover', 'surrender', ...)"},
        {"variant": 2, "situation": "the state's own forces (or forces fighting for it) take the place",
         "holds": True, "why": ""}]
    assert how["set_by"] == {
        "cameo_code": "event type 'capture'", "acled_event_type": "event type 'capture'",
        "acled_sub_event_type": "variant 2 of event type 'capture' (the state's own forces (or forces fighting for "
                                "it) take the place)"}
    text = render(expl)
    assert ("    variant 1 does not hold: none of its words occurs ('without (a) [fight|fighting|resistance|battle]', "
            "'hand over', 'handover', 'surrender', ...)\n    cameo_code from event type 'capture'\n"
            "    acled_event_type from event type 'capture'\n"
            "    acled_sub_event_type from variant 2 of event type 'capture'") in text


def test_explain_names_place_words_the_gazetteer_does_not_know_with_the_nearest_it_does(compiled):
    from coder.authoring.explain import explain_document, render
    from coder.text.document import Document

    expl = explain_document(compiled, Document("d", "Myanmar troops captured Kyaukphyu from the Arakan Army on "
                                                    "Monday.", "2024-01-10"))
    [sentence] = expl["sentences"]
    assert sentence["unknown_places"] == [{"text": "Kyaukphyu", "tokens": [4, 4], "nearest": ["Kyaukpyu"]}]
    assert "  not a place the gazetteer knows: 'Kyaukphyu' (nearest: Kyaukpyu)\n" in render(expl)
    # where the place was found, nothing is said
    expl = explain_document(compiled, Document("d", "Myanmar troops captured Kyaukpyu on Monday.", "2024-01-10"))
    assert expl["sentences"][0]["unknown_places"] == []


def test_explain_says_which_sentence_a_place_taken_from_the_story_came_from(compiled):
    from coder.authoring.explain import explain_document, render
    from coder.text.document import Document

    expl = explain_document(compiled, Document("d", "Islamist militants overran parts of Marawi on Tuesday. "
                                                    "Troops were battling the militants on Wednesday.", "2017-05-26"))
    first, second = expl["sentences"]
    assert "location" not in first["classified"][0]["set_by"]
    assert second["records"][0]["location"] == "Marawi"
    assert second["classified"][0]["set_by"]["location"] == (
        "sentence 1, the last event before it (this sentence names no place)")
    assert "    location from sentence 1, the last event before it (this sentence names no place)\n" in render(expl)

"""`coder eval`: scores on hand-made gold files, the JSON shape, --min-f1, and
that the development set in tests/data/dev/ is well-formed.

The scoring tests use a tiny codebook of their own, so that they do not move
when the shipped codebook grows.  No accuracy target is asserted on the
development set here.
"""

import csv
import json
from pathlib import Path

import pytest
import re2
from typer.testing import CliRunner

from coder.cli import app
from coder.codebook import load_codebook
from coder.errors import CoderError
from coder.evaluation.evaluate import NONE, evaluate
from coder.events.record import FIELDS
from coder.text.sentences import split_sentences

DEV = Path(__file__).resolve().parent / "data" / "dev"

CODEBOOK = """\
codebook: evaltest
version: "1"
event_types:
  capture:
    cameo: "192"
    acled_event_type: Battles
    acled_sub_event_type: Non-state actor overtakes territory
  offensive:
    cameo: "190"
    acled_event_type: Battles
    acled_sub_event_type: Armed clash
actors:
  - code: IMGISIS
    name: Islamic State
    inter: 2
    aliases: [Islamic State]
  - code: IRQMIL
    name: Iraqi forces
    inter: 1
    aliases: [Iraqi forces]
places:
  - name: Rawa
    latitude: 34.4664
    longitude: 41.9092
    geo_precision: 1
  - name: Mosul
    geo_precision: 1
rules:
  - id: capture.active
    event_type: capture
    pattern: "{actor1} capture {location}"
    examples:
      - text: Islamic State captured Rawa.
        expect: {actor1: Islamic State, location: Rawa}
  - id: offensive.attack
    event_type: offensive
    pattern: "{actor1} attack {location}"
    examples:
      - text: Islamic State attacked Rawa.
        expect: {actor1: Islamic State, location: Rawa}
"""

LABELS = [
    {"id": "d1", "text": "Iraqi forces captured Rawa.", "labels": ["capture"]},
    {"id": "d2", "text": "Iraqi forces attacked Mosul.", "labels": ["capture"]},
    {"id": "d3", "text": "Islamic State captured Mosul. Islamic State attacked Rawa.",
     "labels": ["capture", "capture"]},
    {"id": "d4", "text": "The weather was fine in Rawa.", "labels": ["offensive"]},
    {"id": "d5", "text": "Nothing happened.", "labels": []},
]

CORPUS = [
    {"id": "r1", "date": "2017-11-17", "text": "Iraqi forces captured Rawa on Friday."},
    {"id": "r2", "text": "Islamic State captured Mosul. Islamic State attacked Rawa."},
    {"id": "r3", "text": "Iraqi forces attacked Mosul."},
    {"id": "r4", "text": "A quiet day."},
    {"id": "r5", "text": "Islamic State captured Mosul and Rawa."},
]

RECORDS = """\
doc_id,event_type,actor1,location,event_date,latitude,note
r1,capture,re:(?i)iraqi.*,Rawa,2017-11-17,34.46640,re: and a number compared as a number
r1,capture,re:Iraqi,Rawa,,,a pattern must match the whole value: a miss
r2,capture,Islamic State,re:Mos.l,,,
r2,offensive,Islamic State,Mosul,,,near pair: the record is at Rawa
r3,capture,Iraqi forces,Mosul,,,confused with offensive
r5,capture,Islamic State,,,,matches both records of r5
r5,capture,,Mosul,,,matches only the Mosul record
"""


@pytest.fixture
def files(tmp_path):
    cb = tmp_path / "cb.yaml"
    cb.write_text(CODEBOOK)
    labels = tmp_path / "gold.jsonl"
    labels.write_text("".join(json.dumps(d) + "\n" for d in LABELS))
    corpus = tmp_path / "docs.jsonl"
    corpus.write_text("".join(json.dumps(d) + "\n" for d in CORPUS))
    records = tmp_path / "gold.csv"
    records.write_text(RECORDS)
    return {"cb": str(cb), "labels": str(labels), "corpus": str(corpus), "records": str(records)}


def run(*args):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def counts(report, event_type):
    c = report.by_type[event_type]
    return c.tp, c.fp, c.fn


# -- document labels --------------------------------------------------------------


def test_labels_scores_per_type_and_overall(files):
    report = evaluate(files["labels"], codebook=files["cb"])
    assert report.form == "labels" and report.documents == 5
    assert counts(report, "capture") == (2, 0, 1)  # d1, d3 (a repeated label counts once); d2 missed
    assert counts(report, "offensive") == (0, 2, 1)  # coded in d2 and d3; missed in d4
    c = report.by_type["capture"]
    assert (c.precision, c.recall, c.f1) == (1.0, pytest.approx(2 / 3), pytest.approx(0.8))
    o = report.overall
    assert (o.tp, o.fp, o.fn) == (2, 2, 2)
    assert (o.precision, o.recall, o.f1) == (0.5, 0.5, 0.5)
    assert report.macro == {"precision": 0.5, "recall": pytest.approx(0.3333, abs=1e-4),
                            "f1": pytest.approx(0.4)}


def test_labels_confusions_add_up_to_the_gold_and_coded_counts(files):
    report = evaluate(files["labels"], codebook=files["cb"])
    assert dict(report.confusions) == {
        ("capture", "capture"): 2,
        ("capture", "offensive"): 1,  # d2: a capture coded as an offensive
        (NONE, "offensive"): 1,  # d3: an offensive nobody expected
        ("offensive", NONE): 1,  # d4: nothing coded
    }
    for t in ("capture", "offensive"):
        c = report.by_type[t]
        assert sum(n for (g, _), n in report.confusions.items() if g == t) == c.tp + c.fn
        assert sum(n for (_, k), n in report.confusions.items() if k == t) == c.tp + c.fp


def test_labels_misses_and_extras_name_the_rules(files):
    report = evaluate(files["labels"], codebook=files["cb"])
    assert [(m["doc_id"], m["expected"], m["got"]) for m in report.misses] == [
        ("d2", "capture", ["offensive"]), ("d4", "offensive", [])]
    assert report.misses[0]["rule_ids"] == ["offensive.attack"]
    assert [(e["doc_id"], e["got"], e["rule_ids"]) for e in report.extras] == [
        ("d2", "offensive", ["offensive.attack"]), ("d3", "offensive", ["offensive.attack"])]
    assert report.extras[1]["records"][0]["sentence_index"] == 2
    assert report.extras[1]["expected"] == ["capture"]


# -- expected records -------------------------------------------------------------


def test_records_scores_with_patterns_and_a_maximum_pairing(files):
    report = evaluate(files["records"], codebook=files["cb"], corpus=files["corpus"])
    assert report.form == "records" and report.documents == 5 and report.coded_records == 6
    # r5: a first-come pairing would give the Mosul record to the first row
    # and leave the second unmatched; the maximum pairing matches both
    assert counts(report, "capture") == (4, 0, 2)
    assert counts(report, "offensive") == (0, 2, 1)
    o = report.overall
    assert (o.tp, o.fp, o.fn) == (4, 2, 3)
    assert (o.precision, o.recall, o.f1) == (pytest.approx(4 / 6), pytest.approx(4 / 7), pytest.approx(8 / 13))


def test_records_confusions_and_near_pairs(files):
    report = evaluate(files["records"], codebook=files["cb"], corpus=files["corpus"])
    assert dict(report.confusions) == {
        ("capture", "capture"): 4,
        ("capture", "offensive"): 1,  # r3: all other fields match
        ("capture", NONE): 1,  # r1 row 2: re:Iraqi does not match all of 'Iraqi forces'
        ("offensive", NONE): 1,  # r2: near pair, the location differs
        (NONE, "offensive"): 1,
    }
    assert dict(report.field_mismatches) == {"location": 1}
    misses = {m["line"]: m for m in report.misses}
    assert sorted(misses) == [3, 5, 6]
    assert misses[3]["got"] is None
    assert misses[5]["pair"] == "near" and misses[5]["differs"] == ["location"]
    assert misses[5]["got"]["location"] == "Rawa" and misses[5]["rule_id"] == "offensive.attack"
    assert misses[6]["pair"] == "confusion" and misses[6]["differs"] == ["event_type"]
    extras = {e["doc_id"]: e for e in report.extras}
    assert sorted(extras) == ["r2", "r3"]
    assert extras["r2"]["expected"] == {"event_type": "offensive", "actor1": "Islamic State", "location": "Mosul"}
    assert extras["r3"]["sentence"] == "Iraqi forces attacked Mosul."


def test_records_regex_is_a_full_match(files, tmp_path):
    gold = tmp_path / "one.csv"
    corpus = tmp_path / "one.jsonl"
    corpus.write_text(json.dumps(CORPUS[2]) + "\n")  # r3: Iraqi forces attacked Mosul
    for cell, tp in [("re:Iraqi", 0), ("re:Iraqi.*", 1), ("re:(?i)IRAQI FORCES", 1), ("Iraqi", 0),
                     ("re:", 0), (" Iraqi forces ", 1)]:
        gold.write_text(f"doc_id,event_type,actor1\nr3,offensive,{cell}\n")
        report = evaluate(str(gold), codebook=files["cb"], corpus=str(corpus))
        assert report.overall.tp == tp, cell


def test_records_empty_pattern_requires_an_empty_field(files, tmp_path):
    gold = tmp_path / "one.csv"
    gold.write_text("doc_id,event_type,actor1,admin1\nr3,offensive,Iraqi forces,re:\n")
    report = evaluate(str(gold), codebook=files["cb"], corpus=files["corpus"])
    assert counts(report, "offensive")[0] == 1


# -- the command ------------------------------------------------------------------


def test_json_output_shape(files):
    code, out, err = run("eval", files["labels"], "-c", files["cb"], "--format", "json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) == {"gold", "form", "corpus", "codebook", "documents", "gold_count", "coded_count",
                         "coded_records", "overall", "macro", "by_type", "confusions",
                         "field_mismatches", "misses", "extras", "min_f1", "passed"}
    assert data["form"] == "labels" and data["corpus"] is None
    assert data["codebook"] == {"name": "evaltest", "version": "1", "path": files["cb"]}
    assert list(data["by_type"]) == ["capture", "offensive"]
    assert data["by_type"]["capture"] == {"gold": 3, "coded": 2, "tp": 2, "fp": 0, "fn": 1,
                                          "precision": 1.0, "recall": 0.6667, "f1": 0.8}
    assert data["overall"]["f1"] == 0.5
    assert {"gold": "capture", "coded": "offensive", "count": 1} in data["confusions"]
    assert data["passed"] is True and data["min_f1"] is None

    code, out, _ = run("eval", files["records"], "--corpus", files["corpus"], "-c", files["cb"], "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["form"] == "records" and data["field_mismatches"] == {"location": 1}
    assert data["gold_count"] == 7 and data["coded_count"] == 6


def test_text_output(files):
    code, out, _ = run("eval", files["records"], "--corpus", files["corpus"], "-c", files["cb"], "--sample", "1")
    assert code == 0
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert "overall (micro) 7 6 4 2 3 0.667 0.571 0.615" in lines
    assert "capture 4 1 1" in lines  # the confusion row of capture: gold capture coded as ...
    assert "misses (3, 1 shown)" in out and "extras (2, 1 shown)" in out
    assert "fields that differ in near pairs" in out and "location 1" in out


def test_min_f1_sets_the_exit_status(files):
    assert run("eval", files["labels"], "-c", files["cb"], "--min-f1", "0.5")[0] == 0
    code, out, err = run("eval", files["labels"], "-c", files["cb"], "--min-f1", "0.6", "-f", "json")
    assert code == 1
    assert json.loads(out)["passed"] is False
    assert err == "overall F1 0.500 is below --min-f1 0.6\n"
    assert run("eval", files["labels"], "-c", files["cb"], "--min-f1", "1.5")[0] == 2


@pytest.mark.parametrize(
    "args, text, message",
    [
        (
            ["--corpus", "{corpus}"],
            "doc_id,event_type,actr1\nr1,capture,x\n",
            "gold.csv:1:3: actr1: unknown column 'actr1'",
        ),
        (
            ["--corpus", "{corpus}"],
            "doc_id,event_type\nr1,captur\n",
            "gold.csv:2: event_type: 'captur' is not an event type",
        ),
        (
            ["--corpus", "{corpus}"],
            "doc_id,event_type,actor1\nr1,capture,re:(\n",
            "gold.csv:2: actor1: bad regular expression '('",
        ),
        (
            ["--corpus", "{corpus}"],
            "doc_id,event_type\nzz,capture\n",
            "gold.csv:2: doc_id: document 'zz' is not in the corpus",
        ),
        (["--corpus", "{corpus}"], "event_type\ncapture\n", "gold.csv:1: doc_id: column is required"),
        ([], "doc_id,event_type\nr1,capture\n", "--corpus: a .csv gold file of expected records needs the documents"),
    ],
)
def test_bad_records_gold_files_stop_with_status_2(files, tmp_path, args, text, message):
    gold = tmp_path / "gold.csv"
    gold.write_text(text)
    args = [a.format(corpus=files["corpus"]) for a in args]
    code, out, err = run("eval", str(gold), "-c", files["cb"], *args)
    assert code == 2 and out == ""
    assert message in err.replace(str(tmp_path) + "/", "")


def test_bad_labels_gold_files_stop_with_status_2(files, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "a", "text": "x", "labels": ["capture", "fight"]}\n{"id": "b", "text": "y"}\n')
    with pytest.raises(CoderError) as info:
        evaluate(str(gold), codebook=files["cb"])
    assert info.value.exit_code == 2
    assert [str(p).replace(str(tmp_path) + "/", "") for p in info.value.problems] == [
        "gold.jsonl:1: labels[1]: 'fight' is not an event type of the codebook (capture, offensive)",
        "gold.jsonl:2: labels: is required: the list of event types the document reports ([] for none)",
    ]
    gold.write_text('{"id": "a", "text": "x", "labels": []}\n{"id": "a", "text": "y", "labels": []}\n')
    with pytest.raises(CoderError, match="document id 'a' is repeated"):
        evaluate(str(gold), codebook=files["cb"])
    code, _, err = run("eval", str(gold), "--corpus", files["corpus"])
    assert code == 2 and "--corpus is only for a .csv gold file" in err
    code, _, err = run("eval", str(tmp_path / "gold.txt"))
    assert code == 2 and "cannot tell the kind of gold file" in err


# -- the development set and the held-out set -----------------------------------

HELDOUT = Path(__file__).resolve().parent / "data" / "heldout"
#: (documents, expected records, keys every document has, at least this many documents)
SETS = {
    "dev": (DEV / "dev.jsonl", DEV / "dev_records.csv", {"family"}, 300),
    "heldout": (HELDOUT / "heldout.jsonl", HELDOUT / "heldout_records.csv", set(), 150),
}


def _docs(name: str):
    lines = SETS[name][0].read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _rows(name: str):
    with open(SETS[name][1], encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("name", SETS)
def test_set_is_well_formed(name):
    import datetime as dt

    docs = _docs(name)
    event_types = set(load_codebook().event_types)
    assert len(docs) >= SETS[name][3]
    ids = [d["id"] for d in docs]
    assert len(set(ids)) == len(ids)
    for d in docs:
        assert {"id", "date", "text", "labels", "country", "style"} | SETS[name][2] <= set(d), d["id"]
        dt.date.fromisoformat(d["date"])
        assert d["text"].strip() and "\n" not in d["text"]
        assert set(d["labels"]) <= event_types, d["id"]
        assert len(set(d["labels"])) == len(d["labels"]), d["id"]
        if "family" in d:
            assert d["family"].startswith("neg.") == (not d["labels"]), d["id"]
        assert d["style"] in ("wire", "acled")
    assert len({d["country"] for d in docs}) >= 10
    positive = sum(1 for d in docs if d["labels"]) / len(docs)
    assert 0.45 <= positive <= 0.65
    assert {t for d in docs for t in d["labels"]} == event_types
    assert any(d["style"] == "acled" for d in docs)


def test_dev_set_has_enough_sentences():
    assert sum(len(split_sentences(d["text"])) for d in _docs("dev")) >= 300


@pytest.mark.parametrize("name", SETS)
def test_records_agree_with_the_labels(name):
    docs = {d["id"]: d for d in _docs(name)}
    rows = _rows(name)
    assert rows and set(rows[0]) <= set(FIELDS) | {"note"}
    types: dict[str, set] = {}
    for row in rows:
        assert row["doc_id"] in docs, row
        types.setdefault(row["doc_id"], set()).add(row["event_type"])
        for cell in row.values():
            if cell.startswith("re:"):
                re2.compile(cell[3:])
        if row["event_date"]:
            assert row["event_date"] <= docs[row["doc_id"]]["date"], row
    for doc_id, d in docs.items():
        assert types.get(doc_id, set()) == set(d["labels"]), doc_id


@pytest.mark.parametrize("name", SETS)
def test_set_evaluates_in_both_forms(name):
    labels = evaluate(str(SETS[name][0]))
    records = evaluate(str(SETS[name][1]), corpus=str(SETS[name][0]))
    docs = _docs(name)
    assert labels.documents == records.documents == len(docs)
    assert labels.overall.tp + labels.overall.fn == sum(len(d["labels"]) for d in docs)
    assert records.overall.tp + records.overall.fn == len(_rows(name))


# -- fatalities -----------------------------------------------------------------

FATAL = [
    {"id": "k1", "text": "Iraqi forces captured Rawa, killing nine fighters.", "labels": ["capture"],
     "fatalities": 9, "count_reported": True},
    {"id": "k2", "text": "Islamic State attacked Mosul. Four soldiers and a policeman died.", "labels": ["offensive"],
     "fatalities": 6, "count_reported": True},
    {"id": "k3", "text": "Iraqi forces captured Mosul without a fight.", "labels": ["capture"],
     "fatalities": 0, "count_reported": False},
    {"id": "k4", "text": "A roadside bomb killed three guards near the bridge.", "labels": [],
     "fatalities": 3, "count_reported": True},
]


def test_fatalities_are_scored_when_the_gold_has_them(files, tmp_path):
    gold = tmp_path / "dead.jsonl"
    gold.write_text("".join(json.dumps(d) + "\n" for d in FATAL))
    report = evaluate(str(gold), codebook=files["cb"])
    d = report.to_dict()["fatalities"]
    # k2's gold says 6 where its text says 5 (a slip of the labeller: both views differ from it);
    # k4 has no record (a bomb is no event type of this codebook): 0 in the records view
    assert d["records"] == {"documents": 4, "reported": 3, "exact": 1, "exact_share": 0.3333,
                            "unreported": 1, "zero": 1, "zero_share": 1.0, "mae": 1.0}
    assert d["with_records"] == {"documents": 3, "reported": 2, "exact": 1, "exact_share": 0.5,
                                 "unreported": 1, "zero": 1, "zero_share": 1.0, "mae": 0.3333}
    assert d["counter"] == {"documents": 4, "reported": 3, "exact": 2, "exact_share": 0.6667,
                            "unreported": 1, "zero": 1, "zero_share": 1.0, "mae": 0.25}
    assert [(m["doc_id"], m["gold"], m["records"], m["counter"]) for m in report.fatality_misses] == [
        ("k2", 6, 5, 5), ("k4", 3, None, 3)]
    text = report.render()
    assert "counter alone (whole text)                   4         3      2  0.667" in text
    assert "  k4: gold 3, no record, counter 3 ('killed three guards')" in text


def test_no_fatalities_in_the_gold_no_fatality_scores(files):
    assert "fatalities" not in evaluate(files["labels"], codebook=files["cb"]).to_dict()


def test_bad_fatalities_stop_with_status_2(files, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "a", "text": "x", "labels": [], "fatalities": -1}\n'
                    '{"id": "b", "text": "y", "labels": [], "fatalities": 2, "count_reported": "yes"}\n')
    with pytest.raises(CoderError) as info:
        evaluate(str(gold), codebook=files["cb"])
    assert [str(p).replace(str(tmp_path) + "/", "") for p in info.value.problems] == [
        "gold.jsonl:1: fatalities: must be a whole number of 0 or more",
        "gold.jsonl:2: count_reported: must be true or false",
    ]


# -- the blind sets ---------------------------------------------------------------

BLIND = Path(__file__).resolve().parent / "data" / "blind"


@pytest.mark.parametrize("path", sorted(BLIND.glob("*.jsonl")), ids=lambda p: p.name)
def test_blind_set_is_well_formed(path):
    """Every blind set parses, its ids are unique, its labels are event types
    of the shipped codebook (sorted, no repeats) and every item has a date and
    a text (the sets' own READMEs say how they were written; no score is
    checked: docs/accuracy.md reports them)."""
    import datetime as dt

    event_types = set(load_codebook().event_types)
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert docs
    ids = [d["id"] for d in docs]
    assert len(set(ids)) == len(ids)
    for d in docs:
        dt.date.fromisoformat(d["date"])
        assert d["text"].strip(), d["id"]
        assert d["labels"] == sorted(set(d["labels"])) and set(d["labels"]) <= event_types, d["id"]

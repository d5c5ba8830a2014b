"""The JSONL, ACLED and Phoenix output formats: rows, schemas, files, validation, CLI."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pytest
from records import sample_record
from typer.testing import CliRunner

from coder.cli import app
from coder.errors import OutputError
from coder.events.record import FIELDS
from coder.io.check import validate_file
from coder.io.formats import (
    ACLED_COLUMNS,
    PHOENIX_COLUMNS,
    ActorTable,
    acled_row,
    phoenix_row,
    split_actor_code,
    validate_acled,
    validate_phoenix,
)
from coder.io.schema import load_schema
from coder.io.writers import open_writer
from coder.reference import _rows

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = str(ROOT / "samples")
ACTORS = ActorTable({"REB": 2, "SYRMIL": 1, "CIV": 7}, frozenset({"SYR"}))


def record(**changes):
    return sample_record(**{"source": "Reuters", **changes})


def write(path, fmt, records, actors=ACTORS) -> str:
    with open_writer(str(path), fmt, actors=actors) as writer:
        for r in records:
            writer.write(r)
    return Path(path).read_text(encoding="utf-8")


# -- the columns ----------------------------------------------------------------


def test_acled_columns_are_acleds_in_order():
    assert ACLED_COLUMNS == tuple(r["column"] for r in _rows("acled_columns.csv"))
    assert len(ACLED_COLUMNS) == 31
    assert tuple(load_schema("acled.schema.json")["properties"]) == ACLED_COLUMNS


def test_phoenix_columns_match_the_schema():
    assert len(PHOENIX_COLUMNS) == 26
    assert tuple(load_schema("phoenix.schema.json")["properties"]) == PHOENIX_COLUMNS


def test_output_doc_lists_every_acled_and_phoenix_column():
    text = (ROOT / "docs" / "output.md").read_text()
    for name in ACLED_COLUMNS + PHOENIX_COLUMNS:
        assert f"`{name}`" in text, name


# -- exact rows -----------------------------------------------------------------


ACLED_LINE = ("SYR0123456789abcdef,2024-03-05,2024,1,Political violence,Battles,Armed clash,"
              "Rebels,,2,Army,,1,12,,760,Middle East,Syria,Aleppo,,,Aleppo,36.2,37.16,1,Reuters,International,"
              "Rebels attacked the army in Aleppo.,0,,1700000000")
PHOENIX_LINE = "\t".join([
    "0123456789abcdef", "20240305", "2024", "3", "5",
    "REB", "", "REB", "", "SYRMIL", "SYR", "MIL", "",
    "190", "19", "4", "-10.0", "", "36.2", "37.16", "Aleppo", "Aleppo", "SYR",
    "doc-1", "", "Reuters"])
JSONL_LINE = (
    '{"event_id": "0123456789abcdef", "doc_id": "doc-1", "source": "Reuters", '
    '"sentence_index": 2, "event_date": "2024-03-05", "time_precision": 1, '
    '"event_type": "offensive", "actor1": "Rebels", "actor1_code": "REB", "assoc_actor_1": "", '
    '"actor2": "Army", "actor2_code": "SYRMIL", "assoc_actor_2": "", "location": "Aleppo", '
    '"admin1": "Aleppo", "admin2": "", "admin3": "", "country": "Syria", '
    '"iso3": "SYR", "latitude": 36.2, "longitude": 37.16, "geo_precision": 1, '
    '"cameo_code": "190", "goldstein": -10.0, "quad_class": 4, "acled_event_type": "Battles", '
    '"acled_sub_event_type": "Armed clash", "civilian_targeting": "", "fatalities": null, '
    '"rule_id": "offensive.attack:1", "matched_text": "attacked", "fatalities_text": "", '
    '"sentence": "Rebels attacked the army in Aleppo."}')


def test_acled_file_exactly(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    text = write(tmp_path / "a.csv", "acled", [record()])
    assert text == ",".join(ACLED_COLUMNS) + "\n" + ACLED_LINE + "\n"
    assert validate_file(str(tmp_path / "a.csv"), "acled") == []


def test_phoenix_file_exactly(tmp_path):
    text = write(tmp_path / "p.tsv", "phoenix", [record()])
    assert text == PHOENIX_LINE + "\n"
    assert validate_file(str(tmp_path / "p.tsv")) == []


def test_jsonl_file_exactly(tmp_path):
    text = write(tmp_path / "j.jsonl", "jsonl", [record()])
    assert text == JSONL_LINE + "\n"
    assert validate_file(str(tmp_path / "j.jsonl")) == []


def test_jsonl_empty_values_are_null_and_empty_text(tmp_path):
    r = record(actor2="", actor2_code="", location="", admin1="", country="", iso3="",
               latitude=None, longitude=None, geo_precision=None, event_date="",
               time_precision=None, source="")
    [obj] = [json.loads(line) for line in write(tmp_path / "j.jsonl", "jsonl", [r]).splitlines()]
    assert list(obj) == list(FIELDS)
    assert obj["latitude"] is None and obj["geo_precision"] is None
    assert obj["actor2"] == "" and obj["event_date"] == "" and obj["source"] == ""
    assert obj["sentence_index"] == 2 and obj["goldstein"] == -10.0
    assert validate_file(str(tmp_path / "j.jsonl")) == []


def test_jsonl_keeps_unicode_and_line_breaks_on_one_line(tmp_path):
    r = record(sentence="Ünïcødé\nnext line\u2028 ✓")
    text = write(tmp_path / "j.jsonl", "jsonl", [r])
    assert text.count("\n") == 1 and "Ünïcødé" in text
    assert json.loads(text)["sentence"] == r.sentence


def test_acled_without_actor2_and_month_only_date():
    r = record(actor2="", actor2_code="", event_date="2024-03", time_precision=3,
               event_type="consolidation", acled_event_type="Strategic developments",
               acled_sub_event_type="Headquarters or base established")
    row = acled_row(r, ACTORS)
    assert (row["event_date"], row["year"], row["time_precision"]) == ("2024-03-15", 2024, 3)
    assert (row["inter1"], row["inter2"], row["interaction"]) == (2, 0, 20)
    assert row["disorder_type"] == "Strategic developments"
    assert "actor2" not in row
    assert validate_acled(row) == []


@pytest.mark.parametrize("inter1, inter2, interaction", [
    (1, 2, 12), (2, 1, 12), (2, 2, 22), (8, 1, 18), (3, 8, 38)])
def test_acled_interaction_is_smaller_code_first(inter1, inter2, interaction):
    actors = ActorTable({"AAA": inter1, "BBB": inter2})
    row = acled_row(record(actor1_code="AAA", actor2_code="BBB"), actors)
    assert (row["inter1"], row["inter2"], row["interaction"]) == (inter1, inter2, interaction)


def test_acled_civilian_target_and_unknown_actor():
    remote = {"acled_event_type": "Explosions/Remote violence", "acled_sub_event_type": "Air/drone strike"}
    row = acled_row(record(actor2="Villagers", actor2_code="CIV", **remote), ACTORS)
    assert row["civilian_targeting"] == "Civilian targeting"
    assert row["interaction"] == 27
    # ACLED's rule: civilians targeted; a battle is between armed sides and never has it
    assert "civilian_targeting" not in acled_row(record(actor2="Villagers", actor2_code="CIV"), ACTORS)
    assert acled_row(record(civilian_targeting="Civilian targeting", **remote), ACTORS)["civilian_targeting"] == (
        "Civilian targeting")
    row = acled_row(record(actor1_code="NOTINCODEBOOK"), ACTORS)
    assert "inter1" not in row and "interaction" not in row and row["inter2"] == 1


def test_acled_without_country_and_without_actor_table():
    row = acled_row(record(iso3="", country=""), ActorTable())
    assert row["event_id_cnty"] == "0123456789abcdef"
    assert "inter1" not in row and "inter2" not in row
    assert validate_acled(row) == []


@pytest.mark.parametrize("code, parts", [
    ("IRQMIL", ("IRQ", "MIL", "")),
    ("IMGISIS", ("IMG", "", "ISIS")),
    ("SYRSDF", ("SYR", "", "SDF")),
    ("SYRGOVMIL", ("SYR", "GOV", "MIL")),
    ("REB", ("", "REB", "")),
    ("KURPESH", ("", "", "KURPESH")),
    ("IGOCOA", ("IGO", "", "COA")),
])
def test_phoenix_actor_code_split(code, parts):
    assert split_actor_code(code, frozenset({"IRQ", "SYR"})) == parts


def test_phoenix_month_only_date_and_tabs_in_values():
    r = record(event_date="2024-03", time_precision=3, location="Al\tBab", source="A\nB",
               actor2="", actor2_code="")
    row = phoenix_row(r, ACTORS)
    assert (row["Date"], row["Year"], row["Month"]) == ("202403", 2024, 3)
    assert "Day" not in row and "TargetActorFull" not in row
    assert (row["LocationName"], row["NewsSources"]) == ("Al Bab", "A B")
    assert validate_phoenix(row) == []


# -- schema rejection -----------------------------------------------------------


def test_acled_schema_rejects_a_bad_row():
    row = acled_row(record(), ACTORS)
    row.update(event_type="Battle", interaction=5, latitude=91.0, civilian_targeting="yes")
    del row["notes"]
    assert [str(p) for p in validate_acled(row)] == [
        "event_type: 'Battle' is not an ACLED event type",
        "interaction: 5 is not between 10 and 88",
        "civilian_targeting: must be 'Civilian targeting'",
        "latitude: 91.0 is not between -90 and 90",
        "notes: is required",
    ]


def test_phoenix_schema_rejects_a_bad_row():
    row = phoenix_row(record(), ACTORS)
    row.update(EventCode="19x", QuadClass=5, LocationName="a\tb", Date="2024-03-05")
    assert [str(p) for p in validate_phoenix(row)] == [
        "Date: '2024-03-05' is not a YYYYMMDD or YYYYMM date",
        "EventCode: '19x' is not a CAMEO code (2 to 4 digits)",
        "QuadClass: must be one of 1, 2, 3, 4",
        "LocationName: 'a\\tb' is not one line of text without tabs",
    ]


def test_writer_refuses_a_record_whose_row_breaks_the_schema(tmp_path):
    """A record the event schema accepts but whose ACLED row breaks ACLED's
    schema (a codebook actor with a wrong inter code) is not written, and the
    file stays valid."""
    target = tmp_path / "a.csv"
    actors = ActorTable({"REB": 9, "SYRMIL": 1})  # inter 9 does not exist
    with open_writer(str(target), "acled", actors=actors) as writer:
        with pytest.raises(OutputError) as info:
            writer.write(record())
        writer.write(record(actor1_code="SYRMIL"))
    assert [str(p) for p in info.value.problems] == [f"{target}: inter1: 9 is not between 1 and 8"]
    assert info.value.problems[0].code == "record-invalid"
    assert writer.count == 1
    assert validate_file(str(target), "acled") == []


def test_invalid_record_is_refused_in_every_new_format(tmp_path):
    for fmt in ("jsonl", "acled", "phoenix"):
        target = tmp_path / f"out.{fmt}"
        with pytest.raises(OutputError) as info:
            write(target, fmt, [record(quad_class=7)])
        assert [(p.code, p.field) for p in info.value.problems] == [("record-invalid", "quad_class")]
        assert not target.exists()


# -- coder validate on the new formats --------------------------------------------


def check(tmp_path, name, text, fmt=None) -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [str(p).removeprefix(f"{tmp_path}/") for p in validate_file(str(path), fmt)]


def test_validate_acled_rows(tmp_path):
    header = ",".join(ACLED_COLUMNS)
    bad = ACLED_LINE.replace(",Battles,", ",Battle,").replace(",2,Army,", ",x,Army,")
    bad = bad.replace("0123456789abcdef", "0123456789abcde0")  # an event id of its own
    assert check(tmp_path, "a.csv", f"{header}\n{ACLED_LINE}\n{bad}\nshort,row\n", "acled") == [
        "a.csv:3: event_type: 'Battle' is not an ACLED event type",
        "a.csv:3: inter1: 'x' is not an integer",
        "a.csv:4: row has 2 cells, expected 31",
    ]


def test_validate_tells_an_acled_file_given_as_csv(tmp_path):
    header = ",".join(ACLED_COLUMNS)
    assert check(tmp_path, "a.csv", f"{header}\n{ACLED_LINE}\n") == [
        ("a.csv:1: this is an ACLED file (its first column is 'event_id_cnty'): "
         "check it with --format acled")]
    assert check(tmp_path, "e.csv", ",".join(FIELDS) + "\n", "acled") == [
        "e.csv:1: unexpected column 'event_id' (column 1; expected 'event_id_cnty')"]


def test_validate_phoenix_rows(tmp_path):
    bad = PHOENIX_LINE.replace("\t190\t", "\t19x\t").replace("0123456789abcdef", "0123456789abcde0")
    assert check(tmp_path, "p.tsv", f"{PHOENIX_LINE}\n{bad}\na\tb\n") == [
        "p.tsv:2: EventCode: '19x' is not a CAMEO code (2 to 4 digits)",
        "p.tsv:3: row has 2 cells, expected 26 (tab-separated)",
    ]
    assert check(tmp_path, "p.txt", PHOENIX_LINE + "\n", "phoenix") == []
    assert check(tmp_path, "empty.tsv", "") == []


def test_validate_jsonl_lines(tmp_path):
    obj = json.loads(JSONL_LINE)
    lines = [
        JSONL_LINE,
        json.dumps({**obj, "event_id": "0123456789abcde2", "latitude": "", "actor1": None}),
        json.dumps({**obj, "event_id": "0123456789abcde3", "quad_class": 7, "extra": 1}),
        json.dumps({k: v for k, v in obj.items() if k != "source"} | {"event_id": "0123456789abcde4"}),
        "[1, 2]",
        "{not json",
        "",
    ]
    assert check(tmp_path, "j.jsonl", "\n".join(lines) + "\n") == [
        'j.jsonl:2: actor1: null is not a string (an empty text is "")',
        "j.jsonl:2: latitude: '' is not a number (an empty number is null)",
        "j.jsonl:3: quad_class: must be one of 1, 2, 3, 4",
        "j.jsonl:3: extra: is not a known field",
        'j.jsonl:4: source: is missing (every field is written, an empty one as "" or null)',
        "j.jsonl:5: expected a JSON object, got list",
        "j.jsonl:6: not valid JSON: Expecting property name enclosed in double quotes",
        "j.jsonl:7: empty line: expected a JSON object",
    ]


# -- end to end: coder run and coder validate ------------------------------------------


def run(*args, input=None):
    result = CliRunner().invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name, fmt", [
    ("out.jsonl", None), ("out.tsv", None), ("acled.csv", "acled"), ("out.dat", "phoenix"),
    ("out.json", "jsonl")])
def test_run_writes_each_format_and_it_validates(tmp_path, name, fmt):
    target = tmp_path / name
    code, out, err = run("run", SAMPLES, "-o", str(target), *(["-f", fmt] if fmt else []))
    assert (code, out) == (0, "")
    assert "0 skipped" in err
    vargs = ["-f", fmt] if fmt else []
    assert run("validate", *vargs, str(target)) == (0, "", f"{target}: ok\n")
    assert target.stat().st_size > 0


def test_run_formats_carry_the_same_events(tmp_path):
    _, out, _ = run("run", SAMPLES, "-q")
    records = list(csv.DictReader(io.StringIO(out)))
    _, jsonl, _ = run("run", SAMPLES, "-q", "-f", "jsonl")
    objs = [json.loads(line) for line in jsonl.splitlines()]
    _, acled, _ = run("run", SAMPLES, "-q", "-f", "acled")
    acled_rows = list(csv.DictReader(io.StringIO(acled)))
    _, phoenix, _ = run("run", SAMPLES, "-q", "-f", "phoenix")
    phoenix_rows = [line.split("\t") for line in phoenix.splitlines()]
    assert len(records) == len(objs) == len(acled_rows) == len(phoenix_rows) > 10
    assert [r["event_id"] for r in records] == [o["event_id"] for o in objs] \
        == [r["event_id_cnty"][-16:] for r in acled_rows] == [r[0] for r in phoenix_rows]
    assert [r["sentence"] for r in records] == [r["notes"] for r in acled_rows]
    assert all(r["source"] for r in records)
    assert [r["source"] for r in records] == [r["source"] for r in acled_rows] \
        == [r[25] for r in phoenix_rows]
    by_code = {r["actor1_code"]: r for r in records if r["actor1_code"]}
    for row in acled_rows:
        if row["inter1"]:
            assert 1 <= int(row["inter1"]) <= 8
    assert by_code


def test_run_petrarch_xml_gz_to_phoenix(tmp_path):
    xml = """<Sentences>
<Sentence date="20171103" id="AFP_ENG_20171103.0001-3" source="AFP" sentence="true">
<Text>Iraqi forces recaptured the border town of al-Qaim from Islamic State on Friday.</Text>
<Parse>(ROOT)</Parse>
</Sentence>
<Sentence date="2017" id="bad"><Text>Broken date.</Text></Sentence>
</Sentences>
"""
    corpus = tmp_path / "afp.xml.gz"
    corpus.write_bytes(gzip.compress(xml.encode()))
    target = tmp_path / "events.tsv"
    code, _, err = run("run", str(corpus), "-o", str(target))
    assert code == 1
    assert f"skipped: {corpus}:6: date: not a date: '2017' (expected YYYYMMDD)" in err
    [row] = [line.split("\t") for line in target.read_text().splitlines()]
    assert dict(zip(PHOENIX_COLUMNS, row, strict=True)) | {"EventID": ""} == dict(zip(PHOENIX_COLUMNS, [
        "", "20171103", "2017", "11", "3", "IRQMIL", "IRQ", "MIL", "", "IMGISIS", "IMG", "",
        "ISIS", "192", "19", "4", "-9.5", "", row[18], row[19], row[20], row[21], "IRQ",
        "AFP_ENG_20171103.0001-3", "", "AFP"], strict=True))
    assert row[20] == "al-Qaim"


def test_run_records_carry_the_document_source():
    line = json.dumps({"id": "d1", "text": "Iraqi forces recaptured al-Qaim from Islamic State.",
                       "date": "2017-11-03", "source": "Reuters"})
    code, out, _ = run("run", "-", "-q", "-f", "jsonl", input=line + "\n")
    assert code == 0
    [obj] = [json.loads(x) for x in out.splitlines()]
    assert obj["source"] == "Reuters" and obj["doc_id"] == "d1"


def test_acled_fills_region_source_scale_fatalities_and_associated_actors(tmp_path, monkeypatch):
    row = acled_row(record(assoc_actor_1="Kurdish forces; Yazidi militia", fatalities=9), ACTORS, 1700000000)
    assert (row["assoc_actor_1"], row["region"], row["source_scale"], row["fatalities"], row["timestamp"]) == (
        "Kurdish forces; Yazidi militia", "Middle East", "International", 9, 1700000000)
    assert "source_scale" not in acled_row(record(source="Some Local Blog"), ACTORS)
    extra = tmp_path / "sources.csv"
    extra.write_text("source,source_scale\nSome Local Blog,Subnational\nReuters,Other\n", encoding="utf-8")
    monkeypatch.setenv("CODER_SOURCES", str(extra))
    assert acled_row(record(source="Some Local Blog"), ACTORS)["source_scale"] == "Subnational"
    assert acled_row(record(), ACTORS)["source_scale"] == "Other"  # the user's row wins
    assert acled_row(record(source="Reuters; Some Local Blog"), ACTORS)["source_scale"] == "Other-Subnational"

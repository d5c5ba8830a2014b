"""coder.io.writers: atomic, streaming CSV and XML writers."""

from __future__ import annotations

import csv
import os

import pytest
from lxml import etree
from records import sample_record

from coder.errors import OutputError, UsageError
from coder.events.record import FIELDS, Record, parse_value
from coder.io.check import validate_file
from coder.io.schema import events_xsd
from coder.io.writers import FORMATS, format_for, open_writer

full_record = sample_record


def minimal_record(**changes) -> Record:
    record = Record(
        event_id="fedcba9876543210", doc_id="doc-2", sentence_index=1,
        event_date="2024-03", time_precision=3, event_type="capture",
        cameo_code="192", goldstein=-9.5, quad_class=4, rule_id="capture.1",
        matched_text="took", sentence="They took the town.",
    )
    for name, value in changes.items():
        setattr(record, name, value)
    return record


RECORDS = [
    full_record(),
    minimal_record(),
    full_record(event_id="00000000000000ff",
                sentence='He said "stop", then,\nafter a pause;\nleft. Ünïcødé ✓',
                latitude=1e-05, longitude=-0.0, goldstein=3),
]


def write(path, fmt, records, **options):
    with open_writer(str(path), fmt, **options) as writer:
        for record in records:
            writer.write(record)
    return writer


def read_csv(path) -> list[Record]:
    with open(path, encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == list(FIELDS)
    return [Record(**{n: (parse_value(n, c) if c else Record.__dataclass_fields__[n].default)
                      for n, c in zip(FIELDS, row, strict=True)}) for row in rows[1:]]


def read_xml(path) -> list[dict]:
    root = etree.parse(str(path)).getroot()
    return [{child.tag: parse_value(child.tag, child.text) for child in event}
            for event in root]


def listing(directory) -> list[str]:
    return sorted(os.listdir(directory))


# -- format_for ---------------------------------------------------------------


@pytest.mark.parametrize("path, fmt, expected", [
    ("out.csv", None, "csv"),
    ("out.XML", None, "xml"),
    ("dir.v2/out.xml", None, "xml"),
    ("out.xml", "csv", "csv"),
    ("out.txt", "XML", "xml"),
    ("out.jsonl", None, "jsonl"),
    ("out.TSV", None, "phoenix"),
    ("out.csv", "acled", "acled"),
    (None, None, "csv"),
    ("-", None, "csv"),
    (None, "xml", "xml"),
])
def test_format_for(path, fmt, expected):
    assert format_for(path, fmt) == expected


def test_format_for_unknown_suffix():
    with pytest.raises(UsageError) as info:
        format_for("out.json", None)
    [problem] = info.value.problems
    assert problem.code == "usage"
    assert str(problem) == ("out.json: cannot tell the output format from the suffix '.json': "
                            "use a .csv, .xml, .jsonl or .tsv file name, or give the format "
                            "(csv, xml, jsonl, acled or phoenix)")


def test_format_for_no_suffix():
    with pytest.raises(UsageError) as info:
        format_for("out", None)
    assert str(info.value.problems[0]) == (
        "out: cannot tell the output format from a name with no suffix: "
        "use a .csv, .xml, .jsonl or .tsv file name, or give the format "
        "(csv, xml, jsonl, acled or phoenix)")


def test_format_for_unknown_format():
    with pytest.raises(UsageError) as info:
        format_for("out.csv", "json")
    assert str(info.value.problems[0]) == ("unknown output format 'json': "
                                           "use csv, xml, jsonl, acled or phoenix")
    assert FORMATS == ("csv", "xml", "jsonl", "acled", "phoenix")


# -- CSV ----------------------------------------------------------------------


def test_csv_round_trip(tmp_path):
    target = tmp_path / "events.csv"
    writer = write(target, "csv", RECORDS)
    assert writer.count == 3
    assert writer.path == str(target)
    assert read_csv(target) == RECORDS
    assert validate_file(str(target)) == []


def test_csv_text_exactly(tmp_path):
    target = tmp_path / "events.csv"
    write(target, "csv", [minimal_record(), RECORDS[2]])
    data = target.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8") == (
        ",".join(FIELDS) + "\n"
        "fedcba9876543210,doc-2,,1,2024-03,3,capture,,,,,,,,,,,,,,,,192,-9.5,4,,,,,capture.1,took,,"
        "They took the town.\n"
        "00000000000000ff,doc-1,,2,2024-03-05,1,offensive,Rebels,REB,,Army,SYRMIL,,Aleppo,Aleppo,,,"
        "Syria,SYR,1e-05,-0.0,1,190,3,4,Battles,Armed clash,,,offensive.attack:1,attacked,,"
        '"He said ""stop"", then,\nafter a pause;\nleft. Ünïcødé ✓"\n'
    )


def test_csv_carriage_return_quotes_the_row(tmp_path):
    target = tmp_path / "events.csv"
    records = [minimal_record(sentence="a\rb"), minimal_record(matched_text="x\r\ny", event_id="fedcba9876543211")]
    write(target, "csv", records)
    lines = target.read_bytes().decode("utf-8").split("\n")
    assert lines[1] == ('"fedcba9876543210","doc-2","","1","2024-03","3","capture","","","","","","","",'
                        '"","","","","","","","","192","-9.5","4","","","","","capture.1","took","","a\rb"')
    assert read_csv(target) == records
    assert validate_file(str(target)) == []


def test_csv_no_records_is_just_the_header(tmp_path):
    target = tmp_path / "events.csv"
    assert write(target, "csv", []).count == 0
    assert target.read_text(encoding="utf-8") == ",".join(FIELDS) + "\n"
    assert validate_file(str(target)) == []


def test_csv_to_stdout(capsys):
    for path in (None, "-"):
        with open_writer(path, "csv") as writer:
            writer.write(minimal_record())
        assert writer.path == "<stdout>"
        assert capsys.readouterr().out == (
            ",".join(FIELDS) + "\n"
            "fedcba9876543210,doc-2,,1,2024-03,3,capture,,,,,,,,,,,,,,,,192,-9.5,4,,,,,capture.1,took,,"
            "They took the town.\n")


# -- XML ----------------------------------------------------------------------


def test_xml_round_trip_and_schema(tmp_path):
    target = tmp_path / "events.xml"
    assert write(target, "xml", RECORDS, codebook="default", codebook_version="1.2").count == 3
    assert events_xsd().validate(etree.parse(str(target)))
    assert read_xml(target) == [r.non_empty() for r in RECORDS]
    assert validate_file(str(target)) == []


def test_xml_text_exactly(tmp_path):
    target = tmp_path / "events.xml"
    write(target, "xml", [minimal_record()], codebook="default", codebook_version="1.2")
    assert target.read_text(encoding="utf-8") == (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<events codebook="default" codebook_version="1.2">\n'
        "  <event>\n"
        "    <event_id>fedcba9876543210</event_id>\n"
        "    <doc_id>doc-2</doc_id>\n"
        "    <sentence_index>1</sentence_index>\n"
        "    <event_date>2024-03</event_date>\n"
        "    <time_precision>3</time_precision>\n"
        "    <event_type>capture</event_type>\n"
        "    <cameo_code>192</cameo_code>\n"
        "    <goldstein>-9.5</goldstein>\n"
        "    <quad_class>4</quad_class>\n"
        "    <rule_id>capture.1</rule_id>\n"
        "    <matched_text>took</matched_text>\n"
        "    <sentence>They took the town.</sentence>\n"
        "  </event>\n"
        "</events>\n"
    )


def test_xml_without_codebook_has_no_attributes(tmp_path):
    target = tmp_path / "events.xml"
    write(target, "xml", [])
    assert target.read_text(encoding="utf-8") == (
        "<?xml version='1.0' encoding='UTF-8'?>\n<events>\n</events>\n")
    assert validate_file(str(target)) == []


def test_xml_escapes_markup_and_keeps_carriage_returns(tmp_path):
    target = tmp_path / "events.xml"
    write(target, "xml", [minimal_record(sentence="a < b & c > d\r\ne")])
    assert "<sentence>a &lt; b &amp; c &gt; d&#13;\ne</sentence>" in target.read_text("utf-8")
    assert read_xml(target)[0]["sentence"] == "a < b & c > d\r\ne"


def test_xml_strips_characters_xml_cannot_carry(tmp_path):
    target = tmp_path / "events.xml"
    record = minimal_record(sentence="bad\x00 \x07char\x1b\ufffe\tkept", actor1="\x01",
                            doc_id="doc\x0c-2")
    write(target, "xml", [record])
    text = target.read_text("utf-8")
    assert "<sentence>bad char\tkept</sentence>" in text
    assert "<doc_id>doc-2</doc_id>" in text
    assert "<actor1>" not in text  # nothing left: no element
    assert validate_file(str(target)) == []


def test_xml_to_stdout(capsys):
    with open_writer(None, "xml") as writer:
        writer.write(minimal_record())
    out = capsys.readouterr().out
    assert out.startswith("<?xml version='1.0' encoding='UTF-8'?>\n<events>\n  <event>\n")
    assert out.endswith("  </event>\n</events>\n")


# -- validation ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_invalid_record_raises_and_nothing_is_written(tmp_path, fmt):
    target = tmp_path / f"events.{fmt}"
    with pytest.raises(OutputError) as info:
        write(target, fmt, [full_record(), full_record(quad_class=7, longitude=None)])
    assert [(p.code, p.path, p.field, p.message) for p in info.value.problems] == [
        ("record-invalid", str(target), "longitude", "is required when latitude is given"),
        ("record-invalid", str(target), "quad_class", "must be one of 1, 2, 3, 4"),
    ]
    assert str(info.value) == (f"{target}: longitude: is required when latitude is given\n"
                               f"{target}: quad_class: must be one of 1, 2, 3, 4")
    assert listing(tmp_path) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_invalid_record_caught_is_skipped(tmp_path, fmt):
    target = tmp_path / f"events.{fmt}"
    with open_writer(str(target), fmt) as writer:
        writer.write(minimal_record())
        with pytest.raises(OutputError):
            writer.write(minimal_record(time_precision=1))
        writer.write(full_record())
    assert writer.count == 2
    assert validate_file(str(target), fmt) == []


def test_invalid_record_to_stdout_names_stdout(capsys):
    with pytest.raises(OutputError) as info:
        with open_writer(None, "csv") as writer:
            writer.write(minimal_record(event_id=""))
    assert str(info.value) == "<stdout>: event_id: is required"


def test_validation_can_be_turned_off(tmp_path):
    target = tmp_path / "events.csv"
    write(target, "csv", [minimal_record(quad_class=7)], validate=False)
    [problem] = validate_file(str(target))
    assert str(problem) == f"{target}:2: quad_class: must be one of 1, 2, 3, 4"


# -- atomicity ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_writes_go_to_a_hidden_temp_file_until_the_end(tmp_path, fmt):
    target = tmp_path / f"events.{fmt}"
    with open_writer(str(target), fmt) as writer:
        writer.write(minimal_record())
        [temp] = listing(tmp_path)
        assert temp.startswith(f".events.{fmt}.") and temp.endswith(".tmp")
        assert not target.exists()
    assert listing(tmp_path) == [f"events.{fmt}"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_failed_block_leaves_no_file(tmp_path, fmt, error):
    target = tmp_path / f"events.{fmt}"
    with pytest.raises(error):
        with open_writer(str(target), fmt) as writer:
            writer.write(minimal_record())
            raise error()
    assert listing(tmp_path) == []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_failed_block_keeps_existing_target(tmp_path, fmt, error):
    target = tmp_path / f"events.{fmt}"
    target.write_bytes(b"old contents\n")
    with pytest.raises(error):
        with open_writer(str(target), fmt) as writer:
            writer.write(minimal_record())
            raise error()
    assert target.read_bytes() == b"old contents\n"
    assert listing(tmp_path) == [f"events.{fmt}"]


def test_other_os_errors_in_the_block_pass_through(tmp_path):
    target = tmp_path / "events.csv"
    with pytest.raises(FileNotFoundError):
        with open_writer(str(target), "csv"):
            open(tmp_path / "no-such-input")
    assert listing(tmp_path) == []


def test_success_replaces_existing_target(tmp_path):
    target = tmp_path / "events.csv"
    target.write_bytes(b"old contents\n")
    write(target, "csv", [minimal_record()])
    assert read_csv(target) == [minimal_record()]
    assert listing(tmp_path) == ["events.csv"]


def test_file_mode_follows_umask(tmp_path):
    target = tmp_path / "events.csv"
    old = os.umask(0o022)
    try:
        write(target, "csv", [])
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644


# -- output errors ------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_directory_is_an_output_error(tmp_path, fmt):
    target = tmp_path / "missing" / f"events.{fmt}"
    with pytest.raises(OutputError) as info:
        write(target, fmt, [minimal_record()])
    [problem] = info.value.problems
    assert problem.code == "output-io"
    assert str(problem) == f"{target}: cannot write: No such file or directory"


def test_directory_target_is_an_output_error(tmp_path):
    with pytest.raises(OutputError) as info:
        write(tmp_path, "csv", [])
    assert str(info.value) == f"{tmp_path}: cannot write: Is a directory"
    assert listing(tmp_path) == []


def test_unknown_format_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError) as info:
        write(tmp_path / "events.json", "json", [])
    assert str(info.value) == "unknown output format 'json': use csv, xml, jsonl, acled or phoenix"
    assert listing(tmp_path) == []


def test_a_rows_cells_are_what_format_value_gives():
    """to_row, the CSV writer's fast path, writes each value as format_value
    does: text as it is, None as "", a float by repr, an int, a bool and a
    float subclass as format_value says."""
    from coder.events.record import format_value, record_values

    class Tenth(float):
        def __repr__(self):
            return "tenth"

    for record in (sample_record(), sample_record(fatalities=3, latitude=1e-05, longitude=-0.0, goldstein=None,
                                                  admin2="", quad_class=True, geo_precision=Tenth(2.0))):
        assert record.to_row() == [format_value(v) for v in record_values(record)]
    assert sample_record(latitude=Tenth(0.1)).to_row()[FIELDS.index("latitude")] == "tenth"

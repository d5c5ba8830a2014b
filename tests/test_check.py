"""coder.io.check.validate_file: CSV and XML output files against the schemas."""

from __future__ import annotations

import itertools

import pytest

from coder.events.record import FIELDS, Record
from coder.io.check import validate_file
from coder.io.writers import open_writer

HEADER = ",".join(FIELDS)
#: A valid CSV row (no actor, no place) and its cells.
_VALUES = {"event_id": "fedcba9876543210", "doc_id": "doc-2", "sentence_index": "1", "event_date": "2024-03-05",
           "time_precision": "1", "event_type": "capture", "cameo_code": "192", "goldstein": "-9.5",
           "quad_class": "4", "rule_id": "capture.1", "matched_text": "took", "sentence": "They took the town."}
ROW = ",".join(_VALUES.get(name, "") for name in FIELDS)


_IDS = itertools.count(1)


def fresh_id() -> str:
    """An event id no other row of a test has (ids given twice are a problem of their own)."""
    return f"{next(_IDS):016x}"


def row(**changes) -> str:
    """ROW with ``changes``, and an event id of its own unless one is given."""
    cells = dict(zip(FIELDS, ROW.split(","), strict=True))
    cells["event_id"] = fresh_id()
    cells.update(changes)
    return ",".join(cells[name] for name in FIELDS)


def check(tmp_path, name: str, text: str | bytes, fmt: str | None = None) -> list[str]:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return [str(p).removeprefix(f"{tmp_path}/") for p in validate_file(str(path), fmt)]


def event_xml(**changes) -> str:
    """One valid <event> element, one field per line, with fields changed or
    (value None) left out, and an event id of its own unless one is given."""
    values = {"event_id": fresh_id(), "doc_id": "doc-2", "sentence_index": "1",
              "event_date": "2024-03-05", "time_precision": "1", "event_type": "capture",
              "cameo_code": "192", "goldstein": "-9.5", "quad_class": "4",
              "rule_id": "capture.1", "matched_text": "took", "sentence": "They took the town."}
    values.update(changes)
    lines = [f"    <{n}>{values[n]}</{n}>" for n in FIELDS if values.get(n) is not None]
    return "  <event>\n" + "\n".join(lines) + "\n  </event>\n"


def xml_doc(*events: str) -> str:
    return "<?xml version='1.0' encoding='UTF-8'?>\n<events>\n" + "".join(events) + "</events>\n"


# -- CSV ----------------------------------------------------------------------


def test_valid_csv(tmp_path):
    assert check(tmp_path, "ok.csv", f"{HEADER}\n{ROW}\n{row()}\n") == []


def test_valid_csv_with_crlf_and_no_final_newline(tmp_path):
    assert check(tmp_path, "ok.csv", f"{HEADER}\r\n{ROW}\r\n{row()}") == []


def test_csv_record_problem_names_line_and_field(tmp_path):
    text = f"{HEADER}\n{ROW}\n{row(event_type='Capture', quad_class='x')}\n"
    assert check(tmp_path, "bad.csv", text) == [
        "bad.csv:3: event_type: 'Capture' is not an event type name "
        "(lowercase letters, digits and _)",
        "bad.csv:3: quad_class: 'x' is not an integer",  # not also "must be one of"
    ]


def test_csv_problem_codes(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(f"{HEADER}\n{row(quad_class='9')}\na,b\n", encoding="utf-8")
    problems = validate_file(str(path))
    assert [(p.code, p.path, p.line, p.field) for p in problems] == [
        ("record-invalid", str(path), 2, "quad_class"),
        ("file-invalid", str(path), 3, None),
    ]


def test_csv_line_is_where_a_multiline_row_starts(tmp_path):
    multiline = row(sentence='"They took\nthe town,\n""at last""."')
    text = f"{HEADER}\n{multiline}\n{row(cameo_code='1x')}\n{row()}\n{row(iso3='sy')}\n"
    assert check(tmp_path, "bad.csv", text) == [
        "bad.csv:5: cameo_code: '1x' is not a CAMEO code (2 to 4 digits)",
        "bad.csv:7: iso3: 'sy' is not an ISO alpha-3 country code (3 uppercase letters)",
    ]


def test_csv_cross_field_rules(tmp_path):
    text = (f"{HEADER}\n{row(latitude='36.2')}\n{row(event_date='2024-03')}\n"
            f"{row(actor2_code='SYRMIL')}\n")
    assert check(tmp_path, "bad.csv", text) == [
        "bad.csv:2: longitude: is required when latitude is given",
        "bad.csv:3: time_precision: must be 3 when event_date is month-only (YYYY-MM)",
        "bad.csv:4: actor2: is required when actor2_code is given",
    ]


def test_csv_missing_required_value(tmp_path):
    assert check(tmp_path, "bad.csv", f"{HEADER}\n{row(doc_id='')}\n") == [
        "bad.csv:2: doc_id: is required"]


def test_csv_wrong_cell_count(tmp_path):
    text = f"{HEADER}\n{ROW},extra\n{row()}\nonly,three,cells\n\n{row()}\n"
    assert check(tmp_path, "bad.csv", text) == [
        "bad.csv:2: row has 34 cells, expected 33",
        "bad.csv:4: row has 3 cells, expected 33",
        "bad.csv:5: row has 0 cells, expected 33",
    ]


@pytest.mark.parametrize("header, message", [
    (HEADER.replace("actor1,", ""), "missing column 'actor1' (column 8)"),
    (HEADER.replace("actor1,actor1_code", "actor1_code,actor1"),
     "column 'actor1_code' is out of order (column 8; expected 'actor1')"),
    (HEADER.replace("admin1", "region"),
     "unexpected column 'region' (column 15; expected 'admin1')"),
    (HEADER + ",notes", "unexpected column 'notes' (column 34)"),
    (HEADER.removesuffix(",sentence"), "missing column 'sentence' (column 33)"),
    (HEADER.upper(), "unexpected column 'EVENT_ID' (column 1; expected 'event_id')"),
    ("\ufeff" + HEADER, "file starts with a byte order mark (BOM); write UTF-8 without one"),
])
def test_csv_bad_header(tmp_path, header, message):
    assert check(tmp_path, "bad.csv", f"{header}\n{ROW}\n") == [f"bad.csv:1: {message}"]


def test_csv_empty_file(tmp_path):
    assert check(tmp_path, "empty.csv", "") == ["empty.csv:1: file is empty: expected a header row"]


def test_csv_undecodable_bytes(tmp_path):
    text = f"{HEADER}\n{ROW}\n".encode() + row(sentence="caf\xe9").encode("latin-1") + b"\n"
    assert check(tmp_path, "bad.csv", text) == ["bad.csv:3:97: not UTF-8: cannot decode byte 0xe9"]


def test_csv_unterminated_quote(tmp_path):
    text = f'{HEADER}\n{ROW}\n{row(sentence=chr(34) + "never closed")}\n'
    assert check(tmp_path, "bad.csv", text) == [
        "bad.csv:3: cannot read CSV row: unexpected end of data"]


def test_csv_bad_quoting(tmp_path):
    text = f'{HEADER}\n{row(sentence=chr(34) + "a" + chr(34) + "b")}\n'
    assert check(tmp_path, "bad.csv", text) == [
        "bad.csv:2: cannot read CSV row: ',' expected after '\"'"]


# -- XML ----------------------------------------------------------------------


def test_valid_xml(tmp_path):
    text = xml_doc(event_xml(), event_xml(latitude="1e-05", longitude="2"))
    assert check(tmp_path, "ok.xml", text) == []


def test_xml_with_no_events_is_valid(tmp_path):
    assert check(tmp_path, "ok.xml", '<events codebook="x"/>') == []


def test_xml_syntax_error(tmp_path):
    text = xml_doc(event_xml()).replace("<doc_id>doc-2</doc_id>", "<doc_id>doc-2</docid>")
    assert check(tmp_path, "bad.xml", text) == [
        "bad.xml:5:26: not well-formed XML: an end tag that does not close <doc_id> (opened on line 5)"]


def test_xml_empty_file(tmp_path):
    assert check(tmp_path, "bad.xml", "") == ["bad.xml:1: file is empty: expected an <events> element"]


def test_xml_xsd_violation_has_line_and_field(tmp_path):
    text = xml_doc(event_xml(), event_xml(latitude="91", longitude="2", quad_class="five"))
    assert check(tmp_path, "bad.xml", text) == [
        "bad.xml:24: latitude: 91.0 is not between -90 and 90",
        "bad.xml:28: quad_class: 'five' is not an integer",
    ]


def test_xml_missing_element(tmp_path):
    assert check(tmp_path, "bad.xml", xml_doc(event_xml(doc_id=None))) == [
        "bad.xml:5: doc_id: is required (it comes before <sentence_index>)"]


def test_xml_date_without_precision_is_caught_by_the_json_schema(tmp_path):
    assert check(tmp_path, "bad.xml", xml_doc(event_xml(time_precision=None))) == [
        "bad.xml:3: time_precision: is required when event_date is given"]


def test_xml_missing_last_element(tmp_path):
    assert check(tmp_path, "bad.xml", xml_doc(event_xml(sentence=None))) == [
        "bad.xml:3: sentence: is required"]


def test_xml_unknown_element(tmp_path):
    text = xml_doc(event_xml()).replace("<cameo_code>", "<colour>red</colour><cameo_code>")
    assert check(tmp_path, "bad.xml", text) == [
        "bad.xml:10: colour: is not an element of an event (its elements are the fields of docs/output.md)"]


def test_xml_element_twice_or_out_of_order(tmp_path):
    text = xml_doc(event_xml()).replace("<cameo_code>", "<doc_id>x</doc_id><cameo_code>")
    assert check(tmp_path, "bad.xml", text) == ["bad.xml:10: doc_id: is given twice"]
    text = xml_doc(event_xml()).replace("<doc_id>doc-2</doc_id>\n    <sentence_index>1</sentence_index>",
                                        "<sentence_index>1</sentence_index>\n    <doc_id>doc-2</doc_id>")
    assert check(tmp_path, "bad.xml", text) == [
        "bad.xml:5: sentence_index: is out of order (an event's elements come in the order of docs/output.md)"]


def test_xml_bad_root_and_attribute(tmp_path):
    assert check(tmp_path, "bad.xml", "<records/>") == [
        "bad.xml:1: the root element is <records>: an events file has <events>"]
    assert check(tmp_path, "bad.xml", '<events version="2"/>') == [
        "bad.xml:1: attribute 'version' is not allowed (an <events> element may have codebook and codebook_version)"]


def test_xml_cross_field_rules_at_the_event_line(tmp_path):
    text = xml_doc(event_xml(), event_xml(latitude="36.2"),
                   event_xml(event_date="2024-03", time_precision="2"),
                   event_xml(actor1_code="REB"))
    assert check(tmp_path, "bad.xml", text) == [
        "bad.xml:17: longitude: is required when latitude is given",
        "bad.xml:32: time_precision: must be 3 when event_date is month-only (YYYY-MM)",
        "bad.xml:46: actor1: is required when actor1_code is given",
    ]


def test_xml_violation_reported_once(tmp_path):
    # The XSD catches the bad event_id; the JSON Schema would too, but the event
    # is not checked twice.  NaN breaks two XSD facets: one problem.
    text = xml_doc(event_xml(event_id="XYZ"), event_xml(latitude="NaN", longitude="1"))
    assert check(tmp_path, "bad.xml", text) == [
        "bad.xml:4: event_id: 'XYZ' is not a 16-digit lowercase hex id",
        "bad.xml:24: latitude: nan is not a number",
    ]


def test_xml_xsd_and_record_problems_in_line_order(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text(xml_doc(event_xml(longitude="5"), event_xml(sentence="")), "utf-8")
    assert [(p.code, p.line, p.field) for p in validate_file(str(path))] == [
        ("record-invalid", 3, "latitude"),
        ("file-invalid", 30, "sentence"),
    ]


def test_xml_doctype_is_refused(tmp_path):
    text = "<!DOCTYPE events [<!ENTITY x 'y'>]>\n<events>&x;</events>\n"
    assert check(tmp_path, "bad.xml", text) == ["bad.xml:1: a DOCTYPE is not allowed"]


def test_xml_line_numbers_beyond_65535(tmp_path):
    # 5000 events of 14 lines: the last <event> starts on line 70003.  libxml2
    # does not store such lines in the node; check they still come out right.
    text = xml_doc(*[event_xml() for _ in range(5000)], event_xml(latitude="1"),
                   event_xml(doc_id="", sentence="two\nlines\n", goldstein="-11"),
                   event_xml(event_type="two\nlines"))
    assert check(tmp_path, "big.xml", text) == [
        "big.xml:70003: longitude: is required when latitude is given",
        "big.xml:70020: doc_id: must not be empty",
        "big.xml:70026: goldstein: -11.0 is not between -10 and 10",
        # the newline of the value is printed escaped: one problem, one line
        "big.xml:70040: event_type: 'two\\nlines' is not an event type name (lowercase letters, digits and _)",
    ]


# -- format and file ----------------------------------------------------------


def test_unknown_suffix(tmp_path):
    assert check(tmp_path, "events.json", "{}") == [
        "events.json: cannot tell the format from the suffix '.json': "
        "use a .csv, .xml, .jsonl or .tsv file name, or give the format (csv, xml, jsonl, acled or phoenix)"]


def test_no_suffix(tmp_path):
    assert check(tmp_path, "events", "{}") == [
        "events: cannot tell the format from a name with no suffix: "
        "use a .csv, .xml, .jsonl or .tsv file name, or give the format (csv, xml, jsonl, acled or phoenix)"]


def test_explicit_format_wins(tmp_path):
    assert check(tmp_path, "events.txt", f"{HEADER}\n{ROW}\n", fmt="csv") == []
    assert check(tmp_path, "events.csv", xml_doc(event_xml()), fmt="xml") == []
    assert check(tmp_path, "events.csv", "", fmt="json") == [
        "events.csv: unknown format 'json': use csv, xml, jsonl, acled or phoenix"]


def test_missing_file(tmp_path):
    problems = validate_file(str(tmp_path / "nope.csv"))
    assert [(p.code, str(p)) for p in problems] == [
        ("file-invalid", f"{tmp_path}/nope.csv: cannot open: No such file or directory")]


def test_written_files_validate(tmp_path):
    records = [Record(event_id="0123456789abcdef", doc_id="d", sentence_index=1,
                      event_date="2024-01", time_precision=3, event_type="offensive",
                      latitude=0.5, longitude=-1e-06, cameo_code="0211", goldstein=3.4,
                      quad_class=1, rule_id="r", matched_text="m", sentence="s\n\"q\", x")]
    for fmt in ("csv", "xml"):
        path = tmp_path / f"out.{fmt}"
        with open_writer(str(path), fmt, codebook="c") as writer:
            for record in records:
                writer.write(record)
        assert validate_file(str(path)) == []


# -- what a schema cannot say: real dates, ISO 3166 codes, the country of a code (issue 19, item 9)


@pytest.mark.parametrize("cells, message", [
    ({"event_date": "2017-02-30"}, "event_date: '2017-02-30' is not a date: 2017-02 has 28 days"),
    ({"event_date": "2016-02-30"}, "event_date: '2016-02-30' is not a date: 2016-02 has 29 days"),
    ({"event_date": "2017-04-31"}, "event_date: '2017-04-31' is not a date: 2017-04 has 30 days"),
    ({"event_date": "0000-05-01"}, "event_date: '0000-05-01' is not a date: there is no year 0"),
    ({"country": "Nowhere", "iso3": "XXX"}, "iso3: 'XXX' is not an ISO 3166 country code"),
    ({"country": "Iraq", "iso3": "SYR"}, "country: 'Iraq' is not the country of SYR (Syria)"),
])
def test_validate_checks_what_the_schema_cannot(tmp_path, cells, message):
    assert check(tmp_path, "bad.csv", f"{HEADER}\n{row(**cells)}\n") == [f"bad.csv:2: {message}"]


@pytest.mark.parametrize("cells", [
    {"event_date": "2016-02-29"}, {"event_date": "2017-02", "time_precision": "3"},
    {"country": "Syria", "iso3": "SYR"}, {"country": "Syrian Arab Republic", "iso3": "SYR"},
    {"country": "Cote d'Ivoire", "iso3": "CIV"}, {"country": "Côte d’Ivoire", "iso3": "CIV"},
    {"country": "Kosovo", "iso3": "XKX"}, {"country": "Timor Leste", "iso3": "TLS"},
])
def test_validate_accepts_real_dates_and_every_spelling_of_a_country(tmp_path, cells):
    assert check(tmp_path, "ok.csv", f"{HEADER}\n{row(**cells)}\n") == []


def test_validate_checks_dates_and_countries_in_every_format(tmp_path):
    from records import sample_record

    from coder.io.formats import ActorTable

    bad = sample_record(event_date="2017-02-30", country="Iraq", iso3="SYR")
    for fmt, name in (("jsonl", "e.jsonl"), ("xml", "e.xml"), ("acled", "e.csv"), ("phoenix", "e.tsv")):
        with open_writer(str(tmp_path / name), fmt, validate=False, actors=ActorTable()) as writer:
            writer.validate = False
            writer.write(bad)
        found = [str(p).removeprefix(f"{tmp_path}/") for p in validate_file(str(tmp_path / name), fmt)]
        expected = {
            "jsonl": ["e.jsonl:1: event_date: '2017-02-30' is not a date: 2017-02 has 28 days",
                      "e.jsonl:1: country: 'Iraq' is not the country of SYR (Syria)"],
            "xml": ["e.xml:3: event_date: '2017-02-30' is not a date: 2017-02 has 28 days",
                    "e.xml:3: country: 'Iraq' is not the country of SYR (Syria)"],
            "acled": ["e.csv:2: event_date: '2017-02-30' is not a date: 2017-02 has 28 days",
                      "e.csv:2: country: 'Iraq' is not the country of SYR (Syria)"],
            "phoenix": ["e.tsv:1: Date: '20170230' is not a date: 2017-02 has 28 days"],
        }[fmt]
        assert found == expected, fmt


def test_the_writer_refuses_a_record_with_an_impossible_date():
    from records import sample_record

    from coder.io.schema import validate_record

    assert [str(p) for p in validate_record(sample_record(event_date="2017-02-30").non_empty())] == [
        "event_date: '2017-02-30' is not a date: 2017-02 has 28 days"]


def test_every_country_of_the_gazetteer_validates(gazetteer_built):
    """What the coder writes must pass: each (iso3, country) GeoNames gives."""
    from coder.countries import known_iso3, names_country
    from coder.gazetteer.normalize import without_diacritics
    from coder.gazetteer.store import open_gazetteer

    with open_gazetteer() as g:
        pairs = set(g._query("SELECT DISTINCT iso3, country FROM place"))
    assert len(pairs) > 240
    bad = [(iso3, country) for iso3, country in pairs
           if not known_iso3(iso3) or not names_country(without_diacritics(country), iso3)]
    assert bad == []


# -- ids given to two records (issue 19, item 15)


def test_validate_finds_an_event_id_given_to_two_records(tmp_path):
    """Two documents with one id give records with one event id; validate said ok."""
    other = row(doc_id="doc-3", event_id="fedcba9876543210")
    assert check(tmp_path, "d.csv", f"{HEADER}\n{ROW}\n{other}\n{ROW}\n") == [
        "d.csv:3: event_id: 'fedcba9876543210' is the event_id of an earlier record: ids must be unique (two "
        "documents with one id?)",
        "d.csv:4: event_id: 'fedcba9876543210' is the event_id of an earlier record: ids must be unique (two "
        "documents with one id?)"]
    twice = "fedcba9876543210"
    assert check(tmp_path, "d.xml", xml_doc(event_xml(event_id=twice), event_xml(event_id=twice, doc_id="doc-3"))) == [
        "d.xml:17: event_id: 'fedcba9876543210' is the event_id of an earlier record: ids must be unique (two "
        "documents with one id?)"]

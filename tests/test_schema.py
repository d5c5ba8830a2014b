"""schemas/event.schema.json, schemas/events.xsd and coder.io.schema."""

from __future__ import annotations

import csv
import io
from importlib.resources import files

import pytest
from jsonschema import Draft202012Validator
from lxml import etree
from records import sample_record

from coder.events.record import FIELDS
from coder.io.schema import event_schema, events_xsd, validate_record

XS = "{http://www.w3.org/2001/XMLSchema}"

REQUIRED = ["event_id", "doc_id", "sentence_index",
            "event_type", "cameo_code", "goldstein", "quad_class", "rule_id",
            "matched_text", "sentence"]


def full_record(**changes) -> dict:
    """A valid record with every field set, as a typed dict."""
    record = sample_record().non_empty()
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


def minimal_record(**changes) -> dict:
    record = {k: v for k, v in full_record().items() if k in REQUIRED}
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


def found(record: dict) -> list[tuple[str | None, str]]:
    return [(p.field, p.message) for p in validate_record(record)]


# -- the JSON Schema itself ---------------------------------------------------


def test_schema_is_valid_draft_2020_12():
    schema = event_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://coder.example/schemas/event.schema.json"
    assert schema["title"]
    assert schema["additionalProperties"] is False
    assert schema["required"] == REQUIRED


def test_schema_properties_are_the_fields_in_order_and_described():
    properties = event_schema()["properties"]
    assert tuple(properties) == FIELDS
    assert all(p.get("description") for p in properties.values())


def test_event_schema_is_a_copy_and_the_xsd_is_cached():
    schema = event_schema()
    schema["properties"].clear()
    assert event_schema()["properties"]
    assert validate_record(full_record()) == []
    assert events_xsd() is events_xsd()


# -- valid records ------------------------------------------------------------


def test_full_record_is_valid():
    assert validate_record(full_record()) == []


def test_minimal_record_is_valid():
    assert validate_record(minimal_record()) == []


@pytest.mark.parametrize("changes", [
    {"event_date": "2024-03", "time_precision": 3},
    {"event_date": "2024-12-31", "time_precision": 2},
    {"latitude": -90, "longitude": 180},
    {"latitude": 90.0, "longitude": -180.0},
    {"goldstein": 10},
    {"goldstein": -0.1},
    {"cameo_code": "01"},
    {"cameo_code": "0211"},
    {"actor1_code": "ABCDEFGHIJKLMNO"},
    {"rule_id": "A-z_0.9:x"},
    {"event_type": "a1_b"},
    {"acled_event_type": "Strategic developments", "acled_sub_event_type": "Other"},
])
def test_valid_edge_values(changes):
    assert validate_record(full_record(**changes)) == []


# -- one violation each: the exact field and message --------------------------


@pytest.mark.parametrize("changes, expected", [
    ({"event_id": "abc"}, ("event_id", "'abc' is not a 16-digit lowercase hex id")),
    ({"event_id": "0123456789ABCDEF"},
     ("event_id", "'0123456789ABCDEF' is not a 16-digit lowercase hex id")),
    ({"event_id": 5}, ("event_id", "5 is not a string")),
    ({"doc_id": ""}, ("doc_id", "must not be empty")),
    ({"sentence_index": 0}, ("sentence_index", "0 is less than 1")),
    ({"sentence_index": "2"}, ("sentence_index", "'2' is not an integer")),
    ({"sentence_index": 2.0}, ("sentence_index", "2.0 is not an integer")),
    ({"sentence_index": True}, ("sentence_index", "True is not an integer")),
    ({"event_date": "2024-13-01"},
     ("event_date", "'2024-13-01' is not a YYYY-MM-DD or YYYY-MM date")),
    ({"event_date": "2024-03-32"},
     ("event_date", "'2024-03-32' is not a YYYY-MM-DD or YYYY-MM date")),
    ({"event_date": "2024-03-05\n"},
     ("event_date", "'2024-03-05\\n' is not a YYYY-MM-DD or YYYY-MM date")),
    ({"event_date": "5/3/2024"}, ("event_date", "'5/3/2024' is not a YYYY-MM-DD or YYYY-MM date")),
    ({"time_precision": 4}, ("time_precision", "must be one of 1, 2, 3")),
    ({"event_type": "Offensive"},
     ("event_type", "'Offensive' is not an event type name (lowercase letters, digits and _)")),
    ({"actor1": ""}, ("actor1", "must not be empty")),
    ({"actor1_code": "RE"},
     ("actor1_code", "'RE' is not an actor code (3 to 15 uppercase letters or digits)")),
    ({"actor2_code": "syr"},
     ("actor2_code", "'syr' is not an actor code (3 to 15 uppercase letters or digits)")),
    ({"location": ""}, ("location", "must not be empty")),
    ({"admin1": ""}, ("admin1", "must not be empty")),
    ({"country": ""}, ("country", "must not be empty")),
    ({"iso3": "SY"}, ("iso3", "'SY' is not an ISO alpha-3 country code (3 uppercase letters)")),
    ({"latitude": 90.5}, ("latitude", "90.5 is not between -90 and 90")),
    ({"latitude": "36.2"}, ("latitude", "'36.2' is not a number")),
    ({"latitude": float("nan")}, ("latitude", "nan is not a number")),
    ({"longitude": -180.01}, ("longitude", "-180.01 is not between -180 and 180")),
    ({"geo_precision": 0}, ("geo_precision", "must be one of 1, 2, 3")),
    ({"cameo_code": "19x"}, ("cameo_code", "'19x' is not a CAMEO code (2 to 4 digits)")),
    ({"cameo_code": 190}, ("cameo_code", "190 is not a string")),
    ({"cameo_code": "\u0661\u0669\u0660"},
     ("cameo_code", "'\u0661\u0669\u0660' is not a CAMEO code (2 to 4 digits)")),
    ({"goldstein": "abc"}, ("goldstein", "'abc' is not a number")),
    ({"goldstein": -10.5}, ("goldstein", "-10.5 is not between -10 and 10")),
    ({"goldstein": float("inf")}, ("goldstein", "inf is not between -10 and 10")),
    ({"quad_class": 5}, ("quad_class", "must be one of 1, 2, 3, 4")),
    ({"acled_event_type": "Battle"}, ("acled_event_type", "'Battle' is not an ACLED event type")),
    ({"acled_sub_event_type": "Clash"},
     ("acled_sub_event_type", "'Clash' is not an ACLED sub-event type")),
    ({"rule_id": "rule 1"}, ("rule_id", "'rule 1' is not a rule id (letters, digits and _ . : -)")),
    ({"matched_text": ""}, ("matched_text", "must not be empty")),
    ({"sentence": ""}, ("sentence", "must not be empty")),
    ({"sentence": 7}, ("sentence", "7 is not a string")),
])
def test_each_violation_names_its_field(changes, expected):
    assert found(full_record(**changes)) == [expected]


@pytest.mark.parametrize("missing", REQUIRED)
def test_missing_required_field(missing):
    assert found(full_record(**{missing: None})) == [(missing, "is required")]


def test_several_missing_fields_are_listed_once_each_in_field_order():
    record = full_record(sentence=None, event_id=None, goldstein=None)
    assert found(record) == [("event_id", "is required"), ("goldstein", "is required"),
                             ("sentence", "is required")]


def test_unknown_fields():
    record = full_record(colour="red", Event_ID="x")
    assert found(record) == [("colour", "is not a known field"),
                             ("Event_ID", "is not a known field")]


def test_long_values_are_cut_short_in_messages():
    [problem] = validate_record(full_record(event_type="X" * 500))
    assert problem.message == (
        "'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX... is not an event type name "
        "(lowercase letters, digits and _)")


def test_problem_code_and_rendering():
    [problem] = validate_record(full_record(quad_class=9))
    assert problem.code == "record-invalid"
    assert (problem.path, problem.line) == (None, None)
    assert str(problem) == "quad_class: must be one of 1, 2, 3, 4"


def test_not_an_object():
    assert found([]) == [(None, "[] is not an object")]


# -- cross-field rules --------------------------------------------------------


def test_latitude_without_longitude():
    assert found(full_record(longitude=None)) == [
        ("longitude", "is required when latitude is given")]


def test_longitude_without_latitude():
    assert found(full_record(latitude=None)) == [
        ("latitude", "is required when longitude is given")]


def test_neither_latitude_nor_longitude_is_fine():
    assert found(full_record(latitude=None, longitude=None)) == []


def test_actor_codes_need_their_actor():
    assert found(full_record(actor1=None)) == [("actor1", "is required when actor1_code is given")]
    assert found(full_record(actor2=None)) == [("actor2", "is required when actor2_code is given")]


def test_actor_without_code_is_fine():
    assert found(full_record(actor1_code=None, actor2_code=None)) == []


@pytest.mark.parametrize("precision", [1, 2])
def test_month_only_date_needs_time_precision_3(precision):
    record = full_record(event_date="2024-03", time_precision=precision)
    assert found(record) == [
        ("time_precision", "must be 3 when event_date is month-only (YYYY-MM)")]


def test_month_only_date_without_time_precision_reports_it_missing_once():
    record = full_record(event_date="2024-03", time_precision=None)
    assert found(record) == [("time_precision", "is required when event_date is given")]


def test_a_record_without_a_date_is_valid_but_date_and_precision_go_together():
    assert found(full_record(event_date=None, time_precision=None)) == []
    assert found(full_record(event_date=None)) == [("event_date", "is required when time_precision is given")]


def test_location_needs_geo_precision_and_sub_event_type_needs_event_type():
    assert found(full_record(geo_precision=None)) == [("geo_precision", "is required when location is given")]
    assert found(full_record(acled_event_type=None)) == [
        ("acled_event_type", "is required when acled_sub_event_type is given")]


def test_several_violations_come_in_field_order():
    record = full_record(quad_class=0, event_id="x", longitude=None, zzz=1)
    assert found(record) == [
        ("event_id", "'x' is not a 16-digit lowercase hex id"),
        ("longitude", "is required when latitude is given"),
        ("quad_class", "must be one of 1, 2, 3, 4"),
        ("zzz", "is not a known field"),
    ]


# -- ACLED types and the XSD --------------------------------------------------


def _xsd_enum(name: str) -> list[str]:
    tree = etree.parse(str(files("coder") / "schemas" / "events.xsd"))
    [simple] = tree.xpath(f"//xs:simpleType[@name='{name}']", namespaces={"xs": XS[1:-1]})
    return [e.get("value") for e in simple.iter(f"{XS}enumeration")]


def test_acled_enums_have_6_and_25_values_and_match_the_xsd():
    properties = event_schema()["properties"]
    types = properties["acled_event_type"]["enum"]
    subs = properties["acled_sub_event_type"]["enum"]
    assert (len(types), len(set(subs)), len(subs)) == (6, 25, 25)
    assert _xsd_enum("acledEventType") == types
    assert _xsd_enum("acledSubEventType") == subs


def test_acled_enums_match_the_reference_list():
    reference = files("coder") / "data" / "reference" / "acled_event_types.csv"
    if not reference.is_file():
        pytest.skip("coder/data/reference/acled_event_types.csv is not shipped yet")
    rows = list(csv.DictReader(io.StringIO(reference.read_text(encoding="utf-8"))))
    properties = event_schema()["properties"]
    assert properties["acled_event_type"]["enum"] == list(dict.fromkeys(
        r["event_type"] for r in rows))
    assert properties["acled_sub_event_type"]["enum"] == [r["sub_event_type"] for r in rows]


def test_xsd_event_children_follow_fields_and_required():
    tree = etree.parse(str(files("coder") / "schemas" / "events.xsd"))
    [event_type] = tree.xpath("//xs:complexType[@name='eventType']",
                              namespaces={"xs": XS[1:-1]})
    elements = list(event_type.iter(f"{XS}element"))
    assert tuple(e.get("name") for e in elements) == FIELDS
    assert [e.get("name") for e in elements if e.get("minOccurs") != "0"] == REQUIRED


def _xml_event(record: dict) -> etree._Element:
    root = etree.Element("events")
    event = etree.SubElement(root, "event")
    for name in FIELDS:
        if name in record:
            etree.SubElement(event, name).text = str(record[name])
    return root


def test_xsd_accepts_a_full_and_a_minimal_event_and_no_events():
    xsd = events_xsd()
    assert xsd.validate(_xml_event(full_record()))
    assert xsd.validate(_xml_event(minimal_record()))
    assert xsd.validate(etree.fromstring('<events codebook="default" codebook_version="1"/>'))


@pytest.mark.parametrize("changes", [
    {"event_id": "abc"}, {"sentence_index": 0}, {"sentence_index": 1.5},
    {"event_date": "2024-13"}, {"time_precision": 4}, {"event_type": "Offensive"},
    {"actor1_code": "ab"}, {"iso3": "SY"}, {"latitude": 91}, {"longitude": "NaN"},
    {"latitude": "INF"}, {"geo_precision": 0}, {"cameo_code": "1"}, {"goldstein": 11},
    {"quad_class": 0}, {"acled_event_type": "Battle"}, {"acled_sub_event_type": "Clash"},
    {"rule_id": "a b"}, {"sentence": ""}, {"actor1": ""},
])
def test_xsd_rejects_what_the_json_schema_rejects(changes):
    assert not events_xsd().validate(_xml_event(full_record(**changes)))


def test_xsd_accepts_exponent_notation_written_for_small_floats():
    assert events_xsd().validate(_xml_event(full_record(latitude=1e-05)))


# -- the compiled fast path agrees with jsonschema ------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-200, 200), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "x", "190", "190\n", "2017-11", "2017-11-03", "IRQMIL", "capture", "Battles",
                     "Armed clash", "0123456789abcdef", "IRQ", "a" * 300]),
    st.text(max_size=8),
)


@settings(max_examples=400, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(list(FIELDS) + ["extra"]), _VALUES, max_size=4),
       drop=st.sets(st.sampled_from(list(FIELDS)), max_size=3),
       schema=st.sampled_from(["event.schema.json", "acled.schema.json", "phoenix.schema.json"]))
def test_fast_path_agrees_with_jsonschema(changes, drop, schema):
    from coder.io.schema import _fast, _validator_for

    base = sample_record().non_empty() if schema == "event.schema.json" else {}
    record = {k: v for k, v in {**base, **changes}.items() if k not in drop and v is not None}
    expected = not list(_validator_for(schema).iter_errors(record))
    assert _fast(schema)(record) == expected


@settings(max_examples=400, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(list(FIELDS)), _VALUES, max_size=4),
       drop=st.sets(st.sampled_from(list(FIELDS)), max_size=3))
def test_the_writers_path_on_values_agrees_with_the_record_path(changes, drop):
    """The writer checks a record's values in field order (None or "" is an
    absent field): the same answer, and the same problems, as the dict."""
    from coder.events.record import record_values
    from coder.io.schema import _fast_values, _validator, validate_record, validate_values

    values = tuple(None if name in drop else changes.get(name, value)
                   for name, value in zip(FIELDS, record_values(sample_record()), strict=True))
    record = {n: v for n, v in zip(FIELDS, values, strict=True) if v is not None and v != ""}
    assert _fast_values()(values) == (not list(_validator().iter_errors(record)))
    assert validate_values(values) == validate_record(record)

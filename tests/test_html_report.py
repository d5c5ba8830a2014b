"""`coder report`: reading events back, and the data that goes into the page
(counts, filters, timeline bins, highlighted spans).  tests/test_html_browser.py
checks the page shows these numbers in a real browser."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coder.cli import app
from coder.events.record import FIELDS
from coder.htmlreport import (
    build_report,
    inline_script,
    missing_requirements,
    render,
    script_json,
)
from coder.htmlreport.basemap import clockwise, world_outlines
from coder.htmlreport.data import (
    NO_COUNTRY,
    NO_SUBTYPE,
    Filters,
    date_interval,
    highlight,
    page_data,
    place_key,
    summarise,
    time_bin,
    time_unit,
    utf16_offsets,
)
from coder.htmlreport.read import empty_record, read_events

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(missing_requirements() != [],
                                reason="the report's libraries are not installed: pip install -e .")


def rec(**fields):
    record = empty_record()
    record.update(fields)
    return record


#: A small hand-made set with every case: two places, one without
#: coordinates, a month-only date, no date, no country, two actors.
RECORDS = [
    rec(event_id="1", event_type="capture", actor1="SDF", actor2="IS", location="Tabqa",
        country="Syria", latitude=35.8375, longitude=38.5483, event_date="2017-05-10",
        rule_id="capture.active", sentence="The SDF took control of Tabqa on Wednesday.",
        matched_text="SDF took control of Tabqa"),
    rec(event_id="2", event_type="consolidation", actor1="SDF", location="Tabqa", country="Syria",
        latitude=35.8375, longitude=38.5483, event_date="2017-05-12", rule_id="consolidation.secure",
        sentence="The SDF is now securing Tabqa.", matched_text="SDF is now securing Tabqa"),
    rec(event_id="3", event_type="capture", actor1="Iraqi forces", actor2="IS", location="Mosul",
        country="Iraq", latitude=36.34, longitude=43.13, event_date="2017-07", rule_id="capture.passive",
        sentence="Mosul was recaptured by Iraqi forces.", matched_text="Mosul was recaptured by Iraqi forces"),
    rec(event_id="4", event_type="offensive", actor1="IS", location="the frontier", country="",
        event_date="2017-07-20", rule_id="offensive.attack", sentence="IS attacked the frontier.",
        matched_text="IS attacked the frontier"),
    rec(event_id="5", event_type="offensive", actor1="Iraqi forces", actor2="IS", location="Mosul",
        country="Iraq", latitude=36.34, longitude=43.13, event_date="", rule_id="offensive.attack",
        sentence="Iraqi forces attacked IS in Mosul.", matched_text="not in the sentence"),
]


# -- reading -----------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_outputs(tmp_path_factory):
    """`coder run samples/` in every output format."""
    out = tmp_path_factory.mktemp("events")
    runner = CliRunner()
    paths = {}
    for name, extra in (("s.csv", []), ("s.xml", []), ("s.jsonl", []), ("acled.csv", ["-f", "acled"]),
                        ("s.tsv", [])):
        result = runner.invoke(app, ["run", str(ROOT / "samples"), "-o", str(out / name), "-q", *extra])
        assert result.exit_code == 0, result.output
        paths[name] = str(out / name)
    return paths


def test_csv_xml_and_jsonl_read_back_the_same_records(sample_outputs):
    csv_records = read_events(sample_outputs["s.csv"])
    assert csv_records and all(set(r) == set(FIELDS) for r in csv_records)
    assert read_events(sample_outputs["s.xml"]) == csv_records
    assert read_events(sample_outputs["s.jsonl"]) == csv_records
    assert all(isinstance(r["latitude"], float) for r in csv_records if r["latitude"] is not None)


def test_acled_and_phoenix_files_keep_what_their_columns_carry(sample_outputs):
    ours = read_events(sample_outputs["s.csv"])
    acled = read_events(sample_outputs["acled.csv"])  # told from the header, not the suffix
    phoenix = read_events(sample_outputs["s.tsv"])
    assert len(acled) == len(phoenix) == len(ours)
    for mine, a, p in zip(ours, acled, phoenix, strict=True):
        # an unnamed side is ACLED's "Unidentified Armed Group (Country)"
        actor1 = mine["actor1"] or (f"Unidentified Armed Group ({mine['country']})" if a["actor1"] else "")
        assert (a["event_id"], a["event_date"], a["actor1"], a["sentence"], a["latitude"]) == \
               (mine["event_id"], mine["event_date"], actor1, mine["sentence"], mine["latitude"])
        assert a["event_type"] == mine["acled_sub_event_type"]
        assert (p["event_id"], p["event_date"], p["cameo_code"], p["longitude"], p["doc_id"]) == \
               (mine["event_id"], mine["event_date"], mine["cameo_code"], mine["longitude"], mine["doc_id"])
        assert p["event_type"] == f"CAMEO {mine['cameo_code']}"


@pytest.mark.parametrize("name, text, message", [
    ("bad.csv", "a,b\n1,2\n", "bad.csv:1: not a coder CSV file: missing column 'event_id'"),
    ("short.csv", ",".join(FIELDS) + "\n1,2\n", "short.csv:2: row has 2 cells, expected 33"),
    ("lat.csv", ",".join(FIELDS) + "\n" + ",".join("north" if f == "latitude" else "" for f in FIELDS) + "\n",
     "lat.csv:2: latitude: not a latitude (a number from -90 to 90): 'north'"),
    ("bad.jsonl", '{"event_id": "1"}\n[1]\n', "bad.jsonl:2: expected a JSON object, got list"),
    ("broken.jsonl", "{\n", "broken.jsonl:1: not valid JSON"),
    ("dtd.xml", '<?xml version="1.0"?>\n<!DOCTYPE events [<!ENTITY x "y">]>\n<events/>\n',
     "dtd.xml:1: a DOCTYPE is not allowed"),
    ("other.xml", "<Sentences/>\n", "other.xml:1: not a coder XML file"),
    ("cut.xml", "<events><event><event_id>1</event_id>", "cut.xml:1: not well-formed XML"),
    ("events.txt", "x", "events.txt: cannot tell the format from the suffix '.txt'"),
    ("empty.csv", "", "empty.csv:1: file is empty: expected a header row"),
])
def test_unreadable_files_give_one_line_naming_file_and_line(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    code, out, err = run_cli("report", str(path), "-o", str(tmp_path / "r.html"))
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(f"error: {tmp_path}/{message}")
    assert not (tmp_path / "r.html").exists()


def test_missing_file_and_unknown_format(tmp_path):
    code, _, err = run_cli("report", str(tmp_path / "none.csv"))
    assert code == 1 and err == f"error: {tmp_path}/none.csv: cannot open: No such file or directory\n"
    code, _, err = run_cli("report", str(tmp_path / "none.csv"), "-f", "yaml")
    assert code == 1 and err == "error: --format: unknown format 'yaml': use csv, xml, jsonl, acled or phoenix\n"


# -- highlighted spans ---------------------------------------------------------


def test_highlight_finds_the_matched_text():
    sentence = "The SDF took control of Tabqa on Wednesday."
    assert highlight(sentence, "SDF took control of Tabqa") == (4, 29)
    assert sentence[4:29] == "SDF took control of Tabqa"
    # changed on the way (case, white space): still found
    assert highlight("'The SDF  took\ncontrol of Tabqa.", "sdf took control of tabqa") == (5, 31)
    assert highlight(sentence, "Raqqa") is None
    assert highlight(sentence, "") is None and highlight("", "x") is None
    # regular expression characters are text
    assert highlight("a (b) c.", "(b)") == (2, 5)
    assert highlight("a (b)  c.", "(b) c") == (2, 8)


def test_spans_are_given_to_the_page_in_utf16_units():
    sentence = "🚀 SDF took Tabqa"
    span = highlight(sentence, "SDF took Tabqa")
    assert span == (2, 16)
    assert utf16_offsets(sentence, span) == (3, 17)  # the rocket is two UTF-16 units


# -- dates and bins -------------------------------------------------------------


def test_date_interval_and_bins():
    assert date_interval("2017-05-10") == ("2017-05-10", "2017-05-10")
    assert date_interval("2016-02") == ("2016-02-01", "2016-02-29")
    assert date_interval("") is None
    assert time_bin("2017-05-10", "day") == "2017-05-10"
    assert time_bin("2017-05-10", "week") == "2017-05-08"  # the Monday
    assert time_bin("2017-05", "day") == "2017-05-15"  # month only: the 15th
    assert time_bin("2017-05", "week") == "2017-05-15"
    assert time_bin("2017-05-10", "month") == time_bin("2017-05", "month") == "2017-05-01"
    assert time_bin("", "month") is None


def test_time_unit_follows_the_span_of_the_dates():
    assert time_unit(["2017-01-01", "2017-04-03"]) == "day"  # 92 days
    assert time_unit(["2017-01-01", "2017-04-04"]) == "week"
    assert time_unit(["2017-01-01", "2019-01-02"]) == "week"  # 731 days
    assert time_unit(["2017-01-01", "2019-01-03"]) == "month"
    assert time_unit(["2017-01", "2017-03-31"]) == "day"  # a month-only date spans its month
    assert time_unit(["", ""]) == "day"


# -- filters and counts -------------------------------------------------------------


def ids(filters):
    return [r["event_id"] for r in RECORDS if filters.matches(r)]


def test_filters():
    assert ids(Filters()) == ["1", "2", "3", "4", "5"]
    assert ids(Filters(types=frozenset({"capture"}))) == ["1", "3"]
    assert ids(Filters(types=frozenset())) == []
    assert ids(Filters(country="Iraq")) == ["3", "5"]
    assert ids(Filters(country=NO_COUNTRY)) == ["4"]
    assert ids(Filters(actor="IS")) == ["1", "3", "4", "5"]  # as actor1 or actor2
    assert ids(Filters(place=place_key(RECORDS[0]))) == ["1", "2"]
    # a month-only date passes a range that overlaps its month; no date passes no range
    assert ids(Filters(date_from="2017-07-15")) == ["3", "4"]
    assert ids(Filters(date_to="2017-07-01")) == ["1", "2", "3"]
    assert ids(Filters(date_from="2017-05-11", date_to="2017-05-31")) == ["2"]
    assert ids(Filters(types=frozenset({"capture", "offensive"}), country="Iraq", actor="IS")) == ["3", "5"]


def test_summary_counts():
    s = summarise(RECORDS)
    assert s.unit == "day"  # 2017-05-10 to 2017-07-31
    assert (s.records, s.no_coordinates, s.no_date) == (5, 1, 1)
    assert s.by_type == {"capture": 2, "consolidation": 1, "offensive": 2}
    assert s.by_type_country == {("capture", "Syria"): 1, ("consolidation", "Syria"): 1,
                                 ("capture", "Iraq"): 1, ("offensive", NO_COUNTRY): 1,
                                 ("offensive", "Iraq"): 1}
    assert s.by_actor == {"SDF": [2, 0], "IS": [1, 3], "Iraqi forces": [2, 0]}
    assert s.by_rule == {"capture.active": 1, "consolidation.secure": 1, "capture.passive": 1,
                         "offensive.attack": 2}
    assert s.places == {"35.8375,38.5483": {"capture": 1, "consolidation": 1},
                        "36.3400,43.1300": {"capture": 1, "offensive": 1}}
    assert s.timeline == {("2017-05-10", "capture"): 1, ("2017-05-12", "consolidation"): 1,
                          ("2017-07-15", "capture"): 1, ("2017-07-20", "offensive"): 1}
    f = summarise(RECORDS, Filters(types=frozenset({"offensive"})))
    assert f.unit == "day" and (f.records, f.no_coordinates, f.no_date) == (2, 1, 1)
    assert f.places == {"36.3400,43.1300": {"offensive": 1}}


def test_summary_of_the_samples_adds_up(sample_outputs):
    records = read_events(sample_outputs["s.csv"])
    s = summarise(records)
    assert s.records == len(records) == sum(s.by_type.values()) == sum(s.by_rule.values())
    assert sum(s.by_type_country.values()) == s.records
    assert sum(sum(c.values()) for c in s.places.values()) + s.no_coordinates == s.records
    assert sum(s.timeline.values()) + s.no_date == s.records
    assert s.no_coordinates == sum(1 for r in records if r["latitude"] is None)
    assert len(s.places) == len({(r["latitude"], r["longitude"]) for r in records if r["latitude"] is not None})


# -- the page's data -------------------------------------------------------------------


def decode(data, i):
    """Record ``i`` of the page data, as the page reads it."""
    c = data["cols"]
    place = data["places"][c["p"][i]] if c["p"][i] >= 0 else None
    sentence = data["sentences"][c["s"][i]]
    return {
        "date": c["d"][i], "type": data["types"][c["t"][i]], "country": data["countries"][c["c"][i]],
        "actor1": data["actors"][c["a1"][i]], "actor2": data["actors"][c["a2"][i]],
        "place": (place["lat"], place["lon"]) if place else None, "rule": data["rules"][c["r"][i]],
        "sentence": sentence,
        "marked": sentence[c["h0"][i]:c["h1"][i]] if c["h0"][i] >= 0 else None,
        "unmarked": data["texts"][c["mx"][i]],
        "bin": data["bins"][c["b"][i]] if c["b"][i] >= 0 else None,
        "location": data["texts"][c["loc"][i]], "doc": data["texts"][c["doc"][i]], "id": c["id"][i],
    }


def test_page_data_encodes_every_record():
    data = page_data(RECORDS, title="t", files=["a.csv"], generator="coder test")
    assert data["count"] == 5 and data["unit"] == "day"
    assert data["types"] == ["capture", "consolidation", "offensive"]
    assert len(set(data["colours"])) == 3
    assert len(data["places"]) == 2
    assert data["places"][0] == {"key": "35.8375,38.5483", "lat": 35.8375, "lon": 38.5483,
                                 "names": ["Tabqa"], "country": "Syria"}
    assert all(len(col) == 5 for col in data["cols"].values())
    for i, record in enumerate(RECORDS):
        d = decode(data, i)
        assert d["date"] == record["event_date"] and d["id"] == record["event_id"]
        assert d["type"] == record["event_type"]
        assert d["country"] == (record["country"] or NO_COUNTRY)
        assert (d["actor1"], d["actor2"]) == (record["actor1"], record["actor2"])
        assert d["place"] == ((record["latitude"], record["longitude"]) if record["latitude"] is not None else None)
        assert d["rule"] == record["rule_id"] and d["sentence"] == record["sentence"]
        assert d["location"] == record["location"]
        assert d["bin"] == time_bin(record["event_date"], "day")
        if record["matched_text"] in record["sentence"]:
            assert d["marked"] == record["matched_text"] and d["unmarked"] == ""
        else:  # not found: no highlight, the matched text is shown apart
            assert d["marked"] is None and d["unmarked"] == record["matched_text"]


def test_page_data_shares_repeated_strings():
    many = [dict(RECORDS[0], event_id=str(i)) for i in range(1000)]
    data = page_data(many, title="t", files=[], generator="g")
    assert len(data["sentences"]) == 1 and len(data["places"]) == 1 and len(data["rules"]) == 1


# -- the HTML ----------------------------------------------------------------------------


def test_script_json_and_inline_script_cannot_close_their_block():
    evil = {"s": "</script><script>alert(1)</script><!-- & \u2028"}
    text = str(script_json(evil))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == evil
    code = inline_script('var a = "</script>", b = /<!--/;')
    assert "</script" not in code.lower() and "<!--" not in code


def test_the_page_fetches_nothing_and_escapes_the_data(tmp_path):
    nasty = dict(RECORDS[0], sentence='He said "</script><img src=http://x/y.png onerror=alert(1)>" loudly.',
                 matched_text="He said", actor1="<b>Bold</b> & co")
    path = tmp_path / "e.jsonl"
    path.write_text(json.dumps(nasty) + "\n")
    out = tmp_path / "r.html"
    build_report([str(path)], str(out), title="Mine <i>& yours</i>")
    html = out.read_text()
    assert "<title>Mine &lt;i&gt;&amp; yours&lt;/i&gt;</title>" in html
    # exactly the page's own four scripts: data, map, plotly.js, the page's code
    assert len(re.findall(r"<script\b", html)) == 4 and len(re.findall(r"</script>", html)) == 4
    assert "<img" not in html
    # nothing from outside: no external script, style, image, font or frame
    head, _, _ = html.partition('<script type="application/json"')
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", head)
    assert "<link" not in html and "@import" not in html
    assert """content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'""" in html


def test_world_outlines_come_from_countryinfo():
    world = world_outlines()
    assert len(world) > 150
    by_id = {c["id"]: c for c in world}
    assert {"SYR", "IRQ", "YEM", "USA", "FRA"} <= set(by_id)
    lons = [p[0] for ring in by_id["SYR"]["rings"] for p in ring]
    lats = [p[1] for ring in by_id["SYR"]["rings"] for p in ring]
    assert 35 < min(lons) < max(lons) < 43 and 32 < min(lats) < max(lats) < 38
    for country in world:
        for ring in country["rings"]:
            assert clockwise(ring) is ring  # every ring already clockwise


def test_clockwise():
    anticlockwise = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    assert clockwise(anticlockwise) == anticlockwise[::-1]
    assert clockwise(anticlockwise[::-1]) == anticlockwise[::-1]


# -- the command -------------------------------------------------------------------------


def run_cli(*args):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_report_command_writes_one_file(sample_outputs, tmp_path):
    out = tmp_path / "report.html"
    code, stdout, err = run_cli("report", sample_outputs["s.csv"], sample_outputs["s.jsonl"], "-o", str(out),
                                "--title", "Two copies")
    assert code == 0 and stdout == ""
    records = read_events(sample_outputs["s.csv"])
    s = summarise(records * 2)
    assert err == (f"{out}: {2 * len(records)} records, {len(s.places)} places, {s.no_coordinates} without "
                   f"coordinates, {s.no_date} without a date; {out.stat().st_size / 1e6:.1f} MB\n")
    html = out.read_text()
    assert "<title>Two copies</title>" in html
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left


def test_missing_libraries_are_named_with_how_to_install_them(monkeypatch, sample_outputs, tmp_path):
    import coder.htmlreport as report

    monkeypatch.setattr(report, "REQUIREMENTS", {"jinja2": "jinja2", "plotly": "no_such_module_plotly"})
    code, _, err = run_cli("report", sample_outputs["s.csv"], "-o", str(tmp_path / "r.html"))
    assert code == 1
    assert err == ("error: coder report needs plotly, which is not installed: they come with coder: pip install "
                   "jinja2 plotly countryinfo (or install coder again, without --no-deps)\n")


def test_render_is_deterministic():
    data = page_data(RECORDS, title="t", files=["a"], generator="g")
    assert render(data) == render(data)


def test_counts_per_type_match_a_plain_count(sample_outputs):
    records = read_events(sample_outputs["s.jsonl"])
    assert summarise(records).by_type == Counter(r["event_type"] for r in records)


# -- fatalities and ACLED sub-event types ---------------------------------------------

DEAD = [
    rec(event_id="a", event_type="offensive", acled_sub_event_type="Air/drone strike", fatalities=7,
        country="Syria", latitude=35.8, longitude=36.6, event_date="2024-05-06", rule_id="offensive.strike",
        sentence="Jets bombed the town, killing seven civilians.", matched_text="Jets bombed the town"),
    rec(event_id="b", event_type="offensive", acled_sub_event_type="Armed clash", fatalities=4,
        country="Iraq", latitude=36.34, longitude=43.13, event_date="2024-05-10", rule_id="offensive.fight",
        sentence="Troops clashed with militants, killing four.", matched_text="Troops clashed with militants"),
    rec(event_id="c", event_type="capture", acled_sub_event_type="", fatalities=0, country="Iraq",
        latitude=36.34, longitude=43.13, event_date="2024-05-10", rule_id="capture.active",
        sentence="Troops took the town.", matched_text="Troops took the town"),
    rec(event_id="d", event_type="offensive", acled_sub_event_type="Armed clash", fatalities=None,
        country="Iraq", event_date="", rule_id="offensive.fight", sentence="Fighting went on.",
        matched_text="Fighting"),
]


def test_filter_by_sub_event_type():
    def dead_ids(filters):
        return [r["event_id"] for r in DEAD if filters.matches(r)]

    assert dead_ids(Filters(sub_event="Armed clash")) == ["b", "d"]
    assert dead_ids(Filters(sub_event=NO_SUBTYPE)) == ["c"]


def test_fatalities_are_counted_by_country_place_and_time():
    s = summarise(DEAD)
    assert s.fatalities == 11
    assert s.fatalities_by_country == {"Syria": 7, "Iraq": 4}
    assert s.place_fatalities == {"35.8000,36.6000": 7, "36.3400,43.1300": 4}
    assert s.fatalities_timeline == {("2024-05-06", "offensive"): 7, ("2024-05-10", "offensive"): 4}
    assert summarise(DEAD, Filters(sub_event="Armed clash")).fatalities == 4


def test_page_data_carries_fatalities_and_sub_event_types():
    data = page_data(DEAD, title="t", files=["f"], generator="g")
    assert data["cols"]["f"] == [7, 4, 0, 0]
    assert [data["subtypes"][k] for k in data["cols"]["se"]] == [
        "Air/drone strike", "Armed clash", NO_SUBTYPE, "Armed clash"]
    assert data["export_columns"][:5] == ["event_id", "event_date", "event_type", "acled_event_type",
                                          "acled_sub_event_type"]


def test_a_csv_of_coder_before_fatalities_is_still_read(tmp_path):
    from coder.htmlreport.read import BEFORE_FATALITIES

    old = tmp_path / "old.csv"
    values = {"event_id": "fedcba9876543210", "doc_id": "d", "sentence_index": "1", "event_type": "capture",
              "cameo_code": "192", "goldstein": "-9.5", "quad_class": "4", "rule_id": "r",
              "matched_text": "took", "sentence": "They took it."}
    old.write_text(",".join(BEFORE_FATALITIES) + "\n" + ",".join(values.get(n, "") for n in BEFORE_FATALITIES)
                   + "\n", encoding="utf-8")
    [record] = read_events(str(old))
    assert (record["event_type"], record["fatalities"], record["assoc_actor_1"]) == ("capture", None, "")

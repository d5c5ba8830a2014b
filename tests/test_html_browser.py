"""`coder report` pages in a real browser: headless Chromium (Debian's
package, /usr/bin/chromium, driven by Playwright with no browser download),
with the network blocked and every request counted.

Each test checks the page against the counts of coder.htmlreport.data.summarise
(tested on its own in tests/test_html_report.py), and that the browser
console shows no error.  Skipped only when no Chromium binary is found (set
CODER_CHROMIUM to point at one).

CODER_UPDATE_SCREENSHOT=1 makes test_screenshot_of_the_samples write
docs/report.png; without it the repository is left alone.
"""

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coder.cli import app
from coder.events.record import FIELDS
from coder.htmlreport import build_report, missing_requirements
from coder.htmlreport.bench import chromium, open_offline, synthetic_records
from coder.htmlreport.data import NO_COUNTRY, Filters, summarise
from coder.htmlreport.read import read_events

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = chromium()

pytestmark = [
    pytest.mark.skipif(missing_requirements() != [],
                       reason="the report's libraries are not installed: pip install -e ."),
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary found (apt-get install chromium, "
                                                 "or set CODER_CHROMIUM to one)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def playwright():
    with sync_api.sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """(events CSV, report) of the samples, made the way a user would:
    ``coder run samples/ -o s.csv`` then ``coder report s.csv``."""
    tmp = tmp_path_factory.mktemp("samples")
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        result = runner.invoke(app, ["run", str(ROOT / "samples"), "-o", "s.csv", "-q"])
        assert result.exit_code == 0, result.output
        result = runner.invoke(app, ["report", "s.csv"])
        assert result.exit_code == 0, result.output
    finally:
        os.chdir(cwd)
    return tmp / "s.csv", tmp / "report.html"


class Page:
    """A page opened offline, with its requests and console errors."""

    def __init__(self, playwright, path, width=1400, height=900):
        self.browser, self.page, self.requests = open_offline(playwright, CHROMIUM, width=width, height=height)
        self.errors = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.url = Path(path).resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_function("() => window.coderReport && window.coderReport.ready", timeout=120_000)

    def js(self, code, arg=None):
        return self.page.evaluate(code, arg)

    def changed(self, action):
        """Do ``action`` and wait until the page has redrawn everything."""
        before = self.js("window.coderReport.updates")
        action()
        self.page.wait_for_function(f"() => window.coderReport.updates > {before}", timeout=60_000)

    def close(self):
        self.browser.close()


@pytest.fixture
def open_page(playwright):
    pages = []

    def opener(path, **size):
        pages.append(Page(playwright, path, **size))
        return pages[-1]

    yield opener
    for page in pages:
        try:
            assert page.errors == [], f"errors in the browser console: {page.errors}"
            assert page.requests == [page.url], f"requests besides the file itself: {page.requests}"
        finally:
            page.close()


# -- what the page shows, read from it ------------------------------------------------

DATA = "JSON.parse(document.getElementById('report-data').textContent)"


def shown_places(page):
    """The place key and event type of each marker in the map's data, and their number."""
    places, types, markers = page.js(f"""() => {{
        const d = {DATA}, t = document.getElementById('map').data.find(t => t.name === 'events');
        return [t.customdata.map(p => d.places[p].key), t.text, t.marker.size.length];
    }}""")
    return places, types, markers


def check_map(page, summary):
    keys, types, n = shown_places(page)
    # one marker group per place: one marker per event type there, all at the place
    assert set(keys) == set(summary.places)
    assert sorted(zip(keys, types, strict=True)) == sorted((k, t) for k, c in summary.places.items() for t in c)
    assert page.js("document.querySelectorAll('#map .scattergeo .point').length") == n == len(keys)
    assert page.js("document.getElementById('status').dataset.places") == str(len(summary.places))


def check_timeline(page, summary):
    traces = page.js("document.getElementById('timeline').data.map(t => [t.name, t.customdata, t.y])")
    shown = {(day, name): n for name, days, ys in traces for day, n in zip(days, ys, strict=True)}
    assert shown == dict(summary.timeline)


def table(page, selector):
    return page.js(f"""[...document.querySelectorAll('{selector} tbody tr')].map(
        tr => [...tr.children].map(c => c.textContent))""")


def check_tables(page, summary):
    head = page.js("[...document.querySelectorAll('#table-type-country thead th')].map(th => th.textContent)")
    assert head[-2:] == ["total", "fatalities"]
    types = head[1:-2]
    shown, dead = {}, {}
    for row in table(page, "#table-type-country"):
        for kind, cell in zip(types, row[1:-2], strict=True):
            if cell != "0":
                shown[kind, row[0]] = int(cell.replace(",", ""))
        assert int(row[-2].replace(",", "")) == sum(shown.get((k, row[0]), 0) for k in types)
        if row[-1] != "0":
            dead[row[0]] = int(row[-1].replace(",", ""))
    assert shown == dict(summary.by_type_country)
    assert dead == dict(summary.fatalities_by_country)
    foot = page.js("[...document.querySelectorAll('#table-type-country tfoot td')].map(c => c.textContent)")
    assert [int(x.replace(",", "")) for x in foot] == [summary.by_type[t] for t in types] + [
        summary.records, summary.fatalities]
    actors = {row[0]: [int(row[1]), int(row[2])] for row in table(page, "#table-actors")}
    assert actors == summary.by_actor
    rules = {row[0]: int(row[1]) for row in table(page, "#table-rules")}
    assert rules == dict(summary.by_rule)


def check_list(page, summary):
    status = page.js("document.getElementById('list-status').textContent")
    assert status.endswith(f" of {summary.records} record" + ("" if summary.records == 1 else "s"))
    assert page.js("document.querySelectorAll('#record-rows tr[data-record]').length") == min(50, summary.records)


def check_all(page, records, filters=None):
    summary = summarise(records, filters, unit=summarise(records).unit)
    check_map(page, summary)
    check_timeline(page, summary)
    check_tables(page, summary)
    check_list(page, summary)
    status = page.js("document.getElementById('status').textContent")
    assert status.startswith(f"Showing {summary.records} of {len(records)} records")
    assert f"{summary.no_coordinates} without coordinates" in status
    return summary


# -- tests ------------------------------------------------------------------------------


def test_the_samples_report_shows_the_counts_of_its_input(samples, open_page):
    events, report = samples
    records = read_events(str(events))
    page = open_page(report)
    summary = check_all(page, records)
    # records without coordinates are counted and listed, not dropped
    note = page.js("document.getElementById('map-note').textContent")
    if summary.no_coordinates:
        assert note.startswith(f"{summary.no_coordinates} record")
    else:
        assert note == ""
    badges = page.js("document.querySelectorAll('#record-rows .badge').length")
    assert badges == summary.no_coordinates


def test_filters_change_map_timeline_tables_and_list_together(samples, open_page):
    events, report = samples
    records = read_events(str(events))
    page = open_page(report)
    kinds = sorted({r["event_type"] for r in records})
    dropped = kinds[-1]
    page.changed(lambda: page.page.locator(f'#f-types input[data-type="{dropped}"]').uncheck())
    kept = frozenset(kinds[:-1])
    before = summarise(records)
    after = check_all(page, records, Filters(types=kept))
    assert after.records < before.records and after.places != before.places

    country = "Syria"
    value = page.js(f"[...document.querySelectorAll('#f-country option')].find(o => "
                    f"o.textContent.startsWith('{country} (')).value")
    page.changed(lambda: page.page.select_option("#f-country", value))
    check_all(page, records, Filters(types=kept, country=country))

    page.changed(lambda: page.page.locator("#f-reset").click())
    check_all(page, records)

    actor = "Islamic State"
    value = page.js(
        f"[...document.querySelectorAll('#f-actor option')].find(o => o.textContent.startsWith('{actor} (')).value"
    )
    page.changed(lambda: page.page.select_option("#f-actor", value))
    check_all(page, records, Filters(actor=actor))
    page.changed(lambda: page.page.fill("#f-from", "2017-11-01"))
    page.changed(lambda: page.page.fill("#f-to", "2017-11-02"))
    check_all(page, records, Filters(actor=actor, date_from="2017-11-01", date_to="2017-11-02"))

    page.changed(lambda: page.page.locator("#f-reset").click())
    page.changed(
        lambda: page.page.select_option(
            "#f-country",
            page.js(
                f"[...document.querySelectorAll('#f-country option')].find(o => "
                f"o.textContent.startsWith('{NO_COUNTRY} (')).value"
            ),
        )
    )
    check_all(page, records, Filters(country=NO_COUNTRY))


def test_a_record_shows_its_sentence_with_the_matched_text_highlighted(samples, open_page):
    events, report = samples
    records = read_events(str(events))
    record = max(records, key=lambda r: len(r["sentence"]) - len(r["matched_text"]))
    page = open_page(report)
    row = page.page.locator(f'#record-rows tr[data-event-id="{record["event_id"]}"]')
    if row.count() == 0:  # not on the first page: search for it
        page.page.fill("#search", record["event_id"])
        page.page.wait_for_function("() => document.getElementById('list-status').textContent.includes('search')")
    assert row.locator("td.sentence mark").inner_text() == record["matched_text"]
    text = row.locator("td.sentence > div").first.inner_text()
    assert text == record["sentence"]
    assert row.locator("td.rule").inner_text() == record["rule_id"]
    # the search finds records by their words
    word = record["matched_text"].split()[-1]
    page.page.fill("#search", word)
    page.page.wait_for_function("() => document.getElementById('list-status').textContent.includes('search')")
    expected = sum(
        1
        for r in records
        if any(
            word.lower() in (v or "").lower()
            for v in (
                r["sentence"],
                r["actor1"],
                r["actor2"],
                r["location"],
                r["country"],
                r["rule_id"],
                r["event_type"],
                r["doc_id"],
            )
        )
    )
    status = page.js("document.getElementById('list-status').textContent")
    assert f"of {expected} record" in status


def test_a_marker_opens_a_popup_listing_the_events_of_its_place(samples, open_page):
    events, report = samples
    records = read_events(str(events))
    summary = summarise(records)
    key, kinds = max(summary.places.items(), key=lambda item: sum(item[1].values()))
    page = open_page(report)
    index = page.js(
        f"(() => {{ const t = document.getElementById('map').data.find(t => t.name === 'events'), d = {DATA};"
        f" return t.customdata.findIndex(p => d.places[p].key === '{key}'); }})()"
    )
    # the markers of a place are nested; the last drawn (smallest) is on top
    points = page.page.locator("#map .scattergeo .point")
    last = max(
        i
        for i in range(points.count())
        if page.js(f"document.getElementById('map').data.find(t => t.name === 'events').customdata[{i}]")
        == page.js(f"document.getElementById('map').data.find(t => t.name === 'events').customdata[{index}]")
    )
    box = points.nth(last).bounding_box()
    page.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.page.wait_for_selector("#popup:not([hidden])")
    assert page.page.locator("#popup li").count() == sum(kinds.values())
    page.changed(lambda: page.page.locator("#popup button.show-place").click())
    check_all(page, records, Filters(place=key))


def test_the_file_makes_no_request(samples, open_page):
    """open_page aborts and counts every request: only the file itself may be asked for."""
    _, report = samples
    page = open_page(report)
    # and the page's own policy refuses any fetch, even one made on purpose
    blocked = page.js("""fetch('http://127.0.0.1:9/x.json').then(() => 'fetched', () => 'refused')""")
    assert blocked == "refused"
    page.errors.clear()  # the refusal above is reported in the console, as it should be
    assert page.requests == [page.url]


def test_screenshot_of_the_samples(samples, open_page, tmp_path):
    _, report = samples
    page = open_page(report, width=1400, height=900)
    shot = tmp_path / "report.png"
    page.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000  # drawn, not blank
    if os.environ.get("CODER_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, ROOT / "docs" / "report.png")


def test_100k_records_load_without_freezing(open_page, tmp_path):
    """docs/report.md gives the figures; python -m coder.htmlreport.bench prints them."""
    records = synthetic_records(100_000)
    events = tmp_path / "events.jsonl"
    with events.open("w") as file:
        for record in records:
            file.write(json.dumps({k: record[k] for k in FIELDS}) + "\n")
    report = tmp_path / "report.html"
    built = build_report([str(events)], str(report))
    page = open_page(report)
    load_ms = page.js("window.coderReport.loadMs")
    summary = summarise(records)
    # aggregated and paginated: markers per place and type, one page of rows
    assert page.js("document.querySelectorAll('#map .scattergeo .point').length") == sum(
        len(c) for c in summary.places.values()
    )
    assert page.js("document.querySelectorAll('#record-rows tr').length") == 50
    status = page.js("document.getElementById('status').textContent")
    assert status.startswith("Showing 100,000 of 100,000 records")
    assert summary.no_coordinates > 1000 and summary.no_date > 500
    assert f"{summary.no_coordinates:,} without coordinates · {summary.no_date:,} without a date" in status
    page.changed(lambda: page.page.locator("#f-types input").first.uncheck())
    update_ms = page.js("window.coderReport.updateMs")
    print(f"\n100,000 records: {built.size / 1e6:.1f} MB, load {load_ms / 1000:.2f} s, filter {update_ms:.0f} ms")
    assert load_ms < 30_000 and update_ms < 10_000


def test_an_empty_events_file_gives_an_empty_page_without_errors(open_page, tmp_path):
    events = tmp_path / "none.jsonl"
    events.write_text("")
    report = tmp_path / "none.html"
    build_report([str(events)], str(report))
    page = open_page(report)
    assert page.js("document.getElementById('status').textContent").startswith("Showing 0 of 0 records")
    assert page.js("document.querySelector('#record-rows td.empty').textContent") == "No record matches."


# -- issue 19: the legend escapes event types; whole ticks; every column in view


def _report_of(tmp_path, records, name="r"):
    events = tmp_path / f"{name}.jsonl"
    with events.open("w") as file:
        for record in records:
            file.write(json.dumps({k: record.get(k, "" if k not in ("sentence_index",) else 1) for k in FIELDS})
                       + "\n")
    report = tmp_path / f"{name}.html"
    build_report([str(events)], str(report))
    return report


def _sample_rows(samples):
    _, report = samples
    rows = read_events(str(report.parent / "s.csv"))
    return [dict(r) if isinstance(r, dict) else {k: getattr(r, k) for k in FIELDS} for r in rows]


def test_an_event_type_cannot_plant_a_link_in_the_timeline_legend(samples, open_page, tmp_path):
    """Plotly reads a trace name as HTML-like text: an event type written
    <a href=...> in an events file made a link in the legend."""
    rows = _sample_rows(samples)
    planted = '<a href="javascript:alert(1)">click</a>'
    for r in rows[:3]:
        r["event_type"] = planted
    page = open_page(_report_of(tmp_path, rows))
    assert page.js("document.querySelectorAll('#timeline a').length") == 0
    legend = page.js("[...document.querySelectorAll('#timeline .legend text.legendtext')].map(t => t.textContent)")
    assert planted in legend


def test_the_timeline_counts_in_whole_events(samples, open_page, tmp_path):
    """One or two events a day gave ticks at 0.5 on the y axis."""
    rows = _sample_rows(samples)
    for k, r in enumerate(rows):
        r["event_date"], r["time_precision"] = f"2017-11-{1 + k // 2:02d}", 1
    page = open_page(_report_of(tmp_path, rows))
    ticks = page.js("[...document.querySelectorAll('#timeline .ytick text')].map(t => t.textContent)")
    assert ticks and all(t.replace(",", "").isdigit() for t in ticks), ticks
    assert len(set(ticks)) == len(ticks)


def test_the_share_column_is_in_view_at_1400_px(samples, open_page, tmp_path):
    """Long rule ids pushed the rules table's "share" column out of its
    panel at 1,400 pixels (it needed scrolling sideways)."""
    rows = _sample_rows(samples)
    for k, r in enumerate(rows):
        r["rule_id"] = f"consolidation.reinforce_positions_around_the_town_variant_{k % 4}"
    page = open_page(_report_of(tmp_path, rows), width=1400, height=900)
    box, share = page.js("""() => {
        const table = document.getElementById('table-rules'), box = table.parentElement.getBoundingClientRect();
        const share = table.querySelector('thead th:last-child').getBoundingClientRect();
        return [[box.left, box.right], [share.left, share.right]];
    }""")
    assert box[0] <= share[0] and share[1] <= box[1] + 0.5, (box, share)
    assert page.js("(() => { const d = document.getElementById('table-rules').parentElement;"
                   " return d.scrollWidth <= d.clientWidth; })()")


# -- fatalities, sub-event types and the CSV download ---------------------------------

DEADLY = [
    {"id": "k1", "date": "2024-05-08", "text": "Government warplanes bombed Saraqib on Monday, "
                                              "killing seven civilians."},
    {"id": "k2", "date": "2024-05-11", "text": "Iraqi forces clashed with Islamic State in Mosul on Friday, "
                                              "killing four militants."},
    {"id": "k3", "date": "2024-05-15", "text": "Malian troops recaptured Kidal from rebels on Tuesday after clashes "
                                              "that left 12 people dead."},
]


@pytest.fixture(scope="module")
def deadly(tmp_path_factory):
    """(records, report) of three events of our own words with deaths."""
    tmp = tmp_path_factory.mktemp("deadly")
    (tmp / "in.jsonl").write_text("".join(json.dumps(d) + "\n" for d in DEADLY), encoding="utf-8")
    runner = CliRunner()
    for args in (["run", str(tmp / "in.jsonl"), "-o", str(tmp / "d.csv"), "-q"],
                 ["report", str(tmp / "d.csv"), "-o", str(tmp / "d.html")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    return read_events(str(tmp / "d.csv")), tmp / "d.html"


def test_fatalities_in_status_tables_map_and_list(deadly, open_page):
    records, path = deadly
    summary = summarise(records)
    assert summary.fatalities == 23
    page = open_page(path)
    check_all(page, records)
    assert " · 23 fatalities · " in page.js("document.getElementById('status').textContent")
    hovers = page.js("document.getElementById('map').data.find(t => t.name === 'events').hovertext")
    assert any(h.endswith("<br>7 fatalities") for h in hovers) and any(h.endswith("<br>12 fatalities") for h in hovers)
    cells = page.js("[...document.querySelectorAll('#record-rows td.fatalities')].map(c => c.textContent)")
    assert sorted(cells) == sorted(str(r["fatalities"]) for r in records)


def test_the_timeline_counts_events_or_fatalities(deadly, open_page):
    records, path = deadly
    summary = summarise(records)
    page = open_page(path)
    page.changed(lambda: page.page.check("#measure-fatalities"))
    traces = page.js("document.getElementById('timeline').data.map(t => [t.name, t.customdata, t.y])")
    shown = {(day, name): n for name, days, ys in traces for day, n in zip(days, ys, strict=True)}
    assert shown == dict(summary.fatalities_timeline)
    assert page.js("document.getElementById('timeline').layout.yaxis.title.text") == "fatalities per day"
    page.changed(lambda: page.page.check("#measure-events"))
    check_timeline(page, summary)


def test_the_sub_event_type_filter(deadly, open_page):
    records, path = deadly
    page = open_page(path)
    options = page.js("[...document.querySelectorAll('#f-subtype option')].map(o => o.textContent)")
    assert "Air/drone strike (1)" in options
    value = page.js("[...document.querySelectorAll('#f-subtype option')]"
                    ".find(o => o.textContent.startsWith('Air/drone strike')).value")
    page.changed(lambda: page.page.select_option("#f-subtype", value))
    check_all(page, records, Filters(sub_event="Air/drone strike"))
    assert " · 7 fatalities · " in page.js("document.getElementById('status').textContent")


def test_the_filtered_records_download_as_csv(deadly, open_page):
    records, path = deadly
    page = open_page(path)
    value = page.js("[...document.querySelectorAll('#f-subtype option')]"
                    ".find(o => o.textContent.startsWith('Armed clash')).value")
    page.changed(lambda: page.page.select_option("#f-subtype", value))
    with page.page.expect_download() as info:
        page.page.click("#download")
    download = info.value
    assert download.suggested_filename == "records.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(__import__("csv").DictReader(text.splitlines()))
    clashes = [r for r in records if r["acled_sub_event_type"] == "Armed clash"]
    assert sorted((r["event_id"], r["fatalities"], r["sentence"]) for r in rows) == sorted(
        (r["event_id"], str(r["fatalities"]), r["sentence"]) for r in clashes)
    assert text == page.js("window.coderReport.csv()")


def test_the_download_keeps_formulas_as_text_and_markup_as_text(samples, open_page, tmp_path):
    rows = _sample_rows(samples)[:2]
    rows[0]["actor1"] = "=HYPERLINK(\"http://example.org\")"
    rows[1]["acled_sub_event_type"] = "<img src=x onerror=alert(1)>"
    page = open_page(_report_of(tmp_path, rows))
    text = page.js("window.coderReport.csv()")
    assert "\"'=HYPERLINK(\"\"http://example.org\"\")\"" in text
    assert page.js("document.querySelectorAll('#f-subtype img').length") == 0
    options = page.js("[...document.querySelectorAll('#f-subtype option')].map(o => o.textContent)")
    assert "<img src=x onerror=alert(1)> (1)" in options

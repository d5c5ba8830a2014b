"""How fast the report is at scale: ``python -m coder.htmlreport.bench``.

Makes ``--records`` synthetic records (random but repeatable: places, actors,
rules, dates over five years, sentences with their matched text, a few
records without coordinates or date), writes their report, then opens it in
headless Chromium with Playwright, every request blocked, and prints:

* the file size and the time to build it;
* ``load``: from the start of navigation to the moment the page has drawn
  everything (map, timeline, tables, first page of the list), as the page
  itself measures it (``performance.now()`` when it is ready);
* ``filter``: the time one filter change takes to redraw everything.

docs/report.md gives the figures measured with it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time

from coder.htmlreport.read import empty_record

TYPES = ("capture", "offensive", "consolidation", "withdrawal", "airstrike", "protest")
VERBS = {"capture": "captured", "offensive": "attacked", "consolidation": "fortified",
         "withdrawal": "withdrew from", "airstrike": "bombed", "protest": "protested in"}


def synthetic_records(n: int, *, places: int = 2000, actors: int = 300, rules: int = 60,
                      seed: int = 1) -> list[dict]:
    """``n`` made-up records of the shape ``coder run`` writes."""
    rng = random.Random(seed)
    countries = [(f"Country {i}", f"C{i:02d}"[:3].upper()) for i in range(40)]
    sites = []
    for i in range(places):
        name, iso = countries[i % len(countries)]
        sites.append((f"Town {i}", name, iso, round(rng.uniform(-45, 60), 4),
                      round(rng.uniform(-120, 150), 4)))
    names = [f"Actor {i}" for i in range(actors)]
    rule_ids = [f"{TYPES[i % len(TYPES)]}.rule{i}" for i in range(rules)]
    out = []
    for i in range(n):
        rule = rng.choice(rule_ids)
        kind = rule.split(".")[0]
        a1, a2 = rng.choice(names), rng.choice(names + [""])
        town, country, iso, lat, lon = sites[min(int(rng.paretovariate(1.2)) - 1, places - 1)
                                             if rng.random() < .5 else rng.randrange(places)]
        day = 1 + rng.randrange(5 * 365)
        year, rest = 2015 + day // 365, day % 365
        month, dom = 1 + rest // 31 % 12, 1 + rest % 28
        date = f"{year}-{month:02d}" if rng.random() < .02 else f"{year}-{month:02d}-{dom:02d}"
        matched = f"{a1} {VERBS[kind]} {town}"
        record = empty_record()
        record.update(
            event_id=f"{i:016x}", doc_id=f"doc-{i // 3}", source="bench", sentence_index=1 + i % 3,
            event_date="" if rng.random() < .01 else date, time_precision=1, event_type=kind,
            actor1=a1, actor1_code="ACT", actor2=a2, actor2_code="ACT" if a2 else "",
            location=town, country=country, iso3=iso,
            latitude=None if rng.random() < .03 else lat, longitude=lon, geo_precision=1,
            cameo_code="190", goldstein=-10.0, quad_class=4, rule_id=rule, matched_text=matched,
            sentence=f"On a day in {year}, {matched} after {rng.randrange(2, 40)} days of "
                     f"fighting, officials said (report {i}).")
        if record["latitude"] is None:
            record["longitude"] = None
        out.append(record)
    return out


def chromium() -> str | None:
    """The Chromium binary to use: ``CODER_CHROMIUM``, else one on the PATH."""
    found = os.environ.get("CODER_CHROMIUM")
    if found:
        return found if os.path.exists(found) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def open_offline(playwright, browser_path: str, *, width: int = 1400, height: int = 900):
    """A headless Chromium page with every request but ``file:`` ones aborted;
    returns ``(browser, page, requests)``, ``requests`` filling with every URL asked for."""
    browser = playwright.chromium.launch(executable_path=browser_path,
                                         args=["--no-sandbox", "--disable-gpu"])
    context = browser.new_context(offline=True, viewport={"width": width, "height": height})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    context.route("**/*", lambda route: route.continue_()
                  if route.request.url.startswith("file:") else route.abort())
    return browser, context.new_page(), requests


def measure(path: str, browser_path: str, timeout_s: float = 120) -> dict:
    """Open the report ``path`` and time its load and one filter change."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser, page, requests = open_offline(pw, browser_path)
        try:
            page.goto("file://" + os.path.abspath(path), timeout=timeout_s * 1000)
            page.wait_for_function("() => window.coderReport && window.coderReport.ready",
                                   timeout=timeout_s * 1000)
            load_ms = page.evaluate("window.coderReport.loadMs")
            page.evaluate("window.coderReport.updates = 0")
            page.locator("#f-types input").first.uncheck()
            page.wait_for_function("() => window.coderReport.updates > 0", timeout=timeout_s * 1000)
            filter_ms = page.evaluate("window.coderReport.updateMs")
        finally:
            browser.close()
    return {"load_ms": load_ms, "filter_ms": filter_ms, "requests": requests}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coder.htmlreport.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--output", help="keep the report here (default: a temporary file)")
    parser.add_argument("--browser", default=None, help="Chromium binary (default: CODER_CHROMIUM or the PATH)")
    args = parser.parse_args(argv)
    from coder.events.record import FIELDS
    from coder.htmlreport import build_report

    with tempfile.TemporaryDirectory() as tmp:
        events = os.path.join(tmp, "events.jsonl")
        with open(events, "w", encoding="utf-8") as file:
            file.writelines(json.dumps({k: record[k] for k in FIELDS}) + "\n"
                            for record in synthetic_records(args.records))
        output = args.output or os.path.join(tmp, "report.html")
        start = time.perf_counter()
        built = build_report([events], output)
        seconds = time.perf_counter() - start
        print(f"records: {built.records:,}; places: {built.places:,}; file: "
              f"{built.size / 1e6:.1f} MB; built in {seconds:.1f} s")
        browser = args.browser or chromium()
        if not browser:
            print("no Chromium found: load time not measured", file=sys.stderr)
            return 1
        figures = measure(output, browser)
        print(f"load: {figures['load_ms'] / 1000:.2f} s; filter: {figures['filter_ms']:.0f} ms; "
              f"requests: {len(figures['requests'])} ({figures['requests'][0] if figures['requests'] else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

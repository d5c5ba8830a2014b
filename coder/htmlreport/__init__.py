"""``coder report``: one self-contained HTML page of coded events.

The page holds everything it needs inline: its data (the records, encoded by
:mod:`coder.htmlreport.data`), its script and style (``static/``), the
charting library (plotly.js, from the ``plotly`` package) and the base map
(country outlines from the ``countryinfo`` package, :mod:`.basemap`).  It
opens from disk with no server, and a Content-Security-Policy in the page
forbids every request, so nothing is fetched even by mistake.

The page is made with Jinja2 from ``templates/report.html.j2``.  These three
libraries come with coder (its default install); :func:`build_report` says
in one line which is missing if one was removed (or coder was installed with
``--no-deps``).

docs/report.md describes the page.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from importlib import resources

from coder.errors import CoderError, Problem
from coder.htmlreport.data import page_data
from coder.htmlreport.read import read_events
from coder.io.outputs import refuse_inputs, write_bytes
from coder.version import __version__

#: pip name -> module name of what the report needs beyond coder's core.
REQUIREMENTS = {"jinja2": "jinja2", "plotly": "plotly", "countryinfo": "countryinfo"}
INSTALL_HINT = "they come with coder: pip install jinja2 plotly countryinfo (or install coder again, without --no-deps)"


@dataclass
class Built:
    """What :func:`build_report` wrote."""

    path: str
    records: int
    places: int
    no_coordinates: int
    no_date: int
    size: int


def missing_requirements() -> list[str]:
    """The pip names of the report's libraries that are not installed."""
    import importlib.util

    return [name for name, module in REQUIREMENTS.items()
            if importlib.util.find_spec(module) is None]


def check_requirements() -> None:
    missing = missing_requirements()
    if missing:
        raise CoderError(Problem(
            "missing-dependency",
            f"coder report needs {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed: {INSTALL_HINT}"))


def build_report(files: list[str], output: str, *, title: str | None = None,
                 fmt: str | None = None) -> Built:
    """Read the event files ``files`` and write the report page to ``output``."""
    check_requirements()
    if not files:
        raise CoderError(Problem("usage", "give at least one events file"))
    refuse_inputs([("--output", output)], files)
    records = [record for path in files for record in read_events(path, fmt)]
    names = [os.path.basename(p) for p in files]
    title = title or "coder report: " + ", ".join(names)
    data = page_data(records, title=title, files=names, generator=f"coder {__version__}")
    html = render(data)
    write_atomically(output, html)
    return Built(output, len(records), len(data["places"]), data["cols"]["p"].count(-1),
                 data["cols"]["b"].count(-1), len(html.encode("utf-8")))


def render(data: dict) -> str:
    """The HTML page for :func:`~coder.htmlreport.data.page_data`'s ``data``."""
    import jinja2

    from coder.htmlreport.basemap import world_outlines

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("coder.htmlreport", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["script_json"] = script_json
    template = env.get_template("report.html.j2")
    return template.render(
        title=data["title"], data=data, world=world_outlines(),
        plotly_js=inline_script(plotly_js()),
        report_js=inline_script(_static("report.js")),
        report_css=_static("report.css"),
    )


def plotly_js() -> str:
    """plotly.js as the ``plotly`` package ships it."""
    return (resources.files("plotly") / "package_data" / "plotly.min.js").read_text("utf-8")


def _static(name: str) -> str:
    return (resources.files("coder.htmlreport") / "static" / name).read_text("utf-8")


_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)
_COMMENT_OPEN = re.compile(r"<!--")


def inline_script(code: str) -> str:
    """Script text safe inside ``<script>``: no ``</script`` or ``<!--`` in it
    (in JavaScript, ``<\\/`` is ``</`` in strings and regular expressions,
    where alone such text can be)."""
    code = _SCRIPT_END.sub(r"<\\/\1", code)
    return _COMMENT_OPEN.sub(r"<\\!--", code)


def script_json(value) -> str:
    """JSON for a ``<script type="application/json">`` block: ``<``, ``>`` and
    ``&`` escaped, so no text in the data can close the block."""
    from markupsafe import Markup

    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` as every output is written
    (:func:`coder.io.outputs.atomic_file`: through links, keeping the mode,
    a device directly)."""
    write_bytes(path, text.encode("utf-8"))

"""Regenerate coder/data/countries.csv from pycountry (ISO 3166-1 codes and
names) and coder/data/demonyms.csv (demonyms, capitals and the extra names
news uses, a table written for coder).

    pip install pycountry && python scripts/make_countries.py

pycountry is only needed to regenerate the file; coder reads the CSV.  A test
(tests/test_countries.py) checks that the committed file is up to date.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "coder" / "data"
COLUMNS = ("iso3", "iso2", "numeric", "name", "names", "demonyms", "capital")


def _split(cell: str) -> list[str]:
    return [x.strip() for x in (cell or "").split("|") if x.strip()]


def build() -> str:
    import pycountry

    extra = {}
    with open(DATA / "demonyms.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            extra[row["iso3"]] = row
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        row = extra.get(c.alpha_3, {})
        names: list[str] = []
        for n in _split(row.get("names", "")) + [
            getattr(c, "common_name", ""),
            c.name,
            getattr(c, "official_name", ""),
        ]:
            if n and ", " not in n and "(" not in n and n not in names:
                names.append(n)
        w.writerow(
            (
                c.alpha_3,
                c.alpha_2,
                c.numeric,
                names[0] if names else c.name,
                "|".join(names),
                row.get("demonyms", ""),
                row.get("capital", ""),
            )
        )
    return out.getvalue()


if __name__ == "__main__":
    text = build()
    if "--check" in sys.argv:
        sys.exit(0 if (DATA / "countries.csv").read_text(encoding="utf-8") == text else 1)
    (DATA / "countries.csv").write_text(text, encoding="utf-8")
    print(f"wrote {DATA / 'countries.csv'}: {text.count(chr(10)) - 1} countries")

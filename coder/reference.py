"""Reference facts shipped with coder (package data from ../shared/reference).

* ``cameo()``: every CAMEO event code -> (name, Goldstein score, quad class, root);
* ``acled_sub_event_types()``: ACLED event type -> its sub-event types.
* ``acled_disorder_types()``: (event type, sub-event type) -> ACLED disorder type.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True, slots=True)
class CameoCode:
    code: str
    name: str
    goldstein: float
    quad_class: int
    root: str


def _rows(name: str) -> list[dict]:
    text = (files("coder") / "data" / "reference" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def cameo() -> dict[str, CameoCode]:
    return {
        r["code"]: CameoCode(r["code"], r["name"], float(r["goldstein"]), int(r["quad_class"]), r["root"])
        for r in _rows("cameo_codes.csv")
    }


@cache
def acled_sub_event_types() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for r in _rows("acled_event_types.csv"):
        out.setdefault(r["event_type"], []).append(r["sub_event_type"])
    return {k: tuple(v) for k, v in out.items()}


@cache
def acled_disorder_types() -> dict[tuple[str, str], str]:
    """(ACLED event type, sub-event type) -> its disorder type."""
    return {(r["event_type"], r["sub_event_type"]): r["disorder_type"]
            for r in _rows("acled_event_types.csv")}

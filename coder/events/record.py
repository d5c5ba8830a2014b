"""The event record: the one data shape every writer and validator shares."""

from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter

#: Output fields, in output order.  docs/output.md describes each one.
FIELDS: tuple[str, ...] = (
    "event_id",
    "doc_id",
    "source",
    "sentence_index",
    "event_date",
    "time_precision",
    "event_type",
    "actor1",
    "actor1_code",
    "assoc_actor_1",
    "actor2",
    "actor2_code",
    "assoc_actor_2",
    "location",
    "admin1",
    "admin2",
    "admin3",
    "country",
    "iso3",
    "latitude",
    "longitude",
    "geo_precision",
    "cameo_code",
    "goldstein",
    "quad_class",
    "acled_event_type",
    "acled_sub_event_type",
    "civilian_targeting",
    "fatalities",
    "rule_id",
    "matched_text",
    "fatalities_text",
    "sentence",
)

#: Fields whose values are numbers (all others are strings).
INTEGER_FIELDS = frozenset({"sentence_index", "time_precision", "geo_precision", "quad_class", "fatalities"})
NUMBER_FIELDS = frozenset({"latitude", "longitude", "goldstein"})


@dataclass(slots=True)
class Record:
    """One coded event.  Empty values are ``""`` (strings) or ``None`` (numbers)."""

    event_id: str = ""
    doc_id: str = ""
    source: str = ""
    sentence_index: int | None = None
    event_date: str = ""
    time_precision: int | None = None
    event_type: str = ""
    actor1: str = ""
    actor1_code: str = ""
    assoc_actor_1: str = ""
    actor2: str = ""
    actor2_code: str = ""
    assoc_actor_2: str = ""
    location: str = ""
    admin1: str = ""
    admin2: str = ""
    admin3: str = ""
    country: str = ""
    iso3: str = ""
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    cameo_code: str = ""
    goldstein: float | None = None
    quad_class: int | None = None
    acled_event_type: str = ""
    acled_sub_event_type: str = ""
    civilian_targeting: str = ""
    fatalities: int | None = None
    rule_id: str = ""
    matched_text: str = ""
    fatalities_text: str = ""
    sentence: str = ""

    def to_dict(self) -> dict:
        """Every field with its typed value, in field order; empty text is
        ``""``, an empty number ``None`` (the JSONL form: every record has the
        same keys, so records make a table with the same columns)."""
        return dict(zip(FIELDS, record_values(self), strict=True))

    def non_empty(self) -> dict:
        """Typed values of the fields that hold one, in field order (the form
        the event schema checks: an empty field is an absent one)."""
        return non_empty_values(record_values(self))

    def to_row(self) -> list[str]:
        """All fields as text, empty values as ``""`` (the CSV form): what
        :func:`format_value` gives for each, with text passed through as it
        is (the writer's hot path)."""
        return [v if (kind := v.__class__) is str else "" if v is None else repr(v) if kind is float
                else str(v) if kind is int else format_value(v) for v in record_values(self)]


def format_value(value) -> str:
    """Render one field value as text, the same way in every writer."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def parse_value(name: str, text: str):
    """Turn the text of a field back into its typed value.

    Text that does not parse stays text, so that validation reports it.
    Empty text gives ``None``.
    """
    if text == "":
        return None
    if name in INTEGER_FIELDS:
        try:
            return int(text)
        except ValueError:
            return text
    if name in NUMBER_FIELDS:
        try:
            return float(text)
        except ValueError:
            return text
    return text


assert tuple(f.name for f in fields(Record)) == FIELDS
record_values = attrgetter(*FIELDS)  #: a record's values in field order (Record(*values) makes it again)


def non_empty_values(values) -> dict:
    """:meth:`Record.non_empty` of the record whose values, in field order,
    are ``values``: None and ``""`` are absent fields."""
    return {name: value for name, value in zip(FIELDS, values, strict=True) if value is not None and value != ""}

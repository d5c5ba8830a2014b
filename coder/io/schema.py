"""The output schemas, loaded once from the package, and record validation.

``schemas/event.schema.json`` describes one record in its typed dict form
(:meth:`coder.events.record.Record.to_dict`); ``schemas/events.xsd`` describes
the XML output file.  Both ship as package data (``coder/schemas`` links to the
top-level ``schemas/`` directory).

:func:`validate_record` turns each violation into a short
:class:`~coder.errors.Problem` (code ``record-invalid``) naming the field::

    event_id: 'abc' is not a 16-digit lowercase hex id
    latitude: 95.0 is not between -90 and 90
    longitude: is required when latitude is given

Two details differ from a stock ``Draft202012Validator``, so that Python
agrees with the schema as other JSON Schema tools (ECMA-262 regexes) and the
XSD read it:

* ``pattern``: a final ``$`` matches only at the very end (Python's ``$`` also
  matches before a trailing newline, so ``"190\\n"`` would pass).
* types: ``integer`` excludes floats such as ``1.0`` (they would be written as
  ``1.0``, which the XSD and the CSV reader reject) and ``number`` excludes NaN.
"""

from __future__ import annotations

import copy
import json
import math
import re
from functools import cache, lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

from coder.errors import Problem
from coder.events.record import FIELDS, non_empty_values

if TYPE_CHECKING:  # imported when first needed: a run whose records are all valid never needs them
    from jsonschema import Draft202012Validator, ValidationError
    from lxml import etree

_SCHEMAS = files("coder") / "schemas"

#: For each patterned field, what a good value looks like ("is not ...").
_PATTERN_HINTS = {
    "event_id": "a 16-digit lowercase hex id",
    "event_date": "a YYYY-MM-DD or YYYY-MM date",
    "event_type": "an event type name (lowercase letters, digits and _)",
    "actor1_code": "an actor code (3 to 15 uppercase letters or digits)",
    "actor2_code": "an actor code (3 to 15 uppercase letters or digits)",
    "iso3": "an ISO alpha-3 country code (3 uppercase letters)",
    "cameo_code": "a CAMEO code (2 to 4 digits)",
    "rule_id": "a rule id (letters, digits and _ . : -)",
}

#: Enumerations too long to list in a message.
_ENUM_HINTS = {
    "acled_event_type": "an ACLED event type",
    "acled_sub_event_type": "an ACLED sub-event type",
}

#: Conditions of the schema's if/then rules, by the field they constrain.
_CONDITIONS = {"time_precision": "event_date is month-only (YYYY-MM)"}

_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "object": "an object",
}

#: Keywords that report several fields in one go; handled once per record.
_OBJECT_KEYWORDS = frozenset({"required", "additionalProperties", "dependentRequired"})


def event_schema() -> dict:
    """The JSON Schema of one record (``schemas/event.schema.json``); a copy."""
    return copy.deepcopy(_event_schema())


@cache
def _event_schema() -> dict:
    return json.loads((_SCHEMAS / "event.schema.json").read_text(encoding="utf-8"))


@cache
def events_xsd() -> etree.XMLSchema:
    """The compiled XML Schema of the XML output (``schemas/events.xsd``)."""
    from lxml import etree

    data = (_SCHEMAS / "events.xsd").read_bytes()
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.fromstring(data, parser))


@cache
def _anchored(pattern: str) -> re.Pattern:
    """Compile a schema regex so that a final ``$`` means end of text."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _pattern(validator, pattern, instance, schema):
    from jsonschema import ValidationError

    if validator.is_type(instance, "string") and not _anchored(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _is_integer(checker, instance) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def _is_number(checker, instance) -> bool:
    if isinstance(instance, bool) or not isinstance(instance, (int, float)):
        return False
    return not (isinstance(instance, float) and math.isnan(instance))


@cache
def _record_validator_class():
    """jsonschema's Draft 2020-12 validator with our ``pattern`` and types."""
    from jsonschema import Draft202012Validator, validators

    return validators.extend(
        Draft202012Validator,
        validators={"pattern": _pattern},
        type_checker=Draft202012Validator.TYPE_CHECKER.redefine_many(
            {"integer": _is_integer, "number": _is_number}
        ),
    )


@cache
def _validator() -> Draft202012Validator:
    return _validator_of(_event_schema())


def _validator_of(schema: dict) -> Draft202012Validator:
    cls = _record_validator_class()
    cls.check_schema(schema)
    return cls(schema)  # no format_checker: formats are not asserted


@cache
def load_schema(name: str) -> dict:
    """The JSON Schema ``schemas/NAME`` (cached: do not change it)."""
    return json.loads((_SCHEMAS / name).read_text(encoding="utf-8"))


@cache
def _validator_for(name: str) -> Draft202012Validator:
    return _validator_of(load_schema(name))


# -- a compiled fast path -------------------------------------------------------
#
# Validating every record with jsonschema costs about 100 us; almost every
# record is valid.  The schema is therefore also compiled into a plain Python
# predicate for the keywords our schemas use, which says only "valid or not";
# when it says "not", jsonschema runs to say why.  A keyword the compiler does
# not know turns the fast path off for that schema (it never guesses), and
# tests/test_schema.py checks the two agree on generated records.

_IGNORED = frozenset({"$schema", "$id", "title", "description", "$comment", "examples", "default"})


class _Unsupported(Exception):
    pass


def _compile(schema, fields: tuple[str, ...] | None = None) -> callable:
    """A predicate for ``schema``: Python source generated for the keywords
    below and compiled once (about ten times faster than closures).  Each
    property is looked up once (``v.get(name, _M)``) and checked by
    statements that return False at the first violation.

    With ``fields``, the predicate takes the values of an object in that
    order (a tuple), a value None or ``""`` standing for an absent property,
    as :meth:`Record.non_empty` leaves it out: the writer checks a record's
    values without making the dict."""
    ns: dict = {"_same": lambda a, b: _same(a, b),
                "_anyeq": lambda v, xs: any(_same(v, x) for x in xs), "_M": object()}
    counter = [0]
    where = {f: i for i, f in enumerate(fields or ())}

    def present(prop: str) -> str:  # positional: the property holds a value
        i = where.get(prop)
        return "False" if i is None else f"(v[{i}] is not None and v[{i}] != '')"

    def number(x: str) -> str:  # _is_number, inline
        return f"(isinstance({x}, (int, float)) and not isinstance({x}, bool) and {x} == {x})"

    def name(obj, prefix: str) -> str:
        counter[0] += 1
        key = f"_{prefix}{counter[0]}"
        ns[key] = obj
        return key

    def function(sub) -> str:
        fname = name(None, "f")
        src = f"def {fname}(v):\n" + "".join(block(sub, "v", "    ")) + "    return True\n"
        exec(src, ns)  # noqa: S102 - our own generated code
        return fname

    def block(schema, x: str, ind: str) -> list[str]:
        """Statements that return False when ``x`` breaks ``schema``."""
        leaf = conds(schema, x)
        out = [f"{ind}if not ({' and '.join(leaf)}): return False\n"] if leaf else []
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if properties and fields is not None and x == "v":  # the object's values, in order
            for prop, sub in properties.items():
                counter[0] += 1
                var = f"x{counter[0]}"
                checks = block(sub, var, ind + "    ")
                if checks and prop in where:
                    out += [f"{ind}{var} = v[{where[prop]}]\n", f"{ind}if {var} is not None and {var} != '':\n",
                            *checks]
        elif properties:
            inner: list[str] = []
            for prop, sub in properties.items():
                counter[0] += 1
                var = f"x{counter[0]}"
                checks = block(sub, var, ind + "        ")
                if checks:
                    inner += [f"{ind}    {var} = {x}.get({prop!r}, _M)\n",
                              f"{ind}    if {var} is not _M:\n", *checks]
            if inner:
                out += [f"{ind}if isinstance({x}, dict):\n", *inner]
        return out

    def conds(schema, x: str) -> list[str]:
        """Conditions on ``x`` itself (its properties are left to block())."""
        if schema is True or schema == {}:
            return []
        if not isinstance(schema, dict):
            raise _Unsupported(repr(schema))
        out: list[str] = []
        # With "type" tested first, the conditions after it need not test the
        # type again: a string's minLength is len(x) >= 1, not "not a string or ...".
        kind = schema.get("type")
        is_str = kind == "string"
        is_num = kind in ("number", "integer")
        items = sorted(schema.items(), key=lambda item: item[0] != "type")
        if fields is not None and x == "v":
            return object_conds(schema, items)
        for key, rule in items:
            if key in _IGNORED or key in ("then", "else", "properties"):
                continue
            if key == "type":
                kinds = [rule] if isinstance(rule, str) else list(rule)
                tests = []
                for kind in kinds:
                    tests.append({
                        "string": f"isinstance({x}, str)",
                        "integer": f"(isinstance({x}, int) and not isinstance({x}, bool))",
                        "number": number(x),
                        "object": f"isinstance({x}, dict)",
                        "boolean": f"isinstance({x}, bool)",
                        "null": f"{x} is None",
                    }.get(kind) or _fail(kind))
                out.append("(" + " or ".join(tests) + ")")
            elif key == "additionalProperties":
                if rule is not False:
                    raise _Unsupported("additionalProperties")
                known = name(frozenset(schema.get("properties", {})), "k")
                out.append(f"(not isinstance({x}, dict) or {known}.issuperset({x}))")
            elif key == "required":
                if rule:
                    out.append(f"(not isinstance({x}, dict) or (" + " and ".join(f"{n!r} in {x}" for n in rule) + "))")
            elif key == "dependentRequired":
                for k, needs in rule.items():
                    if needs:
                        out.append(f"(not isinstance({x}, dict) or {k!r} not in {x} or ("
                                   + " and ".join(f"{n!r} in {x}" for n in needs) + "))")
            elif key == "enum":
                values = list(rule)
                if all(isinstance(v, str) for v in values):
                    out.append(f"(type({x}) is str and {x} in {name(frozenset(values), 'e')})")
                elif all(type(v) is int for v in values):  # 1.0 equals 1 here too, as in _same
                    out.append(f"(isinstance({x}, (int, float)) and not isinstance({x}, bool) "
                               f"and {x} in {name(frozenset(values), 'e')})")
                else:
                    out.append(f"_anyeq({x}, {name(values, 'e')})")
            elif key == "const":
                out.append(f"_same({x}, {name(rule, 'c')})")
            elif key == "pattern":
                guard = "" if is_str else f"not isinstance({x}, str) or "
                good: set = set()  # texts that passed, looked up before a search
                memo, search = name(good, "g"), name(_matcher(_anchored(rule), good), "m")
                out.append(f"({guard}{x} in {memo} or {search}({x}))")
            elif key in ("minLength", "maxLength"):
                op = ">=" if key == "minLength" else "<="
                guard = "" if is_str else f"not isinstance({x}, str) or "
                out.append(f"({guard}len({x}) {op} {int(rule)})")
            elif key in ("minimum", "maximum"):
                op = ">=" if key == "minimum" else "<="
                guard = "" if is_num else f"not {number(x)} or "
                out.append(f"({guard}{x} {op} {name(rule, 'n')})")
            elif key in ("allOf", "if"):
                out += combined(schema, key, rule, x)
            else:
                raise _Unsupported(key)
        return out

    def combined(schema, key: str, rule, x: str) -> list[str]:
        """The conditions of ``allOf`` and ``if``/``then``/``else`` on ``x``: each
        subschema a function of its own, on the same object."""
        if key == "allOf":
            return [f"{function(sub)}({x})" for sub in rule]
        cond, then = function(rule), function(schema.get("then", True))
        other = function(schema.get("else", True))
        return [f"({then}({x}) if {cond}({x}) else {other}({x}))"]

    def object_conds(schema, items) -> list[str]:
        """conds() of the object whose values the positional predicate takes."""
        out: list[str] = []
        for key, rule in items:
            if key in _IGNORED or key in ("then", "else", "properties"):
                continue
            if key == "type" and rule == "object":
                continue  # a tuple of values stands for an object
            if key == "additionalProperties" and rule is False:
                known = set(schema.get("properties", {}))
                out += [f"not {present(f)}" for f in fields if f not in known]
            elif key == "required":
                out += [present(n) for n in rule]
            elif key == "dependentRequired":
                for k, needs in rule.items():
                    if needs:
                        out.append(f"(not {present(k)} or (" + " and ".join(present(n) for n in needs) + "))")
            elif key in ("allOf", "if"):
                out += combined(schema, key, rule, "v")
            else:
                raise _Unsupported(key)
        return out

    return ns[function(schema)]


#: Most strings each pattern's memo keeps (a record's codes, types, dates and
#: rule ids repeat; its event id does not).
_MEMO = 4096


def _matcher(rx: re.Pattern, good: set):
    """``rx.search(text) is not None``, remembering the texts that passed in
    ``good`` (the predicate looks there first: a set lookup, not a search)."""
    def matches(text) -> bool:
        if rx.search(text) is None:
            return False
        if len(good) < _MEMO:
            good.add(text)
        return True
    return matches


def _fail(kind):
    raise _Unsupported(kind)


def _same(a, b) -> bool:
    """JSON equality: 1 == 1.0, but True is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


@cache
def _fast(name: str):
    """The compiled predicate of ``schemas/NAME``, or None if it uses a
    keyword the compiler does not know."""
    try:
        return _compile(load_schema(name))
    except _Unsupported:
        return None


@cache
def _fast_values():
    """The event schema's predicate on a record's values in field order
    (:data:`coder.events.record.record_values`), or None."""
    try:
        return _compile(load_schema("event.schema.json"), FIELDS)
    except _Unsupported:
        return None


_AT_DATE, _AT_ISO3, _AT_COUNTRY = FIELDS.index("event_date"), FIELDS.index("iso3"), FIELDS.index("country")


def validate_values(values: tuple) -> list[Problem]:
    """:func:`validate_record` of the record whose values, in field order,
    are ``values`` (the writer's path: no dict is made for a valid record)."""
    fast = _fast_values()
    if fast is not None and fast(values):
        return list(_record_facts(values[_AT_DATE] or None, values[_AT_ISO3] or None, values[_AT_COUNTRY] or None))
    return validate_record(non_empty_values(values))


def validate_record(record_dict: dict) -> list[Problem]:
    """Check one record (typed dict form of the fields that hold a value:
    :meth:`Record.non_empty`) against the event schema, and what
    a schema cannot say (:func:`facts`): a real date, a country code of the
    ISO 3166 list, a country named as its code says.

    Returns one ``record-invalid`` :class:`Problem` per violation, with
    ``field`` set to the field concerned, in field order; ``[]`` if valid.
    """
    fast = _fast("event.schema.json")
    if fast is not None and fast(record_dict):
        return list(_record_facts(record_dict.get("event_date"), record_dict.get("iso3"), record_dict.get("country")))
    problems = _problems(_validator(), record_dict, FIELDS, None)
    return sorted_problems(problems + facts(record_dict, "event_date", "iso3", "country", {p.field for p in problems}),
                   FIELDS)


def _record_facts(date, iso3, country) -> tuple[Problem, ...]:
    """:func:`facts` of a record that the schema passed: they depend on these
    three values only, and a corpus's records repeat few dates and fewer
    places (the calendar and country name checks were the writer's costliest
    part), so each part is kept per value."""
    return _date_facts(date) + _place_facts(iso3, country)


@lru_cache(maxsize=8192)
def _date_facts(date) -> tuple[Problem, ...]:
    return tuple(facts({} if date is None else {"event_date": date}, "event_date", None, None))


@lru_cache(maxsize=4096)
def _place_facts(iso3, country) -> tuple[Problem, ...]:
    row = {k: v for k, v in (("iso3", iso3), ("country", country)) if v is not None}
    return tuple(facts(row, None, "iso3", "country"))


_DATE_FORMS = {
    "YYYY-MM-DD": re.compile(r"([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?"),
    "YYYYMMDD": re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})?"),
}


def not_a_date(text: str, form: str = "YYYY-MM-DD") -> str | None:
    """Why ``text``, written like a date (``YYYY-MM-DD`` or ``YYYY-MM``;
    ``YYYYMMDD`` or ``YYYYMM``), is no day of the calendar; None if it is one
    (or is not written like a date at all: the schema's pattern says so)."""
    match = _DATE_FORMS[form].fullmatch(text)
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return None
    if year < 1:
        return f"{_show(text)} is not a date: there is no year 0"
    if match[3] is not None:
        import calendar

        days = calendar.monthrange(year, month)[1]
        if not 1 <= int(match[3]) <= days:
            return f"{_show(text)} is not a date: {year:04d}-{month:02d} has {days} days"
    return None


def facts(row: dict, date: str | None, iso3: str | None, country: str | None,
          reported: set | frozenset = frozenset(), *, date_form: str = "YYYY-MM-DD",
          numeric: str | None = None) -> list[Problem]:
    """``record-invalid`` problems for what a schema cannot check, for the
    fields of ``row`` named: ``date`` a real day; ``iso3`` (or ``numeric``,
    an ISO 3166 numeric code) a country of the ISO 3166 list (or XKX, Kosovo,
    which GeoNames and ACLED use); ``country`` a name of that country.
    Fields in ``reported`` (already wrong by the schema) are not checked again."""
    from coder.countries import by_numeric, countries, known_iso3, names_country

    out: list[Problem] = []
    if not isinstance(row, dict):
        return out  # the schema says what it is
    value = row.get(date) if date else None
    if isinstance(value, str) and date not in reported and (why := not_a_date(value, date_form)):
        out.append(Problem("record-invalid", why, field=date))
    code = None
    if iso3 is not None:
        value = row.get(iso3)
        if isinstance(value, str) and iso3 not in reported and _ISO3.fullmatch(value):
            if known_iso3(value):
                code = value
            else:
                out.append(Problem("record-invalid", f"{_show(value)} is not an ISO 3166 country code", field=iso3))
    if numeric is not None:
        value = row.get(numeric)
        if isinstance(value, int) and not isinstance(value, bool) and numeric not in reported:
            known = by_numeric().get(value)
            if known is None:
                out.append(Problem("record-invalid", f"{value} is not an ISO 3166 numeric country code",
                                   field=numeric))
            else:
                code = known.iso3
    value = row.get(country) if country else None
    if code is not None and isinstance(value, str) and value and country not in reported \
            and not names_country(value, code):
        named = countries()[code].name if code in countries() else code
        out.append(Problem("record-invalid", f"{_show(value)} is not the country of {code} ({named})",
                           field=country))
    return out


_ISO3 = re.compile(r"[A-Z]{3}")


def sorted_problems(problems: list[Problem], columns: tuple[str, ...]) -> list[Problem]:
    order = {name: i for i, name in enumerate(columns)}
    return sorted(problems, key=lambda p: order.get(p.field, len(columns)) if p.field else -1)


def validate_row(schema_name: str, row: dict, columns: tuple[str, ...],
                 hints: dict[str, str] | None = None) -> list[Problem]:
    """Check one output row of another format (typed dict form, empty values
    absent) against ``schemas/SCHEMA_NAME``, as :func:`validate_record` does.

    ``columns`` gives the order of the problems; ``hints`` says, per column,
    what a good value of a patterned or enumerated column looks like (the
    message is then "... is not HINT").
    """
    fast = _fast(schema_name)
    if fast is not None and fast(row):
        return []
    return _problems(_validator_for(schema_name), row, columns, hints or {})


def _problems(validator: Draft202012Validator, record_dict: dict, columns: tuple[str, ...],
              hints: dict[str, str] | None) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple] = set()
    errors = list(validator.iter_errors(record_dict))
    # A value of the wrong type also fails its pattern, enum or range: say only the type.
    mistyped = {e.path[0] for e in errors if e.validator == "type" and e.path}
    for error in errors:
        field = error.path[0] if error.path else None
        if error.validator in _OBJECT_KEYWORDS:
            key = (error.validator, tuple(error.schema_path))
            if key in seen:  # one error per missing field; we list them all at once
                continue
            seen.add(key)
            problems.extend(_object_problems(error, record_dict))
        elif error.validator == "type" or field not in mistyped:
            problems.append(Problem("record-invalid", _message(error, field, hints),
                                    field=field))
    order = {name: i for i, name in enumerate(columns)}
    problems.sort(key=lambda p: order.get(p.field, len(columns)) if p.field else -1)
    return problems


def _object_problems(error: ValidationError, record: dict) -> list[Problem]:
    """Problems for the keywords that name fields rather than check values."""
    def problem(field: str, message: str) -> Problem:
        return Problem("record-invalid", message, field=field)

    if not isinstance(record, dict):
        return []
    if error.validator == "required":
        return [problem(name, "is required") for name in error.validator_value
                if name not in record]
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        return [problem(str(name), "is not a known field") for name in record
                if name not in known]
    # dependentRequired: {present field: [fields it needs]}
    return [problem(need, f"is required when {name} is given")
            for name, needs in error.validator_value.items() if name in record
            for need in needs if need not in record]


def _message(error: ValidationError, field: str | None,
             hints: dict[str, str] | None = None) -> str:
    """A short message in plain words for one value-level error.

    ``hints`` (column -> "what a good value is") replaces the event record's
    own pattern and enumeration hints, for the rows of other formats.
    """
    kind, rule, value = error.validator, error.validator_value, error.instance
    pattern_hints = _PATTERN_HINTS if hints is None else hints
    enum_hints = _ENUM_HINTS if hints is None else hints
    if kind == "type":
        return f"{_show(value)} is not {_TYPE_NAMES.get(rule, rule)}"
    if kind == "minLength":
        return "must not be empty" if rule == 1 else f"must be at least {rule} characters long"
    if kind == "pattern":
        return f"{_show(value)} is not {pattern_hints.get(field, f'matched by {rule}')}"
    if kind == "enum":
        if field in enum_hints:
            return f"{_show(value)} is not {enum_hints[field]}"
        return "must be one of " + ", ".join(_show(v) for v in rule)
    if kind in ("minimum", "maximum"):
        low, high = error.schema.get("minimum"), error.schema.get("maximum")
        if low is not None and high is not None:
            return f"{_show(value)} is not between {low} and {high}"
        return f"{_show(value)} is less than {low}" if kind == "minimum" else \
            f"{_show(value)} is more than {high}"
    if kind == "const":
        condition = _CONDITIONS.get(field) if "then" in error.schema_path else None
        return f"must be {_show(rule)}" + (f" when {condition}" if condition else "")
    return f"breaks the schema's {kind!r} rule"


def _show(value, limit: int = 40) -> str:
    """``repr`` of a value, cut short so a long sentence does not flood the message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."

"""Load a codebook: read -> parse YAML -> check against the JSON Schema ->
build the model -> check what a schema cannot (unique ids, defined names,
parsable patterns, known CAMEO codes).  Every problem is reported as
``path:line:col: field: message``; all problems are collected before raising.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from importlib.resources import files
from pathlib import Path

import jsonschema

from coder.codebook import yamlpos
from coder.codebook.checks import Context, field_name, problem_order, run_checks
from coder.codebook.files import MAX_CODEBOOK_BYTES, codebook_digest, codebook_file_problem, include_paths
from coder.codebook.model import (
    Actor,
    Alias,
    Codebook,
    Condition,
    Cue,
    EventType,
    Example,
    GenericActor,
    Place,
    Rule,
    Settings,
    StateActors,
    StateRole,
    Variant,
)
from coder.errors import CodebookError, Problem

DEFAULT_CODEBOOK = "default.yaml"

def default_codebook_path() -> str:
    """Path of the codebook shipped with coder."""
    return str(files("coder") / "codebooks" / DEFAULT_CODEBOOK)


@cache
def codebook_schema() -> dict:
    return json.loads((files("coder") / "schemas" / "codebook.schema.json").read_text(encoding="utf-8"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(codebook_schema())


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "mapping"


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _schema_problem(err: jsonschema.ValidationError, pos: yamlpos.Positions, path: str) -> list[Problem]:
    if err.validator in ("oneOf", "anyOf") and err.context:
        if err.validator == "anyOf" and all(e.validator == "required" for e in err.context):
            names = ", ".join(e.validator_value[0] for e in err.context)
            shown, line, col = pos.where(tuple(err.absolute_path))
            return [
                Problem(
                    "schema",
                    f"needs at least one of: {names}",
                    shown or path,
                    line,
                    col,
                    field_name(tuple(err.absolute_path)) or None,
                )
            ]
        deepest = max(len(e.absolute_path) for e in err.context)
        best = jsonschema.exceptions.best_match([e for e in err.context if len(e.absolute_path) == deepest])
        if best is not None and deepest > len(err.absolute_path) or (best is not None and best.validator != "type"):
            return _schema_problem(best, pos, path)
    loc = tuple(err.absolute_path)
    inst = err.instance
    v, vv = err.validator, err.validator_value
    shown, line, col = pos.where(loc)
    shown = shown or path
    fname = field_name(loc) or None

    def at(msg: str, where: tuple | None = None, key: bool = False) -> list[Problem]:
        w = loc if where is None else where
        file, ln, cl = pos.where(w, key)
        return [Problem("schema", msg, file or path, ln, cl, field_name(w) or None)]

    if v == "additionalProperties" and isinstance(inst, dict):
        allowed = set(err.schema.get("properties", {}))
        out = []
        for key in inst:
            if key in allowed or not allowed:
                continue
            hint = difflib.get_close_matches(key, sorted(allowed), n=1)
            msg = f"unknown key '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
            out += at(msg, loc + (key,), key=True)
        if out:
            return out
        return at(f"unexpected value: {err.message}")
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        if missing == "expect" and len(loc) == 4 and loc[0] == "rules" and loc[2] == "examples":
            return [
                Problem(
                    "example-expect",
                    "example has no expected record: add 'expect:' with the record(s) "
                    "it must give, or 'expect: none' for a near miss",
                    shown,
                    line,
                    col,
                    fname,
                )
            ]
        return [Problem("schema", f"missing required key '{missing}'", shown, line, col, fname)]
    if v == "type":
        want = vv if isinstance(vv, str) else " or ".join(vv)
        want = {
            "object": "a mapping",
            "array": "a list",
            "string": "a string",
            "integer": "an integer",
            "number": "a number",
            "boolean": "true or false",
        }.get(want, want)
        return at(f"expected {want}, got {_json_type(inst)} {_short(inst)}")
    if v == "enum":
        opts = ", ".join(repr(x) for x in vv[:8]) + (", ..." if len(vv) > 8 else "")
        return at(f"{_short(inst)} is not allowed; use one of: {opts}")
    if v == "const":
        return at(f"must be {vv!r}")
    if v == "pattern":
        return at(f"{_short(inst)} does not have the expected form ({vv})")
    if v == "minLength":
        return at("must not be empty")
    if v in ("minItems", "minProperties"):
        return at("must not be empty" if vv == 1 else f"needs at least {vv} items")
    if v == "minimum":
        return at(f"{_short(inst)} is below the minimum {vv}")
    if v == "maximum":
        return at(f"{_short(inst)} is above the maximum {vv}")
    if v == "dependentRequired":
        for key, deps in vv.items():
            if key in inst:
                for dep in deps:
                    if dep not in inst:
                        return at(f"'{dep}' is required when '{key}' is given", loc + (key,), key=True)
    if v == "propertyNames":
        return at(f"name {_short(inst)} does not have the expected form", loc + (inst,), key=True)
    return at(err.message)


def _aliases(raw: list) -> list[Alias]:
    out = []
    for a in raw or []:
        if isinstance(a, str):
            out.append(Alias(a))
        else:
            out.append(Alias(a["text"], bool(a.get("case_sensitive", False))))
    return out


def _expect(raw) -> list[dict]:
    if raw == "none":
        return []
    return [raw] if isinstance(raw, dict) else list(raw)


def _build(data: dict, path: str, pos: yamlpos.Positions, digest: str) -> Codebook:
    event_types = {}
    for name, et in data["event_types"].items():
        variants = [
            Variant(
                Condition(**v["when"]),
                v.get("situation", ""),
                v.get("cameo", ""),
                v.get("acled_event_type", ""),
                v.get("acled_sub_event_type", ""),
            )
            for v in et.get("variants", [])
        ]
        excludes = [Variant(Condition(**x["when"]), x["situation"]) for x in et.get("exclude", [])]
        event_types[name] = EventType(
            name,
            et["cameo"],
            et["acled_event_type"],
            et["acled_sub_event_type"],
            et.get("description", ""),
            variants,
            excludes,
            et.get("other_side", "slots"),
            list(et.get("sides_from", [])),
        )
    actors = [
        Actor(
            a["code"],
            a["name"],
            a["inter"],
            _aliases(a["aliases"]),
            a.get("country", ""),
            a.get("fights_for", ""),
            list(a.get("refs", [])),
            a.get("description", ""),
        )
        for a in data["actors"]
    ]
    places = [
        Place(
            p["name"],
            p.get("geo_precision", 0),  # 0: a gazetteer place's, taken from the gazetteer
            _aliases(p.get("aliases", [])),
            p.get("kind", "" if p.get("gazetteer") else "town"),
            p.get("country", ""),
            p.get("iso3", ""),
            p.get("admin1", ""),
            p.get("latitude"),
            p.get("longitude"),
            bool(p.get("gazetteer", False)),
            p.get("admin2", ""),
            p.get("admin3", ""),
        )
        for p in data.get("places", [])
    ]
    cues = []
    for kind, items in (data.get("cues") or {}).items():
        for i, c in enumerate(items):
            c = {"pattern": c} if isinstance(c, str) else c
            cues.append(
                Cue(
                    kind,
                    c["pattern"],
                    c.get("window"),
                    list(c.get("event_types", [])),
                    list(c.get("except_after", [])),
                    ("cues", kind, i),
                )
            )
    rules = [
        Rule(
            r["id"],
            r["event_type"],
            r["pattern"],
            [Example(e["text"], _expect(e["expect"]), e.get("date")) for e in r["examples"]],
            r.get("cameo", ""),
            r.get("description", ""),
            ("rules", i),
        )
        for i, r in enumerate(data["rules"])
    ]
    state = None
    if data.get("state_actors"):
        sa = data["state_actors"]
        countries = sa.get("countries", "all")
        state = StateActors(
            None if countries == "all" else list(countries),
            [
                StateRole(
                    r["code"],
                    r["name"],
                    r["inter"],
                    list(r["aliases"]),
                    list(r.get("generic", [])),
                    r.get("generic_name", ""),
                    ("state_actors", "roles", i),
                    list(r.get("event_nouns", [])),
                )
                for i, r in enumerate(sa["roles"])
            ],
        )
    generic = [
        GenericActor(g["code"], g["name"], g["inter"], list(g["words"]), ("generic_actors", i),
                     g.get("standalone", True), g.get("country_role", ""))
        for i, g in enumerate(data.get("generic_actors", []))
    ]
    return Codebook(
        name=data["codebook"],
        version=data["version"],
        description=data.get("description", ""),
        event_types=event_types,
        actors=actors,
        places=places,
        place_nouns=list(data.get("place_nouns", [])),
        place_refs=list(data.get("place_refs", [])),
        cues=cues,
        rules=rules,
        inflections={k: list(v) for k, v in (data.get("inflections") or {}).items()},
        settings=Settings(**(data.get("settings") or {})),
        state_actors=state,
        generic_actors=generic,
        path=path,
        sha256=digest,
        positions=pos,
    )


def _raw_patterns(data) -> list[tuple[tuple, str, bool]]:
    """(where, source, slots allowed) of every pattern string in codebook
    data that may break its schema elsewhere (what :attr:`Context.patterns`
    gives for a loaded codebook)."""
    def items(value):
        return list(enumerate(value)) if isinstance(value, list) else []

    def entries(value):
        return list(value.items()) if isinstance(value, dict) else []

    if not isinstance(data, dict):
        return []
    out = []
    for i, rule in items(data.get("rules")):
        if isinstance(rule, dict) and isinstance(rule.get("pattern"), str):
            out.append((("rules", i, "pattern"), rule["pattern"], True))
    for name, et in entries(data.get("event_types")):
        for section in ("variants", "exclude"):
            for i, v in items(et.get(section) if isinstance(et, dict) else None):
                when = v.get("when") if isinstance(v, dict) else None
                for key in ("words", "no_words"):
                    for j, phrase in items(when.get(key) if isinstance(when, dict) else None):
                        if isinstance(phrase, str):
                            out.append((("event_types", name, section, i, "when", key, j), phrase, False))
    for kind, cues in entries(data.get("cues")):
        for i, cue in items(cues):
            if isinstance(cue, str):
                out.append((("cues", kind, i), cue, False))
            elif isinstance(cue, dict):
                if isinstance(cue.get("pattern"), str):
                    out.append((("cues", kind, i, "pattern"), cue["pattern"], False))
                for j, phrase in items(cue.get("except_after")):
                    if isinstance(phrase, str):
                        out.append((("cues", kind, i, "except_after", j), phrase, False))
    return out


def _raw_pattern_problems(ctx: Context, data) -> list[Problem]:
    """bad-pattern and bad-regex problems of a codebook that broke its
    schema (and so has no model for the checks to run on)."""
    from coder.codebook.pattern import PatternError, parse

    raw = data.get("inflections") if isinstance(data, dict) else None
    extra = {k: list(v) for k, v in raw.items() if isinstance(v, list) and all(isinstance(x, str) for x in v)} \
        if isinstance(raw, dict) else {}
    out = []
    for where, source, slots in _raw_patterns(data):
        try:
            parse(source, slots_allowed=slots, extra_forms=extra)
        except PatternError as exc:
            if exc.kind == "regex":
                out.append(ctx.problem("bad-regex", exc.message, where, exc.offset))
            else:
                out.append(ctx.problem("bad-pattern", f"bad pattern: {exc.message}", where, exc.offset))
    return out


def _read(path: str) -> tuple[bytes, str] | Problem:
    """The bytes and text of a codebook file, or why they cannot be read."""
    problem = codebook_file_problem(path)
    if problem is not None:
        return problem
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_CODEBOOK_BYTES + 1)  # the file may have grown since it was looked at
    except OSError as exc:
        return Problem("codebook-io", f"cannot open codebook: {exc.strerror}", path)
    if len(raw) > MAX_CODEBOOK_BYTES:
        return Problem("yaml-limit", f"the codebook is more than the {MAX_CODEBOOK_BYTES:,} bytes a "
                       "codebook may have", path)
    try:
        return raw, raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Problem("codebook-io", f"cannot decode as UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                       path, line)


#: Sections an included file may hold, by how they join the main file's:
#: lists are joined (the main file's items first, then each included file's
#: in the order ``include`` names them), mappings take the entries of each
#: (a name defined twice is an error), ``state_actors`` stands in one file.
PART_LISTS = ("actors", "generic_actors", "places", "place_nouns", "place_refs", "rules")
PART_MAPPINGS = ("event_types", "cues", "inflections")
PART_WHOLE = ("state_actors",)


def _remap(p: tuple, key: str, offset: int) -> tuple:
    return (key, p[1] + offset) + p[2:] if key in PART_LISTS and len(p) > 1 else p


def _join(data: dict, pos: yamlpos.Positions, part: dict, part_pos: yamlpos.Positions,
          name: str, shown) -> list[Problem]:
    """Join the sections of an included file into ``data``, its positions
    into ``pos``; the problems of sections that cannot be joined."""
    problems = []
    offsets: dict[str, int] = {}  # section joined -> where its list items start in the joined list
    for key, value in part.items():
        line, col = part_pos.of_key((key,))
        if key not in PART_LISTS + PART_MAPPINGS + PART_WHOLE:
            hint = difflib.get_close_matches(key, sorted(PART_LISTS + PART_MAPPINGS + PART_WHOLE), n=1)
            msg = (f"'{key}' may stand only in the main codebook file" if key in codebook_schema()["properties"]
                   else f"unknown key '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else ""))
            problems.append(Problem("schema", msg, name, line, col, key))
            continue
        kind = "a list" if key in PART_LISTS else "a mapping"
        want = list if key in PART_LISTS else dict
        mine = data.get(key)
        if key not in PART_WHOLE and not isinstance(value, want):
            vl, vc = part_pos.of((key,))
            problems.append(Problem("schema", f"expected {kind}, got {_json_type(value)} {_short(value)}",
                                    name, vl, vc, key))
            continue
        if key not in PART_WHOLE and mine is not None and not isinstance(mine, want):
            continue  # the schema says what is wrong with the main file's
        offset = 0
        if key in PART_LISTS:
            offset = len(mine or [])
            data[key] = (mine or []) + value
            for i in range(len(value)):
                pos.files[(key, offset + i)] = name
        elif key in PART_MAPPINGS:
            joined = dict(mine or {})
            for sub in value:
                if sub in joined:
                    fl, fc = part_pos.of_key((key, sub))
                    first, fline, _ = pos.where((key, sub), key=True)
                    problems.append(Problem("yaml-duplicate-key", f"duplicate key '{sub}' (first at line {fline} of "
                                            f"{first or shown})", name, fl, fc, f"{key}.{sub}"))
                    continue
                joined[sub] = value[sub]
                pos.files[(key, sub)] = name
            data[key] = joined
        else:
            if mine is not None:
                first, fline, _ = pos.where((key,), key=True)
                problems.append(Problem("yaml-duplicate-key", f"duplicate key '{key}' (first at line {fline} of "
                                        f"{first or shown})", name, line, col, key))
                continue
            data[key] = value
            pos.files[(key,)] = name
        offsets[key] = offset
    # the joined sections' positions, in one pass over the part's tables
    for table, mine_table in ((part_pos.values, pos.values), (part_pos.keys, pos.keys)):
        for p, at in table.items():
            key = p[0] if p else None
            if key in offsets and (len(p) > 1 or p not in mine_table):
                if len(p) == 1 and key not in PART_WHOLE:
                    pos.files.setdefault(p, name)
                mine_table.setdefault(_remap(p, key, offsets[key]), at)
    return problems


def _includes(data: dict, pos: yamlpos.Positions, path: str,
              texts: dict[str, str], raws: list[bytes]) -> list[Problem]:
    """Read the files the main file's ``include`` names and join them into
    ``data``; their texts go to ``texts`` and their bytes to ``raws`` (in
    order, for the digest)."""
    problems: list[Problem] = []
    seen = {str(Path(path).resolve())}
    for i, name, full in include_paths(path, data.get("include")):  # the schema says what else is wrong
        line, col = pos.of(("include", i))
        if str(Path(full).resolve()) in seen:
            problems.append(Problem("schema", f"'{name}' is included twice (or is the main file)", path, line, col,
                                    f"include[{i}]"))
            continue
        seen.add(str(Path(full).resolve()))
        got = _read(full)
        if isinstance(got, Problem):
            if got.line is None and got.code == "codebook-io" and not Path(full).exists():
                got = Problem("codebook-io", f"cannot open included file '{name}': no such file", path, line, col,
                              f"include[{i}]")
            problems.append(got)
            continue
        raw, text = got
        try:
            part, part_pos = yamlpos.load(text, full)
        except CodebookError as exc:
            problems += exc.problems
            continue
        if not isinstance(part, dict):
            problems.append(Problem("schema", "an included file holds codebook sections (actors:, rules:, ...), "
                                    f"got {_json_type(part)}", full, 1, 1))
            continue
        if "include" in part:
            pl, pc = part_pos.of_key(("include",))
            problems.append(Problem("schema", "an included file cannot include others: name every file in the "
                                    "main file's 'include'", full, pl, pc, "include"))
            continue
        texts[full] = text
        raws.append(raw)
        problems += _join(data, pos, part, part_pos, full, path)
    return problems


def inspect_codebook(path: str | Path | None = None) -> tuple[Codebook | None, Context | None, list[Problem]]:
    """Load a codebook and run the load-time checks without raising:
    (codebook or None, check context or None, problems sorted by position).
    ``coder codebook lint`` builds on this; :func:`load_codebook` raises."""
    path = str(path) if path is not None else default_codebook_path()
    got = _read(path)
    if isinstance(got, Problem):
        return None, None, [got]
    raw, text = got
    try:
        data, pos = yamlpos.load(text, path)
    except CodebookError as exc:
        return None, None, exc.problems
    if data is None:
        return None, None, [Problem("schema", "the codebook is empty", path, 1, 1)]
    texts, raws = {path: text}, [raw]
    if isinstance(data, dict) and "include" in data:
        problems = _includes(data, pos, path, texts, raws)
        if problems:
            return None, None, sorted(problems, key=problem_order(path, list(texts)))
    errors = sorted(_validator().iter_errors(data), key=lambda e: pos.of(tuple(e.absolute_path)))
    problems: list[Problem] = []
    for err in errors:
        for p in _schema_problem(err, pos, path):
            if p not in problems:
                problems.append(p)
    if problems:
        # the patterns are checked too, so that an author fixes both in one round
        problems += _raw_pattern_problems(Context(path, text, data, pos, None, texts), data)
        problems.sort(key=problem_order(path, list(texts)))
        return None, None, problems
    cb = _build(data, path, pos, codebook_digest(raws))
    cb.includes = [f for f in texts if f != path]
    ctx = Context(path, text, data, pos, cb, texts)
    problems = [p for _level, p in run_checks(ctx)]
    return (None if problems else cb), ctx, problems


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load and check a codebook (the shipped one when ``path`` is None)."""
    cb, _ctx, problems = inspect_codebook(path)
    if problems:
        raise CodebookError(problems)
    return cb

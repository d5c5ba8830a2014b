"""Load YAML safely, keeping the line and column of every key and value.

PyYAML's composer gives a node graph with marks; we build plain Python values
from it ourselves so that we can

* remember where each value (and each mapping key) stands, for
  ``path:line:col`` messages;
* reject duplicate keys (PyYAML silently keeps the last one);
* refuse anything but plain data: no tags other than the YAML core ones, no
  merge keys;
* keep YAML 1.1 surprises out: ``yes``/``no``/``on``/``off`` and dates stay
  strings (only ``true``/``false`` are booleans);
* stop alias expansion bombs and self-referencing anchors, and values nested
  too deep, with limits that grow with the size of the file (see below).

Limits, each a ``yaml-limit`` problem with the line and column where it is
reached (the file size and the regular-file test are
:func:`coder.codebook.load.check_codebook_file`'s):

* aliases may repeat at most :data:`ALIAS_ALLOWANCE` values plus as many as
  the file holds itself: a codebook of any size loads, a small file cannot
  expand to millions of values (an "alias bomb" doubles at each level);
* values may be nested at most :data:`MAX_DEPTH` deep (a codebook needs 7;
  deeper nesting would exhaust Python's recursion, in the parser or later);
* an integer may have at most as many digits as Python converts
  (``sys.get_int_max_str_digits()``, 4,300).
"""

from __future__ import annotations

import yaml

from coder.codebook.positions import Positions
from coder.errors import CodebookError, Problem

#: Values that aliases may repeat beyond those the file itself holds: a
#: file's own values never count against a limit, its repeats do.
ALIAS_ALLOWANCE = 250_000
#: Deepest nesting of mappings and lists (a codebook needs 7).
MAX_DEPTH = 64

_CORE = "tag:yaml.org,2002:"
_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOOL = {"true": True, "false": False}


def _mark(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def load(text: str, path: str) -> tuple[object, Positions]:
    """Parse ``text`` (the content of ``path``); raise CodebookError on bad YAML."""
    try:
        try:
            # libyaml's composer is ten times faster; on an error, parse again
            # with the pure-Python one, whose messages are the documented ones
            nodes = list(yaml.compose_all(text, Loader=_FAST))
        except yaml.YAMLError as fast_error:
            try:
                nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
            except RecursionError:  # the pure-Python composer recurses: libyaml's message then
                raise fast_error from None
    except RecursionError:  # pragma: no cover - libyaml limits nesting (1,000) before Python's recursion
        raise CodebookError(Problem("yaml-limit", "the codebook is nested too deeply to be read", path)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        msg = exc.problem or str(exc)
        if "maximum nesting depth" in msg:  # libyaml's own limit (1,000 levels)
            raise CodebookError(Problem("yaml-limit", f"values are nested more than {MAX_DEPTH} levels deep",
                                        path, line, col)) from None
        if exc.context:
            msg = f"{msg} ({exc.context})"
        raise CodebookError(Problem("yaml-syntax", f"YAML syntax error: {msg}", path, line, col)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - reader errors carry no mark
        raise CodebookError(Problem("yaml-syntax", f"YAML error: {exc}", path)) from None
    if len(nodes) > 1:
        line, col = _mark(nodes[1])
        raise CodebookError(
            Problem("yaml-syntax", "a codebook is one YAML document, found a second one", path, line, col)
        )
    positions = Positions()
    if not nodes:
        return None, positions
    builder = _Builder(path, positions)
    return builder.build(nodes[0], ()), positions


class _Builder:
    def __init__(self, path: str, positions: Positions):
        self.path = path
        self.positions = positions
        self.own = 0  # values of the file itself (each node once)
        self.repeated = 0  # values built again through an alias
        self.seen: set[int] = set()
        self.active: set[int] = set()

    def fail(self, code: str, msg: str, node) -> None:
        line, col = _mark(node)
        raise CodebookError(Problem(code, msg, self.path, line, col))

    def build(self, node, path: tuple):
        if id(node) in self.seen:
            self.repeated += 1
            if self.repeated > ALIAS_ALLOWANCE + self.own:
                self.fail("yaml-limit", f"aliases repeat more than {ALIAS_ALLOWANCE + self.own:,} values ("
                          f"{ALIAS_ALLOWANCE:,} more than the file holds): an alias bomb?", node)
        else:
            self.seen.add(id(node))
            self.own += 1
        if len(path) > MAX_DEPTH:
            self.fail("yaml-limit", f"values are nested more than {MAX_DEPTH} levels deep", node)
        self.positions.values.setdefault(path, _mark(node))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in self.active:
            self.fail("yaml-limit", "an alias refers to a node that contains it (recursive anchor)", node)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                self.check_tag(node, "seq")
                return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
            self.check_tag(node, "map")
            out: dict = {}
            for key_node, value_node in node.value:
                if key_node.tag == _CORE + "merge":
                    self.fail("yaml-syntax", "merge keys ('<<') are not supported in codebooks", key_node)
                if not isinstance(key_node, yaml.ScalarNode):
                    self.fail("yaml-syntax", "mapping keys must be plain strings", key_node)
                key = key_node.value
                if key in out:
                    first = self.positions.keys.get(path + (key,), (0, 0))[0]
                    self.fail("yaml-duplicate-key", f"duplicate key '{key}' (first at line {first})", key_node)
                self.positions.keys[path + (key,)] = _mark(key_node)
                out[key] = self.build(value_node, path + (key,))
            return out
        finally:
            self.active.discard(id(node))

    def check_tag(self, node, kind: str) -> None:
        if node.tag != _CORE + kind:
            self.fail("yaml-syntax", f"tag '{node.tag}' is not allowed in a codebook", node)

    def scalar(self, node):
        tag, value = node.tag, node.value
        if not tag.startswith(_CORE):
            self.fail("yaml-syntax", f"tag '{tag}' is not allowed in a codebook", node)
        kind = tag[len(_CORE) :]
        if kind == "null":
            return None
        if kind == "bool":
            return _BOOL.get(value.lower(), value)
        if kind == "int":
            try:
                return yaml.SafeLoader.construct_yaml_int(_CONSTRUCTOR, node)
            except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits())
                digits = sum(ch.isdigit() for ch in value)
                self.fail("yaml-limit", f"a number of {digits:,} digits is too long to read", node)
        if kind == "float":
            return yaml.SafeLoader.construct_yaml_float(_CONSTRUCTOR, node)
        if kind in ("str", "timestamp"):
            return value
        self.fail("yaml-syntax", f"tag '{tag}' is not allowed in a codebook", node)


_CONSTRUCTOR = yaml.SafeLoader("")

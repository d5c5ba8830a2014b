"""The catalogue of problems coder reports, in one place.

Every problem a user can see is a :class:`Problem`: a catalogue ``code``, a
message, and where it happened (``path``, ``line``, ``col``, ``field``).  It
renders as one line::

    path:line:col: field: message

Parts that are unknown are left out.  Errors that stop an operation raise a
:class:`CoderError` (or one of its subclasses) carrying one or more problems;
the CLI prints them, one per line, and exits with the error's ``exit_code``.
A traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

#: Characters a terminal acts on rather than shows: C0 and C1 controls (the
#: escape of colour codes and cursor moves, a newline that would break "one
#: line"), DEL, and the marks that reorder text (bidirectional overrides).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on written as an
    escape (``\\x1b``, ``\\n``, ``\\u202e``): a file name or an id taken from
    a corpus cannot move the cursor, colour the screen, hide text or break a
    message into two lines."""
    if text.isprintable():
        return text
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)

#: code -> what it means.  docs/errors.md lists the same table; a test keeps
#: the two in step.
CATALOGUE: dict[str, str] = {
    # codebook
    "codebook-io": "the codebook file cannot be opened or decoded, or is not a regular file",
    "yaml-syntax": "the codebook is not well-formed YAML",
    "yaml-duplicate-key": "a mapping in the codebook repeats a key",
    "yaml-limit": "the codebook is beyond a limit: too large, expands too far (alias bomb), nested too deep, a number "
                  "too long",
    "schema": "the codebook breaks its JSON Schema (unknown key, wrong type, missing field)",
    "duplicate-id": "two rules, actors or places share an id, code or name",
    "undefined-reference": "a rule or cue names an event type or actor that is not defined",
    "bad-pattern": "a rule or cue pattern cannot be parsed",
    "bad-cameo": "a CAMEO code is not in the CAMEO list",
    "bad-regex": "a /regex/ in a pattern is invalid or cannot run on the linear-time engine (re2)",
    "duplicate-alias": "one alias is claimed by two actors (or two places)",
    "acled-type": "an ACLED sub-event type does not belong to its event type",
    "place-country": "a place's iso3 is not an ISO 3166 country code, or its country is not a name of that code",
    "example-expect": "a rule example does not say which record(s) it must give",
    # codebook lint (warnings and errors only `coder codebook lint` reports)
    "common-word-alias": "a case-insensitive alias is a common English word",
    "example-coverage": "a rule has fewer than two positive examples or no near miss",
    "example-no-match": "a rule's pattern matches none of its own positive examples",
    "shadowed-rule": "a rule never gives a record another rule would not",
    "broad-rule": "a rule would match almost every sentence",
    "costly-rule": "a rule has so many '...' gaps that long sentences are matched only in part",
    "gazetteer": "the GeoNames gazetteer cannot be built or opened",
    "gazetteer-place": "a place with 'gazetteer: true' is not a place of the gazetteer",
    "codebook-name": "a codebook that is not the shipped one calls itself by the shipped codebook's name (a note; a "
                     "lint warning)",
    "cache-unwritable": "the cache directory cannot be written (or there is no home directory): the gazetteer was "
                        "built in a temporary directory for this run only (a note)",
    # input
    "input-io": "an input file cannot be opened",
    "input-decode": "a document's bytes are not UTF-8",
    "input-empty": "an input file or document has no text",
    "input-json": "a JSONL line is not a JSON object",
    "input-csv": "a CSV row cannot be read",
    "input-field": "a document lacks a field or has a wrong value in it",
    "input-date": "a date is not a YYYY-MM-DD date",
    "input-format": "the input format cannot be told from the file name",
    "input-too-large": "a document is larger than --max-doc-bytes",
    "input-link": "a symbolic link in a corpus directory points outside it (not followed)",
    "input-xml": "a PETRARCH XML file is not well-formed or has a DOCTYPE (the rest of the file is skipped)",
    "input-gzip": "a gzip-compressed input file is corrupt or cut short (the rest of the file is skipped)",
    # coding
    "coding-failed": "the coder failed on a document (a bug: please report it); the document is skipped",
    "sentence-too-long": "a sentence is longer than --max-sentence-chars and was not matched (a note)",
    "sentence-cut-short": "matching a sentence took more steps than the matcher's bound; matches may be missing (a "
                          "note)",
    "worker-failed": "a worker process of coder run --jobs or --engine dask died or failed; the run (or that "
                     "partition) stops",
    # output and validation
    "output-io": "an output file cannot be written",
    "output-no-space": "an output file cannot be written: no space left on the device (or the disk quota is used "
                       "up); an existing file is kept as it was",
    "record-invalid": "a record (or its ACLED or Phoenix row) breaks its schema in schemas/",
    "file-invalid": "an output file breaks its schema",
    # import of PETRARCH dictionaries
    "petrarch-io": "a PETRARCH dictionary directory or file to import cannot be found or read",
    "petrarch-empty": "the PETRARCH dictionaries to import have no actor or verb dictionary, fewer than two actors, "
                      "or no verb pattern that converts",
    # evaluation (coder eval)
    "eval-gold": "a gold file of coder eval cannot be used (missing or unknown column, unknown event type, bad re: "
                 "pattern, document id not in the corpus or repeated)",
    # usage
    "usage": "a command-line option has a wrong value",
    "missing-dependency": "a command needs a library that is not installed (the message says how to install "
                          "it)",
}


@dataclass(frozen=True)
class Problem:
    """One thing that went wrong, with where it happened."""

    code: str
    message: str
    path: str | None = None
    line: int | None = None
    col: int | None = None
    field: str | None = None
    #: what was skipped (bytes of a line, its text, or the fields of a
    #: document), for ``--rejects``; not part of equality, the text or to_dict
    raw: object = dataclasses.field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:  # pragma: no cover - programming error
            raise ValueError(f"unknown problem code {self.code!r}")

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = printable(str(self.path))
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        field = f"{printable(self.field)}: " if self.field else ""
        return f"{where}{field}{printable(self.message)}"

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None and k != "raw"}


class CoderError(Exception):
    """An error that stops an operation; carries one or more problems."""

    exit_code = 1

    def __init__(self, problems: Problem | list[Problem]):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):
        # rebuilt from its problems when pickled (an error raised in a worker process)
        return type(self), (self.problems,)


class CodebookError(CoderError):
    """The codebook cannot be loaded: exit status 2."""

    exit_code = 2


class InputError(CoderError):
    """A document or input file cannot be read (it is skipped, the run goes on)."""

    exit_code = 1


class OutputError(CoderError):
    """An output file cannot be written, or a record breaks the schema."""

    exit_code = 1


class UsageError(CoderError):
    """A command-line option has a wrong value: exit status 2."""

    exit_code = 2

"""``coder eval``: code a labelled set and score the records against it.

Two kinds of gold file, told apart by the suffix:

* **document labels** (``.jsonl``): one document a line, as ``coder run``
  reads JSONL (``id``, ``text``, ``date``...), plus ``labels``, the list of
  event types the document reports (``[]`` for none).  A document's coded
  labels are the event types of its records.  Both are sets: a type counts
  once per document however often it is listed or coded.  Per document and
  event type: in both, a true positive; coded only, a false positive; gold
  only, a false negative (a miss).
* **expected records** (``.csv``): one row per expected record, with the
  columns ``doc_id`` and ``event_type`` and any other record fields
  (docs/output.md); the documents come from ``corpus``.  A gold row matches
  a record of the same document when every non-empty gold cell equals the
  record's field (numbers compared as numbers), or, written ``re:PATTERN``,
  the field fully matches the regular expression (RE2 syntax, linear time).
  Gold rows and records are paired one-to-one, as many pairs as possible
  (a maximum matching per document, so the figures do not depend on the
  order of rows); unpaired gold rows are misses, unpaired records extras.

Misses and extras of one document are then paired for the diagnostics:
a miss and an extra of another event type whose other fields match (for
labels: any two, in codebook order) are a *confusion*; a miss and an extra
of the same event type (records only) are a *near pair*, whose differing
fields are counted.  Neither changes the scores.

Precision is TP / (TP + FP), recall TP / (TP + FN), F1 2TP / (2TP + FP +
FN); each is ``None`` when its denominator is 0.  The overall figures add
the counts of every event type (micro average); the macro average of the
per-type figures is given too.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import re2

from coder.codebook import load_codebook
from coder.errors import CoderError, Problem, UsageError
from coder.events.fatalities import document_count
from coder.events.record import (
    FIELDS,
    INTEGER_FIELDS,
    NUMBER_FIELDS,
    Record,
    format_value,
)
from coder.io.readers import read_corpus
from coder.match.compile import compile_codebook
from coder.pipeline import code_document
from coder.text.clean import clean_text
from coder.text.document import Document
from coder.text.sentences import split_sentences

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # the error is reported as a problem instead
_RE2_OPTIONS.max_mem = 1 << 20  # a pattern whose program needs more is refused

NONE = "(none)"  #: the row / column of the confusion table for "no event of any type"
#: Columns of a records gold file that are not record fields but are allowed (and ignored).
IGNORED_COLUMNS = ("note",)
#: Record fields shown for a record in misses and extras (besides the gold file's columns).
SHOWN = ("event_type", "actor1", "actor2", "location", "event_date")


class GoldError(CoderError):
    """The gold file (or its corpus) cannot be used: nothing is evaluated, exit status 2."""

    exit_code = 2


@dataclass
class Counts:
    """True positives, false positives and false negatives, with the scores."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        d = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / d if d else None

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict:
        return {"gold": self.tp + self.fn, "coded": self.tp + self.fp,
                "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": _round(self.precision), "recall": _round(self.recall),
                "f1": _round(self.f1)}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _mean(values: list[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


@dataclass
class FatalityScore:
    """Fatality counts against a labelled set's ``fatalities``: exact match
    where a count is reported, exactly 0 where none is, mean absolute error."""

    reported: int = 0  #: documents whose gold says a count is reported
    exact: int = 0  #: ... whose coded count equals the gold one
    unreported: int = 0  #: documents whose gold says none is reported
    zero: int = 0  #: ... coded 0
    abs_error: int = 0  #: sum of |coded - gold| over all documents

    def add(self, gold: int, reported: bool, coded: int) -> None:
        if reported:
            self.reported += 1
            self.exact += coded == gold
        else:
            self.unreported += 1
            self.zero += coded == 0
        self.abs_error += abs(coded - gold)

    def to_dict(self) -> dict:
        n = self.reported + self.unreported
        return {"documents": n, "reported": self.reported, "exact": self.exact,
                "exact_share": _round(self.exact / self.reported) if self.reported else None,
                "unreported": self.unreported, "zero": self.zero,
                "zero_share": _round(self.zero / self.unreported) if self.unreported else None,
                "mae": _round(self.abs_error / n) if n else None}


#: The views of the fatality figures ``coder eval`` gives (docs/cli.md).
FATALITY_VIEWS = ("records", "with_records", "counter")


@dataclass
class EvalReport:
    """What ``coder eval`` found; :meth:`to_dict` is its JSON form, :meth:`render` its text."""

    gold: str
    form: str  #: "labels" (documents with event type labels) or "records" (expected records)
    corpus: str | None
    codebook: dict
    event_types: list[str]
    documents: int = 0
    coded_records: int = 0
    by_type: dict[str, Counts] = field(default_factory=dict)
    confusions: Counter = field(default_factory=Counter)  #: (gold type or NONE, coded type or NONE) -> n
    field_mismatches: Counter = field(default_factory=Counter)  #: field -> near pairs where it differs
    misses: list[dict] = field(default_factory=list)
    extras: list[dict] = field(default_factory=list)
    min_f1: float | None = None
    #: view -> scores, when the gold file has ``fatalities`` (FATALITY_VIEWS)
    fatalities: dict[str, FatalityScore] = field(default_factory=dict)
    fatality_misses: list[dict] = field(default_factory=list)

    def counts(self, event_type: str) -> Counts:
        if event_type not in self.by_type:
            self.by_type[event_type] = Counts()
            if event_type not in self.event_types:
                self.event_types.append(event_type)
        return self.by_type[event_type]

    @property
    def overall(self) -> Counts:
        total = Counts()
        for c in self.by_type.values():
            total.add(c)
        return total

    @property
    def macro(self) -> dict:
        rows = [self.by_type[t] for t in self.event_types if t in self.by_type
                and (self.by_type[t].tp + self.by_type[t].fp + self.by_type[t].fn)]
        return {"precision": _round(_mean([c.precision for c in rows])),
                "recall": _round(_mean([c.recall for c in rows])),
                "f1": _round(_mean([c.f1 for c in rows]))}

    @property
    def passed(self) -> bool:
        """Whether the overall F1 reaches ``min_f1`` (an undefined F1, nothing
        expected and nothing coded, counts as 1)."""
        if self.min_f1 is None:
            return True
        f1 = self.overall.f1
        return (1.0 if f1 is None else f1) >= self.min_f1

    def confusion_rows(self) -> list[str]:
        return [t for t in self.event_types] + [NONE]

    def to_dict(self) -> dict:
        types = [t for t in self.event_types]
        out = {
            "gold": self.gold, "form": self.form, "corpus": self.corpus,
            "codebook": self.codebook,
            "documents": self.documents,
            "gold_count": self.overall.tp + self.overall.fn,
            "coded_count": self.overall.tp + self.overall.fp,
            "coded_records": self.coded_records,
            "overall": self.overall.to_dict(),
            "macro": self.macro,
            "by_type": {t: self.counts(t).to_dict() for t in types},
            "confusions": [{"gold": g, "coded": c, "count": n}
                           for g in self.confusion_rows() for c in self.confusion_rows()
                           if (n := self.confusions.get((g, c), 0))],
            "field_mismatches": dict(sorted(self.field_mismatches.items())),
            "misses": self.misses,
            "extras": self.extras,
            "min_f1": self.min_f1,
            "passed": self.passed,
        }
        if self.fatalities:
            out["fatalities"] = {v: self.fatalities[v].to_dict() for v in FATALITY_VIEWS}
            out["fatality_misses"] = self.fatality_misses
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def render(self, sample: int | None = None) -> str:
        """The report as text; ``sample`` limits the misses and extras listed."""
        return _render(self, sample)


# -- matching values -------------------------------------------------------------


@dataclass
class _Gold:
    """One row of a records gold file."""

    line: int
    doc_id: str
    event_type: str
    fields: dict[str, str]  #: non-empty cells, event_type included, doc_id not
    tests: dict  #: field -> compiled re2 pattern or plain text


def _value_matches(name: str, test, value) -> bool:
    text = format_value(value)
    if not isinstance(test, str):  # a compiled pattern
        return test.fullmatch(text) is not None
    if text == test:
        return True
    if name in NUMBER_FIELDS or name in INTEGER_FIELDS:
        try:
            a, b = float(test), float(text)
        except ValueError:
            return False
        return math.isclose(a, b, rel_tol=0, abs_tol=1e-9)
    return False


def _differs(gold: _Gold, record: Record, *, skip: tuple[str, ...] = ()) -> list[str]:
    """The gold fields the record does not match (in gold column order)."""
    return [name for name, test in gold.tests.items()
            if name not in skip and not _value_matches(name, test, getattr(record, name))]


def _max_matching(golds: list, records: list, fits) -> list[tuple[int, int]]:
    """A maximum one-to-one pairing of golds and records (``fits(g, r)``),
    by augmenting paths: golds in order, each trying records in order."""
    options = [[j for j, r in enumerate(records) if fits(g, r)] for g in golds]
    owner: dict[int, int] = {}  # record index -> gold index

    def place(i: int, seen: set) -> bool:
        for j in options[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or place(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(golds)):
        if options[i]:
            place(i, set())
    return sorted((i, j) for j, i in owner.items())


# -- reading gold files -----------------------------------------------------------


def _gold_form(path: str) -> str:
    name = Path(path).name.lower()
    if name.endswith(".jsonl"):
        return "labels"
    if name.endswith(".csv"):
        return "records"
    raise UsageError(Problem(
        "usage", f"cannot tell the kind of gold file from its name '{Path(path).name}': use a "
        ".jsonl file of documents with labels, or a .csv file of expected records with --corpus",
        field="GOLD"))


def _documents(corpus: str, *, doc_date: str | None, input_format: str | None) -> list[Document]:
    """Every document of ``corpus``; a document that cannot be read stops the evaluation."""
    docs: list[Document] = []
    problems: list[Problem] = []
    seen: dict[str, Document] = {}
    for item in read_corpus(corpus, doc_date=doc_date, input_format=input_format):
        if isinstance(item, Problem):
            problems.append(item)
            continue
        if item.id in seen:
            first = seen[item.id]
            problems.append(Problem("eval-gold", f"document id '{item.id}' is repeated (first at "
                                    f"line {first.line}): ids must be unique to be scored",
                                    path=item.path or corpus, line=item.line, field="id"))
            continue
        seen[item.id] = item
        docs.append(item)
    if problems:
        raise GoldError(problems)
    return docs


def _read_labels(path: str, event_types: list[str],
                 fatalities: dict[int, tuple[int, bool]] | None = None) -> dict[int, list[str]]:
    """line -> the labels of that line of a labels gold file (problems raised
    together); ``fatalities`` is filled with line -> (fatalities, whether a
    count is reported) for the lines that have ``fatalities``."""
    labels: dict[int, list[str]] = {}
    problems: list[Problem] = []
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return labels  # read_corpus reports it
    known = ", ".join(event_types)
    # lines as read_corpus numbers them: split at "\n" only
    for n, raw in enumerate(data.removeprefix(b"\xef\xbb\xbf").split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw.decode("utf-8"))
        except ValueError:  # UnicodeDecodeError too: read_corpus reports it
            continue
        if not isinstance(obj, dict):
            continue
        if "labels" not in obj:
            problems.append(Problem("eval-gold", "is required: the list of event types the "
                                    "document reports ([] for none)", path=path, line=n, field="labels"))
            continue
        value = obj["labels"]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(Problem("eval-gold", "must be a list of event type names",
                                    path=path, line=n, field="labels"))
            continue
        for k, v in enumerate(value):
            if v not in event_types:
                problems.append(Problem("eval-gold", f"'{v}' is not an event type of the codebook "
                                        f"({known})", path=path, line=n, field=f"labels[{k}]"))
        labels[n] = list(dict.fromkeys(value))
        if "fatalities" in obj and fatalities is not None:
            dead, reported = obj["fatalities"], obj.get("count_reported")
            if not isinstance(dead, int) or isinstance(dead, bool) or dead < 0:
                problems.append(Problem("eval-gold", "must be a whole number of 0 or more",
                                        path=path, line=n, field="fatalities"))
            elif reported is not None and not isinstance(reported, bool):
                problems.append(Problem("eval-gold", "must be true or false",
                                        path=path, line=n, field="count_reported"))
            else:
                fatalities[n] = (dead, dead > 0 if reported is None else reported)
    if problems:
        raise GoldError(problems)
    return labels


def _read_records(path: str, event_types: list[str]) -> list[_Gold]:
    """The rows of a records gold file (problems raised together)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(_numbered_rows(csv.reader(f)))
    except FileNotFoundError:
        raise GoldError(Problem("input-io", "no such file", path=path)) from None
    except OSError as e:
        raise GoldError(Problem("input-io", f"cannot open: {e.strerror or e}", path=path)) from None
    except UnicodeDecodeError as e:
        raise GoldError(Problem("input-decode", f"cannot decode as UTF-8: {e.reason}", path=path)) from None
    except csv.Error as e:
        raise GoldError(Problem("input-csv", f"cannot read the file: {e}", path=path)) from None
    rows = [(n, row) for n, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise GoldError(Problem("eval-gold", "no header row: the columns doc_id, event_type and "
                                "any record fields are needed", path=path))
    header_line, header = rows[0]
    header = [h.strip() for h in header]
    problems: list[Problem] = []
    for need in ("doc_id", "event_type"):
        if need not in header:
            problems.append(Problem("eval-gold", "column is required", path=path, line=header_line, field=need))
    for k, name in enumerate(header):
        if name not in FIELDS and name not in IGNORED_COLUMNS:
            problems.append(Problem("eval-gold", f"unknown column '{name}': columns are record fields "
                                    "(docs/output.md) or 'note'", path=path, line=header_line,
                                    col=k + 1, field=name or f"column {k + 1}"))
        elif name in header[:k]:
            problems.append(Problem("eval-gold", f"column '{name}' is repeated", path=path,
                                    line=header_line, col=k + 1, field=name))
    if problems:
        raise GoldError(problems)
    known = ", ".join(event_types)
    golds: list[_Gold] = []
    for n, row in rows[1:]:
        if len(row) != len(header):
            problems.append(Problem("input-csv", f"row has {len(row)} cells, header has {len(header)}",
                                    path=path, line=n))
            continue
        cells = {name: cell.strip() for name, cell in zip(header, row, strict=True)
                 if name not in IGNORED_COLUMNS and cell.strip()}
        doc_id, event_type = cells.pop("doc_id", ""), cells.get("event_type", "")
        if not doc_id:
            problems.append(Problem("eval-gold", "must not be empty", path=path, line=n, field="doc_id"))
        if event_type not in event_types:
            what = f"'{event_type}' is not" if event_type else "empty: give"
            problems.append(Problem("eval-gold", f"{what} an event type of the codebook ({known})",
                                    path=path, line=n, field="event_type"))
            continue
        tests: dict = {}
        for name, cell in cells.items():
            if cell.startswith("re:"):
                try:
                    tests[name] = re2.compile(cell[3:], _RE2_OPTIONS)
                except re2.error as e:
                    detail = e.args[0] if e.args else e
                    if isinstance(detail, bytes):
                        detail = detail.decode("utf-8", "replace")
                    problems.append(Problem("eval-gold", f"bad regular expression {cell[3:]!r} "
                                            f"(RE2 syntax): {detail}", path=path, line=n, field=name))
            else:
                tests[name] = cell
        golds.append(_Gold(n, doc_id, event_type, cells, tests))
    if problems:
        raise GoldError(problems)
    return golds


def _numbered_rows(reader):
    """(line where the row starts, row) for each row of a csv reader."""
    end = 0
    for row in reader:
        start, end = end + 1, reader.line_num
        yield start, row


# -- evaluating ------------------------------------------------------------------


def evaluate(gold_path: str, *, codebook: str | None = None, corpus: str | None = None,
             doc_date: str | None = None, input_format: str | None = None,
             min_f1: float | None = None) -> EvalReport:
    """Code the documents of a gold file (or of ``corpus``) and score the records.

    ``gold_path`` ending in ``.jsonl`` holds documents with ``labels``;
    ending in ``.csv`` it holds expected records and ``corpus`` gives the
    documents.  Raises :class:`GoldError` (exit status 2) when the gold file or
    a document cannot be used, :class:`UsageError` for wrong options.
    """
    form = _gold_form(gold_path)
    if form == "records" and corpus is None:
        raise UsageError(Problem("usage", "a .csv gold file of expected records needs the documents: "
                                 "give them with --corpus", field="--corpus"))
    if form == "labels" and corpus is not None:
        raise UsageError(Problem("usage", "a .jsonl gold file holds its documents: --corpus is only "
                                 "for a .csv gold file of expected records", field="--corpus"))
    if min_f1 is not None and not 0 <= min_f1 <= 1:
        raise UsageError(Problem("usage", f"{min_f1} is not between 0 and 1", field="--min-f1"))
    cb = load_codebook(codebook)
    compiled = compile_codebook(cb)
    types = list(cb.event_types)
    report = EvalReport(gold_path, form, corpus,
                        {"name": cb.name, "version": cb.version, "path": codebook},
                        list(types), min_f1=min_f1)
    for t in types:
        report.counts(t)
    if form == "labels":
        dead: dict[int, tuple[int, bool]] = {}
        labels = _read_labels(gold_path, types, dead)
        docs = _documents(gold_path, doc_date=doc_date, input_format="jsonl")
        if dead:
            report.fatalities = {v: FatalityScore() for v in FATALITY_VIEWS}
        for doc in docs:
            records, _ = code_document(compiled, doc)
            _score_labels(report, doc, labels.get(doc.line, []), records)
            if doc.line in dead:
                _score_fatalities(report, doc, *dead[doc.line], records)
    else:
        golds = _read_records(gold_path, types)
        docs = _documents(corpus, doc_date=doc_date, input_format=input_format)
        ids = {d.id for d in docs}
        unknown = [g for g in golds if g.doc_id not in ids]
        if unknown:
            raise GoldError([Problem("eval-gold", f"document '{g.doc_id}' is not in the corpus {corpus}",
                                     path=gold_path, line=g.line, field="doc_id") for g in unknown])
        by_doc: dict[str, list[_Gold]] = {}
        for g in golds:
            by_doc.setdefault(g.doc_id, []).append(g)
        for doc in docs:
            records, _ = code_document(compiled, doc)
            _score_records(report, doc, by_doc.get(doc.id, []), records)
    report.documents = len(docs)
    return report


def _record_brief(record: Record, extra: tuple[str, ...] = ()) -> dict:
    names = list(SHOWN) + [n for n in extra if n not in SHOWN]
    return {n: format_value(getattr(record, n)) for n in names}


def _score_labels(report: EvalReport, doc: Document, gold: list[str], records: list[Record]) -> None:
    report.coded_records += len(records)
    order = {t: k for k, t in enumerate(report.event_types)}
    coded = sorted({r.event_type for r in records}, key=lambda t: order.get(t, len(order)))
    for t in coded:
        report.counts(t)  # a type the codebook does not declare still gets a row
    order = {t: k for k, t in enumerate(report.event_types)}
    gold_set = set(gold)
    missed = sorted(gold_set - set(coded), key=order.__getitem__)
    extra = [t for t in coded if t not in gold_set]
    for t in gold_set & set(coded):
        report.counts(t).tp += 1
        report.confusions[(t, t)] += 1
    for k in range(max(len(missed), len(extra))):
        g = missed[k] if k < len(missed) else NONE
        c = extra[k] if k < len(extra) else NONE
        report.confusions[(g, c)] += 1
    rules = list(dict.fromkeys(r.rule_id for r in records))
    for t in missed:
        report.counts(t).fn += 1
        report.misses.append({"doc_id": doc.id, "line": doc.line, "expected": t, "got": coded,
                              "rule_ids": rules, "text": doc.text})
    for t in extra:
        report.counts(t).fp += 1
        mine = [r for r in records if r.event_type == t]
        report.extras.append({
            "doc_id": doc.id, "line": doc.line, "expected": sorted(gold_set, key=order.__getitem__),
            "got": t, "rule_ids": list(dict.fromkeys(r.rule_id for r in mine)),
            "records": [{"sentence_index": r.sentence_index, "rule_id": r.rule_id,
                         "matched_text": r.matched_text, **_record_brief(r)} for r in mine],
            "text": doc.text})


def _score_fatalities(report: EvalReport, doc: Document, gold: int, reported: bool, records: list[Record]) -> None:
    """Three views: the records' fatalities added up (a document with no record
    counts 0), the same over the documents that have records only, and the
    counter alone, reading every sentence of the document as one incident."""
    coded = sum(r.fatalities or 0 for r in records)
    counter = document_count([s.text for s in split_sentences(clean_text(doc.text))])
    report.fatalities["records"].add(gold, reported, coded)
    if records:
        report.fatalities["with_records"].add(gold, reported, coded)
    report.fatalities["counter"].add(gold, reported, counter.value)
    if counter.value != gold or coded != gold:
        report.fatality_misses.append({
            "doc_id": doc.id, "line": doc.line, "gold": gold, "reported": reported,
            "records": coded if records else None, "counter": counter.value,
            "words": counter.text, "text": doc.text})


def _score_records(report: EvalReport, doc: Document, golds: list[_Gold], records: list[Record]) -> None:
    report.coded_records += len(records)
    for r in records:
        report.counts(r.event_type)
    pairs = _max_matching(golds, records, lambda g, r: g.doc_id == r.doc_id and not _differs(g, r))
    for i, j in pairs:
        report.counts(golds[i].event_type).tp += 1
        report.confusions[(golds[i].event_type, records[j].event_type)] += 1
    paired_g, paired_r = {i for i, _ in pairs}, {j for _, j in pairs}
    left_g = [g for i, g in enumerate(golds) if i not in paired_g]
    left_r = [r for j, r in enumerate(records) if j not in paired_r]
    # confusions: another event type, every other gold field matching
    confused = _max_matching(left_g, left_r, lambda g, r: g.event_type != r.event_type
                             and not _differs(g, r, skip=("event_type",)))
    near_of_g: dict[int, tuple[int, list[str], str]] = {}  # gold index -> (record index, differing, kind)
    for i, j in confused:
        near_of_g[i] = (j, ["event_type"], "confusion")
    taken = {j for _i, j in confused}
    # near pairs: same event type, the record matching most gold fields first
    for i, g in enumerate(left_g):
        if i in near_of_g:
            continue
        best = None
        for j, r in enumerate(left_r):
            if j in taken or r.event_type != g.event_type:
                continue
            diff = _differs(g, r)
            if best is None or len(diff) < len(best[1]):
                best = (j, diff)
        if best is not None:
            taken.add(best[0])
            near_of_g[i] = (best[0], best[1], "near")
            report.field_mismatches.update(best[1])
    near_of_r = {j: (i, diff, kind) for i, (j, diff, kind) in near_of_g.items()}
    for i, g in enumerate(left_g):
        report.counts(g.event_type).fn += 1
        entry = {"doc_id": doc.id, "line": g.line, "expected": {"event_type": g.event_type, **g.fields},
                 "got": None, "rule_id": "", "differs": [], "text": doc.text}
        if i in near_of_g:
            j, diff, kind = near_of_g[i]
            r = left_r[j]
            entry.update(got=_record_brief(r, tuple(g.fields)), rule_id=r.rule_id, differs=diff, pair=kind,
                         sentence_index=r.sentence_index, sentence=r.sentence)
            if kind == "confusion":
                report.confusions[(g.event_type, r.event_type)] += 1
            else:
                report.confusions[(g.event_type, NONE)] += 1
        else:
            report.confusions[(g.event_type, NONE)] += 1
        report.misses.append(entry)
    for j, r in enumerate(left_r):
        report.counts(r.event_type).fp += 1
        entry = {"doc_id": doc.id, "sentence_index": r.sentence_index, "sentence": r.sentence,
                 "got": _record_brief(r), "rule_id": r.rule_id, "matched_text": r.matched_text,
                 "expected": None, "differs": []}
        if j in near_of_r:
            i, diff, kind = near_of_r[j]
            g = left_g[i]
            entry.update(expected={"event_type": g.event_type, **g.fields}, differs=diff, pair=kind,
                         line=g.line)
            if kind == "near":
                report.confusions[(NONE, r.event_type)] += 1
        else:
            report.confusions[(NONE, r.event_type)] += 1
        report.extras.append(entry)


# -- text ------------------------------------------------------------------------


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _table(rows: list[list[str]], right: int = 1) -> list[str]:
    """Rows of cells, the first ``right`` columns left-aligned, the rest right-aligned."""
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [c.ljust(w) if k < right else c.rjust(w) for k, (c, w) in enumerate(zip(r, widths, strict=False))]
        out.append("  ".join(cells).rstrip())
    return out


def _short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _fields(d: dict | None) -> str:
    if not d:
        return "-"
    return ", ".join(f"{k}={v}" for k, v in d.items() if v != "")


def _render(report: EvalReport, sample: int | None) -> str:
    kind = "document labels" if report.form == "labels" else f"expected records, documents from {report.corpus}"
    cb = report.codebook
    overall = report.overall
    lines = [f"gold: {report.gold} ({kind})",
             f"codebook: {cb['path'] or 'default (shipped)'} ({cb['name']} {cb['version']})",
             f"documents: {report.documents}; " + (
                 f"gold labels: {overall.tp + overall.fn}; coded labels: {overall.tp + overall.fp} "
                 f"(from {report.coded_records} records)" if report.form == "labels" else
                 f"gold records: {overall.tp + overall.fn}; coded records: {report.coded_records}"),
             ""]
    rows = [["event type", "gold", "coded", "TP", "FP", "FN", "precision", "recall", "F1"]]
    for t in report.event_types:
        c = report.counts(t)
        rows.append([t, str(c.tp + c.fn), str(c.tp + c.fp), str(c.tp), str(c.fp), str(c.fn),
                     _fmt(c.precision), _fmt(c.recall), _fmt(c.f1)])
    o = overall
    rows.append(["overall (micro)", str(o.tp + o.fn), str(o.tp + o.fp), str(o.tp), str(o.fp), str(o.fn),
                 _fmt(o.precision), _fmt(o.recall), _fmt(o.f1)])
    m = report.macro
    rows.append(["macro average", "", "", "", "", "", _fmt(m["precision"]), _fmt(m["recall"]), _fmt(m["f1"])])
    lines += _table(rows)
    names = report.confusion_rows()
    lines += ["", "confusions (rows: gold, columns: coded; (none): no event of any type)"]
    rows = [["gold \\ coded"] + names]
    for g in names:
        rows.append([g] + [str(report.confusions.get((g, c), 0)) for c in names])
    lines += _table(rows)
    if report.form == "records":
        fm = ", ".join(f"{k} {v}" for k, v in sorted(report.field_mismatches.items(), key=lambda kv: (-kv[1], kv[0])))
        lines += ["", ("fields that differ in near pairs (a miss and an extra of one document and event "
                       f"type): {fm or 'none'}")]
    for title, items in (("misses", report.misses), ("extras", report.extras)):
        shown = items if sample is None else items[:sample]
        more = f", {len(shown)} shown" if len(shown) < len(items) else ""
        lines += ["", f"{title} ({len(items)}{more})"]
        for e in shown:
            lines += _render_entry(report.form, title, e)
    if report.fatalities:
        lines += ["", "fatalities (exact: coded = gold where a count is reported; zero: coded 0 where none is; "
                      "MAE: mean absolute error over all)"]
        rows = [["view", "documents", "reported", "exact", "share", "none reported", "zero", "share", "MAE"]]
        names = {"records": "records (a document without one: 0)", "with_records": "documents with records",
                 "counter": "counter alone (whole text)"}
        for v in FATALITY_VIEWS:
            d = report.fatalities[v].to_dict()
            rows.append([names[v], str(d["documents"]), str(d["reported"]), str(d["exact"]), _fmt(d["exact_share"]),
                         str(d["unreported"]), str(d["zero"]), _fmt(d["zero_share"]), _fmt(d["mae"])])
        lines += _table(rows)
        items = report.fatality_misses
        shown = items if sample is None else items[:sample]
        more = f", {len(shown)} shown" if len(shown) < len(items) else ""
        lines += ["", f"fatality differences ({len(items)}{more})"]
        for e in shown:
            rec = "no record" if e["records"] is None else f"records {e['records']}"
            words = f" ('{e['words']}')" if e["words"] else ""
            lines += [f"  {e['doc_id']}: gold {e['gold']}, {rec}, counter {e['counter']}{words}",
                      f"      {_short(e['text'])}"]
    if report.min_f1 is not None:
        f1 = overall.f1
        lines += ["", (f"--min-f1 {report.min_f1}: overall F1 {_fmt(f1)}: "
                       f"{'passed' if report.passed else 'FAILED'}")]
    return "\n".join(lines)


def _render_entry(form: str, title: str, e: dict) -> list[str]:
    if form == "labels":
        if title == "misses":
            got = ", ".join(e["got"]) or "nothing"
            rules = f" (rules: {', '.join(e['rule_ids'])})" if e["rule_ids"] else ""
            head = f"  {e['doc_id']}: expected {e['expected']}, got {got}{rules}"
        else:
            exp = ", ".join(e["expected"]) or "nothing"
            head = f"  {e['doc_id']}: expected {exp}, got {e['got']} (rules: {', '.join(e['rule_ids'])})"
        return [head, f"      {_short(e['text'])}"]
    if title == "misses":
        out = [f"  {e['doc_id']} (gold line {e['line']}): expected {_fields(e['expected'])}"]
        if e["got"] is not None:
            out.append(f"      nearest: {_fields(e['got'])} (rule {e['rule_id']}; differs: {', '.join(e['differs'])})")
        else:
            out.append("      nearest: no record of this document is near")
        out.append(f"      {_short(e.get('sentence') or e['text'])}")
        return out
    out = [f"  {e['doc_id']} sentence {e['sentence_index']}: got {_fields(e['got'])} (rule {e['rule_id']})"]
    if e["expected"] is not None:
        out.append(f"      nearest gold (line {e['line']}): {_fields(e['expected'])}; differs: "
                   f"{', '.join(e['differs'])}")
    out.append(f"      {_short(e['sentence'])}")
    return out

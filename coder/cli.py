"""The `coder` command line: parses options and calls the library.

Errors are printed as one line each (``path:line:col: field: message``) with
no traceback unless ``--debug`` is given (or CODER_DEBUG=1 is set).
"""

from __future__ import annotations

import os
import sys

import typer

from coder.errors import CoderError, printable
from coder.version import __version__

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="coder: a fast, transparent, rule-based event coder (news text in, CAMEO/ACLED-style events out).",
    context_settings={"help_option_names": ["-h", "--help"]},
)

codebook_app = typer.Typer(
    no_args_is_help=True,
    help="Write and check codebooks: lint, test, diff, stats, suggest, schema, import-petrarch.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(codebook_app, name="codebook")

DEBUG = typer.Option(False, "--debug", help="Show tracebacks of errors.")
FORMAT_TEXT_JSON = typer.Option("text", "--format", "-f", help="Output: text (default) or json.")
DOC_DATE = typer.Option(None, "--doc-date", help="Date (YYYY-MM-DD) for documents that carry none.")
INPUT_FORMAT = typer.Option(None, "--input-format", help="Read every input file as this format (as in coder run).")


def _text_or_json(fmt: str) -> str:
    if fmt not in ("text", "json"):
        from coder.errors import Problem, UsageError

        raise UsageError(Problem("usage", f"unknown format '{fmt}' (use text or json)", field="--format"))
    return fmt


def _broken_pipe(exc: BaseException) -> bool:
    while exc is not None:
        if isinstance(exc, BrokenPipeError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _quit_on_broken_pipe() -> None:
    """The reader of our standard output went away (``coder run x | head``):
    stop quietly, as Unix tools do, with the status of SIGPIPE."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a descriptor
        pass
    raise typer.Exit(141)


def _fail(exc: CoderError, debug: bool) -> None:
    if _broken_pipe(exc):
        _quit_on_broken_pipe()
    if debug or os.environ.get("CODER_DEBUG") == "1":
        raise exc
    for problem in exc.problems:
        typer.echo(f"error: {problem}", err=True)
    raise typer.Exit(exc.exit_code)


def _version(value: bool) -> None:
    if value:
        from coder.codebook.files import shipped_codebook

        name, version = shipped_codebook()  # versioned apart from coder: say both
        typer.echo(f"coder {__version__} (shipped codebook {name} {version})")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """coder: code news text into event records."""


@app.command()
def run(
    corpus: str = typer.Argument(..., help="A file, a directory (read recursively) or - for standard input."),
    output: str | None = typer.Option(
        None, "--output", "-o", help="Output file (.csv, .xml, .jsonl, .tsv for Phoenix); standard output if not given."
    ),
    fmt: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="Output format: csv, xml, jsonl, acled or phoenix (default: from the output suffix, else csv).",
    ),
    codebook: str | None = typer.Option(
        None, "--codebook", "-c", help="Codebook YAML file (default: the shipped codebooks/default.yaml)."
    ),
    doc_date: str | None = typer.Option(
        None,
        "--doc-date",
        help="Date (YYYY-MM-DD) for documents that carry none (.txt files, JSONL/CSV rows without date).",
    ),
    input_format: str | None = typer.Option(
        None,
        "--input-format",
        help="Read every input file as txt, jsonl, csv or xml (PETRARCH) (default: from each file's suffix).",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not print the summary."),
    report_path: str | None = typer.Option(
        None,
        "--report",
        help="Write the run report (counts, every skipped document with file, line and reason) to this JSON file.",
    ),
    rejects: str | None = typer.Option(
        None,
        "--rejects",
        help="Write each skipped document (or its raw line) with file, line and reason to this JSONL file.",
    ),
    resume: bool = typer.Option(
        False,
        "--resume",
        help="Keep finished input files in .OUTPUT.parts/ and go on from there if the run was interrupted (needs -o).",
    ),
    max_doc_bytes: int = typer.Option(
        5_000_000,
        "--max-doc-bytes",
        help="Skip documents whose text is larger than this many bytes (UTF-8); 0: no limit.",
    ),
    max_sentence_chars: int = typer.Option(
        10_000,
        "--max-sentence-chars",
        help="Do not match sentences longer than this many characters (they are counted); 0: no limit.",
    ),
    excel_safe: bool = typer.Option(
        False,
        "--excel-safe",
        help="Put a ' before text values a spreadsheet would run as formulas (=, +, -, @, tab, CR at the start).",
    ),
    jobs: int | None = typer.Option(
        None,
        "--jobs",
        "-j",
        help="Worker processes (default: all cores); 1 codes in this process. The output is the same for any number.",
    ),
    engine: str = typer.Option(
        "local",
        "--engine",
        help="local (this machine) or dask (a Dask cluster; -o names a directory of part files, see docs/scale.md).",
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="With --engine dask: the address of a running Dask scheduler (default: start a local cluster of --jobs "
             "workers).",
    ),
    partition_bytes: int | None = typer.Option(
        None,
        "--partition-bytes",
        help="With --engine dask: partitions of about this many bytes (small files grouped, large plain JSONL files "
             "cut into byte ranges); default 64 MiB.",
    ),
    debug: bool = DEBUG,
) -> None:
    """Code a corpus into event records."""
    from coder.engines.common import Terminated
    from coder.engines.resume import parts_dir
    from coder.engines.runner import run as run_corpus
    from coder.pipeline import Report

    def show(problem) -> None:
        typer.echo(f"skipped: {problem}", err=True)

    def note(message) -> None:
        typer.echo(f"note: {message}", err=True)

    debug = debug or os.environ.get("CODER_DEBUG") == "1"
    report = Report()

    def summary_so_far() -> None:
        if not quiet and report.documents_read:
            typer.echo(report.summary(), err=True)

    try:
        run_corpus(
            corpus,
            output,
            fmt=fmt,
            codebook=codebook,
            doc_date=doc_date,
            input_format=input_format,
            on_problem=show,
            progress_stream=sys.stderr,
            report=report,
            report_path=report_path,
            rejects_path=rejects,
            resume=resume,
            max_doc_bytes=max_doc_bytes,
            max_sentence_chars=max_sentence_chars,
            excel_safe=excel_safe,
            raise_errors=debug,
            on_note=note,
            jobs=jobs,
            engine=engine,
            scheduler=scheduler,
            partition_bytes=partition_bytes,
        )
    except CoderError as exc:
        if _broken_pipe(exc) or debug:
            _fail(exc, debug)  # stops quietly, or shows the traceback
        for problem in exc.problems:
            typer.echo(f"error: {problem}", err=True)
        summary_so_far()
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        what = "terminated (SIGTERM)" if terminated else "interrupted"
        message = f"{what}: no output file was written"
        if engine == "dask":
            message = f"{what}: the part files of finished partitions are in {output} (manifest.json says which)"
        elif resume and output not in (None, "-"):
            message += f"; finished input files are kept in {parts_dir(output)} (run the same command again to go on)"
        typer.echo(message, err=True)
        summary_so_far()
        raise typer.Exit(143 if terminated else 130) from None
    except BrokenPipeError:
        _quit_on_broken_pipe()
    except Exception as exc:  # a bug: no half file was left; say what we know
        if debug:
            raise
        typer.echo(
            f"error: internal error: {type(exc).__name__}: {exc} (a bug: please report "
            "it; --debug shows the traceback); no output file was written",
            err=True,
        )
        summary_so_far()
        raise typer.Exit(1) from None
    if not quiet:
        typer.echo(report.summary(), err=True)
    if report.problems:
        raise typer.Exit(1)


@app.command()
def validate(
    files: list[str] = typer.Argument(..., help="Output files of `coder run` (.csv, .xml, .jsonl, .tsv)."),
    fmt: str | None = typer.Option(
        None, "--format", "-f", help="Read every file as csv, xml, jsonl, acled or phoenix (default: from the suffix)."
    ),
    debug: bool = DEBUG,
) -> None:
    """Check output files against schemas/event.schema.json and schemas/events.xsd."""
    from coder.io.check import validate_file

    bad = 0
    try:
        for path in files:
            problems = validate_file(path, fmt)
            for p in problems:
                typer.echo(str(p))
            if problems:
                bad += 1
            else:
                typer.echo(f"{printable(path)}: ok", err=True)
    except CoderError as exc:
        _fail(exc, debug)
    if bad:
        raise typer.Exit(1)


@app.command()
def report(
    events: list[str] = typer.Argument(
        ..., help="Output files of `coder run` (.csv, .xml, .jsonl; ACLED .csv and Phoenix .tsv too)."
    ),
    output: str = typer.Option("report.html", "--output", "-o", help="The HTML file to write (default: report.html)."),
    title: str | None = typer.Option(
        None, "--title", help="Title of the page (default: 'coder report: ' and the file names)."
    ),
    fmt: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="Read every file as csv, xml, jsonl, acled or phoenix (default: from the suffix and the CSV header).",
    ),
    debug: bool = DEBUG,
) -> None:
    """Write one self-contained HTML page of the events: map, timeline, counts, searchable records (works offline)."""
    from coder.htmlreport import build_report

    try:
        built = build_report(events, output, title=title, fmt=fmt)
    except CoderError as exc:
        _fail(exc, debug)
        return
    typer.echo(
        f"{printable(built.path)}: {built.records:,} records, {built.places:,} places, "
        f"{built.no_coordinates:,} without coordinates, {built.no_date:,} without a date; "
        f"{built.size / 1e6:.1f} MB",
        err=True,
    )


@app.command()
def explain(
    text: str = typer.Argument(
        ..., help="The sentence (or text) to explain; with --doc, the corpus to find the document in."
    ),
    doc: str | None = typer.Option(
        None, "--doc", help="Explain the document with this id from the corpus given as argument."
    ),
    doc_date: str | None = typer.Option(
        None,
        "--doc-date",
        help="Document date (YYYY-MM-DD) for resolving 'on Friday'; with --doc, for documents without one.",
    ),
    codebook: str | None = typer.Option(
        None, "--codebook", "-c", help="Codebook YAML file (default: the shipped codebook)."
    ),
    input_format: str | None = typer.Option(
        None, "--input-format", help="With --doc: read the corpus files as this format (as in coder run)."
    ),
    fmt: str = FORMAT_TEXT_JSON,
    colour: bool | None = typer.Option(
        None,
        "--colour/--no-colour",
        "--color/--no-color",
        help="Colour the text output (default: when standard output is a terminal).",
    ),
    debug: bool = DEBUG,
) -> None:
    """Show step by step how a sentence (or --doc ID CORPUS, a document) is coded."""
    import json

    from coder.authoring.explain import explain_document, find_document, render
    from coder.codebook.files import check_codebook_file
    from coder.engines.common import check_doc_date
    from coder.match.cache import load_compiled
    from coder.text.document import Document

    try:
        fmt = _text_or_json(fmt)
        doc_date = check_doc_date(doc_date)
        check_codebook_file(codebook)  # before the cache reads it: not /dev/zero, not 10 GB
        compiled = load_compiled(codebook)
        if doc is None:
            document = Document("cli", text, doc_date)
        else:
            document = find_document(text, doc, doc_date=doc_date, input_format=input_format)
        expl = explain_document(compiled, document)
    except CoderError as exc:
        _fail(exc, debug)
        return
    if fmt == "json":
        typer.echo(json.dumps(expl, indent=2, ensure_ascii=False))
    else:
        colour = sys.stdout.isatty() if colour is None else colour
        typer.echo(render(expl, colour=colour), color=colour)


@app.command("eval")
def eval_cmd(
    gold: str = typer.Argument(
        ..., help="Gold file: .jsonl documents with 'labels', or .csv expected records (with --corpus)."
    ),
    corpus: str | None = typer.Option(
        None, "--corpus", help="With a .csv gold file: the documents (file or directory, read as coder run reads them)."
    ),
    codebook: str | None = typer.Option(
        None, "--codebook", "-c", help="Codebook YAML file (default: the shipped codebook)."
    ),
    fmt: str = FORMAT_TEXT_JSON,
    doc_date: str | None = DOC_DATE,
    input_format: str | None = typer.Option(
        None, "--input-format", help="With --corpus: read every corpus file as this format (as in coder run)."
    ),
    min_f1: float | None = typer.Option(
        None, "--min-f1", min=0.0, max=1.0, help="Exit with status 1 when the overall F1 is below this (0-1), for CI."
    ),
    sample: int | None = typer.Option(
        None, "--sample", min=0, help="Misses and extras listed in the text output (default: all)."
    ),
    debug: bool = DEBUG,
) -> None:
    """Code a labelled set and report precision, recall and F1 per event type, confusions, misses and extras."""
    from coder.engines.common import check_doc_date
    from coder.evaluation.evaluate import evaluate

    try:
        fmt = _text_or_json(fmt)
        report = evaluate(
            gold,
            codebook=codebook,
            corpus=corpus,
            doc_date=check_doc_date(doc_date),
            input_format=input_format,
            min_f1=min_f1,
        )
    except CoderError as exc:
        _fail(exc, debug)
        return
    typer.echo(report.to_json() if fmt == "json" else report.render(sample=sample))
    if not report.passed:
        f1 = report.overall.f1
        typer.echo(f"overall F1 {f1:.3f} is below --min-f1 {min_f1}", err=True)
        raise typer.Exit(1)


# -- coder codebook ... ---------------------------------------------------------


@codebook_app.command("lint")
def codebook_lint(
    codebooks: list[str] = typer.Argument(..., help="Codebook YAML files."),
    fmt: str = FORMAT_TEXT_JSON,
    debug: bool = DEBUG,
) -> None:
    """Check codebooks: schema, ids, aliases, patterns, regexes, examples (path:line:col: level: message (check))."""
    import json

    from coder.authoring.lint import lint_codebook

    try:
        fmt = _text_or_json(fmt)
        found = [f for path in codebooks for f in lint_codebook(path)]
    except CoderError as exc:
        _fail(exc, debug)
        return
    if fmt == "json":
        typer.echo(json.dumps([f.to_dict() for f in found], indent=2, ensure_ascii=False))
    else:
        for f in found:
            typer.echo(str(f))
        errors = sum(1 for f in found if f.level == "error")
        typer.echo(
            f"{len(codebooks)} codebook{'s' if len(codebooks) != 1 else ''}: "
            f"{errors} error{'s' if errors != 1 else ''}, {len(found) - errors} "
            f"warning{'s' if len(found) - errors != 1 else ''}",
            err=True,
        )
    if any(f.level == "error" for f in found):
        raise typer.Exit(1)


@codebook_app.command("test")
def codebook_test(
    codebook: str | None = typer.Argument(None, help="Codebook YAML file (default: the shipped codebook)."),
    rule: list[str] | None = typer.Option(
        None, "--rule", "-k", help="Only the examples of rules whose id starts with this (repeatable)."
    ),
    debug: bool = DEBUG,
) -> None:
    """Run every rule's examples and report passed/failed, expected and actual side by side."""
    import time

    from coder.authoring.examples import format_report, run_examples
    from coder.codebook import load_codebook
    from coder.match.compile import compile_codebook

    try:
        start = time.perf_counter()
        cb = load_codebook(codebook)
        results = run_examples(compile_codebook(cb))
        if rule:
            results = [r for r in results if any(r.rule.id.startswith(k) for k in rule)]
        report = format_report(results, cb.positions, cb.path, time.perf_counter() - start)
    except CoderError as exc:
        _fail(exc, debug)
        return
    typer.echo(report)
    if not results or any(not r.passed for r in results):
        raise typer.Exit(1)


@codebook_app.command("diff")
def codebook_diff(
    old: str = typer.Argument(..., help="The codebook before the edit."),
    new: str = typer.Argument(..., help="The codebook after the edit."),
    corpus: str = typer.Argument(..., help="The corpus to code with both (file or directory)."),
    sample: int = typer.Option(3, "--sample", min=0, help="Sentences shown per rule and kind of change."),
    doc_date: str | None = DOC_DATE,
    input_format: str | None = INPUT_FORMAT,
    fmt: str = FORMAT_TEXT_JSON,
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit with status 1 when the records differ (for CI)."),
    debug: bool = DEBUG,
) -> None:
    """Code a corpus with two codebooks: records added, removed and changed, per rule, with sample sentences."""
    import json

    from coder.authoring.diff import diff_codebooks, render
    from coder.engines.common import check_doc_date

    try:
        fmt = _text_or_json(fmt)
        report = diff_codebooks(
            old, new, corpus, sample=sample, doc_date=check_doc_date(doc_date), input_format=input_format
        )
    except CoderError as exc:
        _fail(exc, debug)
        return
    typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) if fmt == "json" else render(report))
    if exit_code and report.differs:
        raise typer.Exit(1)


@codebook_app.command("stats")
def codebook_stats(
    codebook: str | None = typer.Argument(None, help="Codebook YAML file (default: the shipped codebook)."),
    corpus: str | None = typer.Argument(
        None, help="A corpus to code: shows how often each rule fired and the near misses."
    ),
    sample: int = typer.Option(10, "--sample", min=0, help="Near-miss sentences shown."),
    doc_date: str | None = DOC_DATE,
    input_format: str | None = INPUT_FORMAT,
    fmt: str = FORMAT_TEXT_JSON,
    debug: bool = DEBUG,
) -> None:
    """Counts per codebook section; with a corpus, rule firing counts, rules never fired, near misses."""
    import json

    from coder.authoring.stats import corpus_stats, render, to_dict
    from coder.codebook import load_codebook
    from coder.engines.common import check_doc_date

    try:
        fmt = _text_or_json(fmt)
        cb = load_codebook(codebook)
        st = None
        if corpus is not None:
            st = corpus_stats(cb, corpus, sample=sample, doc_date=check_doc_date(doc_date), input_format=input_format)
    except CoderError as exc:
        _fail(exc, debug)
        return
    typer.echo(json.dumps(to_dict(cb, st), indent=2, ensure_ascii=False) if fmt == "json" else render(cb, st))


@codebook_app.command("suggest")
def codebook_suggest(
    corpus: str = typer.Argument(..., help="The corpus to look for misses in (file or directory)."),
    codebook: str | None = typer.Option(
        None, "--codebook", "-c", help="Codebook YAML file (default: the shipped codebook)."
    ),
    top: int = typer.Option(20, "--top", min=1, help="Linking words shown, most sentences first."),
    examples: int = typer.Option(3, "--examples", min=0, help="Sentences shown per linking word."),
    include_held_back: bool = typer.Option(
        False, "--include-held-back", help="Also group sentences in which a cue or an exclusion dropped a match."
    ),
    doc_date: str | None = DOC_DATE,
    input_format: str | None = INPUT_FORMAT,
    fmt: str = FORMAT_TEXT_JSON,
    debug: bool = DEBUG,
) -> None:
    """What the codebook probably misses: sentences with an armed actor and a place (or two armed actors)
    that gave no record, grouped by the word linking them, with sentences and a pattern stub."""
    import json

    from coder.authoring.suggest import render, suggest
    from coder.codebook import load_codebook
    from coder.engines.common import check_doc_date

    try:
        fmt = _text_or_json(fmt)
        cb = load_codebook(codebook)
        found = suggest(cb, corpus, top=top, examples=examples, doc_date=check_doc_date(doc_date),
                        input_format=input_format, include_held_back=include_held_back)
    except CoderError as exc:
        _fail(exc, debug)
        return
    for problem in found.problems:
        typer.echo(f"skipped: {problem}", err=True)
    typer.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False) if fmt == "json" else render(found, examples))
    if found.problems and not found.documents:
        raise typer.Exit(1)  # nothing could be read


@codebook_app.command("schema")
def codebook_schema_cmd(
    path: bool = typer.Option(False, "--path", help="Print where the schema file is instead of its content."),
) -> None:
    """Print the codebook JSON Schema (for editors: yaml-language-server, VS Code, JetBrains)."""
    import json
    from importlib.resources import files

    from coder.codebook import codebook_schema

    if path:
        typer.echo(str(files("coder") / "schemas" / "codebook.schema.json"))
    else:
        typer.echo(json.dumps(codebook_schema(), indent=2, ensure_ascii=False))


@codebook_app.command("import-petrarch")
def codebook_import_petrarch(
    directory: str = typer.Argument(
        ..., help="Directory of PETRARCH2 / TABARI dictionaries (PETRARCH2's data/dictionaries)."
    ),
    output: str = typer.Option(
        ..., "--output", "-o", help="The codebook YAML file to write (atomically, once it loads)."
    ),
    all_codes: bool = typer.Option(
        False, "--all-codes", help="Import every CAMEO code, as event types cameo_<code> (default: only 15x and 19x)."
    ),
    date: str | None = typer.Option(
        None, "--date", help="Keep the actor codes valid on this date, YYYY-MM-DD (default: the latest)."
    ),
    verbs: list[str] | None = typer.Option(
        None,
        "--verbs",
        help="Verb pattern file in DIRECTORY (repeatable; default: from PETR_config.ini, else *.verbs.txt).",
    ),
    actors: list[str] | None = typer.Option(
        None, "--actors", help="Actor file in DIRECTORY (repeatable; default: from PETR_config.ini, else *.actors.txt)."
    ),
    agents: list[str] | None = typer.Option(
        None, "--agents", help="Agent file in DIRECTORY (repeatable; default: from PETR_config.ini, else *.agents.txt)."
    ),
    no_agents: bool = typer.Option(False, "--no-agents", help="Import no agent dictionary."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only what could not be converted, and the summary."),
    debug: bool = DEBUG,
) -> None:
    """Convert PETRARCH2 / TABARI actor, agent and verb dictionaries into a codebook."""
    from coder.authoring.petrarch import check_date, import_petrarch

    try:
        report = import_petrarch(
            directory,
            output,
            all_codes=all_codes,
            date=check_date(date),
            verbs=verbs,
            actors=actors,
            agents=[] if no_agents else agents,
        )
    except CoderError as exc:
        _fail(exc, debug)
        return
    for line in report.lines:
        if not quiet or line.kind in ("skipped", "duplicate"):
            typer.echo(str(line))
    typer.echo(report.summary(), err=True)


def main() -> None:
    from coder.engines.common import SIGTERM_RECEIVED, Terminated, handle_sigterm

    handle_sigterm()  # SIGTERM stops every command as Ctrl-C does: temporary files are removed
    try:
        app()
    except Terminated:  # between commands' own handling
        typer.echo("terminated (SIGTERM)", err=True)
        raise SystemExit(143) from None
    except SystemExit as exc:
        if SIGTERM_RECEIVED.is_set() and exc.code not in (0, 143):  # click's "Aborted!" of another command
            raise SystemExit(143) from None
        raise


if __name__ == "__main__":  # pragma: no cover
    main()

"""``coder explain``: how a sentence (or a document) is coded, step by step.

:func:`explain_document` codes one document with a trace and returns plain
data (the JSON form of ``coder explain --format json``); :func:`render`
turns it into text for a terminal.  Nothing here decides anything: it only
reports what :func:`coder.pipeline.code_document` saw and did.
"""

from __future__ import annotations

from coder.errors import InputError, Problem, printable
from coder.io.readers import read_corpus
from coder.match.compile import Compiled
from coder.match.engine import Candidate
from coder.match.mentions import Mention
from coder.pipeline import SentenceTrace, code_document
from coder.text.document import Document


def _span_text(trace: SentenceTrace, span: tuple[int, int]) -> str:
    toks = trace.tokens
    a, b = span
    if a >= b or a >= len(toks):
        return ""
    return trace.sentence.text[toks[a].start: toks[b - 1].end]


def _mention(m: Mention) -> dict:
    out = {"text": m.text, "tokens": [m.start + 1, m.end], "via": m.via, "alias": m.alias}
    if m.actor is not None:
        out.update(kind="actor", code=m.actor.code, name=m.actor.name)
    elif m.place is not None:
        out.update(kind="place", name=m.place.name)
        if m.near:
            out["near"] = True
    elif m.generic_place:
        out.update(kind="place", name="", generic=True)
    else:
        out.update(kind="reference")
    return out


def _candidate(trace: SentenceTrace, c: Candidate) -> dict:
    slots = {}
    for name, ms in sorted(c.slots.items(), key=lambda kv: ("actor1", "actor2", "location").index(kv[0])):
        shown = []
        for m in ms:
            named = (m.place if name == "location" else m.actor) or m.actor or m.place
            label = named.name if named is not None else m.text
            shown.append(label if label == m.text else f"{label} ({m.text!r})")
        slots[name] = shown
    return {
        "rule_id": c.rule.rule.id,
        "event_type": c.event_type,
        "pattern": c.rule.rule.pattern,
        "matched_text": _span_text(trace, c.span),
        "anchor": _span_text(trace, c.anchor),
        "slots": slots,
        "missing": list(c.missing),
        "status": c.status,
        "reason": c.reason,
    }


def find_document(corpus: str, doc_id: str, *, doc_date: str | None = None,
                  input_format: str | None = None) -> Document:
    """The document with id ``doc_id`` in ``corpus`` (read as ``coder run`` reads it)."""
    for item in read_corpus(corpus, doc_date=doc_date, input_format=input_format):
        if isinstance(item, Document) and item.id == doc_id:
            return item
    raise InputError(Problem("input-field", f"no document with id '{doc_id}' in the corpus", corpus, field="--doc"))


def explain_document(compiled: Compiled, doc: Document) -> dict:
    """Everything the coder did with ``doc``, as plain data."""
    trace: list[SentenceTrace] = []
    records, _ = code_document(compiled, doc, trace=trace)
    sentences = []
    for t in trace:
        sentences.append(
            {
                "index": t.sentence.index,
                "text": t.sentence.text,
                "triggered": t.triggered,
                # anchor words of a sentence that was not matched: their rules lacked a word
                "anchors": []
                if t.triggered
                else sorted({tok.norm for tok in t.tokens if tok.norm in compiled.anchors}),
                "mentions": [_mention(m) for m in t.mentions],
                "dates": [{"text": _span_text(t, d.span), "value": d.value, "precision": d.precision} for d in t.dates],
                "candidates": [_candidate(t, c) for c in t.candidates],
                "records": [r.non_empty() for r in t.records],
                "merged_into": [
                    {"rule_id": d.rule_id, "matched_text": d.matched, "event_id": r.event_id} for d, r in t.merged
                ],
            }
        )
    return {
        "doc_id": doc.id,
        "doc_date": doc.date,
        "codebook": compiled.codebook.name,
        "sentences": sentences,
        "records": [r.non_empty() for r in records],
    }


_COLOURS = {"head": "1", "ok": "32", "drop": "33", "dim": "2", "rec": "36"}

#: Record fields shown in the text form (all are in the JSON form).
SHOWN = (
    "event_type",
    "actor1",
    "actor1_code",
    "actor2",
    "actor2_code",
    "location",
    "event_date",
    "time_precision",
    "cameo_code",
    "acled_sub_event_type",
    "rule_id",
    "matched_text",
    "event_id",
)


def render(expl: dict, colour: bool = False) -> str:
    """The text form of an explanation (ANSI colours when ``colour``)."""

    def c(kind: str, text: str) -> str:
        return f"\x1b[{_COLOURS[kind]}m{text}\x1b[0m" if colour else text

    out = [
        c("head", f"document {printable(expl['doc_id'])}")
        + (f" (dated {expl['doc_date']})" if expl["doc_date"] else " (no date)")
        + f", codebook {expl['codebook']}: {len(expl['sentences'])} "
          f"sentence{'s' if len(expl['sentences']) != 1 else ''}"
    ]
    for s in expl["sentences"]:
        out.append("")
        out.append(c("head", f"sentence {s['index']}: ") + s["text"])
        if not s["triggered"]:
            if s.get("anchors"):
                words = ", ".join(f"'{w}'" for w in s["anchors"])
                out.append(
                    c(
                        "dim",
                        f"  anchor word {words} occurs, but each rule it starts needs a word "
                        "this sentence lacks: not matched",
                    )
                )
            else:
                out.append(c("dim", "  no rule's anchor word occurs: not matched"))
            continue
        if s["mentions"]:
            out.append("  found:")
            for m in s["mentions"]:
                what = {"actor": "actor", "place": "place", "reference": "reference"}[m["kind"]]
                name = f"{m.get('name')} [{m['code']}]" if m["kind"] == "actor" else (m.get("name") or "(unnamed)")
                how = f"alias '{m['alias']}'" if m["via"] == "alias" else f"{m['via']} of '{m['alias']}'"
                near = ", near" if m.get("near") else ""
                a, b = m["tokens"]
                where = f"token {a}" if a == b else f"tokens {a}-{b}"
                out.append(f"    {what} {name}: '{m['text']}' ({where}, {how}{near})")
        else:
            out.append("  found: no actor or place")
        for d in s["dates"]:
            out.append(f"  date: '{d['text']}' -> {d['value']} (time precision {d['precision']})")
        if not s["candidates"]:
            out.append("  rules: an anchor word occurs but no rule matched")
        for cand in s["candidates"]:
            slots = "; ".join(f"{k}: {', '.join(v)}" for k, v in cand["slots"].items()) or "no slot filled"
            status = c("ok", "kept") if cand["status"] == "kept" else c("drop", f"dropped: {cand['reason']}")
            out.append(f"  rule {cand['rule_id']} ({cand['event_type']}): '{cand['matched_text']}'")
            out.append(f"    pattern: {cand['pattern']}")
            out.append(f"    slots: {slots}")
            out.append(f"    {status}")
        for r in s["records"]:
            out.append(c("rec", "  record:"))
            for k in SHOWN:
                if k in r:
                    out.append(f"    {k}: {r[k]}")
        for m in s["merged_into"]:
            out.append(
                f"  merged: the report by rule {m['rule_id']} ('{m['matched_text']}') is the same event as record "
                f"{m['event_id']}"
            )
    n = len(expl["records"])
    out.append("")
    out.append(c("head", f"{n} record{'s' if n != 1 else ''}"))
    return "\n".join(out)

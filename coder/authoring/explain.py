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


def _phrases(items: list[str], limit: int = 4) -> str:
    shown = ", ".join(f"'{w}'" for w in items[:limit])
    return shown + (", ..." if len(items) > limit else "")


def _classification(compiled: Compiled, draft, record) -> dict:
    """Which variant of the record's event type set its CAMEO code and ACLED
    types, and why each earlier variant did not hold: the same conditions, in
    the same order, as :func:`coder.events.build.classify` tries them."""
    from coder.events.build import _actor_kinds  # the actor kinds the variants' conditions name

    et = compiled.codebook.event_types[draft.event_type]
    iso3 = draft.place.iso3 if draft.place else ""
    kinds = {"actor1": _actor_kinds(draft.a1, iso3), "actor2": _actor_kinds(draft.a2, iso3)}
    variants = []
    chosen = None
    for number, v in enumerate(et.variants, 1):
        w, why = v.when, ""
        if w.words and not draft.words.any_of(w.words):
            why = f"none of its words occurs ({_phrases(w.words)})"
        elif w.no_words and draft.words.any_of(w.no_words):
            why = f"one of its no_words occurs ({_phrases(w.no_words)})"
        else:
            for slot in ("actor1", "actor2"):
                wanted = getattr(w, slot)
                if wanted and kinds[slot].isdisjoint(wanted):
                    why = f"{slot} is {' and '.join(sorted(kinds[slot]))}, not {' or '.join(wanted)}"
                    break
        variants.append({"variant": number, "situation": v.situation, "holds": not why, "why": why})
        if not why:
            chosen = v
            break
    event_type = f"event type '{et.name}'"
    variant = "" if chosen is None else f"variant {len(variants)} of {event_type}" + (
        f" ({chosen.situation})" if chosen.situation else "")
    # field -> (value, what set it), as classify() and to_record() decide
    if chosen is not None and chosen.cameo:
        cameo = (chosen.cameo, variant)
    else:
        cameo = (et.cameo, event_type)
    if draft.cameo_override:
        cameo = (draft.cameo_override, f"rule '{draft.rule_id}' (its own cameo)")
    if chosen is not None and chosen.acled_event_type:
        acled = (chosen.acled_event_type, variant)
        sub = (chosen.acled_sub_event_type, variant)
    else:
        acled = (et.acled_event_type, event_type)
        sub = (chosen.acled_sub_event_type, variant) if chosen is not None and chosen.acled_sub_event_type \
            else (et.acled_sub_event_type, event_type)
    set_by = {"cameo_code": cameo[1], "acled_event_type": acled[1], "acled_sub_event_type": sub[1]}
    if draft.place_from is not None:
        set_by["location"] = f"sentence {draft.place_from}, the last event before it (this sentence names no place)"
    out = {"variant": len(variants) if chosen is not None else None, "set_by": set_by, "variants": variants}
    if (record.cameo_code, record.acled_event_type, record.acled_sub_event_type) != (cameo[0], acled[0], sub[0]):
        out["note"] = "the coder chose otherwise than the variants say: please report it"
    return out


def _wants_a_place(c: Candidate) -> bool:
    """A match whose rule takes a place and that got none."""
    return "location" in c.rule.slots and not any(m.place is not None for m in c.slots.get("location", ()))


def _unknown_places(compiled: Compiled, trace: SentenceTrace) -> list[dict]:
    """In a sentence where a rule that takes a place got none, the
    capitalised words that no actor, place or date took and that the
    gazetteer does not know (when the codebook uses it), with the nearest
    spellings it does know: "Kyaukphyu" (nearest: Kyaukpyu).  Runs of
    capitalised words are taken whole ("Ras al Ayn").  Not asked about: the
    first word of the sentence (capitalised as any word is there), common
    English words, the gazetteer's stop list, demonyms ("Syrian") and short
    acronyms ("ENDF")."""
    gazetteer = compiled.gazetteer()
    if gazetteer is None or not any(_wants_a_place(c) for c in trace.candidates):
        return []
    from coder.authoring.checks.common_word_alias import common_words
    from coder.countries import countries
    from coder.gazetteer.store import stop_words

    common, stops = common_words(), stop_words()
    demonyms = {d.lower() for c in countries().values() for d in c.demonyms}
    taken = {k for m in trace.mentions for k in range(m.start, m.end)}
    taken |= {k for d in trace.dates for k in range(*d.span)}
    toks = trace.tokens
    runs: list[list[int]] = []
    for k, tok in enumerate(toks):
        # each part of a name is capitalised ("Deir ez-Zor" aside): not "Kurdish-led", "State-held"
        name_like = tok.text[:1].isupper() and tok.text.replace("-", "").replace("'", "").isalpha() \
            and tok.text.split("-")[-1][:1].isupper()
        acronym = tok.text.isupper() and len(tok.text) <= 5
        if not name_like or acronym or k == 0 or k in taken or tok.norm in stops or tok.norm in common \
                or tok.norm in demonyms:
            continue
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    out = []
    for run in runs:
        text = trace.sentence.text[toks[run[0]].start: toks[run[-1]].end]
        if text.lower() in common or gazetteer.lookup(text):
            continue
        out.append({"text": text, "tokens": [run[0] + 1, run[-1] + 1], "nearest": gazetteer.nearest(text)})
    return out


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
                "classified": [_classification(compiled, d, r) for d, r in t.drafts],
                "unknown_places": _unknown_places(compiled, t),
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
    "assoc_actor_1",
    "actor2",
    "actor2_code",
    "assoc_actor_2",
    "location",
    "event_date",
    "time_precision",
    "cameo_code",
    "acled_sub_event_type",
    "civilian_targeting",
    "fatalities",
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
        for u in s.get("unknown_places", []):
            nearest = f" (nearest: {', '.join(u['nearest'])})" if u["nearest"] else ""
            out.append(c("drop", f"  not a place the gazetteer knows: '{u['text']}'{nearest}"))
        for r, how in zip(s["records"], s.get("classified") or [None] * len(s["records"]), strict=True):
            out.append(c("rec", "  record:"))
            for k in SHOWN:
                if k in r:
                    out.append(f"    {k}: {r[k]}")
                if k == "fatalities" and k in r:
                    # which words gave the count (docs/coding.md, Fatalities)
                    out.append(f"      from the words: '{r['fatalities_text']}'" if r.get("fatalities_text")
                               else "      (no death reported for this event, or counted on another record)")
            if how is not None:
                for v in how["variants"]:
                    if not v["holds"]:
                        out.append(c("dim", f"    variant {v['variant']} does not hold: {v['why']}"))
                if how["variant"] is None and how["variants"]:
                    out.append(c("dim", "    no variant holds"))
                for k, by in how["set_by"].items():
                    out.append(f"    {k} from {by}")
                if "note" in how:
                    out.append(f"    ({how['note']})")
        for m in s["merged_into"]:
            out.append(
                f"  merged: the report by rule {m['rule_id']} ('{m['matched_text']}') is the same event as record "
                f"{m['event_id']}"
            )
    n = len(expl["records"])
    out.append("")
    out.append(c("head", f"{n} record{'s' if n != 1 else ''}"))
    return "\n".join(out)

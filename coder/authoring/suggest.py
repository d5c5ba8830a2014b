"""``coder codebook suggest``: what a codebook probably misses in a corpus.

For a user adapting a codebook to new text.  Every sentence that gave no
record but names an armed actor and a place, or two different armed actors,
is a probable miss: the codebook knows who and where, but no rule says what
happened.  Such sentences are grouped by the word that links the two (the
first content word between them, else the nearest one before the first: a
verb such as "shelled" or a noun such as "clashes"), put in its dictionary
form ("shelled" -> shell, "clashes" -> clash), ranked by how many sentences
they hold, and each group comes with a few sentences and a pattern stub in
the order the words stood in its first sentence, to paste into a rule.

Sentences in which a rule matched but a negation, modality or reference cue or an
exclusion dropped the match are the codebook's own decision ("did not
capture", "plans to attack", an attack on civilians): they are counted and
left out, unless asked for.

An armed actor is one whose ACLED inter code is 1 to 4 (state forces, rebels,
political and identity militias); a place is a named place (codebook,
gazetteer, or an unlisted name the words around it mark as a place).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from coder.codebook.inflect import FUNCTION_WORDS, IRREGULAR
from coder.codebook.model import CUE_REASONS, Codebook
from coder.gazetteer.store import stop_words
from coder.io.readers import read_corpus
from coder.match.compile import compile_codebook
from coder.match.mentions import Mention
from coder.match.words import REPORTING
from coder.pipeline import code_document, document_memory, sentence_mentions
from coder.text.document import Document
from coder.text.tokens import Token

#: ACLED inter codes of armed actors.
ARMED = frozenset({1, 2, 3, 4})

#: Reasons a match was dropped that are the codebook's own decision.
HELD_BACK = (*CUE_REASONS, "excluded")

#: Words that link actors and places without saying what happened.
_NOT_KEYS = frozenset(
    """
    also reportedly allegedly later earlier still again yesterday today tonight reported according
    including near outside inside around across along north south east west northern southern eastern
    western central several many some more most dozens hundreds thousands people town city village
    region province district state area areas former new local senior top suspected alleged
    """.split()
)


@dataclass
class Group:
    """Sentences that give no record, linked by one word."""

    key: str  # the linking word's dictionary form
    count: int = 0
    examples: list[tuple[str, int, str]] = field(default_factory=list)  # (doc id, sentence index, text)
    stub: str = ""  # a pattern stub, from the first sentence
    shapes: Counter = field(default_factory=Counter)  # "actor+place" / "two actors"


@dataclass
class Suggestions:
    corpus: str
    codebook: str
    documents: int = 0
    skipped: int = 0
    sentences: int = 0
    with_records: int = 0
    probable_misses: int = 0  # sentences with an armed actor and a place (or two) and no record
    held_back: int = 0  # of those, sentences a cue or an exclusion dropped a match in
    no_word: int = 0  # of those, sentences with no linking word (not grouped)
    groups: list[Group] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why documents were skipped, one line each

    def to_dict(self) -> dict:
        return {
            "corpus": self.corpus,
            "codebook": self.codebook,
            "documents": self.documents,
            "documents_skipped": self.skipped,
            "sentences": self.sentences,
            "sentences_with_records": self.with_records,
            "probable_misses": self.probable_misses,
            "held_back": self.held_back,
            "without_linking_word": self.no_word,
            "problems": self.problems,
            "groups": [
                {
                    "word": g.key,
                    "sentences": g.count,
                    "shapes": dict(g.shapes.most_common()),
                    "pattern_stub": g.stub,
                    "examples": [{"doc_id": d, "sentence_index": i, "sentence": s} for d, i, s in g.examples],
                }
                for g in self.groups
            ],
        }


def suggest(cb: Codebook, corpus: str, *, top: int = 20, examples: int = 3, doc_date: str | None = None,
            input_format: str | None = None, include_held_back: bool = False) -> Suggestions:
    """Group the probable misses of ``cb`` on ``corpus`` by linking word (see the module doc)."""
    compiled = compile_codebook(cb)
    out = Suggestions(corpus, cb.name)
    groups: dict[str, Group] = {}
    for item in read_corpus(corpus, doc_date=doc_date, input_format=input_format):
        if not isinstance(item, Document):
            out.skipped += 1
            out.problems.append(str(item))
            continue
        out.documents += 1
        trace: list = []
        _records, n = code_document(compiled, item, trace=trace)
        out.sentences += n
        memory = document_memory(compiled)
        for t in trace:
            if t.records or t.merged:
                out.with_records += 1
                continue
            mentions = t.mentions if t.triggered else None
            if mentions is None:
                if not t.tokens:
                    continue  # a sentence too long to look at
                mentions = sentence_mentions(compiled, t.tokens, t.sentence.text, memory, t.sentence.index)
            pair = _pair(mentions)
            if pair is None:
                continue
            out.probable_misses += 1
            if not include_held_back and any(c.reason.startswith(HELD_BACK) for c in t.candidates):
                out.held_back += 1
                continue
            found = _linking_word(t.tokens, mentions, pair)
            if found is None:
                out.no_word += 1
                continue
            k, key = found
            g = groups.get(key)
            if g is None:
                g = groups[key] = Group(key, stub=_stub(t.tokens, pair, k, key))
            g.count += 1
            g.shapes["two actors" if pair[1].place is None else "actor and place"] += 1
            if len(g.examples) < examples:
                g.examples.append((item.id, t.sentence.index, t.sentence.text))
    out.groups = sorted(groups.values(), key=lambda g: (-g.count, g.key))[:top]
    return out


def _armed(m: Mention) -> bool:
    return m.actor is not None and m.place is None and m.actor.inter in ARMED


def _pair(mentions: list[Mention]) -> tuple[Mention, Mention] | None:
    """(the first armed actor, the first place or other armed actor after it,
    else before it), or None when the sentence has no such pair."""
    actors = [m for m in mentions if _armed(m)]
    if not actors:
        return None
    first = actors[0]
    others = [m for m in mentions if m is not first and (
        (m.place is not None and not m.generic_place) or (_armed(m) and m.actor.code != first.actor.code))]
    if not others:
        return None
    after = [m for m in others if m.start >= first.end]
    return first, (after[0] if after else others[-1])


def _content(tok: Token) -> bool:
    nm = tok.norm
    return (
        tok.is_word and nm.isalpha() and len(nm) > 2 and nm not in FUNCTION_WORDS and nm not in stop_words()
        and nm not in REPORTING and nm not in _NOT_KEYS
    )


def _linking_word(
    tokens: list[Token], mentions: list[Mention], pair: tuple[Mention, Mention]
) -> tuple[int, str] | None:
    """(token index, dictionary form) of the word that links the pair."""
    covered = set()
    for m in mentions:
        covered.update(range(m.start, m.end))
    a, b = sorted(pair, key=lambda m: m.start)
    for k in range(a.end, b.start):
        if k not in covered and _content(tokens[k]):
            return k, lemma(tokens[k].norm)
    for k in range(a.start - 1, max(-1, a.start - 5), -1):
        if tokens[k].norm in (",", ".", ";", ":"):
            break
        if k not in covered and _content(tokens[k]):
            return k, lemma(tokens[k].norm)
    return None


def _stub(tokens: list[Token], pair: tuple[Mention, Mention], k: int, key: str) -> str:
    """A pattern in the order the words stood: the actor's slot, the linking
    word, the place's or the other actor's slot, gaps where words were."""
    first, second = pair
    items = [(first.start, "{actor1}"), (second.start, "{location}" if second.place is not None else "{actor2}"),
             (k, f"[{key}]")]
    items.sort()
    out: list[str] = []
    ends = {first.start: first.end, second.start: second.end, k: k + 1}
    prev_end = None
    for start, text in items:
        if prev_end is not None and start > prev_end:
            out.append("...")
        out.append(text)
        prev_end = ends[start]
    return " ".join(out)


_PAST_OF = {f: lemma for lemma, fs in IRREGULAR.items() for f in fs}
_E_ADDED = re.compile(
    r"(?:[^aeiou][aeiou][vszc]|[^aeiou][aiou]r|eas|[aeiou]{2}[zgv]|dg|[^aeiou]u[dt]|.{3,}at|[^aeiou]id|[^aeiou]in|[bcdfgkptz]l|ok)$"
)


def lemma(word: str) -> str:
    """The dictionary form of a word, near enough for grouping and for a
    pattern stub (the codebook inflects it again): "shelled" -> shell,
    "clashes" -> clash, "captured" -> capture, "took" -> take."""
    if word in _PAST_OF:
        return _PAST_OF[word]
    stem = None
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if stem.endswith("i") and suffix == "ed":
                return stem[:-1] + "y"  # "occupied"
            if stem.endswith("e") and suffix == "ed":
                return stem + "e"  # "agreed"
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] in "bdgmnprt" or (
                    len(stem) > 5 and stem.endswith("oll")):
                return stem[:-1]  # "stopped", "planned", "patrolled"; not "shelled"
            if _E_ADDED.search(stem) and not stem.endswith(("ain", "oin", "ein")):
                return stem + "e"  # "captured", "imposed", "released", "evacuated"
            return stem
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _sentences(n: int) -> str:
    return f"{n} sentence{'s' if n != 1 else ''}"


def render(s: Suggestions, examples: int = 3) -> str:
    lines = [
        f"{s.corpus}: {s.documents} documents" + (f" ({s.skipped} skipped)" if s.skipped else "")
        + f", {s.sentences} sentences, {s.with_records} with records (codebook {s.codebook})",
        f"probable misses: {_sentences(s.probable_misses)} with an armed actor and a place, or two armed actors, "
        "and no record",
    ]
    if s.held_back:
        lines.append(f"  {s.held_back} of them left out: a cue or an exclusion dropped a match "
                     "(the codebook's decision; --include-held-back shows them)")
    if s.no_word:
        lines.append(f"  {s.no_word} of them have no word between or just before the two (not grouped)")
    if not s.groups:
        lines.append("nothing to suggest")
        return "\n".join(lines)
    lines.append("")
    lines.append("by linking word, most sentences first (paste a stub into a rule, then `coder codebook test`):")
    for n, g in enumerate(s.groups, 1):
        lines.append("")
        lines.append(f"{n:3}. {g.key}: {_sentences(g.count)}"
                     f" ({', '.join(f'{k} {v}' for k, v in g.shapes.most_common())})")
        lines.append(f'     pattern: "{g.stub}"')
        for doc_id, index, text in g.examples[:examples]:
            lines.append(f"     {doc_id} sentence {index}: {text}")
    return "\n".join(lines)


__all__ = ["Group", "Suggestions", "lemma", "render", "suggest"]

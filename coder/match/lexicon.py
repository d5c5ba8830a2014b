"""A token trie over every alias, place name and generic word of a codebook.

All phrases are compiled into one trie keyed by normalised tokens, so one left
to right pass over a sentence finds every actor, place and generic word,
longest match first, in time linear in the sentence length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from coder.text.tokens import Token, surface, words

_END = ""  # trie key under which the entries ending at a node are stored


class Entry(NamedTuple):
    """What a phrase of the trie stands for.  A named tuple, not a frozen
    dataclass: the compiled codebook holds about 20,000 of them, and a frozen
    dataclass is unpickled through a Python ``__setstate__`` per object
    (40 ms of every warm start), a tuple in C."""

    kind: str  # "actor" | "place" | "ref" | "place_noun"
    value: object  # Actor | Place | the generic word (str)
    alias: str  # the phrase as written in the codebook
    exact: tuple[str, ...] | None = None  # surface tokens, for case-sensitive aliases


@dataclass(slots=True)
class Hit:
    start: int
    end: int  # exclusive token index
    entries: list[Entry]

    def first(self, kind: str) -> Entry | None:
        for entry in self.entries:
            if entry.kind == kind:
                return entry
        return None


class Lexicon:
    """Phrase -> entries, matched over token norms (exact tokens when case-sensitive)."""

    def __init__(self) -> None:
        self.root: dict = {}
        self.size = 0

    def add(self, phrase: str, entry: Entry, *, variants: list[list[str]] | None = None) -> None:
        for toks in variants or [words(phrase)]:
            if not toks:
                continue
            node = self.root
            for tok in toks:
                node = node.setdefault(tok, {})
            bucket = node.setdefault(_END, [])
            if entry.exact is not None:
                entry = Entry(entry.kind, entry.value, entry.alias, tuple(surface(phrase)))
            if entry not in bucket:
                bucket.append(entry)
                self.size += 1

    def scan(self, tokens: list[Token]) -> list[Hit]:
        """Greedy longest, non-overlapping matches from left to right."""
        hits: list[Hit] = []
        n = len(tokens)
        root = self.root
        i = 0
        while i < n:
            node = root.get(tokens[i].norm)
            if node is None:
                i += 1
                continue
            best_end, best = 0, None
            j = i
            while node is not None:
                j += 1
                bucket = node.get(_END)
                if bucket:
                    ok = [e for e in bucket if e.exact is None or _same(tokens, i, e.exact)]
                    if ok:
                        best_end, best = j, ok
                node = node.get(tokens[j].norm) if j < n else None
            if best is None:
                i += 1
                continue
            hits.append(Hit(i, best_end, best))
            i = best_end
        return hits


def _same(tokens: list[Token], start: int, exact: tuple[str, ...]) -> bool:
    return all(tokens[start + k].text == t for k, t in enumerate(exact))

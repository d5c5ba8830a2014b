"""Which ids have been seen: a compact set for a stream of millions.

A run must notice two documents with one id (their records would get the
same event ids) and ``coder validate`` two records with one ``event_id``,
without holding every id: :class:`SeenIds` keeps an 8-byte fingerprint of
each (BLAKE2b) in an open-addressing table at most half full, 16 bytes an id
(16 MB a million documents), where a Python set of the ids would take
about 100.  Two different ids share a fingerprint with odds of about one in
2**64 / n: one in 2 million billion for ten million ids.
"""

from __future__ import annotations

import hashlib
from array import array


class SeenIds:
    """``add(id)`` says whether ``id`` is new; memory: 16 bytes an id."""

    def __init__(self, capacity: int = 1 << 12):
        self._table = array("Q", bytes(8 * capacity))
        self._mask = capacity - 1
        self.count = 0

    @staticmethod
    def _key(value: str) -> int:
        digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        return int.from_bytes(digest, "little") or 1  # 0 marks an empty slot

    def add(self, value: str) -> bool:
        """Record ``value``; True if it was not seen before."""
        key = self._key(value)
        table, mask = self._table, self._mask
        i = key & mask
        while True:
            slot = table[i]
            if slot == 0:
                table[i] = key
                self.count += 1
                if self.count * 2 > len(table):
                    self._grow()
                return True
            if slot == key:
                return False
            i = (i + 1) & mask

    def __contains__(self, value: str) -> bool:
        key = self._key(value)
        table, mask = self._table, self._mask
        i = key & mask
        while (slot := table[i]) != 0:
            if slot == key:
                return True
            i = (i + 1) & mask
        return False

    def _grow(self) -> None:
        old = self._table
        self._table = array("Q", bytes(16 * len(old)))
        self._mask = len(self._table) - 1
        table, mask = self._table, self._mask
        for key in old:
            if key:
                i = key & mask
                while table[i]:
                    i = (i + 1) & mask
                table[i] = key

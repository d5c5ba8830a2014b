"""Where each value and key of a loaded YAML codebook stands.

Apart from :mod:`coder.codebook.yamlpos` so that a codebook read back from the
compiled cache does not import the YAML parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Positions:
    """Where each value and key of a loaded YAML document stands (1-based).

    A codebook split into files (``include:``) keeps one table: the paths are
    those of the merged document, and :attr:`files` says which file a part of
    it came from (a list item such as ``("rules", 12)``, a mapping entry such
    as ``("event_types", "offensive")``, or a whole section); a path under
    none of them is the main file's."""

    values: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    keys: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    files: dict[tuple, str] = field(default_factory=dict)

    def of(self, path: tuple) -> tuple[int, int]:
        """Position of the value at ``path``, or of its nearest ancestor."""
        return self._find(tuple(path), False)[1]

    def of_key(self, path: tuple) -> tuple[int, int]:
        """Position of the key that ends ``path`` (falls back to the value)."""
        return self._find(tuple(path), True)[1]

    def where(self, path: tuple, key: bool = False) -> tuple[str | None, int, int]:
        """(file, line, column) of the value (or key) at ``path``, or of its
        nearest ancestor; the file is None for the main file."""
        found, (line, col) = self._find(tuple(path), key)
        return self.file_of(found), line, col

    def _find(self, path: tuple, key: bool) -> tuple[tuple, tuple[int, int]]:
        """(the path whose position stands for ``path``, that position)."""
        found = self.keys.get(path) if key else None
        if found is not None:
            return path, found
        while path not in self.values and path:
            path = path[:-1]
        return path, self.values.get(path, (1, 1))

    def file_of(self, path: tuple) -> str | None:
        """The included file ``path`` stands in (None: the main file)."""
        if not self.files:
            return None
        path = tuple(path)
        while path:
            if path in self.files:
                return self.files[path]
            path = path[:-1]
        return None

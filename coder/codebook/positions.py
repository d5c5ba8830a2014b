"""Where each value and key of a loaded YAML codebook stands.

Apart from :mod:`coder.codebook.yamlpos` so that a codebook read back from the
compiled cache does not import the YAML parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Positions:
    """Where each value and key of a loaded YAML document stands (1-based)."""

    values: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    keys: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def of(self, path: tuple) -> tuple[int, int]:
        """Position of the value at ``path``, or of its nearest ancestor."""
        path = tuple(path)
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, (1, 1))

    def of_key(self, path: tuple) -> tuple[int, int]:
        """Position of the key that ends ``path`` (falls back to the value)."""
        return self.keys.get(tuple(path)) or self.of(path)

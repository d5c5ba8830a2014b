"""Codebooks: load a YAML codebook, check it, and get plain data classes.

The names below are imported on first use, so that reading a compiled
codebook from the cache (coder/match/cache.py) does not load the YAML and
JSON-Schema machinery.
"""

_LOAD = ("codebook_schema", "default_codebook_path", "load_codebook")
_MODEL = ("Actor", "Alias", "Codebook", "Cue", "EventType", "Example", "Place", "Rule")

__all__ = [*_MODEL, *_LOAD, "check_codebook_file"]


def __getattr__(name):
    if name == "check_codebook_file":
        from coder.codebook import files

        return files.check_codebook_file
    if name in _LOAD:
        from coder.codebook import load

        return getattr(load, name)
    if name in _MODEL:
        from coder.codebook import model

        return getattr(model, name)
    raise AttributeError(f"module 'coder.codebook' has no attribute {name!r}")

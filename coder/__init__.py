"""coder: a fast, transparent, rule-based event coder.

The library comes first; the ``coder`` command is a thin layer over it::

    import coder

    codebook = coder.load_codebook()
    records = list(codebook.code(["Iraqi forces recaptured Rawa on Friday."]))

See docs/api.md.  The names below are imported on first use, so that
``import coder`` (and ``coder --version``) stays fast.
"""

from coder.version import __version__

_API = ("Codebook", "Document", "Record", "code", "code_table", "load_codebook", "read_corpus", "write")
__all__ = ["__version__", *_API]


def __getattr__(name):
    if name in _API:
        from coder import api

        return getattr(api, name)
    raise AttributeError(f"module 'coder' has no attribute {name!r}")

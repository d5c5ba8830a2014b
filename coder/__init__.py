"""coder: a fast, transparent, rule-based event coder.

The library comes first; the ``coder`` command is a thin layer over it::

    from coder.codebook import load_codebook
    from coder.match.compile import compile_codebook
    from coder.pipeline import code_document
"""

__version__ = "0.1.0"

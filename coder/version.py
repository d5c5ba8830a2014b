"""The version of coder (the package, not of a codebook)."""

__version__ = "0.1.0"

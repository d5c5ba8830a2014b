"""Codebooks: load a YAML codebook, check it, and get plain data classes."""

from .load import codebook_schema, default_codebook_path, load_codebook
from .model import Actor, Alias, Codebook, Cue, EventType, Example, Place, Rule

__all__ = [
    "Actor", "Alias", "Codebook", "Cue", "EventType", "Example", "Place", "Rule",
    "codebook_schema", "default_codebook_path", "load_codebook",
]

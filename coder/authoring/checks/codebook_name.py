"""A codebook that is not the shipped one but calls itself by the shipped
codebook's name (a copy of ``codebooks/default.yaml`` that was edited and
kept ``codebook: default`` and its version): the records, XML output and run
reports it gives would pass for the shipped codebook's."""

from coder.codebook.files import copy_of_shipped_note

ID = "codebook-name"
LEVEL = "warning"
DESCRIPTION = "a codebook that is not the shipped one calls itself by the shipped codebook's name"


def check(ctx):
    note = copy_of_shipped_note(ctx.cb.name, ctx.cb.version, ctx.cb.sha256, ctx.path)
    if note:
        yield ctx.problem(ID, note, ("codebook",))

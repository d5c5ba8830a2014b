"""The codebook file itself, before it is read: a regular file of a size a
codebook can have.  Apart from :mod:`coder.codebook.load` (which imports the
YAML parser and jsonschema) so that a run that reads its codebook from the
compiled cache can check the file without them."""

from __future__ import annotations

from pathlib import Path

from coder.errors import CodebookError, Problem

#: Largest codebook file read (a Phoenix-sized dictionary of 300,000 actors is
#: about 35 MB); a bigger file, or one that is not a regular file (a device
#: such as /dev/zero, a FIFO), is refused before a byte is read.
MAX_CODEBOOK_BYTES = 64 << 20


def codebook_file_problem(path: str | Path | None) -> Problem | None:
    """Why the codebook file at ``path`` must not be read (None: read it, or
    let the reading say why not): it is not a regular file (a device such as
    /dev/zero, a FIFO, a directory), or it is larger than
    :data:`MAX_CODEBOOK_BYTES`."""
    import stat

    if path is None:
        from importlib.resources import files

        path = files("coder") / "codebooks" / "default.yaml"  # the shipped one (load.default_codebook_path)
    path = str(path)
    try:
        st = Path(path).stat()
    except OSError:
        return None  # the reader says what is wrong
    if stat.S_ISDIR(st.st_mode):
        return Problem("codebook-io", "cannot open codebook: it is a directory", path)
    if not stat.S_ISREG(st.st_mode):
        return Problem("codebook-io", "cannot open codebook: not a regular file (a device, FIFO or socket)", path)
    if st.st_size > MAX_CODEBOOK_BYTES:
        return Problem("yaml-limit", f"the codebook is {st.st_size:,} bytes, more than the {MAX_CODEBOOK_BYTES:,} a "
                       "codebook may have", path)
    return None


def check_codebook_file(path: str | Path | None) -> None:
    """Raise :class:`CodebookError` if the codebook file must not be read
    (:func:`codebook_file_problem`); callers that read it themselves before
    loading it (the compiled-codebook cache) call this first."""
    problem = codebook_file_problem(path)
    if problem is not None:
        raise CodebookError(problem)


def _shipped_path() -> str:
    from importlib.resources import files

    return str(files("coder") / "codebooks" / "default.yaml")


def codebook_digest(raws: list[bytes]) -> str:
    """The SHA-256 of a codebook: of its file's bytes followed by those of
    each file its ``include`` names, in that order (for a codebook in one
    file, the file's own SHA-256: ``cat main.yaml part.yaml ... | sha256sum``)."""
    import hashlib

    h = hashlib.sha256()
    for raw in raws:
        h.update(raw)
    return h.hexdigest()


def include_paths(path: str | Path, names) -> list[tuple[int, str, str]]:
    """(index, name, path) of each file an ``include`` value names, its path
    relative to the main file at ``path``; what is no name (not a string,
    empty) is left out: loading the codebook says what is wrong with it."""
    base = Path(path).parent
    return [(i, n, str(base / n)) for i, n in enumerate(names if isinstance(names, list) else [])
            if isinstance(n, str) and n]


def codebook_files(path: str | Path) -> list[str]:
    """The codebook's file and the files its ``include`` names, in order
    (read with the YAML parser)."""
    from coder.codebook import yamlpos

    text = Path(path).read_bytes().decode("utf-8-sig")
    data, _pos = yamlpos.load(text, str(path))
    names = data.get("include") if isinstance(data, dict) else None
    return [str(path)] + [full for _i, _name, full in include_paths(path, names)]


def file_digest(path: str | Path) -> str:
    """:func:`codebook_digest` of the codebook at ``path``, read from its files
    (OSError if one cannot be read)."""
    return codebook_digest([Path(f).read_bytes() for f in codebook_files(path)])


def shipped_codebook() -> tuple[str, str]:
    """(name, version) of the codebook shipped with coder, read from its first
    lines (no YAML parser: ``coder --version`` says them)."""
    import re

    with open(_shipped_path(), "rb") as f:
        head = f.read(4096).decode("utf-8", "replace")
    name = re.search(r"(?m)^codebook:\s*[\"']?([^\"'\s#]+)", head)
    version = re.search(r"(?m)^version:\s*[\"']?([^\"'\s#]+)", head)
    return (name[1] if name else "default", version[1] if version else "?")


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).samefile(b)
    except OSError:
        return False


def copy_of_shipped_note(name: str, version: str, digest: str, path: str | None) -> str | None:
    """What to say when a codebook other than the shipped one calls itself
    by the shipped codebook's name (a copy that was edited and kept its name
    and version): its output could not be told from the shipped one's.
    None when it is the shipped codebook, or has a name of its own."""
    shipped_name, _shipped_version = shipped_codebook()
    if name != shipped_name or not digest or path is None or _same_file(path, _shipped_path()):
        return None
    if digest == file_digest(_shipped_path()):  # an unedited copy
        return None
    return (f"this codebook calls itself '{name}' {version}, as the shipped codebook does, but it is not the "
            "shipped codebook: records and reports could not be told apart; give it a name and version of its "
            f"own (codebook: mine, version: \"1\")")

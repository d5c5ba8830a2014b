"""A cache of compiled codebooks, so that a run starts fast.

``load_compiled(path)`` returns the compiled codebook; the first time it
loads, checks and compiles the YAML file and stores the result (a pickle) in
the cache directory, keyed by a hash of the codebook's path and bytes and of
coder's own code and data; later runs read that file instead (a codebook
split into files is read from the cache only while every file its
``include`` names holds the bytes it was compiled from).  The cache is
safe to delete at any time.

Where: ``$CODER_CACHE_DIR``, else ``$XDG_CACHE_HOME/coder``, else
``~/.cache/coder``.  ``CODER_NO_CACHE=1`` turns it off.  Because a pickle can
run code when loaded, the cache directory must belong to the user and not be
writable by others; otherwise it is not used (coder creates it with mode 700).
A cache file that cannot be read (truncated, from another version) is ignored
and rewritten.  Files are written atomically (temporary file + rename), so
concurrent runs never see half a file.

Every edit of a codebook (and every new version of coder) makes a new entry,
so the cache keeps only the :data:`KEEP` most recently used compiled
codebooks: a hit marks its file as used (its modification time), and storing
a new one deletes the oldest beyond that number.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import tempfile
from contextlib import suppress
from functools import cache
from importlib.resources import files
from pathlib import Path

from coder.codebook.files import codebook_digest
from coder.match.compile import Compiled
from coder.version import __version__

#: How many compiled codebooks the cache keeps (about 2 MB each for the shipped one).
KEEP = 16


def _load_and_compile(path: str) -> Compiled:
    from coder.codebook.load import load_codebook
    from coder.match.compile import compile_codebook

    return compile_codebook(load_codebook(path))

_PACKAGE = Path(__file__).resolve().parents[1]


def cache_dir() -> Path:
    env = os.environ.get("CODER_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "coder"


@cache
def _fingerprint() -> str:
    """Changes whenever coder's code or data change (version, file sizes and times)."""
    h = hashlib.sha256(__version__.encode())
    for root, dirs, names in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".csv", ".json", ".txt", ".xsd")):
                st = os.stat(os.path.join(root, name))
                h.update(
                    f"{os.path.relpath(os.path.join(root, name), _PACKAGE)}:{st.st_size}:{st.st_mtime_ns};".encode()
                )
    return h.hexdigest()


def _safe_dir(d: Path) -> bool:
    try:
        st = d.stat()
    except OSError:
        return False
    mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return stat.S_ISDIR(st.st_mode) and mine and not (st.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def _key(path: str, raw: bytes) -> str:
    h = hashlib.sha256()
    for part in (_fingerprint().encode(), os.path.abspath(path).encode(), raw):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:40]


def load_compiled(path: str | Path | None = None, *, use_cache: bool | None = None) -> Compiled:
    """The compiled codebook at ``path`` (default: the shipped one), from the
    cache when it holds this codebook, else loaded, checked and compiled (and
    stored).  Raises CodebookError for a broken codebook, as load_codebook."""
    path = str(path) if path is not None else str(files("coder") / "codebooks" / "default.yaml")
    if use_cache is None:
        use_cache = os.environ.get("CODER_NO_CACHE") != "1"
    if not use_cache:
        return _load_and_compile(path)
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return _load_and_compile(path)  # load_codebook reports it
    d = cache_dir()
    target = d / f"codebook-{_key(path, raw)}.pickle"
    if _safe_dir(d):
        try:
            with open(target, "rb") as f:
                compiled = pickle.load(f)
            if isinstance(compiled, Compiled) and _parts_unchanged(compiled, raw):
                with suppress(OSError):
                    os.utime(target)  # recently used: kept when older entries go
                return compiled
        except Exception:  # noqa: BLE001 - missing, truncated or stale: rebuild
            pass
    compiled = _load_and_compile(path)
    _store(d, target, compiled)
    return compiled


def _parts_unchanged(compiled: Compiled, raw: bytes) -> bool:
    """Whether the files a cached codebook's ``include`` named still hold
    what was compiled (the cache key covers the main file only)."""
    cb = compiled.codebook
    if not cb.includes:
        return True
    try:
        return codebook_digest([raw] + [Path(f).read_bytes() for f in cb.includes]) == cb.sha256
    except OSError:
        return False  # loading says what is wrong


def _store(d: Path, target: Path, compiled: Compiled) -> None:
    try:
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _safe_dir(d):
            return
        fd, tmp = tempfile.mkstemp(prefix=".codebook-", suffix=".tmp", dir=d)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(compiled, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise
        _prune(d)
    except (OSError, pickle.PicklingError):
        pass  # a cache that cannot be written is no cache: the run goes on


def _prune(d: Path, keep: int | None = None) -> None:
    """Delete all but the ``keep`` most recently used compiled codebooks in ``d``."""
    keep = KEEP if keep is None else keep
    entries = sorted(
        (
            (e.stat().st_mtime_ns, e.path)
            for e in os.scandir(d)
            if e.name.startswith("codebook-") and e.name.endswith(".pickle")
        ),
        reverse=True,
    )
    for _, path in entries[keep:]:
        with suppress(OSError):
            os.unlink(path)

"""Writing a file a user names: atomically, through links, never onto an input.

Every file coder writes for a user (``coder run -o``, ``--report``,
``--rejects``, ``coder report -o``, ``coder codebook import-petrarch -o``)
goes through :func:`atomic_file`:

* **a regular file** (or a new one) is written to a hidden temporary file in
  the same directory (``.NAME.RANDOM.tmp``), flushed, fsynced and renamed onto
  the target at the end, so the target is either complete or untouched.  The
  temporary file is created with the existing file's permissions (0600 stays
  0600 while it is written and after), and, when coder runs as root, given
  the existing file's owner;
* **a symbolic link** is followed: the file it points to is replaced, the link
  stays a link (a dangling link gets its target created), as ``>`` in a shell
  does;
* **a file with several hard links** is written to the temporary file as
  above, then copied into the file itself at the end, so every link sees the
  new content (a copy that fails half way leaves the file cut short and the
  complete output in the temporary file, which the error names);
* **a device, FIFO or socket** (``/dev/null``, ``/dev/stdout``, a named pipe)
  is opened and written directly, never replaced: writing into it is what a
  user means;
* **a directory** is an error.

If the ``with`` block raises (even ``KeyboardInterrupt``), the temporary file
is removed and the target is not touched.  An error of the file system is an
:class:`~coder.errors.OutputError`: ``output-no-space`` when the disk (or the
user's quota) is full, ``output-io`` otherwise, one line naming the file.

:func:`refuse_inputs` keeps a run from writing onto its own input: an output
that is (by path, link or inode) a file the corpus would be read from is a
usage error before anything is coded.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import BinaryIO

from coder.errors import OutputError, Problem, UsageError

#: errno values that mean "the disk (or the quota) is full".
NO_SPACE = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def io_error(path: str, exc: OSError) -> OutputError:
    """The one-line error for an OSError while writing ``path``."""
    if exc.errno in NO_SPACE:
        return OutputError(Problem(
            "output-no-space", "cannot write: no space left on the device (or the disk quota is used up); "
            "nothing was written there and an existing file was left as it was: free some space and run again",
            path=path))
    reason = exc.strerror or str(exc)
    return OutputError(Problem("output-io", f"cannot write: {reason}", path=path))


def fsync_dir(directory: str) -> None:
    """Make a rename durable (best effort: not every system allows it)."""
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextmanager
def atomic_file(path: str) -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` only if the block succeeds (see the module)."""
    try:
        st: os.stat_result | None = os.stat(path)  # through links
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise io_error(path, exc) from exc
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise io_error(path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
    if st is not None and not stat.S_ISREG(st.st_mode):
        with _direct(path) as file:
            yield file
        return
    target = os.path.realpath(path)  # a link: the file it points to
    directory, name = os.path.split(target)
    mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666
    try:
        while True:
            tmp = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode & 0o777)
                break
            except FileExistsError:  # pragma: no cover - 32 random bits collided
                continue
    except OSError as exc:
        raise io_error(path, exc) from exc
    file = os.fdopen(fd, "wb")
    try:
        yield file
        try:
            file.flush()
            if st is not None:
                _same_owner_and_mode(file.fileno(), st)
            os.fsync(file.fileno())
            file.close()
        except OSError as exc:
            raise io_error(path, exc) from exc
        if st is not None and st.st_nlink > 1:
            _copy_into(tmp, target, path)
        else:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise io_error(path, exc) from exc
            fsync_dir(directory)
    except BaseException:
        with suppress(OSError):
            file.close()  # may try to flush what the full disk refused: that error is not the news
        with suppress(OSError):
            os.unlink(tmp)
        raise


def _same_owner_and_mode(fd: int, st: os.stat_result) -> None:
    """Give the temporary file the replaced file's mode (and, as root, owner)."""
    if hasattr(os, "fchown") and os.geteuid() == 0 and (st.st_uid, st.st_gid) != (0, 0):
        with suppress(OSError):
            os.fchown(fd, st.st_uid, st.st_gid)
    os.fchmod(fd, stat.S_IMODE(st.st_mode))


def _copy_into(tmp: str, target: str, path: str) -> None:
    """Copy the finished temporary file into ``target`` in place (it has
    other hard links, which a rename would break), then remove it."""
    try:
        with open(tmp, "rb") as src, open(target, "r+b") as dst:
            dst.truncate(0)
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
    except OSError as exc:
        error = io_error(path, exc)
        problem = error.problems[0]
        raise OutputError(Problem(problem.code, f"{problem.message}; the file has other hard links and was "
                                  f"being written in place: it may be cut short, the complete output is in {tmp}",
                                  path=path)) from exc
    with suppress(OSError):
        os.unlink(tmp)


@contextmanager
def _direct(path: str) -> Iterator[BinaryIO]:
    """A device, FIFO or socket, opened for writing and written as it goes."""
    try:
        file = open(path, "wb", buffering=1 << 16)  # noqa: SIM115 - closed below, errors are ours
    except OSError as exc:
        raise io_error(path, exc) from exc
    try:
        yield file
        try:
            file.flush()
        except OSError as exc:
            raise io_error(path, exc) from exc
    finally:
        with suppress(OSError):
            file.close()


def write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through :func:`atomic_file`."""
    with atomic_file(path) as f:
        try:
            f.write(data)
        except OSError as exc:
            raise io_error(path, exc) from exc


# -- outputs onto inputs


def _identity(path: str | None) -> tuple[int, int] | None:
    """(device, inode) of the regular file ``path`` names (through links), or None."""
    if path is None or path == "-":
        return None
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def same_file(a: str | None, b: str | None) -> bool:
    """Whether two output names are one file: the same resolved path, or the same inode."""
    if a is None or b is None or a == "-" or b == "-":
        return False
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    ia = _identity(a)
    return ia is not None and ia == _identity(b)


def refuse_inputs(outputs: Iterable[tuple[str, str | None]], inputs: Iterable[str]) -> None:
    """Raise :class:`UsageError` if an output is one of ``inputs``.

    ``outputs``: (option, path) pairs (None or ``-`` for none, standard
    output); ``inputs``: the paths of every file to be read, walked only if
    an output already exists (an output that does not exist cannot be an
    input).  Files are compared by device and inode, so a symbolic link, a
    hard link or another spelling of an input's path is caught too.
    """
    existing = {}
    for option, path in outputs:
        identity = _identity(path)
        if identity is not None:
            existing.setdefault(identity, (option, path))
    if not existing:
        return
    for source in inputs:
        identity = _identity(source)
        if identity in existing:
            option, path = existing[identity]
            if source.startswith("/dev/fd/"):
                what = "is the file standard input reads"
            elif os.path.abspath(source) == os.path.abspath(path):
                what = "is an input file"
            else:
                what = f"is the input file {source} (the same file)"
            raise UsageError(Problem(
                "usage", f"{what}: writing it would destroy it; write the output to another file",
                path=path, field=option))


def stdin_path(stdin) -> str | None:
    """A path to the file standard input reads when it is a regular file
    (``coder run - < news.jsonl``), for :func:`refuse_inputs`; else None."""
    try:
        fd = stdin.fileno()
        if stat.S_ISREG(os.fstat(fd).st_mode) and os.path.exists(f"/dev/fd/{fd}"):
            return f"/dev/fd/{fd}"
    except (AttributeError, OSError, ValueError):
        return None
    return None

"""The one output writer: atomic, with the permissions an ordinary new file has.

Every file yibao writes (reports, settlement and payment tables, projections, case files)
goes to a temporary file in the target's directory and is renamed over the target once
complete: a reader sees the old file or the new one, never half of one, and a failure
leaves no truncated file behind. Temporary files are private (0600) while written; the
finished file gets ``0666 & ~umask`` (0644 under the usual umask 022), like any file a
program creates.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
Writer = Callable[[Path], object]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode of an ordinary new file under the current umask."""
    return 0o666 & ~_umask()


def _stage(path: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    return Path(name)


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], T]) -> T:
    """Call ``write(tmp)`` for a temporary file beside ``path``, then rename it into place
    (parent directories are created); ``write``'s result is returned."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _stage(target)
    try:
        result = write(tmp)
        os.chmod(tmp, file_mode())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return result


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 text (``\\n`` line ends) atomically, flushed to disk."""

    def write(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())

    atomic_write(path, write)
    return Path(path)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write bytes atomically."""
    atomic_write(path, lambda tmp: tmp.write_bytes(data))
    return Path(path)


def write_all(out: Path, writers: Mapping[str, Writer]) -> list[Path]:
    """Write every file of ``out`` to a temporary file first, then rename them all into
    place: a failure while writing leaves none of them changed."""
    out.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, write in writers.items():
            target = out / name
            tmp = _stage(target)
            staged.append((tmp, target))
            write(tmp)
            os.chmod(tmp, file_mode())
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    return [out / name for name in writers]

"""Writing a finished report to disk: the one piece of the report package that does I/O."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_report(path: str | os.PathLike[str], html: str) -> Path:
    """Write ``html`` to ``path`` atomically and return the path.

    The text goes to a temporary file in the same directory, is flushed to disk, then renamed
    over ``path``: a reader (or a browser refreshing the page) sees the old report or the new
    one, never half of one, and a crash leaves no truncated file behind.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(html)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600); a report is for reading, so take the
        # permissions an ordinary new file would have under the user's umask.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target

"""Writing a finished report to disk: the one piece of the report package that does I/O."""

from __future__ import annotations

import os
from pathlib import Path

from yibao.io.output import write_text


def write_report(path: str | os.PathLike[str], html: str) -> Path:
    """Write ``html`` to ``path`` atomically (:func:`yibao.io.output.write_text`)."""
    return write_text(path, html)

"""Running the ``yibao`` command line from the end-to-end tests, in-process or as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from yibao.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``yibao argv`` in this process: (exit code, stdout, stderr)."""
    try:
        main(argv)
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def yibao(*args: str | Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """``yibao args`` as its own process from the repository root, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "yibao.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )

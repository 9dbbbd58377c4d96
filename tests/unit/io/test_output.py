"""The one output writer: atomic, ordinary permissions, all-or-nothing for a set of files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from yibao.io.output import atomic_write, write_all, write_bytes, write_text


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_get_ordinary_permissions(tmp_path: Path, umask_022: None) -> None:
    text = write_text(tmp_path / "deep" / "r.html", "<p>报告</p>\n")
    data = write_bytes(tmp_path / "x.bin", b"\x00\x01")
    assert _mode(text) == 0o644 and _mode(data) == 0o644
    assert text.read_text(encoding="utf-8") == "<p>报告</p>\n"
    made = write_all(tmp_path / "out", {"a.txt": lambda p: p.write_text("a")})
    assert [_mode(p) for p in made] == [0o644]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    write_text(target, "old")

    def broken(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.txt"]


def test_write_all_changes_nothing_when_one_file_fails(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_all(out, {"a.txt": lambda p: p.write_text("a1"), "b.txt": lambda p: p.write_text("b1")})

    def broken(tmp: Path) -> None:
        raise OSError("no space")

    with pytest.raises(OSError):
        write_all(out, {"a.txt": lambda p: p.write_text("a2"), "b.txt": broken})
    assert (out / "a.txt").read_text() == "a1" and (out / "b.txt").read_text() == "b1"
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "b.txt"]

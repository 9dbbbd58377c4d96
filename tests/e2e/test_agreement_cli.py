"""``yibao agreement add|list`` and ``yibao settle --agreements`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import ROOT, run

EXAMPLES = ROOT / "examples"
SETTLE = [
    "settle",
    "--policy",
    "demo-north",
    "--person",
    str(EXAMPLES / "person.json"),
    "--claim",
    str(EXAMPLES / "claim.json"),
]
PROVIDER = json.loads((EXAMPLES / "claim.json").read_text())["provider"]


def _add(book: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run(["agreement", "add", str(book), "--provider", PROVIDER, *args], capsys)


def test_settle_refuses_a_claim_in_a_suspension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "agreements.csv"
    code, out, _ = _add(book, capsys, "--event", "sign", "--day", "2025-01-01", "--until",
                        "2025-12-31", "--document", "SYN-1")  # fmt: skip
    assert code == 0 and "active since 2025-01-01" in out
    code, out, err = run([*SETTLE, "--agreements", str(book), "--json"], capsys)
    assert code == 0, err
    trace = json.loads(out)["trace"]
    assert trace[0]["step"] == "agreement" and "SYN-1" in trace[0]["text"]

    # the claim's discharge date 2025-06-07 falls in the suspension
    code, _, _ = _add(book, capsys, "--event", "suspend", "--day", "2025-06-01", "--reason", "x")
    assert code == 0
    code, out, err = run([*SETTLE, "--agreements", str(book)], capsys)
    assert code != 0 and out == ""
    assert "refused (不予结算)" in err and "suspended since 2025-06-01" in err
    assert len(err.strip().splitlines()) == 1

    code, out, _ = run(["agreement", "list", str(book), "--on", "2025-06-07"], capsys)
    assert code == 0 and "suspended" in out


def test_bad_row_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "agreements.csv"
    _add(book, capsys, "--event", "sign", "--day", "2025-01-01", "--until", "2025-12-31")
    before = book.read_text()
    code, _, err = _add(book, capsys, "--event", "terminate", "--day", "2025-03-01")
    assert code != 0 and "a termination needs its 'reason'" in err
    assert book.read_text() == before
    code, _, err = _add(book, capsys, "--event", "resume", "--day", "2025-13-01")
    assert code != 0 and "column 'day', value '2025-13-01'" in err
    assert book.read_text() == before

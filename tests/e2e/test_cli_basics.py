"""What every command shares: ``--version``, ``-h``, and cross-region care settled the way
the service does (the treatment region's policy and catalogue, the route from filings)."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

import pytest
from cli_helpers import ROOT, run

EXAMPLES = ROOT / "examples"


def test_version_and_short_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert (code, out) == (0, f"yibao {version('yibao')}\n")
    code, out, _ = run(["settle", "-h"], capsys)
    assert code == 0 and "--person" in out


def _claim(tmp_path: Path, **changes: str) -> Path:
    data = json.loads((EXAMPLES / "claim.json").read_text(encoding="utf-8"))
    path = tmp_path / "claim.json"
    path.write_text(json.dumps({**data, **changes}), encoding="utf-8")
    return path


def _settle(capsys: pytest.CaptureFixture[str], claim: Path) -> tuple[int, str, str]:
    return run(
        [
            "settle",
            "--policy",
            "demo-north",
            "--person",
            str(EXAMPLES / "person.json"),
            "--claim",
            str(claim),
            "--json",
        ],
        capsys,
    )


def test_cross_region_care_uses_the_treatment_region(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, local, _ = _settle(capsys, _claim(tmp_path))
    assert code == 0
    code, away, _ = _settle(capsys, _claim(tmp_path, region="990200"))
    assert code == 0

    # unfiled care away (no filing in files) pays less from the fund than local care
    def fund(out: str) -> Decimal:
        return Decimal(json.loads(out)["parts"]["fund_total"]["yuan"])

    assert fund(away) < fund(local)
    code, _, err = _settle(capsys, _claim(tmp_path, region="123456"))
    assert code == 2 and "no policy pack for treatment region '123456'" in err

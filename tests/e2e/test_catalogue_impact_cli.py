"""``yibao catalogue impact`` and ``yibao vbp simulate`` end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_helpers import ROOT, run

SCENARIO = ROOT / "tests" / "scenarios" / "purchasing" / "vbp-stent-payment-standard.yaml"
CHANGE = """- region: "000000"
  day: 2024-01-01
  action: reprice
  code: XC0201
  price_cap: "500"
  document: SYN-PROPOSAL
"""


def test_impact_prints_each_fund(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    changes = tmp_path / "changes.yaml"
    changes.write_text(CHANGE)
    code, out, err = run(["catalogue", "impact", str(changes), str(SCENARIO)], capsys)
    assert code == 0, err
    assert "pooled_fund" in out and "out_of_pocket" in out and "4 claims" in out


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("action: reprice", "action: raise", "[1].action: 'raise' is not one of"),
        ('price_cap: "500"', 'price_cap: "5.001"', "[1].price_cap"),
        ("code: XC0201", "code: NOPE", "cannot reprice NOPE: not in catalogue"),
    ],
)
def test_bad_change_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    changes = tmp_path / "changes.yaml"
    changes.write_text(CHANGE.replace(old, new))
    code, _, err = run(["catalogue", "impact", str(changes), str(SCENARIO)], capsys)
    assert code != 0 and message in err and len(err.strip().splitlines()) == 1

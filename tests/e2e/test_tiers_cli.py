"""``yibao settle --tier`` and ``yibao tiers``: the tiers in the one settlement path."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from cli_helpers import ROOT, run

EX = ROOT / "examples"


def test_settle_with_tiers_moves_the_personal_share(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["settle", "--policy", "demo-north", "--person", str(EX / "person.json")]
    argv += ["--claim", str(EX / "claim.json"), "--history", str(EX / "history.json"), "--json"]
    code, out, _ = run(argv, capsys)
    base = json.loads(out)
    code, out, _ = run([*argv, "--tier", "civil-servant-example"], capsys)
    data = json.loads(out)
    assert code == 0 and data["parts"] == base["parts"]  # the basic chain is untouched
    sup = data["supplementary"]
    paid = sum(Decimal(p["amount"]) for p in sup["payments"])
    owed = Decimal(base["parts"]["account"]["yuan"]) + Decimal(base["parts"]["cash"]["yuan"])
    assert paid > 0 and set(sup["by_code"]) == {"cvlserv_pay"}
    assert paid + Decimal(sup["account"]) + Decimal(sup["cash"]) == owed


def test_unknown_tier_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["settle", "--policy", "demo-north", "--person", str(EX / "person.json")]
    argv += ["--claim", str(EX / "claim.json"), "--tier", "no-such-tier"]
    code, _, err = run(argv, capsys)
    assert code == 2 and "no supplementary tier 'no-such-tier'" in err


def test_tier_scenarios_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["tiers", "scenarios", str(ROOT / "tests" / "scenarios" / "tiers")], capsys)
    assert code == 0 and "9 scenarios, 0 failed" in err
    code, out, _ = run(["tiers", "list"], capsys)
    assert code == 0 and "huhuibao-2025\tcommercial\toth_pay" in out

"""``yibao settle --tier`` and ``yibao tiers``: the tiers in the one settlement path."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

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


def test_settle_under_an_epidemic_regime(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["settle", "--policy", "demo-north", "--person", str(EX / "person.json")]
    argv += ["--claim", str(EX / "claim.json"), "--json"]
    code, out, _ = run(argv, capsys)
    base = json.loads(out)["parts"]
    regime = EX / "epidemic" / "regime-demo-2025.yaml"
    code, out, _ = run([*argv, "--epidemic", str(regime)], capsys)
    data = json.loads(out)
    parts, ep = data["parts"], data["epidemic"]
    # the catalogue is lifted: the full-self-pay and over-limit amounts come into scope
    assert Decimal(base["full_selfpay"]["yuan"]) > 0 and parts["full_selfpay"]["yuan"] == "0.00"
    assert parts["scope"]["yuan"] == parts["total"]["yuan"]
    owed = Decimal(parts["account"]["yuan"]) + Decimal(parts["cash"]["yuan"])
    assert Decimal(ep["fiscal"]) == owed and "[synthetic]" in ep["trace"]
    assert Decimal(ep["central"]) + Decimal(ep["local"]) == owed
    code, _, err = run([*argv, "--epidemic", "covid-19"], capsys)
    assert code == 2 and "outside covid-19's window" in err


def test_settle_with_family_mutual_aid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fam = tmp_path / "family.json"
    fam.write_text(
        json.dumps(
            {"owner": "E9", "owner_region": "990100", "relation": "parent",
             "bound_from": "2022-01-01", "balance": "50"}
        )
    )  # fmt: skip
    argv = ["settle", "--policy", "demo-north", "--person", str(EX / "person.json")]
    argv += ["--claim", str(EX / "claim.json"), "--json", "--family", str(fam)]
    code, out, _ = run(argv, capsys)
    data = json.loads(out)
    assert code == 0 and data["family_aid"]["paid"] == "50.00"
    cash = Decimal(data["parts"]["cash"]["yuan"])
    assert Decimal(data["supplementary"]["cash"]) == cash - 50
    fam.write_text(json.dumps({"owner": "E9", "owner_region": "990100", "relation": "cousin",
                               "bound_from": "2022-01-01", "balance": "50"}))  # fmt: skip
    code, _, err = run(argv, capsys)
    assert code == 2 and "family: relation" in err

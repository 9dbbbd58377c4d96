"""Budget impact: the same claims settled again with a change; funds and OOP compared."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from yibao.purchasing.catalogue_changes import Action, CatalogueChange
from yibao.purchasing.impact import budget_impact
from yibao.scenario.loader import load_scenario

STENT = Path(__file__).resolve().parents[2] / "scenarios" / "purchasing"
SCENARIO = load_scenario(STENT / "vbp-stent-payment-standard.yaml")


def _reprice(code: str, yuan: int) -> CatalogueChange:
    return CatalogueChange("000000", date(2024, 1, 1), Action.REPRICE, code, "SYN", yuan * 100)


def test_no_change_changes_nothing() -> None:
    impact = budget_impact([SCENARIO], [])
    assert impact.before == impact.after and impact.claims == 4


def test_lower_winning_price_saves_fund_and_patients() -> None:
    # the winner XC0201 (lines billed 700 and 800) bought at 500 with standard 500: the bill
    # falls by 200 + 300 = 500 yuan; over-limit falls by the 100 above the old standard 700
    impact = budget_impact([SCENARIO], [_reprice("XC0201", 500)], {"XC0201": 500_00})
    total = impact.change("fund_total") + impact.change("out_of_pocket")
    assert total == -500_00
    assert impact.change("over_limit") == -100_00
    assert impact.change("fund_total") < 0 and impact.change("out_of_pocket") < 0


def test_a_lower_standard_alone_moves_cost_to_patients() -> None:
    # the non-selected stent's standard cut to 9,100 from 2024-01-01: the 13,000 bill of 2024
    # leaves 3,900 over the standard instead of 1,300 (11,700); the round's later dated steps
    # (10,400 from 2025, 9,100 from 2026) still supersede it, so 2025 and 2026 are unchanged
    impact = budget_impact([SCENARIO], [_reprice("XC0299", 9100)])
    assert impact.change("over_limit") == 2600 * 100
    assert impact.change("fund_total") + impact.change("out_of_pocket") == 0
    assert impact.change("fund_total") < 0

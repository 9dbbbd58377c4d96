"""Procurement rounds: payment standards, completion and retained savings (policy-facts-2.md §2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from yibao.errors import InputError
from yibao.ledger.model import balances
from yibao.purchasing.vbp import (
    UsedLine,
    completion,
    parse_lines,
    prepayment_journals,
    read_round,
    retained_savings,
    savings_journals,
    standard_changes,
    target_standard,
)

DATA = Path(__file__).parent / "data"
SAVINGS = {"fund": "resident_pooled", "fund_ratio": "0.7", "insured_share": "0.9"}


def _round(**edits: object):
    data = yaml.safe_load((DATA / "round.yaml").read_text(encoding="utf-8"))
    data.update(edits)
    return read_round(data, "round.yaml")


def test_winning_price_is_the_standard_and_non_selected_rule_of_2x() -> None:
    # 5.00 ≥ 2 × 2.00 → 5.00 × 70 % = 3.50; 3.00 < 2 × 2.00 → the winning price 2.00
    assert target_standard(500, 200) == 350
    assert target_standard(300, 200) == 200
    assert target_standard(400, 200) == 280  # exactly 2×: "2× or more"


def test_standard_changes_are_dated_steps() -> None:
    changes = {(c.code, c.day): c.price_cap for c in standard_changes(_round())}
    # winner at once; non-selected 5.00 → 3.50 over 2 years: 4.25 then 3.50
    assert changes == {
        ("XD0011", date(2025, 1, 1)): 200,
        ("XD9999", date(2025, 1, 1)): 425,
        ("XD9999", date(2026, 1, 1)): 350,
    }


def _lines() -> list[UsedLine]:
    return [
        UsedLine("H1", date(2025, 3, 1), "XD0011", 1000, 200_000),  # 1000 × 2.00
        UsedLine("H2", date(2025, 3, 1), "XD0011", 600, 120_000),
        UsedLine("H2", date(2025, 3, 1), "XD9999", 100, 50_000),
        UsedLine("H1", date(2026, 1, 2), "XD0011", 500, 100_000),  # after the cycle
        UsedLine("H1", date(2025, 3, 1), "XS0001", 9, 9_000),  # not the round's product
    ]


def test_completion_counts_selected_units_in_the_cycle() -> None:
    done = {c.provider_id: c for c in completion(_round(), _lines())}
    assert (done["H1"].selected, done["H1"].met, str(done["H1"].ratio)) == (1000, True, "1.0000")
    assert (done["H2"].selected, done["H2"].non_selected, str(done["H2"].ratio)) == (
        600,
        100,
        "0.6000",
    )
    assert done["H3"].selected == 0 and done["H3"].amount == 0


def test_retained_savings_formula_and_journal() -> None:
    r = _round()
    saved = {s.provider_id: s for s in retained_savings(r, completion(r, _lines()))}
    h1 = saved["H1"]
    # budget = 1000 × 10.00 × 0.70 × 0.90 = 6,300.00; actual = 2,000.00 × 0.70 = 1,400.00
    # base = 4,900.00; retained = 50 % = 2,450.00
    assert (h1.budget, h1.actual, h1.base, h1.retained) == (630_000, 140_000, 490_000, 245_000)
    assert saved["H2"].retained == 0 and "not met (600 of 1000" in saved["H2"].reason
    assert saved["H3"].retained == 0
    journals = savings_journals(r, saved.values(), "run1")
    assert [j.ref for j in journals] == ["run1"]
    assert all(sum(p.amount for p in j.postings) == 0 for j in journals)
    payable = [a for a, v in balances(journals).items() if a.sub == "H1" and v < 0]
    assert [balances(journals)[a] for a in payable] == [-245_000]


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        ({"transition_years": 5}, r"round.yaml.transition_years: 5; the facts give 2 to 3"),
        (
            {
                "savings": {
                    "fund": "resident_pooled",
                    "fund_ratio": "0.7",
                    "insured_share": "0.9",
                    "grades": {"A": "0.6"},
                }
            },
            r"round.yaml.savings.grades.A: 0.6 is above the 50 % retention limit",
        ),
        ({"winners": [{"code": "XD0011", "price": "-1"}]}, r"round.yaml.winners\[1\].price"),
        (
            {"volumes": [{"provider": "H1", "agreed": 10, "pre_price": "1", "grade": "Z"}]},
            r"round.yaml.volumes\[1\].grade: 'Z' is not a grade",
        ),
        ({"cycle": {"start": "2025-01-01", "end": "2024-01-01"}}, r"round.yaml.cycle.end"),
        ({"colour": "red"}, r"round.yaml.colour: unknown key"),
    ],
)
def test_bad_round_data_gives_one_line_errors(edits: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message) as e:
        _round(**edits)
    assert "\n" not in str(e.value)


def test_bad_lines_name_the_row() -> None:
    text = "provider_id,day,code,quantity,amount\nH1,2025-01-01,XD0011,2,4.00\nH1,2025-01-01,XD0011,x,4\n"
    with pytest.raises(InputError, match=r"lines.csv: row 3, column 'quantity', value 'x'"):
        parse_lines(text, "lines.csv")


def test_prepayment_and_its_offset_balance() -> None:
    # 30 % (the floor) of H1's agreed amount 1000 × 2.00 = 600.00, prepaid at the start and
    # offset against the payable at the end; the receivable is cleared
    r = _round(prepayment_ratio="0.30")
    journals = [j for j in prepayment_journals(r, "run") if j.journal_id.endswith("H1")]
    assert [j.day for j in journals] == [date(2025, 1, 1), date(2025, 12, 31)]
    assert all(sum(p.amount for p in j.postings) == 0 for j in journals)
    after = balances(journals)
    receivable = [v for a, v in after.items() if a.item == "vbp_prepaid"]
    assert receivable == [0]
    assert sorted(v for v in after.values() if v) == [-60_000, 60_000]  # bank −, payable +


def test_prepayment_below_the_floor_is_refused() -> None:
    with pytest.raises(InputError, match=r"prepayment_ratio: 0.2 is below the 30 % floor"):
        _round(prepayment_ratio="0.2")

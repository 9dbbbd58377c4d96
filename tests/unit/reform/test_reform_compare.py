"""Comparing two settlements: per claim, per person, per group, on small hand-written tables."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from yibao.errors import InputError
from yibao.reform.compare import claim_deltas, outlay_by, person_deltas, reached

D = date(2025, 3, 1)


def settlement(rows: list[tuple]) -> pa.Table:  # type: ignore[type-arg]
    """(claim, person, scheme, visit, level, region, total, hifp, hifmi, maf, acct, cash, over)."""
    names = [
        "claim_id",
        "person_id",
        "scheme",
        "visit_type",
        "level",
        "insured_region",
        "medfee_sumamt",
        "hifp_pay",
        "hifmi_pay",
        "maf_pay",
        "acct_pay",
        "psn_cash_pay",
        "overcap_amt",
    ]
    cols = {n: [r[i] for r in rows] for i, n in enumerate(names)}
    n = len(rows)
    return pa.table(
        {
            **cols,
            "settle_date": [D] * n,
            "person_type": ["adult"] * n,
            "route": ["local"] * n,
            "hifob_pay": [0] * n,
        }
    )


# A resident whose inpatient claim goes 20,000 yuan past the ceiling, and an employee.
BASE = settlement(
    [
        ("C1", "P1", "resident", "inpatient", "L3", "990200", 50_000_00, 30_000_00, 0, 0, 0, 20_000_00, 20_000_00),
        ("C2", "P1", "resident", "outpatient_general", "L1", "990200", 100_00, 0, 0, 0, 0, 100_00, 0),
        ("C3", "P2", "employee", "inpatient", "L2", "990100", 10_000_00, 8_000_00, 0, 0, 1_500_00, 500_00, 0),
    ]
)  # fmt: skip
# The reform raises the ceiling: the fund pays 15,000 more, and 50 more on the employee's claim.
REFORM = settlement(
    [
        ("C1", "P1", "resident", "inpatient", "L3", "990200", 50_000_00, 45_000_00, 0, 0, 0, 5_000_00, 5_000_00),
        ("C2", "P1", "resident", "outpatient_general", "L1", "990200", 100_00, 0, 0, 0, 0, 100_00, 0),
        ("C3", "P2", "employee", "inpatient", "L2", "990100", 10_000_00, 8_000_50, 0, 0, 1_499_50, 500_00, 0),
    ]
)  # fmt: skip
PERSONS = pa.table(
    {
        "person_id": ["P1", "P2", "P3"],
        "scheme": ["resident", "employee", "resident"],
        "person_type": ["adult", "active", "child"],
        "insured_region": ["990200", "990100", "990300"],
        "assistance_category": [None, None, "dibao"],
        "household_income_fen": [30_000_00, 80_000_00, None],
    }
)


def test_claim_deltas_pair_each_claim_and_its_change() -> None:
    d = claim_deltas(BASE, REFORM)
    assert d["claim_id"].to_pylist() == ["C1", "C2", "C3"]
    assert d["hifp_pay_delta"].to_pylist() == [15_000_00, 0, 50]
    assert d["oop_base"].to_pylist() == [20_000_00, 100_00, 2_000_00]
    assert d["oop_delta"].to_pylist() == [-15_000_00, 0, -50]
    assert d["overcap_amt_reform"].to_pylist() == [5_000_00, 0, 0]


def test_claims_in_another_order_are_matched_by_id() -> None:
    shuffled = REFORM.take([2, 0, 1])
    d = claim_deltas(BASE, shuffled)
    assert dict(zip(d["claim_id"].to_pylist(), d["hifp_pay_delta"].to_pylist(), strict=True)) == {
        "C1": 15_000_00,
        "C2": 0,
        "C3": 50,
    }


def test_settlements_of_different_claims_are_refused() -> None:
    with pytest.raises(InputError, match="baseline settled 3 claims but the reform 2"):
        claim_deltas(BASE, REFORM.slice(0, 2))
    other = REFORM.set_column(0, "claim_id", pa.array(["C1", "C2", "C9"]))
    with pytest.raises(InputError, match="different claims"):
        claim_deltas(BASE, other)


def test_outlay_by_group_sums_before_and_after() -> None:
    d = claim_deltas(BASE, REFORM)
    rows = {r["scheme"]: r for r in outlay_by(d, ["scheme"]).to_pylist()}
    assert rows["resident"]["claims"] == 2
    assert (rows["resident"]["hifp_pay_base"], rows["resident"]["hifp_pay_reform"]) == (
        30_000_00,
        45_000_00,
    )
    assert (rows["employee"]["oop_base"], rows["employee"]["oop_reform"]) == (2_000_00, 1_999_50)
    assert pc.sum(d["hifp_pay_delta"]).as_py() == sum(
        r["hifp_pay_reform"] - r["hifp_pay_base"] for r in rows.values()
    )


def test_person_deltas_cover_every_insured_person() -> None:
    people = person_deltas(claim_deltas(BASE, REFORM), PERSONS)
    by_id = {r["person_id"]: r for r in people.to_pylist()}
    assert list(by_id) == ["P1", "P2", "P3"]
    p1 = by_id["P1"]
    assert (p1["claims"], p1["oop_base"], p1["oop_reform"], p1["oop_delta"]) == (
        2,
        20_100_00,
        5_100_00,
        -15_000_00,
    )
    assert (p1["overcap_inpatient_base"], p1["overcap_inpatient_reform"]) == (20_000_00, 5_000_00)
    p3 = by_id["P3"]  # no claims: zeros, and the person's own attributes
    assert (p3["claims"], p3["oop_base"], p3["oop_delta"], p3["assistance_category"]) == (
        0,
        0,
        0,
        "dibao",
    )
    assert reached(people, "overcap_inpatient") == (1, 1)
    assert reached(people, "hifmi") == (0, 0)

"""Real-time settlement through the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from svc_helpers import claim

from yibao.errors import InputError
from yibao.service import contributions, ledger, settlement
from yibao.service.context import Conflict, Context, NotFound
from yibao.store import tables as t

Person = Callable[..., dict[str, object]]


def count(ctx: Context, table: t.Table) -> int:
    with ctx.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def req(person: dict[str, object], **kw: object) -> settlement.SettleRequest:
    return settlement.read_settle_request({"person_id": person["person_id"], "claim": claim(**kw)})


def test_settle_stores_result_trace_journal_and_accumulators(
    ctx: Context, new_person: Person
) -> None:
    p = new_person()
    out = settlement.settle_claim(ctx, req(p))
    assert not out.replayed and out.data["status"] == "settled"
    assert out.data["parts"]["pooled_fund"]["yuan"] == "15570.00"
    assert out.data["parts"]["account"]["yuan"] == "500.00"
    assert any(step["step"] == "bill_split" for step in out.data["trace"])
    acc = settlement.accumulators_of(ctx, str(p["person_id"]), 2025)
    assert acc["pools"]["inpatient"]["admissions"] == 1
    assert acc["account_balance"] == "0.00"
    assert ledger.check_ledger(ctx) == []


def test_resent_claim_returns_stored_result_and_posts_nothing(
    ctx: Context, new_person: Person
) -> None:
    p = new_person()
    first = settlement.settle_claim(ctx, req(p))
    journals = count(ctx, t.journals)
    again = settlement.settle_claim(ctx, req(p))
    assert again.replayed and again.data == first.data
    assert count(ctx, t.journals) == journals and count(ctx, t.settlements) == 1
    other = new_person()
    with pytest.raises(Conflict):
        settlement.settle_claim(ctx, req(other))


def test_second_admission_uses_the_year_so_far(ctx: Context, new_person: Person) -> None:
    p = new_person()
    settlement.settle_claim(ctx, req(p))
    second = settlement.settle_claim(ctx, req(p, claim_no="C2"))
    assert second.data["admission_seq"] == 2
    assert second.data["before"]["pools"]["inpatient"]["admissions"] == 1


def test_pre_settlement_commits_nothing(ctx: Context, new_person: Person) -> None:
    p = new_person()
    before = (count(ctx, t.journals), count(ctx, t.settlements))
    pre = settlement.pre_settle(ctx, req(p))
    assert pre.data["status"] == "pre-settled"
    assert (count(ctx, t.journals), count(ctx, t.settlements)) == before
    real = settlement.settle_claim(ctx, req(p))
    assert real.data["parts"] == pre.data["parts"]


def test_reversal_restores_accumulators_and_account(ctx: Context, new_person: Person) -> None:
    p = new_person()
    pid = str(p["person_id"])
    start = settlement.accumulators_of(ctx, pid, 2025)
    settlement.settle_claim(ctx, req(p))
    out = settlement.reverse_claim(ctx, "H1", "C1")
    assert out["status"] == "reversed" and out["reversal_journal_id"] == "R-H1-C1"
    restored = settlement.accumulators_of(ctx, pid, 2025)
    assert restored["account_balance"] == start["account_balance"] == "500.00"
    assert restored["pools"]["inpatient"]["admissions"] == 0
    with pytest.raises(Conflict, match="already reversed"):
        settlement.reverse_claim(ctx, "H1", "C1")
    # the original journal stays; a new opposite one was added
    assert count(ctx, t.journals) == 3  # opening, settlement, reversal
    assert ledger.check_ledger(ctx) == []
    tb = ledger.trial_balance(ctx)
    assert sum(r["balance"] for r in tb) == 0


def test_refund(ctx: Context, new_person: Person) -> None:
    p = new_person()
    settlement.settle_claim(ctx, req(p))
    assert settlement.reverse_claim(ctx, "H1", "C1", "refund")["status"] == "refunded"
    with pytest.raises(InputError, match="kind"):
        settlement.reverse_claim(ctx, "H1", "C1", "cancel")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"person_id": "X", "claim": {**claim(), "level": "L9"}}, "claim: level"),
        ({"person_id": "X", "claim": {**claim(), "presplit": {"total": "-1"}}}, "total"),
        ({"person_id": "X", "claim": {k: v for k, v in claim().items() if k != "id"}}, "id"),
        ({"person_id": "X", "claim": claim(), "extra": 1}, "extra"),
        ({"claim": claim()}, "person_id"),
    ],
)
def test_bad_requests_name_the_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(InputError, match=field):
        settlement.read_settle_request(body)


def test_unknown_person_or_unenrolled_day_writes_nothing(ctx: Context, new_person: Person) -> None:
    p = new_person()
    with pytest.raises(NotFound):
        settlement.settle_claim(
            ctx, settlement.read_settle_request({"person_id": "nobody", "claim": claim()})
        )
    with pytest.raises(InputError, match="not enrolled"):
        settlement.settle_claim(ctx, req(p, day="2024-12-31"))
    with pytest.raises(InputError, match="region"):
        settlement.settle_claim(ctx, req(p, region="123456"))
    assert count(ctx, t.settlements) == 0 and count(ctx, t.journals) == 1


def test_cross_region_clearing(ctx: Context, new_person: Person) -> None:
    p = new_person()
    out = settlement.settle_claim(ctx, req(p, provider="S1", region="990200"))
    assert out.data["treatment_region"] == "990200"
    rows = contributions and ledger.clearing_statement(ctx, "2025-06")
    assert {(r["insured_region"], r["treatment_region"]) for r in rows} == {("990100", "990200")}
    total = sum(r["amount"] for r in rows)
    parts = out.data["parts"]
    assert total == int(float(parts["fund_total"]["yuan"]) * 100) + 50000
    assert ledger.check_ledger(ctx) == []


def test_contribution_run_posts_and_is_idempotent(ctx: Context, new_person: Person) -> None:
    active = new_person()
    new_person(type="retired", wage=None)
    new_person(scheme="resident", type="adult", balance="0")
    new_person(
        scheme="resident",
        type="adult",
        balance="0",
        assistance={"category": "tekun", "from": "2025-01-01"},
    )
    out = contributions.contribution_run(ctx, "990100", "2025-01")
    totals = out["totals_fen"]
    assert totals["employer"] == 63000 and totals["to_account"] == 18000
    assert totals["retiree_credit"] == 10000
    assert totals["resident_individual"] == 40000 and totals["resident_assistance"] == 40000
    assert totals["subsidy"] == 140000
    n = count(ctx, t.journals)
    assert contributions.contribution_run(ctx, "990100", "2025-01")["replayed"]
    assert count(ctx, t.journals) == n
    feb = contributions.contribution_run(ctx, "990100", "2025-02", unpaid_employers=["E1"])
    assert feb["totals_fen"]["arrears"] == 81000 and feb["totals_fen"]["resident_individual"] == 0
    acc = settlement.accumulators_of(ctx, str(active["person_id"]), 2025)
    assert acc["account_balance"] == "680.00"  # 500 + 180 in January, nothing in arrears
    assert ledger.check_ledger(ctx) == []
    st = ledger.statement(ctx, "990100", "employee_pooled", "2025-01")
    assert st["income"]["employer"] == 63000 and st["check"]

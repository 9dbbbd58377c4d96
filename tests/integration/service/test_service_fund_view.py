"""The fund manager's figures over a database written by the use cases."""

from __future__ import annotations

from pathlib import Path

from yibao.jobs.console_demo import seed_console_demo
from yibao.service import fund_view, ledger, settlement
from yibao.service.context import Context
from yibao.store.db import make_engine, upgrade


def test_payments_by_level_add_up_to_the_settled_fund_parts(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    upgrade(engine)
    ctx = Context(engine)
    seed_console_demo(ctx, persons=40)
    region = "990100"
    rows = fund_view.payments_by_level(ctx, region)
    assert rows and {r["level"] for r in rows} <= {"L1", "L2", "L3", "clearing"}
    from sqlalchemy import select

    from yibao.store import tables as t

    with engine.connect() as conn:
        pids = [
            r.person_id
            for r in conn.execute(select(t.persons.c.person_id).where(t.persons.c.region == region))
        ]
    # every fund part of every settlement of the region's insured, the account excepted
    expected = 0
    for pid in pids:
        for s in settlement.settlements_of(ctx, pid):
            if s["status"] == "settled":
                expected += sum(
                    int(s["parts"][k]["yuan"].replace(".", ""))
                    for k in ("pooled_fund", "large_amount", "critical_illness", "assistance")
                )
    assert sum(r["amount"] for r in rows if r["fund"] != "individual_accounts") == expected
    # the monthly expenditure of each fund adds up to the ledger's own trial balance
    for f in fund_view.fund_overview(ctx, region):
        spent = sum(
            b["balance"]
            for b in ledger.trial_balance(ctx, region)
            if b["kind"] == "expenditure" and b["fund"] == f["fund"]
        )
        assert sum(f["expenditure"]) == spent, f["fund"]

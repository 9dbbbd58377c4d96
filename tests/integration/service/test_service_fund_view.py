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


def _from_the_ledger(ctx: Context) -> dict[tuple[str, str, str, str], int]:
    """Every posting summed per (region, fund, kind, month), journal by journal in Python."""
    from collections import defaultdict

    from yibao.store import repo

    out: dict[tuple[str, str, str, str], int] = defaultdict(int)
    with ctx.engine.connect() as conn:
        for j in repo.load_journals(conn):
            for p in j.postings:
                a = p.account
                out[(a.region, a.fund.value, a.kind.value, j.day.strftime("%Y-%m"))] += p.amount
    return {k: v for k, v in out.items() if v}


def test_the_monthly_summary_equals_the_ledger_before_and_after_new_journals(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    upgrade(engine)
    ctx = Context(engine)
    demo = seed_console_demo(ctx, persons=40)
    summary = fund_view.fund_summary(ctx)
    assert {k: v for k, v in summary.cells.items() if v} == _from_the_ledger(ctx)
    # a reversal written after the summary was made is folded in, to the fen
    pid = next(x.person_id for x in demo.logins if x.username == "insured")
    first = settlement.settlements_of(ctx, pid)[0]
    settlement.reverse_claim(ctx, first["provider_id"], first["claim_no"], reason="test")
    again = fund_view.fund_summary(ctx)
    assert again is summary and again.upto > 0 and not again.gaps
    assert {k: v for k, v in again.cells.items() if v} == _from_the_ledger(ctx)
    # the overview's net assets are the ledger's own per fund
    for f in fund_view.fund_overview(ctx, "990100"):
        net = sum(
            b["balance"]
            for b in ledger.trial_balance(ctx, "990100")
            if b["fund"] == f["fund"] and b["kind"] in ledger.NET_KINDS
        )
        assert f["balance"] == net, f["fund"]
    assert ledger.check_ledger(ctx) == []


def test_a_journal_that_commits_below_the_mark_is_still_counted(tmp_path: Path) -> None:
    """PostgreSQL hands out ids before commit: a posting can appear below ids already read."""
    from datetime import date as day_

    from sqlalchemy import insert

    from yibao.store import repo
    from yibao.store import tables as t

    engine = make_engine(f"sqlite:///{tmp_path / 'g.db'}")
    upgrade(engine)
    ctx = Context(engine)
    seed_console_demo(ctx, persons=20)
    s = fund_view.fund_summary(ctx)
    mark = s.upto

    def post(jid: str, ids: tuple[int, int], amount: int) -> None:
        with engine.begin() as conn:
            conn.execute(
                insert(t.journals).values(
                    journal_id=jid,
                    day=day_(2025, 7, 1),
                    kind="financing",
                    ref=jid,
                    memo="test",
                    created_at=repo.now(),
                )
            )
            rows = [("bank", amount), ("income", -amount)]
            for pid, (kind, a) in zip(ids, rows, strict=True):
                conn.execute(
                    insert(t.postings).values(
                        posting_id=pid,
                        journal_id=jid,
                        region="990100",
                        fund="medical_assistance",
                        kind=kind,
                        item="fiscal",
                        sub="",
                        amount=a,
                    )
                )

    post("LATE-2", (mark + 3, mark + 4), 5_000)  # committed first, with the higher ids
    fund_view.fund_summary(ctx)
    assert s.gaps == {mark + 1, mark + 2}
    post("LATE-1", (mark + 1, mark + 2), 700)  # the earlier ids commit afterwards
    fund_view.fund_summary(ctx)
    assert not s.gaps
    assert {k: v for k, v in s.cells.items() if v} == _from_the_ledger(ctx)

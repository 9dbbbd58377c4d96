"""Many concurrent claims for one person and one individual account on PostgreSQL: each
claim settles exactly once, every settlement starts where the previous one ended (no lost
update), the account is never overdrawn (no double spend), and the ledger checks pass."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from svc_helpers import claim, identity, pg_engine, register_providers

from yibao.service import ledger, registration, settlement
from yibao.service.context import Context
from yibao.store import tables as t
from yibao.store.db import upgrade

N_CLAIMS = 30
THREADS = 8


@pytest.mark.postgres
def test_concurrent_claims_same_person(pg_schema: str) -> None:
    engine = pg_engine(pg_schema, pool_size=THREADS, max_overflow=0)
    upgrade(engine)
    ctx = Context(engine)
    register_providers(ctx)
    p = registration.register_person(
        ctx,
        {
            "id_number": identity(),
            "name": "李四",
            "region": "990100",
            "account_balance": "3000.00",
            "enrollment": {
                "scheme": "employee",
                "type": "active",
                "region": "990100",
                "employer": "E1",
                "wage": "9000.00",
                "from": "2025-01-01",
            },
        },
    )
    pid = str(p["person_id"])
    # every claim is sent twice, from different threads: idempotency under contention
    jobs = [f"C{i:03d}" for i in range(N_CLAIMS)] * 2

    def send(no: str) -> tuple[str, bool]:
        body = {"person_id": pid, "claim": claim(no, total="1500.00", day="2025-03-01")}
        out = settlement.settle_claim(ctx, settlement.read_settle_request(body))
        return no, out.replayed

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(send, jobs))
    assert sum(1 for _, replayed in results if not replayed) == N_CLAIMS

    with engine.connect() as c:
        rows = c.execute(select(t.settlements).order_by(t.settlements.c.settlement_id)).all()
        balance = c.execute(select(t.persons.c.account_balance)).scalar_one()
    assert len(rows) == N_CLAIMS and len({r.claim_no for r in rows}) == N_CLAIMS
    # a chain: each settlement's "before" is the previous one's "after"
    for prev, nxt in itertools.pairwise(rows):
        assert nxt.result["before"] == prev.result["after"], nxt.claim_no
    assert rows[-1].result["after"]["pools"]["inpatient"]["admissions"] == N_CLAIMS
    spent = sum(r.parts["account"] for r in rows)
    assert spent == 300000 - balance and balance >= 0
    assert spent == 300000  # the account covers deductibles until it is empty
    assert ledger.check_ledger(ctx) == []
    engine.dispose()

"""The hot-path statements on SQLite and PostgreSQL: a failed version check writes nothing;
a broken transaction is rolled back; the read sees everything the settlement needs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select
from svc_helpers import claim

from yibao.ledger.model import Account, Fund, Kind, journal
from yibao.service import settlement
from yibao.service.context import Context
from yibao.store import repo, settle_sql
from yibao.store import tables as t

Person = Callable[..., dict[str, object]]


def count(ctx: Context, table: t.Table) -> int:
    with ctx.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar_one())


def test_read_snapshot(ctx: Context, new_person: Person) -> None:
    p = new_person(assistance={"category": "tekun", "from": "2025-01-01"})
    pid = str(p["person_id"])
    sql = settle_sql.statements(ctx.engine)
    with settle_sql.transaction(ctx.engine, write=False) as conn:
        snap = sql.read(conn, pid, "H1", "C1", date(2025, 6, 7), lock=False)
        nobody = sql.read(conn, "nobody", "H1", "C1", date(2025, 6, 7), lock=False)
    assert nobody is None and snap is not None
    assert (snap.account_balance, snap.version, snap.region) == (50000, 0, "990100")
    assert snap.enrollment is not None and snap.enrollment.category == "tekun"
    assert snap.enrollment.start_date == date(2025, 1, 1) and snap.enrollment.end_date is None
    assert (snap.provider_level, snap.provider_region) == ("L3", "990100")
    assert snap.accumulators is None and snap.done_id is None and not snap.filed
    body = {"person_id": pid, "claim": claim()}
    settlement.settle_claim(ctx, settlement.read_settle_request(body))
    with settle_sql.transaction(ctx.engine, write=False) as conn:
        after = sql.read(conn, pid, "S1", "C1", date(2025, 6, 7), lock=True)
        done = sql.read(conn, pid, "H1", "C1", date(2025, 6, 7), lock=True)
        before_enrollment = sql.read(conn, pid, "H1", "C1", date(2024, 6, 7), lock=True)
    assert after is not None and after.accumulators_version == 1 and after.version == 1
    assert after.accumulators is not None and after.provider_region == "990200"
    assert after.done_id is None  # the claim number is another provider's
    assert done is not None and done.done_id is not None and done.done_person == pid
    assert before_enrollment is not None and before_enrollment.enrollment is None


@pytest.mark.parametrize("stale", ["person", "accumulators"])
def test_failed_version_check_writes_nothing(ctx: Context, new_person: Person, stale: str) -> None:
    p = new_person()
    pid = str(p["person_id"])
    settlement.settle_claim(
        ctx, settlement.read_settle_request({"person_id": pid, "claim": claim()})
    )
    counts = [count(ctx, x) for x in (t.settlements, t.journals, t.postings, t.audit_log)]
    sql = settle_sql.statements(ctx.engine)
    j = journal(
        "S-H1-C2",
        date(2025, 6, 8),
        "settlement",
        "H1/C2",
        "test",
        [
            (Account("990100", Fund.EMPLOYEE_POOLED, Kind.EXPENDITURE, "x"), 100),
            (Account("990100", Fund.EMPLOYEE_POOLED, Kind.PAYABLE, "provider", "H1"), -100),
        ],
    )
    new = settle_sql.NewSettlement(
        person_id=pid,
        person_version=0 if stale == "person" else 1,  # it is 1 after the first claim
        account_balance=0,
        accumulators={"year": 2025},
        year=2025,
        accumulators_version=7 if stale == "accumulators" else 1,
        journal=j,
        settlement={
            "provider_id": "H1",
            "claim_no": "C2",
            "person_id": pid,
            "scheme": "employee",
            "insured_region": "990100",
            "treatment_region": "990100",
            "visit": "inpatient",
            "settle_date": date(2025, 6, 8),
            "parts": {},
            "result": {},
            "journal_id": "S-H1-C2",
        },
        audit=("system", "admin", "claim.settle", pid, "H1/C2"),
    )
    with (
        pytest.raises(settle_sql.Changed),
        settle_sql.transaction(ctx.engine, write=True) as conn,
    ):
        sql.write_and_commit(conn, new, repo.now())
    assert [count(ctx, x) for x in (t.settlements, t.journals, t.postings, t.audit_log)] == counts
    # the pool's connection is usable afterwards
    out = settlement.settle_claim(
        ctx, settlement.read_settle_request({"person_id": pid, "claim": claim("C3")})
    )
    assert out.data["admission_seq"] == 2

"""Repositories: plain functions over a SQLAlchemy ``Connection`` inside a transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, func, insert, or_, select, update

from yibao.io.records import accumulators_to_data, read_accumulators
from yibao.ledger.model import Account, Fund, Journal, Kind, Posting
from yibao.settle.model import Accumulators
from yibao.store import tables as t


def now() -> datetime:
    return datetime.now(UTC)


def _in_force(table: Any, day: date) -> Any:
    return and_(table.c.start_date <= day, or_(table.c.end_date.is_(None), table.c.end_date >= day))


def get_person(conn: Connection, person_id: str, *, lock: bool = False) -> Row[Any] | None:
    q = select(t.persons).where(t.persons.c.person_id == person_id)
    if lock:  # SELECT … FOR UPDATE on PostgreSQL; SQLite already holds the write lock
        q = q.with_for_update()
    return conn.execute(q).first()


def person_by_id_number(conn: Connection, id_number: str) -> Row[Any] | None:
    return conn.execute(select(t.persons).where(t.persons.c.id_number == id_number)).first()


def enrollment_on(conn: Connection, person_id: str, day: date) -> Row[Any] | None:
    """The enrollment in force on ``day`` with the assistance category then (``category``)."""
    category = (
        select(t.assistance.c.category)
        .where(t.assistance.c.person_id == person_id, _in_force(t.assistance, day))
        .limit(1)
        .scalar_subquery()
    )
    q = (
        select(t.enrollments, category.label("category"))
        .where(t.enrollments.c.person_id == person_id, _in_force(t.enrollments, day))
        .order_by(t.enrollments.c.start_date.desc())
    )
    return conn.execute(q).first()


def enrollments_of(conn: Connection, person_id: str) -> list[Row[Any]]:
    q = select(t.enrollments).where(t.enrollments.c.person_id == person_id)
    return list(conn.execute(q.order_by(t.enrollments.c.start_date)))


def assistance_on(conn: Connection, person_id: str, day: date) -> str | None:
    q = select(t.assistance.c.category).where(
        t.assistance.c.person_id == person_id, _in_force(t.assistance, day)
    )
    return conn.execute(q).scalar()


def filing_on(conn: Connection, person_id: str, region: str, day: date) -> bool:
    q = select(func.count()).where(
        t.filings.c.person_id == person_id,
        t.filings.c.treatment_region == region,
        t.filings.c.status == "approved",
        _in_force(t.filings, day),
    )
    return bool(conn.execute(q).scalar())


def get_accumulators(
    conn: Connection, person_id: str, year: int
) -> tuple[Accumulators, int] | None:
    row = conn.execute(
        select(t.accumulators.c.data, t.accumulators.c.version).where(
            t.accumulators.c.person_id == person_id, t.accumulators.c.year == year
        )
    ).first()
    if row is None:
        return None
    return read_accumulators(row.data, "stored accumulators"), row.version


def save_accumulators(
    conn: Connection, person_id: str, acc: Accumulators, version: int | None
) -> None:
    """Insert (version None) or update the row if it still has ``version``."""
    data = accumulators_to_data(acc)
    data.pop("account_balance", None)  # the account lives on the person row
    if version is None:
        conn.execute(
            insert(t.accumulators).values(person_id=person_id, year=acc.year, data=data, version=1)
        )
        return
    res = conn.execute(
        update(t.accumulators)
        .where(
            t.accumulators.c.person_id == person_id,
            t.accumulators.c.year == acc.year,
            t.accumulators.c.version == version,
        )
        .values(data=data, version=version + 1)
    )
    if res.rowcount != 1:  # the lock makes this impossible; refuse rather than lose an update
        raise RuntimeError(f"accumulators of {person_id}/{acc.year} changed underneath")


def set_account_balance(conn: Connection, person_id: str, balance: int, version: int) -> None:
    res = conn.execute(
        update(t.persons)
        .where(t.persons.c.person_id == person_id, t.persons.c.version == version)
        .values(account_balance=balance, version=version + 1)
    )
    if res.rowcount != 1:
        raise RuntimeError(f"person {person_id} changed underneath")


def insert_journal(conn: Connection, j: Journal) -> None:
    conn.execute(
        insert(t.journals).values(
            journal_id=j.journal_id,
            day=j.day,
            kind=j.kind,
            ref=j.ref,
            memo=j.memo,
            created_at=now(),
        )
    )
    if j.postings:
        conn.execute(
            insert(t.postings),
            [
                {
                    "journal_id": j.journal_id,
                    "region": p.account.region,
                    "fund": p.account.fund.value,
                    "kind": p.account.kind.value,
                    "item": p.account.item,
                    "sub": p.account.sub,
                    "amount": p.amount,
                }
                for p in j.postings
            ],
        )


def get_journal(conn: Connection, journal_id: str) -> Journal | None:
    js = load_journals(conn, [journal_id])
    return js[0] if js else None


def load_journals(conn: Connection, ids: Iterable[str] | None = None) -> tuple[Journal, ...]:
    q = select(t.journals).order_by(t.journals.c.day, t.journals.c.journal_id)
    pq = select(t.postings).order_by(t.postings.c.posting_id)
    if ids is not None:
        wanted = list(ids)
        q = q.where(t.journals.c.journal_id.in_(wanted))
        pq = pq.where(t.postings.c.journal_id.in_(wanted))
    by: dict[str, list[Posting]] = {}
    for p in conn.execute(pq):
        account = Account(p.region, Fund(p.fund), Kind(p.kind), p.item, p.sub)
        by.setdefault(p.journal_id, []).append(Posting(account, p.amount))
    return tuple(
        Journal(j.journal_id, j.day, j.kind, j.ref, j.memo, tuple(by.get(j.journal_id, ())))
        for j in conn.execute(q)
    )


def settlement_by_key(conn: Connection, provider_id: str, claim_no: str) -> Row[Any] | None:
    return conn.execute(
        select(t.settlements).where(
            t.settlements.c.provider_id == provider_id, t.settlements.c.claim_no == claim_no
        )
    ).first()


def audit(
    conn: Connection, actor: str, role: str, action: str, subject: str, detail: str = ""
) -> None:
    """Append to the audit log (who touched which personal data, when)."""
    conn.execute(
        insert(t.audit_log).values(
            at=now(), actor=actor, role=role, action=action, subject=subject, detail=detail
        )
    )

"""The statements of real-time settlement, as fixed SQL on the driver's own connection.

Settlement is the hot path: SQLAlchemy Core spends 0.1–0.3 ms of Python building, caching
and executing each statement, and a settlement made twelve round trips. Here every statement
is a fixed SQL text, adapted once per driver (``psycopg`` or ``sqlite3``), and run on the
DBAPI cursor of a pooled connection:

* the lock (``SELECT … FOR UPDATE`` on the person row) and one read of everything the
  settlement needs — enrollment and assistance category on the day, the year's accumulators,
  the provider's registry entry, a cross-region filing, an existing settlement of the same
  (provider, claim number) — go to PostgreSQL together in pipeline mode: one round trip.
  The read is a statement of its own, after the lock: in READ COMMITTED each statement sees
  what was committed before it started, so it sees the last writer's accumulators (a join
  under ``FOR UPDATE`` would re-check only the locked row and read stale accumulators);
* every write — journal, postings, settlement, accumulators, account balance, audit line —
  and the COMMIT go together in a second round trip. A failing statement aborts the rest,
  COMMIT included, so nothing is half-written. The optimistic version checks divide by zero
  when no row matched, which aborts the transaction before COMMIT.

On SQLite the same statements run in order inside ``BEGIN IMMEDIATE`` (the write lock).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Protocol, cast

from sqlalchemy import Engine

from yibao.ledger.model import Journal

_IN_FORCE = "{t}.start_date <= :day AND ({t}.end_date IS NULL OR {t}.end_date >= :day)"

_PERSON = (
    "SELECT p.sex, p.birth_date, p.region, p.account_balance, p.version"
    " FROM persons p WHERE p.person_id = :pid"
)

# everything else the settlement reads, one row; every join matches at most one row
_READ = f"""
SELECT e.scheme, e.person_type, e.region, e.start_date, e.end_date,
  (SELECT a.category FROM assistance_categories a
    WHERE a.person_id = :pid AND {_IN_FORCE.format(t="a")} LIMIT 1),
  acc.data, acc.version,
  pr.level, pr.region,
  (SELECT COUNT(*) FROM cross_region_filings f
    WHERE f.person_id = :pid AND f.treatment_region = pr.region AND {_IN_FORCE.format(t="f")}),
  s.settlement_id, s.person_id
FROM (SELECT 1 AS one) base
LEFT JOIN enrollments e ON e.enrollment_id = (
  SELECT e2.enrollment_id FROM enrollments e2
  WHERE e2.person_id = :pid AND {_IN_FORCE.format(t="e2")}
  ORDER BY e2.start_date DESC LIMIT 1)
LEFT JOIN accumulators acc ON acc.person_id = :pid AND acc.year = :year
LEFT JOIN providers pr ON pr.provider_id = :provider
LEFT JOIN settlements s ON s.provider_id = :provider AND s.claim_no = :claim
"""

_STORED = (
    "SELECT result, provider_id, claim_no, status, journal_id,"
    " reversal_journal_id, visit, insured_region, treatment_region"
    " FROM settlements WHERE settlement_id = :id"
)

_INSERT_JOURNAL = (
    "INSERT INTO journals (journal_id, day, kind, ref, memo, created_at)"
    " VALUES (:journal_id, :day, :kind, :ref, :memo, :created_at)"
)
_INSERT_POSTING = (
    "INSERT INTO postings (journal_id, region, fund, kind, item, sub, amount)"
    " VALUES (:journal_id, :region, :fund, :kind, :item, :sub, :amount)"
)
_INSERT_SETTLEMENT = """
INSERT INTO settlements (provider_id, claim_no, person_id, scheme, insured_region,
  treatment_region, visit, settle_date, status, parts, result, journal_id, created_at)
VALUES (:provider_id, :claim_no, :person_id, :scheme, :insured_region, :treatment_region,
  :visit, :settle_date, 'settled', :parts, :result, :journal_id, :created_at)
"""
_INSERT_ACCUMULATORS = (
    "INSERT INTO accumulators (person_id, year, data, version) VALUES (:pid, :year, :data, 1)"
)
_UPDATE_ACCUMULATORS = (
    "UPDATE accumulators SET data = :data, version = version + 1"
    " WHERE person_id = :pid AND year = :year AND version = :acc_version"
)
_UPDATE_ACCOUNT = (
    "UPDATE persons SET account_balance = :balance, version = version + 1"
    " WHERE person_id = :pid AND version = :version"
)
_INSERT_AUDIT = (
    "INSERT INTO audit_log (at, actor, role, action, subject, detail)"
    " VALUES (:at, :actor, :role, :action, :subject, :detail)"
)


_INSERT_POSTINGS_JSON = """
INSERT INTO postings (journal_id, region, fund, kind, item, sub, amount)
SELECT :journal_id, x.region, x.fund, x.kind, x.item, x.sub, x.amount
FROM json_to_recordset(:postings)
  AS x(region text, fund text, kind text, item text, sub text, amount bigint)
"""


@cache
def _pg_writes(journal: bool, first_of_year: bool) -> str:
    """PostgreSQL: every write of a settlement as one statement (data-modifying CTEs, one
    snapshot, foreign keys checked at its end). It fails — division by zero, so the COMMIT
    queued after it is never run — unless the accumulators and the person row each matched
    exactly one row (the optimistic version checks)."""
    ctes = []
    if journal:
        ctes += [f"j AS ({_INSERT_JOURNAL})", f"p AS ({_INSERT_POSTINGS_JSON})"]
    acc = _INSERT_ACCUMULATORS if first_of_year else _UPDATE_ACCUMULATORS
    ctes += [
        f"s AS ({_INSERT_SETTLEMENT})",
        f"a AS ({acc} RETURNING 1)",
        f"u AS ({_UPDATE_ACCOUNT} RETURNING 1)",
        f"l AS ({_INSERT_AUDIT})",
    ]
    checks = "((SELECT COUNT(*) FROM a) = 1 AND (SELECT COUNT(*) FROM u) = 1)::int"
    return _psycopg("WITH " + ",\n".join(ctes) + f"\nSELECT 1 / {checks}")


class Changed(RuntimeError):
    """A row changed underneath the lock: impossible by construction, refused if it happens."""


@dataclass(frozen=True, slots=True)
class Enrollment:
    scheme: str
    person_type: str
    region: str
    start_date: date
    end_date: date | None
    category: str | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a settlement reads under the person's lock."""

    sex: str
    birth_date: date
    region: str
    account_balance: int
    version: int
    enrollment: Enrollment | None
    accumulators: Mapping[str, Any] | None
    accumulators_version: int | None
    provider_level: str | None  # None: the provider is not registered
    provider_region: str | None
    filed: bool  # a cross-region filing for the provider's region on the day
    done_id: int | None  # an existing settlement of (provider, claim number)
    done_person: str | None


@dataclass(frozen=True, slots=True)
class NewSettlement:
    """Everything one settlement writes."""

    person_id: str
    person_version: int
    account_balance: int
    accumulators: Mapping[str, Any]  # accumulators_to_data without the account
    year: int
    accumulators_version: int | None  # None: the year's first settlement (insert)
    journal: Journal | None  # None: nothing to post (all cash)
    settlement: Mapping[str, Any]  # the settlements row but status and created_at
    audit: tuple[str, str, str, str, str]  # actor, role, action, subject, detail


class _Cursor(Protocol):
    rowcount: int

    def execute(self, sql: str, params: Any = ...) -> Any: ...
    def executemany(self, sql: str, params: Any) -> Any: ...
    def fetchone(self) -> Any: ...
    def close(self) -> Any: ...


def _day(v: Any) -> date:
    return v if isinstance(v, date) else date.fromisoformat(str(v))


def _json(v: Any) -> Any:
    return json.loads(v) if isinstance(v, (str, bytes)) else v


@dataclass(frozen=True)
class Statements:
    """The statements adapted to one driver, and its value conversions."""

    pipeline: bool  # psycopg: pipeline mode and FOR UPDATE
    person: str
    person_locked: str
    read_sql: str
    stored_sql: str
    insert_journal: str
    insert_posting: str
    insert_settlement: str
    insert_accumulators: str
    update_accumulators: str
    update_account: str
    insert_audit: str
    integrity_error: type[Exception]

    # ------------------------------------------------------------------ values
    def day(self, d: date) -> Any:
        return d if self.pipeline else d.isoformat()

    def stamp(self, t: datetime) -> Any:
        # SQLAlchemy's SQLite DATETIME text, so Core reads these rows like its own
        return t if self.pipeline else t.strftime("%Y-%m-%d %H:%M:%S.%f")

    def json(self, obj: object) -> Any:
        if self.pipeline:
            from psycopg.types.json import Json

            return Json(obj)
        return json.dumps(obj)

    # ------------------------------------------------------------------ reads
    def read(
        self,
        conn: Any,
        person_id: str,
        provider_id: str,
        claim_no: str,
        day: date,
        *,
        lock: bool,
    ) -> Snapshot | None:
        """The person (locked if ``lock``) and everything else; None for an unknown person."""
        p = {"pid": person_id}
        q = {
            "pid": person_id,
            "day": self.day(day),
            "year": day.year,
            "provider": provider_id,
            "claim": claim_no,
        }
        person_sql = self.person_locked if lock else self.person
        if self.pipeline:
            with conn.pipeline():
                c1, c2 = conn.cursor(), conn.cursor()
                c1.execute(person_sql, p)
                c2.execute(self.read_sql, q)
                row, other = c1.fetchone(), c2.fetchone()
        else:
            cur = conn.cursor()
            row = cur.execute(person_sql, p).fetchone()
            other = cur.execute(self.read_sql, q).fetchone()
        if row is None:
            return None
        (scheme, ptype, region, start, end, category) = other[:6]
        enrollment = (
            Enrollment(scheme, ptype, region, _day(start), _day(end) if end else None, category)
            if scheme is not None
            else None
        )
        acc_data, acc_version, level, pr_region, filed, done_id, done_person = other[6:]
        return Snapshot(
            sex=row[0],
            birth_date=_day(row[1]),
            region=row[2],
            account_balance=int(row[3]),
            version=int(row[4]),
            enrollment=enrollment,
            accumulators=_json(acc_data) if acc_data is not None else None,
            accumulators_version=acc_version,
            provider_level=level,
            provider_region=pr_region,
            filed=bool(filed),
            done_id=done_id,
            done_person=done_person,
        )

    def stored(self, conn: Any, settlement_id: int) -> dict[str, Any]:
        """A stored settlement's answer (the result plus its identifying columns)."""
        row = conn.cursor().execute(self.stored_sql, {"id": settlement_id}).fetchone()
        names = (
            "provider_id",
            "claim_no",
            "status",
            "journal_id",
            "reversal_journal_id",
            "visit",
            "insured_region",
            "treatment_region",
        )
        data = dict(_json(row[0]))
        data.update(zip(names, row[1:], strict=True))
        return data

    # ------------------------------------------------------------------ writes
    def audit_and_commit(self, conn: Any, audit: Sequence[str], at: datetime) -> None:
        if self.pipeline:
            with conn.pipeline():
                conn.cursor().execute(self.insert_audit, self._audit(audit, self.stamp(at)))
                conn.commit()
        else:
            conn.cursor().execute(self.insert_audit, self._audit(audit, self.stamp(at)))
            conn.commit()

    def _audit(self, audit: Sequence[str], stamp: Any) -> dict[str, Any]:
        actor, role, action, subject, detail = audit
        return {
            "at": stamp,
            "actor": actor,
            "role": role,
            "action": action,
            "subject": subject,
            "detail": detail,
        }

    def write_and_commit(self, conn: Any, new: NewSettlement, at: datetime) -> None:
        """Every write of the settlement, then COMMIT: on PostgreSQL one statement and the
        COMMIT in one round trip; on SQLite statement by statement."""
        stamp = self.stamp(at)
        j = new.journal
        params = dict(new.settlement)
        params.update(
            settle_date=self.day(params["settle_date"]),
            parts=self.json(params["parts"]),
            result=self.json(params["result"]),
            created_at=stamp,
            pid=new.person_id,
            year=new.year,
            data=self.json(new.accumulators),
            acc_version=new.accumulators_version,
            balance=new.account_balance,
            version=new.person_version,
            **self._audit(new.audit, stamp),
        )
        postings = [
            {
                "journal_id": params["journal_id"],
                "region": p.account.region,
                "fund": p.account.fund.value,
                "kind": p.account.kind.value,
                "item": p.account.item,
                "sub": p.account.sub,
                "amount": p.amount,
            }
            for p in (j.postings if j is not None else ())
        ]
        if j is not None:
            if j.journal_id != params["journal_id"]:
                raise ValueError(
                    f"settlement names journal {params['journal_id']!r}, not {j.journal_id!r}"
                )
            params.update(day=self.day(j.day), kind=j.kind, ref=j.ref, memo=j.memo)
        if self.pipeline:
            if j is not None:
                params["postings"] = self.json(postings)
            sql = _pg_writes(j is not None, new.accumulators_version is None)
            try:
                with conn.pipeline():
                    conn.cursor().execute(sql, params)
                    conn.commit()
            except Exception as e:
                if type(e).__name__ == "DivisionByZero":  # a failed version check
                    raise Changed(f"person {new.person_id} changed underneath") from None
                raise
            return
        cur: _Cursor = conn.cursor()
        if j is not None:
            cur.execute(self.insert_journal, params)
            cur.executemany(self.insert_posting, postings)
        cur.execute(self.insert_settlement, params)
        if new.accumulators_version is None:
            cur.execute(self.insert_accumulators, params)
        else:
            cur.execute(self.update_accumulators, params)
            if cur.rowcount != 1:
                raise Changed(f"accumulators of {new.person_id}/{new.year} changed underneath")
        cur.execute(self.update_account, params)
        if cur.rowcount != 1:
            raise Changed(f"person {new.person_id} changed underneath")
        cur.execute(self.insert_audit, params)
        conn.commit()


_NAMED = re.compile(r"(?<![:\w]):(\w+)")


def _psycopg(text: str) -> str:
    """``:name`` placeholders as psycopg's ``%(name)s``."""
    return _NAMED.sub(r"%(\1)s", text.replace("%", "%%"))


@cache
def _statements(driver: str) -> Statements:
    if driver == "psycopg":
        import psycopg

        sql = _psycopg
        return Statements(
            pipeline=True,
            person=sql(_PERSON),
            person_locked=sql(_PERSON + " FOR UPDATE"),
            read_sql=sql(_READ),
            stored_sql=sql(_STORED),
            insert_journal=sql(_INSERT_JOURNAL),
            insert_posting=sql(_INSERT_POSTING),
            insert_settlement=sql(_INSERT_SETTLEMENT),
            insert_accumulators=sql(_INSERT_ACCUMULATORS),
            update_accumulators=sql(_UPDATE_ACCUMULATORS),
            update_account=sql(_UPDATE_ACCOUNT),
            insert_audit=sql(_INSERT_AUDIT),
            integrity_error=psycopg.IntegrityError,
        )
    if driver == "pysqlite":
        import sqlite3

        return Statements(
            pipeline=False,
            person=_PERSON,
            person_locked=_PERSON,  # BEGIN IMMEDIATE already holds the write lock
            read_sql=_READ,
            stored_sql=_STORED,
            insert_journal=_INSERT_JOURNAL,
            insert_posting=_INSERT_POSTING,
            insert_settlement=_INSERT_SETTLEMENT,
            insert_accumulators=_INSERT_ACCUMULATORS,
            update_accumulators=_UPDATE_ACCUMULATORS,
            update_account=_UPDATE_ACCOUNT,
            insert_audit=_INSERT_AUDIT,
            integrity_error=sqlite3.IntegrityError,
        )
    raise RuntimeError(
        f"real-time settlement needs postgresql+psycopg or sqlite, not the {driver} driver"
    )


def statements(engine: Engine) -> Statements:
    return _statements(engine.dialect.driver)


@contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[Any]:
    """A pooled driver connection in a transaction; rolled back unless committed.

    SQLite writers begin with ``BEGIN IMMEDIATE``; psycopg begins implicitly."""
    raw = engine.raw_connection()
    conn = cast(Any, raw.driver_connection)
    try:
        if engine.dialect.driver == "pysqlite" and write:
            conn.execute("BEGIN IMMEDIATE")
        yield conn
    finally:
        try:
            conn.rollback()  # a no-op after COMMIT; ends a failed or read-only transaction
        except Exception:
            raw.invalidate()  # a broken connection does not go back to the pool
        raw.close()

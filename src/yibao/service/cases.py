"""Supervision cases (稽核案件) over the store: open them from rule hits, move them through
the pure state machine of :mod:`yibao.supervision.cases`, claw back a confirmed case.

Each use case is one transaction. A case's row holds its current state; every transition
is an appended event (from, to, reviewer, reason). Confirming inserts the clawback journal
(Dr the provider's payable, Cr fund income ``clawback_recovered``) in the same transaction
as the status change; the journal id is ``clawback:<case id>``, so a case is clawed back
once only, and confirming a confirmed case again returns it unchanged.

Hits are grouped per provider with :func:`~yibao.supervision.cases.cases_from_hits`; a
case's region is the provider's registered region. Importing the same hits again opens
nothing new (a case with the same provider, rules and claims already exists); imports run
one at a time (SQLite's write lock; a table lock on PostgreSQL), which numbers the cases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from yibao.errors import InputError
from yibao.io.records import Obj, yuan
from yibao.ledger.model import Fund
from yibao.money import Fen
from yibao.service.context import SYSTEM, Actor, Conflict, Context, NotFound
from yibao.store import repo
from yibao.store import tables as t
from yibao.supervision import cases as sc

HIT_KEYS = frozenset(
    {"rule_code", "claim_id", "line_nos", "person_id", "provider_id", "amount_fen", "reason"}
)
MAX_HITS = 200_000


def read_hits(data: object, where: str = "hits") -> list[dict[str, object]]:
    """Rule-hit rows checked strictly: ``rule_code``, ``provider_id``, ``amount_fen`` (whole
    fen ≥ 0) required; ``claim_id`` text or null; the other columns of hits.parquet allowed."""
    if not isinstance(data, list) or not data:
        raise InputError(f"{where}: expected a non-empty list of hit rows")
    if len(data) > MAX_HITS:
        raise InputError(f"{where}: at most {MAX_HITS} rows, got {len(data)}")
    out: list[dict[str, object]] = []
    for i, row in enumerate(data):
        o = Obj(row, f"{where}[{i}]", HIT_KEYS)
        rule_code, provider_id = o.text("rule_code"), o.text("provider_id")
        for key, value in (("rule_code", rule_code), ("provider_id", provider_id)):
            if not value.strip() or len(value) > 40:
                raise InputError(f"{o.at(key)}: must be 1 to 40 characters")
        claim_id = o.text("claim_id") if o.has("claim_id") else None
        out.append(
            {
                "rule_code": rule_code,
                "provider_id": provider_id,
                "claim_id": claim_id,
                "amount_fen": o.count("amount_fen"),
            }
        )
    return out


def read_hits_parquet(path: Path) -> list[dict[str, object]]:
    """The rows of a ``hits.parquet`` written by ``yibao audit run``."""
    import pyarrow.parquet as pq

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        table = pq.read_table(path, columns=["rule_code", "claim_id", "provider_id", "amount_fen"])
    except Exception as e:
        raise InputError(f"{path}: cannot read as hits Parquet: {str(e).splitlines()[0]}") from None
    if table.num_rows == 0:
        return []
    return read_hits(table.to_pylist(), str(path))


# -- rows ↔ cases --------------------------------------------------------------------------


def _events(conn: Connection, case_ids: Iterable[str]) -> dict[str, list[Any]]:
    e = t.supervision_case_events
    q = select(e).where(e.c.case_id.in_(list(case_ids))).order_by(e.c.event_id)
    out: dict[str, list[Any]] = {}
    for r in conn.execute(q):
        out.setdefault(r.case_id, []).append(r)
    return out


def _case(row: Any, events: list[Any]) -> sc.Case:
    return sc.Case(
        row.case_id,
        row.provider_id,
        row.region,
        Fund(row.fund),
        tuple(row.rule_codes),
        tuple(row.claim_ids),
        row.flagged_fen,
        sc.State(row.status),
        row.recovered_fen,
        tuple(sc.Event(sc.State(e.to_status), e.reviewer, e.day, e.reason) for e in events),
    )


def case_view(row: Any, events: list[Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "case_id": row.case_id,
        "provider_id": row.provider_id,
        "region": row.region,
        "fund": row.fund,
        "rule_codes": list(row.rule_codes),
        "claim_ids": list(row.claim_ids),
        "flagged": yuan(row.flagged_fen),
        "recovered": yuan(row.recovered_fen),
        "status": row.status,
        "journal_id": row.journal_id,
    }
    if events is not None:
        out["events"] = [
            {
                "from": e.from_status,
                "to": e.to_status,
                "reviewer": e.reviewer,
                "reason": e.reason,
                "day": e.day.isoformat(),
            }
            for e in events
        ]
    return out


def _add_event(conn: Connection, case_id: str, before: str | None, ev: sc.Event, at: Any) -> None:
    conn.execute(
        insert(t.supervision_case_events).values(
            case_id=case_id,
            from_status=before,
            to_status=ev.state.value,
            reviewer=ev.actor,
            reason=ev.reason,
            day=ev.day,
            at=at,
        )
    )


# -- use cases -----------------------------------------------------------------------------


def import_hits(
    ctx: Context,
    hits: list[dict[str, object]],
    *,
    fund: Fund = Fund.EMPLOYEE_POOLED,
    day: date | None = None,
    min_amount_fen: Fen = 0,
    regions: frozenset[str] | None = None,
    actor: Actor = SYSTEM,
) -> list[dict[str, Any]]:
    """Open one case per provider from checked hit rows (see :func:`read_hits`).

    Every provider must be registered (404 naming it otherwise); with ``regions`` given
    (a staff member's), a provider of another region is refused before anything is written
    (:class:`PermissionError`). Returns the cases opened (an identical stored case is
    skipped)."""
    day = day or date.today()
    opened: list[dict[str, Any]] = []
    with ctx.engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # imports one at a time: ids and the dedupe
            conn.exec_driver_sql("LOCK TABLE supervision_cases IN SHARE ROW EXCLUSIVE MODE")
        wanted = sorted({str(h["provider_id"]) for h in hits})
        p = t.providers.c
        region_of = {
            r.provider_id: r.region
            for r in conn.execute(select(p.provider_id, p.region).where(p.provider_id.in_(wanted)))
        }
        for provider_id in wanted:
            if provider_id not in region_of:
                raise NotFound(f"hits.provider_id: unknown provider {provider_id!r}")
            if regions is not None and region_of[provider_id] not in regions:
                raise PermissionError(f"cases of provider {provider_id}")
        c = t.supervision_cases.c
        existing = {
            (r.provider_id, tuple(r.rule_codes), tuple(r.claim_ids))
            for r in conn.execute(
                select(c.provider_id, c.rule_codes, c.claim_ids).where(c.provider_id.in_(wanted))
            )
        }
        seq = int(conn.execute(select(func.count()).select_from(t.supervision_cases)).scalar_one())
        for region in sorted(set(region_of.values())):
            rows = [h for h in hits if region_of[str(h["provider_id"])] == region]
            for case in sc.cases_from_hits(rows, region, fund, day, min_amount_fen=min_amount_fen):
                if (case.provider_id, case.rule_codes, case.claim_ids) in existing:
                    continue
                seq += 1
                case = replace(case, case_id=f"CASE-{region}-{day:%Y%m%d}-{seq:06d}")
                at = repo.now()
                conn.execute(
                    insert(t.supervision_cases).values(
                        case_id=case.case_id,
                        provider_id=case.provider_id,
                        region=case.region,
                        fund=case.fund.value,
                        rule_codes=list(case.rule_codes),
                        claim_ids=list(case.claim_ids),
                        flagged_fen=case.flagged_fen,
                        recovered_fen=0,
                        status=case.state.value,
                        journal_id=None,
                        opened_at=at,
                        updated_at=at,
                    )
                )
                _add_event(conn, case.case_id, None, case.events[0], at)
                opened.append(
                    {
                        "case_id": case.case_id,
                        "provider_id": case.provider_id,
                        "region": case.region,
                        "flagged": yuan(case.flagged_fen),
                        "status": case.state.value,
                    }
                )
        repo.audit(conn, actor.actor_id, actor.role, "case.import", fund.value, f"{len(opened)}")
    return opened


def import_parquet(ctx: Context, path: Path, **kw: Any) -> list[dict[str, Any]]:
    """Open cases from a ``hits.parquet`` (the output of ``yibao audit run``)."""
    hits = read_hits_parquet(path)
    return import_hits(ctx, hits, **kw) if hits else []


def case_region(ctx: Context, case_id: str) -> tuple[str, str]:
    """(region, provider id) of a case; 404 if there is none."""
    c = t.supervision_cases.c
    with ctx.engine.connect() as conn:
        row = conn.execute(select(c.region, c.provider_id).where(c.case_id == case_id)).first()
        conn.rollback()
    if row is None:
        raise NotFound(f"case_id: unknown case {case_id!r}")
    return row.region, row.provider_id


def get_case(ctx: Context, case_id: str) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(t.supervision_cases).where(t.supervision_cases.c.case_id == case_id)
        ).first()
        events = _events(conn, [case_id]).get(case_id, [])
        conn.rollback()
    if row is None:
        raise NotFound(f"case_id: unknown case {case_id!r}")
    return case_view(row, events)


def list_cases(
    ctx: Context,
    *,
    region: str | None = None,
    provider_id: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    c = t.supervision_cases.c
    q = select(t.supervision_cases).order_by(c.case_id)
    if region is not None:
        q = q.where(c.region == region)
    if provider_id is not None:
        q = q.where(c.provider_id == provider_id)
    if status is not None:
        try:
            q = q.where(c.status == sc.State(status).value)
        except ValueError:
            raise InputError(
                f"status: expected one of {', '.join(sc.State)}, got {status!r}"
            ) from None
    with ctx.engine.connect() as conn:
        rows = conn.execute(q).all()
        conn.rollback()
    return [case_view(r) for r in rows]


REVIEW_KEYS = frozenset({"reviewer", "reason", "day"})
CONFIRM_KEYS = REVIEW_KEYS | {"recovered"}


def read_decision(data: object, action: str) -> dict[str, Any]:
    """``{reviewer, reason, day?, recovered?}``: reviewer and reason non-empty; ``recovered``
    (yuan, confirm only) defaults to the flagged amount."""
    o = Obj(data, action, CONFIRM_KEYS if action == "confirm" else REVIEW_KEYS)
    reviewer, reason = o.text("reviewer"), o.text("reason")
    if not reviewer.strip() or len(reviewer) > 60:
        raise InputError(f"{o.at('reviewer')}: must be 1 to 60 characters")
    if not reason.strip() or len(reason) > 2000:
        raise InputError(f"{o.at('reason')}: must be 1 to 2000 characters")
    return {
        "reviewer": reviewer,
        "reason": reason,
        "day": o.opt_day("day"),
        "recovered_fen": o.opt_money("recovered"),
    }


def transition(
    ctx: Context, case_id: str, action: str, data: object, actor: Actor = SYSTEM
) -> dict[str, Any]:
    """``review`` | ``confirm`` | ``dismiss`` a case; one transaction with its event (and, on
    confirmation, the clawback journal). An illegal move is a :class:`Conflict` naming both
    states; confirming a confirmed case again returns it unchanged."""
    if action not in ("review", "confirm", "dismiss"):
        raise InputError(f"action: expected review, confirm or dismiss, got {action!r}")
    d = read_decision(data, action)
    day: date = d["day"] or date.today()
    tc = t.supervision_cases.c
    with ctx.engine.begin() as conn:
        row = conn.execute(
            select(t.supervision_cases).where(tc.case_id == case_id).with_for_update()
        ).first()
        if row is None:
            raise NotFound(f"case_id: unknown case {case_id!r}")
        events = _events(conn, [case_id]).get(case_id, [])
        if action == "confirm" and row.status == sc.State.CONFIRMED:
            return case_view(row, events) | {"replayed": True}
        case = _case(row, events)
        try:
            if action == "review":
                moved = sc.start_review(case, d["reviewer"], day, d["reason"])
            elif action == "dismiss":
                moved = sc.dismiss(case, d["reviewer"], day, d["reason"])
            else:
                if case.state is not sc.State.UNDER_REVIEW:
                    raise sc.CaseError(
                        f"case {case_id}: cannot go from {case.state} to {sc.State.CONFIRMED}"
                    )
                recovered = d["recovered_fen"]
                if recovered is None:
                    recovered = case.flagged_fen
                if not 0 < recovered <= case.flagged_fen:
                    raise InputError(
                        f"confirm.recovered: must be above 0 and at most the flagged "
                        f"{yuan(case.flagged_fen)}, got {yuan(recovered)}"
                    )
                moved = sc.confirm(case, d["reviewer"], day, d["reason"], recovered)
        except sc.CaseError as e:
            raise Conflict(f"status: {e}") from None
        journal_id = None
        if moved.state is sc.State.CONFIRMED:
            j = sc.clawback_journal(moved, f"clawback:{case_id}", day)
            repo.insert_journal(conn, j)
            journal_id = j.journal_id
        at = repo.now()
        res = conn.execute(
            update(t.supervision_cases)
            .where(tc.case_id == case_id, tc.status == row.status)
            .values(
                status=moved.state.value,
                recovered_fen=moved.recovered_fen,
                journal_id=journal_id,
                updated_at=at,
            )
        )
        if res.rowcount != 1:  # the row lock makes this impossible; refuse rather than lose it
            raise RuntimeError(f"case {case_id} changed underneath")
        _add_event(conn, case_id, row.status, moved.events[-1], at)
        repo.audit(conn, actor.actor_id, actor.role, f"case.{action}", case_id, d["reason"])
        row = conn.execute(select(t.supervision_cases).where(tc.case_id == case_id)).one()
        events = _events(conn, [case_id]).get(case_id, [])
    return case_view(row, events)


def provider_credit(ctx: Context, provider_id: str) -> dict[str, Any]:
    """The provider's credit score (信用评价) from its stored closed cases."""
    with ctx.engine.connect() as conn:
        found = conn.execute(
            select(t.providers.c.provider_id).where(t.providers.c.provider_id == provider_id)
        ).first()
        if found is None:
            conn.rollback()
            raise NotFound(f"provider_id: unknown provider {provider_id!r}")
        rows = conn.execute(
            select(t.supervision_cases).where(t.supervision_cases.c.provider_id == provider_id)
        ).all()
        conn.rollback()
    credit = sc.credit_scores((_case(r, []) for r in rows), [provider_id])[provider_id]
    return {
        "provider_id": credit.provider_id,
        "score": credit.score,
        "grade": credit.grade,
        "confirmed": credit.confirmed,
        "dismissed": credit.dismissed,
        "recovered": yuan(credit.recovered_fen),
    }

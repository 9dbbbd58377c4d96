"""A person's record as the console and the portal show it (参保人信息): search, the
individual account's transactions, contributions, filings, and the year's accumulators drawn
against the limits of the person's policy (deductible, ceiling, critical illness threshold).

Every read of personal data is audited, as in :mod:`yibao.service.registration`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from yibao.enroll.idcard import mask
from yibao.ledger.model import Fund, Kind
from yibao.service.context import SYSTEM, Actor, Context, NotFound
from yibao.service.contributions import contribution_ref
from yibao.service.registration import mask_name
from yibao.settle.model import Accumulators, Person
from yibao.settle.rules import RuleKey, resolve_rules
from yibao.store import repo
from yibao.store import tables as t
from yibao.types import AssistanceCategory, Level, PersonType, Route, Scheme, Sex, VisitType

SEARCH_LIMIT = 50


def _id_pattern(query: str) -> tuple[str, str] | None:
    """A masked identity number (``990101********0011``) as (prefix, suffix), else None."""
    if "*" not in query:
        return None
    head, _, tail = query.strip().partition("*")
    return head, tail.strip("*")


def search_persons(
    ctx: Context, region: str | None, query: str, actor: Actor = SYSTEM
) -> list[dict[str, Any]]:
    """Persons (of ``region``) whose name, insured number or masked identity number matches.

    The identity number is matched only by its shown parts (region prefix, last four), so
    a search never reveals more than the masked form."""
    q = query.strip()
    if not q:
        return []
    p = t.persons.c
    ident = _id_pattern(q)
    if ident is not None:
        head, tail = ident
        cond: ColumnElement[bool] = p.id_number.like(f"{head}%") & p.id_number.like(f"%{tail}")
    else:
        cond = or_(p.name.like(f"%{q}%"), p.person_id == q, p.id_number.like(f"%{q}"))
    stmt = select(t.persons).where(cond).order_by(p.person_id).limit(SEARCH_LIMIT)
    if region is not None:
        stmt = stmt.where(p.region == region)
    with ctx.engine.begin() as conn:
        rows = conn.execute(stmt).all()
        repo.audit(conn, actor.actor_id, actor.role, "persons.search", region or "*", q[:100])
    return [
        {
            "person_id": r.person_id,
            "name": mask_name(r.name),
            "id_number": mask(r.id_number),
            "region": r.region,
            "birth_date": r.birth_date.isoformat(),
        }
        for r in rows
    ]


def account_transactions(
    ctx: Context, person_id: str, actor: Actor = SYSTEM
) -> list[dict[str, Any]]:
    """Every movement of the individual account (个人账户), oldest first, with the balance."""
    c, j = t.postings.c, t.journals.c
    stmt = (
        select(j.day, j.kind, j.ref, j.journal_id, c.amount)
        .join(t.journals, j.journal_id == c.journal_id)
        .where(
            c.fund == Fund.INDIVIDUAL_ACCOUNTS.value,
            c.kind == Kind.PERSONAL.value,
            c.sub == person_id,
        )
        .order_by(j.day, c.posting_id)
    )
    with ctx.engine.begin() as conn:
        rows = conn.execute(stmt).all()
        repo.audit(conn, actor.actor_id, actor.role, "account.read", person_id)
    out, balance = [], 0
    for r in rows:
        change = -int(r.amount)  # the account is owed to the person: a credit raises it
        balance += change
        out.append(
            {"day": r.day, "kind": r.kind, "ref": r.ref, "change": change, "balance": balance}
        )
    return out


def contributions_of(
    ctx: Context, person_id: str, until: date, months: int = 36
) -> list[dict[str, Any]]:
    """The person's contribution journals (征缴) of the ``months`` months up to ``until``:
    what was raised, all funds. Looked up by their references
    (:func:`~yibao.service.contributions.contribution_ref`): an index lookup, not a scan."""
    refs = []
    year, month = until.year, until.month
    for _ in range(months):
        refs.append(contribution_ref(f"{year}-{month:02d}", person_id))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    c, j = t.postings.c, t.journals.c
    stmt = (
        select(j.day, j.ref, func.sum(c.amount).label("income"))
        .join(t.journals, j.journal_id == c.journal_id)
        .where(j.kind == "contribution", j.ref.in_(refs), c.kind == Kind.INCOME.value)
        .group_by(j.day, j.ref)
        .order_by(j.day)
    )
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt).all()
        conn.rollback()
    return [{"day": r.day, "month": r.ref.split("/")[0], "amount": -int(r.income)} for r in rows]


def filings_of(ctx: Context, person_id: str) -> list[dict[str, Any]]:
    """Cross-region filings (异地就医备案), newest first."""
    f = t.filings.c
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(t.filings).where(f.person_id == person_id).order_by(f.start_date.desc())
        ).all()
        conn.rollback()
    return [
        {
            "filing_id": r.filing_id,
            "treatment_region": r.treatment_region,
            "from": r.start_date,
            "to": r.end_date,
            "status": r.status,
            "recorded_by": r.recorded_by,
        }
        for r in rows
    ]


def year_standing(
    ctx: Context, person_id: str, day: date, actor: Actor = SYSTEM
) -> dict[str, Any] | None:
    """The year's accumulators against the limits of an inpatient stay on ``day`` (local,
    at a level-2 hospital): the deductible of the next admission, the pooled-fund ceiling and
    what is used of it, the critical illness threshold and the compliant self-pay towards it.
    None when the person is not enrolled on ``day``."""
    with ctx.engine.begin() as conn:
        person = repo.get_person(conn, person_id)
        if person is None:
            raise NotFound(f"person_id: unknown person {person_id!r}")
        e = repo.enrollment_on(conn, person_id, day)
        stored = repo.get_accumulators(conn, person_id, day.year)
        repo.audit(conn, actor.actor_id, actor.role, "accumulators.read", person_id, str(day))
    if e is None:
        return None
    acc = replace(stored[0] if stored else Accumulators(year=day.year), account_balance=0)
    age = Person(
        person_id,
        Scheme(e.scheme),
        PersonType(e.person_type),
        Sex(person.sex),
        person.birth_date,
        e.region,
    ).age_on(day)
    key = RuleKey(
        Scheme(e.scheme),
        PersonType(e.person_type),
        VisitType.INPATIENT,
        Level.L2,
        Route.LOCAL,
        age,
        AssistanceCategory(e.category) if e.category else None,
        day,
    )
    rules = resolve_rules(ctx.chain(e.region, "person.region"), key)
    b, ci = rules.basic, rules.critical_illness
    pool = acc.pool(VisitType.INPATIENT)
    group = b.ceiling_group
    ci_threshold = next(
        (ci.schedule.lower(i) for i, rate in enumerate(ci.schedule.rates) if rate > 0), None
    )
    return {
        "year": day.year,
        "scheme": e.scheme,
        "admissions": pool.admissions,
        "scope": pool.scope,
        "deductible_paid": pool.deductible,
        "next_deductible": b.nominal_deductible(pool.admissions + 1),
        "ceiling_kind": b.ceiling_kind,
        "ceiling": b.ceiling_amount,
        "ceiling_used": (
            acc.ceiling_fund.get(group, 0)
            if b.ceiling_kind == "fund"
            else acc.ceiling_scope.get(group, 0)
        )
        if group
        else 0,
        "ci_enabled": ci.enabled,
        "ci_threshold": ci_threshold,
        "ci_base": acc.ci_base,
        "ci_paid": acc.ci_paid,
        "large_amount_paid": acc.large_amount_paid,
        "assistance_paid": acc.assistance_paid,
        "citations": {
            k: [(c.path, c.reference.title) for c in v] for k, v in rules.citations.items()
        },
    }

"""The monthly contribution run (月度征缴): every enrollment of a region in force on the
first of the month posts its contribution; residents post their year in its first month."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import insert, or_, select

from yibao.enroll.contributions import (
    employee_contribution,
    employee_parameters,
    resident_contribution,
    resident_parameters,
)
from yibao.errors import InputError
from yibao.ledger.postings import (
    EmployeeContributionFacts,
    ResidentContributionFacts,
    employee_contribution_journal,
    resident_contribution_journal,
    retiree_credit_journal,
)
from yibao.service.context import SYSTEM, Actor, Context
from yibao.store import repo
from yibao.store import tables as t
from yibao.types import AssistanceCategory


def parse_month(month: str, where: str = "month") -> date:
    try:
        y, m = month.split("-")
        if len(y) != 4 or len(m) != 2:
            raise ValueError
        return date(int(y), int(m), 1)
    except ValueError:
        raise InputError(f"{where}: expected YYYY-MM, got {month!r}") from None


def contribution_ref(month: str, person_id: str) -> str:
    """The reference of a person's contribution journal of ``month`` (YYYY-MM)."""
    return f"{month}/{person_id}"


def contribution_run(
    ctx: Context,
    region: str,
    month: str,
    unpaid_employers: Iterable[str] = (),
    actor: Actor = SYSTEM,
) -> dict[str, Any]:
    """Post the month's contributions of ``region``; employers in ``unpaid_employers`` have
    not paid (欠费): their contributions become receivables and credit no account. Running a
    month twice posts nothing the second time."""
    day = parse_month(month)
    chain = ctx.chain(region, "region")
    unpaid = set(unpaid_employers)
    with ctx.engine.begin() as conn:
        done = conn.execute(
            select(t.contribution_runs).where(
                t.contribution_runs.c.region == region, t.contribution_runs.c.month == month
            )
        ).first()
        if done is not None:
            return {"region": region, "month": month, "journals": done.journals, "replayed": True}
        rows = conn.execute(
            select(t.enrollments)
            .where(
                t.enrollments.c.region == region,
                t.enrollments.c.start_date <= day.replace(day=28),
                or_(t.enrollments.c.end_date.is_(None), t.enrollments.c.end_date >= day),
            )
            .order_by(t.enrollments.c.person_id)
        ).all()
        totals = {
            "employer": 0,
            "employee": 0,
            "to_account": 0,
            "retiree_credit": 0,
            "resident_individual": 0,
            "resident_assistance": 0,
            "subsidy": 0,
            "arrears": 0,
        }
        count = 0
        for e in rows:
            jid = f"C-{region}-{month}-{e.person_id}"
            ref = contribution_ref(month, e.person_id)
            if e.scheme == "employee":
                params = employee_parameters(chain, day)
                person = repo.get_person(conn, e.person_id, lock=True)
                if person is None:  # the enrollment's foreign key
                    raise RuntimeError(f"enrollment of {e.person_id} without a person")
                if e.person_type == "active":
                    c = employee_contribution(e.wage or 0, params)
                    paid = e.employer_id not in unpaid
                    j = employee_contribution_journal(
                        jid,
                        EmployeeContributionFacts(
                            ref,
                            day,
                            region,
                            e.person_id,
                            e.employer_id or "",
                            c.employer,
                            c.employee,
                            c.to_account,
                            paid,
                        ),
                    )
                    credit = c.to_account if paid else 0
                    totals["employer"] += c.employer
                    totals["employee"] += c.employee
                    totals["to_account"] += credit
                    totals["arrears"] += 0 if paid else c.total
                else:
                    credit = params.retiree_account_credit
                    if not credit:
                        continue
                    j = retiree_credit_journal(jid, day, ref, region, e.person_id, credit)
                    totals["retiree_credit"] += credit
                if j.postings:
                    repo.insert_journal(conn, j)
                if credit:
                    repo.set_account_balance(
                        conn, e.person_id, person.account_balance + credit, person.version
                    )
            else:
                first = max(e.start_date, date(day.year, 1, 1))
                if (first.year, first.month) != (day.year, day.month):
                    continue  # a resident's year is posted once, in its first month
                category = repo.assistance_on(conn, e.person_id, day)
                rp = resident_parameters(
                    chain, day, AssistanceCategory(category) if category else None
                )
                rc = resident_contribution(rp)
                j = resident_contribution_journal(
                    jid,
                    ResidentContributionFacts(
                        ref, day, region, rc.by_person, rc.by_assistance, rc.central, rc.local
                    ),
                )
                if j.postings:
                    repo.insert_journal(conn, j)
                totals["resident_individual"] += rc.by_person
                totals["resident_assistance"] += rc.by_assistance
                totals["subsidy"] += rc.subsidy
            count += 1
        conn.execute(
            insert(t.contribution_runs).values(
                region=region, month=month, journals=count, created_at=repo.now()
            )
        )
        repo.audit(conn, actor.actor_id, actor.role, "contribution.run", region, month)
    return {
        "region": region,
        "month": month,
        "journals": count,
        "replayed": False,
        "totals_fen": totals,
    }

"""Ledger reports over the store: checks, trial balance, monthly statement, clearing."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from yibao.errors import InputError
from yibao.ledger.checks import LedgerView, Violation, net_assets, run_checks
from yibao.ledger.model import Fund, Kind
from yibao.ledger.postings import SettlementFacts
from yibao.service.context import Context
from yibao.service.contributions import parse_month
from yibao.store import repo
from yibao.store import tables as t
from yibao.types import Scheme

# the kinds whose sum is a fund's net assets (结余)
NET_KINDS = (Kind.BANK.value, Kind.RECEIVABLE.value, Kind.PAYABLE.value, Kind.PERSONAL.value)


def _facts(row: Any) -> SettlementFacts:
    p = row.parts
    return SettlementFacts(
        ref=f"{row.provider_id}/{row.claim_no}",
        day=row.settle_date,
        scheme=Scheme(row.scheme),
        insured_region=row.insured_region,
        treatment_region=row.treatment_region,
        person_id=row.person_id,
        provider_id=row.provider_id,
        visit=row.visit,
        pooled_fund=p["pooled_fund"],
        large_amount=p["large_amount"],
        critical_illness=p["critical_illness"],
        assistance=p["assistance"],
        account=p["account"],
    )


def ledger_view(ctx: Context) -> LedgerView:
    """Everything the checks look at, read in one transaction (a consistent snapshot)."""
    with ctx.engine.begin() as conn:
        journals = repo.load_journals(conn)
        settlements = {
            r.journal_id: _facts(r)
            for r in conn.execute(select(t.settlements).where(t.settlements.c.journal_id != ""))
        }
        accounts = {
            r.person_id: r.account_balance
            for r in conn.execute(select(t.persons.c.person_id, t.persons.c.account_balance))
        }
        # the database's own sums: must agree with the journals as loaded
        closings = {
            (r.region, Fund(r.fund)): int(r.total)
            for r in conn.execute(
                select(
                    t.postings.c.region,
                    t.postings.c.fund,
                    func.sum(t.postings.c.amount).label("total"),
                )
                .where(t.postings.c.kind.in_(NET_KINDS))
                .group_by(t.postings.c.region, t.postings.c.fund)
            )
        }
    return LedgerView(
        journals, settlements=settlements, account_balances=accounts, closings=closings
    )


def check_ledger(ctx: Context) -> list[Violation]:
    return run_checks(ledger_view(ctx))


def trial_balance(ctx: Context, region: str | None = None) -> list[dict[str, Any]]:
    """Balance per region × fund × kind × item (persons and providers summed), debit positive."""
    c = t.postings.c
    q = (
        select(c.region, c.fund, c.kind, c.item, func.sum(c.amount).label("balance"))
        .group_by(c.region, c.fund, c.kind, c.item)
        .order_by(c.region, c.fund, c.kind, c.item)
    )
    if region:
        q = q.where(c.region == region)
    with ctx.engine.connect() as conn:
        rows = conn.execute(q).all()
        conn.rollback()
    return [dict(r._mapping) | {"balance": int(r.balance)} for r in rows]


def _month_bounds(month: str) -> tuple[date, date]:
    start = parse_month(month)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


def statement(ctx: Context, region: str, fund: str, month: str) -> dict[str, Any]:
    """收支表: opening net assets, income and expenditure by item, closing net assets."""
    try:
        f = Fund(fund)
    except ValueError:
        choices = ", ".join(x.value for x in Fund)
        raise InputError(f"fund: unknown fund {fund!r}; one of {choices}") from None
    start, end = _month_bounds(month)
    with ctx.engine.connect() as conn:
        before = repo.load_journals(conn)
        conn.rollback()
    opening = net_assets(j for j in before if j.day < start).get((region, f), 0)
    inside = [j for j in before if start <= j.day < end]
    closing = opening + net_assets(inside).get((region, f), 0)
    income: dict[str, int] = {}
    spent: dict[str, int] = {}
    for j in inside:
        for p in j.postings:
            a = p.account
            if a.region == region and a.fund is f:
                if a.kind is Kind.INCOME:
                    income[a.item] = income.get(a.item, 0) - p.amount
                elif a.kind is Kind.EXPENDITURE:
                    spent[a.item] = spent.get(a.item, 0) + p.amount
    return {
        "region": region,
        "fund": f.value,
        "month": month,
        "opening": opening,
        "income": income,
        "expenditure": spent,
        "closing": closing,
        "check": opening + sum(income.values()) - sum(spent.values()) == closing,
    }


def clearing_statement(ctx: Context, month: str) -> list[dict[str, Any]]:
    """异地就医清算: what each insured region owes each treatment region for the month."""
    start, end = _month_bounds(month)
    c, j = t.postings.c, t.journals.c
    q = (
        select(
            c.region,
            c.sub,
            c.fund,
            func.sum(c.amount).label("amount"),
            func.count(func.distinct(c.journal_id)).label("claims"),
        )
        .join(t.journals, t.journals.c.journal_id == c.journal_id)
        .where(c.kind == Kind.PAYABLE.value, c.item == "clearing", j.day >= start, j.day < end)
        .group_by(c.region, c.sub, c.fund)
        .order_by(c.region, c.sub, c.fund)
    )
    with ctx.engine.connect() as conn:
        rows = conn.execute(q).all()
        conn.rollback()
    return [
        {
            "insured_region": r.region,
            "treatment_region": r.sub,
            "fund": r.fund,
            "amount": -int(r.amount),
            "journals": int(r.claims),
        }
        for r in rows
    ]

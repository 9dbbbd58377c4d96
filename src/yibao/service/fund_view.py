"""A region's funds as a fund manager reads them (基金运行): net assets per fund, income and
expenditure by month, and months payable with its warning level (:mod:`yibao.actuarial.warning`).

Sums are the database's (GROUP BY on the postings), so the page costs one query however
many journals there are.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select

from yibao.actuarial.warning import DEFAULT_THRESHOLDS, level, months_payable
from yibao.ledger.model import Kind
from yibao.service.context import Context
from yibao.service.ledger import NET_KINDS
from yibao.store import tables as t


def fund_regions(ctx: Context) -> list[str]:
    """The regions that have postings."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(t.postings.c.region).distinct().order_by(t.postings.c.region))
        out = [str(r.region) for r in rows]
        conn.rollback()
    return out


def fund_overview(ctx: Context, region: str) -> list[dict[str, Any]]:
    """Per fund of ``region``: net assets (结余), income and expenditure by month (fen), and
    months payable from the last twelve months' expenditure (annualised when shorter)."""
    c, j = t.postings.c, t.journals.c
    flows = (
        select(c.fund, c.kind, j.day, func.sum(c.amount).label("amount"))
        .join(t.journals, j.journal_id == c.journal_id)
        .where(c.region == region, c.kind.in_((Kind.INCOME.value, Kind.EXPENDITURE.value)))
        .group_by(c.fund, c.kind, j.day)
    )
    nets = (
        select(c.fund, func.sum(c.amount).label("amount"))
        .where(c.region == region, c.kind.in_(NET_KINDS))
        .group_by(c.fund)
    )
    with ctx.engine.connect() as conn:
        flow_rows = conn.execute(flows).all()
        net_rows = conn.execute(nets).all()
        conn.rollback()
    monthly: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for r in flow_rows:
        month = r.day.strftime("%Y-%m") if isinstance(r.day, date) else str(r.day)[:7]
        cell = monthly[r.fund].setdefault(month, [0, 0])
        if r.kind == Kind.INCOME.value:
            cell[0] -= int(r.amount)  # income is credit-normal
        else:
            cell[1] += int(r.amount)
    out = []
    for fund in sorted(set(monthly) | {r.fund for r in net_rows}):
        balance = next((int(r.amount) for r in net_rows if r.fund == fund), 0)
        months = sorted(monthly.get(fund, {}).items())
        last = months[-12:]
        spent = sum(v[1] for _, v in last)
        annual = spent * 12 // len(last) if last else 0
        m = months_payable(balance, annual)
        thresholds = DEFAULT_THRESHOLDS.get(fund)
        out.append(
            {
                "fund": fund,
                "balance": balance,
                "months": [k for k, _ in months],
                "income": [v[0] for _, v in months],
                "expenditure": [v[1] for _, v in months],
                "months_payable": m,
                "level": level(m, thresholds).value if thresholds else None,
            }
        )
    return out


def payments_by_level(ctx: Context, region: str) -> list[dict[str, Any]]:
    """What each fund of ``region`` paid for its insured, by hospital level (医院等级) of the
    provider, net of reversals; care in another region is one row, ``clearing``."""
    c, j, p = t.postings.c, t.journals.c, t.providers.c
    level = func.coalesce(p.level, c.item).label("level")
    stmt = (
        select(c.fund, level, func.sum(c.amount).label("amount"))
        .join(t.journals, j.journal_id == c.journal_id)
        .outerjoin(t.providers, (c.item == "provider") & (p.provider_id == c.sub))
        .where(
            c.region == region,
            c.kind == Kind.PAYABLE.value,
            c.item.in_(("provider", "clearing")),
            j.kind.in_(("settlement", "reversal", "refund")),
        )
        .group_by(c.fund, level)
        .order_by(c.fund, level)
    )
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt).all()
        conn.rollback()
    return [{"fund": r.fund, "level": r.level, "amount": -int(r.amount)} for r in rows]

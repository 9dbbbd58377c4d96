"""A region's funds as a fund manager reads them (基金运行): net assets per fund, income and
expenditure by month, months payable with its warning level (:mod:`yibao.actuarial.warning`),
and what each fund paid by hospital level.

The figures come from a monthly summary of the ledger (:class:`FundSummary`): sums of the
postings per region × fund × kind × month, and of the payables per provider, materialised once
and then brought up to date with only the postings written since (journals are never changed,
so a sum once made stays exact to the fen). A request therefore reads a few new postings, not
every journal of the year.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from yibao.actuarial.warning import DEFAULT_THRESHOLDS, level, months_payable
from yibao.ledger.model import Fund, Kind
from yibao.service.context import Context
from yibao.service.ledger import NET_KINDS
from yibao.store import tables as t

PAID_BY = ("settlement", "reversal", "refund")  # the journals that make a provider payable


@dataclass
class FundSummary:
    """The ledger summed per (region, fund, kind, "YYYY-MM") and the benefit payables per
    (region, fund, item, sub), over every posting with an id up to ``upto`` except the ids in
    ``gaps`` (ids not committed when the summary read past them: rolled back, or still in a
    transaction that will commit later)."""

    cells: dict[tuple[str, str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    payables: dict[tuple[str, str, str, str], int] = field(default_factory=lambda: defaultdict(int))
    upto: int = 0
    gaps: set[int] = field(default_factory=set)

    def fold(self, conn: Connection, which: Any) -> None:
        """Add the postings ``which`` selects (two GROUP BY queries)."""
        c, j = t.postings.c, t.journals.c
        by_day = (
            select(c.region, c.fund, c.kind, j.day, func.sum(c.amount).label("amount"))
            .join(t.journals, j.journal_id == c.journal_id)
            .where(which)
            .group_by(c.region, c.fund, c.kind, j.day)
        )
        for r in conn.execute(by_day):
            self.cells[(r.region, r.fund, r.kind, _month(r.day))] += int(r.amount)
        paid = (
            select(c.region, c.fund, c.item, c.sub, func.sum(c.amount).label("amount"))
            .join(t.journals, j.journal_id == c.journal_id)
            .where(
                which,
                c.kind == Kind.PAYABLE.value,
                c.item.in_(("provider", "clearing")),
                j.kind.in_(PAID_BY),
            )
            .group_by(c.region, c.fund, c.item, c.sub)
        )
        for r in conn.execute(paid):
            self.payables[(r.region, r.fund, r.item, r.sub)] += int(r.amount)

    def catch_up(self, conn: Connection) -> None:
        """Fold in what committed since: postings past ``upto``, and any gap now filled."""
        c = t.postings.c
        if self.gaps:
            filled = {
                int(r.posting_id)
                for r in conn.execute(select(c.posting_id).where(c.posting_id.in_(self.gaps)))
            }
            if filled:
                self.fold(conn, c.posting_id.in_(filled))
                self.gaps -= filled
        top = int(conn.execute(select(func.coalesce(func.max(c.posting_id), 0))).scalar_one())
        if top <= self.upto:
            return
        window = (c.posting_id > self.upto) & (c.posting_id <= top)
        self.fold(conn, window)
        seen = int(conn.execute(select(func.count()).where(window)).scalar_one())
        if seen < top - self.upto:  # ids skipped: remember them, one query
            ids = {int(r.posting_id) for r in conn.execute(select(c.posting_id).where(window))}
            self.gaps |= set(range(self.upto + 1, top + 1)) - ids
        self.upto = top


def _month(day: Any) -> str:
    return day.strftime("%Y-%m") if isinstance(day, date) else str(day)[:7]


_SUMMARIES: weakref.WeakKeyDictionary[Engine, FundSummary] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def fund_summary(ctx: Context) -> FundSummary:
    """The summary of ``ctx``'s ledger brought up to what has committed: built whole the
    first time, then only the new postings (journals are never changed)."""
    with _LOCK, ctx.engine.connect() as conn:
        s = _SUMMARIES.setdefault(ctx.engine, FundSummary())
        s.catch_up(conn)
        conn.rollback()
        return s


def dashboard(ctx: Context, region: str) -> dict[str, Any]:
    """Everything the fund dashboard shows, from one catch-up of the summary."""
    s = fund_summary(ctx)
    regions = _regions(s)
    region = region or (regions[0] if regions else "")
    return {
        "regions": regions,
        "region": region,
        "overview": _overview(s, region),
        "by_level": _by_level(ctx, s, region),
    }


def _regions(s: FundSummary) -> list[str]:
    return sorted({k[0] for k in s.cells})


def fund_regions(ctx: Context) -> list[str]:
    """The regions that have postings."""
    return _regions(fund_summary(ctx))


def fund_overview(ctx: Context, region: str) -> list[dict[str, Any]]:
    """Per fund of ``region``: net assets (结余), income and expenditure by month (fen), and
    months payable from the last twelve months' expenditure (annualised when shorter)."""
    return _overview(fund_summary(ctx), region)


def _overview(summary: FundSummary, region: str) -> list[dict[str, Any]]:
    monthly: dict[str, dict[str, list[int]]] = defaultdict(dict)
    nets: dict[str, int] = defaultdict(int)
    for (r, fund, kind, month), amount in summary.cells.items():
        if r != region:
            continue
        if kind in NET_KINDS:
            nets[fund] += amount
        elif kind == Kind.INCOME.value:
            monthly[fund].setdefault(month, [0, 0])[0] -= amount  # income is credit-normal
        elif kind == Kind.EXPENDITURE.value:
            monthly[fund].setdefault(month, [0, 0])[1] += amount
    out = []
    order = [f.value for f in Fund]
    for fund in sorted(
        set(monthly) | set(nets),
        key=lambda f: (f not in order, order.index(f) if f in order else 0, f),
    ):
        balance = nets.get(fund, 0)
        months = sorted(monthly.get(fund, {}).items())
        if not months and balance == 0:
            continue  # a fund that only passes money through (the individual accounts' pool)
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
    return _by_level(ctx, fund_summary(ctx), region)


def _by_level(ctx: Context, summary: FundSummary, region: str) -> list[dict[str, Any]]:
    with ctx.engine.connect() as conn:
        levels = {
            r.provider_id: r.level
            for r in conn.execute(select(t.providers.c.provider_id, t.providers.c.level))
        }
        conn.rollback()
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for (r, fund, item, sub), amount in summary.payables.items():
        if r == region:
            lv = (levels.get(sub) or item) if item == "provider" else item
            sums[(fund, lv)] -= amount  # a payable is credit-normal
    return [{"fund": f, "level": lv, "amount": a} for (f, lv), a in sorted(sums.items()) if a]

"""LTC care bills and financing in the fund ledger: idempotency, reversal, all-or-nothing."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from yibao.errors import InputError
from yibao.ledger.checks import CHECKS
from yibao.ledger.model import Fund, Kind, balances
from yibao.ltc.benefit import shipped_pack
from yibao.ltc.care import read_case
from yibao.ltc.financing import QINGDAO_2018
from yibao.service.context import Conflict, Context
from yibao.service.ltc import finance_month, reverse_care, settle_care
from yibao.store import repo

CASE = json.loads(
    (Path(__file__).resolve().parents[3] / "examples" / "ltc" / "case-qingdao.json").read_text()
)


def ltc_balances(ctx: Context) -> dict[tuple[Kind, str], int]:
    with ctx.engine.connect() as conn:
        js = repo.load_journals(conn)
    return {
        (a.kind, a.item): v
        for a, v in balances(js).items()
        if a.fund is Fund.LONG_TERM_CARE and a.kind in (Kind.EXPENDITURE, Kind.INCOME)
    }


def journal_count(ctx: Context) -> int:
    with ctx.engine.connect() as conn:
        return len(repo.load_journals(conn))


def test_bills_post_to_the_ltc_fund_once_and_reverse(ctx: Context) -> None:
    case = read_case(CASE, "case")
    level, first = settle_care(ctx, shipped_pack("qingdao"), case)
    # institution: min(1,984, 60 × 31) × 96 % = 1,785.60; L3 hospital: min(2,300, 2,000) × 90 %
    assert level == 4 and [r.settlement.fund for r in first] == [178560, 180000]
    assert ltc_balances(ctx) == {
        (Kind.EXPENDITURE, "institution"): 178560,
        (Kind.EXPENDITURE, "hospital_l3"): 180000,
    }
    _, again = settle_care(ctx, shipped_pack("qingdao"), case)
    assert all(r.replayed for r in again) and journal_count(ctx) == 2
    rid = reverse_care(ctx, "QD-CARE-01", "B2025-05-01", date(2025, 7, 1))
    assert rid == "LTC-R-QD-CARE-01-B2025-05-01"
    assert ltc_balances(ctx)[(Kind.EXPENDITURE, "institution")] == 0
    with pytest.raises(Conflict, match="already reversed"):
        reverse_care(ctx, "QD-CARE-01", "B2025-05-01", date(2025, 7, 1))


def test_a_resent_bill_with_other_content_is_a_conflict(ctx: Context) -> None:
    settle_care(ctx, shipped_pack("qingdao"), read_case(CASE, "case"))
    changed = copy.deepcopy(CASE)
    changed["bills"][0]["cost"] = "1000"
    with pytest.raises(Conflict, match="other content"):
        settle_care(ctx, shipped_pack("qingdao"), read_case(changed, "case"))


def test_one_ineligible_bill_posts_nothing(ctx: Context) -> None:
    bad = copy.deepcopy(CASE)
    bad["bills"][1]["month"] = "2027-06"  # after the assessment's validity
    with pytest.raises(InputError, match="no valid assessment for 2027-06"):
        settle_care(ctx, shipped_pack("qingdao"), read_case(bad, "case"))
    assert journal_count(ctx) == 0


def test_financing_is_posted_once_per_month_and_balances_per_fund(ctx: Context) -> None:
    bases = {"P1": 750000, "P2": 375000}
    j, again = finance_month(ctx, "370200", date(2025, 5, 1), QINGDAO_2018, bases)
    assert not again
    # 0.5 % of 11,250 = 56.25 pooled; 0.2 % each = 15.00 + 7.50; fiscal 30 × 2 / 12 = 5.00
    assert ltc_balances(ctx) == {
        (Kind.INCOME, "pooled_transfer"): -5625,
        (Kind.INCOME, "account_withholding"): -2250,
        (Kind.INCOME, "fiscal_subsidy"): -500,
    }
    _, again = finance_month(ctx, "370200", date(2025, 5, 1), QINGDAO_2018, bases)
    assert again and journal_count(ctx) == 1
    with pytest.raises(Conflict, match="other bases"):
        finance_month(ctx, "370200", date(2025, 5, 1), QINGDAO_2018, {"P1": 1})
    from yibao.ledger.checks import LedgerView

    view = LedgerView((j,))
    per_fund = list(CHECKS["journals_balance_per_fund"](view))
    assert per_fund == []

"""Supplementary tiers: the facts' worked examples (policy-facts-2 §8, 17-21), packs, ledger."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yibao.ledger.checks import CHECKS, LedgerView
from yibao.ledger.model import Fund, Kind, balances
from yibao.policy.errors import PolicyError
from yibao.settle.parts import Parts
from yibao.tiers.scenario import run_dir, run_file
from yibao.tiers.supplementary import (
    Holder,
    Used,
    parse_tier,
    shipped_tier,
    shipped_tier_ids,
    supplement,
    tier_journal,
)
from yibao.types import PersonType, Scheme, VisitType

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios" / "tiers"
DAY = date(2025, 6, 30)


def holder(*tiers: str, preexisting: bool = False) -> Holder:
    return Holder(Scheme.EMPLOYEE, PersonType.ACTIVE, frozenset(tiers), preexisting)


def test_every_tier_scenario_matches_its_published_figures() -> None:
    results = run_dir(SCENARIOS)
    assert len(results) == 9 and [r.failures for r in results if not r.ok] == []


def test_a_wrong_figure_fails(tmp_path: Path) -> None:
    text = (SCENARIOS / "shenzhen-major-illness-300000.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace('"14000.00"', '"14000.01"'), encoding="utf-8")
    assert run_file(bad).failures == (
        "shenzhen-major-illness-2016/in_catalogue_inpatient: 1400000 fen, expected 14000.01 yuan",
    )


def test_every_shipped_tier_loads() -> None:
    ids = shipped_tier_ids()
    assert len(ids) == 5
    assert {shipped_tier(i).code for i in ids} == {"cvlserv_pay", "hifes_pay", "oth_pay"}


def test_the_deductible_and_cap_run_over_the_year() -> None:
    sz = shipped_tier("shenzhen-major-illness-2016")
    first = Parts(
        total=8000000, scope=8000000, pooled_fund=7200000, coinsurance=800000, cash=800000
    )
    s1 = supplement([sz], holder(sz.tier_id), first, VisitType.INPATIENT, DAY, {})
    assert s1.payments[0].amount == 0  # 8,000 of the 10,000 deductible
    s2 = supplement([sz], holder(sz.tier_id), first, VisitType.INPATIENT, DAY, s1.used)
    assert s2.payments[0].amount == 420000  # (16,000 − 10,000) × 70 %
    ent = shipped_tier("enterprise-example")
    big = Parts(total=10000000, scope=10000000, pooled_fund=9000000, coinsurance=1000000,
                cash=1000000)  # fmt: skip
    used = {"enterprise-example/inpatient": Used(base=0, paid=1900000)}
    s3 = supplement([ent], holder(ent.tier_id), big, VisitType.INPATIENT, DAY, used)
    assert s3.payments[0].amount == 100000  # only 1,000 left of the 20,000 cap


def test_a_tier_the_person_does_not_hold_or_out_of_force_pays_nothing() -> None:
    hu = shipped_tier("huhuibao-2025")
    parts = Parts(total=5000000, scope=5000000, pooled_fund=3000000, coinsurance=2000000,
                  cash=2000000)  # fmt: skip
    assert supplement([hu], holder(), parts, VisitType.INPATIENT, DAY, {}).payments == ()
    late = supplement([hu], holder(hu.tier_id), parts, VisitType.INPATIENT, date(2026, 1, 1), {})
    assert late.payments == () and "not in force" in late.trace[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"position": "before_basic"}, "position 'before_basic' is impossible"),
        ({"kind": "lottery"}, "kind must be one of"),
        ({"bogus": 1}, "unknown key 'bogus'"),
    ],
)
def test_bad_tier_packs_are_refused(change: dict[str, object], message: str) -> None:
    base = {
        "id": "t",
        "name": "t",
        "kind": "commercial",
        "payer": "p",
        "position": "after_assistance",
        "valid_from": "2025-01-01",
        "source": "s",
        "duties": {
            "d": {"covers": "in_catalogue", "visits": ["inpatient"], "ratio": "0.5", "source": "s"}
        },
    }
    with pytest.raises(PolicyError, match=message):
        parse_tier({**base, **change}, "t.yaml")


def test_the_tier_journal_posts_each_payer_apart_and_balances_per_fund() -> None:
    cs, hu = shipped_tier("civil-servant-example"), shipped_tier("huhuibao-2025")
    parts = Parts(total=9000000, full_selfpay=3000000, scope=6000000, deductible=150000,
                  pooled_fund=4000000, coinsurance=1850000, cash=5000000)  # fmt: skip
    s = supplement([cs, hu], holder(cs.tier_id, hu.tier_id), parts, VisitType.INPATIENT, DAY, {})
    j = tier_journal("T-1", "990100", DAY, "C1", "H1", s)
    assert list(CHECKS["journals_balance_per_fund"](LedgerView((j,)))) == []
    b = balances([j])
    spent = {a.fund: v for a, v in b.items() if a.kind is Kind.EXPENDITURE}
    assert set(spent) == {Fund.CIVIL_SERVANT_SUBSIDY, Fund.COMMERCIAL}
    assert sum(spent.values()) == sum(p.amount for p in s.payments)


fen = st.integers(min_value=0, max_value=50_000_00)


@given(out=fen, coins=fen, over=fen, large=fen, account=fen, retired=st.booleans())
def test_tiers_only_move_the_personal_share(
    out: int, coins: int, over: int, large: int, account: int, retired: bool
) -> None:
    large = min(large, over)
    owed = out + coins + over - large
    account = min(account, owed)
    parts = Parts(
        total=out + coins + over + 1000000,
        full_selfpay=out,
        scope=coins + over + 1000000,
        pooled_fund=1000000,
        coinsurance=coins,
        over_ceiling=over,
        large_amount=large,
        account=account,
        cash=owed - account,
    )
    assert parts.violations() == []
    tiers = [shipped_tier(t) for t in ("civil-servant-example", "beijing-puhui-2021")]
    who = Holder(
        Scheme.EMPLOYEE,
        PersonType.RETIRED if retired else PersonType.ACTIVE,
        frozenset(t.tier_id for t in tiers),
    )
    s = supplement(tiers, who, parts, VisitType.INPATIENT, date(2021, 6, 30), {})
    paid = sum(p.amount for p in s.payments)
    assert paid + s.account + s.cash == parts.account + parts.cash
    assert 0 <= s.account <= parts.account and 0 <= s.cash <= parts.cash
    assert all(0 <= p.amount <= p.base for p in s.payments)


def test_ledger_checks_keep_the_new_funds_apart() -> None:
    from yibao.ledger.model import Account, journal

    cs = shipped_tier("civil-servant-example")
    parts = Parts(total=2000000, scope=2000000, pooled_fund=1000000, coinsurance=1000000,
                  cash=1000000)  # fmt: skip
    s = supplement([cs], holder(cs.tier_id), parts, VisitType.INPATIENT, DAY, {})
    good = tier_journal("T-1", "990100", DAY, "C1", "H1", s)
    mixed = journal(
        "T-2", DAY, "supplementary", "C2", "",
        [(Account("990100", Fund.COMMERCIAL, Kind.EXPENDITURE, "x"), 100),
         (Account("990100", Fund.EMPLOYEE_POOLED, Kind.BANK), -100)],
    )  # fmt: skip
    care = journal(
        "L-1", DAY, "ltc_settlement", "B1", "",
        [(Account("990100", Fund.LONG_TERM_CARE, Kind.EXPENDITURE, "x"), 100),
         (Account("990100", Fund.EMPLOYEE_POOLED, Kind.PAYABLE, "provider", "H"), -100)],
    )  # fmt: skip
    view = LedgerView((good, mixed, care))
    assert [(v.check, v.subject) for v in CHECKS["supplementary_payers_apart"](view)] == [
        ("supplementary_payers_apart", "T-2")
    ]
    assert [v.message for v in CHECKS["ltc_fund_kept_apart"](view)] == [
        "care settlement posts to employee_pooled"
    ]

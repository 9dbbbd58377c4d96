"""Posting rules and ledger invariants, with ledgers written in the test."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from yibao.ledger.checks import CHECKS, LedgerView, net_assets, run_checks
from yibao.ledger.model import Account, Fund, Kind, Posting, balances, journal
from yibao.ledger.postings import (
    EmployeeContributionFacts,
    ResidentContributionFacts,
    SettlementFacts,
    employee_contribution_journal,
    resident_contribution_journal,
    retiree_credit_journal,
    reversal,
    settlement_journal,
)
from yibao.types import Scheme

DAY = date(2025, 6, 7)
FACTS = SettlementFacts(
    "H1/C1",
    DAY,
    Scheme.EMPLOYEE,
    "990100",
    "990100",
    "P1",
    "H1",
    "inpatient",
    pooled_fund=1557000,
    large_amount=0,
    critical_illness=0,
    assistance=0,
    account=50000,
)
OPEN = journal(
    "O-P1",
    DAY,
    "opening",
    "P1",
    "opening",
    [
        (Account("990100", Fund.INDIVIDUAL_ACCOUNTS, Kind.BANK, "opening"), 50000),
        (Account("990100", Fund.INDIVIDUAL_ACCOUNTS, Kind.PERSONAL, "", "P1"), -50000),
    ],
)


def test_settlement_journal_posts_each_fund() -> None:
    j = settlement_journal("S1", FACTS)
    got = {str(p.account): p.amount for p in j.postings}
    assert got == {
        "990100:employee_pooled:expenditure:inpatient": 1557000,
        "990100:employee_pooled:payable:provider:H1": -1557000,
        "990100:individual_accounts:personal:P1": 50000,
        "990100:individual_accounts:payable:provider:H1": -50000,
    }
    assert j.is_balanced()


def test_cross_region_settlement_owes_the_treatment_region() -> None:
    j = settlement_journal("S2", replace(FACTS, treatment_region="990200"))
    assert {p.account.sub for p in j.postings if p.account.kind is Kind.PAYABLE} == {"990200"}


@given(
    st.integers(1, 10**7),
    st.integers(0, 10**6),
    st.integers(1, 10**7),
    st.booleans(),
)
def test_contribution_journals_balance_per_fund(
    employer: int, employee: int, extra: int, paid: bool
) -> None:
    to_account = min(employee, extra)
    js = (
        employee_contribution_journal(
            "C1",
            EmployeeContributionFacts(
                "m", DAY, "990100", "P1", "E1", employer, employee, to_account, paid
            ),
        ),
        resident_contribution_journal(
            "C2", ResidentContributionFacts("m", DAY, "990100", employee, extra, employer, 7)
        ),
        retiree_credit_journal("C3", DAY, "m", "990100", "P1", extra),
    )
    assert run_checks(LedgerView(js), ["journals_balance", "journals_balance_per_fund"]) == []


def test_clean_ledger_passes_every_check() -> None:
    s = settlement_journal("S1", FACTS)
    view = LedgerView((OPEN, s), settlements={"S1": FACTS}, account_balances={"P1": 0})
    assert run_checks(view) == []
    assert len(CHECKS) >= 7


def test_reversal_restores_balances() -> None:
    s = settlement_journal("S1", FACTS)
    r = reversal("R1", s, DAY)
    assert r.kind == "reversal" and r.ref == s.ref
    assert all(v == 0 for v in balances([s, r]).values())


def test_parts_differing_from_postings_is_a_violation() -> None:
    s = settlement_journal("S1", FACTS)
    view = LedgerView((OPEN, s), settlements={"S1": replace(FACTS, account=40000)})
    vs = run_checks(view, ["settlement_parts_equal_postings"])
    assert len(vs) == 1 and vs[0].subject == "H1/C1"
    orphan = LedgerView((s,))
    assert run_checks(orphan, ["settlement_parts_equal_postings"])[0].message.startswith(
        "settlement journal without"
    )


def test_double_spend_shows_as_overdraft_and_registry_mismatch() -> None:
    s1 = settlement_journal("S1", FACTS)
    s2 = settlement_journal("S2", replace(FACTS, ref="H1/C2"))
    view = LedgerView(
        (OPEN, s1, s2),
        settlements={"S1": FACTS, "S2": replace(FACTS, ref="H1/C2")},
        account_balances={"P1": 0},
    )
    names = {v.check for v in run_checks(view)}
    assert names == {"no_negative_individual_account", "account_registry_matches_ledger"}


def test_unbalanced_fund_and_wrong_closing() -> None:
    a = Account("990100", Fund.EMPLOYEE_POOLED, Kind.BANK)
    b = Account("990100", Fund.RESIDENT_POOLED, Kind.INCOME)
    j = journal("X", DAY, "transfer", "x", "cross-fund", [(a, 100), (b, -100)])
    assert {v.check for v in run_checks(LedgerView((j,)))} == {"journals_balance_per_fund"}
    key = ("990100", Fund.EMPLOYEE_POOLED)
    assert net_assets([j])[key] == 100
    view = LedgerView((), openings={key: 5}, closings={key: 6})
    assert run_checks(view, ["fund_balance_equals_opening_plus_postings"])[0].subject == (
        "990100:employee_pooled"
    )
    assert run_checks(LedgerView((), openings={key: 6}, closings={key: 6})) == []


def test_unbalanced_journal() -> None:
    a = Account("990100", Fund.EMPLOYEE_POOLED, Kind.BANK)
    bad = journal("B", DAY, "x", "x", "", [(a, 1)])
    assert replace(bad, postings=(Posting(a, 1),)).total() == 1
    assert "journals_balance" in {v.check for v in run_checks(LedgerView((bad,)))}

"""Case state machine, clawback journal and credit score."""

from __future__ import annotations

from datetime import date

import pytest

from yibao.ledger.model import Fund, Kind
from yibao.supervision.cases import (
    CaseError,
    State,
    clawback_journal,
    confirm,
    credit_scores,
    dismiss,
    open_case,
    start_review,
)

DAY = date(2025, 6, 1)


def new(case_id: str = "K1", provider: str = "H1", flagged: int = 500_000) -> object:
    return open_case(
        case_id,
        provider,
        "990100",
        Fund.EMPLOYEE_POOLED,
        ["SPLIT_ADMISSION"],
        ["C1", "C2"],
        flagged,
        "system",
        DAY,
        "rule hits",
    )


def test_open_review_confirm_and_clawback_balances() -> None:
    case = start_review(new(), "reviewer-wang", DAY, "records requested")
    done = confirm(case, "reviewer-wang", DAY, "readmission planned at discharge", 320_000)
    assert done.state is State.CONFIRMED and done.recovered_fen == 320_000
    assert [e.state for e in done.events] == [State.OPEN, State.UNDER_REVIEW, State.CONFIRMED]
    assert done.events[-1].actor == "reviewer-wang"
    j = clawback_journal(done, "J-CB-1", date(2025, 7, 1))
    assert j.is_balanced() and j.kind == "clawback" and j.ref == "K1"
    by_kind = {p.account.kind: p.amount for p in j.postings}
    assert by_kind == {Kind.PAYABLE: 320_000, Kind.INCOME: -320_000}
    assert next(p.account.sub for p in j.postings if p.account.kind is Kind.PAYABLE) == "H1"


def test_dismissed_case_has_no_clawback() -> None:
    case = dismiss(start_review(new(), "li", DAY), "li", DAY, "clinically justified")
    assert case.state is State.DISMISSED and case.closed
    with pytest.raises(CaseError, match="only a confirmed case"):
        clawback_journal(case, "J", DAY)


@pytest.mark.parametrize(
    "move",
    [
        lambda c: confirm(c, "li", DAY, "x", 1),  # open → confirmed skips review
        lambda c: start_review(start_review(c, "li", DAY), "li", DAY),
        lambda c: start_review(dismiss(c, "li", DAY, "no"), "li", DAY),
        lambda c: confirm(start_review(c, "li", DAY), "li", DAY, "x", 600_000),  # > flagged
        lambda c: confirm(start_review(c, "li", DAY), "li", DAY, "x", 0),
        lambda c: dismiss(c, "", DAY, "why"),  # no reviewer
        lambda c: dismiss(c, "li", DAY, " "),  # no reason
    ],
)
def test_forbidden_transitions(move: object) -> None:
    with pytest.raises(CaseError):
        move(new())  # type: ignore[operator]


def test_credit_scores_from_history() -> None:
    bad = confirm(start_review(new("K1", "H1"), "li", DAY), "li", DAY, "x", 500_000)
    bad2 = confirm(start_review(new("K2", "H1"), "li", DAY), "li", DAY, "x", 400_000)
    cleared = dismiss(new("K3", "H2"), "li", DAY, "fine")
    credit = credit_scores([bad, bad2, cleared], ["H1", "H2", "H3"])
    assert credit["H1"].score == 100 - 20 - 9 and credit["H1"].grade == "C"
    assert credit["H1"].recovered_fen == 900_000
    assert credit["H2"].score == 100 and credit["H2"].dismissed == 1
    assert credit["H3"].grade == "A"


def test_cases_from_hits_one_per_provider() -> None:
    from yibao.supervision.cases import cases_from_hits

    hits = [
        {"rule_code": "DUP_SAME_DAY", "claim_id": "C1", "provider_id": "H1", "amount_fen": 300},
        {"rule_code": "SEX_RESTRICTED", "claim_id": "C2", "provider_id": "H1", "amount_fen": 200},
        {"rule_code": "DRG_CC_RATE_PEER", "claim_id": None, "provider_id": "H2", "amount_fen": 0},
        {"rule_code": "UNKNOWN_ITEM", "claim_id": "C9", "provider_id": "H3", "amount_fen": 50},
    ]
    cases = cases_from_hits(hits, "990100", Fund.RESIDENT_POOLED, DAY, min_amount_fen=100)
    assert [c.provider_id for c in cases] == ["H1"]
    assert cases[0].flagged_fen == 500 and cases[0].claim_ids == ("C1", "C2")
    assert cases[0].state is State.OPEN

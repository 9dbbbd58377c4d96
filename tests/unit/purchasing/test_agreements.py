"""Provider agreements: the standing on a day follows NHSA Order No. 2 (policy-facts-2.md §6)."""

from __future__ import annotations

from datetime import date

import pytest

from yibao.errors import InputError
from yibao.purchasing.agreements import (
    ClaimRefused,
    Status,
    agreement_check,
    parse_agreements,
    standing,
)
from yibao.types import VisitType

HEADER = "provider_id,event,day,until,scope,reason,document,score\n"
SIGN = "H1,sign,2024-01-01,2024-12-31,,,AGR-1,\n"


def book(*rows: str):
    return parse_agreements(HEADER + SIGN + "".join(rows), "agreements.csv")


def test_signed_agreement_is_active_within_its_term_only() -> None:
    b = book()
    assert standing(b, "H1", date(2023, 12, 31)).status is Status.NONE
    assert standing(b, "H1", date(2024, 1, 1)).status is Status.ACTIVE
    assert standing(b, "H1", date(2024, 12, 31)).status is Status.ACTIVE
    # Art. 41: without renewal the agreement lapses after its term
    assert standing(b, "H1", date(2025, 1, 1)).status is Status.EXPIRED


def test_voluntary_suspension_ends_the_agreement_after_180_days() -> None:
    # Art. 42: a voluntary suspension is at most 180 days, after which it ends automatically
    b = book("H1,suspend_voluntary,2024-02-01,,,renovation,,\n")
    assert standing(b, "H1", date(2024, 7, 29)).status is Status.SUSPENDED  # day 179
    after = standing(b, "H1", date(2024, 7, 30))  # 2024-02-01 + 180 days
    assert after.status is Status.TERMINATED
    assert "Art. 42" in after.reason


def test_voluntary_suspension_resumed_in_time_keeps_the_agreement() -> None:
    b = book("H1,suspend_voluntary,2024-02-01,,,renovation,,\n", "H1,resume,2024-03-01,,,,,\n")
    assert standing(b, "H1", date(2024, 9, 1)).status is Status.ACTIVE


def test_timed_suspension_resumes_on_its_end_day() -> None:
    b = book("H1,suspend,2024-02-01,2024-04-01,,breach,,\n")
    assert standing(b, "H1", date(2024, 3, 31)).status is Status.SUSPENDED
    assert standing(b, "H1", date(2024, 4, 1)).status is Status.ACTIVE


def test_second_suspension_in_a_term_terminates() -> None:
    # Art. 43: two suspensions in one term → termination is mandatory
    b = book(
        "H1,suspend,2024-02-01,2024-03-01,,breach one,,\n",
        "H1,suspend,2024-06-01,,,breach two,,\n",
    )
    st = standing(b, "H1", date(2024, 6, 1))
    assert st.status is Status.TERMINATED
    assert "Art. 43" in st.reason and "breach two" in st.reason


def test_a_new_term_resets_the_suspension_count() -> None:
    b = book(
        "H1,suspend,2024-02-01,2024-03-01,,breach one,,\n",
        "H1,sign,2025-01-01,2025-12-31,,,AGR-2,\n",
        "H1,suspend,2025-02-01,2025-03-01,,breach two,,\n",
    )
    assert standing(b, "H1", date(2025, 2, 15)).status is Status.SUSPENDED
    assert standing(b, "H1", date(2025, 3, 1)).status is Status.ACTIVE


@pytest.mark.parametrize(
    ("score", "on", "status"),
    [
        ("59.5", date(2024, 6, 2), Status.TERMINATED),  # <60 cancelled
        ("62", date(2024, 11, 30), Status.SUSPENDED),  # 60-65: suspended 6 months
        ("62", date(2024, 12, 1), Status.ACTIVE),  # … and resumed after them
        ("65", date(2024, 6, 2), Status.ACTIVE),  # 65-70 rectify: no change of status
        ("96", date(2024, 6, 2), Status.ACTIVE),
    ],
)
def test_annual_assessment_thresholds(score: str, on: date, status: Status) -> None:
    # local practice (m.274949.com [T]): 65-60 suspended 6 months; <60 cancelled
    b = book(f"H1,assess,2024-06-01,,,,,{score}\n")
    assert standing(b, "H1", on).status is status


def test_claim_in_suspension_is_refused_with_reason() -> None:
    b = book("H1,suspend,2024-02-01,,,overbilling,DEC-7,\n")
    with pytest.raises(ClaimRefused, match=r"suspended since 2024-02-01.*overbilling"):
        agreement_check(b, "H1", VisitType.INPATIENT, date(2024, 2, 10))
    text = agreement_check(b, "H1", VisitType.INPATIENT, date(2024, 1, 31))
    assert "active agreement" in text and "AGR-1" in text


def test_scope_limits_the_services_paid() -> None:
    b = parse_agreements(HEADER + "P1,sign,2024-01-01,2024-12-31,pharmacy,,,\n", "a.csv")
    agreement_check(b, "P1", VisitType.PHARMACY, date(2024, 5, 1))
    with pytest.raises(ClaimRefused, match="outside the agreement scope pharmacy"):
        agreement_check(b, "P1", VisitType.INPATIENT, date(2024, 5, 1))


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("H1,pause,2024-02-01,,,,,\n", r"row 3, column 'event', value 'pause'"),
        ("H1,suspend,2024-02-30,,,,,\n", r"row 3, column 'day', value '2024-02-30'"),
        ("H1,terminate,2024-02-01,,,,,\n", r"row 3: a termination needs its 'reason'"),
        ("H1,resume,2024-02-01,,,,,\n", r"row 3: cannot resume on 2024-02-01"),
        ("H2,suspend,2024-02-01,,,x,,\n", r"row 3: cannot suspend.*no agreement signed"),
        ("H1,assess,2024-02-01,,,,,101\n", r"row 3, column 'score', value '101'"),
        ("H1,assess,2024-02-01,,,,,\n", r"row 3: an assessment needs a 'score'"),
        ("H1,sign,2024-02-01,2024-01-01,,,,\n", r"row 3: a signing needs 'until'"),
        ("H1,sign,2023-02-01,2023-12-31,,,,\n", r"row 3: rows of provider H1 must be in date"),
        ("H1,sign,2025-01-01,2025-12-31,surgery,,,\n", r"row 3, column 'scope', value 'surgery'"),
    ],
)
def test_bad_rows_give_one_line_errors_naming_the_row(rows: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as e:
        book(rows)
    assert "\n" not in str(e.value)
    assert str(e.value).startswith("agreements.csv: row 3")


def test_bad_header_is_named() -> None:
    with pytest.raises(InputError, match=r"missing \['event'\]"):
        parse_agreements("provider_id,day\nH1,2024-01-01\n", "a.csv")

"""LTC eligibility and the worked-example scenarios (policy-facts-2 §1.2, §8)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from yibao.errors import InputError
from yibao.ltc.assess import Assessment, Level
from yibao.ltc.benefit import parse_pack
from yibao.ltc.care import read_case
from yibao.ltc.eligibility import Eligibility, Enrolment, add_months, check
from yibao.ltc.scenario import run_dir, run_file
from yibao.policy.errors import PolicyError
from yibao.types import Scheme

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios" / "ltc"
SIX = Eligibility(frozenset({Scheme.EMPLOYEE}), 24, 6, "test")


def assessment(assessed: date, since: date, until: date = date(2027, 1, 1)) -> Assessment:
    return Assessment("P1", assessed, until, since, {})


def test_every_ltc_scenario_matches_its_published_figures() -> None:
    results = run_dir(SCENARIOS)
    assert len(results) == 9
    assert [r.failures for r in results if not r.ok] == []


def test_a_scenario_with_a_wrong_figure_fails(tmp_path: Path) -> None:
    text = (SCENARIOS / "tengzhou-family-care-30-days.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace('ltc_fund: "900.00"', 'ltc_fund: "899.99"'), encoding="utf-8")
    assert run_file(bad).failures == ("bill TZ-2: ltc_fund 90000 fen, expected 899.99 yuan",)


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2023, 1, 1), 24) == date(2025, 1, 1)


def test_waiting_period_ends_exactly_24_months_after_enrolment() -> None:
    who = Enrolment("P1", Scheme.EMPLOYEE, date(2023, 5, 1))
    a = assessment(date(2025, 1, 10), date(2024, 1, 1))
    check(SIX, Level.SEVERE_I, who, a, Level.SEVERE_I, date(2025, 5, 1), "B1")
    with pytest.raises(InputError, match="waiting period of 24 months"):
        check(SIX, Level.SEVERE_I, who, a, Level.SEVERE_I, date(2025, 4, 1), "B1")


def test_assessment_must_hold_in_the_billed_month() -> None:
    who = Enrolment("P1", Scheme.EMPLOYEE, date(2010, 1, 1))
    a = assessment(date(2025, 3, 10), date(2024, 1, 1), until=date(2025, 8, 31))
    check(SIX, Level.SEVERE_I, who, a, Level.SEVERE_I, date(2025, 3, 1), "B1")  # assessed mid-month
    for month in (date(2025, 2, 1), date(2025, 9, 1)):
        with pytest.raises(InputError, match="no valid assessment"):
            check(SIX, Level.SEVERE_I, who, a, Level.SEVERE_I, month, "B1")


def test_disability_of_exactly_six_months_qualifies() -> None:
    who = Enrolment("P1", Scheme.EMPLOYEE, date(2010, 1, 1))
    check(
        SIX,
        Level.SEVERE_I,
        who,
        assessment(date(2025, 3, 10), date(2024, 9, 10)),
        Level.SEVERE_I,
        date(2025, 4, 1),
        "B1",
    )
    with pytest.raises(InputError, match="shorter than 6 months"):
        check(
            SIX,
            Level.SEVERE_I,
            who,
            assessment(date(2025, 3, 10), date(2024, 9, 11)),
            Level.SEVERE_I,
            date(2025, 4, 1),
            "B1",
        )


CASE = {
    "person": {"id": "P1", "scheme": "employee", "enrolled_since": "2015-01-01"},
    "assessment": {
        "assessed_on": "2025-03-10",
        "valid_until": "2027-03-09",
        "disabled_since": "2024-06-01",
        "scores": {"adl": {}, "cognition": {}, "perception": {}},
    },
    "bills": [{"id": "B1", "provider": "H", "month": "2025-05", "form": "institution", "days": 3}],
}


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("person", "scheme"), "farmer", "person.scheme"),
        (("person", "extra"), 1, "unknown field 'extra'"),
        (("assessment", "scores"), {"adl": {"eating": "5"}}, "expected whole points"),
        (
            ("bills",),
            [{"id": "B1", "provider": "H", "month": "May", "form": "x", "days": 1}],
            "expected a month YYYY-MM",
        ),
        (
            ("bills",),
            [{"id": "B1", "provider": "H", "month": "2025-05", "form": "x", "days": -1}],
            "bills[0].days",
        ),
    ],
)
def test_bad_case_files_are_one_line_errors(
    path: tuple[str, ...], value: object, message: str
) -> None:
    import copy

    case = copy.deepcopy(CASE)
    node: dict[str, object] = case
    for key in path[:-1]:
        node = node[key]  # type: ignore[assignment]
    node[path[-1]] = value
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_case(case, "case.json")


def test_a_pack_without_eligibility_or_with_a_bad_scheme_is_refused() -> None:
    base = {"region": "x", "min_level": 3, "cap_mode": "ratio_then_cap", "rules": {}}
    with pytest.raises(PolicyError, match="needs an eligibility block"):
        parse_pack(base, "x.yaml")
    bad = {**base, "eligibility": {"schemes": ["farmer"], "source": "s"}}
    with pytest.raises(PolicyError, match=r"eligibility\.schemes"):
        parse_pack(bad, "x.yaml")
    neg = {**base, "eligibility": {"schemes": ["employee"], "waiting_months": -1, "source": "s"}}
    with pytest.raises(PolicyError, match="waiting_months"):
        parse_pack(neg, "x.yaml")

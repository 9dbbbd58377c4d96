"""The strict assumption, scenario and threshold files: shipped files parse, bad input is named."""

from __future__ import annotations

from importlib import resources

import pytest

from yibao.actuarial.params import (
    AGE_GROUPS,
    SPEC,
    overlay,
    parse_assumptions,
    parse_scenarios,
    parse_thresholds,
)
from yibao.errors import InputError


def shipped(name: str) -> str:
    return (resources.files("yibao.actuarial") / "assumptions" / name).read_text(encoding="utf-8")


DEFAULT = shipped("default.yaml")


def test_shipped_files_parse_with_every_parameter_and_a_source() -> None:
    p = parse_assumptions(DEFAULT, "default.yaml")
    assert len(p.prefectures) == 12
    assert set(SPEC) <= set(p.values)
    assert all(p.refs[k] for k in SPEC), "every parameter names a reference"
    assert p.table("demography.mortality.male")[-1] > p.table("demography.mortality.male")[5]
    scenarios = parse_scenarios(shipped("scenarios.yaml"), p, "scenarios.yaml")
    assert {s.name for s in scenarios} >= {"baseline", "adjustment-5pct", "unified"}
    limits = parse_thresholds(shipped("warning.yaml"), "warning.yaml")
    assert limits["employee_pooled"].prepay_from == 12
    assert limits["resident_pooled"].prepay_from == 6


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_unknown_parameter_names_file_line_and_key() -> None:
    text = DEFAULT.replace("    wage_growth: 0.05", "    wage_growht: 0.05")
    with pytest.raises(InputError) as e:
        parse_assumptions(text, "a.yaml")
    assert str(e.value) == (
        f"a.yaml:{_line_of(text, 'wage_growht')}: unknown parameter 'economy.wage_growht'"
    )


def test_negative_rate_is_refused() -> None:
    text = DEFAULT.replace("employer_rate: 0.07", "employer_rate: -0.07")
    with pytest.raises(InputError, match=r"a.yaml:\d+: contributions.employer_rate is negative"):
        parse_assumptions(text, "a.yaml")


def test_missing_age_group_is_named() -> None:
    lines = DEFAULT.splitlines()
    start = _line_of(DEFAULT, "    mortality:")
    # drop the "85+" row of the male mortality table that follows
    drop = next(i for i in range(start, len(lines)) if '"85+"' in lines[i])
    text = "\n".join(lines[:drop] + lines[drop + 1 :])
    with pytest.raises(InputError, match=r"demography.mortality.male: missing age group 85\+"):
        parse_assumptions(text, "a.yaml")


def test_missing_parameter_and_prefecture_field() -> None:
    with pytest.raises(InputError, match=r"missing parameter economy\.interest_rate"):
        parse_assumptions(DEFAULT.replace("    interest_rate: 0.015\n", ""), "a.yaml")
    with pytest.raises(InputError, match="prefecture 990100 lacks collection_rate"):
        parse_assumptions(DEFAULT.replace("      collection_rate: 0.98\n", "", 1), "a.yaml")


def test_scenario_errors_name_the_parameter_or_prefecture() -> None:
    base = parse_assumptions(DEFAULT, "a.yaml")
    unknown_param = "scenarios:\n  x:\n    set:\n      pooling.remitance_rate: 0.1\n"
    with pytest.raises(InputError) as e:
        parse_scenarios(unknown_param, base, "s.yaml")
    assert str(e.value) == "s.yaml:4: scenario 'x': unknown parameter 'pooling.remitance_rate'"
    unknown_pref = "scenarios:\n  x:\n    set:\n      prefectures.123456.cost_factor: 1.1\n"
    with pytest.raises(InputError, match=r"s.yaml:4: scenario 'x': unknown prefecture '123456'"):
        parse_scenarios(unknown_pref, base, "s.yaml")
    negative = "scenarios:\n  x:\n    set:\n      pooling.remittance_rate: -0.05\n"
    with pytest.raises(InputError, match=r"s\.yaml:4: pooling\.remittance_rate is negative"):
        parse_scenarios(negative, base, "s.yaml")
    bad_mode = "scenarios:\n  x:\n    set:\n      pooling.mode: national\n"
    with pytest.raises(InputError, match=r"pooling\.mode must be one of"):
        parse_scenarios(bad_mode, base, "s.yaml")


def test_overlay_changes_only_the_named_parameters() -> None:
    base = parse_assumptions(DEFAULT, "a.yaml")
    text = "scenarios:\n  x:\n    set:\n      prefectures.990500.excess_cost_growth: 0.05\n"
    (sc,) = parse_scenarios(text, base, "s.yaml")
    p = overlay(base, sc)
    assert p.pref("990500", "excess_cost_growth") == 0.05
    assert base.pref("990500", "excess_cost_growth") == 0.03
    changed = {k for k in p.values if p.values[k] != base.values[k]}
    assert changed == {"prefectures.990500.excess_cost_growth"}


def test_threshold_errors() -> None:
    bad = "funds:\n  employee_pooled:\n    red_below: 6\n    orange_below: 3\n    normal_up_to: 9\n    excess_above: 15\n    prepay_from: 12\n"
    with pytest.raises(InputError, match="thresholds must rise"):
        parse_thresholds(bad, "w.yaml")
    with pytest.raises(InputError, match=r"w\.yaml:2: unknown fund 'maternity'"):
        parse_thresholds("funds:\n  maternity: {}\n", "w.yaml")


def test_age_groups_cover_0_to_85_plus() -> None:
    assert AGE_GROUPS[0] == "0-4" and AGE_GROUPS[-1] == "85+" and len(AGE_GROUPS) == 18

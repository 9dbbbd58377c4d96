"""The CHS-DRG 1.1 grouper on cases built by hand from the scheme tables (drg_cases.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from yibao.payment.drg import (
    DrgCase,
    DrgResult,
    Status,
    group,
    group_many,
    load_scheme,
)

CASES = yaml.safe_load((Path(__file__).parent / "drg_cases.yaml").read_text(encoding="utf-8"))


def make_case(name: str, fields: dict[str, Any]) -> DrgCase:
    return DrgCase(
        case_id=name,
        sex=fields.get("sex"),
        age_years=fields.get("age_years"),
        age_days=fields.get("age_days"),
        weight_g=fields.get("weight_g"),
        los_days=fields.get("los_days", 5),
        discharge_status="1",
        main_dx=fields["main_dx"],
        other_dx=tuple(fields.get("other_dx", ())),
        procedures=tuple(str(p) for p in fields.get("procedures", ())),
    )


@pytest.mark.parametrize("spec", CASES, ids=[c["name"] for c in CASES])
def test_known_case(spec: dict[str, Any]) -> None:
    result = group(make_case(spec["name"], spec["case"]), explain=True)
    for field, expected in spec["expect"].items():
        assert str(getattr(result, field)) == expected, (field, result)
    for field, unexpected in spec.get("expect_not", {}).items():
        assert getattr(result, field) != unexpected, (field, result)
    for text in spec.get("reason_contains", ()):
        assert text in result.reason, (text, result.reason)
    path = "\n".join(result.path)
    for text in spec.get("path_contains", ()):
        assert text in path, (text, path)


@pytest.mark.parametrize("spec", CASES, ids=[c["name"] for c in CASES])
def test_fast_path_gives_the_same_answer_without_a_path(spec: dict[str, Any]) -> None:
    case = make_case(spec["name"], spec["case"])
    fast, explained = group(case), group(case, explain=True)
    assert fast.path == ()
    assert explained.path
    assert fast == explained._replace(path=())


def test_grouped_results_have_an_empty_reason_and_the_case_id() -> None:
    case = make_case("k-1", {"sex": 1, "age_years": 60, "main_dx": "G45.000"})
    result = group(case)
    assert result == DrgResult("k-1", "MDCB", "BR2", "BR25", Status.GROUPED, "", ())


def test_group_many_keeps_order_and_count() -> None:
    specs = CASES[:10]
    cases = [make_case(c["name"], c["case"]) for c in specs]
    results = list(group_many(cases, "chs-drg-1.1"))
    assert [r.case_id for r in results] == [c["name"] for c in specs]
    assert results == [group(c) for c in cases]


def test_group_many_is_lazy() -> None:
    def endless() -> Any:
        n = 0
        while True:
            n += 1
            yield make_case(str(n), {"sex": 1, "age_years": 60, "main_dx": "G45.000"})

    first = next(iter(group_many(endless())))
    assert first.case_id == "1"


def test_weight_is_not_required_outside_the_newborn_weight_rules() -> None:
    # An adult record with no birth weight groups normally.
    case = make_case("w", {"sex": 1, "age_years": 30, "main_dx": "G45.000"})
    assert group(case).status is Status.GROUPED


def test_unknown_secondary_codes_do_not_fail_the_case() -> None:
    fields = {"sex": 1, "age_years": 60, "main_dx": "G45.000", "other_dx": ["NOT.A.CODE"]}
    assert group(make_case("u", fields)).drg == "BR25"


# --- property: the grouper never raises and its answers are well formed ---------------------

_S = load_scheme()
_DX = sorted(_S.known_dx)
_PROCS = sorted(_S.proc_names)
_MDC_LETTERS = {m.code: m.code[-1] for m in _S.mdcs}


@st.composite
def any_case(draw: st.DrawFn) -> DrgCase:
    age = draw(st.integers(-2, 160))
    return DrgCase(
        case_id="h",
        sex=draw(st.sampled_from([None, 0, 1, 2, 9])),
        age_years=age,
        age_days=draw(st.one_of(st.none(), st.integers(-1, 400))),
        weight_g=draw(st.one_of(st.none(), st.integers(-10, 6000))),
        los_days=draw(st.one_of(st.none(), st.integers(-1, 90))),
        discharge_status=None,
        main_dx=draw(st.one_of(st.sampled_from(_DX), st.just(""), st.just("X99.999"))),
        other_dx=tuple(draw(st.lists(st.sampled_from(_DX), max_size=6))),
        procedures=tuple(draw(st.lists(st.sampled_from(_PROCS), max_size=4))),
    )


@settings(max_examples=300, deadline=None)
@given(any_case())
def test_property_answers_are_well_formed(case: DrgCase) -> None:
    result = group(case, _S)
    assert result.case_id == case.case_id
    if result.status is Status.GROUPED:
        adrg = _S.adrg_by_code[result.adrg]
        assert adrg.mdc == result.mdc
        assert result.adrg[0] == _MDC_LETTERS[result.mdc]
        assert result.drg in {d.code for d in adrg.drgs}
        assert result.reason == ""
    else:
        assert (result.mdc, result.adrg, result.drg) == ("0000", "00", "0000")
        assert result.reason
    explained = group(case, _S, explain=True)
    assert explained._replace(path=()) == result

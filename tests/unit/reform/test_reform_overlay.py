"""Reform files: the strict pack reader with a reform header, and the overlay on a chain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources

import pytest

from yibao.policy.errors import PolicyError
from yibao.policy.pack import PackLevel
from yibao.policy.registry import shipped_packs
from yibao.reform.overlay import (
    affected_regions,
    check_year,
    lay_over,
    load_reform,
    parse_reform,
)

HEAD = """\
reform: cut
name: A cut
region: "990000"
from: 2025-07-01
references:
  plan: {title: "Hypothetical plan", hypothetical: true}
  rand: {title: "Manning et al. 1987", url: "https://example.org/rand"}
"""
BODY = """\
parameters:
  _ref: plan
  resident:
    inpatient:
      deductible:
        amount: {L1: 50}
"""


def refused(text: str) -> str:
    with pytest.raises(PolicyError) as e:
        parse_reform(text, source="r.yaml")
    return str(e.value)


def test_a_reform_takes_its_date_from_from_and_cites_each_value() -> None:
    r = parse_reform(HEAD + BODY, source="r.yaml")
    assert (r.id, r.region, r.start) == ("cut", "990000", date(2025, 7, 1))
    (v,) = r.leaves["resident.inpatient.deductible.amount.L1"]
    assert (v.value, v.start, v.end, v.ref) == (5000, date(2025, 7, 1), None, "plan")
    assert r.references["plan"].hypothetical and not r.references["plan"].synthetic
    assert r.elasticity.value == 0 and r.elasticity.reference is None


def test_an_elasticity_is_cited() -> None:
    text = HEAD + "behaviour:\n  elasticity: {value: -0.2, ref: rand}\n" + BODY
    r = parse_reform(text, source="r.yaml")
    assert r.elasticity.value == Decimal("-0.2")
    assert r.elasticity.reference is not None and r.elasticity.reference.key == "rand"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # unknown leaf
        (HEAD + BODY.replace("amount: {L1: 50}", "amont: {L1: 50}"), "r.yaml:13: unknown key 'amont'"),
        # wrong type
        (HEAD + BODY.replace("{L1: 50}", "{L1: fifty}"), "r.yaml:13: resident.inpatient.deductible.amount.L1"),
        # a value without a reference
        (HEAD + BODY.replace("  _ref: plan\n", ""), "r.yaml:12: 'resident.inpatient.deductible.amount.L1' has a bare value"),
        # a reference that is neither a document nor marked hypothetical
        (HEAD.replace("hypothetical: true", "url: ''") + BODY, "r.yaml:6: reference 'plan' needs a url or 'hypothetical: true'"),
        # 'synthetic' is for demo packs, not for reforms
        (HEAD.replace("hypothetical: true", "synthetic: true") + BODY, "r.yaml:6: unknown key 'synthetic' in reference 'plan'"),
        # a value with dates of its own
        (HEAD + BODY.replace("{L1: 50}", "{L1: {value: 50, from: 2025-08-01}}"), "r.yaml:13: 'resident.inpatient.deductible.amount.L1': a reform value is in force from"),
        # the header
        (HEAD.replace("from: 2025-07-01", "from: 2025-13-01") + BODY, "r.yaml:4: from is not a valid date"),
        (HEAD.replace("reform: cut\n", "") + BODY, "r.yaml:1: missing top-level key 'reform'"),
        (HEAD + "level: reform\n" + BODY, "r.yaml:8: unknown key 'level' in the reform"),
        (HEAD + "behaviour:\n  elasticity: {value: -0.2}\n" + BODY, "r.yaml:9: behaviour.elasticity needs a value and a ref"),
        (HEAD + "behaviour:\n  elasticity: {value: 0.3, ref: rand}\n" + BODY, "r.yaml:9: behaviour.elasticity is a use elasticity and must lie in [-0.9999, 0]"),
        (HEAD + "behaviour:\n  elasticity: {value: -0.2, ref: nobody}\n" + BODY, "r.yaml:9: reference 'nobody' is not declared"),
    ],
)  # fmt: skip
def test_bad_reform_files_are_refused_naming_file_line_and_key(text: str, expected: str) -> None:
    assert expected in refused(text)


def test_the_year_and_the_region_are_checked_against_the_data() -> None:
    r = parse_reform(HEAD + BODY, source="r.yaml")
    registry = shipped_packs()
    with pytest.raises(
        PolicyError, match=r"r\.yaml:4: from: 2025-07-01 lies outside the settled year 2024"
    ):
        check_year(r, 2024)
    check_year(r, 2025)
    unknown = parse_reform(HEAD.replace('"990000"', '"123456"') + BODY, source="r.yaml")
    with pytest.raises(PolicyError, match=r"r\.yaml:3: region: unknown region '123456'"):
        affected_regions(unknown, registry, ["990100"])
    elsewhere = parse_reform(HEAD.replace('"990000"', '"610700"') + BODY, source="r.yaml")
    with pytest.raises(PolicyError, match=r"r\.yaml:3: region: '610700' covers none"):
        affected_regions(elsewhere, registry, ["990100", "990200"])
    assert affected_regions(r, registry, ["990200", "990100", "610700"]) == ["990100", "990200"]


def test_the_reform_is_the_most_local_pack_from_its_start() -> None:
    r = parse_reform(HEAD + BODY, source="r.yaml")
    registry = shipped_packs()
    reformed = lay_over(r, registry, ["990100"])
    pack = reformed.by_region("990100")
    assert (pack.id, pack.level, pack.parent) == ("demo-north+cut", PackLevel.REFORM, "demo-north")
    chain = reformed.chain(pack.id)
    assert [p.id for p in chain.packs] == [
        "demo-north+cut",
        "demo-north",
        "demo-province",
        "national",
    ]
    path = "resident.inpatient.deductible.amount.L1"
    assert chain.get(path, date(2025, 6, 30)).value == 20000  # the baseline before the start
    after = chain.get(path, date(2025, 7, 1))
    assert (after.value, after.pack, after.reference.hypothetical) == (5000, "demo-north+cut", True)
    # the baseline registry is untouched
    assert registry.by_region("990100").id == "demo-north"


@pytest.mark.parametrize(
    "name", ["raise-resident-ceiling", "cut-level1-deductible", "raise-ci-for-poor"]
)
def test_the_shipped_examples_load_and_apply_to_the_demo_province(name: str) -> None:
    path = resources.files("yibao.reform.examples") / f"{name}.yaml"
    with resources.as_file(path) as p:
        r = load_reform(p)
    assert r.id == name
    assert all(ref.hypothetical or ref.url for ref in r.references.values())
    registry = shipped_packs()
    regions = affected_regions(r, registry, ["990100", "990200", "990300"])
    assert regions == ["990100", "990200", "990300"]
    reformed = lay_over(r, registry, regions)
    for path_ in r.leaves:
        for region in regions:
            cited = reformed.chain(reformed.by_region(region).id).get(path_, r.start)
            assert cited.pack.endswith(f"+{name}")

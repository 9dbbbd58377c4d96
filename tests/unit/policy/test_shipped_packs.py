"""The shipped policy packs load strictly, chain, and give the engine every leaf it reads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yibao.policy.pack import Citation, PackLevel, PolicyChain
from yibao.policy.registry import PackRegistry, shipped_packs
from yibao.policy.schema import Band
from yibao.types import PERSON_TYPES_BY_SCHEME, AssistanceCategory, Level, Route, Scheme, VisitType

DAYS = (date(2024, 6, 30), date(2025, 6, 30))
LEVELS = [lv.value for lv in Level]
VISITS = [v.value for v in VisitType]
ROUTES = [r.value for r in Route if r is not Route.LOCAL]
CATEGORIES = [c.value for c in AssistanceCategory]

# Leaves the engine reads for one scheme × visit (by_person override first).
VISIT_LEAVES = [
    "enabled",
    "ceiling_group",
    "deductible.mode",
    *(f"deductible.amount.{lv}" for lv in LEVELS),
    "deductible.factor",
    "deductible.second_factor",
    "deductible.third_factor",
    "deductible.third_fixed",
    "deductible.floor",
    "deductible.annual_cap",
    *(f"fund.bands.{lv}" for lv in LEVELS),
    "fund.basis",
    "fund.scope",
    "fund.ratio_add",
    "fund.age_adjust",
]
SCHEME_LEAVES = [
    "class_b_preself_ratio",
    "large_amount.enabled",
    "large_amount.ratio",
    "large_amount.cap",
    "critical_illness.enabled",
    "critical_illness.threshold",
    "critical_illness.bands",
    "critical_illness.band_basis",
    "critical_illness.cap",
    "critical_illness.includes_preself",
    "critical_illness.tilt.categories",
    "critical_illness.tilt.threshold_factor",
    "critical_illness.tilt.ratio_add",
    "critical_illness.tilt.remove_cap",
    "account.enabled",
    "account.covers",
]
PACK_LEAVES = [
    *(f"cross_region.{r}.{x}" for r in ROUTES for x in ("ratio_cut", "deductible_factor")),
    "assistance.includes_preself",
    *(
        f"assistance.{c}.{x}"
        for c in CATEGORIES
        for x in ("deductible", "ratio", "cap", "tilt.threshold", "tilt.ratio", "tilt.cap")
    ),
]

REAL_PREFECTURES = ("hanzhong", "yantai", "ningbo", "taizhou-zj")
DEMO_PREFECTURES = ("demo-north", "demo-south", "demo-east")


@pytest.fixture(scope="module")
def registry() -> PackRegistry:
    return shipped_packs()


def visit_lookup(
    chain: PolicyChain, scheme: str, visit: str, person: str, leaf: str, day: date
) -> Citation | None:
    """The engine's lookup: the person-type override first, then the visit-level value."""
    return chain.find(f"{scheme}.{visit}.by_person.{person}.{leaf}", day) or chain.find(
        f"{scheme}.{visit}.{leaf}", day
    )


def missing_leaves(chain: PolicyChain, day: date) -> list[str]:
    """Every leaf the engine would read on ``day`` that no pack in the chain sets."""
    missing: list[str] = []
    for scheme in Scheme:
        s = scheme.value
        for leaf in SCHEME_LEAVES:
            if chain.find(f"{s}.{leaf}", day) is None:
                missing.append(f"{s}.{leaf}")
        for visit in VISITS:
            for person in PERSON_TYPES_BY_SCHEME[scheme]:
                p = person.value
                for leaf in VISIT_LEAVES:
                    if visit_lookup(chain, s, visit, p, leaf, day) is None:
                        missing.append(f"{s}.{visit}[{p}].{leaf}")
                group = visit_lookup(chain, s, visit, p, "ceiling_group", day)
                if group is not None and group.value is not None:
                    for part in ("kind", "amount"):
                        path = f"{s}.ceilings.{group.value}.{part}"
                        c = chain.find(path, day)
                        if c is None or c.value is None:
                            missing.append(f"{path} (ceiling of {s}.{visit}[{p}])")
                third_factor = visit_lookup(chain, s, visit, p, "deductible.third_factor", day)
                third_fixed = visit_lookup(chain, s, visit, p, "deductible.third_fixed", day)
                if (third_factor is None or third_factor.value is None) and (
                    third_fixed is None or third_fixed.value is None
                ):
                    missing.append(
                        f"{s}.{visit}[{p}].deductible.third_factor|third_fixed (both null)"
                    )
    for leaf in PACK_LEAVES:
        if chain.find(leaf, day) is None:
            missing.append(leaf)
    return missing


def test_expected_packs_are_shipped(registry: PackRegistry) -> None:
    expected = {"national", "demo-province", "shaanxi", "shandong", "zhejiang"}
    expected |= set(DEMO_PREFECTURES) | set(REAL_PREFECTURES)
    assert expected <= set(registry.packs)


def test_every_pack_chains_to_national(registry: PackRegistry) -> None:
    for pack_id, pack in registry.packs.items():
        chain = registry.chain(pack_id)
        assert chain.packs[-1].id == "national", pack_id
        assert [p.level for p in chain.packs][-1] is PackLevel.NATIONAL
        assert pack.source.endswith(f"{pack_id}.yaml"), "file name must be <pack id>.yaml"


def test_region_codes_are_unique(registry: PackRegistry) -> None:
    regions = [p.region for p in registry.packs.values()]
    assert len(regions) == len(set(regions))
    for pack in registry.packs.values():
        assert len(pack.region) == 6 and pack.region.isdigit(), pack.id


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_national_alone_sets_every_leaf(registry: PackRegistry, day: date) -> None:
    national = PolicyChain((registry.packs["national"],))
    assert missing_leaves(national, day) == []


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_every_prefecture_resolves_every_leaf(registry: PackRegistry, day: date) -> None:
    prefectures = [p for p in registry.packs.values() if p.level is PackLevel.PREFECTURE]
    assert {p.id for p in prefectures} >= set(DEMO_PREFECTURES) | set(REAL_PREFECTURES)
    for pack in prefectures:
        assert missing_leaves(registry.chain(pack.id), day) == [], pack.id


def test_synthetic_and_real_references(registry: PackRegistry) -> None:
    for pack in registry.packs.values():
        if pack.region.startswith("99"):
            # demo packs: every reference synthetic
            assert all(r.synthetic for r in pack.references.values()), pack.id
        elif pack.level is not PackLevel.NATIONAL:
            # real regions: cited, never synthetic
            for ref in pack.references.values():
                assert not ref.synthetic and ref.url, (pack.id, ref.key)
        else:
            for ref in pack.references.values():
                assert ref.synthetic or ref.url, ref.key
                if ref.synthetic:
                    assert "placeholder" in ref.title.lower(), ref.key


def test_bands_are_ratios_and_money_is_fen(registry: PackRegistry) -> None:
    for pack in registry.packs.values():
        for path, versions in pack.leaves.items():
            for v in versions:
                if isinstance(v.value, tuple) and v.value and isinstance(v.value[0], Band):
                    for band in v.value:
                        assert isinstance(band.ratio, Decimal) and 0 <= band.ratio <= 1, path
                        assert band.upto is None or isinstance(band.upto, int), path


# ----------------------------------------------------------------- spot checks of real values

DAY = date(2025, 6, 30)


def test_hanzhong_employee_inpatient(registry: PackRegistry) -> None:
    chain = registry.chain("hanzhong")
    c = chain.get("employee.inpatient.deductible.amount.L3", DAY)
    assert c.value == 200000
    assert c.pack == "hanzhong"
    assert c.reference.key == "hz-employee-2024"
    assert "汉医保发〔2024〕18号" in c.reference.title and "[R]" in c.reference.title
    assert c.reference.url is not None and "policy-facts.md" in c.reference.url
    assert chain.get("employee.inpatient.deductible.amount.L1", DAY).value == 50000
    assert chain.get("employee.inpatient.deductible.second_factor", DAY).value == Decimal("0.9")
    bands = chain.get("employee.inpatient.fund.bands.L2", DAY).value
    assert bands == (Band(None, Decimal("0.92")),)
    assert chain.get("employee.inpatient.by_person.retired.fund.ratio_add", DAY).value == Decimal(
        "0.02"
    )
    assert chain.get("employee.inpatient.ceiling_group", DAY).value == "basic"
    assert chain.get("employee.ceilings.basic.amount", DAY).value == 10_000_000
    assert chain.get("employee.ceilings.basic.kind", DAY).pack == "national"  # inherited default
    assert chain.get("employee.large_amount.cap", DAY).value == 20_000_000
    # facts not in policy-facts.md are inherited, not invented
    assert chain.get("employee.large_amount.ratio", DAY).pack == "national"
    assert chain.get("assistance.dibao.ratio", DAY).pack == "national"


def test_hanzhong_outpatient_resident_ci_cross_region(registry: PackRegistry) -> None:
    chain = registry.chain("hanzhong")
    assert chain.get("employee.outpatient_general.deductible.mode", DAY).value == "annual"
    assert chain.get("employee.outpatient_general.deductible.amount.L2", DAY).value == 20000
    assert chain.get("employee.outpatient_general.fund.bands.L3", DAY).value == (
        Band(None, Decimal("0.5")),
    )
    retired_group = chain.get(
        "employee.outpatient_general.by_person.retired.ceiling_group", DAY
    ).value
    assert chain.get(f"employee.ceilings.{retired_group}.amount", DAY).value == 100000
    assert chain.get("employee.ceilings.outpatient.amount", DAY).value == 80000
    assert chain.get("resident.inpatient.deductible.amount.L2", DAY).value == 70000
    assert chain.get("resident.inpatient.fund.bands.L3", DAY).value == (Band(None, Decimal("0.6")),)
    assert chain.get("resident.ceilings.basic.amount", DAY).value == 15_000_000
    assert chain.get("resident.critical_illness.threshold", DAY).value == 1_000_000
    assert chain.get("resident.critical_illness.bands", DAY).value == (
        Band(3_000_000, Decimal("0.6")),
        Band(10_000_000, Decimal("0.7")),
        Band(None, Decimal("0.8")),
    )
    assert chain.get("resident.critical_illness.cap", DAY).value == 30_000_000
    assert chain.get("cross_region.unfiled.deductible_factor", DAY).value == Decimal("1.2")
    assert chain.get("cross_region.unfiled.ratio_cut", DAY).value == Decimal("0.1")
    assert chain.get("cross_region.referred.ratio_cut", DAY).pack == "national"


def test_yantai_employee_segments(registry: PackRegistry) -> None:
    chain = registry.chain("yantai")
    c = chain.get("employee.inpatient.fund.bands.L3", DAY)
    assert c.value == (
        Band(500_000, Decimal("0.8")),
        Band(1_000_000, Decimal("0.85")),
        Band(None, Decimal("0.9")),
    )
    assert c.reference.url == "www.jiaodong.net/minsheng/system/2020/08/21/014081682.shtml"
    assert chain.get("employee.inpatient.deductible.amount.L2", DAY).value == 50000
    assert chain.get("employee.inpatient.by_person.retired.fund.ratio_add", DAY).value == Decimal(
        "0.05"
    )


def test_ningbo_resident_expense_ceiling(registry: PackRegistry) -> None:
    chain = registry.chain("ningbo")
    assert chain.get("resident.ceilings.basic.kind", DAY).value == "expense"
    c = chain.get("resident.ceilings.basic.amount", DAY)
    assert c.value == 30_000_000
    assert c.reference.url == "http://m.jwbk.com/techan/e0eed0076ac4010ca7eb111d6294a169.html"
    adult = "resident.inpatient.by_person.adult"
    assert chain.get(f"{adult}.ceiling_group", DAY).value == "basic"
    assert chain.get(f"{adult}.deductible.amount.L3", DAY).value == 120000
    assert chain.get(f"{adult}.fund.bands.L3", DAY).value == (Band(None, Decimal("0.7")),)
    assert chain.get("resident.outpatient_general.fund.bands.L1", DAY).value == (
        Band(None, Decimal("0.6")),
    )
    assert chain.get("resident.ceilings.outpatient.kind", DAY).value == "expense"
    assert chain.get("resident.ceilings.outpatient.amount", DAY).value == 300000
    assert chain.get("resident.class_b_preself_ratio", DAY).value == Decimal("0.03")


def test_taizhou_employee(registry: PackRegistry) -> None:
    chain = registry.chain("taizhou-zj")
    assert chain.get("employee.inpatient.deductible.amount.L1", DAY).value == 30000
    assert chain.get("employee.inpatient.deductible.amount.L3", DAY).value == 80000
    assert chain.get("employee.inpatient.fund.bands.L2", DAY).value == (
        Band(4_000_000, Decimal("0.84")),
        Band(None, Decimal("0.9")),
    )
    assert chain.get("employee.ceilings.basic.kind", DAY).value == "expense"
    assert chain.get("employee.ceilings.basic.amount", DAY).value == 40_000_000
    assert chain.get("employee.inpatient.by_person.retired.fund.ratio_add", DAY).value == Decimal(
        "0.04"
    )


def test_national_documents(registry: PackRegistry) -> None:
    chain = registry.chain("national")
    c = chain.get("employee.outpatient_general.fund.bands.L1", DAY)
    assert c.value == (Band(None, Decimal("0.5")),) and "14号" in c.reference.title
    assert chain.get("resident.critical_illness.bands", DAY).value == (Band(None, Decimal("0.6")),)
    assert chain.get("resident.critical_illness.tilt.threshold_factor", DAY).value == Decimal("0.5")
    assert chain.get("resident.critical_illness.tilt.ratio_add", DAY).value == Decimal("0.05")
    assert chain.get("resident.critical_illness.tilt.remove_cap", DAY).value is True
    assert chain.get("assistance.dibao.ratio", DAY).value == Decimal("0.7")
    assert chain.get("assistance.tekun.deductible", DAY).value == 0
    assert chain.get("cross_region.unfiled.ratio_cut", DAY).value == Decimal("0.2")
    assert chain.get("cross_region.emergency.ratio_cut", DAY).value == Decimal("0.1")


def test_demo_variants(registry: PackRegistry) -> None:
    east = registry.chain("demo-east")
    assert east.get("employee.inpatient.fund.scope", DAY).value == "admission"
    assert east.get("employee.ceilings.basic.kind", DAY).value == "expense"
    assert east.get("resident.critical_illness.band_basis", DAY).value == "above_threshold"
    north = registry.chain("demo-north")
    assert north.get("employee.inpatient.deductible.amount.L3", date(2024, 6, 30)).value == 110000
    assert north.get("employee.inpatient.deductible.amount.L3", DAY).value == 100000
    assert north.get("employee.inpatient.deductible.third_fixed", DAY).value == 20000
    assert north.get("resident.critical_illness.threshold", DAY).value == 1_500_000
    assert north.get("employee.large_amount.ratio", DAY).value == Decimal("0.9")
    assert north.get("employee.large_amount.cap", DAY).value == 30_000_000


def test_every_prefecture_resolves_into_settlement_rules() -> None:
    """The engine can build rules for every claim key of every shipped prefecture."""
    from itertools import product

    from yibao.settle.rules import RuleKey, resolve_rules
    from yibao.types import (
        PERSON_TYPES_BY_SCHEME,
        AssistanceCategory,
        Level,
        Route,
        Scheme,
        VisitType,
    )

    registry = shipped_packs()
    for pack in registry.packs.values():
        if pack.level != "prefecture":
            continue
        chain = registry.chain(pack.id)
        for scheme in Scheme:
            for person, visit, level, route, cat in product(
                PERSON_TYPES_BY_SCHEME[scheme],
                VisitType,
                Level,
                Route,
                (None, AssistanceCategory.DIBAO),
            ):
                key = RuleKey(scheme, person, visit, level, route, 72, cat, date(2025, 6, 30))
                rules = resolve_rules(chain, key)
                assert all(0 <= r <= 10_000 for r in rules.basic.schedule.rates)

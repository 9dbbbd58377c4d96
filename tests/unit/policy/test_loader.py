"""The strict pack loader: every refusal names file, line and key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yibao.policy.errors import PolicyError
from yibao.policy.loader import parse_pack
from yibao.policy.pack import PolicyChain
from yibao.policy.registry import shipped_packs

HEAD = """\
pack: city
name: A city
level: prefecture
parent: national
region: "990999"
references:
  doc: {title: "a document", url: "https://example.org/doc"}
parameters:
"""


def pack(body: str) -> str:
    return HEAD + body


def refused(body: str) -> str:
    with pytest.raises(PolicyError) as e:
        parse_pack(pack(body), source="city.yaml")
    return str(e.value)


def test_bare_values_take_period_and_reference_from_above() -> None:
    p = parse_pack(
        pack(
            "  _from: 2024-01-01\n  _ref: doc\n  employee:\n    inpatient:\n"
            "      deductible:\n        amount: {L3: 800}\n"
        )
    )
    (v,) = p.leaves["employee.inpatient.deductible.amount.L3"]
    assert (v.value, v.start, v.end, v.ref, v.line) == (80000, date(2024, 1, 1), None, "doc", 14)


def test_dated_versions_and_layering_over_national() -> None:
    p = parse_pack(
        pack(
            "  employee:\n    class_b_preself_ratio:\n"
            "      - {value: 0.2, from: 2024-01-01, to: 2024-12-31, ref: doc}\n"
            "      - {value: 0.15, from: 2025-01-01, ref: doc}\n"
        )
    )
    chain = PolicyChain((p, *shipped_packs().chain("national").packs))
    assert chain.get("employee.class_b_preself_ratio", date(2024, 6, 1)).value == Decimal("0.2")
    later = chain.get("employee.class_b_preself_ratio", date(2025, 6, 1))
    assert (later.value, later.pack, later.reference.url) == (
        Decimal("0.15"),
        "city",
        "https://example.org/doc",
    )
    national = chain.get("employee.inpatient.enabled", date(2025, 6, 1))
    assert national.pack == "national"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "  _from: 2024-01-01\n  _ref: doc\n  employee:\n    inpatent: {enabled: true}\n",
            "city.yaml:12: unknown key 'inpatent'",
        ),
        (
            "  _from: 2024-01-01\n  _ref: doc\n  employee:\n    class_b_preself_ratio: 1.5\n",
            "city.yaml:12: employee.class_b_preself_ratio is a ratio and must lie in [0, 1]",
        ),
        (
            "  _from: 2024-01-01\n  _ref: doc\n  employee:\n    class_b_preself_ratio: 0.1\n    class_b_preself_ratio: 0.2\n",
            "city.yaml:13: duplicate key 'class_b_preself_ratio'",
        ),
        (
            "  _from: 2024-01-01\n  _ref: doc\n  employee:\n    account: {enabled: yes}\n",
            "account.enabled must be true or false",
        ),
        (
            "  _from: 2024-01-01\n  _ref: doc\n  employee:\n    ceilings: {basic: {amount: -5}}\n",
            "must not be negative",
        ),
        (
            "  _from: 2024-01-01\n  _ref: nowhere\n  employee: {account: {enabled: true}}\n",
            "reference 'nowhere' is not declared",
        ),
        ("  employee: {account: {enabled: true}}\n", "no _from/_ref above it"),
        (
            "  employee:\n    class_b_preself_ratio:\n"
            "      - {value: 0.2, from: 2024-01-01, to: 2024-12-31, ref: doc}\n"
            "      - {value: 0.1, from: 2024-06-01, ref: doc}\n",
            "city.yaml:12: 'employee.class_b_preself_ratio': periods overlap",
        ),
        (
            "  employee:\n    class_b_preself_ratio:\n"
            "      - {value: 0.2, from: 2024-01-01, to: 2024-03-31, ref: doc}\n"
            "      - {value: 0.1, from: 2024-06-01, ref: doc}\n",
            "gap between 2024-03-31 and 2024-06-01",
        ),
        (
            "  _from: 2024-01-01\n  _ref: doc\n  resident:\n    critical_illness:\n"
            "      bands: [{upto: 30000, ratio: 0.6}, {upto: 10000, ratio: 0.7}, {upto: null, ratio: 0.8}]\n",
            "band bounds must increase",
        ),
        (
            "  _from: 2024-01-01\n  _ref: doc\n  employee: {inpatient: {deductible: {mode: weekly}}}\n",
            "unknown value 'weekly'",
        ),
    ],
)
def test_refusals_name_file_line_and_key(body: str, message: str) -> None:
    assert message in refused(body)


def test_malformed_yaml_names_the_line() -> None:
    with pytest.raises(PolicyError, match=r"city.yaml:\d+: malformed YAML"):
        parse_pack(pack("  employee: [unclosed\n"), source="city.yaml")


def test_a_prefecture_must_name_its_parent() -> None:
    with pytest.raises(PolicyError, match="names its parent"):
        parse_pack(HEAD.replace("parent: national\n", "") + "  {}\n")

"""The catalogue registry: the treatment region's catalogue in force on the claim's day."""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

import pytest

from yibao.errors import InputError
from yibao.policy.catalogue import Catalogue, demo_catalogue
from yibao.policy.catalogue_registry import (
    CatalogueRegistry,
    CatalogueVersion,
    claim_catalogue,
    shipped_catalogues,
)
from yibao.settle.model import Claim, Line
from yibao.types import Level, VisitType

DEMO = demo_catalogue()


def _only(code: str, name: str) -> Catalogue:
    return Catalogue("990200", name, "test", MappingProxyType({code: DEMO.items[code]}))


def _claim(region: str, day: date, code: str) -> Claim:
    return Claim(
        claim_id="C1",
        provider_id="S1",
        level=Level.L3,
        visit_type=VisitType.INPATIENT,
        admit_date=day,
        discharge_date=day,
        treatment_region=region,
        lines=(Line(code=code, amount=10000),),
    )


def test_the_version_in_force_on_the_day_applies() -> None:
    v2024 = CatalogueVersion("990200", date(2024, 1, 1), _only("XD0001", "south-2024"))
    v2025 = CatalogueVersion("990200", date(2025, 1, 1), _only("XD0002", "south-2025"))
    reg = shipped_catalogues([v2025, v2024])
    assert reg.lookup("990200", date(2024, 12, 31))[0].name == "south-2024"
    assert reg.lookup("990200", date(2025, 1, 1))[0].name == "south-2025"
    assert reg.lookup("990100", date(2025, 1, 1))[0] is DEMO  # no own catalogue: default
    with pytest.raises(InputError, match="no catalogue registered for region 990200 on 2023"):
        CatalogueRegistry((v2024,)).lookup("990200", date(2023, 6, 1))


def test_unknown_code_names_line_code_and_version() -> None:
    reg = shipped_catalogues(
        [CatalogueVersion("990200", date(2025, 1, 1), _only("XD0001", "south-2025"))]
    )
    assert claim_catalogue(_claim("990200", date(2025, 3, 1), "XD0001"), reg) is not None
    with pytest.raises(
        InputError,
        match=r"claim\.lines\[1\]\.code: unknown catalogue code 'XD0002' "
        r"\(catalogue south-2025 of region 990200 from 2025-01-01\)",
    ):
        claim_catalogue(_claim("990200", date(2025, 3, 1), "XD0002"), reg)


def test_replacing_a_version() -> None:
    reg = CatalogueRegistry()
    reg = reg.with_version(CatalogueVersion("1", date(2025, 1, 1), _only("XD0001", "a")))
    reg = reg.with_version(CatalogueVersion("1", date(2025, 1, 1), _only("XD0001", "b")))
    assert [v.catalogue.name for v in reg.versions] == ["b"]

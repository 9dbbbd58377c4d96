"""The catalogue registry (医保目录库): which catalogue applies in a region on a day.

A claim's lines are priced and classed by the treatment region's catalogue (就医地目录) in
force on the claim's settlement date. Regions register dated catalogue versions; a region
without a version of its own falls back to the registry's default (the shipped synthetic
demo catalogue in :func:`shipped_catalogues`). This module is the one place that decides
which catalogue a claim uses: the API, the CLI and the scenario runner all call
:func:`claim_catalogue`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from yibao.errors import InputError
from yibao.policy.catalogue import Catalogue, demo_catalogue
from yibao.settle.model import Claim
from yibao.settle.split import ItemLookup


@dataclass(frozen=True, slots=True)
class CatalogueVersion:
    """A catalogue in force in ``region`` from ``valid_from`` until the next version."""

    region: str
    valid_from: date
    catalogue: Catalogue

    @property
    def label(self) -> str:
        """How errors name this version: catalogue name, region and first day."""
        return f"{self.catalogue.name} of region {self.region} from {self.valid_from}"


@dataclass(frozen=True, slots=True)
class CatalogueRegistry:
    """Dated catalogue versions per region, and the default for regions without one."""

    versions: tuple[CatalogueVersion, ...] = ()
    default: Catalogue | None = None

    def with_version(self, version: CatalogueVersion) -> CatalogueRegistry:
        """This registry with ``version`` added (replacing one of the same region and day)."""
        kept = tuple(
            v
            for v in self.versions
            if (v.region, v.valid_from) != (version.region, version.valid_from)
        )
        return CatalogueRegistry((*kept, version), self.default)

    def version(self, region: str, day: date) -> CatalogueVersion | None:
        """The region's own version in force on ``day``, if it has one."""
        in_force = [v for v in self.versions if v.region == region and v.valid_from <= day]
        return max(in_force, key=lambda v: v.valid_from) if in_force else None

    def lookup(self, region: str, day: date) -> tuple[Catalogue, str]:
        """The catalogue in force in ``region`` on ``day`` and its label for errors.

        >>> reg = CatalogueRegistry(default=demo_catalogue())
        >>> reg.lookup("610700", date(2025, 3, 1))[1]
        'demo (default catalogue, no catalogue registered for region 610700)'
        """
        found = self.version(region, day)
        if found is not None:
            return found.catalogue, found.label
        if self.default is None:
            raise InputError(f"no catalogue registered for region {region} on {day}")
        label = (
            f"{self.default.name} (default catalogue, no catalogue registered for region {region})"
        )
        return self.default, label


def shipped_catalogues(versions: Iterable[CatalogueVersion] = ()) -> CatalogueRegistry:
    """The registry with the synthetic demo catalogue as default, plus ``versions``."""
    return CatalogueRegistry(tuple(versions), demo_catalogue())


def claim_catalogue(
    claim: Claim, catalogues: CatalogueRegistry, where: str = "claim"
) -> ItemLookup | None:
    """The catalogue for ``claim``'s lines: the treatment region's on the settlement date.

    None when every line states its class itself (no lookup needed). An unknown code is a
    one-line error naming the line, the code and the catalogue version."""
    if all(ln.item_class is not None for ln in claim.lines):
        return None
    catalogue, label = catalogues.lookup(claim.treatment_region, claim.settle_date)
    for i, ln in enumerate(claim.lines, 1):
        if ln.item_class is None and ln.code not in catalogue.items:
            raise InputError(
                f"{where}.lines[{i}].code: unknown catalogue code {ln.code!r} "
                f"(catalogue {label}); give a known code or the line's class"
            )
    return catalogue

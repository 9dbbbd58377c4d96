"""A policy reform (政策调整方案): a dated overlay in the pack format, laid over a region's chain.

A reform file is read by the same strict reader as a policy pack
(:class:`yibao.policy.loader.PackReader`): the same leaves and types, the same errors naming
file, line and key. What differs is the header and the citations::

    reform: raise-resident-ceiling          # an id
    name: Raise the resident inpatient ceiling to 400,000 yuan
    region: "990000"                        # a province (all its prefectures) or a prefecture
    from: 2025-07-01                        # in force from this day to the end of the year
    references:
      proposal:
        title: "Hypothetical: ..."
        hypothetical: true                  # or a url: every value is cited or marked
    behaviour:                              # optional; absent = static (elasticity 0)
      elasticity: {value: -0.2, ref: rand-hie}
    parameters:
      _ref: proposal
      resident:
        ceilings:
          basic: {amount: 400000}

Every value takes its period from ``from``: a reform has one start and no end, so a value
may not carry dates of its own. Laid over a prefecture's chain, the reform is the most local
pack: national → province → prefecture → reform. A lookup on a day before ``from`` finds no
reform version and falls back to the baseline, so one year holds both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from yibao.policy.errors import PolicyError
from yibao.policy.loader import PackReader, read_source
from yibao.policy.pack import Pack, PackLevel, Reference, Version
from yibao.policy.registry import PackRegistry

_TOP_KEYS = {"reform", "name", "region", "from", "references", "behaviour", "parameters"}
_REQUIRED = ("reform", "name", "region", "from", "references", "parameters")


@dataclass(frozen=True, slots=True)
class Elasticity:
    """Elasticity of use to the effective coinsurance rate (需求价格弹性), with its source."""

    value: Decimal
    reference: Reference | None  # None only for the static default 0


STATIC = Elasticity(Decimal(0), None)


@dataclass(frozen=True)
class Reform:
    """A parsed reform file."""

    id: str
    name: str
    region: str
    start: date
    references: Mapping[str, Reference]
    leaves: Mapping[str, tuple[Version, ...]]
    elasticity: Elasticity
    source: str
    region_line: int
    start_line: int

    def error(self, message: str, line: int) -> PolicyError:
        return PolicyError(message, source=self.source, line=line)


def _elasticity(reader: PackReader, node: yaml.Node, refs: Mapping[str, Reference]) -> Elasticity:
    behaviour = reader.mapping(node, "behaviour")
    for key, (knode, _) in behaviour.items():
        if key != "elasticity":
            raise reader.fail(knode, f"unknown key '{key}' in behaviour; allowed: elasticity")
    if "elasticity" not in behaviour:
        return STATIC
    vnode = behaviour["elasticity"][1]
    m = reader.mapping(vnode, "behaviour.elasticity")
    for key, (knode, _) in m.items():
        if key not in ("value", "ref"):
            raise reader.fail(
                knode, f"unknown key '{key}' in behaviour.elasticity; allowed: ref, value"
            )
    if "value" not in m or "ref" not in m:
        raise reader.fail(vnode, "behaviour.elasticity needs a value and a ref (its source)")
    value = reader.decimal(
        m["value"][1], "behaviour.elasticity", Decimal("-0.9999"), Decimal(0), "use elasticity"
    )
    return Elasticity(value, refs[reader.ref(m["ref"][1], set(refs))])


def _check_dates(
    reform_start: date, leaves: Mapping[str, tuple[Version, ...]], reader: PackReader
) -> None:
    for path, versions in leaves.items():
        for v in versions:
            if v.start != reform_start or v.end is not None:
                raise PolicyError(
                    f"'{path}': a reform value is in force from the reform's 'from' "
                    f"({reform_start}) on; remove its own dates",
                    source=reader.source,
                    line=v.line,
                )


def parse_reform(text: str, source: str = "<string>") -> Reform:
    """Parse a reform file; every error names ``source``, line and key."""
    reader = PackReader(text, source)
    top = reader.top("the reform", _TOP_KEYS, _REQUIRED)
    start = reader.day(top["from"][1], "from")
    refs = reader.references(top["references"][1], marker="hypothetical")
    leaves = reader.parameters(top["parameters"][1], set(refs), start)
    if not leaves:
        raise reader.fail(top["parameters"][1], "a reform changes at least one parameter")
    _check_dates(start, leaves, reader)
    elasticity = _elasticity(reader, top["behaviour"][1], refs) if "behaviour" in top else STATIC
    region = reader.text(top["region"][1], "region") or ""
    return Reform(
        id=reader.text(top["reform"][1], "reform") or "",
        name=reader.text(top["name"][1], "name") or "",
        region=region,
        start=start,
        references=refs,
        leaves=leaves,
        elasticity=elasticity,
        source=source,
        region_line=top["region"][1].start_mark.line + 1,
        start_line=top["from"][1].start_mark.line + 1,
    )


def load_reform(path: Path) -> Reform:
    """Read and parse one reform file."""
    return parse_reform(read_source(path), source=str(path))


def check_year(reform: Reform, year: int) -> None:
    """The reform must start inside the year that is settled."""
    if reform.start.year != year:
        raise reform.error(
            f"from: {reform.start} lies outside the settled year {year}", reform.start_line
        )


def affected_regions(reform: Reform, registry: PackRegistry, regions: Iterable[str]) -> list[str]:
    """The regions of the data whose chain contains the reform's region, in code order."""
    known = {p.region for p in registry.packs.values()}
    if reform.region not in known:
        raise reform.error(
            f"region: unknown region {reform.region!r}; known: {', '.join(sorted(known))}",
            reform.region_line,
        )
    regions = sorted(regions)
    out = [
        r
        for r in regions
        if any(p.region == reform.region for p in registry.chain(registry.by_region(r).id).packs)
    ]
    if not out:
        raise reform.error(
            f"region: {reform.region!r} covers none of the regions in the data "
            f"({', '.join(regions)})",
            reform.region_line,
        )
    return out


def lay_over(reform: Reform, registry: PackRegistry, regions: Iterable[str]) -> PackRegistry:
    """``registry`` with the reform laid over each region's most local pack."""
    packs = []
    for region in regions:
        base = registry.by_region(region)
        packs.append(
            Pack(
                id=f"{base.id}+{reform.id}",
                name=f"{base.name} + {reform.name}",
                level=PackLevel.REFORM,
                parent=base.id,
                region=region,
                references=reform.references,
                leaves=reform.leaves,
                source=reform.source,
            )
        )
    return registry.with_packs(packs)

"""Policy packs: dated, cited parameter values for one region (政策参数包).

A pack belongs to a level (national, province, prefecture) and names its parent. Each leaf
holds one or more :class:`Version` s with an effective period and a reference. A
:class:`PolicyChain` layers a prefecture over its province over the national pack: a lookup
takes the most local version in force on the date and cites it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from yibao.policy.errors import PolicyError


class PackLevel(StrEnum):
    """Where a pack sits in the administrative hierarchy."""

    NATIONAL = "national"
    PROVINCE = "province"
    PREFECTURE = "prefecture"
    REFORM = "reform"  # a policy reform laid over a prefecture (see yibao.reform)


@dataclass(frozen=True, slots=True)
class Reference:
    """The document a value comes from (政策文件): a number or title and a URL, or synthetic.

    ``hypothetical`` marks a value a reform proposes rather than one any document sets.
    """

    key: str
    title: str
    url: str | None = None
    synthetic: bool = False
    hypothetical: bool = False


@dataclass(frozen=True, slots=True)
class Version:
    """One value of a leaf in force from ``start`` to ``end`` (inclusive; None = open)."""

    value: object
    start: date
    end: date | None
    ref: str
    line: int

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Pack:
    """A loaded policy pack."""

    id: str
    name: str
    level: PackLevel
    parent: str | None
    region: str
    references: Mapping[str, Reference]
    leaves: Mapping[str, tuple[Version, ...]]
    source: str = "<memory>"


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a parameter value came from: path, value, period, pack and reference."""

    path: str
    value: object
    start: date
    end: date | None
    pack: str
    reference: Reference

    def describe(self) -> str:
        period = f"{self.start.isoformat()}..{self.end.isoformat() if self.end else ''}"
        ref = self.reference.title + (f" <{self.reference.url}>" if self.reference.url else "")
        return f"{self.path} = {self.value} [{period}] ({self.pack}: {ref})"


@dataclass(frozen=True)
class PolicyChain:
    """A prefecture's packs from most local to national, resolved at lookup time."""

    packs: tuple[Pack, ...]
    _cache: dict[tuple[str, date], Citation | None] = field(default_factory=dict, compare=False)

    @property
    def region(self) -> str:
        return self.packs[0].region

    @property
    def id(self) -> str:
        return self.packs[0].id

    def find(self, path: str, day: date) -> Citation | None:
        """The citation for ``path`` on ``day``, or None when no pack sets it then."""
        key = (path, day)
        if key in self._cache:
            return self._cache[key]
        found: Citation | None = None
        for pack in self.packs:
            versions = pack.leaves.get(path)
            if not versions:
                continue
            for v in versions:
                if v.covers(day):
                    found = Citation(path, v.value, v.start, v.end, pack.id, pack.references[v.ref])
                    break
            if found is not None:
                break
        self._cache[key] = found
        return found

    def get(self, path: str, day: date) -> Citation:
        """Like :meth:`find` but a missing value is an error naming the path and date."""
        c = self.find(path, day)
        if c is None:
            raise PolicyError(
                f"no value for '{path}' on {day.isoformat()} in {' → '.join(p.id for p in self.packs)}"
            )
        return c

    def covers(self, day: date) -> bool:
        """True when some version of some leaf is in force on ``day``."""
        return any(v.covers(day) for p in self.packs for vs in p.leaves.values() for v in vs)

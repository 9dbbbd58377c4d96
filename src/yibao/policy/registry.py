"""Finding packs and layering them: national → province → prefecture."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from yibao.policy.errors import PolicyError
from yibao.policy.loader import load_pack, parse_pack
from yibao.policy.pack import Pack, PackLevel, PolicyChain

_ORDER = {
    PackLevel.NATIONAL: 0,
    PackLevel.PROVINCE: 1,
    PackLevel.PREFECTURE: 2,
    PackLevel.REFORM: 3,
}


@dataclass(frozen=True)
class PackRegistry:
    """A set of packs by id."""

    packs: dict[str, Pack]

    def chain(self, pack_id: str) -> PolicyChain:
        """The pack ``pack_id`` layered over its ancestors."""
        if pack_id not in self.packs:
            raise PolicyError(
                f"unknown policy pack '{pack_id}'; known: {', '.join(sorted(self.packs))}"
            )
        chain: list[Pack] = []
        current: str | None = pack_id
        while current is not None:
            if current not in self.packs:
                raise PolicyError(
                    f"pack '{chain[-1].id}' names unknown parent '{current}'",
                    source=chain[-1].source,
                )
            pack = self.packs[current]
            if chain and _ORDER[pack.level] >= _ORDER[chain[-1].level]:
                raise PolicyError(
                    f"pack '{chain[-1].id}' ({chain[-1].level}) has parent '{pack.id}' ({pack.level}) "
                    "that is not above it",
                    source=chain[-1].source,
                )
            chain.append(pack)
            current = pack.parent
        return PolicyChain(tuple(chain))

    def by_region(self, region: str) -> Pack:
        """The most local pack whose region code is ``region`` (a reform laid over a
        prefecture shares its code and wins)."""
        found: Pack | None = None
        for pack in self.packs.values():
            if pack.region == region and (
                found is None or _ORDER[pack.level] > _ORDER[found.level]
            ):
                found = pack
        if found is None:
            raise PolicyError(f"no policy pack for region '{region}'")
        return found

    def with_packs(self, packs: Iterable[Pack]) -> PackRegistry:
        """A registry with ``packs`` added (an added pack replaces one with its id)."""
        merged = dict(self.packs)
        for pack in packs:
            merged[pack.id] = pack
        return PackRegistry(merged)


def _add(packs: dict[str, Pack], pack: Pack) -> None:
    if pack.id in packs:
        raise PolicyError(
            f"pack id '{pack.id}' is defined twice (also in {packs[pack.id].source})",
            source=pack.source,
        )
    packs[pack.id] = pack


def load_directory(directory: Path) -> PackRegistry:
    """Every ``*.yaml`` pack in ``directory``."""
    packs: dict[str, Pack] = {}
    for path in sorted(directory.glob("*.yaml")):
        _add(packs, load_pack(path))
    return PackRegistry(packs)


def shipped_packs() -> PackRegistry:
    """The packs shipped with yibao (national, the demo province, real regions)."""
    packs: dict[str, Pack] = {}
    root = resources.files("yibao.policy") / "packs"
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            _add(packs, parse_pack(entry.read_text(encoding="utf-8"), source=f"packs/{entry.name}"))
    return PackRegistry(packs)


def registry_for(pack_arg: str | None, extra: Iterable[Path] = ()) -> PackRegistry:
    """Shipped packs plus any pack files or directories a user names."""
    reg = shipped_packs()
    added: list[Pack] = []
    for p in extra:
        added.extend(load_directory(p).packs.values() if p.is_dir() else [load_pack(p)])
    return reg.with_packs(added) if added else reg

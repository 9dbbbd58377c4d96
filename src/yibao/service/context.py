"""What every use case needs: the engine, the policy packs, and who is acting."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from yibao.errors import InputError
from yibao.policy.catalogue_registry import CatalogueRegistry, shipped_catalogues
from yibao.policy.errors import PolicyError
from yibao.policy.pack import PolicyChain
from yibao.policy.registry import PackRegistry, shipped_packs
from yibao.purchasing.agreements import AgreementBook


class NotFound(InputError):
    """The thing asked for does not exist (HTTP 404)."""


class Conflict(InputError):
    """The request contradicts what is stored (HTTP 409)."""


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, for the audit log."""

    actor_id: str = "system"
    role: str = "admin"


SYSTEM = Actor()


@dataclass
class Context:
    engine: Engine
    packs: PackRegistry = field(default_factory=shipped_packs)
    catalogues: CatalogueRegistry = field(default_factory=shipped_catalogues)
    agreements: AgreementBook | None = None  # provider agreements; None: not checked (定点协议)
    _chains: dict[str, PolicyChain] = field(default_factory=dict)

    def chain(self, region: str, where: str) -> PolicyChain:
        """The policy chain of a region code; an unknown region is the caller's error."""
        if region not in self._chains:
            try:
                self._chains[region] = self.packs.chain(self.packs.by_region(region).id)
            except PolicyError:
                raise InputError(f"{where}: no policy pack for region {region!r}") from None
        return self._chains[region]

"""What every use case needs: the engine, the policy packs, and who is acting."""

from __future__ import annotations

from dataclasses import dataclass, field
from time import monotonic

from sqlalchemy import Engine

from yibao.errors import InputError
from yibao.policy.catalogue_registry import CatalogueRegistry, shipped_catalogues
from yibao.policy.errors import PolicyError
from yibao.policy.pack import PolicyChain
from yibao.policy.registry import PackRegistry, shipped_packs
from yibao.purchasing.agreements import AgreementBook

# how long a process trusts its copy of the imported catalogues before it asks the database
# whether a newer version was imported (by another process: the CLI, another worker)
CATALOGUE_REFRESH_SECONDS = 5.0


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
    _stored: tuple[CatalogueRegistry, int, float] | None = None  # registry, latest id, when

    def catalogue_registry(self, max_age: float | None = None) -> CatalogueRegistry:
        """The shipped catalogues with every imported version (医保目录库).

        Rebuilt when a version was imported since (by any process), looked at no more than
        every ``max_age`` seconds so the settlement path pays no extra round trip."""
        from yibao.service.catalogues import latest_version_id, stored_registry

        max_age = CATALOGUE_REFRESH_SECONDS if max_age is None else max_age
        now = monotonic()
        if self._stored is not None and now - self._stored[2] < max_age:
            return self._stored[0]
        if self._stored is not None:
            with self.engine.connect() as conn:
                latest = latest_version_id(conn)
            if latest == self._stored[1]:
                self._stored = (self._stored[0], latest, now)
                return self._stored[0]
        reg, latest = stored_registry(self)
        self._stored = (reg, latest, now)
        return reg

    def forget_catalogues(self) -> None:
        """Read the imported catalogues again on the next claim."""
        self._stored = None

    def chain(self, region: str, where: str) -> PolicyChain:
        """The policy chain of a region code; an unknown region is the caller's error."""
        if region not in self._chains:
            try:
                self._chains[region] = self.packs.chain(self.packs.by_region(region).id)
            except PolicyError:
                raise InputError(f"{where}: no policy pack for region {region!r}") from None
        return self._chains[region]

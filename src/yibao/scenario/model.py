"""The records of a scenario and of its run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from yibao.money import Fen
from yibao.policy.pack import PolicyChain
from yibao.purchasing.agreements import AgreementBook
from yibao.purchasing.catalogue_changes import CatalogueChange
from yibao.settle.engine import Settlement
from yibao.settle.model import Accumulators, Claim, Person


@dataclass(frozen=True, slots=True)
class ScenarioClaim:
    """One claim of a scenario with the parts it is expected to settle to (fen)."""

    claim: Claim
    expect: Mapping[str, Fen]
    reset: bool = False  # settle from the scenario's starting accumulators, not the running ones
    note: str = ""
    refused: str | None = None  # expected refusal: a fragment of its reason (不予结算)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A loaded scenario: a policy chain (base pack + overrides), a person, claims in order."""

    name: str
    path: str
    source_url: str | None
    source_note: str
    base: str
    on: date
    chain: PolicyChain
    person: Person
    start: Accumulators
    claims: tuple[ScenarioClaim, ...]
    agreements: AgreementBook | None = None  # provider agreements, when the scenario has them
    catalogue_changes: tuple[CatalogueChange, ...] = ()  # dated changes (目录调整, 集采 link)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """An expected part that the engine settled differently."""

    claim_id: str
    field: str
    expected: Fen
    got: Fen


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """A settled claim of a scenario and how it compares with the expectation."""

    claim_id: str
    settlement: Settlement | None  # None: the claim was refused, as expected
    checked: tuple[str, ...]
    mismatches: tuple[Mismatch, ...]


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """The run of one scenario."""

    scenario: Scenario
    claims: tuple[ClaimResult, ...]

    @property
    def mismatches(self) -> tuple[Mismatch, ...]:
        return tuple(m for c in self.claims for m in c.mismatches)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    @property
    def checks(self) -> int:
        """How many expected values were compared."""
        return sum(len(c.checked) for c in self.claims)

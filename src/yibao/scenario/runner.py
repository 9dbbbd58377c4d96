"""Running a scenario: settle its claims in order and compare each with its expectation."""

from __future__ import annotations

from pathlib import Path

from yibao.errors import InputError
from yibao.io.records import part_value
from yibao.policy.catalogue_registry import claim_catalogue, shipped_catalogues
from yibao.policy.errors import PolicyError
from yibao.policy.registry import PackRegistry
from yibao.purchasing.agreements import ClaimRefused
from yibao.purchasing.catalogue_changes import apply_changes
from yibao.scenario.loader import load_scenario
from yibao.scenario.model import ClaimResult, Mismatch, Scenario, ScenarioResult
from yibao.settle.engine import settle
from yibao.settle.model import Accumulators


def run(scenario: Scenario) -> ScenarioResult:
    """Settle every claim of ``scenario`` over the running accumulators.

    A claim with ``reset`` starts again from the scenario's starting accumulators; a claim in
    a later year starts a new year that keeps only the account balance.
    """
    catalogues = apply_changes(shipped_catalogues(), scenario.catalogue_changes)
    acc = scenario.start
    results: list[ClaimResult] = []
    for i, sc in enumerate(scenario.claims, 1):
        claim = sc.claim
        if sc.reset:
            acc = scenario.start
        year = claim.settle_date.year
        if year != acc.year:
            acc = Accumulators(year=year, account_balance=acc.account_balance)
        where = f"claims[{i}] ({claim.claim_id})"
        try:
            catalogue = claim_catalogue(claim, catalogues)
            s = settle(
                scenario.person, claim, acc, scenario.chain, None, catalogue, scenario.agreements
            )
        except ClaimRefused as e:
            if sc.refused is None or sc.refused not in str(e):
                raise InputError(f"{scenario.path}: {where}: {e}") from None
            results.append(ClaimResult(claim.claim_id, None, ("refused",), ()))
            continue  # nothing settled: the accumulators stay as they were
        except PolicyError as e:
            raise PolicyError(f"{where}: {e}", source=scenario.path) from None
        except InputError as e:
            raise InputError(f"{scenario.path}: {where}: {e}") from None
        if sc.refused is not None:
            raise InputError(
                f"{scenario.path}: {where}: expected a refusal ({sc.refused!r}), but it settled"
            )
        mismatches = tuple(
            Mismatch(claim.claim_id, name, want, part_value(s.parts, name))
            for name, want in sc.expect.items()
            if part_value(s.parts, name) != want
        )
        results.append(ClaimResult(claim.claim_id, s, tuple(sc.expect), mismatches))
        acc = s.after
    return ScenarioResult(scenario, tuple(results))


def run_scenario(path: Path, registry: PackRegistry | None = None) -> ScenarioResult:
    """Load and run the scenario file at ``path``."""
    return run(load_scenario(Path(path), registry))


def scenario_files(paths: list[Path]) -> list[Path]:
    """The scenario files named: files as given, directories as their ``*.yaml`` files."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
            if not found:
                raise InputError(f"{p}: no *.yaml scenario files in this directory")
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or directory")
    return out

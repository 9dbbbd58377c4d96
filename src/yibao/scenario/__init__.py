"""Scenarios: readable YAML files that settle claims under a policy and check the parts.

See ``README.md`` in this package for the file format.
"""

from yibao.scenario.loader import load_scenario, parse_scenario
from yibao.scenario.model import ClaimResult, Mismatch, Scenario, ScenarioClaim, ScenarioResult
from yibao.scenario.runner import run, run_scenario, scenario_files

__all__ = [
    "ClaimResult",
    "Mismatch",
    "Scenario",
    "ScenarioClaim",
    "ScenarioResult",
    "load_scenario",
    "parse_scenario",
    "run",
    "run_scenario",
    "scenario_files",
]

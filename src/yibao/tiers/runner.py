"""Run any scenario of this package: family mutual aid (a ``binding``) or the tiers and the
epidemic overlay over basic parts."""

from __future__ import annotations

from pathlib import Path

from yibao.errors import InputError
from yibao.io.yamlio import parse_yaml, read_text
from yibao.tiers import family_scenario, scenario
from yibao.tiers.scenario import Result


def run_file(path: Path) -> Result:
    data = parse_yaml(read_text(path), str(path))
    if isinstance(data, dict) and "binding" in data:
        return family_scenario.run_file(path)
    return scenario.run_file(path)


def run_path(path: Path) -> list[Result]:
    """A file, or every ``*.yaml`` in a directory."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise InputError(f"{path}: no scenario files")
    return [run_file(f) for f in files]

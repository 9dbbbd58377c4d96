"""``yibao scenarios run``: run scenario files and report every mismatch."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from yibao.errors import InputError
from yibao.money import format_yuan
from yibao.policy.errors import PolicyError
from yibao.scenario import ScenarioResult, run_scenario, scenario_files
from yibao.settle.parts import INTERFACE_CODES


def _diff(results: list[ScenarioResult]) -> Table:
    table = Table(title="mismatches")
    for col in ("scenario", "claim", "part", "code", "expected", "got", "got − expected"):
        table.add_column(
            col, justify="right" if col in ("expected", "got") else "left", overflow="fold"
        )
    for r in results:
        for m in r.mismatches:
            table.add_row(
                r.scenario.name,
                m.claim_id,
                m.field,
                INTERFACE_CODES.get(m.field, ""),
                format_yuan(m.expected),
                format_yuan(m.got),
                format_yuan(m.got - m.expected),
            )
    return table


def register(app: typer.Typer) -> None:
    scenarios = typer.Typer(help="Scenario files: settle claims and check the parts.")

    @scenarios.command("run")
    def run_cmd(
        paths: list[Path] = typer.Argument(..., help="scenario files or directories"),
    ) -> None:
        """Run scenarios; exit 1 on any mismatch, 2 on a file that cannot be run."""
        out, err = Console(), Console(stderr=True)
        files = scenario_files(paths)
        results: list[ScenarioResult] = []
        failed = 0
        summary = Table(title=f"{len(files)} scenario file(s)")
        for col in ("scenario", "claims", "checks", "result"):
            summary.add_column(col, overflow="fold")
        for f in files:
            try:
                r = run_scenario(f)
            except (InputError, PolicyError) as e:
                err.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
                summary.add_row(str(f), "", "", "[red]error[/]")
                failed += 1
                continue
            results.append(r)
            status = "[green]ok[/]" if r.ok else f"[red]{len(r.mismatches)} mismatch(es)[/]"
            summary.add_row(r.scenario.name, str(len(r.claims)), str(r.checks), status)
        out.print(summary)
        checks = sum(r.checks for r in results)
        mismatches = sum(len(r.mismatches) for r in results)
        out.print(
            f"{len(results)} run, {checks} checks, {mismatches} mismatch(es), {failed} error(s)",
            highlight=False,
        )
        bad = [r for r in results if not r.ok]
        if bad:
            out.print(_diff(bad))
        # sys.exit, not typer.Exit: in non-standalone mode click returns an Exit's code
        # instead of raising it, and yibao.cli.main drops that return value.
        if failed:
            sys.exit(2)
        if bad:
            sys.exit(1)

    app.add_typer(scenarios, name="scenarios")

"""``yibao tiers``: supplementary tiers after the basic chain (补充保障层)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import typer
from rich.console import Console


class ScenarioResult(Protocol):
    @property
    def ok(self) -> bool: ...
    @property
    def name(self) -> str: ...
    @property
    def failures(self) -> Sequence[str]: ...


def print_results(results: Sequence[ScenarioResult]) -> None:
    """One line per worked example, its mismatches, a summary; exit 1 when any differs."""
    for r in results:
        print(f"{'ok  ' if r.ok else 'FAIL'} {r.name}")
        for f in r.failures:
            print(f"     {f}")
    bad = sum(not r.ok for r in results)
    Console(stderr=True).print(f"{len(results)} scenarios, {bad} failed", highlight=False)
    if bad:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    tiers = typer.Typer(
        help="Supplementary tiers, epidemic overlay, family mutual aid.", no_args_is_help=True
    )

    @tiers.command("list")
    def list_cmd() -> None:
        """The shipped tiers: id, kind, interface code, payer, settlement and source."""
        from yibao.tiers.supplementary import shipped_tier, shipped_tier_ids

        for tid in shipped_tier_ids():
            t = shipped_tier(tid)
            syn = " [synthetic]" if t.synthetic else ""
            how = "one-stop" if t.one_stop else "claimed later"
            print(f"{t.tier_id}\t{t.kind}\t{t.code}\t{t.payer}\t{how}\t{t.source}{syn}")

    @tiers.command("scenarios")
    def scenarios_cmd(
        path: Path = typer.Argument(..., help="a scenario file or directory"),
    ) -> None:
        """Run supplementary-tier, epidemic and family mutual-aid worked examples; exit 1 when
        any figure differs."""
        from yibao.tiers.runner import run_path

        print_results(run_path(path))

    app.add_typer(tiers, name="tiers")

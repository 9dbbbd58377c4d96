"""``yibao policy``: check and show policy packs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from yibao.policy.registry import registry_for
from yibao.service.policy_view import chain_parameters


def register(app: typer.Typer) -> None:
    policy = typer.Typer(help="Policy packs: check and show.", no_args_is_help=True)

    @policy.command("check")
    def check(paths: list[Path] = typer.Argument(None, help="pack files or directories")) -> None:
        """Load every shipped pack (and the given ones) strictly; exit non-zero on any error."""
        reg = registry_for(None, paths or [])
        for pack_id in sorted(reg.packs):
            reg.chain(pack_id)
        Console().print(f"{len(reg.packs)} packs OK: {', '.join(sorted(reg.packs))}")

    @policy.command("show")
    def show(
        pack: str,
        on: str = typer.Option(None, "--on", help="date YYYY-MM-DD (default today)"),
        prefix: str = typer.Option("", "--prefix", help="only paths starting with this"),
    ) -> None:
        """Print every parameter of PACK in force on a date, with the pack and reference."""
        reg = registry_for(None)
        chain = reg.chain(pack)
        day = date.fromisoformat(on) if on else date.today()
        table = Table(title=f"{pack} on {day}")
        for col in ("path", "value", "from", "pack", "reference"):
            table.add_column(col)
        for row in chain_parameters(chain, day, prefix):
            table.add_row(
                row["path"], str(row["value"]), row["from"], row["pack"], row["reference"]
            )
        Console().print(table)

    app.add_typer(policy, name="policy")

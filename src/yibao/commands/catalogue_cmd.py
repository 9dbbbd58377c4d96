"""``yibao catalogue impact``: budget impact of proposed catalogue changes (目录调整)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import typer

from yibao.errors import InputError
from yibao.io.yamlio import parse_yaml
from yibao.purchasing.catalogue_changes import CatalogueChange, read_change


def load_changes(path: Path) -> tuple[CatalogueChange, ...]:
    """A YAML list of changes (region, day, action, code, document, price_cap | item)."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    data = parse_yaml(path.read_text(encoding="utf-8"), str(path))
    if not isinstance(data, list) or not data:
        raise InputError(f"{path}: expected a non-empty list of catalogue changes")
    out = []
    for i, row in enumerate(data, 1):
        if not isinstance(row, Mapping):
            raise InputError(f"{path}[{i}]: expected a mapping")
        out.append(read_change(row, f"{path}[{i}]"))
    return tuple(out)


def register(app: typer.Typer) -> None:
    cat = typer.Typer(help="Catalogue adjustment (目录调整): budget impact.", no_args_is_help=True)

    @cat.command("impact")
    def impact_cmd(
        changes: Path = typer.Argument(..., help="proposed changes, YAML list"),
        scenarios: list[Path] = typer.Argument(..., help="scenario files or directories"),
    ) -> None:
        """The scenarios' claims settled again with the changes: each fund's cost, the OOP."""
        from yibao.commands.vbp_cmd import print_impact

        print_impact(f"budget impact of {changes.name}", scenarios, load_changes(changes))

    app.add_typer(cat, name="catalogue")

"""``yibao catalogue``: import a region's reimbursement catalogue (医保目录), list, show, and
the budget impact of proposed changes (目录调整)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from yibao.errors import InputError
from yibao.io.yamlio import parse_yaml
from yibao.purchasing.catalogue_changes import CatalogueChange, read_change

if TYPE_CHECKING:
    from yibao.service.context import Context


def _ctx() -> Context:
    from yibao.service.context import Context
    from yibao.store.db import make_engine

    return Context(make_engine())


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
    cat = typer.Typer(
        help="Reimbursement catalogues (医保目录): import, list, show.", no_args_is_help=True
    )

    @cat.command("import")
    def import_(
        file: Path = typer.Argument(..., help="catalogue .csv (UTF-8 or GBK) or .xlsx"),
        region: str = typer.Option(..., "--region", help="the region it applies in"),
        on: str = typer.Option(..., "--on", help="first day in force, YYYY-MM-DD"),
        name: str = typer.Option(None, "--name", help="name of the edition (default: file)"),
        encoding: str = typer.Option(None, "--encoding", help="text encoding (default: detect)"),
        as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
    ) -> None:
        """Check the whole file, then store it as the region's catalogue from --on; on any
        bad row nothing is written and the error names the row and column."""
        from yibao.io.catalogue_file import read_catalogue_file
        from yibao.io.records import day_value
        from yibao.service.catalogues import import_catalogue

        day = day_value(on, "--on")
        catalogue = read_catalogue_file(file, region, name, encoding)
        stored = import_catalogue(_ctx(), catalogue, day)
        if as_json:
            print(json.dumps(stored, ensure_ascii=False))
            return
        Console().print(
            f"imported {stored['items']} items as catalogue version {stored['version_id']} "
            f"of region {stored['region']} from {stored['valid_from']} ({stored['name']})",
            highlight=False,
        )

    @cat.command("list")
    def list_(
        region: str = typer.Option(None, "--region"),
        as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
    ) -> None:
        """The imported catalogue versions; exit 1 when there are none."""
        from yibao.service.catalogues import list_catalogues

        rows = list_catalogues(_ctx(), region)
        if as_json:
            print(json.dumps(rows, ensure_ascii=False))
        elif rows:
            table = Table(title="imported catalogues")
            for col in ("version", "region", "from", "items", "name"):
                table.add_column(col, justify="right" if col == "items" else "left")
            for r in rows:
                table.add_row(
                    str(r["version_id"]), r["region"], r["valid_from"], str(r["items"]), r["name"]
                )
            Console().print(table)
        else:
            Console(stderr=True).print("no catalogue imported (the demo catalogue applies)")
        if not rows:
            raise typer.Exit(1)

    @cat.command("show")
    def show(
        region: str = typer.Option(..., "--region"),
        on: str = typer.Option(..., "--on", help="YYYY-MM-DD"),
        code: str = typer.Option(None, "--code", help="show this item only"),
        as_json: bool = typer.Option(False, "--json", help="print the result as JSON"),
    ) -> None:
        """The catalogue claims of --region are checked against on --on (or one item)."""
        from yibao.errors import InputError
        from yibao.io.records import day_value
        from yibao.service.catalogues import catalogue_in_force

        found = catalogue_in_force(_ctx(), region, day_value(on, "--on"))
        items = found["items"]
        if code is not None:
            items = [i for i in items if i["code"] == code]
            if not items:
                raise InputError(f"--code: {code!r} is not in catalogue {found['catalogue']}")
        if as_json:
            print(json.dumps({**found, "items": items}, ensure_ascii=False))
            return
        out = Console()
        out.print(f"{found['catalogue']}: {len(found['items'])} items", highlight=False)
        table = Table()
        for col in ("code", "name", "kind", "class", "pre-self", "cap (yuan)"):
            table.add_column(col, overflow="fold")
        for i in items:
            table.add_row(
                i["code"],
                i["name"],
                i["kind"],
                i["class"],
                i["preself_ratio"] or "",
                i["price_cap"] or "",
            )
        out.print(table)

    @cat.command("impact")
    def impact_cmd(
        changes: Path = typer.Argument(..., help="proposed changes, YAML list"),
        scenarios: list[Path] = typer.Argument(..., help="scenario files or directories"),
    ) -> None:
        """The scenarios' claims settled again with the changes: each fund's cost, the OOP."""
        from yibao.commands.vbp_cmd import print_impact

        print_impact(f"budget impact of {changes.name}", scenarios, load_changes(changes))

    app.add_typer(cat, name="catalogue")

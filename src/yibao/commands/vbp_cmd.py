"""``yibao vbp``: volume-based procurement rounds (集采): payment standards and monitoring."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from yibao.errors import InputError
from yibao.io.yamlio import parse_yaml
from yibao.ledger.model import Journal
from yibao.money import Fen, format_yuan
from yibao.purchasing.catalogue_changes import CatalogueChange
from yibao.purchasing.impact import LINES, budget_impact
from yibao.purchasing.vbp import (
    Round,
    completion,
    parse_lines,
    prepayment_journals,
    read_round,
    retained_savings,
    savings_journals,
    standard_changes,
)
from yibao.scenario.loader import load_scenario
from yibao.scenario.runner import scenario_files


def _read(path: Path) -> str:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read ({e})") from None


def load_round(path: Path) -> Round:
    return read_round(parse_yaml(_read(path), str(path)), str(path))


def _journal_data(j: Journal) -> dict[str, object]:
    return {
        "journal_id": j.journal_id,
        "day": j.day.isoformat(),
        "kind": j.kind,
        "ref": j.ref,
        "memo": j.memo,
        "postings": [{"account": str(p.account), "fen": p.amount} for p in j.postings],
    }


def register(app: typer.Typer) -> None:
    vbp = typer.Typer(
        help="Volume-based procurement (集采): payment standards, completion, retained savings.",
        no_args_is_help=True,
    )

    @vbp.command("standards")
    def standards_cmd(round_file: Path = typer.Argument(..., help="the round, YAML")) -> None:
        """The dated payment-standard changes of a round (winners, non-selected steps)."""
        r = load_round(round_file)
        table = Table(title=f"{r.name}: payment standards of {r.generic} in region {r.region}")
        for col in ("from", "code", "standard (yuan)", "document"):
            table.add_column(col, overflow="fold")
        for c in sorted(standard_changes(r), key=lambda c: (c.day, c.code)):
            table.add_row(str(c.day), c.code, format_yuan(c.price_cap or 0), c.document)
        Console().print(table)

    @vbp.command("monitor")
    def monitor_cmd(
        round_file: Path = typer.Argument(..., help="the round, YAML"),
        lines: Path = typer.Option(..., "--lines", help="settled lines CSV"),
        journals: Path | None = typer.Option(
            None, "--journals", help="write the prepayment and retained-savings journals (JSON)"
        ),
    ) -> None:
        """Agreed-volume completion per hospital and its retained savings (结余留用)."""
        r = load_round(round_file)
        done = completion(r, parse_lines(_read(lines), str(lines)))
        saved = retained_savings(r, done)
        table = Table(title=f"{r.name}: cycle {r.start}..{r.end}")
        cols = ("provider", "agreed", "selected", "non-selected", "completion", "budget",
                "actual", "savings base", "retention", "retained", "why not")  # fmt: skip
        for col in cols:
            table.add_column(col, overflow="fold")
        for c, s in zip(done, saved, strict=True):
            table.add_row(
                c.provider_id, str(c.agreed), str(c.selected), str(c.non_selected),
                f"{c.ratio:.2%}", format_yuan(s.budget), format_yuan(s.actual),
                format_yuan(s.base), str(s.retention), format_yuan(s.retained), s.reason,
            )  # fmt: skip
        Console().print(table)
        if journals is not None:
            posted = [*prepayment_journals(r, r.name), *savings_journals(r, saved, r.name)]
            data = [_journal_data(j) for j in posted]
            journals.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    @vbp.command("simulate")
    def simulate_cmd(
        round_file: Path = typer.Argument(..., help="the round, YAML"),
        scenarios: list[Path] = typer.Argument(..., help="scenario files or directories"),
    ) -> None:
        """Savings of a round: the scenarios' claims re-priced under it and settled again."""
        r = load_round(round_file)
        prices = {p.code: p.price for p in r.winners}
        print_impact(f"savings of {r.name}", scenarios, standard_changes(r), prices)

    app.add_typer(vbp, name="vbp")


def print_impact(
    title: str,
    paths: list[Path],
    changes: Iterable[CatalogueChange],
    prices: Mapping[str, Fen] | None = None,
) -> None:
    """Settle the scenarios without and with ``changes`` and print each fund's change."""
    loaded = [load_scenario(p) for p in scenario_files(paths)]
    impact = budget_impact(loaded, changes, prices)
    table = Table(title=f"{title}: {impact.claims} claims in {len(loaded)} scenario(s)")
    for col in ("", "before", "after", "change"):
        table.add_column(col, justify="left" if not col else "right")
    for name in LINES:
        table.add_row(
            name,
            format_yuan(impact.before[name]),
            format_yuan(impact.after[name]),
            format_yuan(impact.change(name)),
        )
    Console().print(table)

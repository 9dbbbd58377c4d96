"""``yibao ledger``: invariant checks, trial balance, monthly statement, clearing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from yibao.io.records import yuan

if TYPE_CHECKING:
    from yibao.service.context import Context


def _ctx() -> Context:
    from yibao.service.context import Context
    from yibao.store.db import make_engine

    return Context(make_engine())


def register(app: typer.Typer) -> None:
    ledger = typer.Typer(help="The fund ledger: checks and statements.", no_args_is_help=True)

    @ledger.command("check")
    def check() -> None:
        """Run every registered invariant over the stored journals; exit 1 on any violation."""
        from yibao.ledger.checks import CHECKS
        from yibao.service.ledger import check_ledger

        violations = check_ledger(_ctx())
        for v in violations:
            print(f"{v.check}\t{v.subject}\t{v.message}")
        Console(stderr=True).print(
            f"{len(CHECKS)} checks, {len(violations)} violation(s)", highlight=False
        )
        if violations:
            raise typer.Exit(1)

    @ledger.command("trial-balance")
    def trial_balance(region: str = typer.Option(None, "--region")) -> None:
        """Balances by region × fund × kind × item (debit positive); they sum to zero."""
        from yibao.service.ledger import trial_balance as tb

        rows = tb(_ctx(), region)
        table = Table(title="trial balance (yuan, debit +)")
        for col in ("region", "fund", "kind", "item", "balance"):
            table.add_column(col, justify="right" if col == "balance" else "left")
        for r in rows:
            table.add_row(r["region"], r["fund"], r["kind"], r["item"], yuan(r["balance"]))
        table.add_row("", "", "", "total", yuan(sum(r["balance"] for r in rows)))
        Console().print(table)

    @ledger.command("statement")
    def statement(
        region: str = typer.Option(..., "--region"),
        fund: str = typer.Option(..., "--fund"),
        month: str = typer.Option(..., "--month", help="YYYY-MM"),
    ) -> None:
        """Income and expenditure statement (收支表) of one region × fund for a month."""
        from yibao.service.ledger import statement as st

        s = st(_ctx(), region, fund, month)
        out = Console()
        out.print(f"{s['region']} {s['fund']} {s['month']}")
        out.print(f"opening net assets  {yuan(s['opening']):>16}")
        for item, v in sorted(s["income"].items()):
            out.print(f"income {item:<20} {yuan(v):>16}")
        for item, v in sorted(s["expenditure"].items()):
            out.print(f"expenditure {item:<15} {yuan(v):>16}")
        out.print(f"closing net assets  {yuan(s['closing']):>16}")

    @ledger.command("clearing")
    def clearing(month: str = typer.Option(..., "--month", help="YYYY-MM")) -> None:
        """Cross-region clearing (异地就医清算): insured region owes treatment region."""
        from yibao.service.ledger import clearing_statement

        for r in clearing_statement(_ctx(), month):
            print(
                f"{r['insured_region']}\t{r['treatment_region']}\t{r['fund']}\t"
                f"{yuan(r['amount'])}\t{r['journals']}"
            )

    app.add_typer(ledger, name="ledger")

"""``yibao ltc``: disability assessment, care-bill settlement and financing (长期护理保险)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from yibao.errors import InputError
from yibao.io.yamlio import load_json

if TYPE_CHECKING:
    from yibao.ltc.benefit import Pack
    from yibao.service.context import Context


def _pack(name: str) -> Pack:
    from yibao.ltc.benefit import load_pack, shipped_pack

    p = Path(name)
    return load_pack(p) if name.endswith((".yaml", ".yml")) and p.is_file() else shipped_pack(name)


def _ctx() -> Context:
    from yibao.service.context import Context
    from yibao.store.db import make_engine

    return Context(make_engine())


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise InputError(f"--month: expected YYYY-MM, got {text!r}") from None


def register(app: typer.Typer) -> None:
    ltc = typer.Typer(
        help="Long-term care insurance: assess, settle, finance.", no_args_is_help=True
    )

    @ltc.command("assess")
    def assess_cmd(
        file: Path = typer.Argument(..., help="case or assessment JSON file"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """The indicator totals, first-level grades and level of an assessment record."""
        from yibao.ltc.assess import assess
        from yibao.ltc.care import read_assessment

        raw = load_json(file)
        if isinstance(raw, dict) and "assessment" in raw:
            person = raw.get("person")
            pid = str(person.get("id", "")) if isinstance(person, dict) else ""
            raw = raw["assessment"]
        else:
            pid = ""
        out = assess(read_assessment(raw, pid or file.stem, str(file)))
        data = {
            "totals": dict(out.totals),
            "grades": dict(out.grades),
            "level": int(out.level),
            "level_name": out.level.name,
            "note": out.note,
        }
        if as_json:
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        c = Console()
        for ind, total in out.totals.items():
            c.print(f"{ind}: {total} points, grade {out.grades[ind]}", highlight=False)
        c.print(f"level {int(out.level)} ({out.level.name})  [{out.note}]", highlight=False)

    @ltc.command("settle")
    def settle_cmd(
        file: Path = typer.Argument(..., help="case JSON: person, assessment, bills"),
        pack: str = typer.Option(
            ..., "--pack", help="LTC pack: qingdao, chengdu, tengzhou, or a file"
        ),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Settle a case's monthly care bills into the LTC fund ledger (idempotent per bill)."""
        from yibao.io.records import yuan
        from yibao.ltc.care import read_case
        from yibao.service.ltc import result_data, settle_care

        case = read_case(load_json(file), str(file))
        level, results = settle_care(_ctx(), _pack(pack), case)
        if as_json:
            data = result_data(level, results)
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        c = Console()
        c.print(f"level {level}", highlight=False)
        for r in results:
            again = " (resent: answered from the ledger, nothing posted)" if r.replayed else ""
            c.print(
                f"[bold]{r.bill.bill_id}[/] {r.bill.form}: cost {yuan(r.bill.cost)}, LTC fund "
                f"{yuan(r.settlement.fund)}, personal {yuan(r.settlement.personal)} "
                f"→ {r.journal_id}{again}",
                highlight=False,
            )
            for step in r.settlement.trace:
                c.print(f"   {step}", highlight=False, markup=False)

    @ltc.command("reverse")
    def reverse_cmd(
        provider: str = typer.Option(..., "--provider"),
        bill: str = typer.Option(..., "--bill"),
        day: str = typer.Option(..., "--day", help="YYYY-MM-DD of the reversal"),
    ) -> None:
        """冲正 a settled care bill: post the opposite journal."""
        from yibao.io.records import day_value
        from yibao.service.ltc import reverse_care

        print(reverse_care(_ctx(), provider, bill, day_value(day, "--day")))

    @ltc.command("finance")
    def finance_cmd(
        region: str = typer.Option(..., "--region"),
        month: str = typer.Option(..., "--month", help="YYYY-MM"),
        bases: Path = typer.Option(..., "--bases", help="JSON: person id → monthly base (yuan)"),
    ) -> None:
        """Post the month's transfers into the LTC fund (pooled fund, accounts, fiscal)."""
        from yibao.io.records import money, yuan
        from yibao.ledger.model import Fund
        from yibao.ledger.postings import fund_movement
        from yibao.ltc.financing import rule_for

        raw = load_json(bases)
        if not isinstance(raw, dict) or not raw:
            raise InputError(f"{bases}: expected a mapping person id → base in yuan")
        fen = {str(k): money(v, f"{bases}: {k}") for k, v in raw.items()}
        rule = rule_for(region)
        from yibao.service.ltc import finance_month

        code = _pack(region).ledger_region  # the fund's ledger region code
        j, again = finance_month(_ctx(), code, _month(month), rule, fen)
        c = Console()
        c.print(f"{j.journal_id} [{rule.source}]" + (" (posted before)" if again else ""))
        for item, v in sorted(fund_movement([j], code, Fund.LONG_TERM_CARE).items()):
            c.print(f"   {item}: {yuan(v)}", highlight=False)

    @ltc.command("project")
    def project_cmd(
        assumptions: Path | None = typer.Option(
            None, "--assumptions", help="actuarial assumptions YAML (default: the shipped ones)"
        ),
        pack: str = typer.Option("demo-province", "--pack", help="LTC pack"),
        region: str = typer.Option("qingdao", "--financing", help="financing rule's region"),
    ) -> None:
        """Project the LTC fund's income, expenditure and balance; ageing drives it."""
        from rich.table import Table

        from yibao.actuarial.params import parse_assumptions
        from yibao.commands.actuarial_cmd import read_input, shipped_assumptions
        from yibao.ltc.financing import rule_for
        from yibao.ltc.projection import project_ltc
        from yibao.money import format_yuan

        path = assumptions or shipped_assumptions("default.yaml")
        p = parse_assumptions(read_input(path), str(path))
        x = project_ltc(p, _pack(pack), rule_for(region))
        b = x.balances()
        table = Table(title=f"LTC fund, {len(x.codes)} prefectures (yuan; synthetic assumptions)")
        for col in ("year", "beneficiaries", "income", "expenditure", "balance"):
            table.add_column(col, justify="right")
        for t, year in enumerate(x.years):
            table.add_row(
                str(year),
                f"{x.beneficiaries[:, t].sum():,.0f}",
                format_yuan(round(x.income[:, t].sum() * 100)),
                format_yuan(round(x.expenditure[:, t].sum() * 100)),
                format_yuan(round(b[:, t].sum() * 100)),
            )
        Console().print(table)

    @ltc.command("scenarios")
    def scenarios_cmd(
        path: Path = typer.Argument(..., help="a scenario file or directory"),
    ) -> None:
        """Run LTC worked-example scenarios; exit 1 when any figure differs."""
        from yibao.commands.tiers_cmd import print_results
        from yibao.ltc.scenario import run_dir

        print_results(run_dir(path))

    app.add_typer(ltc, name="ltc")

"""``yibao dip liquidate`` and ``yibao drg pay``: provider payment of a year of a province."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import typer
from rich.console import Console

from yibao.errors import InputError
from yibao.jobs.payment_year import run_dip, run_drg, to_json, write_outputs
from yibao.ledger.model import Fund, Journal
from yibao.money import MoneyError, format_yuan, ratio, yuan_to_fen
from yibao.payment.drg_pay import DrgParams
from yibao.payment.journals import liquidation_journals, sharing_journals
from yibao.payment.sharing import SharingRule
from yibao.report.payment_report import render_payment_report


def _budget(text: str | None, option: str = "--budget") -> int | None:
    if text is None:
        return None
    try:
        fen = yuan_to_fen(text)
    except MoneyError as e:
        raise InputError(f"{option}: {e}") from None
    if fen <= 0:
        raise InputError(f"{option} must be positive, got {text} yuan")
    return fen


def _ratio(name: str, text: str) -> Decimal:
    try:
        return ratio(text)
    except MoneyError as e:
        raise InputError(f"{name}: {e}") from None


def _fund(name: str) -> Fund:
    try:
        return Fund(name)
    except ValueError:
        choices = ", ".join(f.value for f in Fund)
        raise InputError(f"--fund: unknown fund {name!r} (one of {choices})") from None


def _sharing(keep: str, share: str) -> SharingRule:
    return SharingRule(_ratio("--surplus-keep", keep), _ratio("--overspend-share", share))


def _progress(console: Console) -> Callable[[str], None]:
    def report(stage: str) -> None:
        if console.is_terminal:
            console.print(f"… {stage}", style="dim")

    return report


def register(app: typer.Typer) -> None:
    dip = typer.Typer(help="DIP payment (按病种分值付费): liquidate a year.", no_args_is_help=True)

    @dip.command("liquidate")
    def liquidate_cmd(
        data: Path = typer.Argument(..., help="directory of a province's Parquet (yibao synth)"),
        region: str = typer.Option(..., "--region", help="pooling region code, e.g. 990100"),
        year: int = typer.Option(2025, "--year", help="the year to liquidate"),
        out: Path = typer.Option(..., "-o", "--out", help="output directory"),
        budget: str | None = typer.Option(
            None, "--budget", help="DIP budget in yuan (default: the year's item-based cost)"
        ),
        reserve: str = typer.Option("0", "--reserve", help="reserve ratio held back, e.g. 0.05"),
        min_cases: int = typer.Option(15, "--min-cases", help="cases for a core group"),
        low: str = typer.Option("0.5", "--low-fraction", help="low-cost below this × standard"),
        high: str = typer.Option("2", "--high-multiple", help="high-cost above this × standard"),
        prepay: str = typer.Option("0.85", "--prepay-ratio", help="monthly prepayment ratio"),
        long_days: int = typer.Option(60, "--long-stay-days", help="per bed-day from this"),
        extreme: str = typer.Option(
            "5", "--extreme-multiple", help="expert review (特病单议) above this × standard"
        ),
        extreme_rule: str = typer.Option(
            "by_item",
            "--extreme-rule",
            help="how cases under review are paid: by_item (outside the points) or points",
        ),
        surplus_keep: str = typer.Option("1", "--surplus-keep", help="结余留用 ratio"),
        overspend_share: str = typer.Option("0", "--overspend-share", help="超支分担 ratio"),
        fund: str = typer.Option(
            "employee_pooled", "--fund", help="fund the journals post to (employee_pooled …)"
        ),
        chronic_rate: str | None = typer.Option(
            None,
            "--chronic-per-capita",
            help="annual per-capita rate for chronic patients, yuan (default: the year's cost)",
        ),
    ) -> None:
        """Build the catalogue, score the cases and liquidate the year against the budget."""
        console = Console()
        params = {
            "reserve_ratio": _ratio("--reserve", reserve),
            "sharing": _sharing(surplus_keep, overspend_share),
            "low_fraction": _ratio("--low-fraction", low),
            "high_multiple": _ratio("--high-multiple", high),
            "prepay_ratio": _ratio("--prepay-ratio", prepay),
            "long_stay_days": long_days,
            "extreme_multiple": _ratio("--extreme-multiple", extreme),
            "extreme_rule": extreme_rule,
        }
        if min_cases < 1:
            raise InputError(f"--min-cases must be ≥ 1, got {min_cases}")
        _fund(fund)
        rate = None if chronic_rate is None else _budget(chronic_rate, "--chronic-per-capita")
        r = run_dip(
            data, region, year, _budget(budget), params, min_cases, _progress(console), rate
        )
        liq = r.liquidation
        hospitals = [
            {
                "provider_id": h.provider_id,
                "name": r.names.get(h.provider_id, ""),
                "level": r.levels.get(h.provider_id, ""),
                "cmi": r.cmi[h.provider_id],
                **{k: getattr(h, k) for k in h.__slots__ if k != "provider_id"},
                "payment": h.payment,
            }
            for h in liq.hospitals
        ]
        pv_text = str(Decimal(liq.point_value) / 10_000)
        bpv_text = str(Decimal(liq.budget_point_value) / 10_000)
        summary = {
            "region": region,
            "year": year,
            "history_years": r.history_years,
            "history_is_the_year_itself": r.history_is_year,
            "groups": len(r.catalogue.groups),
            "core_groups": sum(1 for g in r.catalogue.groups.values() if g.kind == "core"),
            "budget_fen": liq.budget,
            "reserve_fen": liq.reserve,
            "by_item_fen": liq.by_item,
            "total_points": str(Decimal(liq.total_points) / 10_000),
            "settlement_point_value_yuan": pv_text,
            "budget_point_value_yuan": bpv_text,
            "residual_fen": liq.residual,
            "residual_shared_by": "largest remainder (hospital rounding)",
            "invariant_violations": liq.check(),
            "extreme_rule": extreme_rule,
            "expert_review": r.review,
            "standard_basis": r.bases,
            "level_means_year": r.catalogue.level_year,
            "hospitals": hospitals,
            "chronic_per_capita": r.per_capita,
        }
        facts = [
            ("region, year", f"{region}, {year}"),
            ("budget", format_yuan(liq.budget)),
            ("settlement point value (结算点值)", pv_text + " yuan"),
            ("budget point value (预算点值)", bpv_text + " yuan"),
            ("rounding residual, shared out by largest remainder", format_yuan(liq.residual)),
            (
                "case standards: same level (prior year) / all levels (fallback)",
                f"{r.bases.get('level', 0)} / {r.bases.get('all_levels', 0)}",
            ),
            ("cases for expert review (特病单议)", f"{len(r.review)}, paid {extreme_rule}"),
            ("reserve (调剂金)", format_yuan(liq.reserve)),
            ("chronic per-capita rate", format_yuan(r.per_capita["rate_fen"]) + " yuan a patient"),
        ]
        html = render_payment_report(
            f"DIP liquidation {region} {year}",
            facts,
            [{**h, "value": h["payment"]} for h in hospitals],
            _notes(r.history_is_year),
            r.review,
        )
        written = write_outputs(
            out,
            {
                "dip_cases.parquet": r.cases,
                "dip_liquidation.json": to_json(summary),
                "dip_journals.json": _journals_json(
                    liquidation_journals(liq, region, _fund(fund), year, f"dip-{region}-{year}")
                ),
                "dip_report.html": html.encode(),
            },
        )
        console.print(
            f"{r.cases.num_rows} cases, point value {pv_text} yuan,"
            f" residual {format_yuan(liq.residual)} -> {', '.join(p.name for p in written)}",
            highlight=False,
            soft_wrap=True,
        )

    app.add_typer(dip, name="dip")
    # ``yibao drg pay`` joins the grouper's ``yibao drg`` group (registered before this module)
    drg = next((g.typer_instance for g in app.registered_groups if g.name == "drg"), None)
    if drg is None:
        drg = typer.Typer(help="DRG grouping and payment.", no_args_is_help=True)
        app.add_typer(drg, name="drg")

    @drg.command("pay")
    def pay_cmd(
        data: Path = typer.Argument(..., help="directory of a province's Parquet (yibao synth)"),
        region: str = typer.Option(..., "--region", help="pooling region code, e.g. 990100"),
        year: int = typer.Option(2025, "--year", help="the year to pay"),
        out: Path = typer.Option(..., "-o", "--out", help="output directory"),
        budget: str | None = typer.Option(
            None, "--budget", help="DRG budget in yuan (default: the year's item-based cost)"
        ),
        surplus_keep: str = typer.Option("1", "--surplus-keep", help="结余留用 ratio"),
        overspend_share: str = typer.Option("0", "--overspend-share", help="超支分担 ratio"),
        low: str = typer.Option("0.3", "--low-fraction", help="low-cost below this × standard"),
        high_cap: str = typer.Option(
            "0.05", "--high-cap", help="share of discharges paid by item as high-cost"
        ),
        readmission_days: int = typer.Option(
            15, "--readmission-days", help="same-DRG readmission within N days halves (0: off)"
        ),
        fund: str = typer.Option(
            "employee_pooled", "--fund", help="fund the journals post to (employee_pooled …)"
        ),
    ) -> None:
        """Group the year's cases, weight them from history, set the rate and pay by group."""
        console = Console()
        if readmission_days < 0:
            raise InputError(f"--readmission-days must be ≥ 0, got {readmission_days}")
        ledger_fund = _fund(fund)
        r = run_drg(
            data,
            region,
            year,
            _budget(budget),
            DrgParams(
                low_fraction=_ratio("--low-fraction", low),
                high_cap=_ratio("--high-cap", high_cap),
                readmission_days=readmission_days,
            ),
            _sharing(surplus_keep, overspend_share),
            _progress(console),
        )
        hospitals = [
            {
                **h,
                "name": r.names.get(str(h["provider_id"]), ""),
                "level": r.levels.get(str(h["provider_id"]), ""),
            }
            for h in r.hospitals
        ]
        summary = {
            "region": region,
            "year": year,
            "history_years": r.history_years,
            "history_is_the_year_itself": r.history_is_year,
            "budget_fen": r.budget,
            "base_rate_fen": r.rate,
            "weights": r.weights,
            "readmission_days": readmission_days,
            "readmissions_halved": sum(int(str(h["readmissions"])) for h in hospitals),
            "hospitals": hospitals,
        }
        journals = sharing_journals(
            [(str(h["provider_id"]), int(str(h["sharing"]))) for h in hospitals],
            "drg",
            region,
            ledger_fund,
            year,
            f"drg-{region}-{year}",
        )
        facts = [
            ("region, year", f"{region}, {year}"),
            ("budget", format_yuan(r.budget)),
            ("base rate (费率)", format_yuan(r.rate) + " yuan per RW"),
            ("groups with a weight", str(len(r.weights))),
            (
                f"readmissions within {readmission_days} days (earlier case halved)",
                str(summary["readmissions_halved"]),
            ),
        ]
        html = render_payment_report(
            f"DRG payment {region} {year}", facts, hospitals, _notes(r.history_is_year)
        )
        written = write_outputs(
            out,
            {
                "drg_cases.parquet": r.cases,
                "drg_payment.json": to_json(summary),
                "drg_journals.json": _journals_json(journals),
                "drg_report.html": html.encode(),
            },
        )
        console.print(
            f"{r.cases.num_rows} cases, base rate {format_yuan(r.rate)} yuan"
            f" -> {', '.join(p.name for p in written)}",
            highlight=False,
            soft_wrap=True,
        )


def _journals_json(journals: list[Journal]) -> bytes:
    return to_json(
        [
            {
                "journal_id": j.journal_id,
                "day": j.day.isoformat(),
                "kind": j.kind,
                "ref": j.ref,
                "memo": j.memo,
                "postings": [[str(p.account), p.amount] for p in j.postings],
            }
            for j in journals
        ]
    )


def _notes(history_is_year: bool) -> list[str]:
    notes = [
        "Hospital-level coefficients are example parameters [M]; set them locally.",
        "Balance = paid by group − item-based cost: a gain is kept (结余留用), a loss shared "
        "(超支分担) by the sharing rule.",
    ]
    if history_is_year:
        notes.append("No earlier years in the data: weights and scores come from the year itself.")
    return notes

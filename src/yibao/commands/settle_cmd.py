"""``yibao settle``: settle one claim from JSON files and print the parts and the trace."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from yibao.errors import InputError
from yibao.io.records import (
    PART_NAMES,
    citation_value_text,
    part_value,
    settlement_to_data,
)
from yibao.io.request import read_request, settle_request
from yibao.io.yamlio import load_json
from yibao.money import format_yuan
from yibao.policy.registry import registry_for
from yibao.settle.engine import Settlement
from yibao.settle.parts import INTERFACE_CODES
from yibao.tiers.cli import (
    epidemic_claim,
    epidemic_layer,
    print_supplementary,
    supplementary_layer,
)


def _print_settlement(s: Settlement, policy: str) -> None:
    out = Console()
    parts = Table(
        title=f"claim {s.claim_id} of {s.person_id}, settled {s.settle_date} under {policy} "
        f"(admission {s.admission_seq} of the year)"
    )
    parts.add_column("part")
    parts.add_column("code")
    parts.add_column("yuan", justify="right")
    for name in PART_NAMES:
        parts.add_row(name, INTERFACE_CODES[name], format_yuan(part_value(s.parts, name)))
    out.print(parts)
    if s.lines:
        lines = Table(title="bill split")
        for col in ("code", "amount", "full self-pay", "over limit", "pre-self-pay", "scope"):
            lines.add_column(col, justify="left" if col == "code" else "right")
        lines.add_column("why")
        for ln in s.lines:
            lines.add_row(
                ln.code,
                format_yuan(ln.amount),
                format_yuan(ln.full_selfpay),
                format_yuan(ln.over_limit),
                format_yuan(ln.preself),
                format_yuan(ln.scope),
                ln.reason,
            )
        out.print(lines)
    out.print("[bold]trace[/]")
    for i, step in enumerate(s.trace, 1):
        amounts = ", ".join(f"{k} {format_yuan(v)}" for k, v in step.amounts.items())
        out.print(f"[bold]{i}. {step.name}[/]: {step.text}", highlight=False)
        out.print(f"   amounts: {amounts}", highlight=False)
        if step.stages:
            rounded = ", ".join(str(s) for s in step.stages)
            out.print(f"   rounded half-up to the fen at: {rounded}", highlight=False)
        for c in step.citations:
            period = f"{c.start}..{c.end or ''}"
            ref = c.reference.title + (f" <{c.reference.url}>" if c.reference.url else "")
            syn = " [synthetic]" if c.reference.synthetic else ""
            out.print(
                f"   - {c.path} = {citation_value_text(c)} [{period}] ({c.pack}: {ref}){syn}",
                highlight=False,
                markup=False,
            )


def register(app: typer.Typer) -> None:
    @app.command("settle")
    def settle_cmd(
        policy: str = typer.Option(..., "--policy", help="policy pack id, or a pack file"),
        person: Path = typer.Option(..., "--person", help="person JSON file"),
        claim: Path = typer.Option(..., "--claim", help="claim JSON file"),
        history: Path | None = typer.Option(
            None, "--history", help="earlier claims of the year, or the accumulators (JSON)"
        ),
        as_json: bool = typer.Option(False, "--json", help="print machine-readable JSON"),
        agreements: Path | None = typer.Option(
            None, "--agreements", help="provider agreements CSV: refuse claims without one"
        ),
        tier: list[str] = typer.Option(
            [], "--tier", help="a supplementary tier the person holds, in chain order (repeat)"
        ),
        preexisting: bool = typer.Option(False, "--preexisting", help="既往症, for the tiers"),
        epidemic: str | None = typer.Option(
            None, "--epidemic", help="an epidemic special regime (covid-19) for this claim"
        ),
        status: str = typer.Option("confirmed", "--status", help="confirmed or suspected"),
        family: Path | None = typer.Option(
            None, "--family", help="JSON: the holder whose account pays for this person (家庭共济)"
        ),
    ) -> None:
        """Settle one claim: the parts (yuan, with national interface codes) and the trace."""
        pack_file = Path(policy)
        if policy.endswith((".yaml", ".yml")) and pack_file.is_file():
            reg = registry_for(None, [pack_file])
            from yibao.policy.loader import load_pack

            policy = load_pack(pack_file).id
        else:
            reg = registry_for(None)
        chain = reg.chain(policy)
        req = read_request(
            load_json(person),
            load_json(claim),
            load_json(history) if history is not None else None,
            person_where=str(person),
            claim_where=str(claim),
            history_where=str(history),
            region=chain.region,
        )
        book = None
        if agreements is not None:
            from yibao.commands.agreement_cmd import read_book

            if not agreements.exists():
                raise InputError(f"{agreements}: no such agreements file")
            book = read_book(agreements)
        lifted = epidemic_claim(req.claim, epidemic, status)
        req = replace(req, request=replace(req.request, claim=lifted))
        s = settle_request(req, chain, reg, None, book)
        after, extra = epidemic_layer(s, epidemic)
        fam = load_json(family) if family is not None else None
        extra |= supplementary_layer(
            req.person, after, req.claim.visit_type, tier, preexisting, fam
        )
        if as_json:
            data = {"policy": chain.id, **settlement_to_data(s), **extra}
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            _print_settlement(s, chain.id)
            print_supplementary(extra)

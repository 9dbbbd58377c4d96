"""HTML report of provider payment (DRG pay or DIP liquidation): case-mix index by hospital,
point value or base rate, and each hospital's gain or loss against its item-based cost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from yibao.money import format_yuan
from yibao.report.svg import PALETTE, Series, esc, grouped_vbar_chart, hbar_chart

HospitalRow = Mapping[str, object]


def _ratio(units: int) -> str:
    return f"{Decimal(units) / 10_000:.4f}"


def render_payment_report(
    title: str,
    facts: Sequence[tuple[str, str]],
    hospitals: Sequence[HospitalRow],
    notes: Sequence[str] = (),
    review: Sequence[Mapping[str, object]] = (),
) -> str:
    """``hospitals``: rows with name, cmi (Decimal), value, cost, balance, sharing (fen).
    ``review``: the cases for expert review (特病单议), listed in their own table."""
    names = [str(h["name"]) for h in hospitals]
    cmi_units = [int(Decimal(str(h["cmi"])) * 10_000) for h in hospitals]
    charts = [
        hbar_chart("Case-mix index by hospital", names, cmi_units, _ratio, axis_label="CMI"),
        grouped_vbar_chart(
            "Group payment and item-based cost",
            [str(h["provider_id"]) for h in hospitals],
            [
                Series("paid by group", tuple(int(str(h["value"])) for h in hospitals), PALETTE[0]),
                Series(
                    "item-based cost", tuple(int(str(h["cost"])) for h in hospitals), PALETTE[1]
                ),
            ],
            format_yuan,
            axis_label="yuan",
        ),
    ]
    rows = "".join(
        "<tr>"
        + f"<td>{esc(h['provider_id'])}</td><td>{esc(h['name'])}</td>"
        + f"<td>{esc(h['cases'])}</td><td>{esc(h['cmi'])}</td>"
        + "".join(
            f"<td class=num>{format_yuan(int(str(h[k])))}</td>"
            for k in ("value", "cost", "balance", "sharing")
        )
        + f"<td>{'gain (结余)' if int(str(h['balance'])) >= 0 else 'loss (超支)'}</td></tr>"
        for h in hospitals
    )
    fact_rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts)
    note_items = "".join(f"<li>{esc(n)}</li>" for n in notes)
    review_rows = "".join(
        "<tr>"
        + "".join(f"<td>{esc(c[k])}</td>" for k in ("case_id", "provider_id", "group"))
        + f"<td class=num>{format_yuan(int(str(c['cost'])))}</td>"
        + f"<td class=num>{format_yuan(int(str(c['standard'])))}</td>"
        + f"<td>{esc(c['basis'])}</td><td>{esc(c['multiple'])}×</td>"
        + f"<td class=num>{format_yuan(int(str(c['payment'])))}</td><td>{esc(c['paid_by'])}</td>"
        + "</tr>"
        for c in review
    )
    review_html = (
        "<h2>Cases for expert review (特病单议)</h2><table><tr><th>case</th><th>provider</th>"
        "<th>group</th><th>cost</th><th>standard</th><th>basis</th><th>multiple</th>"
        f"<th>paid</th><th>paid by</th></tr>{review_rows}</table>"
        if review
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>body{{font-family:sans-serif;max-width:980px;margin:2em auto}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:3px 6px}}
.num{{text-align:right}}</style></head><body>
<h1>{esc(title)}</h1>
<table>{fact_rows}</table>
{"".join(f"<figure>{c}</figure>" for c in charts)}
<h2>Gains and losses by hospital</h2>
<table><tr><th>provider</th><th>name</th><th>cases</th><th>CMI</th><th>paid by group</th>
<th>item-based cost</th><th>balance</th><th>sharing adjustment</th><th></th></tr>{rows}</table>
{review_html}
<ul>{note_items}</ul>
</body></html>
"""

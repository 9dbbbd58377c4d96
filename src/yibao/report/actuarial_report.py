"""HTML reports for ``yibao warn``, ``yibao project`` and ``yibao pool simulate``.

Self-contained pages (inline CSS and SVG, no script, no CDN). Money arrives in fen and is shown
in 亿 yuan (10^8) or yuan; fans and months are display floats.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from yibao.actuarial.warning import Indicators
from yibao.money import format_yuan
from yibao.pooling.run import ScenarioResult
from yibao.report.fan import fan_chart, line_chart
from yibao.report.svg import PALETTE, vbar_chart

LEVEL_COLOUR = {
    "red": "#d7301f",
    "orange": "#fc8d59",
    "normal": "#1a9850",
    "ample": "#91bfdb",
    "excess": "#4575b4",
}
FUND_LABEL = {
    "employee_pooled": "employee pooled fund 职工统筹基金",
    "resident_pooled": "resident fund 居民医保基金",
}

_CSS = """
body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3}td.l,th.l{text-align:left}
.lvl{color:#fff;font-weight:bold;text-align:center}
.note{color:#555;font-size:12px}
h2{margin-top:1.6em;border-bottom:1px solid #ddd}
"""


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>\n"
    )


def _yi(fen: int) -> str:
    """Fen as 亿 yuan with two decimals."""
    return f"{fen / 10**10:,.2f}"


def warning_table(rows: Sequence[Indicators]) -> str:
    """The warning table (预警表) with coloured levels."""
    head = (
        "<tr><th class=l>region</th><th class=l>fund</th><th>year</th><th class=l>basis</th>"
        "<th>income (yuan)</th><th>expenditure</th><th>surplus</th><th>balance</th>"
        "<th>months payable</th><th>level</th><th>exp. vs inc. growth</th><th>in-service per retiree</th>"
        "<th>prepayment</th><th class=l>notes</th></tr>"
    )
    out = [f"<table>{head}"]
    for r in rows:
        growth = (
            f"{r.expenditure_growth:.1%} / {r.income_growth:.1%}"
            if r.expenditure_growth is not None and r.income_growth is not None
            else "–"
        )
        out.append(
            f"<tr><td class=l>{escape(r.region)}</td><td class=l>{escape(r.fund)}</td><td>{r.year}</td>"
            f"<td class=l>{r.basis}</td><td>{format_yuan(r.income)}</td><td>{format_yuan(r.expenditure)}</td>"
            f"<td>{format_yuan(r.surplus)}</td><td>{format_yuan(r.balance)}</td>"
            f"<td>{'–' if r.months is None else r.months}</td>"
            f'<td class=lvl style="background:{LEVEL_COLOUR[r.level.value]}">{r.level.value}</td>'
            f"<td>{growth}</td><td>{r.dependency_ratio or '–'}</td>"
            f"<td>{'yes' if r.prepayment_allowed else 'no'}</td>"
            f"<td class=l>{escape('; '.join(r.notes))}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def render_warning(rows: Sequence[Indicators], meta: dict[str, str]) -> str:
    """The early-warning report."""
    body = (
        f"<p class=note>history: {escape(meta.get('history', ''))}; thresholds: "
        f"{escape(meta.get('thresholds', ''))}. Levels: under 3 months red, 3–6 orange, 6–9 normal, "
        "9–15 ample, over 15 excess (人社部发〔2009〕67号); prepayment from 12 months (employee) / "
        "6 months (resident) and no deficit (2024 prepayment notice).</p>" + warning_table(rows)
    )
    return _page(f"Fund early warning {meta.get('year', '')} (基金风险预警)", body)


def _comparison(results: Sequence[ScenarioResult]) -> str:
    out = [
        "<table><tr><th class=l>scenario</th><th class=l>pooling</th><th class=l>fund</th>"
        "<th>P(any prefecture dry)</th><th>median months spread (last year)</th>"
        "<th>benefit-paid gap</th><th>median province net balance, last year (亿)</th>"
        "<th>P(never dry)</th><th class=l>description</th></tr>"
    ]
    for r in results:
        for f in r.funds:
            s = f.summary
            out.append(
                f"<tr><td class=l>{escape(r.name)}</td><td class=l>{r.mode}</td><td class=l>{f.fund}</td>"
                f"<td>{s.p_any_dry:.1%}</td><td>{s.months_spread[2][-1]:.1f}</td>"
                f"<td>{s.paid_ratio_gap:.1%}</td><td>{_yi(f.province_balance_fan[2][-1])}</td>"
                f"<td>{f.exhaustion_province.get('never', 0.0):.1%}</td>"
                f"<td class=l>{escape(r.description)}</td></tr>"
            )
    out.append("</table>")
    return "".join(out)


def _exhaustion_table(r: ScenarioResult) -> str:
    out = [
        "<table><tr><th class=l>fund</th><th class=l>first year any prefecture runs dry: share of paths</th></tr>"
    ]
    charts = []
    for k, f in enumerate(r.funds):
        dist = ", ".join(f"{y}: {v:.1%}" for y, v in f.exhaustion_province.items())
        out.append(f"<tr><td class=l>{f.fund}</td><td class=l>{escape(dist)}</td></tr>")
        # shares in basis points (1/100 %), so the chart stays on integers
        charts.append(
            vbar_chart(
                f"{r.name}: {f.fund} — year the first prefecture runs dry (share of paths)",
                list(f.exhaustion_province),
                [round(v * 10_000) for v in f.exhaustion_province.values()],
                lambda bp: f"{bp / 100:g} %",
                axis_label="share of Monte Carlo paths",
                colour=PALETTE[k],
            )
        )
    out.append("</table>")
    return "".join(out) + "".join(charts)


def _per_prefecture(r: ScenarioResult, fund_index: int) -> str:
    f = r.funds[fund_index]
    years = list(r.years)
    series = [
        (f"{code} {name}", f.central_months[i])
        for i, (code, name) in enumerate(zip(r.codes, r.names, strict=True))
    ]
    chart = line_chart(
        f"{r.name}: {FUND_LABEL[f.fund]} — months payable, central path", years, series, "months"
    )
    fan = fan_chart(
        f"{r.name}: {FUND_LABEL[f.fund]} — province net balance (亿 yuan)",
        years,
        [[v / 10**10 for v in row] for row in f.province_balance_fan],
        "亿 yuan: balances less cumulative unpaid benefits; Monte Carlo quantiles",
        PALETTE[fund_index],
    )
    rows = [
        "<table><tr><th class=l>prefecture</th><th>P(dry)</th><th>median first dry year</th>"
        f"<th>months {years[0]}</th><th>months {years[-1]} (central)</th>"
        "<th>mean remitted/yr (亿)</th><th>mean granted/yr (亿)</th><th>mean emergency/yr (亿)</th>"
        "<th>mean unpaid/yr (亿)</th></tr>"
    ]
    s = f.summary
    nt = len(years)
    for i, (code, name) in enumerate(zip(r.codes, r.names, strict=True)):
        rows.append(
            f"<tr><td class=l>{code} {escape(name)}</td><td>{s.p_dry[i]:.1%}</td>"
            f"<td>{f.exhaustion_median[i] or '–'}</td><td>{f.central_months[i][0]:.1f}</td>"
            f"<td>{f.central_months[i][-1]:.1f}</td>"
            f"<td>{s.remitted[i].sum() / nt / 1e8:,.2f}</td><td>{s.granted[i].sum() / nt / 1e8:,.2f}</td>"
            f"<td>{s.emergency[i].sum() / nt / 1e8:,.2f}</td><td>{s.unpaid[i].sum() / nt / 1e8:,.2f}</td></tr>"
        )
    rows.append("</table>")
    return fan + chart + "".join(rows)


def render_projection(results: Sequence[ScenarioResult], meta: dict[str, str]) -> str:
    """The projection report: scenario comparison, fans, months per prefecture, exhaustion years."""
    parts = [
        f"<p class=note>assumptions: {escape(meta.get('assumptions', ''))}; scenarios: "
        f"{escape(meta.get('scenarios', ''))}; {escape(meta.get('paths', ''))} Monte Carlo paths, seed "
        f"{escape(meta.get('seed', ''))}; cost curves: {escape(meta.get('curves', ''))}. Mortality "
        "uncertainty is a first-order sensitivity (see yibao.actuarial.montecarlo). Synthetic "
        "province: not real data.</p>",
        "<h2>Scenarios side by side</h2>",
        _comparison(results),
    ]
    for r in results:
        parts.append(f"<h2>{escape(r.name)} — {escape(r.description)}</h2>")
        parts.append(_exhaustion_table(r))
        for k in range(len(r.funds)):
            parts.append(_per_prefecture(r, k))
    return _page(meta.get("title", "Fund projection (基金精算预测)"), "".join(parts))


def render_pooling(results: Sequence[ScenarioResult], meta: dict[str, str]) -> str:
    """The pooling report: comparison, per-prefecture transfers, adjustment-fund fans, journals."""
    parts = [
        f"<p class=note>{escape(meta.get('note', ''))}</p>",
        "<h2>Pooling modes side by side</h2>",
        _comparison(results),
    ]
    for r in results:
        parts.append(f"<h2>{escape(r.name)} ({r.mode}) — {escape(r.description)}</h2>")
        js = r.journals
        balanced = all(j.is_balanced() for j in js)
        parts.append(
            f"<p>central-path transfers as ledger journals: {len(js)} journals, "
            f"{'all balanced' if balanced else 'NOT BALANCED'}.</p>"
        )
        for k, f in enumerate(r.funds):
            if r.mode == "adjustment":
                parts.append(
                    fan_chart(
                        f"{r.name}: adjustment fund {f.fund} (亿 yuan)",
                        list(r.years),
                        [[v / 1e8 for v in row] for row in f.summary.fund_fan],
                        "亿 yuan",
                        PALETTE[2 + k],
                    )
                )
            parts.append(_per_prefecture(r, k))
    return _page(meta.get("title", "Provincial pooling (省级统筹模拟)"), "".join(parts))

"""Inline SVG line and fan charts (扇形图) for the actuarial reports.

A fan chart draws the 5–95 % and 25–75 % bands of a quantity over the years and its median as a
line; a line chart draws several named series. Values here are display numbers (months of
expenditure, 亿 yuan already rounded from fen by the caller): only pixel positions are computed.

>>> '<svg' in fan_chart("t", [2025, 2026], [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]], "months")
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Final

from yibao.report.svg import PALETTE, esc

WIDTH: Final = 720
HEIGHT: Final = 260
LEFT, RIGHT, TOP, BOTTOM = 60, 150, 28, 34


def _scale(lo: float, hi: float) -> tuple[float, float]:
    if hi <= lo:
        hi = lo + 1.0
    pad = (hi - lo) * 0.05
    return lo - pad, hi + pad


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    span = hi - lo
    raw = span / n
    mag = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next((f * mag for f in (1, 2, 5, 10) if f * mag >= raw), raw)
    start = step * (lo // step + 1)
    out = []
    v = start
    while v < hi:
        out.append(round(v, 6))
        v += step
    return out


def _frame(
    title: str, desc: str, years: Sequence[int], lo: float, hi: float, unit: str
) -> tuple[str, Callable[[float], float], Callable[[float], float]]:
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    y0, y1 = years[0], years[-1] if len(years) > 1 else years[0] + 1

    def x(year: float) -> float:
        return LEFT + (year - y0) / max(y1 - y0, 1) * pw

    def y(v: float) -> float:
        return TOP + (hi - v) / (hi - lo) * ph

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" font-family="sans-serif" font-size="11">',
        f"<title>{esc(title)}</title><desc>{esc(desc)}</desc>",
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{esc(title)}</text>',
    ]
    for v in _ticks(lo, hi):
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>'
        )
    if lo < 0 < hi:
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#c00"/>'
        )
    step = 5 if len(years) > 12 else 1
    for yr in years[::step]:
        parts.append(f'<text x="{x(yr):.1f}" y="{HEIGHT - 14}" text-anchor="middle">{yr}</text>')
    parts.append(f'<text x="{LEFT}" y="{HEIGHT - 2}" fill="#555">{esc(unit)}</text>')
    return "".join(parts), x, y


def fan_chart(
    title: str,
    years: Sequence[int],
    quantiles: Sequence[Sequence[float]],
    unit: str,
    colour: str = PALETTE[0],
) -> str:
    """Bands 5–95 % and 25–75 % and the median; ``quantiles`` rows are q05, q25, q50, q75, q95."""
    if len(quantiles) != 5:
        raise ValueError("a fan chart needs five quantile rows (5, 25, 50, 75, 95 %)")
    flat = [v for row in quantiles for v in row]
    lo, hi = _scale(min(flat), max(flat))
    desc = f"median from {quantiles[2][0]:.1f} to {quantiles[2][-1]:.1f} {unit}"
    head, x, y = _frame(title, desc, years, lo, hi, unit)
    parts = [head]
    for (a, b), opacity in (((0, 4), 0.18), ((1, 3), 0.35)):
        upper = " ".join(
            f"{x(yr):.1f},{y(v):.1f}" for yr, v in zip(years, quantiles[b], strict=True)
        )
        lower = " ".join(
            f"{x(yr):.1f},{y(v):.1f}"
            for yr, v in reversed(list(zip(years, quantiles[a], strict=True)))
        )
        parts.append(
            f'<polygon points="{upper} {lower}" fill="{colour}" fill-opacity="{opacity}"/>'
        )
    med = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in zip(years, quantiles[2], strict=True))
    parts.append(f'<polyline points="{med}" fill="none" stroke="{colour}" stroke-width="2"/>')
    lx = WIDTH - RIGHT + 10
    parts.append(f'<text x="{lx}" y="{TOP + 10}">median</text>')
    parts.append(f'<text x="{lx}" y="{TOP + 26}" fill="#555">bands 25–75 %, 5–95 %</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    title: str,
    years: Sequence[int],
    series: Sequence[tuple[str, Sequence[float]]],
    unit: str,
) -> str:
    """One line per named series (for example months payable per prefecture)."""
    flat = [v for _, vals in series for v in vals] or [0.0]
    lo, hi = _scale(min(flat), max(flat))
    head, x, y = _frame(title, f"{len(series)} series, {unit}", years, lo, hi, unit)
    parts = [head]
    for k, (name, vals) in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        dash = "" if k < len(PALETTE) else ' stroke-dasharray="4 3"'
        pts = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in zip(years, vals, strict=True))
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.5"{dash}>'
            f"<title>{esc(name)}</title></polyline>"
        )
        ly = TOP + 12 * k + 8
        parts.append(
            f'<line x1="{WIDTH - RIGHT + 8}" x2="{WIDTH - RIGHT + 22}" y1="{ly - 4}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
            f'<text x="{WIDTH - RIGHT + 26}" y="{ly}">{esc(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

"""Small inline SVG charts for the HTML reports: bars, stacked and grouped bars, histograms.

Charts are plain SVG strings with no script, so a report opens offline and prints. Each chart
carries a ``<title>`` and ``<desc>`` (its accessible name and summary) and each bar its own
``<title>``, which browsers show as a tooltip. Values are integers (fen, persons, ratio units)
and the caller passes the formatter that turns a value into text, so money never becomes a
float here: only pixel positions do.

>>> nice_step(1234)  # 1 234 in at most five steps
500
>>> '<script>' in hbar_chart("t", ["<script>"], [1], str)
False
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Final

Formatter = Callable[[int], str]
"""Turns an integer value (fen, persons, ratio units) into the text shown on a chart."""

# Okabe–Ito colours: distinguishable with the common forms of colour blindness.
PALETTE: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")

WIDTH: Final = 720
FONT_SIZE: Final = 12
AXIS_COLOUR: Final = "#555"
GRID_COLOUR: Final = "#ddd"


@dataclass(frozen=True, slots=True)
class Series:
    """One named run of values, one per category, drawn in one colour."""

    name: str
    values: tuple[int, ...]
    colour: str


@dataclass(frozen=True, slots=True)
class Bin:
    """A histogram bin ``[lower, upper)``; ``upper`` is None for the open last bin."""

    lower: int
    upper: int | None
    count: int


def esc(text: object) -> str:
    """Text made safe for SVG/HTML content and attribute values."""
    return escape(str(text), quote=True)


def nice_step(span: int, ticks: int = 5) -> int:
    """The smallest 1, 2 or 5 × 10^k that divides ``span`` into at most ``ticks`` steps.

    >>> [nice_step(v) for v in (0, 7, 10, 99, 100_000)]
    [1, 2, 2, 20, 20000]
    """
    if span <= 0:
        return 1
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if step * ticks >= span:
                return step
        magnitude *= 10


def axis_ticks(max_value: int, ticks: int = 5) -> list[int]:
    """Tick values from 0 up to the first step at or above ``max_value``.

    >>> axis_ticks(930)
    [0, 200, 400, 600, 800, 1000]
    """
    step = nice_step(max_value, ticks)
    top = max(step, -(-max_value // step) * step)
    return list(range(0, top + 1, step))


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """An estimate of rendered width: CJK characters are about one em, Latin about 0.6 em."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return wide * size + (len(text) - wide) * size * 0.6


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _open(width: float, height: float, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" '
        f'height="{_num(height)}" font-size="{FONT_SIZE}">'
        f"<title>{esc(title)}</title><desc>{esc(desc or title)}</desc>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}"{extra}>{esc(text)}</text>'


def _rect(x: float, y: float, w: float, h: float, colour: str, tip: str) -> str:
    return (
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0.0))}" '
        f'height="{_num(max(h, 0.0))}" fill="{esc(colour)}"><title>{esc(tip)}</title></rect>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, dash: bool = False) -> str:
    style = ' stroke-dasharray="4 3"' if dash else ""
    return (
        f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
        f'stroke="{colour}"{style}/>'
    )


def _legend(series: Sequence[Series], x: float, y: float) -> tuple[str, float]:
    """A legend that wraps onto more lines as needed, and the height it takes. A single
    series gets none: the caption says what it is."""
    if len(series) < 2:
        return "", 0.0
    parts, left, line_h = [], x, 18.0
    for s in series:
        item_w = 16 + text_width(s.name) + 18
        if x > left and x + item_w > WIDTH:
            x, y = left, y + line_h
        parts.append(_rect(x, y - 10, 12, 12, s.colour, s.name))
        parts.append(_text(x + 16, y, s.name))
        x += item_w
    return "".join(parts), y + line_h


def _x_axis(
    ticks: list[int],
    left: float,
    width: float,
    top: float,
    bottom: float,
    fmt: Formatter,
    label: str,
) -> str:
    """Vertical grid lines with tick labels below, for a horizontal value axis."""
    parts = []
    for tick in ticks:
        x = left + width * tick / ticks[-1]
        parts.append(_line(x, top, x, bottom, GRID_COLOUR))
        parts.append(_text(x, bottom + 16, fmt(tick), "middle", ' fill="#333"'))
    parts.append(_line(left, bottom, left + width, bottom, AXIS_COLOUR))
    parts.append(_text(left + width / 2, bottom + 34, label, "middle", ' class="axis-label"'))
    return "".join(parts)


def _y_axis(
    ticks: list[int],
    left: float,
    width: float,
    top: float,
    bottom: float,
    fmt: Formatter,
    label: str,
) -> str:
    """Horizontal grid lines with tick labels at the left, for a vertical value axis."""
    parts = []
    for tick in ticks:
        y = bottom - (bottom - top) * tick / ticks[-1]
        parts.append(_line(left, y, left + width, y, GRID_COLOUR))
        parts.append(_text(left - 6, y + 4, fmt(tick), "end", ' fill="#333"'))
    parts.append(_line(left, bottom, left + width, bottom, AXIS_COLOUR))
    mid = (top + bottom) / 2
    rotate = f' class="axis-label" transform="rotate(-90 12 {_num(mid)})"'
    parts.append(_text(12, mid, label, "middle", rotate))
    return "".join(parts)


def _bars_left(categories: Sequence[str]) -> float:
    """Where horizontal bars start: after the widest category label (within limits)."""
    return min(260.0, max([text_width(c) for c in categories] + [40.0]) + 12) + 8


def stacked_hbar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    fmt: Formatter,
    *,
    axis_label: str = "",
    desc: str = "",
) -> str:
    """Horizontal bars, one per category, each stacked from the series' values.

    The total is written at the end of each bar; each segment's value is in its tooltip.
    """
    left, right_pad, row_h, bar_h = _bars_left(categories), 90.0, 30.0, 18.0
    legend, legend_bottom = _legend(series, left, 18)
    top = max(10.0, legend_bottom)
    bottom = top + row_h * len(categories)
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    ticks = axis_ticks(max(totals, default=0))
    plot_w = WIDTH - left - right_pad
    parts = [_open(WIDTH, bottom + 44, title, desc), legend]
    parts.append(_x_axis(ticks, left, plot_w, top, bottom, fmt, axis_label))
    for i, category in enumerate(categories):
        y = top + row_h * i + (row_h - bar_h) / 2
        parts.append(_text(left - 8, y + bar_h - 4, category, "end"))
        x = left
        for s in series:
            w = plot_w * s.values[i] / ticks[-1]
            parts.append(
                _rect(x, y, w, bar_h, s.colour, f"{category} · {s.name}: {fmt(s.values[i])}")
            )
            x += w
        parts.append(_text(x + 6, y + bar_h - 4, fmt(totals[i]), extra=' class="value"'))
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(
    title: str,
    categories: Sequence[str],
    values: Sequence[int],
    fmt: Formatter,
    *,
    axis_label: str = "",
    desc: str = "",
    colour: str = PALETTE[0],
) -> str:
    """Plain horizontal bars: one value per category."""
    series = [Series(title, tuple(values), colour)]
    return stacked_hbar_chart(title, categories, series, fmt, axis_label=axis_label, desc=desc)


def grouped_vbar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    fmt: Formatter,
    *,
    axis_label: str = "",
    desc: str = "",
    height: int = 300,
) -> str:
    """Vertical bars side by side within each category, one per series, values on top."""
    ticks = axis_ticks(max((v for s in series for v in s.values), default=0))
    left = 40 + max(text_width(fmt(t)) for t in ticks)
    legend, legend_bottom = _legend(series, left, 18)
    top, bottom = max(20.0, legend_bottom + 10), height - 40.0
    plot_w = WIDTH - left - 10
    group_w = plot_w / max(len(categories), 1)
    bar_w = min(60.0, group_w * 0.8 / max(len(series), 1))
    parts = [_open(WIDTH, height, title, desc), legend]
    parts.append(_y_axis(ticks, left, plot_w, top, bottom, fmt, axis_label))
    for i, category in enumerate(categories):
        start = left + group_w * i + (group_w - bar_w * len(series)) / 2
        for j, s in enumerate(series):
            h = (bottom - top) * s.values[i] / ticks[-1]
            x = start + bar_w * j
            parts.append(
                _rect(
                    x,
                    bottom - h,
                    bar_w - 2,
                    h,
                    s.colour,
                    f"{category} · {s.name}: {fmt(s.values[i])}",
                )
            )
            if text_width(fmt(s.values[i]), 10) <= bar_w + 4:
                value = _text(
                    x + bar_w / 2 - 1,
                    bottom - h - 4,
                    fmt(s.values[i]),
                    "middle",
                    ' class="value" font-size="10"',
                )
                parts.append(value)
        parts.append(_text(left + group_w * (i + 0.5), bottom + 18, category, "middle"))
    parts.append("</svg>")
    return "".join(parts)


def vbar_chart(
    title: str,
    categories: Sequence[str],
    values: Sequence[int],
    fmt: Formatter,
    *,
    axis_label: str = "",
    desc: str = "",
    colour: str = PALETTE[0],
) -> str:
    """Plain vertical bars: one value per category."""
    series = [Series(title, tuple(values), colour)]
    return grouped_vbar_chart(title, categories, series, fmt, axis_label=axis_label, desc=desc)


def _edge_label(b: Bin, fmt: Formatter) -> str:
    return fmt(b.lower) if b.upper is not None else f"≥ {fmt(b.lower)}"


def _marker_x(value: int, bins: Sequence[Bin], left: float, bin_w: float) -> float:
    """Where a value falls on the bin axis; inside the open last bin it sits mid-bin."""
    for i, b in enumerate(bins):
        if b.upper is None:
            return left + bin_w * (i + 0.5)
        if value < b.upper:
            return left + bin_w * (i + (value - b.lower) / (b.upper - b.lower))
    return left + bin_w * len(bins)


def histogram(
    title: str,
    bins: Sequence[Bin],
    edge_fmt: Formatter,
    *,
    x_label: str = "",
    y_label: str = "",
    desc: str = "",
    markers: Sequence[tuple[str, int]] = (),
    colour: str = PALETTE[0],
    height: int = 320,
) -> str:
    """Touching vertical bars over consecutive bins, with optional labelled marker lines
    (for example percentiles) at given values on the bin axis."""
    ticks = axis_ticks(max((b.count for b in bins), default=0))
    left = 40 + max(text_width(f"{t:,}") for t in ticks)
    # Marker labels get a line each above the plot, so they never sit on a bar.
    top, bottom = 20.0 + 14 * len(markers), height - 48.0
    plot_w = WIDTH - left - 16
    bin_w = plot_w / max(len(bins), 1)
    widest = max((text_width(_edge_label(b, edge_fmt)) for b in bins), default=0.0)
    every = max(1, int(-(-(widest + 8) // bin_w)))  # label every n-th edge so labels never touch
    parts = [_open(WIDTH, height, title, desc)]
    parts.append(_y_axis(ticks, left, plot_w, top, bottom, lambda n: f"{n:,}", y_label))
    for i, b in enumerate(bins):
        h = (bottom - top) * b.count / ticks[-1]
        x = left + bin_w * i
        span = _edge_label(b, edge_fmt) + ("" if b.upper is None else f" – {edge_fmt(b.upper)}")
        parts.append(_rect(x + 0.5, bottom - h, bin_w - 1, h, colour, f"{span}: {b.count:,}"))
        if i % every == 0:
            anchor = "middle" if b.upper is None else "start"
            lx = x + bin_w / 2 if b.upper is None else x
            parts.append(_text(lx, bottom + 16, _edge_label(b, edge_fmt), anchor))
    for n, (name, value) in enumerate(markers):
        x = _marker_x(value, bins, left, bin_w)
        y = 14.0 + 14 * n
        parts.append(_line(x, y - 10, x, bottom, "#D55E00", dash=True))
        fits = x + 3 + text_width(name) <= WIDTH
        lx, anchor = (x + 3, "start") if fits else (x - 3, "end")
        parts.append(_text(lx, y, name, anchor, ' class="marker" fill="#D55E00"'))
    parts.append(_text(left + plot_w / 2, bottom + 36, x_label, "middle", ' class="axis-label"'))
    parts.append("</svg>")
    return "".join(parts)


def diverging_hbar_chart(
    title: str,
    categories: Sequence[str],
    values: Sequence[int],
    fmt: Formatter,
    *,
    axis_label: str = "",
    desc: str = "",
    colours: tuple[str, str] = (PALETTE[2], PALETTE[5]),
) -> str:
    """Horizontal bars from a zero line for signed values (a change): negative to the left
    in the first colour, positive to the right in the second, the value at the bar's end."""
    left, pad, row_h, bar_h = _bars_left(categories), 90.0, 30.0, 18.0
    top, bottom = 10.0, 10.0 + row_h * len(categories)
    half = (WIDTH - left - 2 * pad) / 2
    zero = left + pad + half
    ticks = axis_ticks(max((abs(v) for v in values), default=0), 3)
    scale = half / ticks[-1]
    parts = [_open(WIDTH, bottom + 44, title, desc)]
    for tick in ticks:
        for x in {zero - tick * scale, zero + tick * scale}:
            parts.append(_line(x, top, x, bottom, GRID_COLOUR))
        parts.append(_text(zero + tick * scale, bottom + 16, fmt(tick), "middle", ' fill="#333"'))
        if tick:
            parts.append(
                _text(zero - tick * scale, bottom + 16, fmt(-tick), "middle", ' fill="#333"')
            )
    parts.append(_line(zero, top, zero, bottom, AXIS_COLOUR))
    for i, (category, value) in enumerate(zip(categories, values, strict=True)):
        y = top + row_h * i + (row_h - bar_h) / 2
        w = abs(value) * scale
        x = zero - w if value < 0 else zero
        parts.append(_text(left - 8, y + bar_h - 4, category, "end"))
        colour = colours[0] if value < 0 else colours[1]
        parts.append(_rect(x, y, w, bar_h, colour, f"{category}: {fmt(value)}"))
        end, anchor = (x - 4, "end") if value < 0 else (x + w + 4, "start")
        parts.append(_text(end, y + bar_h - 4, fmt(value), anchor, ' class="value"'))
    parts.append(_text(zero, bottom + 34, axis_label, "middle", ' class="axis-label"'))
    parts.append("</svg>")
    return "".join(parts)

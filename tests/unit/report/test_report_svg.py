"""The inline SVG chart helpers: escaping, accessible titles, scales and stacking."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from yibao.report import svg

NS = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & co'


def fen_as_yuan(fen: int) -> str:
    return f"{fen // 100:,}"


def charts() -> dict[str, str]:
    """One chart of each kind, every caller-given text carrying markup."""
    two = [svg.Series(EVIL, (100, 300), "#000"), svg.Series("B", (50, 0), "#111")]
    return {
        "hbar": svg.hbar_chart(EVIL, [EVIL, "b"], [1, 2], str, axis_label=EVIL),
        "vbar": svg.vbar_chart(EVIL, [EVIL, "b"], [1, 2], str, axis_label=EVIL),
        "stacked": svg.stacked_hbar_chart(EVIL, [EVIL, "b"], two, str, desc=EVIL),
        "grouped": svg.grouped_vbar_chart(EVIL, [EVIL, "b"], two, str),
        "histogram": svg.histogram(
            EVIL, [svg.Bin(0, 10, 3), svg.Bin(10, None, 1)], str, markers=[(EVIL, 5)]
        ),
        "diverging": svg.diverging_hbar_chart(EVIL, [EVIL, "b"], [-1, 2], str, axis_label=EVIL),
    }


@pytest.mark.parametrize("kind", list(charts()))
def test_labels_are_escaped_and_the_chart_is_well_formed_xml(kind: str) -> None:
    chart = charts()[kind]
    assert "<script" not in chart
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in chart
    root = ElementTree.fromstring(chart)  # raises on anything unbalanced or unescaped
    assert root.tag == f"{NS}svg" and root.get("role") == "img"
    assert root[0].tag == f"{NS}title" and root[0].text == EVIL  # the accessible name
    assert root[1].tag == f"{NS}desc"


def test_every_bar_has_a_tooltip_title() -> None:
    root = ElementTree.fromstring(charts()["stacked"])
    bars = [r for r in root.iter(f"{NS}rect") if r.get("height") == "18"]
    assert len(bars) == 4
    assert all(r.find(f"{NS}title") is not None for r in bars)


def test_stacked_segments_are_proportional_and_the_total_is_written() -> None:
    series = [svg.Series("pooled", (30_000, 10_000), "#a"), svg.Series("cash", (10_000, 0), "#b")]
    chart = svg.stacked_hbar_chart("t", ["x", "y"], series, fen_as_yuan, axis_label="yuan")
    widths = [
        float(w)
        for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="18"', chart)
    ]
    x_pooled, x_cash, y_pooled, _ = widths
    assert x_pooled == pytest.approx(3 * x_cash, abs=0.2)
    assert x_pooled == pytest.approx(3 * y_pooled, abs=0.2)
    assert ">400<" in chart  # total of row x, in yuan with the caller's formatter
    assert ">yuan<" in chart  # the axis label


def test_axis_uses_round_steps_with_thousands_separators() -> None:
    chart = svg.hbar_chart("t", ["a"], [1_234_500], fen_as_yuan)
    # 12,345 yuan over at most five steps: steps of 5,000.
    for tick in ("0", "5,000", "10,000", "15,000"):
        assert f">{tick}</text>" in chart


@pytest.mark.parametrize(
    ("span", "step"), [(0, 1), (1, 1), (5, 1), (6, 2), (10, 2), (11, 5), (26, 10), (950, 200)]
)
def test_nice_step(span: int, step: int) -> None:
    assert svg.nice_step(span) == step


def test_axis_ticks_reach_the_largest_value() -> None:
    assert svg.axis_ticks(0) == [0, 1]
    assert svg.axis_ticks(1000) == [0, 200, 400, 600, 800, 1000]
    assert svg.axis_ticks(1001) == [0, 500, 1000, 1500]  # 200 would take six steps


def test_histogram_labels_the_open_bin_and_places_markers_inside_bins() -> None:
    bins = [svg.Bin(0, 100, 5), svg.Bin(100, 200, 2), svg.Bin(200, None, 1)]
    chart = svg.histogram("t", bins, str, markers=[("P50", 150)])
    assert "≥ 200" in chart
    root = ElementTree.fromstring(chart)
    bars = list(root.iter(f"{NS}rect"))
    marker = next(ln for ln in root.iter(f"{NS}line") if ln.get("stroke-dasharray"))
    second = bars[1]
    left, width = float(second.get("x", 0)), float(second.get("width", 0))
    assert left < float(marker.get("x1", 0)) < left + width  # 150 is inside [100, 200)


def test_an_empty_chart_still_draws() -> None:
    assert svg.hbar_chart("nothing", [], [], str).endswith("</svg>")
    assert svg.histogram("nothing", [], str).endswith("</svg>")


def test_text_width_counts_chinese_as_wider() -> None:
    assert svg.text_width("统筹基金") > svg.text_width("pool")


def test_diverging_bars_grow_left_for_decreases_and_right_for_increases() -> None:
    chart = svg.diverging_hbar_chart("change", ["down", "up", "none"], [-50, 100, 0], str)
    root = ElementTree.fromstring(chart)
    bars = {r.find(f"{NS}title").text: r for r in root.iter(f"{NS}rect")}  # type: ignore[union-attr]
    down, up, none = bars["down: -50"], bars["up: 100"], bars["none: 0"]
    zero = float(up.get("x", "0"))
    assert float(down.get("x", "0")) + float(down.get("width", "0")) == pytest.approx(zero)
    assert float(up.get("width", "0")) == pytest.approx(2 * float(down.get("width", "0")))
    assert float(none.get("width", "1")) == 0
    assert down.get("fill") != up.get("fill")

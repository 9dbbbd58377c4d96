"""The reform report (政策调整测算报告): a :class:`~yibao.reform.summary.ReformSummary` as one
self-contained HTML page (inline CSS and SVG, no script), like the settlement report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from markupsafe import Markup

from yibao.io.records import citation_value_text
from yibao.money import Fen, div_half_up
from yibao.policy.pack import Citation
from yibao.reform.che import FOOD_SHARE, RULES, SUBSISTENCE_FEN
from yibao.reform.compare import FUNDS
from yibao.reform.summary import GroupRow, ReformSummary
from yibao.report import svg
from yibao.report.actuarial_report import LEVEL_COLOUR
from yibao.report.settlement_report import (
    SYNTHETIC_NOTICE,
    environment,
    label,
    money_unit,
    whole_yuan,
)

FUND_LABELS: Mapping[str, tuple[str, str]] = {
    "hifp_pay": ("Pooled fund", "统筹基金"),
    "hifob_pay": ("Large amount", "大额医疗费用补助"),
    "hifmi_pay": ("Critical illness", "大病保险"),
    "maf_pay": ("Assistance", "医疗救助"),
    "oop": ("Out-of-pocket", "个人负担"),
}


def signed(text: str) -> str:
    """A number's text with an explicit sign, a true minus, and none on zero.

    >>> signed("1.00"), signed("-1.00"), signed("0.0 %"), signed("—")
    ('+1.00', '−1.00', '0.0 %', '—')
    """
    if text.startswith("-"):
        return "−" + text[1:]
    digits = [c for c in text if c.isdigit()]
    return "+" + text if any(c != "0" for c in digits) else text


def _signed_fmt(fmt: svg.Formatter) -> svg.Formatter:
    return lambda v: signed(fmt(v))


def _change_chart(title: str, names: Sequence[str], values: Sequence[Fen], what: str) -> Markup:
    unit, fmt = money_unit(max((abs(v) for v in values), default=0))
    return Markup(
        svg.diverging_hbar_chart(
            title,
            names,
            values,
            _signed_fmt(fmt),
            axis_label=f"{what}, {unit}",
            desc="; ".join(
                f"{n}: {signed(fmt(v))} {unit}" for n, v in zip(names, values, strict=True)
            ),
        )
    )


def _group_name(kind: str, g: GroupRow, regions: Mapping[str, str]) -> str:
    if kind == "scheme":
        return label(g.key)
    if kind == "level":
        return f"Level {g.key}"
    return regions.get(g.key, g.key)


def _fund_change(g: GroupRow) -> Fen:
    return sum(g.reform[:-1]) - sum(g.base[:-1])


def _per_person(total: Fen, persons: int) -> Fen:
    if persons <= 0:
        return 0
    return -div_half_up(-total, persons) if total < 0 else div_half_up(total, persons)


def _decile_chart(s: ReformSummary) -> Markup:
    names = [f"D{d.decile}" for d in s.deciles]
    values = [_per_person(d.oop_reform - d.oop_base, d.persons) for d in s.deciles]
    chart = svg.diverging_hbar_chart(
        "Change in out-of-pocket per insured person, by income decile",
        names,
        values,
        _signed_fmt(lambda v: f"{Decimal(v) / 100:,.2f}"),
        axis_label="yuan per person (D1 poorest)",
        desc="; ".join(f"{n}: {v / 100:+.2f} yuan" for n, v in zip(names, values, strict=True)),
    )
    return Markup(chart)


def _che_chart(s: ReformSummary) -> Markup:
    i = len(RULES) - 1  # the WHO capacity-to-pay definition
    names = [f"D{d.decile}" for d in s.deciles]
    series = [
        svg.Series("before", tuple(d.che_base[i] for d in s.deciles), svg.PALETTE[6]),
        svg.Series("after", tuple(d.che_reform[i] for d in s.deciles), svg.PALETTE[0]),
    ]
    return Markup(
        svg.grouped_vbar_chart(
            f"Persons with catastrophic spending ({RULES[i].label}), by income decile",
            names,
            series,
            lambda n: f"{n:,}",
            axis_label="persons",
        )
    )


def _value(c: Citation | None) -> str:
    return "—" if c is None else citation_value_text(c)


def _source(c: Citation | None) -> str:
    if c is None:
        return ""
    r = c.reference
    mark = " [hypothetical]" if r.hypothetical else " [synthetic]" if r.synthetic else ""
    return f"{c.pack}: {r.title}{mark}" + (f" <{r.url}>" if r.url else "")


def render_reform_report(s: ReformSummary, meta: Mapping[str, object]) -> str:
    """The report as one HTML page; ``meta`` may give ``regions`` (code → name), ``notice``
    and ``run_time``."""
    regions = meta.get("regions", {})
    assert isinstance(regions, Mapping)
    env = environment()
    changes = [p[1] - p[0] for p in (*s.funds.values(), s.oop, s.expense)]
    unit, money = money_unit(max((abs(c) for c in changes), default=0))
    env.filters.update(
        signed=signed, value=_value, source=_source, whole_yuan=whole_yuan, money=money
    )
    group_charts = {
        kind: _change_chart(
            f"Change in the funds' outlay by {kind}",
            [_group_name(kind, g, regions) for g in rows],
            [_fund_change(g) for g in rows],
            "all funds",
        )
        for kind, rows in s.groups.items()
    }
    context = {
        "s": s,
        "r": s.reform,
        "meta": meta,
        "regions": regions,
        "unit": unit,
        "notice": meta.get("notice", SYNTHETIC_NOTICE),
        "funds": [(f, *FUND_LABELS[f]) for f in (*FUNDS, "oop")],
        "group_name": lambda kind, g: _group_name(kind, g, regions),
        "group_charts": group_charts,
        "decile_chart": _decile_chart(s),
        "che_chart": _che_chart(s),
        "rules": RULES,
        "subsistence": SUBSISTENCE_FEN,
        "food_share": FOOD_SHARE,
        "level_colour": LEVEL_COLOUR,
        "per_person": _per_person,
    }
    return env.get_template("reform.html.j2").render(context)

"""The settlement report: a year of settled claims summed up, then rendered as one HTML page.

``summarise`` is pure: a table of settlements in, a frozen :class:`SettlementSummary` out.
The sums run in an in-memory DuckDB over the Arrow table, on integers: money stays in fen.
Ratios are the only divisions and they are done in Python ``Decimal`` on the small
aggregates (DESIGN.md, "Money"). ``render_settlement_report`` turns a summary and the run's
metadata into a self-contained HTML string; writing it to disk is the caller's job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, TypedDict

import duckdb
import pyarrow as pa
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from yibao.money import Fen, div_half_up, format_yuan
from yibao.report import svg
from yibao.settle.parts import INTERFACE_CODES, Parts
from yibao.types import Level, Scheme, VisitType

# ---------------------------------------------------------------------------------------------
# Vocabulary of the report

KEY_COLUMNS: Final = (
    "claim_id",
    "person_id",
    "scheme",
    "person_type",
    "visit_type",
    "level",
    "insured_region",
    "settle_date",
)
MONEY_COLUMNS: Final = (*INTERFACE_CODES.values(),)  # every part, fund_pay_sumamt included
PART_COLUMNS: Final = {name: code for name, code in INTERFACE_CODES.items() if name != "fund_total"}

PERCENTILES: Final = (50, 75, 90, 95, 99)
HISTOGRAM_BINS: Final = 20


@dataclass(frozen=True, slots=True)
class Fund:
    """A fund that pays part of a bill: the parts field, its label and its colour in charts."""

    part: str
    label: str
    chinese: str
    colour: str


FUNDS: Final = (
    Fund("pooled_fund", "Pooled fund", "统筹基金", svg.PALETTE[0]),
    Fund("large_amount", "Large amount", "大额医疗费用补助", svg.PALETTE[2]),
    Fund("critical_illness", "Critical illness", "大病保险", svg.PALETTE[1]),
    Fund("assistance", "Assistance", "医疗救助", svg.PALETTE[3]),
)


@dataclass(frozen=True, slots=True)
class Tier:
    """A benefit tier a person reaches when one of their claims has a positive ``column``."""

    name: str
    label: str
    chinese: str
    column: str


# The funds' Chinese names are given once, where the report introduces them (FUNDS); the
# tiers add only the terms that are new.
TIERS: Final = (
    Tier("deductible", "Paid a deductible", "起付线", "act_pay_dedc"),
    Tier("pooled_fund", "Pooled fund paid", "", "hifp_pay"),
    Tier("ceiling", "Reached the basic ceiling", "封顶线", "overcap_amt"),
    Tier("large_amount", "Large-amount fund paid", "", "hifob_pay"),
    Tier("critical_illness", "Critical illness paid", "", "hifmi_pay"),
    Tier("assistance", "Medical assistance paid", "", "maf_pay"),
    Tier("tilted_assistance", "Tilted assistance paid", "倾斜救助", "maf_tilt_pay"),
)

# In-catalogue (policy-scope) fund share of inpatient cost, 2023, by scheme and then by level.
# NHSA 2023 statistical bulletin, as collected in policy-facts.md §2.2 and §10. The bulletin
# lists the levels as L3 / L2 / L1-and-below (the order is our reading of the mirror text).
NATIONAL_2023_SOURCE: Final = "NHSA 2023 statistical bulletin"
NATIONAL_2023_INPATIENT: Final[Mapping[str, Decimal]] = {
    Scheme.EMPLOYEE: Decimal("0.846"),
    Scheme.RESIDENT: Decimal("0.681"),
}
NATIONAL_2023_INPATIENT_BY_LEVEL: Final[Mapping[tuple[str, str], Decimal]] = {
    (Scheme.EMPLOYEE, Level.L3): Decimal("0.835"),
    (Scheme.EMPLOYEE, Level.L2): Decimal("0.874"),
    (Scheme.EMPLOYEE, Level.L1): Decimal("0.894"),
    (Scheme.RESIDENT, Level.L3): Decimal("0.632"),
    (Scheme.RESIDENT, Level.L2): Decimal("0.724"),
    (Scheme.RESIDENT, Level.L1): Decimal("0.808"),
}


# Ratios are kept to a tenth of a percent, the precision the NHSA bulletin publishes, and
# rounded once from the integer sums: rounding again for display would round twice.
SHARE_SCALE: Final = 1000


def share(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` as a Decimal of three places, rounded half-up once from the
    integers; None when there is nothing to divide by.

    >>> share(846, 1000), share(2, 3), share(8145, 10_000), share(1, 0)
    (Decimal('0.846'), Decimal('0.667'), Decimal('0.815'), None)
    """
    if denominator <= 0:
        return None
    return Decimal(div_half_up(numerator * SHARE_SCALE, denominator)) / SHARE_SCALE


# ---------------------------------------------------------------------------------------------
# The summary


@dataclass(frozen=True, slots=True)
class Group:
    """The claims that share a key (for example scheme and level), summed."""

    key: tuple[str, ...]
    claims: int
    persons: int
    parts: Parts

    @property
    def fund_in_scope(self) -> Fen:
        """Funds that pay inside the policy scope: pooled fund, large amount, critical illness.
        Assistance is left out: it mostly pays the person's own share, as the bulletin does."""
        p = self.parts
        return p.pooled_fund + p.large_amount + p.critical_illness

    @property
    def scope_ratio(self) -> Decimal | None:
        """Effective reimbursement in the policy scope: (hifp + hifob + hifmi) / inscp_scp_amt."""
        return share(self.fund_in_scope, self.parts.scope)

    @property
    def overall_ratio(self) -> Decimal | None:
        """Effective reimbursement of the whole bill: fund_pay_sumamt / medfee_sumamt."""
        return share(self.parts.fund_total, self.parts.total)


@dataclass(frozen=True, slots=True)
class TierReach:
    """How many persons of a scheme with at least one claim reached each benefit tier."""

    scheme: str
    persons: int
    reached: tuple[int, ...]  # aligned with TIERS

    def count(self, tier: str) -> int:
        """Persons who reached the tier named ``tier``."""
        return self.reached[[t.name for t in TIERS].index(tier)]


@dataclass(frozen=True, slots=True)
class OutOfPocket:
    """Each person's out-of-pocket over the year (cash + individual account), as a distribution
    over persons with at least one claim."""

    persons: int
    total: Fen
    mean: Fen
    maximum: Fen
    percentiles: tuple[tuple[int, Fen], ...]  # (p, amount) by nearest rank
    bins: tuple[svg.Bin, ...]

    def percentile(self, p: int) -> Fen:
        """The amount at percentile ``p`` (one of PERCENTILES)."""
        return dict(self.percentiles)[p]


@dataclass(frozen=True, slots=True)
class SettlementSummary:
    """The figures of the settlement report; every amount in fen."""

    claims: int
    persons: int
    first_date: date | None
    last_date: date | None
    totals: Parts
    by_scheme: tuple[Group, ...]
    by_level: tuple[Group, ...]
    by_scheme_level: tuple[Group, ...]
    inpatient_by_scheme: tuple[Group, ...]
    inpatient_by_scheme_level: tuple[Group, ...]
    by_scheme_visit: tuple[Group, ...]
    by_region: tuple[Group, ...]
    tiers: tuple[TierReach, ...]
    out_of_pocket: OutOfPocket
    unbalanced_claims: int  # claims whose parts break an identity of the settlement

    def group(self, table: str, *key: str) -> Group | None:
        """The group with ``key`` in the named tuple of groups, e.g. ("by_level", "L3")."""
        groups: tuple[Group, ...] = getattr(self, table)
        return next((g for g in groups if g.key == key), None)


def check_columns(schema: pa.Schema) -> None:
    """Refuse a table that lacks a column or carries money in anything but integers."""
    missing = [c for c in (*KEY_COLUMNS, *MONEY_COLUMNS) if c not in schema.names]
    if missing:
        raise ValueError(f"settlements lack column(s): {', '.join(missing)}")
    floats = [c for c in MONEY_COLUMNS if not pa.types.is_integer(schema.field(c).type)]
    if floats:
        raise ValueError(f"money columns must be integer fen: {', '.join(floats)}")


def _sum_parts_sql() -> str:
    return ", ".join(f"COALESCE(SUM({code}), 0)" for code in PART_COLUMNS.values())


def _parts(values: Sequence[Any]) -> Parts:
    return Parts(**{name: int(v) for name, v in zip(PART_COLUMNS, values, strict=True)})


# Keys sort in the domain's own order (schemes, levels and visit types as declared), others
# (region codes) alphabetically after them.
DOMAIN_ORDER: Final = {
    str(v): i for vocab in (Scheme, Level, VisitType) for i, v in enumerate(vocab)
}


def _order(key: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    return tuple((DOMAIN_ORDER.get(k, len(DOMAIN_ORDER)), k) for k in key)


def _one(con: Any, sql: str, params: Sequence[object] = ()) -> tuple[Any, ...]:
    """The single row an aggregate query returns."""
    row = con.execute(sql, list(params)).fetchone()
    assert row is not None, "an aggregate query always returns one row"
    return tuple(row)


def _groups(con: Any, keys: Sequence[str], where: str = "TRUE") -> tuple[Group, ...]:
    cols = ", ".join(keys)
    rows = con.execute(
        f"SELECT {cols}, COUNT(*), COUNT(DISTINCT person_id), {_sum_parts_sql()} "
        f"FROM s WHERE {where} GROUP BY {cols}"
    ).fetchall()
    n = len(keys)
    groups = (
        Group(tuple(str(k) for k in r[:n]), int(r[n]), int(r[n + 1]), _parts(r[n + 2 :]))
        for r in rows
    )
    return tuple(sorted(groups, key=lambda g: _order(g.key)))


def _tiers(con: Any) -> tuple[TierReach, ...]:
    counts = ", ".join(f"COUNT(DISTINCT person_id) FILTER (WHERE {t.column} > 0)" for t in TIERS)
    rows = con.execute(
        f"SELECT scheme, COUNT(DISTINCT person_id), {counts} FROM s GROUP BY scheme"
    ).fetchall()
    reach = (TierReach(str(r[0]), int(r[1]), tuple(int(v) for v in r[2:])) for r in rows)
    return tuple(sorted(reach, key=lambda t: _order((t.scheme,))))


def _oop_bins(con: Any, upper: Fen) -> tuple[svg.Bin, ...]:
    """Equal bins of a round width up to ``upper`` (the 99th percentile, so that a few large
    bills do not squash the rest), then one open bin for the amounts beyond, if any."""
    step = max(100, svg.nice_step(upper, HISTOGRAM_BINS))  # at least one yuan wide
    closed = upper // step + 1  # the closed bins hold ``upper`` itself
    rows = con.execute(
        "SELECT GREATEST(LEAST(oop // ?, ?), 0) AS b, COUNT(*) FROM oop GROUP BY b",
        [step, closed],
    ).fetchall()
    counts = {int(b): int(n) for b, n in rows}
    bins = [svg.Bin(i * step, (i + 1) * step, counts.get(i, 0)) for i in range(closed)]
    if counts.get(closed, 0):
        bins.append(svg.Bin(closed * step, None, counts[closed]))
    return tuple(bins)


def _out_of_pocket(con: Any) -> OutOfPocket:
    con.execute(
        "CREATE TEMP TABLE oop AS SELECT person_id, SUM(psn_cash_pay + acct_pay) AS oop "
        "FROM s GROUP BY person_id"
    )
    persons, total, maximum = _one(
        con, "SELECT COUNT(*), COALESCE(SUM(oop), 0), COALESCE(MAX(oop), 0) FROM oop"
    )
    if persons == 0:
        return OutOfPocket(0, 0, 0, 0, tuple((p, 0) for p in PERCENTILES), ())
    # Nearest rank: the smallest amount that at least p % of persons paid no more than. It is
    # always an amount some person actually paid, so it stays an integer of fen.
    ranks = {p: (p * persons + 99) // 100 for p in PERCENTILES}
    ranked = con.execute(
        "SELECT rn, oop FROM (SELECT oop, ROW_NUMBER() OVER (ORDER BY oop) AS rn FROM oop) "
        f"WHERE rn IN ({', '.join(str(r) for r in ranks.values())})"
    ).fetchall()
    by_rank = {int(rn): int(v) for rn, v in ranked}
    percentiles = tuple((p, by_rank[r]) for p, r in ranks.items())
    bins = _oop_bins(con, max(1, dict(percentiles)[99]))
    mean = div_half_up(int(total), int(persons))
    return OutOfPocket(int(persons), int(total), mean, int(maximum), percentiles, bins)


def _unbalanced(con: Any) -> int:
    """Claims whose parts break an identity of ``settle.parts.Parts`` or whose
    ``fund_pay_sumamt`` is not the sum of the funds."""
    fund = "hifp_pay + hifob_pay + hifmi_pay + maf_pay"
    split = "fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt + inscp_scp_amt"
    inside = "act_pay_dedc + psn_coins_amt + hifp_pay + overcap_amt"
    checks = (
        f"medfee_sumamt <> {split}",
        f"medfee_sumamt <> {fund} + acct_pay + psn_cash_pay",
        f"inscp_scp_amt <> {inside}",
        f"fund_pay_sumamt <> {fund}",
    )
    return int(_one(con, f"SELECT COUNT(*) FROM s WHERE {' OR '.join(checks)}")[0])


def summarise(settlements: pa.Table) -> SettlementSummary:
    """Sum a table of settlements (one row per claim) into the figures of the report."""
    check_columns(settlements.schema)
    with duckdb.connect() as con:
        con.register("s", settlements)
        claims, persons, first, last, *sums = _one(
            con,
            "SELECT COUNT(*), COUNT(DISTINCT person_id), MIN(settle_date), MAX(settle_date), "
            f"{_sum_parts_sql()} FROM s",
        )
        inpatient = f"visit_type = '{VisitType.INPATIENT}'"
        return SettlementSummary(
            claims=int(claims),
            persons=int(persons),
            first_date=first,
            last_date=last,
            totals=_parts(sums),
            by_scheme=_groups(con, ["scheme"]),
            by_level=_groups(con, ["level"]),
            by_scheme_level=_groups(con, ["scheme", "level"]),
            inpatient_by_scheme=_groups(con, ["scheme"], inpatient),
            inpatient_by_scheme_level=_groups(con, ["scheme", "level"], inpatient),
            by_scheme_visit=_groups(con, ["scheme", "visit_type"]),
            by_region=_groups(con, ["insured_region"]),
            tiers=_tiers(con),
            out_of_pocket=_out_of_pocket(con),
            unbalanced_claims=_unbalanced(con),
        )


# ---------------------------------------------------------------------------------------------
# Formatting: display only, never fed back into arithmetic

FEN_PER_WAN: Final = 1_000_000  # 1 万元 = 10 000 yuan = 1 000 000 fen


def wan(fen: Fen) -> str:
    """Fen as 万元 (ten thousand yuan) with two places and thousands separators.

    >>> wan(123_456_789), wan(5_000)
    ('123.46', '0.01')
    """
    return f"{Decimal(div_half_up(fen, FEN_PER_WAN // 100)) / 100:,.2f}"


def yuan(fen: Fen) -> str:
    """Fen as yuan with two places and thousands separators: ``1,234.50``."""
    return format_yuan(fen)


def whole_yuan(fen: Fen) -> str:
    """Fen as whole yuan with thousands separators, for chart axes: ``1,235``."""
    return f"{div_half_up(fen, 100):,}"


def pct(r: Decimal | None) -> str:
    """A ratio as a percentage with one place; a dash when there was nothing to divide.
    Ratios from :func:`share` already have that precision, so nothing is rounded twice.

    >>> pct(Decimal("0.846")), pct(Decimal("0.8125")), pct(None)
    ('84.6 %', '81.3 %', '—')
    """
    # Quantize explicitly: Decimal's own formatting would round half-even.
    return "—" if r is None else f"{(r * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)} %"


def count(n: int) -> str:
    """A count with thousands separators."""
    return f"{n:,}"


def money_unit(largest: Fen) -> tuple[str, svg.Formatter]:
    """The unit a chart of amounts up to ``largest`` reads best in: 万元, else yuan."""
    return ("万元", wan) if largest >= FEN_PER_WAN else ("yuan", whole_yuan)


# ---------------------------------------------------------------------------------------------
# Rendering


class ReportMeta(TypedDict, total=False):
    """What the run that produced the settlements tells the report (every key optional)."""

    title: str
    year: int
    regions: Mapping[str, str]  # insured-region code → name
    policy_packs: Sequence[str]  # ids of the policy packs the claims were settled under
    persons: int  # insured persons in the population, claimants or not
    run_time: str  # when the run happened, as the caller wants it shown
    run_seconds: float  # how long settlement took
    seed: int  # the synthetic generator's seed
    notice: str  # the synthetic-data notice
    ltc: Mapping[str, object]  # the LTC fund's year (:func:`yibao.jobs.demo.ltc_meta`)


SYNTHETIC_NOTICE: Final = (
    "All persons, claims and amounts in this report are synthetic. They illustrate the engine "
    "and say nothing about any real person, hospital or fund."
)
SCHEME_LABELS: Final[Mapping[str, str]] = {
    Scheme.EMPLOYEE: "Employees",
    Scheme.RESIDENT: "Residents",
}
VISIT_LABELS: Final[Mapping[str, str]] = {
    VisitType.INPATIENT: "Inpatient",
    VisitType.OUTPATIENT_GENERAL: "Outpatient (general)",
    VisitType.OUTPATIENT_CHRONIC: "Outpatient (chronic & special)",
    VisitType.PHARMACY: "Pharmacy",
}


def label(key: str) -> str:
    """The English label of a scheme or visit type; levels and unknown keys as they are."""
    return SCHEME_LABELS.get(key) or VISIT_LABELS.get(key) or key


def _fund_chart(title: str, groups: Iterable[Group], names: Sequence[str]) -> Markup:
    groups = list(groups)
    unit, fmt = money_unit(max((g.parts.fund_total for g in groups), default=0))
    series = [
        svg.Series(f.label, tuple(getattr(g.parts, f.part) for g in groups), f.colour)
        for f in FUNDS
    ]
    desc = "; ".join(
        f"{n}: {fmt(g.parts.fund_total)} {unit}" for n, g in zip(names, groups, strict=True)
    )
    return Markup(svg.stacked_hbar_chart(title, names, series, fmt, axis_label=unit, desc=desc))


def _ratio_chart(summary: SettlementSummary) -> Markup:
    """Inpatient policy-scope ratio by level, each scheme beside its 2023 national figure."""
    levels = [str(lv) for lv in Level]
    # Each scheme in one hue, this run dark and the national figure light, so pairs read together.
    hues = {Scheme.EMPLOYEE: (svg.PALETTE[0], "#9ecae9"), Scheme.RESIDENT: ("#D55E00", "#f5b48a")}
    series = []
    for scheme in Scheme:
        ours = tuple(
            _units(summary.group("inpatient_by_scheme_level", scheme, lv)) for lv in levels
        )
        national = tuple(_units_of(NATIONAL_2023_INPATIENT_BY_LEVEL[(scheme, lv)]) for lv in levels)
        dark, light = hues[scheme]
        series.append(svg.Series(f"{label(scheme)}, this run", ours, dark))
        series.append(svg.Series(f"{label(scheme)}, national 2023", national, light))
    chart = svg.grouped_vbar_chart(
        "Inpatient reimbursement in policy scope by hospital level",
        levels,
        series,
        lambda units: pct(Decimal(units) / SHARE_SCALE),
        axis_label="% of policy scope",
        desc="Fund share of policy-scope inpatient expense, this run against "
        f"the {NATIONAL_2023_SOURCE}",
    )
    return Markup(chart)


def _units(group: Group | None) -> int:
    return 0 if group is None else _units_of(group.scope_ratio)


def _units_of(r: Decimal | None) -> int:
    return 0 if r is None else int(r * SHARE_SCALE)


def _oop_chart(oop: OutOfPocket) -> Markup:
    markers = [(f"P{p} {yuan(v)}", v) for p, v in oop.percentiles if p in (50, 90, 99)]
    chart = svg.histogram(
        "Out-of-pocket per person over the year",
        oop.bins,
        whole_yuan,  # a person's year reads better in yuan than in 万元
        x_label="Cash + individual account per person (yuan)",
        y_label="Persons",
        desc=f"{oop.persons:,} persons; median {yuan(oop.percentile(50))} yuan",
        markers=markers,
    )
    return Markup(chart)


def environment() -> Environment:
    """The Jinja environment of the report templates, with the display filters."""
    env = Environment(
        loader=PackageLoader("yibao.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(wan=wan, yuan=yuan, pct=pct, count=count, label=label)
    env.globals["share"] = share
    return env


def render_settlement_report(summary: SettlementSummary, meta: ReportMeta) -> str:
    """The report as one self-contained HTML page: inline CSS and SVG, no script, no links."""
    regions = meta.get("regions", {})
    context = {
        "s": summary,
        "meta": meta,
        "title": meta.get("title", "Settlement report"),
        "notice": meta.get("notice", SYNTHETIC_NOTICE),
        "regions": regions,
        "funds": FUNDS,
        "tiers": TIERS,
        "national": NATIONAL_2023_INPATIENT,
        "national_by_level": NATIONAL_2023_INPATIENT_BY_LEVEL,
        "national_source": NATIONAL_2023_SOURCE,
        "percentiles": PERCENTILES,
        "fund_by_scheme_chart": _fund_chart(
            "Fund payments by scheme",
            summary.by_scheme,
            [label(g.key[0]) for g in summary.by_scheme],
        ),
        "fund_by_level_chart": _fund_chart(
            "Fund payments by hospital level",
            summary.by_level,
            [g.key[0] for g in summary.by_level],
        ),
        "ratio_chart": _ratio_chart(summary),
        "oop_chart": _oop_chart(summary.out_of_pocket),
    }
    return environment().get_template("settlement.html.j2").render(context)

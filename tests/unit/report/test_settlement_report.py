"""The settlement report over a year of six claims written out by hand.

Four persons, amounts in yuan (the table holds fen):

======  ========  ========  =====  ==========  ================================================
person  scheme    region    claim  visit, lvl  parts (yuan)
======  ========  ========  =====  ==========  ================================================
E1      employee  610100    c1     inpat. L3   out-of-catalogue 500; deductible 1 200, pooled
                                               8 000, coinsurance 800; account 200
E1                          c2     general L1  pooled 70, coinsurance 30; account 30
E2      employee  610700    c3     inpat. L2   deductible 800, pooled 20 000, coinsurance 3 000,
                                               over ceiling 6 200; large amount 5 000
R1      resident  610100    c4     inpat. L3   out-of-catalogue 1 000, class-B 500; deductible
                                               1 500, pooled 12 000, coinsurance 6 500;
                                               critical illness 2 000
R2      resident  610700    c5     inpat. L1   deductible 200, pooled 4 500, coinsurance 300;
                                               assistance 250 of which tilted 50
R2                          c6     pharmacy L1 over price cap 20; pooled 50, coinsurance 50
======  ========  ========  =====  ==========  ================================================

Cash is what is left after the funds and the account, so every claim balances.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from yibao.report import render_settlement_report, summarise, write_report
from yibao.report.settlement_report import ReportMeta, SettlementSummary

YUAN = 100  # fen per yuan


def claim(
    claim_id: str,
    person: str,
    scheme: str,
    region: str,
    visit: str,
    level: str,
    *,
    full: int = 0,
    over: int = 0,
    pre: int = 0,
    ded: int = 0,
    pooled: int = 0,
    coins: int = 0,
    overcap: int = 0,
    large: int = 0,
    ci: int = 0,
    assist: int = 0,
    tilt: int = 0,
    account: int = 0,
) -> dict[str, Any]:
    """One settlement row from its parts in yuan; scope, total, fund and cash follow."""
    scope = ded + coins + pooled + overcap
    total = full + over + pre + scope
    fund = pooled + large + ci + assist
    yuan_parts = {
        "medfee_sumamt": total,
        "fulamt_ownpay_amt": full,
        "overlmt_selfpay": over,
        "preselfpay_amt": pre,
        "inscp_scp_amt": scope,
        "act_pay_dedc": ded,
        "hifp_pay": pooled,
        "psn_coins_amt": coins,
        "overcap_amt": overcap,
        "hifob_pay": large,
        "hifmi_pay": ci,
        "maf_pay": assist,
        "maf_tilt_pay": tilt,
        "acct_pay": account,
        "psn_cash_pay": total - fund - account,
        "fund_pay_sumamt": fund,
    }
    return {
        "claim_id": claim_id,
        "person_id": person,
        "scheme": scheme,
        "person_type": "active" if scheme == "employee" else "adult",
        "visit_type": visit,
        "level": level,
        "insured_region": region,
        "settle_date": dt.date(2025, 2, 28) + dt.timedelta(days=int(claim_id[1:])),
        **{code: amount * YUAN for code, amount in yuan_parts.items()},
    }


# fmt: off
CLAIMS = [
    claim("c1", "E1", "employee", "610100", "inpatient", "L3",
          full=500, ded=1200, pooled=8000, coins=800, account=200),
    claim("c2", "E1", "employee", "610100", "outpatient_general", "L1",
          pooled=70, coins=30, account=30),
    claim("c3", "E2", "employee", "610700", "inpatient", "L2",
          ded=800, pooled=20000, coins=3000, overcap=6200, large=5000),
    claim("c4", "R1", "resident", "610100", "inpatient", "L3",
          full=1000, pre=500, ded=1500, pooled=12000, coins=6500, ci=2000),
    claim("c5", "R2", "resident", "610700", "inpatient", "L1",
          ded=200, pooled=4500, coins=300, assist=250, tilt=50),
    claim("c6", "R2", "resident", "610700", "pharmacy", "L1",
          over=20, pooled=50, coins=50),
]
# fmt: on

META: ReportMeta = {
    "title": "Settlement report <test>",
    "year": 2025,
    "regions": {"610100": "Xi'an 西安", "610700": "Hanzhong <汉中>"},
    "policy_packs": ["cn-national-2025"],
    "persons": 10,
    "run_time": "2025-12-31 23:59 UTC",
    "seed": 42,
    "notice": "Synthetic & made up.",
}


def table(rows: list[dict[str, Any]]) -> pa.Table:
    t = pa.Table.from_pylist(rows)
    return t.set_column(
        t.schema.get_field_index("settle_date"),
        "settle_date",
        pa.array([r["settle_date"] for r in rows], pa.date32()),
    )


@pytest.fixture(scope="module")
def summary() -> SettlementSummary:
    return summarise(table(CLAIMS))


@pytest.fixture(scope="module")
def html(summary: SettlementSummary) -> str:
    return render_settlement_report(summary, META)


# --- summarise -------------------------------------------------------------------------------


def test_headline_figures(summary: SettlementSummary) -> None:
    assert (summary.claims, summary.persons) == (6, 4)
    assert summary.totals.total == 67_220 * YUAN
    assert summary.totals.fund_total == (8070 + 25_000 + 14_000 + 4750 + 50) * YUAN
    assert summary.totals.account == 230 * YUAN
    assert summary.totals.cash == summary.totals.total - summary.totals.fund_total - 230 * YUAN
    assert (summary.first_date, summary.last_date) == (dt.date(2025, 3, 1), dt.date(2025, 3, 6))
    assert summary.unbalanced_claims == 0


def test_policy_scope_ratio_of_inpatient_claims_by_scheme_and_level(
    summary: SettlementSummary,
) -> None:
    def ratio(scheme: str, level: str) -> Decimal | None:
        g = summary.group("inpatient_by_scheme_level", scheme, level)
        return None if g is None else g.scope_ratio

    assert ratio("employee", "L3") == Decimal("0.8")  # 8 000 / 10 000
    assert ratio("employee", "L2") == Decimal("0.833")  # (20 000 + 5 000) / 30 000
    assert ratio("resident", "L3") == Decimal("0.7")  # (12 000 + 2 000) / 20 000
    assert ratio("resident", "L1") == Decimal("0.9")  # assistance is not in the numerator
    assert ratio("employee", "L1") is None  # c2 is an outpatient claim


def test_ratios_over_all_visits_round_once_to_a_tenth_of_a_percent(
    summary: SettlementSummary,
) -> None:
    level1 = summary.group("by_level", "L1")
    assert level1 is not None
    # (70 + 4 500 + 50) / (100 + 5 000 + 100) = 0.888461…: rounding to 0.8885 first and
    # then to 0.889 would be wrong.
    assert level1.scope_ratio == Decimal("0.888")
    employees = summary.group("by_scheme", "employee")
    assert employees is not None
    # fund 33 070 / total 40 600 = 0.814532…
    assert employees.overall_ratio == Decimal("0.815")


def test_groups_come_in_domain_order(summary: SettlementSummary) -> None:
    assert [g.key for g in summary.by_level] == [("L1",), ("L2",), ("L3",)]
    visits = [g.key for g in summary.by_scheme_visit]
    assert visits == [
        ("employee", "inpatient"),
        ("employee", "outpatient_general"),
        ("resident", "inpatient"),
        ("resident", "pharmacy"),
    ]
    assert [(g.key[0], g.claims, g.persons) for g in summary.by_region] == [
        ("610100", 3, 2),
        ("610700", 3, 2),
    ]


def test_persons_reaching_each_tier(summary: SettlementSummary) -> None:
    employees, residents = summary.tiers
    assert (employees.scheme, employees.persons) == ("employee", 2)
    assert (residents.scheme, residents.persons) == ("resident", 2)
    assert residents.count("critical_illness") == 1
    assert employees.count("critical_illness") == 0
    assert employees.count("ceiling") == 1
    assert employees.count("large_amount") == 1
    assert employees.count("deductible") == 2
    assert residents.count("assistance") == residents.count("tilted_assistance") == 1
    assert residents.count("pooled_fund") == 2


def test_out_of_pocket_per_person(summary: SettlementSummary) -> None:
    oop = summary.out_of_pocket
    # E1 2 300 + 0 cash and 230 account; E2 5 000; R1 7 500; R2 250 + 70.
    assert oop.persons == 4
    assert oop.total == 15_350 * YUAN
    assert oop.mean == 383_750  # 3 837.50 yuan
    assert oop.maximum == 7_500 * YUAN
    # Nearest rank over 320 / 2 530 / 5 000 / 7 500.
    assert oop.percentile(50) == 2_530 * YUAN
    assert oop.percentile(75) == 5_000 * YUAN
    assert oop.percentile(90) == oop.percentile(99) == 7_500 * YUAN


def test_out_of_pocket_histogram(summary: SettlementSummary) -> None:
    bins = summary.out_of_pocket.bins
    # P99 is 7 500 yuan: 20 bins would be 375 yuan wide, the next round width is 500.
    assert bins[0].lower == 0 and bins[0].upper == 500 * YUAN
    assert len(bins) == 16 and bins[-1].upper == 8_000 * YUAN  # 7 500 falls in the last one
    counts = {b.lower // YUAN: b.count for b in bins if b.count}
    assert counts == {0: 1, 2_500: 1, 5_000: 1, 7_500: 1}


def test_open_last_bin_gathers_amounts_above_the_99th_percentile() -> None:
    # 99 persons paying 1 … 99 yuan over the price cap and one paying 100 000: P99 is 99.
    rows = [
        claim(f"x{i}", f"P{i}", "resident", "610100", "pharmacy", "L1", over=i)
        for i in range(1, 100)
    ]
    rows.append(claim("x100", "P100", "resident", "610100", "pharmacy", "L1", over=100_000))
    oop = summarise(table(rows)).out_of_pocket
    assert oop.percentile(99) == 99 * YUAN
    assert oop.bins[-1].upper is None and oop.bins[-1].count == 1
    assert sum(b.count for b in oop.bins) == 100


def test_an_unbalanced_claim_is_counted() -> None:
    broken = [*CLAIMS[:-1], dict(CLAIMS[-1], psn_cash_pay=CLAIMS[-1]["psn_cash_pay"] + 1)]
    summary = summarise(table(broken))
    assert summary.unbalanced_claims == 1
    assert "1 claims whose parts do not add up" in render_settlement_report(summary, META)


def test_refuses_missing_columns_and_float_money() -> None:
    with pytest.raises(ValueError, match="maf_tilt_pay"):
        summarise(table(CLAIMS).drop_columns(["maf_tilt_pay"]))
    t = table(CLAIMS)
    i = t.schema.get_field_index("hifp_pay")
    floats = t.set_column(i, "hifp_pay", pa.array([1.5] * len(CLAIMS), pa.float64()))
    with pytest.raises(ValueError, match="integer fen: hifp_pay"):
        summarise(floats)


def test_an_empty_year_still_renders() -> None:
    empty = table(CLAIMS).slice(0, 0)
    summary = summarise(empty)
    assert (summary.claims, summary.persons, summary.totals.total) == (0, 0, 0)
    assert summary.out_of_pocket.bins == ()
    assert "Headline figures" in render_settlement_report(summary, {})


# --- render ----------------------------------------------------------------------------------


def test_html_shows_the_figures_formatted(html: str) -> None:
    assert "67,220.00 yuan" in html  # total expense, exact
    assert "6.72 <small>万元</small>" in html  # and in 万元
    # Inpatient by level, then employees overall 0.814532… → 81.5 %.
    for ratio in ("80.0 %", "83.3 %", "70.0 %", "90.0 %", "81.5 %"):
        assert ratio in html
    for amount in ("2,530.00", "5,000.00", "7,500.00", "3,837.50"):  # OOP percentiles, mean
        assert amount in html
    assert "1 (50.0 %)" in html  # one of two residents reached critical illness


def test_html_compares_with_the_national_2023_figures(html: str) -> None:
    for figure in ("84.6 %", "68.1 %", "83.5 %", "87.4 %", "89.4 %", "63.2 %", "72.4 %", "80.8 %"):
        assert figure in html
    assert "NHSA 2023 statistical bulletin" in html


def test_html_names_the_funds_in_chinese_once_beside_english(html: str) -> None:
    for english, chinese in [
        ("pooled fund", "统筹基金"),
        ("critical illness insurance", "大病保险"),
        ("medical assistance", "医疗救助"),
        ("Individual account", "个人账户"),
        ("Cash", "个人现金"),
    ]:
        assert html.count(chinese) == 1
        assert re.search(f'{english}[^<]*<span class="zh">{chinese}</span>', html)


def test_html_escapes_what_the_caller_passes(html: str) -> None:
    assert "Settlement report &lt;test&gt;" in html
    assert "Hanzhong &lt;汉中&gt;" in html
    assert "Synthetic &amp; made up." in html
    assert "<test>" not in html and "<汉中>" not in html


class Structure(HTMLParser):
    """Records the nesting of container tags and anything that would fetch from elsewhere."""

    CONTAINERS = frozenset(
        {"html", "head", "body", "header", "main", "footer", "section", "table", "thead"}
        | {"tbody", "tr", "figure", "svg", "ul"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.fetches: list[str] = []
        self.counts: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag in ("script", "link", "img", "iframe", "object", "embed"):
            self.fetches.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and "//" in value:
                self.fetches.append(f"{tag} {name}={value}")
        if tag in self.CONTAINERS:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.CONTAINERS:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "@import" in data or "url(" in data:
            self.fetches.append(data.strip()[:60])


def parse(html: str) -> Structure:
    parser = Structure()
    parser.feed(html)
    parser.close()
    return parser


def test_html_is_balanced_and_self_contained(html: str) -> None:
    page = parse(html)
    assert page.errors == [] and page.stack == []
    assert page.fetches == []
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    for tag in ("html", "head", "body", "main", "footer"):
        assert page.counts[tag] == 1
    assert page.counts["svg"] == 4  # two fund charts, the ratio chart, the histogram


def test_the_structure_check_can_fail() -> None:
    assert parse("<main><section></main>").errors
    assert parse('<html><script src="https://cdn.example/x.js"></script></html>').fetches


def test_write_report_replaces_the_file_whole(tmp_path: Path, html: str) -> None:
    target = tmp_path / "out" / "settlement.html"
    assert write_report(target, "old") == target
    write_report(target, html)
    assert target.read_text(encoding="utf-8") == html
    assert [p.name for p in target.parent.iterdir()] == ["settlement.html"]


def test_written_report_is_readable_like_any_new_file(tmp_path: Path) -> None:
    import os
    import stat

    from yibao.report import write_report

    path = write_report(tmp_path / "r.html", "<html></html>")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask

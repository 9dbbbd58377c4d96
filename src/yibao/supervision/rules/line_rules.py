"""Rules on single claim lines (费用明细): restrictions, limits, prices, duplicates.

Policy basis, shared: 《医疗保障基金使用监督管理条例》(国务院令第735号, 2021) art. 15 and 38
forbid duplicate charges, charging above the standard, itemising a charge (分解收费),
substituting items (串换) and billing items outside the fund's scope; the catalogue's
restrictions (限性别 / 限年龄 / 限就诊类别 / 限定支付范围) come from 《基本医疗保险用药管理
暂行办法》(国家医保局令第1号, 2020) [M] verify.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir

from yibao.policy.restriction import MAX_AGE, MIN_AGE, SEX, VISIT, restriction
from yibao.supervision.rules.base import Frame, Param, Rule, cat, yuan

REG_735 = "《医疗保障基金使用监督管理条例》(国务院令第735号, 2021)"
DRUG_ORDER = "《基本医疗保险用药管理暂行办法》(国家医保局令第1号, 2020) [M] verify"

LINE_COLS = ("claim_id", "line_no", "item_code", "quantity", "unit_price_fen", "amount_fen")
CLAIM_COLS = ("claim_id", "person_id", "provider_id", "visit_type", "admit_date")


def _line_hit(
    t: ir.Table, reason: ir.StringValue, amount: ir.IntegerValue | None = None
) -> ir.Table:
    return t.select(
        claim_id=t.claim_id,
        line_nos=t.line_no.cast("string"),
        person_id=t.person_id,
        provider_id=t.provider_id,
        amount_fen=t.amount_fen if amount is None else amount,
        reason=reason,
    )


def _where(t: ir.Table) -> ir.StringValue:
    return cat("claim ", t.claim_id, " line ", t.line_no, " item ", t.item_code)


def duplicate_same_day(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """Same person, same provider, same day, same item billed on two or more lines."""
    t = f.lines.filter(f.lines.visit_type != "inpatient")  # inpatient lines carry no day
    g = t.group_by(["person_id", "provider_id", "admit_date", "item_code"]).aggregate(
        n=t.count(),
        claim_id=t.claim_id.max(),
        lines=t.claim_id.concat(":", t.line_no.cast("string")).collect().sort().join(","),
        amount_fen=t.amount_fen.min(),
    )
    g = g.filter(g.n >= p["min_lines"])
    return g.select(
        claim_id=g.claim_id,
        line_nos=g.lines,
        person_id=g.person_id,
        provider_id=g.provider_id,
        amount_fen=g.amount_fen,
        reason=cat(
            "item ",
            g.item_code,
            " billed ",
            g.n,
            " times on ",
            g.admit_date,
            " (重复收费) on lines ",
            g.lines,
        ),
    )


def sex_restricted(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    t = f.lines
    t = t.filter(restriction(t.cat_sex, None, None, None, t.sex, t.age, t.visit_type) == SEX)
    return _line_hit(
        t, cat(_where(t), " is restricted to sex ", t.cat_sex, " (限性别), person sex is ", t.sex)
    )


def age_restricted(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    t = f.lines
    broken = restriction(None, t.min_age, t.max_age, None, t.sex, t.age, t.visit_type)
    t = t.filter(broken.isin([MIN_AGE, MAX_AGE]))
    return _line_hit(
        t,
        cat(
            _where(t),
            " is restricted to ages ",
            t.min_age.fill_null(0),
            "–",
            t.max_age.fill_null(150),
            " (限年龄), age at admission is ",
            t.age,
        ),
    )


def visit_restricted(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    t = f.lines
    allowed = ibis.literal("|").concat(t.visit_types, "|")
    t = t.filter(restriction(None, None, None, allowed, t.sex, t.age, t.visit_type) == VISIT)
    return _line_hit(
        t,
        cat(
            _where(t),
            " (class ",
            t.item_class,
            ") is covered only for visit types ",
            t.visit_types,
            " (限就诊类别), billed on a ",
            t.visit_type,
            " claim",
        ),
    )


def indication(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """Class-B items with a restricted indication (限定支付范围) billed without that diagnosis."""
    pairs = [(item, prefix) for item, prefixes in p["indications"].items() for prefix in prefixes]
    if not pairs:
        return _empty(f)
    m = ibis.memtable({"ind_item": [a for a, _ in pairs], "ind_prefix": [b for _, b in pairs]})
    t = f.lines.join(m, f.lines.item_code == m.ind_item)
    dx = ibis.literal("|").concat(t.main_dx.fill_null(""), "|", t.other_dx.fill_null(""))
    t = t.mutate(ok=dx.contains(ibis.literal("|").concat(t.ind_prefix)).cast("int64"))
    g = t.group_by(
        ["claim_id", "line_no", "item_code", "person_id", "provider_id", "amount_fen", "main_dx"]
    ).aggregate(ok=t.ok.sum(), allowed=t.ind_prefix.collect().sort().join("|"))
    g = g.filter(g.ok == 0)
    return _line_hit(
        g,
        cat(
            _where(g),
            " is paid only for diagnoses ",
            g.allowed,
            " (限定支付范围); the claim's diagnoses are ",
            g.main_dx,
            " and secondary ones",
        ),
    )


def qty_daily(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """Per-day items (bed, nursing, inpatient consultation) above the length of stay."""
    t = f.lines
    t = t.filter(
        (t.visit_type == "inpatient")
        & t.item_code.isin(list(p["per_day_items"]))
        & (t.quantity > t.los_days + p["tolerance_days"])
    )
    extra = t.quantity - t.los_days - p["tolerance_days"]
    return _line_hit(
        t,
        cat(
            _where(t),
            " billed ",
            t.quantity,
            " days for a stay of ",
            t.los_days,
            " days (超标准收费 / 虚记天数)",
        ),
        extra * t.unit_price_fen,
    )


def qty_visit(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """Outpatient drug quantities above the per-visit limit (门诊处方用量)."""
    t = f.lines
    t = t.filter(
        t.visit_type.isin(["outpatient_general", "outpatient_chronic"])
        & (t.item_kind == "drug")
        & (t.quantity > p["max_units"])
    )
    return _line_hit(
        t,
        cat(_where(t), " quantity ", t.quantity, " exceeds the per-visit limit ", p["max_units"]),
        (t.quantity - p["max_units"]) * t.unit_price_fen,
    )


def price_over_standard(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    t = f.lines
    tol = int(p["tolerance_permille"])
    t = t.filter(
        t.price_cap_fen.notnull() & (t.unit_price_fen * 1000 > t.price_cap_fen * (1000 + tol))
    )
    return _line_hit(
        t,
        cat(
            _where(t),
            " unit price ",
            yuan(t.unit_price_fen),
            " yuan is above the payment standard ",
            yuan(t.price_cap_fen),
            " yuan (超标准收费)",
        ),
        (t.unit_price_fen - t.price_cap_fen) * t.quantity,
    )


def unknown_item(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    t = f.lines.filter(f.lines.item_class.isnull())
    return _line_hit(t, cat(_where(t), " is not in the catalogue (虚构/自编项目)"))


def substitution(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """Items billed by a provider whose level cannot deliver them (串换项目的典型表现)."""
    rank = {"L1": 1, "L2": 2, "L3": 3}
    items = p["min_level"]
    if not items:
        return _empty(f)
    m = ibis.memtable(
        {
            "sub_item": list(items),
            "sub_rank": [rank[v] for v in items.values()],
            "sub_level": list(items.values()),
        }
    )
    t = f.lines.join(m, f.lines.item_code == m.sub_item)
    prov_rank = t.level.cases(("L1", 1), ("L2", 2), ("L3", 3), else_=0)
    t = t.filter((prov_rank < t.sub_rank) | (t.provider_kind == "pharmacy"))
    return _line_hit(
        t,
        cat(
            _where(t),
            " needs a level ",
            t.sub_level,
            " provider; billed by a ",
            t.level,
            " ",
            t.provider_kind,
            " (串换 / 超范围收费)",
        ),
    )


def _empty(f: Frame) -> ir.Table:
    t = f.lines.limit(0)
    return _line_hit(t, cat(t.claim_id))


NEED_LINES = {"claim_lines": LINE_COLS, "claims": CLAIM_COLS}

RULES = (
    Rule(
        "DUP_SAME_DAY",
        "Duplicate billing, same item same day",
        "重复收费",
        "The same item billed on two or more lines for one person at one provider on one day.",
        f"{REG_735} art. 15 (重复收费)",
        {"min_lines": Param(int, 2, "lines of one item on one day that count as duplicate")},
        NEED_LINES,
        duplicate_same_day,
    ),
    Rule(
        "SEX_RESTRICTED",
        "Item restricted by sex",
        "限性别项目",
        "An item covered only for one sex billed for a person of the other sex.",
        f"{DRUG_ORDER}; {REG_735} art. 15",
        {},
        {**NEED_LINES, "persons": ("sex",)},
        sex_restricted,
    ),
    Rule(
        "AGE_RESTRICTED",
        "Item restricted by age",
        "限年龄项目",
        "An item covered only within an age band billed for a person outside it.",
        f"{DRUG_ORDER}; {REG_735} art. 15",
        {},
        {**NEED_LINES, "persons": ("birth_date",)},
        age_restricted,
    ),
    Rule(
        "VISIT_RESTRICTED",
        "Item restricted by visit type",
        "限就诊类别（限住院）",
        "An item (often class B) covered only for some visit types billed on another.",
        f"{DRUG_ORDER}",
        {},
        NEED_LINES,
        visit_restricted,
    ),
    Rule(
        "B_INDICATION",
        "Class-B item outside its restricted indication",
        "超限定支付范围",
        "A class-B item whose payment is limited to diagnoses billed on a claim without them.",
        f"{DRUG_ORDER} art. 22 限定支付范围; 国家医保药品目录 凡例 [M] verify",
        {"indications": Param("code_map", {}, "item code -> diagnosis code prefixes")},
        {**NEED_LINES, "claims": (*CLAIM_COLS, "main_dx", "other_dx")},
        indication,
    ),
    Rule(
        "QTY_DAILY",
        "Per-day item above length of stay",
        "超住院天数计费",
        "Bed, nursing or inpatient consultation days above the length of stay.",
        f"{REG_735} art. 15 (虚记 / 多记费用)",
        {
            "per_day_items": Param("codes", (), "items charged once per inpatient day"),
            "tolerance_days": Param(int, 1, "days allowed above los (admission day)"),
        },
        {**NEED_LINES, "claims": (*CLAIM_COLS, "los_days")},
        qty_daily,
    ),
    Rule(
        "QTY_VISIT",
        "Drug quantity above per-visit limit",
        "超量开药",
        "An outpatient drug line with more units than the per-visit limit.",
        "《处方管理办法》(卫生部令第53号, 2007) art. 19 [M] verify; " + REG_735,
        {"max_units": Param(int, 100, "units of one drug per outpatient visit")},
        NEED_LINES,
        qty_visit,
    ),
    Rule(
        "PRICE_OVER_STANDARD",
        "Price above the payment standard",
        "超标准收费",
        "A unit price above the catalogue payment standard (支付标准) by more than the tolerance. "
        "A price somewhat above the standard is legitimate: the patient pays the excess, the "
        "fund pays up to the standard. Fact [T] (third-party summary, bjsjp.cn 2019-03-13, of "
        "the NHSA 4+7 VBP supporting-measures opinion, its number 医保发〔2019〕18号 [M]): a "
        "non-selected drug priced at 2× the winning price or more gets a standard of its own "
        "price cut by 30 %. The default tolerance, 430 ‰ ≈ 1/(1 − 30 %) − 1 (428.6 ‰ rounded "
        "up), is SYNTHETIC: derived from that fact for one class of drugs and applied to every "
        "item as a demo value; dearer than that is 超标准收费.",
        f"{REG_735} art. 15 (超标准收费); VBP payment standard per bjsjp.cn [T], "
        "医保发〔2019〕18号 [M] (支付标准)",
        {"tolerance_permille": Param(int, 430, "tolerance above the standard, in ‰ (SYNTHETIC)")},
        NEED_LINES,
        price_over_standard,
    ),
    Rule(
        "UNKNOWN_ITEM",
        "Item not in the catalogue",
        "目录外编码",
        "A line whose item code is not in the catalogue: invented or home-made codes.",
        f"{REG_735} art. 15 (虚构医药服务项目)",
        {},
        NEED_LINES,
        unknown_item,
    ),
    Rule(
        "SUBSTITUTION",
        "Item substitution / beyond capability",
        "串换项目",
        "An item billed by a provider whose level or kind cannot deliver it, the usual trace "
        "of a cheap service billed under a dearer code.",
        f"{REG_735} art. 15 (串换药品、医用耗材、诊疗项目)",
        {"min_level": Param("level_map", {}, "item code -> lowest provider level L1|L2|L3")},
        {**NEED_LINES, "providers": ("level", "kind")},
        substitution,
    ),
)

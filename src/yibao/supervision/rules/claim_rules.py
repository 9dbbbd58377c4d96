"""Rules across claims: stays, enrolment, admissions, DRG coding, persons' patterns.

Policy basis: 《医疗保障基金使用监督管理条例》(国务院令第735号, 2021) art. 15 (分解住院、挂床
住院、违反诊疗规范过度诊疗、虚构医药服务项目) and art. 16/19 (冒名就医、重复就医、倒卖药品);
《医疗保障基金智能审核和监控知识库、规则库管理办法（试行）》(医保发〔2023〕? ) [M] verify.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from yibao.supervision.rules.base import Frame, Param, Rule, cat, first, yuan
from yibao.supervision.rules.line_rules import LINE_COLS, REG_735

KB_RULES = (
    "《医疗保障基金智能审核和监控知识库、规则库管理办法（试行）》(国家医保局, 2023) [M] verify"
)
DRG_SPEC = (
    "《国家医疗保障疾病诊断相关分组(CHS-DRG)分组与付费技术规范》(医保办发〔2020〕29号) [M] verify"
)
STAY_COLS = ("claim_id", "person_id", "provider_id", "visit_type", "admit_date", "discharge_date")


def _claim_hit(
    t: ir.Table, reason: ir.StringValue, amount: ir.IntegerValue, lines: Any = None
) -> ir.Table:
    return t.select(
        claim_id=t.claim_id,
        line_nos=ibis.literal("all") if lines is None else lines,
        person_id=t.person_id,
        provider_id=t.provider_id,
        amount_fen=amount,
        reason=reason,
    )


def _with_totals(f: Frame, t: ir.Table) -> ir.Table:
    """``t`` with its claim's total (the frame's shared per-claim sum)."""
    if "total_fen" in t.columns:
        return t
    tot = f.claims.select(tot_claim_id=f.claims.claim_id, total_fen=f.claims.total_fen)
    j = t.left_join(tot, t.claim_id == tot.tot_claim_id)
    return j.mutate(total_fen=j.total_fen.fill_null(0)).drop("tot_claim_id")


def _inpatient(f: Frame) -> ir.Table:
    return f.claims.filter(f.claims.visit_type == "inpatient")


def overlapping_stays(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    a = _inpatient(f)
    b = _inpatient(f).view()
    j = a.join(
        b,
        (a.person_id == b.person_id)
        & (a.claim_id != b.claim_id)
        & (a.admit_date < b.discharge_date)
        & (b.admit_date < a.discharge_date)
        & (
            (b.admit_date > a.admit_date)
            | ((b.admit_date == a.admit_date) & (b.claim_id > a.claim_id))
        ),
    )
    t = j.select(
        claim_id=j.claim_id_right,
        person_id=j.person_id,
        provider_id=j.provider_id_right,
        other=j.claim_id,
        other_provider=j.provider_id,
        a_in=j.admit_date,
        a_out=j.discharge_date,
        b_in=j.admit_date_right,
        b_out=j.discharge_date_right,
    )
    t = first(t, "claim_id", "other")
    t = _with_totals(f, t)
    return _claim_hit(
        t,
        cat(
            "stay ",
            t.claim_id,
            " (",
            t.b_in,
            "–",
            t.b_out,
            ") overlaps stay ",
            t.other,
            " at ",
            t.other_provider,
            " (",
            t.a_in,
            "–",
            t.a_out,
            ") (重复住院 / 虚假住院); all lines",
        ),
        t.total_fen,
    )


def outpatient_during_stay(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    a = _inpatient(f)
    b = f.claims.filter(f.claims.visit_type != "inpatient")
    j = a.join(
        b,
        (a.person_id == b.person_id)
        & (b.admit_date > a.admit_date)
        & (b.admit_date < a.discharge_date),
    )
    t = j.select(
        claim_id=j.claim_id_right,
        person_id=j.person_id,
        provider_id=j.provider_id_right,
        other=j.claim_id,
        day=j.admit_date_right,
        vt=j.visit_type_right,
        a_in=j.admit_date,
        a_out=j.discharge_date,
    )
    t = first(t, "claim_id", "other")
    t = _with_totals(f, t)
    return _claim_hit(
        t,
        cat(
            t.vt,
            " claim ",
            t.claim_id,
            " on ",
            t.day,
            " falls inside stay ",
            t.other,
            " (",
            t.a_in,
            "–",
            t.a_out,
            ") (住院期间门诊/购药); all lines",
        ),
        t.total_fen,
    )


def outside_enrolment(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    c = f.claims
    t = c.filter((c.admit_date < c.enrolled_from) | (c.admit_date > c.enrolled_to))
    t = _with_totals(f, t)
    return _claim_hit(
        t,
        cat(
            "claim ",
            t.claim_id,
            " on ",
            t.admit_date,
            " is outside enrolment ",
            t.enrolled_from,
            "–",
            t.enrolled_to.cast("string").fill_null("open"),
            " (参保终止/死亡后就医); all lines",
        ),
        t.total_fen,
    )


def split_admission(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    a = _inpatient(f)
    b = _inpatient(f).view()
    gap = b.admit_date.delta(a.discharge_date, unit="day")
    j = a.join(
        b,
        (a.person_id == b.person_id)
        & (a.provider_id == b.provider_id)
        & (a.claim_id != b.claim_id)
        & (b.admit_date >= a.discharge_date)
        & (gap <= p["max_gap_days"])
        & (a.main_dx.left(p["dx_chars"]) == b.main_dx.left(p["dx_chars"])),
    )
    t = j.select(
        claim_id=j.claim_id_right,
        person_id=j.person_id,
        provider_id=j.provider_id,
        other=j.claim_id,
        dx=j.main_dx_right,
        a_out=j.discharge_date,
        b_in=j.admit_date_right,
    )
    t = first(t, "claim_id", "other")
    t = _with_totals(f, t)
    return _claim_hit(
        t,
        cat(
            "readmission ",
            t.claim_id,
            " on ",
            t.b_in,
            " for ",
            t.dx,
            " at the same provider ",
            t.provider_id,
            " after discharge of ",
            t.other,
            " on ",
            t.a_out,
            " (分解住院); all lines",
        ),
        t.total_fen,
    )


def bed_holding(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    ln = f.lines.filter(f.lines.visit_type == "inpatient")
    treat = ~ln.item_code.isin(list(p["accommodation_items"]))
    g = ln.group_by("claim_id").aggregate(
        n_treat=treat.cast("int64").sum(),
        total_fen=ln.amount_fen.sum(),
        lines=ln.line_no.cast("string").collect().sort().join(","),
    )
    c = _inpatient(f)
    j = c.join(g, c.claim_id == g.claim_id)
    t = j.filter((j.los_days >= p["min_los"]) & (j.n_treat <= p["max_treatment_lines"]))
    return _claim_hit(
        t,
        cat(
            "stay ",
            t.claim_id,
            " of ",
            t.los_days,
            " days bills only bed, nursing and consultation (lines ",
            t.lines,
            "), ",
            t.n_treat,
            " treatment lines (挂床住院)",
        ),
        t.total_fen,
        t.lines,
    )


def low_threshold_admission(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    chars = p["dx_chars"]
    c = _with_totals(f, f.claims)
    op = c.filter(c.visit_type == "outpatient_general")
    ref = op.group_by(dx=op.main_dx.left(chars)).aggregate(
        op_median=op.total_fen.median(), op_n=op.count()
    )
    ref = ref.filter(ref.op_n >= p["min_outpatient_claims"])
    ip = c.filter((c.visit_type == "inpatient") & (c.los_days <= p["max_los"]))
    j = ip.join(ref, ip.main_dx.left(chars) == ref.dx)
    factor = p["factor"]
    t = j.filter(j.total_fen.cast("float64") < j.op_median.cast("float64") * float(factor))
    return _claim_hit(
        t,
        cat(
            "stay ",
            t.claim_id,
            " (",
            t.los_days,
            " days, ",
            yuan(t.total_fen),
            " yuan) costs less than ",
            str(factor),
            " × the median outpatient claim for ",
            t.dx,
            " (低标准入院); all lines",
        ),
        t.total_fen,
    )


def _severity(f: Frame, p: Mapping[str, Any]) -> tuple[ir.Table, ir.Table]:
    """(claim, severity prefix) found in secondary diagnoses; (prefix, supporting item)."""
    sev = p["severity_dx"]
    prefixes = ibis.memtable({"sev_prefix": list(sev)})
    support = ibis.memtable(
        {
            "sup_prefix": [k for k, items in sev.items() for _ in items],
            "sup_item": [i for items in sev.values() for i in items],
        }
    )
    c = _inpatient(f)
    other = ibis.literal("|").concat(c.other_dx.fill_null(""))
    x = c.cross_join(prefixes)
    x = x.filter(
        ibis.literal("|")
        .concat(x.other_dx.fill_null(""))
        .contains(ibis.literal("|").concat(x.sev_prefix))
    )
    del other
    return x, support


def drg_upcoding(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """Secondary diagnoses that lift DRG severity (CC/MCC) with no supporting items billed."""
    x, support = _severity(f, p)
    ln = f.lines
    sup = (
        ln.join(support, ln.item_code == support.sup_item)
        .select("claim_id", "sup_prefix")
        .distinct()
    )
    t = x.anti_join(sup, (x.claim_id == sup.claim_id) & (x.sev_prefix == sup.sup_prefix))
    t = first(
        t.select("claim_id", "person_id", "provider_id", "sev_prefix"), "claim_id", "sev_prefix"
    )
    t = _with_totals(f, t)
    return _claim_hit(
        t,
        cat(
            "stay ",
            t.claim_id,
            " codes secondary diagnosis ",
            t.sev_prefix,
            "* (a CC/MCC that raises the DRG weight) but bills none of its supporting items "
            "(高套分组); all lines",
        ),
        t.total_fen,
    )


def drg_cc_rate_peer(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """A hospital whose share of stays with severity diagnoses is far above its level peers."""
    x, _ = _severity(f, p)
    flagged = x.select("claim_id").distinct().mutate(sev=ibis.literal(1))
    c = _inpatient(f)
    j = c.left_join(flagged, c.claim_id == flagged.claim_id)
    per = j.group_by(["provider_id", "level"]).aggregate(
        n=j.count(), n_sev=j.sev.fill_null(0).sum()
    )
    per = per.filter(per.n >= p["min_cases"])
    per = per.mutate(rate=per.n_sev.cast("float64") / per.n.cast("float64"))
    peers = per.group_by("level").aggregate(peer_median=per.rate.median())
    k = per.join(peers, "level")
    gap = float(p["min_gap"])
    t = k.filter(k.rate > k.peer_median + gap)
    return t.select(
        claim_id=ibis.null("string"),
        line_nos=ibis.literal(""),
        person_id=ibis.null("string"),
        provider_id=t.provider_id,
        amount_fen=ibis.literal(0, "int64"),
        reason=cat(
            "provider ",
            t.provider_id,
            " codes CC/MCC severity on ",
            t.n_sev,
            " of ",
            t.n,
            " stays (rate ",
            t.rate.round(3),
            ") against a ",
            t.level,
            " peer median of ",
            t.peer_median.round(3),
            " (高套分组倾向)",
        ),
    )


def card_sharing(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """The same person treated in two regions on one day (冒名就医 / 借卡)."""
    c = f.claims.filter(f.claims.visit_type != "inpatient")
    g = c.group_by(["person_id", "admit_date"]).aggregate(
        n_regions=c.provider_region.nunique(),
        regions=c.provider_region.collect(distinct=True).sort().join(","),
    )
    g = g.filter(g.n_regions >= p["min_regions"])
    j = c.join(g, ["person_id", "admit_date"])
    t = j.filter(j.provider_region != j.insured_region)
    t = _with_totals(f, t)
    return _claim_hit(
        t,
        cat(
            "person ",
            t.person_id,
            " insured in ",
            t.insured_region,
            " claims in regions ",
            t.regions,
            " on ",
            t.admit_date,
            "; claim ",
            t.claim_id,
            " at ",
            t.provider_id,
            " in ",
            t.provider_region,
            " (冒名就医 / 一卡多用); all lines",
        ),
        t.total_fen,
    )


def pharmacy_overdispensing(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    ln = f.lines.filter(f.lines.visit_type == "pharmacy")
    month = ln.admit_date.truncate("M")
    g = ln.group_by(["person_id", "item_code", month.name("month")]).aggregate(
        qty=ln.quantity.sum(),
        claim_id=ln.claim_id.argmax(ln.quantity),
        line_no=ln.line_no.argmax(ln.quantity),
        provider_id=ln.provider_id.argmax(ln.quantity),
        unit=ln.unit_price_fen.max(),
    )
    t = g.filter(g.qty > p["max_units_per_month"])
    return t.select(
        claim_id=t.claim_id,
        line_nos=t.line_no.cast("string"),
        person_id=t.person_id,
        provider_id=t.provider_id,
        amount_fen=(t.qty - p["max_units_per_month"]) * t.unit,
        reason=cat(
            "person ",
            t.person_id,
            " bought ",
            t.qty,
            " units of ",
            t.item_code,
            " at pharmacies in ",
            t.month.cast("string").left(7),
            "; largest on claim ",
            t.claim_id,
            " line ",
            t.line_no,
            " (超量购药 / 倒卖药品)",
        ),
    )


def frequent_visits(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    c = f.claims.filter(f.claims.visit_type != "inpatient")
    month = c.admit_date.truncate("M")
    c = c.mutate(month=month)
    g = c.group_by(["person_id", "month"]).aggregate(n=c.count())
    g = g.filter(g.n > p["max_claims_per_month"])
    t = c.join(g, ["person_id", "month"])
    t = _with_totals(f, t)
    return _claim_hit(
        t,
        cat(
            "person ",
            t.person_id,
            " has ",
            t.n,
            " outpatient/pharmacy claims in ",
            t.month.cast("string").left(7),
            " (limit ",
            p["max_claims_per_month"],
            "), this is claim ",
            t.claim_id,
            " (频繁就医); all lines",
        ),
        t.total_fen,
    )


def los_mismatch(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    c = _inpatient(f)
    days = c.discharge_date.delta(c.admit_date, unit="day")
    t = c.mutate(days=days).filter((days < 0) | (c.los_days != days))
    t = _with_totals(f, t)
    return _claim_hit(
        t,
        cat(
            "stay ",
            t.claim_id,
            " declares ",
            t.los_days,
            " days but runs ",
            t.admit_date,
            "–",
            t.discharge_date,
            " (",
            t.days,
            " days) (虚增住院天数)",
        ),
        t.total_fen,
    )


CLAIMS_NEED = {"claims": STAY_COLS, "claim_lines": LINE_COLS}

RULES = (
    Rule(
        "OVERLAP_STAY",
        "Overlapping inpatient stays",
        "住院时间重叠",
        "Two inpatient stays of one person that overlap in time.",
        f"{REG_735} art. 15 (虚构医药服务项目 / 虚假住院)",
        {},
        CLAIMS_NEED,
        overlapping_stays,
    ),
    Rule(
        "OP_DURING_STAY",
        "Outpatient or pharmacy claim during a stay",
        "住院期间门诊购药",
        "An outpatient or pharmacy claim dated strictly inside an inpatient stay.",
        f"{REG_735} art. 15; {KB_RULES}",
        {},
        CLAIMS_NEED,
        outpatient_during_stay,
    ),
    Rule(
        "OUTSIDE_ENROLMENT",
        "Claim outside enrolment or after death",
        "非参保期间/死亡后就医",
        "A claim dated before enrolment starts or after it ends (death ends enrolment).",
        f"{REG_735} art. 16 (冒名就医) and art. 19",
        {},
        {**CLAIMS_NEED, "persons": ("enrolled_from", "enrolled_to")},
        outside_enrolment,
    ),
    Rule(
        "SPLIT_ADMISSION",
        "Split admission",
        "分解住院",
        "Readmission for the same condition at the same provider within a few days.",
        f"{REG_735} art. 15 (分解住院); {DRG_SPEC} (再入院)",
        {
            "max_gap_days": Param(int, 15, "days from discharge to readmission"),
            "dx_chars": Param(int, 3, "leading characters of the main diagnosis compared"),
        },
        {**CLAIMS_NEED, "claims": (*STAY_COLS, "main_dx")},
        split_admission,
    ),
    Rule(
        "BED_HOLDING",
        "Bed-holding",
        "挂床住院",
        "A stay billing only bed, nursing and consultation: no tests, drugs or treatment.",
        f"{REG_735} art. 15 (挂床住院)",
        {
            "accommodation_items": Param("codes", (), "bed, nursing and consultation items"),
            "min_los": Param(int, 3, "shortest stay checked"),
            "max_treatment_lines": Param(int, 0, "treatment lines at or below which it hits"),
        },
        {**CLAIMS_NEED, "claims": (*STAY_COLS, "los_days")},
        bed_holding,
    ),
    Rule(
        "LOW_THRESHOLD_ADMISSION",
        "Low-threshold admission",
        "低标准入院",
        "A short stay costing less than a multiple of typical outpatient care for its diagnosis.",
        f"{REG_735} art. 15 (过度诊疗); {KB_RULES}",
        {
            "factor": Param(Decimal, Decimal(2), "multiple of the outpatient median"),
            "max_los": Param(int, 3, "longest stay checked"),
            "dx_chars": Param(int, 3, "leading characters of the diagnosis compared"),
            "min_outpatient_claims": Param(int, 5, "outpatient claims needed for a median"),
        },
        {**CLAIMS_NEED, "claims": (*STAY_COLS, "los_days", "main_dx")},
        low_threshold_admission,
    ),
    Rule(
        "DRG_UPCODING",
        "DRG up-coding: unsupported CC/MCC",
        "高套分组（无依据并发症）",
        "A secondary diagnosis that raises DRG severity with none of its supporting items.",
        f"{REG_735} art. 15; {DRG_SPEC}",
        {"severity_dx": Param("code_map", {}, "CC/MCC diagnosis prefix -> supporting items")},
        {**CLAIMS_NEED, "claims": (*STAY_COLS, "other_dx")},
        drg_upcoding,
    ),
    Rule(
        "DRG_CC_RATE_PEER",
        "CC/MCC rate far above peers",
        "并发症编码率异常",
        "A hospital whose share of stays with severity diagnoses is far above its level peers.",
        f"{DRG_SPEC}; {KB_RULES}",
        {
            "severity_dx": Param("code_map", {}, "CC/MCC diagnosis prefix -> supporting items"),
            "min_cases": Param(int, 20, "stays a hospital needs to be compared"),
            "min_gap": Param(Decimal, Decimal("0.15"), "rate above the peer median that hits"),
        },
        {**CLAIMS_NEED, "claims": (*STAY_COLS, "other_dx"), "providers": ("level",)},
        drg_cc_rate_peer,
        level="provider",
    ),
    Rule(
        "CARD_SHARING",
        "Card sharing: two regions one day",
        "冒名就医（异地同日）",
        "One person with claims in two or more regions on the same day.",
        f"{REG_735} art. 16 (将本人医保凭证交由他人冒名使用) and art. 41",
        {"min_regions": Param(int, 2, "distinct provider regions on one day")},
        {**CLAIMS_NEED, "providers": ("region",), "persons": ("insured_region",)},
        card_sharing,
    ),
    Rule(
        "PHARMACY_OVERDISPENSING",
        "Pharmacy over-dispensing",
        "药店超量购药",
        "One person buying more units of one drug in a month than a plausible supply.",
        f"{REG_735} art. 16 (利用享受医保待遇的机会转卖药品)",
        {"max_units_per_month": Param(int, 200, "units of one drug per person per month")},
        CLAIMS_NEED,
        pharmacy_overdispensing,
    ),
    Rule(
        "FREQUENT_VISITS",
        "Unusually frequent visits",
        "频繁就医",
        "A person with more outpatient and pharmacy claims in a month than the limit.",
        f"{REG_735} art. 16 (重复就医); {KB_RULES}",
        {"max_claims_per_month": Param(int, 25, "claims per person per month")},
        CLAIMS_NEED,
        frequent_visits,
    ),
    Rule(
        "LOS_MISMATCH",
        "Length of stay inconsistent with dates",
        "住院天数与日期不符",
        "A declared length of stay different from discharge minus admission.",
        f"{REG_735} art. 15 (虚记住院天数)",
        {},
        {**CLAIMS_NEED, "claims": (*STAY_COLS, "los_days")},
        los_mismatch,
    ),
)

"""Rules from the data's own norms (数据常模): claims compared with their peers, not constants.

Each rule learns its norm from the claims it screens (the whole year, all providers): a peer
group (visit type × 3-character main diagnosis × hospital level, an item across the
province, a provider kind × level), a calibrated high quantile or a median, and flags only
what lies well beyond it (a factor above the quantile, so that by construction the clean
tail is not flagged). The reason names the peer group and its figure.

Policy basis: 《医疗保障基金使用监督管理条例》(国务院令第735号, 2021) art. 38 and 40; the
published typologies these rules look for are listed in :mod:`yibao.synth.typology`.
Parameters are SYNTHETIC demo values, calibrated on the clean synthetic province.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir

from yibao.supervision.rules.base import Frame, Param, Rule, cat
from yibao.supervision.rules.line_rules import LINE_COLS, REG_735

NEED = {
    "claims": ("claim_id", "person_id", "provider_id", "visit_type", "admit_date", "main_dx"),
    "claim_lines": LINE_COLS,
}


def _peer(t: ir.Table) -> ir.StringValue:
    """The peer cell of a claim: visit type, 3-character main diagnosis, provider level."""
    return t.visit_type.concat(":", t.main_dx.left(3).fill_null("?"), ":", t.level)


def _hit(t: ir.Table, reason: ir.StringValue, amount: ir.IntegerValue, lines: Any) -> ir.Table:
    return t.select(
        claim_id=t.claim_id,
        line_nos=lines,
        person_id=t.person_id,
        provider_id=t.provider_id,
        amount_fen=amount,
        reason=reason,
    )


def _pct(x: ir.FloatingValue) -> ir.StringValue:
    return (x * 100).round(1).cast("string").concat(" %")


def _num(x: ir.NumericValue | float, digits: int = 1) -> ir.StringValue | str:
    if not isinstance(x, ir.Value):
        return f"{x:.{digits}f}"
    return x.cast("float64").round(digits).cast("string")


def price_norm(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """超标准收费: a service's unit price above the price it carries everywhere else (services
    carry a government price; drugs and consumables legitimately vary by purchase)."""
    ln = f.lines.filter(f.lines.item_kind == "service")
    norm = ln.group_by("item_code").aggregate(
        med=ln.unit_price_fen.approx_median(),
        q=ln.unit_price_fen.quantile(p["fixed_quantile"] / 1000),
        n=ln.count(),
    )
    norm = norm.filter((norm.q <= norm.med) & (norm.n >= p["min_lines"]))
    t = ln.join(norm, "item_code")
    limit = t.med * (1000 + p["tolerance_permille"]) / 1000
    t = t.filter(t.unit_price_fen > limit)
    return _hit(
        t,
        cat(
            "line ", t.line_no, ": ", t.item_code, " at ", t.unit_price_fen,
            " fen a unit; the province bills it at most ", t.med, " fen on ",
            _num(p["fixed_quantile"] / 10, 1), " % of its ", t.n,
            " lines (超标准收费)",
        ),
        ((t.unit_price_fen - t.med) * t.quantity).cast("int64"),
        t.line_no.cast("string"),
    )  # fmt: skip


def units_norm(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """虚记多记: units of a service per bed-day (per visit outside a stay) far above its peers."""
    ln = f.lines.filter(f.lines.item_kind == "service")
    days = ibis.greatest(ln.los_days.fill_null(0), 1).cast("float64")
    ln = ln.mutate(rate=ln.quantity.cast("float64") / days)
    norm = ln.group_by(["item_code", "visit_type"]).aggregate(
        q=ln.rate.quantile(p["quantile"] / 1000), med=ln.rate.approx_median(), n=ln.count()
    )
    t = ln.join(norm, ["item_code", "visit_type"])
    factor = p["factor_permille"] / 1000
    t = t.filter((t.n >= p["min_lines"]) & (t.rate > t.q * factor) & (t.quantity >= 2))
    return _hit(
        t,
        cat(
            "line ", t.line_no, ": ", t.quantity, " units of ", t.item_code, " = ",
            _num(t.rate, 2), " per day; peers (", t.item_code, " on ", t.n, " ",
            t.visit_type, " lines): median ", _num(t.med, 2), ", p",
            _num(p["quantile"] / 10, 1), " ", _num(t.q, 2), " (虚记多记)",
        ),
        (t.amount_fen - (t.q * days * t.unit_price_fen).cast("int64")).cast("int64"),
        t.line_no.cast("string"),
    )  # fmt: skip


def services_norm(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """过度检查 / 分解收费: more distinct service items on a claim than its peers ever bill."""
    ln = f.lines.filter(f.lines.item_kind == "service")
    per = ln.group_by(["claim_id", "person_id", "provider_id", "visit_type", "main_dx", "level"])
    per = per.aggregate(k=ln.item_code.nunique(), amount=ln.amount_fen.sum())
    per = per.mutate(peer=_peer(per))
    norm = per.group_by("peer").aggregate(
        q=per.k.quantile(p["quantile"] / 1000), med=per.k.approx_median(), n=per.count()
    )
    t = per.join(norm, "peer")
    t = t.filter((t.n >= p["min_peer"]) & (t.k >= t.q + p["margin_items"]))
    return _hit(
        t,
        cat(
            t.k, " distinct service items on the claim; peers ", t.peer, " (", t.n,
            " claims): median ", _num(t.med, 0), ", p", _num(p["quantile"] / 10, 1), " ",
            _num(t.q, 0), " (过度检查 / 分解收费)",
        ),
        t.amount,
        ibis.literal("all"),
    )  # fmt: skip


def item_mix(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """串换 / 过度检查: a provider bills an item on far more of its claims than its peers do."""
    ln = f.lines.filter(f.lines.item_kind == "service")
    claims = f.claims
    pc = claims.group_by(["provider_id", "visit_type", "level", "provider_kind"]).aggregate(
        n_claims=claims.count()
    )
    use = ln.group_by(["provider_id", "visit_type", "item_code"]).aggregate(
        n_item=ln.claim_id.nunique()
    )
    u = use.join(pc, ["provider_id", "visit_type"])
    peer = u.group_by(["visit_type", "level", "provider_kind", "item_code"]).aggregate(
        peer_item=u.n_item.sum()
    )
    tot = pc.group_by(["visit_type", "level", "provider_kind"]).aggregate(
        peer_claims=pc.n_claims.sum()
    )
    u = u.join(peer, ["visit_type", "level", "provider_kind", "item_code"]).join(
        tot, ["visit_type", "level", "provider_kind"]
    )
    # the other providers of the peer group: rate without this provider
    others = (u.peer_item - u.n_item).cast("float64")
    base = (others + 0.5) / (u.peer_claims - u.n_claims + 1).cast("float64")
    rate = u.n_item.cast("float64") / u.n_claims.cast("float64")
    expected = base * u.n_claims
    z = (u.n_item - expected) / (expected * (1 - base)).sqrt()
    flagged = u.filter(
        (z > p["min_z"]) & (rate > base * p["min_ratio"]) & (u.n_item >= p["min_claims"])
    ).mutate(rate=rate, base=base, z=z)
    t = ln.join(flagged, ["provider_id", "visit_type", "item_code"])
    return _hit(
        t,
        cat(
            "line ", t.line_no, ": provider ", t.provider_id, " bills ", t.item_code, " on ",
            _pct(t.rate), " of its ", t.visit_type, " claims; peers (", t.provider_kind, " ",
            t.level, ") ", _pct(t.base), ", z ", _num(t.z, 1), " (串换 / 过度检查)",
        ),
        t.amount_fen,
        t.line_no.cast("string"),
    )  # fmt: skip


def ghost_beds(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """虚假住院 / 挂床: bed-days without the daily care rhythm of the stay's peers.

    Accommodation items are learnt from the data: items billed with quantity = length of
    stay on most of their lines (bed, nursing, ward round). The rest is care; care per
    bed-day is compared with the low quantile of stays at hospitals of the same level.
    """
    ln = f.lines.filter(f.lines.visit_type == "inpatient")
    every_day = ln.group_by("item_code").aggregate(
        daily=(ln.quantity == ln.los_days).cast("float64").mean()
    )
    ln = ln.join(every_day, "item_code")
    care = (ln.daily < 0.8) & (ln.item_kind == "service")
    per = ln.group_by(["claim_id", "person_id", "provider_id", "main_dx", "level", "los_days"])
    per = per.aggregate(care=care.ifelse(ln.amount_fen, 0).sum(), total=ln.amount_fen.sum()).mutate(
        visit_type=ibis.literal("inpatient")
    )
    per = per.mutate(
        per_day=per.care.cast("float64") / ibis.greatest(per.los_days, 1).cast("float64"),
        peer=ibis.literal("inpatient:").concat(per.level),
    )
    norm = per.group_by("peer").aggregate(
        q=per.per_day.quantile(p["quantile"] / 1000), med=per.per_day.approx_median(),
        n=per.count(),
    )  # fmt: skip
    t = per.join(norm, "peer")
    t = t.filter(
        (t.n >= p["min_peer"])
        & (t.los_days >= p["min_los"])
        & (t.per_day * p["factor_permille"] / 1000 < t.q)
    )
    return _hit(
        t,
        cat(
            "stay of ", t.los_days, " days with ", _num(t.per_day / 100, 2),
            " yuan of care per bed-day; peers ", t.peer, " (", t.n, " stays): median ",
            _num(t.med / 100, 2), ", p", _num(p["quantile"] / 10, 1), " ",
            _num(t.q / 100, 2), " (虚假住院 / 挂床)",
        ),
        t.total,
        ibis.literal("all"),
    )  # fmt: skip


def _signature(f: Frame) -> ir.Table:
    ln = f.lines.filter(f.lines.visit_type == "inpatient")
    ln = ln.mutate(part=ln.item_code.concat("x", ln.quantity.cast("string")))
    per = ln.group_by(["claim_id", "person_id", "provider_id", "admit_date"]).aggregate(
        sig=ln.part.collect(order_by=ln.part).join(","), total=ln.amount_fen.sum()
    )
    return per


def template_bills(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """冒名虚假住院: the same bill, item for item and unit for unit, for several persons."""
    per = _signature(f)
    g = per.group_by(["provider_id", "sig"]).aggregate(
        persons=per.person_id.nunique(), first=per.admit_date.min(), last=per.admit_date.max()
    )
    g = g.filter(g.persons >= p["min_persons"])
    t = per.join(g, ["provider_id", "sig"])
    return _hit(
        t,
        cat(
            "identical bill (same items and units) for ", t.persons, " persons at provider ",
            t.provider_id, ", admitted ", t.first.cast("string"), "–", t.last.cast("string"),
            "; peers: a stay's bill is shared by no other person (冒名 / 虚假住院)",
        ),
        t.total,
        ibis.literal("all"),
    )  # fmt: skip


def batch_admissions(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """诱导住院: many elderly admitted together, the same persons again on another day."""
    c = f.claims.filter(f.claims.visit_type == "inpatient")
    week = c.admit_date.truncate("W")
    c = c.mutate(week=week)
    day = c.group_by(["provider_id", "week"]).aggregate(n=c.count())
    norm = day.group_by("provider_id").aggregate(
        q=day.n.quantile(p["quantile"] / 1000), med=day.n.approx_median(), weeks=day.count()
    )
    d = day.join(norm, "provider_id")
    d = d.filter((d.n >= p["min_admissions"]) & (d.n > d.q * p["factor_permille"] / 1000))
    t = c.join(d, ["provider_id", "week"])
    old = t.filter(t.age >= p["min_age"])
    return _hit(
        old,
        cat(
            old.n, " admissions at provider ", old.provider_id, " in the week of ",
            old.week.cast("string"), "; its usual week: median ", _num(old.med, 0), ", p",
            _num(p["quantile"] / 10, 1), " ", _num(old.q, 0), " over ", old.weeks,
            " weeks; patient aged ", old.age, " (诱导住院 / 批量住院)",
        ),
        ibis.literal(0, "int64"),
        ibis.literal("all"),
    )  # fmt: skip


def supply_norm(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """倒卖药品: a person's supply of one drug far above what its other users take, spread
    over several prescribers."""
    ln = f.lines.filter((f.lines.item_kind == "drug") & (f.lines.visit_type != "inpatient"))
    g = ln.group_by(["person_id", "item_code"]).aggregate(
        qty=ln.quantity.sum(),
        amount=ln.amount_fen.sum(),
        prescribers=ln.provider_id.nunique(),
        claims=ln.claim_id.nunique(),
        first=ln.admit_date.min(),
        last=ln.admit_date.max(),
    )
    norm = g.group_by("item_code").aggregate(
        q=g.qty.quantile(p["quantile"] / 1000), med=g.qty.approx_median(), users=g.count()
    )
    j = g.join(norm, "item_code")
    j = j.filter(
        (j.users >= p["min_users"])
        & (j.qty > j.q * p["factor_permille"] / 1000)
        & (j.prescribers >= p["min_prescribers"])
    )
    t = ln.join(j.select("person_id", "item_code", "qty", "q", "med", "users", "prescribers",
                         "first", "last"), ["person_id", "item_code"])  # fmt: skip
    return _hit(
        t,
        cat(
            "line ", t.line_no, ": person ", t.person_id, " got ", t.qty, " units of ",
            t.item_code, " from ", t.prescribers, " providers, ", t.first.cast("string"), "–",
            t.last.cast("string"), "; its ", t.users, " users: median ", _num(t.med, 0),
            ", p", _num(p["quantile"] / 10, 1), " ", _num(t.q, 0), " (倒卖药品 / 超量开药)",
        ),
        t.amount_fen,
        t.line_no.cast("string"),
    )  # fmt: skip


def pharmacy_bursts(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """药店串换: one card settled at one pharmacy again and again within a month."""
    c = f.claims.filter(f.claims.visit_type == "pharmacy")
    month = c.admit_date.truncate("M")
    c = c.mutate(month=month)
    g = c.group_by(["person_id", "provider_id", "month"]).aggregate(n=c.count())
    norm = g.aggregate(q=g.n.quantile(p["quantile"] / 1000), med=g.n.approx_median())
    j = g.cross_join(norm)
    j = j.filter((j.n >= p["min_claims"]) & (j.n > j.q))
    t = c.join(j, ["person_id", "provider_id", "month"])
    return _hit(
        t,
        cat(
            "card ", t.person_id, " settled ", t.n, " times at pharmacy ", t.provider_id,
            " in ", t.month.cast("string").left(7), "; province per card, pharmacy and month:",
            " median ", _num(t.med, 0), ", p", _num(p["quantile"] / 10, 1), " ", _num(t.q, 0),
            " (药店串换 / 冒名购药)",
        ),
        ibis.literal(0, "int64"),
        ibis.literal("all"),
    )  # fmt: skip


def unsupported_severity(f: Frame, p: Mapping[str, Any]) -> ir.Table:
    """高套: a coded complication that the bill does not bear out.

    For each secondary diagnosis, the province's claims that carry it are compared with the
    others of the same peer cell: the norm is the cost per bed-day of the cell. A claim with
    two or more secondary codes that none of its peers in the cell carry, or with a code
    whose share in the cell is below ``max_share`` ‰ and a cost per bed-day at or below the
    cell median, is flagged: the severity it claims leaves no trace in the bill.
    """
    c = f.claims.filter((f.claims.visit_type == "inpatient") & f.claims.other_dx.notnull())
    c = c.mutate(peer=_peer(c))
    codes = c.mutate(code=c.other_dx.split("|").unnest())
    ln = f.lines
    tot = ln.group_by("claim_id").aggregate(total=ln.amount_fen.sum())
    allc = f.claims.filter(f.claims.visit_type == "inpatient")
    allc = allc.mutate(peer=_peer(allc)).join(tot, "claim_id")
    allc = allc.mutate(
        per_day=allc.total.cast("float64") / ibis.greatest(allc.los_days, 1).cast("float64")
    )
    cell = allc.group_by("peer").aggregate(n=allc.count(), med=allc.per_day.approx_median())
    share = codes.group_by(["peer", "code"]).aggregate(k=codes.claim_id.nunique())
    x = codes.join(share, ["peer", "code"]).join(cell, "peer")
    x = x.mutate(share=x.k.cast("float64") / x.n.cast("float64"))
    rare = x.filter((x.n >= p["min_peer"]) & (x.share * 1000 < p["max_share"]))
    per = rare.group_by(["claim_id", "peer", "n", "med"]).aggregate(
        rare=rare.code.nunique(), codes=rare.code.collect().join("|"),
        share=rare.share.max(),
    )  # fmt: skip
    t = per.join(allc.select("claim_id", "person_id", "provider_id", "per_day", "total"),
                 "claim_id")  # fmt: skip
    t = t.filter((t.rare >= 2) | (t.per_day <= t.med))
    return _hit(
        t,
        cat(
            "secondary diagnosis ", t.codes, " on ", _pct(t.share), " or less of the ", t.n,
            " stays of ", t.peer, ", and the bill (", _num(t.per_day / 100, 0),
            " yuan per bed-day; cell median ", _num(t.med / 100, 0),
            ") shows no extra care (高套)",
        ),
        ibis.literal(0, "int64"),
        ibis.literal("all"),
    )  # fmt: skip


def _q(doc: str = "calibrated quantile of the peers, in ‰") -> Param:
    return Param(int, 995, doc)


BASIS = f"{REG_735} art. 38 / 40; norms learnt from the screened claims"
CLAIMS_LOS = {**NEED, "claims": (*NEED["claims"], "los_days")}

RULES = (
    Rule(
        "NORM_PRICE", "Unit price above the province's price for the item", "超标准收费",
        "A unit price above the price an item carries on nearly all its lines in the province "
        "(items with one price: services at the government price).",
        f"{REG_735} art. 38 (超标准收费)",
        {
            "fixed_quantile": Param(int, 950, "share of lines at or below the median, in ‰"),
            "tolerance_permille": Param(int, 20, "tolerance above that price, in ‰"),
            "min_lines": Param(int, 30, "lines an item needs for a norm"),
        },
        NEED, price_norm,
    ),
    Rule(
        "NORM_UNITS", "Service units per day far above the item's peers", "虚记多记",
        "Units of a service per bed-day (per visit outside a stay) above the quantile of the "
        "same item on lines of the same visit type, by a factor.",
        f"{REG_735} art. 40 (虚构医药服务项目)",
        {
            "quantile": _q(),
            "factor_permille": Param(int, 1500, "factor above the quantile, in ‰"),
            "min_lines": Param(int, 30, "lines an item needs for a norm"),
        },
        CLAIMS_LOS, units_norm,
    ),
    Rule(
        "NORM_SERVICES", "More distinct services than the peer cell ever bills", "过度检查",
        "Distinct service items on a claim above the peer cell's quantile (visit type × "
        "3-character diagnosis × level) by a margin: tests and exams the case does not call "
        "for, or an operation's parts charged as items.",
        f"{REG_735} art. 38 (过度检查, 分解项目收费)",
        {
            "quantile": _q(),
            "margin_items": Param(int, 2, "items above the quantile"),
            "min_peer": Param(int, 20, "claims a peer cell needs"),
        },
        NEED, services_norm,
    ),
    Rule(
        "NORM_ITEM_MIX", "A provider's item use far above its peers'", "串换项目",
        "A service billed by a provider on a share of its claims far above the share of its "
        "peer providers (kind × level), binomial z and ratio: the dearer code a substitution "
        "leaves behind, or a test done on everyone.",
        f"{REG_735} art. 38 (串换诊疗项目, 过度检查)",
        {
            "min_z": Param(int, 6, "binomial z above the peer rate"),
            "min_ratio": Param(int, 4, "rate at least this multiple of the peer rate"),
            "min_claims": Param(int, 5, "claims with the item at the provider"),
        },
        {**NEED, "providers": ("level", "kind")}, item_mix,
    ),
    Rule(
        "NORM_GHOST_BED", "Bed-days without the peers' daily care", "虚假住院/挂床",
        "Care (services other than accommodation, learnt as the items billed once a day) per "
        "bed-day below the low quantile of stays at hospitals of the same level, by a factor.",
        f"{REG_735} art. 38 (挂床住院), art. 40 (虚假就医)",
        {
            "quantile": Param(int, 50, "low quantile of the peer cell, in ‰"),
            "factor_permille": Param(int, 3000, "care per day times this below the quantile"),
            "min_los": Param(int, 4, "shortest stay considered"),
            "min_peer": Param(int, 15, "stays a peer cell needs"),
        },
        CLAIMS_LOS, ghost_beds,
    ),
    Rule(
        "NORM_TEMPLATE_BILL", "One bill for several persons", "冒名/虚假住院",
        "Inpatient bills identical item for item and unit for unit across several persons at "
        "one provider.",
        f"{REG_735} art. 40 (协助他人冒名就医, 伪造医学文书)",
        {"min_persons": Param(int, 3, "persons sharing one bill")},
        CLAIMS_LOS, template_bills,
    ),
    Rule(
        "NORM_BATCH_ADMISSION", "Admissions in a batch far above the provider's usual week",
        "诱导住院",
        "Elderly patients admitted in a week whose admissions exceed the provider's own weekly "
        "quantile by a factor.",
        f"{REG_735} art. 40 (诱导他人虚假就医)",
        {
            "quantile": Param(int, 900, "quantile of the provider's weeks, in ‰"),
            "factor_permille": Param(int, 2000, "factor above it, in ‰"),
            "min_admissions": Param(int, 6, "admissions in the week"),
            "min_age": Param(int, 60, "age of the patients flagged"),
        },
        {**NEED, "persons": ("birth_date",)}, batch_admissions,
    ),
    Rule(
        "NORM_DRUG_SUPPLY", "A drug supply far above its users' and from many prescribers",
        "倒卖药品",
        "A person's yearly units of one drug outside stays above the quantile of the drug's "
        "users by a factor, from several providers.",
        f"{REG_735} art. 38 (超量开药、重复开药)",
        {
            "quantile": _q(),
            "factor_permille": Param(int, 2500, "factor above the quantile, in ‰"),
            "min_users": Param(int, 20, "users a drug needs for a norm"),
            "min_prescribers": Param(int, 3, "providers the supply comes from"),
        },
        NEED, supply_norm,
    ),
    Rule(
        "NORM_PHARMACY_BURST", "One card at one pharmacy again and again in a month",
        "药店串换",
        "Claims of one card at one pharmacy in a month above the province's quantile.",
        f"{REG_735} art. 38 / 40 (串换, 冒名购药)",
        {
            "quantile": Param(int, 999, "quantile per card, pharmacy and month, in ‰"),
            "min_claims": Param(int, 3, "claims in the month"),
        },
        NEED, pharmacy_bursts,
    ),
    Rule(
        "NORM_SEVERITY", "Coded complications the bill does not bear out", "高套",
        "Secondary diagnoses rare in the peer cell, on a stay whose cost per bed-day is not "
        "above the cell's median (or two such codes at once).",
        f"{REG_735} art. 38; CHS-DRG CC/MCC grouping (医保办发〔2020〕29号) [M] verify",
        {
            "max_share": Param(int, 20, "share of the cell's stays carrying the code, in ‰"),
            "min_peer": Param(int, 20, "stays a peer cell needs"),
        },
        {**CLAIMS_LOS, "claims": (*CLAIMS_LOS["claims"], "other_dx")}, unsupported_severity,
    ),
)  # fmt: skip

"""A settlement's trace in readable words ("why this amount"): each step in Chinese (or
English), its amounts in yuan, the parameters it used and the document each comes from.

Reads the stored JSON of :func:`yibao.io.records.settlement_to_data`; computes nothing: every
amount shown is one the engine wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from yibao.money import format_yuan, yuan_to_fen

# step → (Chinese, English) title and a sentence over the step's amounts
STEPS: dict[str, tuple[str, str]] = {
    "bill_split": ("费用分割", "Bill split"),
    "deductible": ("起付线", "Deductible"),
    "pooled_fund": ("统筹基金分段支付", "Pooled fund by segment"),
    "large_amount": ("职工大额医疗费用补助", "Employee large-amount supplement"),
    "critical_illness": ("大病保险", "Critical illness insurance"),
    "assistance": ("医疗救助", "Medical assistance"),
    "account": ("个人账户支付", "Individual account"),
    "cash": ("个人现金支付", "Cash"),
}

AMOUNTS: dict[str, tuple[str, str]] = {
    "total": ("医疗费总额", "total"),
    "full_selfpay": ("全自费", "full self-pay"),
    "over_limit": ("超限价自费", "over-limit self-pay"),
    "preself": ("乙类先行自付", "class-B pre-self-pay"),
    "scope": ("政策范围内费用", "policy-scope expense"),
    "item_fund": ("单列项目基金支付", "item fund"),
    "nominal": ("本次起付标准", "nominal deductible"),
    "charged": ("本次实付起付线", "deductible charged"),
    "paid_before": ("本年此前已付", "paid before this year"),
    "paid": ("本次支付", "paid now"),
    "base": ("计算基数", "base"),
    "raw": ("封顶前", "before the cap"),
    "assistance": ("救助金额", "assistance"),
    "tilted": ("其中倾斜救助", "of which tilted"),
    "eligible": ("可由账户支付", "payable from the account"),
    "cash": ("个人现金", "cash"),
    "fund": ("统筹基金支付", "pooled fund"),
    "coinsurance": ("个人共付", "coinsurance"),
    "over_ceiling": ("超封顶线", "above the ceiling"),
}

PARTS: dict[str, tuple[str, str]] = {
    "total": ("医疗费总额", "Total"),
    "full_selfpay": ("全自费", "Full self-pay"),
    "over_limit": ("超限价自费", "Over-limit self-pay"),
    "preself": ("乙类先行自付", "Class-B pre-self-pay"),
    "scope": ("政策范围内费用", "Policy-scope expense"),
    "deductible": ("起付线", "Deductible"),
    "pooled_fund": ("统筹基金支付", "Pooled fund"),
    "coinsurance": ("个人共付", "Coinsurance"),
    "over_ceiling": ("超封顶线", "Above the ceiling"),
    "large_amount": ("大额医疗费用补助", "Large-amount supplement"),
    "critical_illness": ("大病保险", "Critical illness"),
    "assistance": ("医疗救助", "Medical assistance"),
    "tilted_assistance": ("其中倾斜救助", "of which tilted"),
    "account": ("个人账户支付", "Individual account"),
    "cash": ("个人现金支付", "Cash"),
    "fund_total": ("基金支付合计", "All funds"),
}

VISITS: dict[str, tuple[str, str]] = {
    "inpatient": ("住院", "inpatient"),
    "outpatient_general": ("普通门诊", "outpatient"),
    "outpatient_chronic": ("门诊慢特病", "chronic outpatient"),
    "pharmacy": ("定点药店购药", "pharmacy"),
}

# the insured person's plain words for the parts that are theirs to understand
PLAIN: dict[str, tuple[str, str]] = {
    "pooled_fund": (
        "医保统筹基金替您支付了 {y} 元。",
        "The pooled fund paid {y} yuan for you.",
    ),
    "large_amount": (
        "超过统筹基金封顶线的部分，大额补助支付了 {y} 元。",
        "Above the ceiling, the large-amount supplement paid {y} yuan.",
    ),
    "critical_illness": (
        "您本年自付较多，大病保险又支付了 {y} 元。",
        "Because you paid a lot yourself this year, critical illness insurance paid {y} yuan.",
    ),
    "assistance": ("医疗救助支付了 {y} 元。", "Medical assistance paid {y} yuan."),
    "deductible": (
        "起付线 {y} 元由您自己承担，超过的部分医保才按比例支付。",
        "The first {y} yuan (the deductible) is yours; above it the fund pays its share.",
    ),
    "full_selfpay": (
        "{y} 元是医保目录外的费用，需全部自付。",
        "{y} yuan is outside the insurance catalogue and is yours to pay.",
    ),
    "account": ("从您的个人账户扣了 {y} 元。", "{y} yuan came from your individual account."),
    "cash": ("您用现金支付了 {y} 元。", "You paid {y} yuan in cash."),
}


def _i(lang: str) -> int:
    return 1 if lang == "en" else 0


def money(value: object) -> str:
    """A stored yuan string (``"1234.50"``) with thousands separators (``1,234.50``)."""
    return format_yuan(yuan_to_fen(value))


def yi(fen: int) -> str:
    """Fen in 亿元 (10⁸ yuan) to two places, for projections (display only)."""
    return f"{Decimal(fen) / Decimal(10**10):,.2f}"


@dataclass(frozen=True, slots=True)
class Cited:
    path: str
    value: str
    since: str
    document: str


@dataclass(frozen=True, slots=True)
class ExplainedStep:
    title: str
    amounts: tuple[tuple[str, str], ...]
    detail: str  # the engine's own sentence (English, with the figures it used)
    citations: tuple[Cited, ...]


def _value(v: object) -> str:
    if isinstance(v, dict) and "ratio" in v:
        upto = v.get("upto")
        pct = Decimal(str(v["ratio"])) * 100
        return f"≤ {money(upto)}: {pct.normalize():f} %" if upto else f"{pct.normalize():f} %"
    if isinstance(v, list):
        return "; ".join(_value(x) for x in v)
    if isinstance(v, str):
        try:
            return money(v) if "." in v else v
        except Exception:
            return v
    return str(v)


def explain(trace: list[dict[str, Any]], lang: str = "zh") -> list[ExplainedStep]:
    i = _i(lang)
    out = []
    for step in trace:
        name = str(step["step"])
        title = STEPS.get(name, (name, name))[i]
        amounts = tuple(
            (AMOUNTS.get(k, (k, k))[i], money(v)) for k, v in dict(step["amounts"]).items()
        )
        cites = tuple(
            Cited(
                str(c["path"]),
                _value(c["value"]),
                str(c["from"]),
                str(dict(c["reference"]).get("title", "")),
            )
            for c in step.get("citations", [])
        )
        out.append(ExplainedStep(title, amounts, str(step.get("text", "")), cites))
    return out


def part_rows(parts: dict[str, Any], lang: str = "zh") -> list[tuple[str, str, str]]:
    """(label, interface code, yuan) of every part, in the engine's order."""
    i = _i(lang)
    return [(PARTS.get(k, (k, k))[i], str(v["code"]), money(v["yuan"])) for k, v in parts.items()]


def plain_words(parts: dict[str, Any], lang: str = "zh") -> list[str]:
    """The settlement in a few sentences for the insured person (non-zero parts only)."""
    i = _i(lang)
    out = []
    for name, pair in PLAIN.items():
        amount = parts.get(name)
        if amount is not None and yuan_to_fen(amount["yuan"]) != 0:
            out.append(pair[i].format(y=money(amount["yuan"])))
    return out


def visit_label(visit: str, lang: str = "zh") -> str:
    return VISITS.get(visit, (visit, visit))[_i(lang)]

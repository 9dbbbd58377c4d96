"""The message catalogue: Chinese first, English available (``?lang=en`` or the lang cookie).

A key missing from the catalogue is shown as itself, so a page never fails on a message."""

from __future__ import annotations

from collections.abc import Callable

LANGS = ("zh", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    "app": ("医保经办与参保人服务", "Medical insurance console and portal"),
    "skip": ("跳到正文", "Skip to content"),
    "login": ("登录", "Sign in"),
    "logout": ("退出", "Sign out"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "language": ("English", "中文"),
    "nav": ("主导航", "Main navigation"),
    "home": ("首页", "Home"),
    "persons": ("参保人查询", "Find a person"),
    "search": ("查询", "Search"),
    "search_hint": (
        "姓名、参保编号或脱敏身份证号（如 990101********0011）",
        "Name, insured number or masked ID (e.g. 990101********0011)",
    ),
    "results": ("查询结果", "Results"),
    "no_results": ("没有找到", "Nothing found"),
    "person": ("参保人", "Insured person"),
    "person_id": ("参保编号", "Insured number"),
    "name": ("姓名", "Name"),
    "id_number": ("身份证号", "ID number"),
    "birth_date": ("出生日期", "Birth date"),
    "region": ("参保地", "Insured region"),
    "enrollment": ("参保登记", "Enrollment"),
    "scheme": ("险种", "Scheme"),
    "type": ("人员类别", "Person type"),
    "from": ("起始", "From"),
    "to": ("终止", "To"),
    "wage": ("缴费基数", "Wage"),
    "contributions": ("缴费记录", "Contributions"),
    "month": ("月份", "Month"),
    "amount": ("金额（元）", "Amount (yuan)"),
    "account": ("个人账户", "Individual account"),
    "balance": ("余额（元）", "Balance (yuan)"),
    "transactions": ("账户明细", "Account transactions"),
    "day": ("日期", "Date"),
    "kind": ("类型", "Kind"),
    "change": ("变动（元）", "Change (yuan)"),
    "ref": ("业务号", "Reference"),
    "standing": ("本年度累计", "This year so far"),
    "standing_note": (
        "按本地二级医院住院计算",
        "Computed for a local inpatient stay at a level-2 hospital",
    ),
    "admissions": ("住院次数", "Admissions"),
    "scope_total": ("政策范围内费用累计", "Policy-scope expense so far"),
    "next_deductible": ("下次住院起付线", "Deductible of the next admission"),
    "deductible_paid": ("已付起付线", "Deductible paid"),
    "ceiling": ("统筹基金最高支付限额", "Pooled-fund ceiling"),
    "ceiling_used": ("已用", "Used"),
    "ci_threshold": ("大病保险起付线", "Critical illness threshold"),
    "ci_base": ("合规自付累计", "Compliant self-pay so far"),
    "ci_paid": ("大病保险已付", "Critical illness paid"),
    "not_enrolled": ("今天不在参保期内", "Not enrolled today"),
    "settlements": ("结算记录", "Settlements"),
    "claim": ("单据号", "Claim number"),
    "provider": ("定点医药机构", "Provider"),
    "visit": ("就诊类型", "Visit"),
    "status": ("状态", "Status"),
    "total": ("医疗费总额", "Total"),
    "fund_paid": ("基金支付", "Funds paid"),
    "cash": ("个人现金", "Cash"),
    "settle": ("结算", "Settle"),
    "settle_claim": ("办理结算", "Settle a claim"),
    "pre_settle": ("预结算", "Pre-settle"),
    "preview": ("预结算结果（未保存）", "Pre-settlement (not stored)"),
    "full_selfpay": ("全自费", "Full self-pay"),
    "over_limit": ("超限价自费", "Over-limit self-pay"),
    "preself": ("乙类先行自付", "Class-B pre-self-pay"),
    "admit_date": ("入院日期", "Admission date"),
    "discharge_date": ("出院日期", "Discharge date"),
    "route": ("就医方式", "Route"),
    "result": ("结算结果", "Settlement result"),
    "why": ("为什么是这个金额", "Why this amount"),
    "step": ("步骤", "Step"),
    "parameter": ("参数", "Parameter"),
    "document": ("政策依据", "Document"),
    "reverse": ("冲正", "Reverse"),
    "reason": ("原因", "Reason"),
    "reversed_ok": ("已冲正", "Reversed"),
    "filings": ("异地就医备案", "Cross-region filings"),
    "treatment_region": ("就医地", "Treatment region"),
    "record_filing": ("登记备案", "Record a filing"),
    "filed_ok": ("已登记备案", "Filing recorded"),
    "cases": ("稽核案件", "Supervision cases"),
    "case": ("案件", "Case"),
    "rules": ("命中规则", "Rules hit"),
    "flagged": ("涉及金额（元）", "Flagged (yuan)"),
    "recovered": ("追回金额（元）", "Recovered (yuan)"),
    "claims": ("涉及单据", "Claims"),
    "events": ("处理记录", "History"),
    "review": ("开始审核", "Start review"),
    "confirm": ("确认违规", "Confirm"),
    "dismiss": ("排除", "Dismiss"),
    "clawback": ("追回凭证", "Clawback journal"),
    "funds": ("基金运行", "Funds"),
    "fund": ("基金", "Fund"),
    "months_payable": ("累计结余可支付月数", "Months payable"),
    "income": ("收入", "Income"),
    "expenditure": ("支出", "Expenditure"),
    "by_month": ("按月收支", "Income and expenditure by month"),
    "policy": ("政策参数", "Policy parameters"),
    "on_date": ("日期", "On"),
    "value": ("取值", "Value"),
    "compare": ("对比", "Compare"),
    "diff": ("差异", "Differences"),
    "my_coverage": ("我的参保", "My coverage"),
    "my_account": ("我的个人账户", "My account"),
    "my_settlements": ("我的结算", "My settlements"),
    "error": ("出错了", "Something went wrong"),
    "forbidden": ("无权访问", "Not allowed"),
    "not_found": ("未找到", "Not found"),
    "back": ("返回", "Back"),
    "none": ("无", "None"),
    "end_filing": ("终止备案", "End filing"),
    "by_level": ("按医院等级的基金支付", "Fund payments by hospital level"),
    "credit": ("信用评价", "Credit score"),
    "level": ("医院等级", "Level"),
    "projection": ("基金精算预测", "Fund projection"),
    "scenario": ("情景", "Scenario"),
    "projection_note": (
        "按随附的精算假设做随机模拟，全省年末累计结余的分位数；模拟路径数",
        "Monte Carlo over the shipped actuarial assumptions: percentiles of the province's "
        "year-end balance; paths",
    ),
    "balance_fan": ("年末累计结余预测", "Projected year-end balance"),
    "median": ("中位数", "Median"),
    "yi_yuan": ("亿元", "100 million yuan"),
    "year": ("年度", "Year"),
    "actions": ("操作", "Actions"),
    "approve_filing": ("审核通过", "Approve"),
    "awaits_other": ("待另一名经办人员审核", "Awaits another officer's approval"),
    "interface_code": ("接口字段", "Interface field"),
    "rule_code": ("规则编码", "Rule code"),
    "warning": ("预警", "Warning"),
    "deficit": ("当期赤字，无可支付月数", "In deficit: no months payable"),
}


# the codes the pages show, by what they are (a code missing here is shown as itself)
CODES: dict[str, dict[str, tuple[str, str]]] = {
    "fund": {
        "employee_pooled": ("职工医保统筹基金", "Employee pooled fund"),
        "individual_accounts": ("职工个人账户", "Individual accounts"),
        "resident_pooled": ("居民医保基金", "Resident fund"),
        "large_amount": ("职工大额医疗费用补助", "Employee large-amount supplement"),
        "critical_illness": ("城乡居民大病保险", "Resident critical illness insurance"),
        "medical_assistance": ("医疗救助基金", "Medical assistance fund"),
        "adjustment": ("省级调剂金", "Provincial adjustment fund"),
        "long_term_care": ("长期护理保险基金", "Long-term care fund"),
    },
    "warning": {  # yibao.actuarial.warning.Level, 人社部发〔2009〕67号 ranges
        "red": ("红色：不足 3 个月", "Red: under 3 months"),
        "orange": ("橙色：3 至 6 个月", "Orange: 3 to 6 months"),
        "normal": ("正常：6 至 9 个月", "Normal: 6 to 9 months"),
        "ample": ("较多：9 至 15 个月", "Ample: 9 to 15 months"),
        "excess": ("结余过多：超过 15 个月", "Excessive: over 15 months"),
    },
    "scheme": {
        "employee": ("职工基本医疗保险", "Employee basic medical insurance"),
        "resident": ("城乡居民基本医疗保险", "Resident basic medical insurance"),
    },
    "person_type": {
        "active": ("在职", "In service"),
        "retired": ("退休", "Retired"),
        "adult": ("成年居民", "Adult"),
        "child": ("少儿、学生", "Child or student"),
        "elderly": ("老年居民", "Elderly"),
    },
    "hospital_level": {
        "L1": ("一级", "Level 1"),
        "L2": ("二级", "Level 2"),
        "L3": ("三级", "Level 3"),
        "clearing": ("异地就医清算", "Care in another region"),
    },
    "journal": {
        "settlement": ("结算", "Settlement"),
        "reversal": ("冲正", "Reversal"),
        "refund": ("退费", "Refund"),
        "contribution": ("缴费划入", "Contribution"),
        "transfer": ("划转", "Transfer"),
        "clawback": ("追回", "Clawback"),
        "prepayment": ("预付", "Prepayment"),
        "opening": ("上年结转", "Brought forward"),
        "financing": ("筹资", "Financing"),
    },
    "status": {
        "settled": ("已结算", "Settled"),
        "reversed": ("已冲正", "Reversed"),
        "refunded": ("已退费", "Refunded"),
        "open": ("待审核", "Open"),
        "under_review": ("审核中", "Under review"),
        "confirmed": ("已确认违规", "Confirmed"),
        "dismissed": ("已排除", "Dismissed"),
        "recorded": ("已登记，待审核", "Recorded, awaiting approval"),
        "approved": ("已批准", "Approved"),
        "ended": ("已终止", "Ended"),
    },
    "role": {
        "staff": ("经办人员", "Agency staff"),
        "supervisor": ("稽核人员", "Supervisor"),
        "fund_manager": ("基金管理", "Fund manager"),
        "insured": ("参保人", "Insured person"),
        "auditor": ("审计", "Auditor"),
        "admin": ("管理员", "Administrator"),
    },
}


def code_label(group: str, value: object, lang: str) -> str:
    """A code of ``group`` in words (Chinese unless ``en``); an unknown code as itself."""
    pair = CODES.get(group, {}).get(str(value))
    if pair is None:
        return "" if value is None else str(value)
    return pair[1 if lang == "en" else 0]


def translator(lang: str) -> Callable[[str], str]:
    """``_(key)`` in ``lang`` (Chinese unless ``en``)."""
    i = 1 if lang == "en" else 0

    def _(key: str) -> str:
        pair = MESSAGES.get(key)
        return pair[i] if pair else key

    return _

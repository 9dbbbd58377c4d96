"""The typed integration contract (接口契约): one Pydantic model per request and response body.

The models document the bodies in OpenAPI and refuse unknown fields and wrong JSON types;
they do not parse values. Amounts, ratios, dates and codes stay text (or whole numbers) and
go through the one set of readers in :mod:`yibao.io.records` (and :mod:`yibao.money`), so
every bound and message is the same for the API, the CLI and scenario files: an endpoint
hands :meth:`Body.data` to the service, which reads it as it reads a file.

Examples are drawn from the demo province (regions 990100 north and 990200 south).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

# -------------------------------------------------------------------- value types
Text = StrictStr
Yuan = Annotated[
    StrictStr | StrictInt,
    Field(
        description="an amount in yuan 金额(元): a decimal string with at most two places, or a "
        "whole number; JSON fractions (floats) are refused",
        examples=["1280.50"],
    ),
]
Ratio = Annotated[
    StrictStr | StrictInt,
    Field(description="a ratio in [0, 1] 比例, as a decimal string", examples=["0.1"]),
]
Day = Annotated[
    StrictStr,
    Field(
        description="a date YYYY-MM-DD 日期",
        examples=["2025-06-07"],
        json_schema_extra={"format": "date"},
    ),
]
Month = Annotated[StrictStr, Field(description="a month YYYY-MM 月份", examples=["2025-06"])]
Region = Annotated[
    StrictStr,
    Field(description="region code 统筹区代码 (six digits)", examples=["990100"]),
]


class Body(BaseModel):
    """A request body: unknown fields are refused (400, naming the field)."""

    model_config = ConfigDict(extra="forbid")

    def data(self) -> dict[str, Any]:
        """The fields as given, for the service's strict readers."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class Out(BaseModel):
    """A response body; fields added later pass through."""

    model_config = ConfigDict(extra="allow")


# -------------------------------------------------------------------- persons
class EnrollmentIn(Body):
    """An enrollment 参保登记."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {"scheme": "resident", "type": "adult", "region": "990100", "from": "2026-01-01"}
            ]
        },
    )

    scheme: Text = Field(
        description="insurance scheme 险种: employee 职工医保 | resident 城乡居民医保",
        examples=["employee"],
    )
    type: Text = Field(
        description="person type 人员类别: active 在职 | retired 退休 | adult, child, student, "
        "elderly (residents)",
        examples=["active"],
    )
    region: Region
    employer: Text | None = Field(None, description="employer id 单位编号", examples=["E1"])
    wage: Yuan | None = Field(None, description="monthly contribution base 缴费基数 (yuan)")
    from_: Day = Field(alias="from", description="first day 开始日期")
    to: Day | None = Field(None, description="last day 结束日期 (open when absent)")


class AssistanceIn(Body):
    """A medical assistance category 医疗救助类别 for a period."""

    category: Text = Field(description="assistance category 救助类别", examples=["low_income"])
    from_: Day = Field(alias="from")
    to: Day | None = None
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PersonIn(Body):
    """Register an insured person 参保人 with the first enrollment."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id_number": "990101198505051004",
                    "name": "赵六",
                    "region": "990100",
                    "account_balance": "500.00",
                    "enrollment": {
                        "scheme": "employee",
                        "type": "active",
                        "region": "990100",
                        "employer": "E1",
                        "wage": "9000.00",
                        "from": "2025-01-01",
                    },
                }
            ]
        },
    )
    person_id: Text | None = Field(
        None, description="person id 人员编号 (generated when absent)", examples=["P-0001"]
    )
    id_number: Text = Field(
        description="resident identity number 公民身份号码 (18 characters, checked)",
        examples=["990101198505051004"],
    )
    name: Text = Field(description="name 姓名", examples=["赵六"])
    region: Region
    account_balance: Yuan | None = Field(
        None, description="individual account balance carried over 个人账户余额 (yuan)"
    )
    enrollment: EnrollmentIn
    assistance: AssistanceIn | None = None


class FilingIn(Body):
    """A cross-region filing 异地就医备案 (long-term residence or referral)."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={"examples": [{"treatment_region": "990200", "from": "2025-01-01"}]},
    )
    treatment_region: Region
    from_: Day = Field(alias="from")
    to: Day | None = None


class PersonOut(Out):
    """A person as shown: identity number and name masked 脱敏."""

    person_id: str = Field(examples=["P-0001"])
    id_number: str = Field(description="masked identity number", examples=["9901**********1004"])
    name: str = Field(description="masked name (family name only)", examples=["赵*"])
    sex: str = Field(description="sex 性别: 1 male, 2 female", examples=["2"])
    birth_date: str = Field(examples=["1985-05-05"])
    region: str = Field(examples=["990100"])
    account_balance: str = Field(description="yuan", examples=["500.00"])


class EnrollmentOut(Out):
    """An enrollment as stored."""

    enrollment_id: int | str
    person_id: str
    scheme: str = Field(examples=["employee"])
    type: str = Field(examples=["active"])
    region: str = Field(examples=["990100"])
    employer: str | None = None
    wage: str | None = Field(None, description="yuan")
    from_: str = Field(alias="from", examples=["2025-01-01"])
    to: str | None = None


class PersonRecordOut(PersonOut):
    """A person with their enrollments (and assistance and filings where any)."""

    enrollments: list[EnrollmentOut] = []


class FiledOut(Out):
    """The filing was recorded."""

    status: str = Field(examples=["filed"])


# -------------------------------------------------------------------- providers
class ProviderIn(Body):
    """Register a provider 定点医药机构."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "provider_id": "H1",
                    "name": "医院 H1",
                    "level": "L3",
                    "region": "990100",
                    "kind": "hospital",
                }
            ]
        },
    )
    provider_id: Text = Field(description="provider code 定点机构编码", examples=["H1"])
    name: Text = Field(description="name 机构名称", examples=["医院 H1"])
    level: Text = Field(description="hospital level 医院等级: L1 | L2 | L3", examples=["L3"])
    region: Region
    kind: Text | None = Field(
        None,
        description="kind 机构类别: hospital | primary_care | community | clinic | pharmacy",
        examples=["hospital"],
    )


class ProviderOut(Out):
    provider_id: str = Field(examples=["H1"])
    name: str = Field(examples=["医院 H1"])
    level: str = Field(examples=["L3"])
    region: str = Field(examples=["990100"])
    kind: str | None = Field(None, examples=["hospital"])


# -------------------------------------------------------------------- contributions
class ContributionRunIn(Body):
    """The monthly contribution run 月度征缴 of a region."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"region": "990100", "month": "2025-06", "unpaid_employers": ["E9"]}]
        },
    )
    region: Region
    month: Month
    unpaid_employers: list[Text] = Field(
        default_factory=list, description="employers in arrears this month 欠费单位"
    )


class ContributionRunOut(Out):
    region: str = Field(examples=["990100"])
    month: str = Field(examples=["2025-06"])
    journals: int = Field(description="journals posted 记账凭证数")
    replayed: bool = Field(description="the month was run before; nothing was posted")
    totals_fen: dict[str, int] | None = Field(None, description="totals by item, in fen 分")


# -------------------------------------------------------------------- claims
class LineIn(Body):
    """One bill line 费用明细: a catalogue code, or a self-describing line with its class."""

    code: Text = Field(description="catalogue code 医保目录编码", examples=["XD001"])
    amount: Yuan | None = Field(None, description="line amount 金额 (yuan)")
    quantity: StrictInt | None = Field(None, description="quantity 数量 (≥ 1)", examples=[1])
    unit_price: Yuan | None = Field(None, description="unit price 单价 (yuan)")
    class_: Text | None = Field(
        None, alias="class", description="class 甲乙丙类: A | B | C (skips the catalogue)"
    )
    preself_ratio: Ratio | None = Field(None, description="class-B pre-self-pay 先行自付比例")
    price_cap: Yuan | None = Field(None, description="payment standard 支付标准 per unit")
    fund_ratio: Ratio | None = None
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PresplitIn(Body):
    """A bill already split by the catalogue 已分割费用."""

    total: Yuan = Field(description="medfee_sumamt 医疗费总额")
    full_selfpay: Yuan | None = Field(None, description="fulamt_ownpay_amt 全自费")
    over_limit: Yuan | None = Field(None, description="overlmt_selfpay 超限价自费")
    preself: Yuan | None = Field(None, description="preselfpay_amt 先行自付")
    item_fund: Yuan | None = None
    item_fund_scope: Yuan | None = None


class ClaimIn(Body):
    """A claim 结算单据: lines or a presplit bill; level and region default to the provider's."""

    id: Text = Field(description="claim number 单据号 (with the provider: idempotency key)")
    provider: Text = Field(description="provider code 定点机构编码", examples=["H1"])
    level: Text | None = Field(None, description="hospital level (must match the registry)")
    region: Text | None = Field(None, description="treatment region 就医地 (the provider's)")
    visit: Text = Field(
        description="visit type 就诊类别: inpatient | outpatient_general | outpatient_chronic "
        "| pharmacy",
        examples=["inpatient"],
    )
    route: Text | None = Field(
        None,
        description="cross-region route 异地就医类型: local | filed | unfiled | emergency "
        "(derived from filings when absent)",
    )
    date: Day | None = Field(None, description="the day of a one-day visit")
    admit_date: Day | None = Field(None, description="admission 入院日期")
    discharge_date: Day | None = Field(None, description="discharge 出院日期 (settlement date)")
    lines: list[LineIn] | None = None
    presplit: PresplitIn | None = None


class SettleIn(Body):
    """Settle (or pre-settle) a claim of a person."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "person_id": "P-0001",
                    "claim": {
                        "id": "C1",
                        "provider": "H1",
                        "visit": "inpatient",
                        "admit_date": "2025-06-01",
                        "discharge_date": "2025-06-07",
                        "presplit": {"total": "20000.00", "full_selfpay": "1000.00"},
                    },
                }
            ]
        },
    )
    person_id: Text = Field(description="person id 人员编号", examples=["P-0001"])
    claim: ClaimIn
    id_number: Text | None = Field(
        None, description="ID number read from the card at admission (a provider's pre-settle)"
    )


class ReverseIn(Body):
    """冲正 (reversal, the default) or 退费 (refund)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"kind": "refund"}]})

    kind: Text = Field("reversal", description="reversal | refund", examples=["reversal"])


class PartOut(Out):
    code: str = Field(description="national interface code 接口字段", examples=["hifp_pay"])
    yuan: str = Field(examples=["13160.00"])


class LineOut(Out):
    code: str
    amount: str
    full_selfpay: str
    over_limit: str
    preself: str
    scope: str
    item_fund: str
    outside_schedule: bool
    reason: str | None = None


class SourceOut(Out):
    """The policy document a parameter cites 政策依据."""

    key: str
    title: str
    url: str | None = None
    synthetic: bool


class CitationOut(Out):
    path: str = Field(examples=["basic.employee.inpatient.deductible"])
    value: Any = Field(description="the parameter's value (money in yuan)")
    from_: str = Field(alias="from")
    to: str | None = None
    pack: str
    reference: SourceOut


class StepOut(Out):
    step: str
    text: str
    amounts: dict[str, str]
    citations: list[CitationOut]
    rounded_at: list[str]


class PoolOut(Out):
    admissions: int
    scope: str
    deductible: str


class AccumulatorsOut(Out):
    """A person's year so far 年度累计 (yuan as text)."""

    year: int = Field(examples=[2025])
    pools: dict[str, PoolOut]
    ceiling_scope: dict[str, str]
    ceiling_fund: dict[str, str]
    account_balance: str


class SettlementOut(Out):
    """A settlement 结算结果: the parts by national interface code, lines, trace, totals."""

    claim_id: str
    person_id: str
    settle_date: str
    admission_seq: int | None = None
    parts: dict[str, PartOut] = Field(description="every part of the bill (medfee_sumamt, …)")
    lines: list[LineOut]
    trace: list[StepOut] = Field(description="each step with the cited policy parameters")
    before: AccumulatorsOut
    after: AccumulatorsOut
    provider_id: str | None = None
    claim_no: str | None = None
    status: str | None = Field(None, examples=["settled"])
    journal_id: str | None = None
    reversal_journal_id: str | None = None
    visit: str | None = None
    insured_region: str | None = None
    treatment_region: str | None = None


# -------------------------------------------------------------------- funds
class BalanceOut(Out):
    region: str
    fund: str
    kind: str
    item: str
    balance: int = Field(description="fen 分, debit positive")


class StatementOut(Out):
    """收支表: opening, income and expenditure by item, closing (fen)."""

    region: str
    fund: str
    month: str
    opening: int
    income: dict[str, int]
    expenditure: dict[str, int]
    closing: int
    check: bool


class ClearingOut(Out):
    """异地就医清算: what an insured region owes a treatment region (fen)."""

    insured_region: str
    treatment_region: str
    fund: str
    amount: int
    journals: int


class ViolationOut(Out):
    check: str
    subject: str
    message: str


class LedgerCheckOut(Out):
    violations: list[ViolationOut]


# -------------------------------------------------------------------- supervision cases
class HitIn(Body):
    """One rule hit (a row of hits.parquet)."""

    rule_code: Text
    claim_id: Text | None = None
    line_nos: list[StrictInt] | None = None
    person_id: Text | None = None
    provider_id: Text
    amount_fen: StrictInt
    reason: Text | None = None


class CaseImportIn(Body):
    """Open cases 稽核案件 from rule hits, or from a server-side hits.parquet (admin)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "hits": [
                        {
                            "rule_code": "R-DUP",
                            "claim_id": "C1",
                            "provider_id": "H1",
                            "amount_fen": 50000,
                        }
                    ],
                    "fund": "employee_pooled",
                }
            ]
        },
    )

    hits: list[HitIn] | None = None
    path: Text | None = None
    fund: Text | None = None
    day: Day | None = None
    min_amount: Yuan | None = None


class DecisionIn(Body):
    """A decision on a case: reviewer and reason; ``recovered`` (yuan) on confirm."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reviewer": "王审核", "reason": "分解住院 confirmed"}]},
    )
    reviewer: Text
    reason: Text
    day: Day | None = None
    recovered: Yuan | None = None


class CaseEventOut(Out):
    from_: str | None = Field(None, alias="from")
    to: str
    reviewer: str | None = None
    reason: str | None = None
    day: str


class CaseOut(Out):
    case_id: str
    provider_id: str
    region: str
    fund: str
    rule_codes: list[str]
    claim_ids: list[str]
    flagged: str = Field(description="yuan")
    recovered: str = Field(description="yuan")
    status: str
    journal_id: str | None = None
    events: list[CaseEventOut] | None = None


class OpenedCaseOut(Out):
    """A case opened by an import."""

    case_id: str = Field(examples=["CASE-990100-20250607-000001"])
    provider_id: str
    region: str
    flagged: str = Field(description="yuan")
    status: str = Field(examples=["open"])


class CasesOpenedOut(Out):
    opened: list[OpenedCaseOut]


class CreditOut(Out):
    provider_id: str
    score: int | float
    grade: str
    confirmed: int
    dismissed: int
    recovered: str


# -------------------------------------------------------------------- FHIR
class FhirResource(Out):
    """An HL7 FHIR R4B resource (its ``resourceType`` names it)."""

    resourceType: str = Field(examples=["ClaimResponse"])
    id: str | None = None


FHIR_JSON: Final = "application/fhir+json"


class FhirClaimIn(Out):
    """A FHIR R4B Claim 结算申请 (validated in full by fhir.resources)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "resourceType": "Claim",
                    "status": "active",
                    "use": "claim",
                    "identifier": [{"value": "C1"}],
                    "type": {"coding": [{"code": "institutional"}]},
                    "patient": {"reference": "Patient/P-0001"},
                    "provider": {"reference": "Organization/H1"},
                    "created": "2025-06-07",
                    "priority": {"coding": [{"code": "normal"}]},
                    "insurance": [
                        {"sequence": 1, "focal": True, "coverage": {"reference": "Coverage/P-0001"}}
                    ],
                    "extension": [
                        {
                            "url": "https://yibao.dev/fhir/StructureDefinition/hospital-level",
                            "valueCode": "L3",
                        }
                    ],
                    "billablePeriod": {"start": "2025-06-01", "end": "2025-06-07"},
                    "item": [
                        {
                            "sequence": 1,
                            "productOrService": {"coding": [{"code": "XD001"}]},
                            "net": {"value": 120.5, "currency": "CNY"},
                        }
                    ],
                }
            ]
        },
    )
    resourceType: Text = Field(examples=["Claim"])


class FhirEntry(Out):
    fullUrl: str = Field(examples=["ExplanationOfBenefit/1"])
    resource: FhirResource


class FhirBundle(Out):
    """A FHIR searchset Bundle 检索结果."""

    resourceType: str = Field(examples=["Bundle"])
    type: str = Field(examples=["searchset"])
    total: int
    entry: list[FhirEntry]


class FhirIssue(Out):
    severity: str = Field(examples=["error"])
    code: str = Field(description="issue type: invalid, login, forbidden, not-found, conflict")
    diagnostics: str
    expression: list[str] | None = None


class OperationOutcome(Out):
    """A FHIR error (the FHIR endpoints' error body)."""

    resourceType: str = Field(examples=["OperationOutcome"])
    issue: list[FhirIssue]

"""Calibration targets of the synthetic province, each with the figure it comes from.

PF = ``reference/policy-facts.md`` §10 (NHSA statistical bulletins / express reports).
[M] = general knowledge or an assumption, not in policy-facts: say so when quoting it.

| quantity | value used | source |
|---|---|---|
| employee share of insured | 37,948.34 / 132,662.08 = 28.6 % | PF 2024 bulletin (employees vs total) |
| active share of employees | 27,491.84 / 37,948.34 (active : retired ≈ 2.63) | PF 2024 bulletin |
| employer kinds (active) | enterprise 24,535.36, public 6,797.07, flexible/other 6,615.91 | PF 2024 bulletin |
| resident child / adult / elderly | 31 % / 48 % / 21 % | [M] 2020 census 0–17 ≈ 298 M of 947 M residents; 60+ ≈ 310 M minus retired employees |
| inpatient admissions per insured-year | employees 0.2186, residents 0.207 | PF 2023 bulletin (住院率 21.86 % / 20.7 %) |
| retired : active inpatient rate | 3.5 : 1 | [M] assumption; retirees were 49.8 % of employee medical cost in 2024 (PF) |
| average inpatient cost | employees 12,175 yuan, residents 7,674 yuan | PF 2023 bulletin |
| general outpatient visits / year | employees 5.1 (active 3.6, retired 9.1); residents 1.7 | PF 2022: employee benefit use 21.04亿人次 / 36,243万 ≈ 5.8 incl. inpatient and chronic; resident outpatient 17亿 / 98,349万 ≈ 1.73 |
| chronic (门诊慢特病) visits / resident | ≈ 0.30 | PF 2022: 2.97亿 / 98,349万 |
| chronic visits / employee | ≈ 0.5 | [M] assumption (no employee figure) |
| pharmacy purchases / year | employees 5.8, residents 0.3 | [M] assumption: about half of employee IA spending (5,879.83亿 / 37,948万 ≈ 1,550 yuan in 2024, PF) at ≈ 120 yuan a purchase |
| outpatient cost / visit | employees 260, residents 110 yuan | [M] national hospital outpatient ≈ 360 yuan a visit (health statistics bulletin 2023), residents use primary care more |
| chronic cost / visit | employees 450, residents 320 yuan | [M] assumption (one month of drugs; dialysis ≈ 400–600 a session) |
| pharmacy cost / purchase | 110 yuan | [M] assumption |
| IA opening balance | mean 3,813 yuan / employee | PF 2024: IA accumulated 14,471.75亿 / 37,948.34万 |
| assistance categories | ≈ 8 % of residents, 0.3 % of employees | PF 2024: 86.228 M with subsidised contributions ≈ 6.5 % of all insured |
| restriction breaks, prices over the cap | ≈ 0.1–0.3 % and ≈ 0.5 % of lines | [M] assumption: rare, but present for supervision to find |
| cross-region inpatient care | 4 % of admissions at another prefecture | [M] assumption ("a few %") |
| monthly wage | mean 8,000 yuan (enterprise), 9,500 (public), 5,000 (flexible) | [M] NBS 2023 urban non-private average wage 120,698 yuan / year |
"""

from __future__ import annotations

from typing import Final

# Scheme and person-type split (PF §10, 2024 bulletin, 万人).
EMPLOYEES_2024: Final = 37_948.34
RESIDENTS_2024: Final = 94_713.73
ACTIVE_2024: Final = 27_491.84
RETIRED_2024: Final = 10_457.50
EMPLOYEE_SHARE: Final = EMPLOYEES_2024 / (EMPLOYEES_2024 + RESIDENTS_2024)
ACTIVE_SHARE: Final = ACTIVE_2024 / EMPLOYEES_2024
EMPLOYER_KIND_SHARE: Final = {  # PF §10 2024, employees by type
    "enterprise": 24_535.36,
    "public_institution": 6_797.07,
    "flexible": 6_615.91,
}
RESIDENT_TYPE_SHARE: Final = {"child": 0.31, "adult": 0.48, "elderly": 0.21}  # [M]

# Inpatient admissions per insured-year (PF §10, 2023 bulletin: 21.86 % and 20.7 %).
INPATIENT_RATE: Final = {"employee": 0.2186, "resident": 0.207}
RETIRED_TO_ACTIVE_INPATIENT: Final = 3.5  # [M]
# resident rates by person type, solved so the weighted mean is 0.207 with the split above
RESIDENT_INPATIENT: Final = {"child": 0.12, "adult": 0.16, "elderly": 0.443}

# Average inpatient cost per admission in yuan (PF §10, 2023 bulletin).
INPATIENT_COST_YUAN: Final = {"employee": 12_175, "resident": 7_674}

# Visits per insured-year ([M] derived from PF 2022 benefit use, see the table above).
OUTPATIENT_VISITS: Final = {
    "active": 3.6,
    "retired": 9.1,
    "child": 1.6,
    "adult": 1.2,
    "elderly": 3.0,
}
CHRONIC_FILING: Final = {
    "active": 0.02,
    "retired": 0.18,
    "child": 0.002,
    "adult": 0.025,
    "elderly": 0.12,
}  # share of persons with a chronic-disease filing
CHRONIC_VISITS_PER_FILED: Final = 8.0  # ≈ 0.30 visits / resident (PF 2022: 2.97亿 / 98,349万)
PHARMACY_VISITS: Final = {"active": 5.0, "retired": 8.0, "child": 0.2, "adult": 0.3, "elderly": 0.4}

# Mean cost per claim in yuan by visit type and scheme ([M] assumptions, see the table).
OUTPATIENT_COST_YUAN: Final = {"employee": 260, "resident": 110}
CHRONIC_COST_YUAN: Final = {"employee": 450, "resident": 320}
PHARMACY_COST_YUAN: Final = {"employee": 110, "resident": 110}

# Individual account opening balance (PF §10 2024: 14,471.75亿 / 37,948.34万 persons).
ACCOUNT_MEAN_YUAN: Final = 14_471.75e8 / 37_948.34e4

# Medical assistance categories (PF §10 2024: 86.228 M subsidised ≈ 6.5 % of insured).
ASSISTANCE_RATE: Final = {
    "active": 0.002,
    "retired": 0.006,
    "child": 0.06,
    "adult": 0.07,
    "elderly": 0.12,
}
ASSISTANCE_MIX_RESIDENT: Final = {
    "dibao": 0.42,
    "tekun": 0.06,
    "fanpin": 0.10,
    "dibao_edge": 0.14,
    "monitored": 0.20,
    "illness_poverty": 0.08,
}  # [M]
ASSISTANCE_MIX_EMPLOYEE: Final = {
    "illness_poverty": 0.6,
    "dibao_edge": 0.2,
    "monitored": 0.2,
}  # [M]

# Provider level mix of claims ([M] assumption; L3 hospitals take about half of admissions).
INPATIENT_LEVEL_MIX: Final = {"L1": 0.15, "L2": 0.40, "L3": 0.45}
INPATIENT_LEVEL_COST: Final = {"L1": 0.45, "L2": 0.8, "L3": 1.3}  # relative cost by level [M]
INPATIENT_LEVEL_LOS: Final = {"L1": 0.8, "L2": 1.0, "L3": 1.05}  # [M]
OUTPATIENT_LEVEL_MIX: Final = {"community": 0.45, "L1": 0.10, "L2": 0.20, "L3": 0.25}  # [M]
CHRONIC_LEVEL_MIX: Final = {"community": 0.35, "L1": 0.05, "L2": 0.30, "L3": 0.30}  # [M]
OUTPATIENT_LEVEL_COST: Final = {"community": 0.6, "L1": 0.7, "L2": 1.0, "L3": 1.5}  # [M]

# Cross-region care: share of claims at a provider of another prefecture, and the route mix.
CROSS_REGION: Final = {
    "inpatient": 0.04,
    "outpatient_general": 0.01,
    "outpatient_chronic": 0.005,
    "pharmacy": 0.005,
}  # [M]
CROSS_ROUTE_MIX: Final = {
    "filed": 0.35,
    "referred": 0.35,
    "emergency": 0.15,
    "unfiled": 0.15,
}  # [M]

# Monthly wage in yuan by employer kind ([M] NBS 2023 averages), lognormal sigma.
WAGE_MEAN_YUAN: Final = {"enterprise": 8_000, "public_institution": 9_500, "flexible": 5_000}
WAGE_SIGMA: Final = 0.45

# Providers per million insured in a prefecture ([M]: ≈ 27 hospitals and ≈ 480 pharmacies per
# million people in China), with a floor so that a small demo still has every kind.
PROVIDERS_PER_MILLION: Final = {
    ("hospital", "L3"): 2.5,
    ("hospital", "L2"): 8.0,
    ("hospital", "L1"): 12.0,
    ("community", "L1"): 25.0,
    ("pharmacy", "L1"): 150.0,
}
PROVIDER_FLOOR: Final = {
    ("hospital", "L3"): 2,
    ("hospital", "L2"): 4,
    ("hospital", "L1"): 6,
    ("community", "L1"): 6,
    ("pharmacy", "L1"): 10,
}

# Low-rate defects the settlement engine must handle ([M] assumptions).
OVER_CAP_RATE: Final = 0.05  # lines of a capped item priced above its payment standard
RESTRICTION_BREAK_RATE: Final = 0.0  # ineligible lines kept: none (a clean province bills
# restricted items for the right sex, age and visit type; supervision issue 15)
MISUSE_RATE: Final = 0.004  # drug lines switched to a restricted drug (超限定支付范围 misuse)

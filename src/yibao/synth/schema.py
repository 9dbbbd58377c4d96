"""The Parquet tables the generator writes: exact column names and Arrow types.

Other modules (settlement, DRG grouping, supervision, bench) read these; change them only
together with their readers.
"""

from __future__ import annotations

import pyarrow as pa

PERSONS = pa.schema(
    [
        ("person_id", pa.string()),
        ("id_number", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("scheme", pa.string()),
        ("person_type", pa.string()),
        ("insured_region", pa.string()),
        ("employer_id", pa.string()),
        ("monthly_wage_fen", pa.int64()),
        ("assistance_category", pa.string()),
        ("account_balance_fen", pa.int64()),
        ("enrolled_from", pa.date32()),
        ("enrolled_to", pa.date32()),
        # SYNTHETIC annual per-capita household disposable income (yibao.synth.income)
        ("household_income_fen", pa.int64()),
    ]
)
EMPLOYERS = pa.schema(
    [
        ("employer_id", pa.string()),
        ("name", pa.string()),
        ("region", pa.string()),
        ("kind", pa.string()),
        ("employee_count", pa.int64()),
    ]
)
PROVIDERS = pa.schema(
    [
        ("provider_id", pa.string()),
        ("name", pa.string()),
        ("level", pa.string()),
        ("region", pa.string()),
        ("kind", pa.string()),
    ]
)
CLAIMS = pa.schema(
    [
        ("claim_id", pa.string()),
        ("person_id", pa.string()),
        ("provider_id", pa.string()),
        ("visit_type", pa.string()),
        ("route", pa.string()),
        ("admit_date", pa.date32()),
        ("discharge_date", pa.date32()),
        ("los_days", pa.int32()),
        ("main_dx", pa.string()),
        ("other_dx", pa.string()),  # "|"-separated; null when none
        ("procedures", pa.string()),  # "|"-separated, first = main; null when none
    ]
)
CLAIM_LINES = pa.schema(
    [
        ("claim_id", pa.string()),
        ("line_no", pa.int32()),
        ("item_code", pa.string()),
        ("quantity", pa.int64()),
        ("unit_price_fen", pa.int64()),
        ("amount_fen", pa.int64()),
    ]
)
TABLES: dict[str, pa.Schema] = {
    "persons": PERSONS,
    "employers": EMPLOYERS,
    "providers": PROVIDERS,
    "claims": CLAIMS,
    "claim_lines": CLAIM_LINES,
}

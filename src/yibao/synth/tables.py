"""Arrow tables from the generator's arrays (the shapes of :mod:`yibao.synth.schema`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from yibao.synth import schema
from yibao.synth.claims import ROUTES, Claims
from yibao.synth.config import SynthConfig
from yibao.synth.employers import Employers
from yibao.synth.ids import fixed_ids, id_numbers, id_width, sequence_codes
from yibao.synth.lines import Lines
from yibao.synth.population import ASSISTANCE, EMPLOYER_KINDS, PERSON_TYPES, Persons
from yibao.synth.providers import CATEGORIES, PROVIDER_KINDS, Providers
from yibao.synth.reference import VISIT_ORDER, Conditions, Items

IntArray = npt.NDArray[np.int64]
CLAIM_ID_WIDTH = 10


def take(labels: Sequence[str] | pa.Array, index: IntArray) -> pa.Array:
    """labels[index] as an Arrow string array; a negative index gives null."""
    values = labels if isinstance(labels, pa.Array) else pa.array(list(labels), pa.string())
    index = np.ascontiguousarray(index, np.int64)
    return values.take(pa.array(index, pa.int64(), mask=index < 0))


def _dates(values: npt.NDArray[np.datetime64]) -> pa.Array:
    days = values.astype("datetime64[D]")
    return pa.array(days, pa.date32(), mask=np.isnat(days))


def _nullable(values: IntArray) -> pa.Array:
    return pa.array(values, pa.int64(), mask=values < 0)


def person_ids(numbers: IntArray, total: int) -> pa.Array:
    return fixed_ids("P", numbers + 1, id_width(total, 7))


def provider_ids(count: int) -> pa.Array:
    return fixed_ids("H", np.arange(1, count + 1, dtype=np.int64), id_width(count, 4))


def employer_ids(count: int) -> pa.Array:
    return fixed_ids("E", np.arange(1, count + 1, dtype=np.int64), id_width(count, 6))


def persons_table(config: SynthConfig, persons: Persons, employers: Employers) -> pa.Table:
    n = len(persons)
    region_code = np.array([int(c) for c in config.prefectures], np.int64)[persons.region]
    birth_days = persons.birth.astype("datetime64[D]").astype(np.int64)
    seq = sequence_codes(region_code, birth_days, persons.sex == 1)
    scheme = np.where(persons.ptype <= 1, 0, 1)
    columns = [
        person_ids(np.arange(n, dtype=np.int64), n),
        id_numbers(region_code, persons.birth, seq),
        take(["1", "2"], persons.sex - 1),
        _dates(persons.birth),
        take(["employee", "resident"], scheme),
        take(PERSON_TYPES, persons.ptype),
        take(config.prefectures, persons.region),
        take(employer_ids(len(employers.region)), employers.of_person),
        _nullable(persons.wage_fen),
        take(ASSISTANCE, persons.assistance),
        pa.array(persons.balance_fen, pa.int64()),
        _dates(persons.enrolled_from),
        _dates(persons.enrolled_to),
        pa.array(persons.household_income_fen, pa.int64()),
    ]
    return pa.Table.from_arrays(columns, schema=schema.PERSONS)


def employers_table(config: SynthConfig, employers: Employers) -> pa.Table:
    columns = [
        employer_ids(len(employers.region)),
        pa.array(employers.names, pa.string()),
        take(config.prefectures, employers.region),
        take(EMPLOYER_KINDS, employers.kind),
        pa.array(employers.employee_count, pa.int64()),
    ]
    return pa.Table.from_arrays(columns, schema=schema.EMPLOYERS)


def providers_table(config: SynthConfig, providers: Providers) -> pa.Table:
    columns = [
        provider_ids(len(providers)),
        pa.array(providers.names, pa.string()),
        take([lv for _, lv in CATEGORIES], providers.category),
        take(config.prefectures, providers.region),
        take(PROVIDER_KINDS, providers.kind),
    ]
    return pa.Table.from_arrays(columns, schema=schema.PROVIDERS)


def _joined(parts: list[pa.Array]) -> pa.Array:
    """Element-wise "|"-join of columns whose nulls all come after their values; null if none.

    (``null_handling="skip"`` of pyarrow 26 drops rows that are all null, so nulls are
    replaced by "" and the trailing separators trimmed.)
    """
    if len(parts) == 1:
        return parts[0]
    joined = pc.binary_join_element_wise(*parts, "|", null_handling="replace")
    joined = pc.utf8_rtrim(joined, characters="|")
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), joined)


def claim_ids(first: int, count: int) -> pa.Array:
    return fixed_ids("C", np.arange(first + 1, first + count + 1, dtype=np.int64), CLAIM_ID_WIDTH)


def claims_table(
    claims: Claims, first_claim: int, cond: Conditions, total_persons: int,
    provider_id: pa.Array,
) -> pa.Table:  # fmt: skip
    codes = pa.array(list(cond.comorbidities), pa.string())
    procs = pa.array(list(cond.procedures.codes), pa.string())
    second = pa.array(list(cond.secondary.codes), pa.string())
    columns = [
        claim_ids(first_claim, len(claims)),
        person_ids(claims.person, total_persons),
        provider_id.take(pa.array(claims.provider, pa.int64())),
        take([v.value for v in VISIT_ORDER], claims.visit),
        take(ROUTES, claims.route),
        _dates(claims.admit),
        _dates(claims.discharge),
        pa.array(claims.los, pa.int32()),
        take(pa.array(list(cond.main_dx.codes), pa.string()), claims.main_dx),
        _joined([take(codes, claims.other_dx[:, k]) for k in range(claims.other_dx.shape[1])]),
        _joined([take(procs, claims.procedures[:, 0]), take(second, claims.procedures[:, 1])]),
    ]
    return pa.Table.from_arrays(columns, schema=schema.CLAIMS)


def lines_table(lines: Lines, claim_id: pa.Array, items: Items) -> pa.Table:
    columns = [
        claim_id.take(pa.array(lines.claim, pa.int64())),
        pa.array(lines.line_no, pa.int32()),
        take(pa.array(list(items.code), pa.string()), lines.item),
        pa.array(lines.quantity, pa.int64()),
        pa.array(lines.unit_price_fen, pa.int64()),
        pa.array(lines.amount_fen, pa.int64()),
    ]
    return pa.Table.from_arrays(columns, schema=schema.CLAIM_LINES)

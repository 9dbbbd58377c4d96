"""The settlement kernel on Spark (分布式批量结算): the same ``TableSettler`` in each partition.

Claims are repartitioned by person and sorted within each partition by (person, settle date,
claim id); ``mapInArrow`` hands each partition's Arrow batches to a :class:`TableSettler`,
which carries a person's accumulators across batches. A person's claims never span two
partitions, so every partition settles exactly as the single-process engine does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from yibao.policy.registry import PackRegistry
from yibao.settle.table import CLAIM_COLUMNS, TableSettler, empty_settlements


def settle_spark(
    claims: Any, registry: PackRegistry, year: int, carry: Sequence[str] = (), partitions: int = 0
) -> Any:
    """A Spark DataFrame of settlements of the claims DataFrame ``claims`` (columns as
    ``table.CLAIM_COLUMNS``)."""
    carry = tuple(carry)
    schema = empty_settlements(carry).schema
    for name in carry:  # carried columns keep their input type
        field = claims.schema[name]
        schema = schema.set(schema.get_field_index(name), pa.field(name, _arrow_type(field)))
    ordered = (
        claims.select(*CLAIM_COLUMNS, *(c for c in carry if c not in CLAIM_COLUMNS))
        .repartition(*(() if partitions <= 0 else (partitions,)), "person_id")
        .sortWithinPartitions("person_id", "settle_date", "claim_id")
    )

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        settler = TableSettler(registry, year, carry)
        for batch in batches:
            if batch.num_rows:
                yield from settler.settle(batch).cast(schema).to_batches()

    from pyspark.sql.pandas.types import from_arrow_schema

    return ordered.mapInArrow(run, from_arrow_schema(schema))


def to_spark(spark: Any, table: pa.Table) -> Any:
    """An Arrow table as a Spark DataFrame with the same column types (missing text stays
    missing, never the text "NaN"); the session must have Arrow enabled
    (``spark.sql.execution.arrow.pyspark.enabled``)."""
    import pandas as pd  # type: ignore[import-untyped]
    from pyspark.sql.pandas.types import from_arrow_schema

    text = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}
    schema = pa.schema(
        [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]
    )
    frame = table.cast(schema).to_pandas(types_mapper=text.get)
    return spark.createDataFrame(frame, schema=from_arrow_schema(schema))


def _arrow_type(field: Any) -> pa.DataType:
    from pyspark.sql.pandas.types import to_arrow_type

    t: pa.DataType = to_arrow_type(field.dataType)
    return t

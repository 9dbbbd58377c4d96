"""Discharge records in, DRG results out: CSV or Parquet, chosen by the file extension.

Bad files (unreadable, a column missing, a non-numeric age) raise ``InputError`` naming the
row, column and value; a readable record with a bad value (sex 3, unknown main dx) is left to
the grouper, which answers ``CHECK_FAILED`` for that case only. Output is written to a
temporary file beside the target and renamed at the end, so a failure leaves nothing behind.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from yibao.errors import InputError
from yibao.io.output import atomic_write
from yibao.payment.drg.grouper import DrgCase, DrgResult

INPUT_COLUMNS = (
    "case_id",
    "sex",
    "age_years",
    "age_days",
    "weight_g",
    "los_days",
    "discharge_status",
    "main_dx",
    "other_dx",
    "procedures",
)
OUTPUT_COLUMNS = ("case_id", "mdc", "adrg", "drg", "status", "reason")
PATH_COLUMN = "path"
CODE_SEPARATOR = "|"
PATH_SEPARATOR = " | "
BATCH_ROWS = 10_000
FORMATS = (".csv", ".parquet")


def file_format(path: Path) -> str:
    ext = path.suffix.lower()
    if ext not in FORMATS:
        raise InputError(f"{path}: unsupported file type {ext or '(none)'!r}, use .csv or .parquet")
    return ext


def read_cases(path: Path) -> tuple[int | None, Iterator[list[DrgCase]]]:
    """The number of records (an estimate for CSV) and the records in batches."""
    ext = file_format(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if ext == ".csv":
        return _count_lines(path), _csv_batches(path)
    return _parquet_batches(path)


def _count_lines(path: Path) -> int:
    # Quick byte scan for the progress bar; quoted newlines only make it overestimate.
    lines = 0
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


def _csv_batches(path: Path) -> Iterator[list[DrgCase]]:
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            order = _column_order(path, header or [])
            batch: list[DrgCase] = []
            width = len(header or [])
            for row in reader:
                if not row:
                    continue
                where = f"{path} line {reader.line_num}"  # the file's line, as an editor shows
                if len(row) < width:
                    raise InputError(f"{where}: {len(row)} fields, the header has {width}")
                batch.append(parse_case([row[i] for i in order], where))
                if len(batch) == BATCH_ROWS:
                    yield batch
                    batch = []
            if batch:
                yield batch
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputError(f"{path}: cannot read: {e}") from None


def _column_order(path: Path, header: Sequence[str]) -> list[int]:
    names = [h.strip() for h in header]
    missing = [c for c in INPUT_COLUMNS if c not in names]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    return [names.index(c) for c in INPUT_COLUMNS]


def _parquet_batches(path: Path) -> tuple[int | None, Iterator[list[DrgCase]]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises several types for a file that is not Parquet
        raise InputError(f"{path}: cannot read as Parquet: {e}") from None
    _column_order(path, pf.schema_arrow.names)

    def batches() -> Iterator[list[DrgCase]]:
        row_no = 0
        for rb in pf.iter_batches(batch_size=BATCH_ROWS, columns=list(INPUT_COLUMNS)):
            columns = [rb.column(c).to_pylist() for c in INPUT_COLUMNS]
            batch = []
            for values in zip(*columns, strict=True):
                row_no += 1
                batch.append(parse_case(values, f"{path} row {row_no}"))
            yield batch

    return int(pf.metadata.num_rows), batches()


def parse_case(values: Sequence[object], where: str) -> DrgCase:
    """A record from values in INPUT_COLUMNS order; ``where`` names the row in errors."""

    def number(i: int) -> int | None:
        return _whole_number(values[i], where, INPUT_COLUMNS[i])

    return DrgCase(
        case_id=_text(values[0]),
        sex=number(1),
        age_years=number(2),
        age_days=number(3),
        weight_g=number(4),
        los_days=number(5),
        discharge_status=_text(values[6]) or None,
        main_dx=_text(values[7]),
        other_dx=_codes(values[8]),
        procedures=_codes(values[9]),
    )


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _codes(value: object) -> tuple[str, ...]:
    return tuple(c for c in (p.strip() for p in _text(value).split(CODE_SEPARATOR)) if c)


def _whole_number(value: object, where: str, column: str) -> int | None:
    if value is None or isinstance(value, int):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if number != number or not number.is_integer():  # NaN or a fraction
        raise InputError(f"{where}, column {column}: {text!r} is not a whole number")
    return int(number)


# --- output -------------------------------------------------------------------------------


def result_row(r: DrgResult, explain: bool) -> list[str]:
    row = [r.case_id, r.mdc, r.adrg, r.drg, str(r.status), r.reason]
    if explain:
        row.append(PATH_SEPARATOR.join(r.path))
    return row


def write_results(path: Path, batches: Iterable[list[DrgResult]], explain: bool = False) -> int:
    """Write all results atomically; returns the number written."""
    ext = file_format(path)
    if not path.parent.is_dir():
        raise InputError(f"{path}: output directory {path.parent} does not exist")
    writer = _write_csv if ext == ".csv" else _write_parquet
    return _atomic(path, lambda tmp: writer(tmp, batches, explain))


def _atomic(path: Path, write: Callable[[Path], int]) -> int:
    return atomic_write(path, write)


def _columns(explain: bool) -> list[str]:
    return [*OUTPUT_COLUMNS, PATH_COLUMN] if explain else list(OUTPUT_COLUMNS)


def _write_csv(tmp: Path, batches: Iterable[list[DrgResult]], explain: bool) -> int:
    count = 0
    with tmp.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(_columns(explain))
        for batch in batches:
            out.writerows(result_row(r, explain) for r in batch)
            count += len(batch)
    return count


def _write_parquet(tmp: Path, batches: Iterable[list[DrgResult]], explain: bool) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = _columns(explain)
    schema = pa.schema([(n, pa.string()) for n in names])
    count = 0
    with pq.ParquetWriter(tmp, schema) as out:
        for batch in batches:
            rows = [result_row(r, explain) for r in batch]
            columns = [pa.array([row[i] for row in rows], pa.string()) for i in range(len(names))]
            out.write_table(pa.Table.from_arrays(columns, schema=schema))
            count += len(batch)
    return count

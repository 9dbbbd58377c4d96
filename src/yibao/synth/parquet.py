"""Writing the synthetic tables as Parquet: the I/O edge of :mod:`yibao.synth`."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from yibao.synth.schema import TABLES

if TYPE_CHECKING:
    from yibao.synth.generate import SynthData

ROW_GROUP = 1_000_000


def write_parquet(data: SynthData, out_dir: Path) -> dict[str, Path]:
    """Write ``persons.parquet`` … ``claim_lines.parquet`` into ``out_dir``; their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, table in data.tables().items():
        path = out_dir / f"{name}.parquet"
        pq.write_table(table.cast(TABLES[name]), path, row_group_size=ROW_GROUP)
        paths[name] = path
    return paths


class ChunkWriter:
    """Append tables chunk by chunk to one Parquet file per table."""

    def __init__(self, out_dir: Path) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out_dir = out_dir
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}

    def append(self, name: str, table: pa.Table) -> None:
        if name not in self.writers:
            self.writers[name] = pq.ParquetWriter(self.out_dir / f"{name}.parquet", TABLES[name])
            self.rows[name] = 0
        self.writers[name].write_table(table.cast(TABLES[name]), row_group_size=ROW_GROUP)
        self.rows[name] += table.num_rows

    def write_whole(self, name: str, table: pa.Table) -> None:
        pq.write_table(table.cast(TABLES[name]), self.out_dir / f"{name}.parquet")
        self.rows[name] = table.num_rows

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()
        for name in ("claims", "claim_lines"):
            if name not in self.writers:  # no claims at all: still write an empty file
                pq.write_table(TABLES[name].empty_table(), self.out_dir / f"{name}.parquet")
                self.rows[name] = 0

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

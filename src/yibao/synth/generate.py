"""The generator's entry point: ``generate(config) -> SynthData``, deterministic for a seed.

Persons, employers and providers are drawn once; claims and their lines are drawn per chunk
of ``config.chunk_persons`` persons, each chunk with its own seed derived from the config
seed, so that memory stays bounded and the output does not depend on how it is consumed
(all at once with :func:`generate`, or streamed with :func:`iter_claim_chunks`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa

from yibao.synth import schema, tables
from yibao.synth.claims import generate_claims
from yibao.synth.config import SynthConfig
from yibao.synth.employers import Employers, generate_employers
from yibao.synth.lines import generate_lines
from yibao.synth.population import Persons, generate_persons
from yibao.synth.providers import Providers, generate_providers, provider_picker
from yibao.synth.reference import conditions, items


@dataclass(frozen=True)
class SynthData:
    """The five tables of a synthetic province (shapes in :mod:`yibao.synth.schema`)."""

    persons: pa.Table
    employers: pa.Table
    providers: pa.Table
    claims: pa.Table
    claim_lines: pa.Table

    def tables(self) -> dict[str, pa.Table]:
        return {
            "persons": self.persons,
            "employers": self.employers,
            "providers": self.providers,
            "claims": self.claims,
            "claim_lines": self.claim_lines,
        }


@dataclass(frozen=True)
class Base:
    """What claims are drawn from: the population, its employers and the providers."""

    config: SynthConfig
    persons: Persons
    employers: Employers
    providers: Providers

    def tables(self) -> tuple[pa.Table, pa.Table, pa.Table]:
        return (
            tables.persons_table(self.config, self.persons, self.employers),
            tables.employers_table(self.config, self.employers),
            tables.providers_table(self.config, self.providers),
        )


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int) -> None: ...


def _rng(config: SynthConfig, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=key))


def generate_base(config: SynthConfig) -> Base:
    rng = _rng(config, 0)
    persons = generate_persons(config, rng)
    employers = generate_employers(config, persons, rng)
    by_region = np.bincount(persons.region, minlength=len(config.prefectures))
    providers = generate_providers(config, by_region, rng)
    return Base(config, persons, employers, providers)


def iter_claim_chunks(base: Base) -> Iterator[tuple[int, pa.Table, pa.Table]]:
    """(persons done, claims, claim lines) per chunk of persons, in person order."""
    config, persons = base.config, base.persons
    cond, its = conditions(), items()
    picker = provider_picker(base.providers)
    provider_id = tables.provider_ids(len(base.providers))
    n, first_claim = len(persons), 0
    for k, lo in enumerate(range(0, n, config.chunk_persons)):
        hi = min(n, lo + config.chunk_persons)
        rng = _rng(config, 1, k)
        claims = generate_claims(
            persons, lo, hi, config.year, cond, picker, len(config.prefectures), rng
        )
        sex = persons.sex[claims.person]
        employee = persons.ptype[claims.person] <= 1
        lines = generate_lines(claims, cond, its, sex, employee, rng)
        claims_tab = tables.claims_table(claims, first_claim, cond, n, provider_id)
        lines_tab = tables.lines_table(lines, claims_tab.column("claim_id").combine_chunks(), its)
        first_claim += len(claims)
        yield hi, claims_tab, lines_tab


def generate(config: SynthConfig, progress: Progress | None = None) -> SynthData:
    """All five tables in memory (use :func:`generate_to_parquet` for very large runs)."""
    base = generate_base(config)
    persons, employers, providers = base.tables()
    claims, lines = [], []
    for done, c, lns in iter_claim_chunks(base):
        claims.append(c)
        lines.append(lns)
        if progress is not None:
            progress("claims", done, config.persons)
    return SynthData(
        persons,
        employers,
        providers,
        pa.concat_tables(claims) if claims else schema.CLAIMS.empty_table(),
        pa.concat_tables(lines) if lines else schema.CLAIM_LINES.empty_table(),
    )


def generate_to_parquet(
    config: SynthConfig, out_dir: Path, progress: Progress | None = None
) -> dict[str, int]:
    """Generate and write the five Parquet files chunk by chunk; rows written per table."""
    from yibao.synth.parquet import ChunkWriter

    base = generate_base(config)
    persons, employers, providers = base.tables()
    with ChunkWriter(out_dir) as writer:
        writer.write_whole("persons", persons)
        writer.write_whole("employers", employers)
        writer.write_whole("providers", providers)
        if progress is not None:
            progress("persons", 0, config.persons)
        for done, c, lns in iter_claim_chunks(base):
            writer.append("claims", c)
            writer.append("claim_lines", lns)
            if progress is not None:
                progress("claims", done, config.persons)
        return dict(writer.rows)

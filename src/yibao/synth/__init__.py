"""Synthetic province generator (合成省份数据): persons, employers, providers, claims, lines.

``generate(config)`` is deterministic for a seed; ``write_parquet`` is the I/O edge.
See :mod:`yibao.synth.calibration` for the national figures each rate comes from.
"""

from yibao.synth.config import SynthConfig
from yibao.synth.generate import SynthData, generate, generate_to_parquet
from yibao.synth.parquet import write_parquet

__all__ = ["SynthConfig", "SynthData", "generate", "generate_to_parquet", "write_parquet"]

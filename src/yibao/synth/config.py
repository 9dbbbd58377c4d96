"""Configuration of a synthetic province (合成省份参数)."""

from __future__ import annotations

from dataclasses import dataclass, field

DEMO_PREFECTURES: dict[str, str] = {
    "990100": "demo-north",
    "990200": "demo-south",
    "990300": "demo-east",
}
"""The synthetic demo province: prefecture code → name. Codes 99xxxx are not real regions."""


@dataclass(frozen=True)
class SynthConfig:
    """What to generate; the same config always gives the same tables."""

    seed: int = 20250101
    year: int = 2025
    persons: int = 30_000
    prefectures: tuple[str, ...] = ("990100", "990200", "990300")
    prefecture_weights: tuple[float, ...] | None = None  # default: 45 / 33 / 22 … decreasing
    chunk_persons: int = 250_000  # claims are generated per chunk of persons (memory bound)
    names: dict[str, str] = field(default_factory=lambda: dict(DEMO_PREFECTURES))

    def __post_init__(self) -> None:
        if self.persons < 1:
            raise ValueError("persons must be at least 1")
        if not self.prefectures:
            raise ValueError("at least one prefecture is needed")
        for code in self.prefectures:
            if len(code) != 6 or not code.isdigit():
                raise ValueError(f"prefecture code {code!r} must be 6 digits")
        if self.prefecture_weights is not None and len(self.prefecture_weights) != len(
            self.prefectures
        ):
            raise ValueError("prefecture_weights must have one weight per prefecture")
        if not 1900 < self.year < 2200:
            raise ValueError(f"year {self.year} is out of range")

    def region_weights(self) -> list[float]:
        """Population share of each prefecture, summing to 1."""
        raw = self.prefecture_weights or tuple(
            1.0 / (i + 1) ** 0.6 for i in range(len(self.prefectures))
        )
        total = sum(raw)
        return [w / total for w in raw]

    def region_name(self, code: str) -> str:
        return self.names.get(code, code)

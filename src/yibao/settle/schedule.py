"""Piecewise-linear schedules on a cumulative axis (分段累计).

A schedule is a list of bands ``(upto, rate units)`` covering ``[0, ∞)``; rate units are
ratios × 10 000. The payment for the stretch ``[a, b)`` of the axis is
``Σ rate_i × |[a, b) ∩ band_i|``, an exact integer of 1/10 000 fen. Every benefit layer is
such a schedule applied to an amount that accumulates over the year, so a claim pays
``F(after) − F(before)``; the settlement kernel (``kernel.py``) evaluates exactly that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from yibao.money import Fen, Stage, round_at


@dataclass(frozen=True, slots=True)
class Schedule:
    """Bands as parallel tuples: ``uptos[i]`` is the band's upper bound (None = open)."""

    uptos: tuple[Fen | None, ...]
    rates: tuple[int, ...]  # rate units (1/10 000)

    def lower(self, i: int) -> Fen:
        return 0 if i == 0 else self._upto(i - 1)

    def _upto(self, i: int) -> Fen:
        u = self.uptos[i]
        if u is None:
            raise ValueError("open band has no upper bound")
        return u

    def overlap(self, i: int, a: Fen, b: Fen) -> Fen:
        """Length of ``[a, b) ∩ band i``."""
        lo = self.lower(i)
        hi = self.uptos[i]
        top = b if hi is None else min(b, hi)
        return max(0, top - max(a, lo))

    def units(self, a: Fen, b: Fen) -> int:
        """Payment for ``[a, b)`` in 1/10 000 fen."""
        return sum(r * self.overlap(i, a, b) for i, r in enumerate(self.rates))

    def crossing(self, a: Fen, b: Fen, budget_units: int) -> Fen:
        """The point in ``[a, b]`` where the payment from ``a`` reaches ``budget_units``.

        Used to find where a ceiling on fund payment is reached inside a claim; the point is
        rounded half-up to the fen (stage ``ceiling_crossing``). Returns ``b`` when the
        budget is not exhausted.
        """
        spent = 0
        for i, r in enumerate(self.rates):
            length = self.overlap(i, a, b)
            if length == 0:
                continue
            part = r * length
            if spent + part >= budget_units and r > 0:
                start = max(a, self.lower(i))
                return start + round_at(Stage.CEILING_CROSSING, budget_units - spent, r)
            spent += part
        return b

    def shifted(self, by: Fen) -> Schedule:
        """The schedule with every bound moved up by ``by`` and a zero band below."""
        if by == 0:
            return self
        uptos = tuple(None if u is None else u + by for u in self.uptos)
        return Schedule((by, *uptos), (0, *self.rates))

    def with_floor(self, start: Fen) -> Schedule:
        """The schedule paying nothing below ``start`` (a threshold on an absolute axis)."""
        uptos: list[Fen | None] = [start]
        rates: list[int] = [0]
        for i, r in enumerate(self.rates):
            u = self.uptos[i]
            if u is not None and u <= start:
                continue
            uptos.append(u)
            rates.append(r)
        return Schedule(tuple(uptos), tuple(rates))


def make_schedule(bands: Sequence[tuple[Fen | None, int]]) -> Schedule:
    """A schedule from ``(upto, rate units)`` pairs."""
    return Schedule(tuple(u for u, _ in bands), tuple(r for _, r in bands))


def capped(raw: Fen, cap: Fen | None, used: Fen) -> Fen:
    """A payment of ``raw`` under an annual cap with ``used`` already paid: min(raw, cap − used)."""
    if cap is None:
        return raw
    return max(0, min(raw, cap - used))

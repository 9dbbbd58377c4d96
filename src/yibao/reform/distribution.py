"""Who gains and who loses (受益与受损): out-of-pocket changes by income decile and by size.

Deciles (收入十等分组) rank every insured person with a known income by
``household_income_fen`` (ties by person id) into ten groups of equal size, the first the
poorest, as the NBS ranks households into quintile groups. Persons without claims are in the
ranking with no change: a decile's mean change is per insured person, not per patient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from yibao.money import Fen
from yibao.reform.che import RULES, catastrophic

DECILES: Final = 10

# Bounds of the size bands of a change, in fen: up to 100 yuan, 1,000, 10,000, and above.
SIZE_BOUNDS: Final = (10_000, 100_000, 1_000_000)


def income_deciles(income: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.int64]:
    """The decile (1 = poorest … 10) of each row; 0 where the income is missing.

    Rows must be in person-id order: a stable sort then breaks ties by person id.

    >>> income_deciles(pa.array([50, None, 10, 30, 20, 40, 60, 70, 80, 90, 100])).tolist()
    [5, 0, 1, 3, 2, 4, 6, 7, 8, 9, 10]
    """
    values = pc.fill_null(income, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    valid = np.flatnonzero(values >= 0)
    out = np.zeros(len(values), np.int64)
    order = valid[np.argsort(values[valid], kind="stable")]
    out[order] = np.arange(len(order), dtype=np.int64) * DECILES // max(len(order), 1) + 1
    return out


@dataclass(frozen=True, slots=True)
class DecileRow:
    """One income decile: its persons and their out-of-pocket before and after the reform."""

    decile: int
    persons: int
    patients: int  # persons with at least one claim
    income_min: Fen
    income_max: Fen
    income_total: Fen
    oop_base: Fen
    oop_reform: Fen
    gainers: int
    losers: int
    che_base: tuple[int, ...]  # persons with catastrophic spending, one per rule in che.RULES
    che_reform: tuple[int, ...]


def _col(people: pa.Table, name: str) -> npt.NDArray[np.int64]:
    return np.asarray(pc.fill_null(people[name], 0).to_numpy(zero_copy_only=False), np.int64)


def che_column(rule_key: str, side: str) -> str:
    """The name of the flag column of a CHE rule before (``base``) or after (``reform``)."""
    return f"che_{rule_key}_{side}"


def annotate(people: pa.Table) -> pa.Table:
    """:func:`yibao.reform.compare.person_deltas` rows with ``income_decile`` (0 = no
    income) and a catastrophic-spending flag per rule of :data:`che.RULES` and side."""
    income = _col(people, "household_income_fen")
    out = people.append_column(
        "income_decile", pa.array(income_deciles(people["household_income_fen"]), pa.int64())
    )
    for rule in RULES:
        for side in ("base", "reform"):
            flags = catastrophic(_col(people, f"oop_{side}"), income, rule)
            out = out.append_column(che_column(rule.key, side), pa.array(flags, pa.bool_()))
    return out


def _flags(people: pa.Table, name: str) -> npt.NDArray[np.bool_]:
    return np.asarray(people[name].to_numpy(zero_copy_only=False), np.bool_)


def decile_table(people: pa.Table) -> tuple[DecileRow, ...]:
    """The ten deciles of :func:`annotate` d rows."""
    decile = _col(people, "income_decile")
    income = _col(people, "household_income_fen")
    base, reform = _col(people, "oop_base"), _col(people, "oop_reform")
    claims = _col(people, "claims")
    che = [
        (_flags(people, che_column(r.key, "base")), _flags(people, che_column(r.key, "reform")))
        for r in RULES
    ]
    rows = []
    for d in range(1, DECILES + 1):
        m = decile == d
        rows.append(
            DecileRow(
                decile=d,
                persons=int(m.sum()),
                patients=int((m & (claims > 0)).sum()),
                income_min=int(income[m].min()) if m.any() else 0,
                income_max=int(income[m].max()) if m.any() else 0,
                income_total=int(income[m].sum()),
                oop_base=int(base[m].sum()),
                oop_reform=int(reform[m].sum()),
                gainers=int((m & (reform < base)).sum()),
                losers=int((m & (reform > base)).sum()),
                che_base=tuple(int((m & b).sum()) for b, _ in che),
                che_reform=tuple(int((m & r).sum()) for _, r in che),
            )
        )
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class SizeBand:
    """Persons whose out-of-pocket changes by an amount in ``(lower, upper]`` (upper None:
    open), and the sum of those changes (negative for gainers)."""

    lower: Fen
    upper: Fen | None
    persons: int
    total: Fen


@dataclass(frozen=True, slots=True)
class GainLoss:
    """How many persons pay less (gain) or more (lose), by how much in all and at most."""

    gainers: int
    losers: int
    unchanged_patients: int
    gain_total: Fen  # Σ of the decreases, positive
    loss_total: Fen
    largest_gain: Fen
    largest_loss: Fen
    gain_bands: tuple[SizeBand, ...]
    loss_bands: tuple[SizeBand, ...]


def _bands(sizes: npt.NDArray[np.int64], sign: int) -> tuple[SizeBand, ...]:
    uppers: tuple[Fen | None, ...] = (*SIZE_BOUNDS, None)
    out = []
    for lo, hi in zip((0, *SIZE_BOUNDS), uppers, strict=True):
        m = (sizes > lo) & (sizes <= hi) if hi is not None else sizes > lo
        out.append(SizeBand(lo, hi, int(m.sum()), sign * int(sizes[m].sum())))
    return tuple(out)


def gains_and_losses(people: pa.Table) -> GainLoss:
    """Gainers and losers among :func:`yibao.reform.compare.person_deltas` rows."""
    delta = _col(people, "oop_delta")
    claims = _col(people, "claims")
    gain, loss = -delta[delta < 0], delta[delta > 0]
    return GainLoss(
        gainers=len(gain),
        losers=len(loss),
        unchanged_patients=int(((delta == 0) & (claims > 0)).sum()),
        gain_total=int(gain.sum()),
        loss_total=int(loss.sum()),
        largest_gain=int(gain.max()) if len(gain) else 0,
        largest_loss=int(loss.max()) if len(loss) else 0,
        gain_bands=_bands(gain, -1),
        loss_bands=_bands(loss, 1),
    )

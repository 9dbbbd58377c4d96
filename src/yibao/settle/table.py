"""Settling a table of claims with the one kernel (批量结算).

Claims arrive as Arrow record batches ordered by (person, settle date, claim id), in as
many batches as the reader gives; :class:`TableSettler` resolves the rules of each distinct
rule key once (``keys.rules_for``, the scalar engine's own cache), stacks them into the
kernel's parameter table, and runs ``kernel.settle_sorted`` over the batch, carrying the
last person's accumulators into the next batch. The output has the parts under their
national interface codes (``parts.INTERFACE_CODES``).

The columns a claims table must have are :data:`CLAIM_COLUMNS` (amounts in fen, already
split by the catalogue; ``split_lines`` in ``batch.py`` splits claim lines).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from yibao.errors import InputError
from yibao.policy.errors import PolicyError
from yibao.policy.pack import PolicyChain
from yibao.policy.registry import PackRegistry
from yibao.settle import kernel as k
from yibao.settle.keys import bounds_of, reduced_key, rules_for
from yibao.settle.model import PRESPLIT_AMOUNTS
from yibao.settle.rules import RuleKey
from yibao.types import AssistanceCategory, Level, PersonType, Route, Scheme, VisitType

CLAIM_COLUMNS = (
    "claim_id",
    "person_id",
    "settle_date",
    "visit_type",
    "level",
    "route",
    "scheme",
    "person_type",
    "birth_date",
    "assistance_category",
    "insured_pack",
    "account_balance_fen",
    *PRESPLIT_AMOUNTS,
)
"""The columns of a claims table: ids, the settle (discharge) date, the rule-key attributes,
the person's birth date and opening account balance, and the pre-split amounts in fen."""

_KEY_TEXT = (
    "insured_pack",
    "scheme",
    "person_type",
    "visit_type",
    "level",
    "route",
    "assistance_category",
)
MAX_GROUPS = 32
MAX_AMOUNT = 10**12  # fen; keeps amount × ratio units inside int64
_EPOCH = date(1970, 1, 1)

OUTPUT_CODES = (
    ("medfee_sumamt", None),
    ("fulamt_ownpay_amt", None),
    ("overlmt_selfpay", None),
    ("preselfpay_amt", None),
    ("inscp_scp_amt", None),
    ("act_pay_dedc", k.O_DEDUCTIBLE),
    ("hifp_pay", k.O_POOLED),
    ("psn_coins_amt", k.O_COINSURANCE),
    ("overcap_amt", k.O_OVER_CEILING),
    ("hifob_pay", k.O_LARGE),
    ("hifmi_pay", k.O_CI),
    ("maf_pay", None),
    ("maf_tilt_pay", k.O_TILT),
    ("acct_pay", k.O_ACCOUNT),
    ("psn_cash_pay", k.O_CASH),
    ("fund_pay_sumamt", None),
)


def check_columns(schema: pa.Schema, required: Sequence[str] = CLAIM_COLUMNS) -> None:
    """One line naming the first missing column or wrong type, if any."""
    missing = [c for c in required if c not in schema.names]
    if missing:
        raise InputError(f"claims table lacks column(s): {', '.join(missing)}")
    for name in required:
        t = schema.field(name).type
        if name.endswith("_date"):
            ok = pa.types.is_date(t) or pa.types.is_timestamp(t)
            want = "a date"
        elif name in PRESPLIT_AMOUNTS or name == "account_balance_fen":
            ok, want = pa.types.is_integer(t), "an integer of fen"
        else:
            ok = pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t)
            want = "text"
        if not ok:
            raise InputError(f"claims column {name!r} is {t}, expected {want}")


def _days(col: pa.ChunkedArray | pa.Array) -> np.ndarray:
    if pa.types.is_timestamp(col.type):
        col = pc.cast(col, pa.date32())
    return np.asarray(pc.cast(col, pa.int32()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _ages(birth: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whole years from ``birth`` to ``day`` (both days since 1970-01-01)."""
    b, d = birth.astype("datetime64[D]"), day.astype("datetime64[D]")
    by, dy = b.astype("datetime64[Y]"), d.astype("datetime64[Y]")
    years = (dy.astype(np.int64) - by.astype(np.int64)).astype(np.int64)
    bm = b.astype("datetime64[M]")
    dm = d.astype("datetime64[M]")
    b_month = bm.astype(np.int64) % 12
    d_month = dm.astype(np.int64) % 12
    b_day = (b - bm).astype(np.int64)
    d_day = (d - dm).astype(np.int64)
    before = (d_month < b_month) | ((d_month == b_month) & (d_day < b_day))
    ages: np.ndarray = years - before.astype(np.int64)
    return ages


def _text(col: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, list[str | None]]:
    """Integer codes of a text column and the values they stand for (last: missing)."""
    if pa.types.is_null(col.type):
        return np.zeros(len(col), dtype=np.int64), [None]
    enc = pc.dictionary_encode(col)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    values: list[str | None] = enc.dictionary.to_pylist()
    codes = pc.fill_null(enc.indices, len(values)).to_numpy(zero_copy_only=False)
    return codes.astype(np.int64), [*values, None]


class TableSettler:
    """Settles successive batches of ordered claims of one year with the kernel."""

    def __init__(self, registry: PackRegistry, year: int, carry: Sequence[str] = ()) -> None:
        self.registry, self.year, self.carry = registry, year, tuple(carry)
        self._index: dict[tuple[str, RuleKey], int] = {}
        self._rows: list[np.ndarray] = []
        self._groups: dict[str, int] = {}
        self._chains: dict[str, PolicyChain] = {}
        self._state = np.zeros(k.state_size(MAX_GROUPS), dtype=np.int64)
        self._last: tuple[str, int, str] | None = None
        self.claims = 0
        self.persons = 0

    def _chain(self, pack: str) -> PolicyChain:
        """The chain of ``pack``, built once (the rule caches are per chain object)."""
        if pack not in self._chains:
            self._chains[pack] = self.registry.chain(pack)
        return self._chains[pack]

    def _key_index(self, pack: str, key: RuleKey, claim_id: str) -> int:
        chain = self._chain(pack)
        reduced = reduced_key(chain, key)
        found = self._index.get((pack, reduced))
        if found is not None:
            return found
        try:
            rules, row = rules_for(chain, key)
        except PolicyError as e:
            raise PolicyError(f"claim {claim_id}: {e}") from None
        row = row.copy()
        group = rules.basic.ceiling_group
        if group is not None:
            if group not in self._groups:
                if len(self._groups) == MAX_GROUPS:
                    raise InputError(f"more than {MAX_GROUPS} ceiling groups in one run")
                self._groups[group] = len(self._groups)
            row[k.P_CEIL_GROUP] = self._groups[group]
        self._rows.append(row)
        self._index[(pack, reduced)] = len(self._rows) - 1
        return len(self._rows) - 1

    def _keys(self, t: pa.RecordBatch | pa.Table, days: np.ndarray) -> np.ndarray:
        """The parameter row of every claim."""
        coded = [_text(t.column(c)) for c in _KEY_TEXT]
        for name in ("insured_pack", "scheme", "person_type", "visit_type", "level", "route"):
            values = coded[_KEY_TEXT.index(name)][1]
            codes = coded[_KEY_TEXT.index(name)][0]
            if len(values) - 1 in set(np.unique(codes).tolist()):
                raise InputError(f"claims column {name!r} has an empty value")
        ages = _ages(_days(t.column("birth_date")), days)
        packs = coded[0][1]
        period = np.zeros(len(days), dtype=np.int64)
        bucket = np.zeros(len(days), dtype=np.int64)
        for code, pack in enumerate(packs[:-1]):
            assert pack is not None
            b = bounds_of(self._chain(pack))
            mask = coded[0][0] == code
            starts = np.array([(d - _EPOCH).days for d in b.days], dtype=np.int64)
            period[mask] = np.searchsorted(starts, days[mask], side="right")
            bucket[mask] = np.searchsorted(np.array(b.ages), ages[mask], side="right")
        combined = np.zeros(len(days), dtype=np.int64)
        for codes, values in coded:
            combined = combined * len(values) + codes
        combined = (combined * 4096 + period) * 256 + bucket
        unique, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
        ids = t.column("claim_id")
        out = np.empty(len(unique), dtype=np.int64)
        for j, i in enumerate(first.tolist()):
            v = [values[codes[i]] for codes, values in coded]
            pack, scheme, ptype, visit, level, route, cat = v
            try:
                key = RuleKey(
                    Scheme(scheme),
                    PersonType(ptype),
                    VisitType(visit),
                    Level(level),
                    Route(route),
                    int(ages[i]),
                    AssistanceCategory(cat) if cat else None,
                    _EPOCH + timedelta(days=int(days[i])),
                )
            except ValueError as e:
                raise InputError(f"claim {ids[i]}: {e}") from None
            out[j] = self._key_index(str(pack), key, str(ids[i]))
        return out[inverse.reshape(-1)]

    def _check_order(self, pid: pa.Array, days: np.ndarray, cid: pa.Array) -> np.ndarray:
        """New-person flags; refuses claims not ordered by (person, date, claim id)."""
        n = len(days)
        prev_pid = pa.concat_arrays(
            [pa.array([self._last[0] if self._last else None], pid.type), pid.slice(0, n - 1)]
        )
        same = pc.fill_null(pc.equal(pid, prev_pid), False).to_numpy(zero_copy_only=False)
        new_person = ~same
        prev_day = np.concatenate([[self._last[1] if self._last else 0], days[:-1]])
        prev_cid = pa.concat_arrays(
            [pa.array([self._last[2] if self._last else ""], cid.type), cid.slice(0, n - 1)]
        )
        later = pc.greater(cid, prev_cid).to_numpy(zero_copy_only=False)
        person_later = pc.fill_null(pc.greater(pid, prev_pid), True).to_numpy(zero_copy_only=False)
        ok = np.where(new_person, person_later, (days > prev_day) | ((days == prev_day) & later))
        if not ok.all():
            i = int(np.argmin(ok))
            raise InputError(
                f"claim {cid[i]}: claims must be ordered by person, settle date and claim id"
            )
        flags: np.ndarray = new_person
        return flags

    def settle(self, batch: pa.RecordBatch | pa.Table) -> pa.Table:
        """Settle one batch (following the previous one) and return its settlements."""
        if isinstance(batch, pa.Table):
            if not batch.num_rows:
                return empty_settlements(self.carry)
            batch = batch.combine_chunks().to_batches()[0]
        n = batch.num_rows
        if n == 0:
            return empty_settlements(self.carry)
        check_columns(batch.schema, (*CLAIM_COLUMNS, *self.carry))
        days = _days(batch.column("settle_date"))
        start = (date(self.year, 1, 1) - _EPOCH).days
        end = (date(self.year, 12, 31) - _EPOCH).days
        outside = (days < start) | (days > end)
        ids = batch.column("claim_id")
        if outside.any():
            i = int(np.argmax(outside))
            raise InputError(
                f"claim {ids[i]}: settle date {_EPOCH + timedelta(days=int(days[i]))} is outside {self.year}"
            )
        pid = batch.column("person_id")
        if pid.null_count or ids.null_count:
            raise InputError("claims table has a claim without claim_id or person_id")
        new_person = self._check_order(pid, days, ids)
        amounts = np.column_stack(
            [
                np.asarray(batch.column(c).to_numpy(zero_copy_only=False), dtype=np.int64)
                for c in PRESPLIT_AMOUNTS
            ]
        )
        _check_amounts(amounts, ids)
        key = self._keys(batch, days)
        visit_codes, visit_values = _text(batch.column("visit_type"))
        visit_map = np.array([k.VISIT_INDEX.get(v or "", 0) for v in visit_values], dtype=np.int64)
        balance = np.asarray(
            pc.fill_null(batch.column("account_balance_fen"), 0).to_numpy(zero_copy_only=False),
            dtype=np.int64,
        )
        out = np.empty((n, k.N_OUT), dtype=np.int64)
        params = np.vstack(self._rows)
        k.settle_sorted(
            params, key, visit_map[visit_codes], new_person, balance, amounts, self._state, out
        )
        self._last = (str(pid[n - 1]), int(days[n - 1]), str(ids[n - 1]))
        self.claims += n
        self.persons += int(new_person.sum())
        return _output(batch, amounts, out, self.carry)


def _check_amounts(amounts: np.ndarray, ids: pa.Array) -> None:
    total = amounts[:, k.A_TOTAL]
    parts = amounts[:, k.A_FULL] + amounts[:, k.A_OVER_LIMIT] + amounts[:, k.A_PRESELF]
    bad = (
        (amounts < 0).any(axis=1)
        | (total > MAX_AMOUNT)
        | (parts + amounts[:, k.A_ITEM_SCOPE] > total)
        | (amounts[:, k.A_ITEM_FUND] > amounts[:, k.A_ITEM_SCOPE])
    )
    if bad.any():
        i = int(np.argmax(bad))
        raise InputError(
            f"claim {ids[i]}: amounts must be non-negative, at most {MAX_AMOUNT} fen, and the "
            f"parts must not exceed the total ({dict(zip(PRESPLIT_AMOUNTS, amounts[i].tolist(), strict=True))})"
        )


def _output(
    batch: pa.RecordBatch, amounts: np.ndarray, out: np.ndarray, carry: Sequence[str]
) -> pa.Table:
    total = amounts[:, k.A_TOTAL]
    full, over_limit, preself = (
        amounts[:, k.A_FULL],
        amounts[:, k.A_OVER_LIMIT],
        amounts[:, k.A_PRESELF],
    )
    assist = out[:, k.O_ASSIST] + out[:, k.O_TILT]
    cols: dict[str, object] = {
        "claim_id": batch.column("claim_id"),
        "person_id": batch.column("person_id"),
        "settle_date": batch.column("settle_date"),
        "seq": out[:, k.O_SEQ],
    }
    derived = {
        "medfee_sumamt": total,
        "fulamt_ownpay_amt": full,
        "overlmt_selfpay": over_limit,
        "preselfpay_amt": preself,
        "inscp_scp_amt": total - full - over_limit - preself,
        "maf_pay": assist,
        "fund_pay_sumamt": out[:, k.O_POOLED] + out[:, k.O_LARGE] + out[:, k.O_CI] + assist,
    }
    for code, at in OUTPUT_CODES:
        cols[code] = derived[code] if at is None else out[:, at]
    for c in carry:
        if c not in cols:
            cols[c] = batch.column(c)
    return pa.table(cols)


def empty_settlements(carry: Sequence[str]) -> pa.Table:
    """No settlements, with the columns of some."""
    cols: dict[str, pa.Array] = {
        "claim_id": pa.array([], pa.string()),
        "person_id": pa.array([], pa.string()),
        "settle_date": pa.array([], pa.date32()),
        "seq": pa.array([], pa.int64()),
    }
    cols |= {code: pa.array([], pa.int64()) for code, _ in OUTPUT_CODES}
    cols |= {c: pa.array([], pa.string()) for c in carry if c not in cols}
    return pa.table(cols)


def settle_batches(
    batches: Iterable[pa.RecordBatch], registry: PackRegistry, year: int, carry: Sequence[str] = ()
) -> pa.Table:
    """Settle ordered batches and concatenate the settlements."""
    settler = TableSettler(registry, year, carry)
    parts = [settler.settle(b) for b in batches if b.num_rows]
    if not parts:
        return empty_settlements(carry)
    return pa.concat_tables(parts)


def sort_claims(table: pa.Table) -> pa.Table:
    """``table`` ordered by person, settle date and claim id (the kernel's order)."""
    order = pc.sort_indices(
        table,
        sort_keys=[
            ("person_id", "ascending"),
            ("settle_date", "ascending"),
            ("claim_id", "ascending"),
        ],
    )
    return table.take(order)


def settle_table(
    table: pa.Table, registry: PackRegistry, year: int, carry: Sequence[str] = ()
) -> pa.Table:
    """Settle a whole claims table (any order) of ``year``."""
    check_columns(table.schema, (*CLAIM_COLUMNS, *carry))
    return settle_batches(
        sort_claims(table).to_batches(max_chunksize=1 << 20), registry, year, carry
    )

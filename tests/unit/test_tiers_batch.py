"""Batch = scalar for the supplementary tiers, to the fen, on random claim streams."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from yibao.settle.parts import Parts
from yibao.tiers.batch import Claims, supplement_batch
from yibao.tiers.supplementary import Holder, Used, shipped_tier, shipped_tier_ids, supplement
from yibao.types import PersonType, Scheme, VisitType

TIERS = {t: shipped_tier(t) for t in shipped_tier_ids()}
ORDERS = [
    ["civil-servant-example", "huhuibao-2025"],
    ["enterprise-example", "beijing-puhui-2021", "shenzhen-major-illness-2016"],
    ["civil-servant-example", "enterprise-example", "shenzhen-major-illness-2016"],
]
fen = st.integers(min_value=0, max_value=30_000_000)
claim = st.tuples(
    fen, fen, fen, fen, fen,
    st.sampled_from([VisitType.INPATIENT, VisitType.OUTPATIENT_GENERAL]),
    st.sampled_from([date(2021, 6, 1), date(2025, 3, 1), date(2025, 9, 1)]),
)  # fmt: skip
person = st.tuples(
    st.booleans(),  # retired
    st.booleans(),  # pre-existing
    st.sampled_from([Scheme.EMPLOYEE, Scheme.RESIDENT]),
    st.frozensets(st.sampled_from(shipped_tier_ids())),
    st.lists(claim, min_size=1, max_size=5),
)


def parts_of(out: int, coins: int, over: int, large: int, account: int) -> Parts:
    large = min(large, over)
    owed = out + coins + over - large
    account = min(account, owed)
    return Parts(
        total=out + coins + over + 100000,
        full_selfpay=out,
        scope=coins + over + 100000,
        pooled_fund=100000,
        coinsurance=coins,
        over_ceiling=over,
        large_amount=large,
        account=account,
        cash=owed - account,
    )


@settings(max_examples=150, deadline=None)
@given(people=st.lists(person, min_size=1, max_size=4), order=st.sampled_from(ORDERS))
def test_batch_equals_scalar(people: list, order: list[str]) -> None:  # type: ignore[type-arg]
    tiers = [TIERS[t] for t in order]
    rows: list[tuple[int, Holder, Parts, VisitType, date]] = []
    for i, (retired, pre, scheme, holds, claims) in enumerate(people):
        who = Holder(scheme, PersonType.RETIRED if retired else PersonType.ACTIVE, holds, pre)
        for out, coins, over, large, account, visit, day in claims:
            rows.append((i, who, parts_of(out, coins, over, large, account), visit, day))
    want_pay: dict[str, list[int]] = {}
    want_acc, want_cash = [], []
    used: dict[int, dict[str, Used]] = {}
    for k, (i, who, parts, visit, day) in enumerate(rows):
        s = supplement(tiers, who, parts, visit, day, used.get(i, {}))
        used[i] = dict(s.used)
        for p in s.payments:
            want_pay.setdefault(f"{p.tier_id}/{p.duty}", [0] * len(rows))[k] = p.amount
        want_acc.append(s.account)
        want_cash.append(s.cash)

    def col(name: str) -> np.ndarray:  # type: ignore[type-arg]
        return np.array([getattr(r[2], name) for r in rows], np.int64)

    c = Claims(
        person=np.array([r[0] for r in rows], np.int64),
        visit=[r[3] for r in rows],
        day=np.array([r[4].toordinal() for r in rows], np.int64),
        scheme=[r[1].scheme for r in rows],
        retired=np.array([r[1].person_type is PersonType.RETIRED for r in rows]),
        preexisting=np.array([r[1].preexisting for r in rows]),
        holds={t: np.array([t in r[1].holds for r in rows]) for t in TIERS},
        full_selfpay=col("full_selfpay"),
        over_limit=col("over_limit"),
        over_ceiling=col("over_ceiling"),
        large_amount=col("large_amount"),
        critical_illness=col("critical_illness"),
        account=col("account"),
        cash=col("cash"),
    )
    got = supplement_batch(tiers, c)
    assert got.account.tolist() == want_acc and got.cash.tolist() == want_cash
    for key, amounts in got.payments.items():
        assert amounts.tolist() == want_pay.get(key, [0] * len(rows)), key
    assert set(want_pay) <= set(got.payments)

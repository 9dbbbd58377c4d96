"""LTC benefits from the facts' worked examples (policy-facts-2 §8, examples 1, 2, 5)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from yibao.errors import InputError
from yibao.ledger.model import Fund
from yibao.ledger.postings import reversal
from yibao.ltc.assess import Level
from yibao.ltc.benefit import CareBill, settle_bill, settle_month, shipped_pack


def bill(form: str, days: int, cost_yuan: int, bill_id: str = "B1") -> CareBill:
    return CareBill(bill_id, "P1", "H1", date(2025, 5, 1), form, days, cost_yuan * 100)


def test_example_1_tengzhou_l2_reading_a_pays_100_a_day() -> None:
    s = settle_bill(shipped_pack("tengzhou"), bill("hospital_l2", 1, 150), Level.SEVERE_I)
    assert (s.fund, s.personal) == (10000, 5000)
    assert "Tengzhou" in s.trace[0]


def test_example_1_reading_b_is_the_other_cap_mode() -> None:
    pack = replace(shipped_pack("tengzhou"), cap_mode="cap_then_ratio")
    assert settle_bill(pack, bill("hospital_l2", 1, 150), Level.SEVERE_I).fund == 7500


def test_example_2_tengzhou_family_care_30_days() -> None:
    s = settle_bill(shipped_pack("tengzhou"), bill("family_care", 30, 0), Level.SEVERE_II)
    assert s.fund == 90000


def test_example_5_qingdao_packages() -> None:
    qd = shipped_pack("qingdao")
    assert settle_bill(qd, bill("hospital_l3", 1, 200), Level.SEVERE_I).fund == 18000
    assert settle_bill(qd, bill("institution", 1, 60), Level.SEVERE_I).fund == 5760


def test_chengdu_month_cap_level_5() -> None:
    s = settle_bill(shipped_pack("chengdu"), bill("institution_level5", 30, 2000), Level.SEVERE_III)
    assert s.fund == 84000  # min(2 000, 1 050) × 80 %


def test_level_below_the_pack_minimum_is_refused() -> None:
    with pytest.raises(InputError, match="level 2 is below 3"):
        settle_bill(shipped_pack("qingdao"), bill("institution", 1, 60), Level.MODERATE)


def test_month_is_idempotent_and_reversal_restores_the_fund() -> None:
    qd = shipped_pack("qingdao")
    bills = [(bill("institution", 30, 1800), Level.SEVERE_I)] * 2
    results, journals = settle_month(qd, bills, frozenset())
    assert len(results) == 1 and all(j.is_balanced() for j in journals)
    again, _ = settle_month(qd, bills, frozenset({"B1"}))
    assert again == []
    back = reversal("r1", journals[0], date(2025, 6, 1))
    totals = {p.account: p.amount for p in journals[0].postings}
    for p in back.postings:
        assert p.account.fund is Fund.LONG_TERM_CARE
        assert totals[p.account] + p.amount == 0

"""The readable trace and the plain words, over a settlement the engine wrote."""

from __future__ import annotations

from datetime import date

from yibao.io.records import settlement_to_data
from yibao.policy.registry import shipped_packs
from yibao.settle.engine import settle
from yibao.settle.model import Accumulators, Claim, Person, PreSplit
from yibao.types import Level, PersonType, Scheme, Sex, VisitType
from yibao.web import explain
from yibao.web.i18n import MESSAGES, translator


def _settled() -> dict[str, object]:
    packs = shipped_packs()
    chain = packs.chain("demo-north")
    person = Person("P1", Scheme.EMPLOYEE, PersonType.ACTIVE, Sex.MALE, date(1980, 1, 1), "990100")
    claim = Claim(
        claim_id="C1",
        provider_id="H1",
        level=Level.L3,
        treatment_region="990100",
        visit_type=VisitType.INPATIENT,
        admit_date=date(2025, 6, 1),
        discharge_date=date(2025, 6, 7),
        presplit=PreSplit(total=20_000_00, full_selfpay=1_000_00),
    )
    s = settle(person, claim, Accumulators(year=2025), chain, chain, None)
    return settlement_to_data(s)


def test_every_step_is_titled_in_chinese_with_its_amounts_and_documents() -> None:
    data = _settled()
    steps = explain.explain(data["trace"], "zh")  # type: ignore[arg-type]
    titles = [s.title for s in steps]
    assert titles[0] == "费用分割" and "起付线" in titles and titles[-1] == "个人现金支付"
    split = dict(steps[0].amounts)
    assert split["医疗费总额"] == "20,000.00" and split["全自费"] == "1,000.00"
    cited = [c for s in steps for c in s.citations]
    assert cited and all(c.document for c in cited)


def test_plain_words_name_only_the_parts_that_were_paid() -> None:
    data = _settled()
    parts = data["parts"]
    words = explain.plain_words(parts, "zh")  # type: ignore[arg-type]
    assert any("全部自付" in w and "1,000.00" in w for w in words)
    assert not any("医疗救助" in w for w in words)  # no assistance for this person
    english = explain.plain_words(parts, "en")  # type: ignore[arg-type]
    assert any("outside the insurance catalogue" in w for w in english)


def test_parts_rows_carry_the_interface_codes() -> None:
    rows = explain.part_rows(_settled()["parts"], "zh")  # type: ignore[arg-type]
    codes = {code for _, code, _ in rows}
    assert {"medfee_sumamt", "hifp_pay", "psn_cash_pay"} <= codes


def test_the_catalogue_has_both_languages_and_falls_back_to_the_key() -> None:
    assert all(zh and en for zh, en in MESSAGES.values())
    assert translator("en")("login") == "Sign in" and translator("zh")("login") == "登录"
    assert translator("zh")("no-such-key") == "no-such-key"

"""The strict readers of yibao.io: plain data → records, errors that name the key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from yibao.errors import InputError
from yibao.io.records import (
    accumulators_to_data,
    read_accumulators,
    read_claim,
    read_line,
    read_person,
)
from yibao.io.request import read_request, settle_request
from yibao.io.yamlio import parse_json, parse_yaml
from yibao.policy.registry import shipped_packs
from yibao.types import ItemClass, Level, PersonType, Sex, VisitType

PERSON = {"scheme": "employee", "type": "retired", "sex": "female", "birth_date": "1955-03-01"}
CLAIM = {
    "level": "L3",
    "visit": "inpatient",
    "admit_date": "2024-05-01",
    "discharge_date": "2024-05-09",
    "presplit": {"total": "10000.00", "full_selfpay": 500, "preself": "120.5"},
}


def test_yaml_reads_decimals_exactly_and_on_is_a_key() -> None:
    data = parse_yaml("on: 2024-01-01\na: 0.1\nb: yes\n", "x.yaml")
    assert data == {"on": date(2024, 1, 1), "a": Decimal("0.1"), "b": "yes"}


def test_json_reads_decimals_exactly() -> None:
    assert parse_json('{"a": 0.1, "b": [1]}', "x.json") == {"a": Decimal("0.1"), "b": [1]}
    with pytest.raises(InputError, match=r"x\.json:1: malformed JSON"):
        parse_json('{"a": }', "x.json")
    with pytest.raises(InputError, match="NaN"):
        parse_json('{"a": NaN}', "x.json")


def test_person_and_claim() -> None:
    p = read_person(PERSON, "person.json").person
    assert (p.person_type, p.sex, p.age_on(date(2024, 5, 9))) == (
        PersonType.RETIRED,
        Sex.FEMALE,
        69,
    )
    c = read_claim(CLAIM, "claim.json")
    assert (c.level, c.visit_type, c.claim_id) == (Level.L3, VisitType.INPATIENT, "C1")
    assert c.presplit is not None and c.presplit.preself == 12050 and c.presplit.scope == 937950


def test_age_needs_a_reference_date() -> None:
    data = {**{k: v for k, v in PERSON.items() if k != "birth_date"}, "age": 63}
    assert read_person(data, "p", on=date(2024, 12, 31)).person.age_on(date(2024, 1, 1)) == 63
    with pytest.raises(InputError, match="p: age: give birth_date"):
        read_person(data, "p")


def test_line_with_unit_price_and_inline_class() -> None:
    line = read_line({"code": "X", "quantity": 3, "unit_price": "2.10", "class": "B"}, "l")
    assert (line.amount, line.item_class) == (630, ItemClass.B)


@pytest.mark.parametrize(
    ("patch", "words"),
    [
        ({"level": "L4"}, ["claim.json: level", "'L4'"]),
        ({"visit": None}, ["claim.json: visit: missing"]),
        ({"provder": "x"}, ["unknown field 'provder'"]),
        ({"presplit": {"total": "-1"}}, ["presplit.total", "negative", "'-1'"]),
        ({"presplit": {"total": "1e3x"}}, ["presplit.total", "'1e3x'", "not a number"]),
        ({"presplit": {"total": True}}, ["presplit.total", "True"]),
        ({"presplit": {"total": 10, "preself": 11}}, ["presplit", "exceed the total"]),
        ({"presplit": {"total": 10, "prself": 1}}, ["presplit", "unknown field 'prself'"]),
        ({"admit_date": "2024-06-01"}, ["admit_date", "after discharge_date"]),
        ({"discharge_date": "2024-02-30"}, ["discharge_date", "'2024-02-30'"]),
        ({"lines": [{"code": "A", "amount": 1}]}, ["give exactly one of lines and presplit"]),
        ({"route": "moon"}, ["route", "'moon'"]),
    ],
)
def test_bad_claim_names_the_field(patch: dict[str, object], words: list[str]) -> None:
    data = {**CLAIM, **patch}
    with pytest.raises(InputError) as info:
        read_claim(data, "claim.json")
    for w in words:
        assert w in str(info.value), str(info.value)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ({"code": "A", "amount": "-3"}, ["lines[1].amount", "negative"]),
        ({"code": "A", "amount": 3, "quantity": 0}, ["lines[1].quantity", "at least 1"]),
        ({"code": "A", "amount": 3, "preself_ratio": "0.1"}, ["lines[1].preself_ratio", "class"]),
        ({"code": "A", "amount": 3, "class": "B", "fund_ratio": 2}, ["fund_ratio", "[0, 1]"]),
        ({"code": "A", "amount": 3, "class": "D"}, ["lines[1].class", "'D'"]),
        ({"code": "A", "amount": 3, "colour": "red"}, ["lines[1]", "unknown field 'colour'"]),
    ],
)
def test_bad_line_names_the_field(line: dict[str, object], words: list[str]) -> None:
    data = {**{k: v for k, v in CLAIM.items() if k != "presplit"}, "lines": [line]}
    with pytest.raises(InputError) as info:
        read_claim(data, "claim.json")
    for w in words:
        assert w in str(info.value), str(info.value)


def test_accumulators_round_trip() -> None:
    data = {
        "year": 2024,
        "pools": {"inpatient": {"admissions": 1, "scope": "1200.50", "deductible": 800}},
        "ceiling_fund": {"basic": "300.00"},
        "ci_base": 10,
        "account_balance": "99.99",
    }
    acc = read_accumulators(data, "h")
    assert read_accumulators(accumulators_to_data(acc), "again") == acc
    with pytest.raises(InputError, match="h: year: 2024 is not the year of the claims"):
        read_accumulators(data, "h", 2025)
    with pytest.raises(InputError, match=r"h: pools\.spa"):
        read_accumulators({"year": 2024, "pools": {"spa": {}}}, "h")


def test_history_builds_the_accumulators() -> None:
    chain = shipped_packs().chain("demo-north")
    first = {**CLAIM, "id": "H1", "discharge_date": "2024-02-09", "admit_date": "2024-02-01"}
    req = read_request(
        {**PERSON, "account_balance": 100}, CLAIM, {"claims": [first]}, region=chain.region
    )
    s = settle_request(req, chain)
    assert s.admission_seq == 2
    assert s.before.pools["inpatient"].admissions == 1
    assert s.before.account_balance < 10000


def test_history_errors() -> None:
    later = {**CLAIM, "id": "H1", "admit_date": "2024-06-01", "discharge_date": "2024-06-02"}
    with pytest.raises(InputError, match=r"h: claims\[1\]: settled on 2024-06-02, after"):
        read_request(PERSON, CLAIM, [later], history_where="h")
    with pytest.raises(InputError, match="h: unknown field 'claimz'"):
        read_request(PERSON, CLAIM, {"claimz": []}, history_where="h")
    with pytest.raises(InputError, match="account_balance: also given in h"):
        read_request(
            {**PERSON, "account_balance": 1},
            CLAIM,
            {"accumulators": {"account_balance": 2}},
            history_where="h",
        )

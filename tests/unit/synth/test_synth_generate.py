"""The synthetic province: deterministic, well-formed, consistent and calibrated."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from yibao.policy.catalogue import demo_catalogue
from yibao.synth import SynthConfig, SynthData, generate
from yibao.synth import calibration as cal
from yibao.synth.ids import is_valid_id_number
from yibao.synth.schema import TABLES
from yibao.types import Sex, VisitType


@pytest.fixture(scope="module")
def data() -> SynthData:
    return generate(SynthConfig(seed=7, persons=30_000))


@pytest.fixture(scope="module")
def small() -> SynthData:
    return generate(SynthConfig(seed=11, persons=3_000, chunk_persons=1_000))


def test_same_seed_gives_identical_tables(small: SynthData) -> None:
    again = generate(SynthConfig(seed=11, persons=3_000, chunk_persons=1_000))
    for name, table in small.tables().items():
        assert table.equals(again.tables()[name]), name


def test_another_seed_gives_other_tables(small: SynthData) -> None:
    other = generate(SynthConfig(seed=12, persons=3_000, chunk_persons=1_000))
    assert not small.claims.equals(other.claims)
    assert not small.persons.equals(other.persons)


@pytest.mark.parametrize("name", list(TABLES))
def test_schema_of_each_table(data: SynthData, name: str) -> None:
    table = data.tables()[name]
    assert table.schema.equals(TABLES[name])
    assert table.num_rows > 0


def test_exact_column_types(data: SynthData) -> None:
    assert data.persons.schema.field("birth_date").type == pa.date32()
    assert data.claims.schema.field("los_days").type == pa.int32()
    assert data.claim_lines.schema.field("line_no").type == pa.int32()
    assert data.claim_lines.schema.field("amount_fen").type == pa.int64()


def test_persons(data: SynthData) -> None:
    p = data.persons.to_pydict()
    assert p["person_id"][:2] == ["P0000001", "P0000002"]
    assert len(set(p["person_id"])) == len(p["person_id"])
    assert len(set(p["id_number"])) == len(p["id_number"])
    for number, region, birth, sex in zip(
        p["id_number"], p["insured_region"], p["birth_date"], p["sex"], strict=True
    ):
        assert is_valid_id_number(number), number
        assert number[:6] == region
        assert number[6:14] == birth.strftime("%Y%m%d")
        assert int(number[16]) % 2 == (1 if sex == "1" else 0)
    assert set(p["sex"]) == {"1", "2"}
    assert set(p["insured_region"]) == {"990100", "990200", "990300"}


def test_person_types_follow_scheme_and_age(data: SynthData) -> None:
    p = data.persons.to_pandas()
    jan1 = date(2025, 1, 1)
    age = p["birth_date"].map(
        lambda b: jan1.year - b.year - ((jan1.month, jan1.day) < (b.month, b.day))
    )
    emp = p["scheme"] == "employee"
    assert set(p.loc[emp, "person_type"]) == {"active", "retired"}
    assert set(p.loc[~emp, "person_type"]) == {"adult", "child", "elderly"}
    assert (age[p["person_type"] == "child"] < 18).all()
    assert (age[p["person_type"] == "elderly"] >= 60).all()
    adult = age[p["person_type"] == "adult"]
    assert ((adult >= 18) & (adult < 60)).all()
    # employee share and active:retired ratio (PF 2024: 28.6 %, 2.63)
    assert emp.mean() == pytest.approx(cal.EMPLOYEE_SHARE, abs=0.015)
    ratio = (p["person_type"] == "active").sum() / (p["person_type"] == "retired").sum()
    assert ratio == pytest.approx(2.63, rel=0.08)
    # wages for employees in service only; balances for employees only
    assert p.loc[p["person_type"] == "active", "monthly_wage_fen"].notna().all()
    assert p.loc[p["person_type"] != "active", "monthly_wage_fen"].isna().all()
    assert (p.loc[~emp, "account_balance_fen"] == 0).all()
    assert (p.loc[emp, "account_balance_fen"] > 0).all()
    assert p.loc[p["person_type"] == "active", "employer_id"].notna().all()
    assert p.loc[~emp, "employer_id"].isna().all()
    share = p["assistance_category"].notna().mean()
    assert 0.02 < share < 0.10
    assert set(p["assistance_category"].dropna()) <= {
        "tekun", "dibao", "fanpin", "dibao_edge", "monitored", "illness_poverty",
    }  # fmt: skip


def test_employers_and_providers(data: SynthData) -> None:
    e = data.employers.to_pandas()
    p = data.persons.to_pandas()
    counts = p.loc[p["employer_id"].notna()].groupby("employer_id").size()
    assert (e.set_index("employer_id")["employee_count"].reindex(counts.index) == counts).all()
    assert set(e["kind"]) == {"enterprise", "public_institution", "flexible"}
    pr = data.providers.to_pandas()
    assert pr["provider_id"].iloc[0] == "H0001"
    assert set(pr["kind"]) == {"hospital", "community", "pharmacy"}
    assert (pr.loc[pr["kind"] != "hospital", "level"] == "L1").all()
    assert set(pr.loc[pr["kind"] == "hospital", "level"]) == {"L1", "L2", "L3"}


def test_claims_refer_to_existing_persons_and_providers(data: SynthData) -> None:
    c = data.claims
    persons = data.persons.column("person_id")
    providers = data.providers.column("provider_id")
    assert pc.all(pc.is_in(c.column("person_id"), value_set=persons)).as_py()
    assert pc.all(pc.is_in(c.column("provider_id"), value_set=providers)).as_py()
    ids = c.column("claim_id").to_pylist()
    assert ids[0] == "C0000000001" and len(set(ids)) == len(ids)


def test_every_line_item_is_in_the_demo_catalogue(data: SynthData) -> None:
    codes = set(pc.unique(data.claim_lines.column("item_code")).to_pylist())
    assert codes <= set(demo_catalogue().items)
    lines = data.claim_lines
    amount = pc.multiply(lines.column("unit_price_fen"), lines.column("quantity"))
    assert pc.all(pc.equal(amount, lines.column("amount_fen"))).as_py()
    assert pc.min(lines.column("quantity")).as_py() >= 1
    claims_with_lines = set(pc.unique(lines.column("claim_id")).to_pylist())
    assert claims_with_lines == set(data.claims.column("claim_id").to_pylist())


def test_line_numbers_run_from_one(data: SynthData) -> None:
    lines = data.claim_lines.to_pandas()
    first = lines.groupby("claim_id")["line_no"].agg(["min", "max", "size"])
    assert (first["min"] == 1).all() and (first["max"] == first["size"]).all()


def test_claims_ordered_dated_and_inside_enrollment(data: SynthData) -> None:
    c = data.claims.to_pandas()
    p = data.persons.to_pandas().set_index("person_id")
    assert c["person_id"].is_monotonic_increasing
    assert c.groupby("person_id")["admit_date"].apply(lambda s: s.is_monotonic_increasing).all()
    assert (c["admit_date"] >= date(2025, 1, 1)).all()
    assert (c["discharge_date"] <= date(2025, 12, 31)).all()
    days = pd_days(c["discharge_date"]) - pd_days(c["admit_date"])
    assert (days == c["los_days"]).all()
    ip = c["visit_type"] == "inpatient"
    assert (c.loc[ip, "los_days"] >= 1).all() and (c.loc[~ip, "los_days"] == 0).all()
    start = p.loc[c["person_id"], "enrolled_from"].to_numpy()
    end = p.loc[c["person_id"], "enrolled_to"].to_numpy()
    assert (c["admit_date"].to_numpy() >= start).all()
    closed = np.array([e is not None for e in end])
    assert (c["discharge_date"].to_numpy()[closed] <= end[closed]).all()


def pd_days(column: object) -> npt.NDArray[np.int64]:
    return np.array(column, dtype="datetime64[D]").astype(np.int64)


def test_admissions_of_a_person_do_not_overlap(data: SynthData) -> None:
    c = data.claims.to_pandas()
    ip = c[c["visit_type"] == "inpatient"]
    prev_end = ip.groupby("person_id")["discharge_date"].shift()
    same = prev_end.notna()
    assert (ip.loc[same, "admit_date"] >= prev_end[same]).all()


def test_codes_and_routes(data: SynthData) -> None:
    c = data.claims.to_pandas()
    assert c["main_dx"].notna().all()
    assert set(c["visit_type"]) == {v.value for v in VisitType}
    surgical = c["procedures"].notna()
    assert surgical.any() and (c.loc[surgical, "visit_type"] == "inpatient").all()
    assert c.loc[surgical, "procedures"].str.split("|").map(len).max() == 2
    assert c["other_dx"].dropna().str.split("|").map(lambda x: len(x) == len(set(x))).all()
    prov = data.providers.to_pandas().set_index("provider_id")
    pers = data.persons.to_pandas().set_index("person_id")
    local = prov.loc[c["provider_id"], "region"].to_numpy() == pers.loc[
        c["person_id"], "insured_region"].to_numpy()  # fmt: skip
    assert ((c["route"] == "local").to_numpy() == local).all()
    away = 1 - local[(c["visit_type"] == "inpatient").to_numpy()].mean()
    assert 0.01 < away < 0.08  # "a few %" of admissions elsewhere
    kind = prov.loc[c["provider_id"], "kind"].to_numpy()
    assert (kind[(c["visit_type"] == "pharmacy").to_numpy()] == "pharmacy").all()
    assert (kind[(c["visit_type"] == "inpatient").to_numpy()] == "hospital").all()


def test_inpatient_rate_matches_the_bulletin(data: SynthData) -> None:
    """Admissions per insured (PF 2023: employees 21.86 %, residents 20.7 %) within 10 %."""
    c = data.claims.to_pandas()
    p = data.persons.to_pandas()
    ip = c[c["visit_type"] == "inpatient"].merge(p[["person_id", "scheme"]], on="person_id")
    for scheme, target in cal.INPATIENT_RATE.items():
        rate = (ip["scheme"] == scheme).sum() / (p["scheme"] == scheme).sum()
        assert rate == pytest.approx(target, rel=0.10), scheme


def test_mean_inpatient_cost_matches_the_bulletin(data: SynthData) -> None:
    """Average inpatient cost (PF 2023: employees 12,175, residents 7,674 yuan) within 3 %."""
    cost = data.claim_lines.group_by("claim_id").aggregate([("amount_fen", "sum")]).to_pandas()
    c = data.claims.to_pandas().merge(cost, on="claim_id")
    c = c.merge(data.persons.to_pandas()[["person_id", "scheme"]], on="person_id")
    ip = c[c["visit_type"] == "inpatient"]
    for scheme, yuan in cal.INPATIENT_COST_YUAN.items():
        mean = ip.loc[ip["scheme"] == scheme, "amount_fen_sum"].mean() / 100
        assert mean == pytest.approx(yuan, rel=0.03), scheme


def test_defects_are_present_at_low_rates(data: SynthData) -> None:
    cat = demo_catalogue()
    lines = data.claim_lines.to_pandas()
    items = lines["item_code"].map(cat.items.__getitem__)
    cap = items.map(lambda i: i.price_cap)
    over = cap.notna() & (lines["unit_price_fen"] > cap.fillna(0))
    class_c = items.map(lambda i: i.item_class.value == "C")
    assert 0.001 < over.mean() < 0.03
    assert 0.002 < class_c.mean() < 0.05
    c = data.claims.to_pandas().set_index("claim_id")
    p = data.persons.to_pandas().set_index("person_id")
    claim = c.loc[lines["claim_id"]]
    person = p.loc[claim["person_id"]]
    admit = claim["admit_date"].to_numpy()
    birth = person["birth_date"].to_numpy()
    age = [a.year - b.year - ((a.month, a.day) < (b.month, b.day)) for a, b in
           zip(admit, birth, strict=True)]  # fmt: skip
    reasons = [
        item.covered_for(Sex(sex), a, VisitType(visit))
        for item, sex, a, visit in zip(items, person["sex"], age, claim["visit_type"], strict=True)
    ]
    assert all(r is None for r in reasons)  # restricted items for the right sex, age, visit


def test_one_line_per_item_and_no_care_inside_a_stay(data: SynthData) -> None:
    lines = data.claim_lines.to_pandas()
    assert not lines.duplicated(["claim_id", "item_code"]).any()
    c = data.claims.to_pandas()
    ip = c[c["visit_type"] == "inpatient"][["person_id", "admit_date", "discharge_date"]]
    op = c[c["visit_type"] != "inpatient"][["person_id", "admit_date"]]
    both = op.merge(ip, on="person_id", suffixes=("", "_stay"))
    inside = (both["admit_date"] > both["admit_date_stay"]) & (
        both["admit_date"] < both["discharge_date"]
    )
    assert len(both) > 100 and not inside.any()

"""Each rule on a small hand-built province: the claims it must hit and those it must not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from supervision_world import D, claim, hits, line, stay

from yibao.supervision.rules import RULES


def ids(rows: list[dict[str, object]]) -> list[object]:
    return [r["claim_id"] for r in rows]


def test_library_has_at_least_20_documented_rules() -> None:
    assert len(RULES) >= 20
    for r in RULES.values():
        assert r.code and r.name_en and r.name_zh and r.description and r.basis
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.name_zh)


def test_duplicate_same_day() -> None:
    claims = [claim("A"), claim("B", admit=D + timedelta(days=1))]
    lines = [
        line("A", 1, "XD0001"),
        line("A", 2, "XD0001"),
        line("A", 3, "XD0005"),
        line("B", 1, "XD0001"),
    ]
    got = hits("DUP_SAME_DAY", claims, lines)
    assert ids(got) == ["A"]
    assert "A:1" in got[0]["line_nos"] and "A:2" in got[0]["line_nos"]
    assert "A:1" in got[0]["reason"]


def test_duplicate_across_claims_same_provider_same_day() -> None:
    claims = [claim("A"), claim("B"), claim("C", provider="C1")]
    lines = [line("A", 1, "XD0001"), line("B", 1, "XD0001"), line("C", 1, "XD0001")]
    assert ids(hits("DUP_SAME_DAY", claims, lines)) == ["B"]


def test_sex_restricted() -> None:
    claims = [claim("M"), claim("F", person="P3", admit=D - timedelta(days=20))]
    lines = [line("M", 1, "XS0211"), line("F", 1, "XS0211")]  # 妇科B超: female only
    got = hits("SEX_RESTRICTED", claims, lines)
    assert ids(got) == ["M"] and got[0]["line_nos"] == "1"
    assert "line 1" in got[0]["reason"]


def test_age_restricted() -> None:
    claims = [claim("ADULT"), claim("CHILD", person="P2")]
    lines = [line("ADULT", 1, "XD0040"), line("CHILD", 1, "XD0040")]  # 小儿 drug ≤ 17
    assert ids(hits("AGE_RESTRICTED", claims, lines)) == ["ADULT"]


def test_visit_restricted() -> None:
    ip, ip_lines = stay("IP", D, 5)
    claims = [claim("OP"), ip]
    lines = [line("OP", 1, "XD0103"), *ip_lines, line("IP", 9, "XD0103")]
    got = hits("VISIT_RESTRICTED", claims, lines)
    assert ids(got) == ["OP"] and "inpatient" in got[0]["reason"]


def test_b_indication() -> None:
    claims = [
        claim("NO", dx="J06.900"),
        claim("YES", dx="E11.900", admit=D + timedelta(1)),
        claim("SEC", dx="I10.x00", other="E11.900", admit=D + timedelta(2)),
    ]
    lines = [line("NO", 1, "XD0142"), line("YES", 1, "XD0142"), line("SEC", 1, "XD0142")]
    assert ids(hits("B_INDICATION", claims, lines)) == ["NO"]


def test_qty_daily() -> None:
    a, la = stay("OVER", D, 5)
    b, lb = stay("OK", D + timedelta(days=30), 5)
    la[0] = line("OVER", 1, "XS0003", 9, 5000)  # 9 bed days in a 5-day stay
    lb[0] = line("OK", 1, "XS0003", 6, 5000)  # admission day counted: within tolerance
    got = hits("QTY_DAILY", [a, b], la + lb)
    assert ids(got) == ["OVER"] and got[0]["amount_fen"] == 3 * 5000


def test_qty_visit() -> None:
    claims = [claim("BIG"), claim("OK", admit=D + timedelta(1))]
    lines = [line("BIG", 1, "XD0001", 500, 100), line("OK", 1, "XD0001", 400, 100)]
    got = hits("QTY_VISIT", claims, lines)
    assert ids(got) == ["BIG"] and got[0]["amount_fen"] == 100 * 100


def test_price_over_standard() -> None:
    claims = [claim("HI"), claim("OK", admit=D + timedelta(1))]
    # cap 15 yuan; up to 15 × 1.43 = 21.45 yuan the patient legitimately pays the excess
    lines = [line("HI", 1, "XD0007", 2, 2200), line("OK", 1, "XD0007", 2, 2145)]
    got = hits("PRICE_OVER_STANDARD", claims, lines)
    assert ids(got) == ["HI"] and got[0]["amount_fen"] == 1400
    assert "22.00" in got[0]["reason"] and "15.00" in got[0]["reason"]


def test_unknown_item() -> None:
    claims = [claim("X"), claim("OK", admit=D + timedelta(1))]
    assert ids(hits("UNKNOWN_ITEM", claims, [line("X", 1, "ZZ999"), line("OK", 1, "XD0001")])) == [
        "X"
    ]


def test_substitution_beyond_capability() -> None:
    claims = [claim("LOW", provider="H2"), claim("OK", provider="H1")]
    lines = [line("LOW", 1, "XS0308"), line("OK", 1, "XS0308")]  # PET-CT needs L3
    assert ids(hits("SUBSTITUTION", claims, lines)) == ["LOW"]


def test_overlapping_stays() -> None:
    a, la = stay("A", D, 6)
    b, lb = stay("B", D + timedelta(days=2), 6, provider="H3")
    c, lc = stay("C", D + timedelta(days=8), 3)  # admitted on B's discharge day: no overlap
    assert ids(hits("OVERLAP_STAY", [a, b, c], la + lb + lc)) == ["B"]


def test_outpatient_during_stay() -> None:
    a, la = stay("A", D, 6)
    claims = [
        a,
        claim("IN", admit=D + timedelta(days=3), provider="C1"),
        claim("EDGE", admit=D + timedelta(days=6), provider="C1"),
        claim("PH", visit="pharmacy", provider="R1", admit=D + timedelta(days=2)),
    ]
    lines = [*la, line("IN", 1, "XD0001"), line("EDGE", 1, "XD0001"), line("PH", 1, "XD0001")]
    assert ids(hits("OP_DURING_STAY", claims, lines)) == ["IN", "PH"]


def test_outside_enrolment() -> None:
    claims = [claim("LATE", person="P3"), claim("OK", person="P3", admit=D - timedelta(days=30))]
    got = hits("OUTSIDE_ENROLMENT", claims, [line("LATE", 1, "XD0001"), line("OK", 1, "XD0001")])
    assert ids(got) == ["LATE"] and "2025-02-28" in got[0]["reason"]


def test_split_admission() -> None:
    a, la = stay("A", D, 4, dx="J18.000")
    b, lb = stay("B", D + timedelta(days=7), 4, dx="J18.900")  # 3 days later, same J18
    c, lc = stay("C", D + timedelta(days=40), 4, dx="J18.000")  # 29 days later
    d, ld = stay("D", D + timedelta(days=14), 3, dx="K35.800", provider="H3")
    got = hits("SPLIT_ADMISSION", [a, b, c, d], la + lb + lc + ld)
    assert ids(got) == ["B"] and "A" in got[0]["reason"]


def test_bed_holding() -> None:
    a, la = stay("HOLD", D, 7, treat=False)
    b, lb = stay("OK", D + timedelta(days=30), 7)
    c, lc = stay("SHORT", D + timedelta(days=60), 2, treat=False)
    assert ids(hits("BED_HOLDING", [a, b, c], la + lb + lc)) == ["HOLD"]


def test_low_threshold_admission() -> None:
    ops = [claim(f"O{i}", admit=D + timedelta(days=i), dx="J06.900") for i in range(6)]
    op_lines = [line(f"O{i}", 1, "XD0001", 1, 10000) for i in range(6)]
    cheap = claim("CHEAP", visit="inpatient", los=1, dx="J06.900", admit=D + timedelta(30))
    dear = claim("DEAR", visit="inpatient", los=1, dx="J06.900", admit=D + timedelta(60))
    lines = [
        *op_lines,
        line("CHEAP", 1, "XS0003", 1, 15000),
        line("DEAR", 1, "XS0003", 1, 25000),
    ]  # median outpatient 100 yuan, factor 2
    assert ids(hits("LOW_THRESHOLD_ADMISSION", [*ops, cheap, dear], lines)) == ["CHEAP"]


def test_drg_upcoding() -> None:
    a, la = stay("UP", D, 5, other="I10.x00|R57.000")  # shock without monitoring or blood gas
    b, lb = stay("OK", D + timedelta(days=30), 5, other="N17.900")  # AKI with renal function
    got = hits("DRG_UPCODING", [a, b], la + lb)
    assert ids(got) == ["UP"] and "R57" in got[0]["reason"]


def test_drg_cc_rate_peer() -> None:
    claims, lines = [], []
    for prov, n_sev in (("H1", 2), ("H4", 1), ("H5", 12)):
        for i in range(20):
            other = "N17.900" if i < n_sev else None
            c, ls = stay(
                f"{prov}-{i:02d}", D + timedelta(days=10 * i), 3, provider=prov, other=other
            )
            claims.append(c)
            lines += ls
    got = hits("DRG_CC_RATE_PEER", claims, lines, {"min_cases": 20})
    assert [r["provider_id"] for r in got] == ["H5"] and got[0]["claim_id"] is None


def test_card_sharing() -> None:
    claims = [
        claim("HOME", provider="C1"),
        claim("AWAY", provider="H3"),
        claim("LATER", provider="H3", admit=D + timedelta(days=1)),
    ]
    lines = [line("HOME", 1, "XD0001"), line("AWAY", 1, "XD0005"), line("LATER", 1, "XD0005")]
    got = hits("CARD_SHARING", claims, lines)
    assert ids(got) == ["AWAY"] and "990200" in got[0]["reason"]


def test_pharmacy_overdispensing() -> None:
    claims = [
        claim("P1", visit="pharmacy", provider="R1"),
        claim("P2", visit="pharmacy", provider="R1", admit=D + timedelta(days=5)),
        claim("NEXT", visit="pharmacy", provider="R1", admit=D + timedelta(days=40)),
    ]
    lines = [
        line("P1", 1, "XD0026", 120, 500),
        line("P2", 1, "XD0026", 100, 500),
        line("NEXT", 1, "XD0026", 150, 500),
    ]
    got = hits("PHARMACY_OVERDISPENSING", claims, lines)
    assert ids(got) == ["P1"] and got[0]["amount_fen"] == 20 * 500


def test_frequent_visits() -> None:
    many = [claim(f"M{i:02d}", admit=D.replace(day=1) + timedelta(days=i)) for i in range(26)]
    few = [
        claim(f"N{i:02d}", admit=D.replace(month=5, day=1) + timedelta(days=i)) for i in range(25)
    ]
    lines = [line(c["claim_id"], 1, "XS0022") for c in many + few]
    got = hits("FREQUENT_VISITS", many + few, lines)
    assert sorted(ids(got)) == [c["claim_id"] for c in many]


def test_los_mismatch() -> None:
    a, la = stay("BAD", D, 5)
    a["los_days"] = 8
    b, lb = stay("OK", D + timedelta(days=30), 5)
    assert ids(hits("LOS_MISMATCH", [a, b], la + lb)) == ["BAD"]


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_is_silent_on_a_clean_claim(code: str) -> None:
    a, la = stay("S", D, 5)
    claims = [a, claim("O", admit=D + timedelta(days=20), provider="C1")]
    lines = [*la, line("O", 1, "XD0001"), line("O", 2, "XS0022")]
    assert hits(code, claims, lines, {"min_cases": 1} if code == "DRG_CC_RATE_PEER" else None) == []


def test_per_visit_charge_on_two_visits_is_not_a_duplicate() -> None:
    # two general-outpatient visits at one provider on one day, each with its 诊查费 (XS0022,
    # priced per visit); a third claim bills it twice on one visit
    claims = [claim("A"), claim("B"), claim("C", person="P3", admit=D - timedelta(days=30))]
    lines = [
        line("A", 1, "XS0022", 1, 1000),
        line("B", 1, "XS0022", 1, 1000),
        line("C", 1, "XS0022", 1, 1000),
        line("C", 2, "XS0022", 1, 1000),
    ]
    assert ids(hits("DUP_SAME_DAY", claims, lines)) == ["C"]
    # without the per-visit list, the two visits' charges count as a duplicate too
    got = hits("DUP_SAME_DAY", claims, lines, {"per_visit_items": ()})
    assert sorted(ids(got)) == ["B", "C"]

"""The screening frame: per-claim sums computed once and shared by the rules."""

from __future__ import annotations

from supervision_world import D, claim, frame, line, stay

from yibao.supervision.rules import materialize


def test_claim_sums_from_the_lines() -> None:
    # a 4-day stay: bed 50.00, nursing 18.00, ward round 20.00 a day; a test 25.00, an
    # exam 40.00; 6 units of a drug at 7.00; and a claim without lines
    c, ls = stay("S", D, 4)
    f = materialize(frame([c, claim("E")], ls))
    rows = {r["claim_id"]: r for r in f.claims.to_pyarrow().to_pylist()}
    s = rows["S"]
    assert s["total_fen"] == 4 * (5000 + 1800 + 2000) + 2500 + 4000 + 6 * 700
    assert s["drug_fen"] == 6 * 700
    assert s["service_fen"] == s["total_fen"] - s["drug_fen"]
    assert (s["n_lines"], s["n_services"]) == (6, 5)
    e = rows["E"]
    assert (e["total_fen"], e["drug_fen"], e["n_lines"], e["n_services"]) == (0, 0, 0, 0)


def test_repeated_service_item_counts_once() -> None:
    ls = [line("A", 1, "XS0101"), line("A", 2, "XS0101"), line("A", 3, "XD0031", 2, 700)]
    rows = frame([claim("A")], ls).claims.to_pyarrow().to_pylist()
    assert (rows[0]["n_lines"], rows[0]["n_services"], rows[0]["total_fen"]) == (3, 1, 3400)

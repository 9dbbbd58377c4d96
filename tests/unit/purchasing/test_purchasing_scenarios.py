"""The purchasing scenarios (tests/scenarios/purchasing) settle and refuse as the facts say."""

from __future__ import annotations

from pathlib import Path

import pytest

from yibao.errors import InputError
from yibao.scenario import run_scenario
from yibao.scenario.loader import parse_scenario
from yibao.scenario.runner import run

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios" / "purchasing"
AGREEMENT = SCENARIOS / "agreement-suspension-order2.yaml"


def test_agreement_scenario_settles_and_refuses_as_order_2_says() -> None:
    result = run_scenario(AGREEMENT)
    assert result.ok
    refused = [c.claim_id for c in result.claims if c.settlement is None]
    assert refused == ["in-suspension", "outside-scope", "after-second-suspension", "no-agreement"]
    settled = [c for c in result.claims if c.settlement is not None]
    for c in settled:
        assert c.settlement is not None
        assert c.settlement.trace[0].name == "agreement"


def test_a_refusal_that_does_not_happen_is_an_error() -> None:
    # the suspension starts after the claim's discharge (2024-03-15): it settles
    text = AGREEMENT.read_text(encoding="utf-8").replace(
        "event: suspend, day: 2024-03-01", "event: suspend, day: 2024-03-20", 1
    )
    with pytest.raises(InputError, match=r"claims\[2\] \(in-suspension\): expected a refusal"):
        run(parse_scenario(text, "mutated.yaml"))


def test_an_unexpected_refusal_is_an_error_naming_the_claim() -> None:
    text = AGREEMENT.read_text(encoding="utf-8").replace(
        "event: sign, day: 2024-01-01", "event: sign, day: 2024-02-02", 1
    )
    with pytest.raises(
        InputError,
        match=r"claims\[1\] \(active\): claim active: refused.*H001 has no agreement signed",
    ):
        run(parse_scenario(text, "mutated.yaml"))


def test_vbp_scenario_steps_the_non_selected_standard_down_over_three_years() -> None:
    result = run_scenario(SCENARIOS / "vbp-stent-payment-standard.yaml")
    assert result.ok and result.checks == 8
    over = [c.settlement.parts.over_limit for c in result.claims if c.settlement is not None]
    # 13,000 against standards 11,700 / 10,400 / 9,100 (fen)
    assert over[:3] == [130_000, 260_000, 390_000]


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_purchasing_scenario_runs_clean(path: Path) -> None:
    result = run_scenario(path)
    assert result.scenario.name == path.stem and result.scenario.source_url
    assert result.ok and result.checks >= 4


def test_dual_channel_pays_the_pharmacy_as_the_hospital() -> None:
    result = run_scenario(SCENARIOS / "negotiated-drug-dual-channel.yaml")
    hospital, pharmacy = (c.settlement for c in result.claims)
    assert hospital is not None and pharmacy is not None
    assert hospital.parts == pharmacy.parts
    assert pharmacy.trace[0].text.startswith("provider P001 holds an active agreement")

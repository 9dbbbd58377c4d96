"""Every provider the synthetic province writes can be registered with the service."""

from __future__ import annotations

from yibao.service.providers import ProviderKind
from yibao.synth import SynthConfig
from yibao.synth.generate import generate


def test_synthetic_provider_kinds_are_registrable() -> None:
    providers = generate(SynthConfig(seed=3, persons=500)).providers
    kinds = set(providers.column("kind").to_pylist())
    assert kinds <= {k.value for k in ProviderKind}
    assert {"hospital", "community", "pharmacy"} <= kinds

"""Every value an LTC pack sets is a schema leaf, and every schema leaf is used somewhere."""

from __future__ import annotations

from importlib import resources

import yaml

from yibao.ltc.schema import LEAVES, leaves_of


def test_shipped_packs_use_only_schema_leaves_and_cover_them() -> None:
    folder = resources.files("yibao.ltc") / "packs"
    used: set[str] = set()
    for f in folder.iterdir():
        if f.name.endswith(".yaml"):
            used |= set(leaves_of(yaml.safe_load(f.read_text(encoding="utf-8"))))
    assert used - set(LEAVES) == set()
    assert set(LEAVES) - used == set()
